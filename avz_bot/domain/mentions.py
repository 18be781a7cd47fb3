"""Reading a command the way Matrix clients send it: pills, replies, threads and edits.

Pure functions on the ``m.room.message`` content (a dict as received, decrypted). What
Element Web, Element X and FluffyChat send (Matrix client-server spec v1.13, §11.2
"Rich replies", §11.10 "Threading", §11.37 "Event replacements", and "User and room
mentions"):

* a mention *pill*: the ``body`` carries the member's display name, the
  ``formatted_body`` an ``<a href="https://matrix.to/#/@user:server">Name</a>`` link and
  ``m.mentions.user_ids`` the user id;
* a rich reply: ``m.relates_to.m.in_reply_to``; older clients also quote the replied-to
  message in the body (lines starting with ``> ``, then an empty line) and in an
  ``<mx-reply>`` block of the ``formatted_body``;
* a thread message: ``m.relates_to`` with ``rel_type: m.thread`` and the thread root's
  ``event_id`` (``is_falling_back`` plus ``m.in_reply_to`` for clients without threads);
* an edit: ``rel_type: m.replace``, the new text in ``m.new_content`` and ``* `` before
  the fallback body.

``message_text`` turns that into the text the command parser reads, with each pill
replaced by its user id, so every command that takes a person gets pills for free.
``match_person`` resolves a name typed without a pill among the room's members.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

#: A full Matrix user id as typed (``@localpart:server``).
USER_ID = re.compile(r"^@[^:\s]+:[A-Za-z0-9.:\[\]-]+$")
_PILL = re.compile(
    r"""<a\s[^>]*?href\s*=\s*["']https://matrix\.to/#/([^"'?]+)[^"']*["'][^>]*>(.*?)</a>""",
    re.IGNORECASE | re.DOTALL,
)
_MX_REPLY = re.compile(r"<mx-reply>.*?</mx-reply>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
#: Display names have at most this many words worth trying (``Anne van der Berg``).
MAX_NAME_WORDS = 5


@dataclass(frozen=True, slots=True)
class MessageText:
    """What a message says to the bot.

    ``body`` is the text to parse (reply quote removed, pills replaced by user ids);
    ``thread_root`` is the thread's root event when sent in a thread; ``edit_of`` the
    original event when this is an edit (``m.replace``); ``None`` otherwise.
    """

    body: str
    thread_root: str | None = None
    edit_of: str | None = None


@dataclass(frozen=True, slots=True)
class Person:
    """A member of the room: user id, Matrix display name (``None``: not set) and the
    other names the bot knows them by (the registry's name), which it shows itself."""

    user_id: str
    display_name: str | None = None
    other_names: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        """Every name this person goes by: display name first, then the others."""
        shown = (self.display_name,) if self.display_name else ()
        return shown + tuple(n for n in self.other_names if n and n != self.display_name)

    @property
    def localpart(self) -> str:
        """``pieter`` for ``@pieter:server``."""
        return self.user_id[1:].split(":", 1)[0]

    @property
    def label(self) -> str:
        """How to show the person in a list of candidates."""
        names = self.names
        return f"{names[0]} ({self.user_id})" if names else self.user_id


def _relation(content: Mapping[str, Any]) -> Mapping[str, Any]:
    relates = content.get("m.relates_to")
    return relates if isinstance(relates, Mapping) else {}


def _is_reply(relates: Mapping[str, Any]) -> bool:
    return isinstance(relates.get("m.in_reply_to"), Mapping)


def strip_reply_fallback(body: str) -> str:
    """``body`` without the legacy quote of the replied-to message (spec §11.19.2.1:
    lines starting with ``>`` then one empty line). Bodies without it are unchanged."""
    lines = body.split("\n")
    if not lines or not lines[0].startswith(">"):
        return body
    i = 0
    while i < len(lines) and lines[i].startswith(">"):
        i += 1
    if i < len(lines) and lines[i].strip() == "":
        i += 1
    return "\n".join(lines[i:])


def pills(formatted_body: str) -> list[tuple[str, str]]:
    """``(user id, shown text)`` of every user pill in ``formatted_body``, in order
    (links inside a reply quote excluded; room and event links ignored)."""
    found: list[tuple[str, str]] = []
    for match in _PILL.finditer(_MX_REPLY.sub("", formatted_body)):
        target = unquote(match.group(1))
        if not USER_ID.match(target):
            continue
        shown = html.unescape(_TAG.sub("", match.group(2))).strip()
        found.append((target, shown))
    return found


def replace_pills(body: str, found: Sequence[tuple[str, str]]) -> str:
    """``body`` with each pill's shown text (in order) replaced by its user id."""
    out: list[str] = []
    cursor = 0
    for user_id, shown in found:
        if not shown:
            continue
        at = body.find(shown, cursor)
        if at < 0:
            continue
        start = at
        if at > cursor and body[at - 1] == "@" and not shown.startswith("@"):
            start = at - 1  # "@Anouk Jansen" in the body (FluffyChat) is one mention too
        out.append(body[cursor:start])
        out.append(user_id)
        cursor = at + len(shown)
    out.append(body[cursor:])
    return "".join(out)


def _text_of(content: Mapping[str, Any], reply: bool) -> str:
    body = content.get("body")
    text = body if isinstance(body, str) else ""
    if reply:
        text = strip_reply_fallback(text)
    formatted = content.get("formatted_body")
    if content.get("format") == "org.matrix.custom.html" and isinstance(formatted, str):
        text = replace_pills(text, pills(formatted))
    return text


def message_text(content: Mapping[str, Any]) -> MessageText:
    """Read an ``m.room.message`` content as the bot should (see the module doc)."""
    relates = _relation(content)
    rel_type = relates.get("rel_type")
    target = relates.get("event_id")
    target = target if isinstance(target, str) else None
    if rel_type == "m.replace" and target is not None:
        new = content.get("m.new_content")
        new_content: Mapping[str, Any] = new if isinstance(new, Mapping) else {}
        if not new_content:
            # A client without m.new_content: the fallback body starts with "* ".
            fallback = str(content.get("body", ""))
            new_content = {"body": fallback[2:] if fallback.startswith("* ") else fallback}
        return MessageText(_text_of(new_content, reply=False), edit_of=target)
    thread_root = target if rel_type == "m.thread" else None
    return MessageText(_text_of(content, reply=_is_reply(relates)), thread_root=thread_root)


def _words(value: str) -> str:
    return " ".join(value.casefold().split())


def match_person(phrase: str, people: Sequence[Person]) -> list[Person]:
    """The members ``phrase`` names: a full name (Matrix display name or the registry's
    name) or localpart first; failing that, a name that starts with ``phrase`` as whole
    words (``Anouk`` for ``Anouk Bakker``). Case-insensitive; a leading ``@`` is ignored."""
    wanted = _words(phrase.removeprefix("@"))
    if not wanted:
        return []
    exact = [
        p
        for p in people
        if wanted == p.localpart.casefold() or any(wanted == _words(n) for n in p.names)
    ]
    if exact:
        return exact
    return [p for p in people if any(_words(n).startswith(wanted + " ") for n in p.names)]
