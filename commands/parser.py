"""Tokenising a chat message into a command name, positional words and options.

Rules, chosen for people typing on phones and in Dutch:

* a command is the prefix directly followed by a letter (``!help``); ``! hoi`` or
  ``!!!`` are ordinary chat and ignored;
* words are separated by white space; text in quotes is one word. Straight and curly
  quotes both work (mobile keyboards produce ``“…”``), but a quote only *opens* at the
  start of a word or right after ``=`` so that apostrophes in ``commando's`` stay
  literal;
* ``sleutel=waarde`` (lowercase key) is an option; ``reden="geen tijd"`` quotes the
  value; a quoted ``"a=b"`` is a plain word;
* an unquoted option value runs until the next ``sleutel=`` or the end of the message
  (people do not quote: ``deadline=vrijdag 14:00``, ``reden=geen tijd meer``); inside
  it quotes are literal and its white space is kept as typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_COMMAND_LENGTH = 4000

#: opening quote -> the characters that may close it
_QUOTES: dict[str, str] = {
    '"': '"”“',
    "“": '”"“',
    "„": '”“"',
    "”": '”"',
    "'": "'’",
    "‘": "’'",
    "’": "’'",
}
_OPTION_KEY = re.compile(r"[a-z][a-z0-9_]*")
#: Where a word starts a new option (``sleutel=``): ends an unquoted option value.
_OPTION_START = re.compile(r"[a-z][a-z0-9_]*=")


class ParseError(Exception):
    """The message is a command but cannot be tokenised; ``key`` is a catalogue key."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


@dataclass(frozen=True, slots=True)
class Token:
    """A word of the command; ``key`` is set for ``key=value`` options."""

    value: str
    key: str | None = None


@dataclass(frozen=True, slots=True)
class ParsedCommand:
    """A tokenised command: lowercased name and its arguments in order."""

    name: str
    tokens: tuple[Token, ...]

    @property
    def positionals(self) -> list[str]:
        """The words that are not options."""
        return [t.value for t in self.tokens if t.key is None]


def is_command(body: str, prefix: str) -> bool:
    """Whether ``body`` is addressed to the bot (prefix directly followed by a letter)."""
    stripped = body.lstrip()
    return (
        stripped.startswith(prefix)
        and len(stripped) > len(prefix)
        and stripped[len(prefix)].isalpha()
    )


def _word_end(text: str, i: int) -> int:
    while i < len(text) and not text[i].isspace():
        i += 1
    return i


def _option_value_end(text: str, i: int) -> int:
    """Where an unquoted option value whose first word ends at ``i`` ends: before the
    next word that starts an option (``sleutel=``), else at the end of the text."""
    end, n = i, len(text)
    while True:
        j = end
        while j < n and text[j].isspace():
            j += 1
        if j >= n or _OPTION_START.match(text, j):
            return end
        end = _word_end(text, j)


def _split(text: str) -> list[tuple[str, bool, str | None]]:
    """Split into (value, was_quoted_whole, option_key) triples."""
    words: list[tuple[str, bool, str | None]] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        buf: list[str] = []
        quoted_whole = False
        key: str | None = None
        value_start = -1
        at_start = True
        while i < n and not text[i].isspace():
            ch = text[i]
            opens_here = at_start or (key is not None and not buf)
            if ch in _QUOTES and opens_here:
                closers = _QUOTES[ch]
                j = i + 1
                while j < n and text[j] not in closers:
                    j += 1
                if j >= n:
                    raise ParseError("error.parse.unclosed_quote")
                buf.append(text[i + 1 : j])
                quoted_whole = at_start
                if key is not None:
                    value_start = -1  # a quoted value ends where its quote closes
                i = j + 1
                at_start = False
                continue
            if ch == "=" and key is None and not quoted_whole and buf:
                candidate = "".join(buf)
                if _OPTION_KEY.fullmatch(candidate):
                    key = candidate
                    buf = []
                    i += 1
                    value_start = i
                    at_start = False
                    continue
            buf.append(ch)
            at_start = False
            i += 1
        if key is not None and value_start >= 0:
            # Unquoted: the value takes the following words up to the next option.
            i = _option_value_end(text, i)
            words.append((text[value_start:i].strip(), False, key))
            continue
        words.append(("".join(buf), quoted_whole, key))
    return words


def parse_command(body: str, prefix: str) -> ParsedCommand | None:
    """Parse ``body``; ``None`` when it is not a command at all.

    Raises ``ParseError`` for a command that cannot be tokenised.
    """
    if not is_command(body, prefix):
        return None
    if len(body) > MAX_COMMAND_LENGTH:
        raise ParseError("error.parse.too_long", limit=MAX_COMMAND_LENGTH)
    rest = body.lstrip()[len(prefix) :]
    words = _split(rest)
    name = words[0][0].lower()
    tokens = tuple(Token(value, key) for value, _, key in words[1:])
    return ParsedCommand(name=name, tokens=tokens)
