"""Event content exactly as Element Web sends it: pills, typed text, replies, threads, edits.

Pure functions (no client, no I/O); :class:`~avz_bot.testkit.partner.PartnerClient`
sends what they build.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from avz_bot.testkit.partner.records import ReceivedMessage


def pill(user_id: str, display_name: str) -> tuple[str, str]:
    """A mention pill as Element Web writes it: (plain text, HTML)."""
    return (
        display_name,
        f'<a href="https://matrix.to/#/{user_id}">{html.escape(display_name)}</a>',
    )


def element_content(
    body: str, formatted_body: str | None = None, mentions: Sequence[str] = ()
) -> dict[str, Any]:
    """``m.room.message`` content as Element Web sends typed text: ``formatted_body``
    only when there is markup (a pill), ``m.mentions`` always."""
    content: dict[str, Any] = {"msgtype": "m.text", "body": body}
    if formatted_body is not None:
        content["format"] = "org.matrix.custom.html"
        content["formatted_body"] = formatted_body
    content["m.mentions"] = {"user_ids": list(mentions)} if mentions else {}
    return content


def pill_command_content(
    before: str, user_id: str, display_name: str, after: str = ""
) -> dict[str, Any]:
    """``before<pill>after`` as Element Web sends it after picking a person from the
    ``@`` autocomplete (the body has the display name, the HTML the link)."""
    plain, link = pill(user_id, display_name)
    return element_content(
        f"{before}{plain}{after}",
        f"{html.escape(before)}{link}{html.escape(after)}",
        [user_id],
    )


def reply_content(body: str, to: ReceivedMessage, *, legacy_fallback: bool) -> dict[str, Any]:
    """A rich reply to ``to`` as Element Web sends it; ``legacy_fallback`` adds the
    quote older Element versions put in ``body`` and ``formatted_body``."""
    content = element_content(body, mentions=[to.sender])
    if legacy_fallback:
        quoted = "\n".join(f"> {line}" for line in to.body.splitlines())
        first = f"> <{to.sender}> {quoted[2:]}" if quoted else f"> <{to.sender}>"
        content["body"] = f"{first}\n\n{body}"
        content["format"] = "org.matrix.custom.html"
        content["formatted_body"] = (
            f'<mx-reply><blockquote><a href="https://matrix.to/#/{to.room_id}/'
            f'{to.event_id}">In reply to</a> <a href="https://matrix.to/#/{to.sender}">'
            f"{to.sender}</a><br>{html.escape(to.body)}</blockquote></mx-reply>"
            f"{html.escape(body)}"
        )
    content["m.relates_to"] = {"m.in_reply_to": {"event_id": to.event_id}}
    return content


def thread_content(body: str, root: str, last_in_thread: str | None = None) -> dict[str, Any]:
    """A message in the thread of ``root`` as Element Web sends it (with the reply
    fallback to the thread's latest event for clients without threads)."""
    content = element_content(body)
    content["m.relates_to"] = {
        "rel_type": "m.thread",
        "event_id": root,
        "is_falling_back": True,
        "m.in_reply_to": {"event_id": last_in_thread or root},
    }
    return content


def edit_content(original: str, new_body: str) -> dict[str, Any]:
    """An edit (``m.replace``) of ``original`` as Element Web sends it."""
    content = element_content(f"* {new_body}")
    content["m.new_content"] = element_content(new_body)
    content["m.relates_to"] = {"rel_type": "m.replace", "event_id": original}
    return content
