"""Building replies: plain text plus escaped Matrix HTML, from one description.

Everything that came from a person (titles, names, arguments) is escaped here, so a
reply is always safe to render whatever was typed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from html import escape

from avz_bot.domain.inbound import Reply


def sentence(message: str) -> str:
    """``message`` with its first letter a capital (``"werktitel ontbreekt."`` →
    ``"Werktitel ontbreekt."``): catalogue sentences that start with a placeholder
    (a field, a name) would otherwise start in lower case."""
    for at, ch in enumerate(message):
        if ch.isalpha():
            return message[:at] + ch.upper() + message[at + 1 :] if ch.islower() else message
        if not (ch.isspace() or ch in "„“\"'‘(*_"):
            return message  # "!casus", "@naam", "3 afspraken": leave as they are
    return message


def capitalised(reply: Reply) -> Reply:
    """``reply`` with the first letter of its text a capital, in body and HTML alike
    (the HTML's first text after any opening tags)."""
    plain = sentence(reply.plain)
    if plain == reply.plain:
        return reply
    tags = 0
    while reply.html.startswith("<", tags):
        tags = reply.html.index(">", tags) + 1
    html = reply.html[:tags] + sentence(reply.html[tags:])
    return replace(reply, plain=plain, html=html)


def text(message: str) -> Reply:
    """A one-paragraph reply."""
    return Reply(plain=message, html=escape(message).replace("\n", "<br>"))


def paragraphs(*parts: str) -> Reply:
    """Several paragraphs (empty parts are dropped)."""
    kept = [part for part in parts if part]
    return Reply(
        plain="\n".join(kept),
        html="<br>".join(escape(part).replace("\n", "<br>") for part in kept),
    )


def listing(title: str, items: Iterable[str], footer: str = "") -> Reply:
    """A bold title, a bulleted list and an optional footer line."""
    rows = list(items)
    plain = [title, *(f"• {item}" for item in rows)]
    html = f"<strong>{escape(title)}</strong><ul>"
    html += "".join(f"<li>{escape(item)}</li>" for item in rows) + "</ul>"
    if footer:
        plain.append(footer)
        html += escape(footer).replace("\n", "<br>")
    return Reply(plain="\n".join(plain), html=html)


def sections(title: str, parts: Iterable[tuple[str, list[str]]], empty: str) -> Reply:
    """A bold title, then per section a heading and its bulleted items (``empty`` if none)."""
    plain = [title]
    html = f"<strong>{escape(title)}</strong>"
    for heading, items in parts:
        rows = items or [empty]
        plain.append(heading)
        plain.extend(f"  • {item}" for item in rows)
        html += f"<p>{escape(heading)}</p><ul>"
        html += "".join(f"<li>{escape(item)}</li>" for item in rows) + "</ul>"
    return Reply(plain="\n".join(plain), html=html)


def pill(user: str, name: str) -> str:
    """A Matrix mention "pill": ``<a href="https://matrix.to/#/@user:server">Name</a>``."""
    return f'<a href="https://matrix.to/#/{escape(user)}">{escape(name)}</a>'


def mentioning(
    users: Sequence[tuple[str, str]], message: str, thread_root: str | None = None
) -> Reply:
    """``message`` after a mention of each of ``users`` (id, name), who are pinged:
    ``Name (@user:server), …: message`` and the pills in HTML."""
    sep = ": " if users else ""
    return Reply(
        plain=", ".join(f"{name} ({user})" for user, name in users) + sep + message,
        html=", ".join(pill(user, name) for user, name in users)
        + sep
        + escape(message).replace("\n", "<br>"),
        mentions=tuple(user for user, _ in users),
        thread_root=thread_root,
    )
