"""The board's HTML building blocks: the page frame, tables, dates (all text escaped).

Pages are rendered on the server as plain strings: every value goes through
:func:`html.escape`; the only scripts and styles are the bot's own files under
``/board/static/`` (the Content Security Policy allows nothing else, see ``board_web``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from avz_bot.messages import Messages

#: People read times in the Netherlands' zone.
LOCAL = ZoneInfo("Europe/Amsterdam")


def e(value: object) -> str:
    """``value`` as escaped HTML text (attributes included)."""
    return escape(str(value), quote=True)


def day(instant: datetime | None) -> str:
    """A date as ``08-12-2026`` (local)."""
    return "" if instant is None else instant.astimezone(LOCAL).strftime("%d-%m-%Y")


def moment(instant: datetime | None) -> str:
    """A moment as ``08-12-2026 14:30`` (local)."""
    return "" if instant is None else instant.astimezone(LOCAL).strftime("%d-%m-%Y %H:%M")


def page(
    messages: Messages,
    title: str,
    body: str,
    *,
    header: str = "",
    scripts: Sequence[str] = (),
) -> str:
    """A whole HTML document in the messages' language."""
    script_tags = "".join(f'<script src="/board/static/{e(s)}" defer></script>' for s in scripts)
    return (
        f'<!doctype html><html lang="{e(messages.locale)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(title)}</title>"
        f'<link rel="stylesheet" href="/board/static/board.css">{script_tags}</head><body>'
        f'<a class="skip" href="#main">{e(messages.t("board.skip"))}</a>'
        f'<header class="top">{header}</header><main id="main" tabindex="-1">{body}</main>'
        "</body></html>"
    )


def header(messages: Messages, name: str, switch: str) -> str:
    """The page header: title, who is signed in, the language switch."""
    other = "en" if messages.locale == "nl" else "nl"  # the switch is in the other language
    return (
        f'<p class="brand">{e(messages.t("board.title"))}</p>'
        f"<p>{e(messages.t('board.signed_in_as', name=name))} · "
        f'<a href="{e(switch)}" lang="{other}">{e(messages.t("board.language"))}</a></p>'
    )


def table(
    caption: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    empty: str,
    numeric: frozenset[int] = frozenset(),
    raw_headers: bool = False,
) -> str:
    """A data table with a caption and column headers; ``rows`` hold ready HTML cells."""
    if not rows:
        return f'<p class="empty">{e(empty)}</p>'
    heads = "".join(
        f'<th scope="col"{" class=num" if i in numeric else ""}>{h if raw_headers else e(h)}</th>'
        for i, h in enumerate(headers)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f"<td{' class=num' if i in numeric else ''}>{cell}</td>" for i, cell in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return (
        f"<table><caption>{e(caption)}</caption><thead><tr>{heads}</tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )


def section(section_id: str, heading: str, content: str) -> str:
    """A titled region of the page (a landmark with its heading as its name)."""
    return (
        f'<section aria-labelledby="{section_id}-h"><h2 id="{section_id}-h">{e(heading)}</h2>'
        f"{content}</section>"
    )


def message_page(messages: Messages, title_key: str, text_key: str) -> str:
    """A page that only says something (refusals, sign-in problems)."""
    title = messages.t(title_key)
    return page(messages, title, f"<h1>{e(title)}</h1><p>{e(messages.t(text_key))}</p>")
