"""Reading a message that addresses the bot without the bare prefix as a command.

People write ``! help`` (a space after the prefix), ``avz-bot: help`` or ``avz-bot, acties``
(the bot's name), or put a mention pill of the bot first (the adapter turns the pill into
the bot's user id: ``@avz-bot:server: help``). Each is read as the command it names; any
other text is left as it is (``! hoi`` and "avz-bot is handig" stay conversation).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

#: After the bot's name: these make the rest a command whatever its first word.
_ADDRESS_MARKS = frozenset({":", ","})


def bot_names(names: Iterable[str]) -> tuple[str, ...]:
    """``names`` as :func:`as_command` compares them: without a leading ``@``,
    case-folded, longest first (so a user id wins over the localpart it starts with)."""
    folded = {name.strip().removeprefix("@").casefold() for name in names if name.strip()}
    return tuple(sorted(folded, key=len, reverse=True))


def as_command(
    body: str, prefix: str, names: Iterable[str], is_command_word: Callable[[str], bool]
) -> str:
    """``body`` as a command (``prefix`` + words) when it addresses the bot as above,
    else ``body`` unchanged. ``names`` come from :func:`bot_names`; ``is_command_word``
    says whether a text starts with a command's (first) word. Bare ``avz-bot:`` is
    ``help``."""
    stripped = body.lstrip()
    if stripped.startswith(prefix) and stripped[len(prefix) : len(prefix) + 1].isspace():
        rest = stripped[len(prefix) :].lstrip()
        return prefix + rest if is_command_word(rest) else body
    start = 1 if stripped.startswith("@") else 0
    for name in names:
        end = start + len(name)
        if stripped[start:end].casefold() != name:
            continue
        after = stripped[end:]
        rest = after.lstrip(" \t")
        if rest[:1] in _ADDRESS_MARKS:
            rest = rest[1:].strip()
            return rest if rest.startswith(prefix) else prefix + (rest or "help")
        if after[:1].isspace() and is_command_word(rest):
            return prefix + rest
    return body
