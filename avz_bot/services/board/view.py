"""All wording of the board's chat side (the pages' wording is in ``pages.py``)."""

from __future__ import annotations

from html import escape

from avz_bot.domain.inbound import Reply
from avz_bot.messages import Messages
from avz_bot.settings_sections.board import BoardSettings

#: The path of the sign-in page a link opens (the token follows it).
SIGN_IN_PATH = "/board/in/"


def link_reply(messages: Messages, settings: BoardSettings, token: str) -> Reply:
    """The ``!overzicht`` answer: the link, how long it works, and that it works once."""
    url = f"{settings.public_url}{SIGN_IN_PATH}{token}"
    plain = messages.t("board.link", url=url, minutes=settings.link_minutes)
    html = messages.t("board.link_html", url=escape(url, quote=True), minutes=settings.link_minutes)
    return Reply(plain=plain, html=html)
