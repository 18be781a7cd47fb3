"""Transport-neutral values that cross the boundary between Matrix and the core."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from avz_bot.domain.mentions import Person

#: Key in a queued message's content holding an attachment's bytes (base64). The gateway
#: uploads them encrypted and replaces the key with the ``file`` object before sending,
#: so the homeserver only ever stores ciphertext.
UPLOAD_KEY = "avz.upload"


@dataclass(frozen=True, slots=True)
class IncomingCommand:
    """A decrypted text message in a room the bot serves, possibly a command.

    ``sent_at`` is the homeserver's timestamp; ``received_at`` is when the bot got it
    from sync (both timezone-aware UTC). ``device_verified`` says whether the sending
    device is cross-signed by its owner, when known.
    """

    event_id: str
    room_id: str
    sender: str
    body: str
    sent_at: datetime
    received_at: datetime
    sender_device: str | None = None
    device_verified: bool | None = None
    late: bool = False
    #: Joined plus invited members of the room (2 in a direct chat with the bot).
    room_members: int | None = None
    #: The thread this command was sent in (its root event), if any: answers go there.
    thread_root: str | None = None
    #: Set when this event edits (``m.replace``) an earlier one: the original event id.
    edit_of: str | None = None
    #: The room's registered members, for resolving a person named without a pill.
    people: tuple[Person, ...] = ()

    @property
    def claim_id(self) -> str:
        """The id under which this event is handled exactly once. All edits of one
        command share one id, so the bot explains only once that edits are not re-run."""
        return f"{self.edit_of}#edit" if self.edit_of is not None else self.event_id


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file sent right after a reply's text (an ``.ics``, a CSV, a chart).

    In encrypted rooms Matrix clients expect encrypted media: the gateway encrypts the
    bytes (AES-CTR, as the client-server spec's "Sending encrypted attachments" says)
    before uploading, and sends the keys only inside the encrypted event.
    ``width``/``height`` are pixels, for images.
    """

    filename: str
    mimetype: str
    data: bytes
    msgtype: Literal["m.file", "m.image"] = "m.file"
    width: int | None = None
    height: int | None = None

    def to_content(self) -> dict[str, Any]:
        """The queued content: the message without its ``file`` yet, plus the bytes."""
        info: dict[str, Any] = {"mimetype": self.mimetype, "size": len(self.data)}
        if self.width is not None and self.height is not None:
            info["w"], info["h"] = self.width, self.height
        return {
            "msgtype": self.msgtype,
            "body": self.filename,
            "filename": self.filename,
            "info": info,
            "m.mentions": {"user_ids": []},
            UPLOAD_KEY: base64.b64encode(self.data).decode("ascii"),
        }


#: ``@room`` as clients match it (the push rule ``.m.rule.roomnotif`` looks for the text
#: "@room" in the body; Matrix client-server spec v1.13, "Push rules: predefined rules").
_ROOM_MENTION = re.compile(r"@(room)\b", re.IGNORECASE)
#: Placed between "@" and "room": invisible, and the body no longer says "@room".
WORD_JOINER = "\u2060"


def without_room_mention(said: str) -> str:
    """``said`` with every ``@room`` defused (a word joiner after the ``@``).

    The bot holds power 100 in case rooms; a description someone typed ("@room let op")
    and the bot repeats in ``!acties``, the agenda or the timeline would otherwise make
    clients that still read the body (not ``m.mentions``) notify the whole room. The bot
    itself never means to ping a room, so every message it sends is defused here."""
    return _ROOM_MENTION.sub(lambda m: f"@{WORD_JOINER}{m.group(1)}", said)


@dataclass(frozen=True, slots=True)
class Reply:
    """A message for a room: a plain-text body and its safe HTML rendering."""

    plain: str
    html: str
    #: Users this message mentions (they get a notification: ``m.mentions``).
    mentions: tuple[str, ...] = ()
    #: Files sent after the text, each as its own event.
    attachments: tuple[Attachment, ...] = ()

    #: Post it in the thread that starts at this event (``m.thread``), not the timeline.
    thread_root: str | None = None

    def contents(
        self, in_reply_to: str | None = None, thread_root: str | None = None
    ) -> list[dict[str, Any]]:
        """Every event this reply becomes: the text, then one per attachment."""
        return [
            self.to_content(in_reply_to, thread_root),
            *(a.to_content() for a in self.attachments),
        ]

    def to_content(
        self, in_reply_to: str | None = None, thread_root: str | None = None
    ) -> dict[str, Any]:
        """The ``m.room.message`` content for this reply (``m.notice``: bots don't chat).

        ``in_reply_to`` marks it as the answer to that event (a Matrix rich reply), so
        clients show which command it answers. With a thread root (the argument, else the
        reply's own ``thread_root``) the message goes into that thread (Matrix spec,
        "Threading"): ``rel_type: m.thread``; the reply fallback points at ``in_reply_to``
        (a real reply, ``is_falling_back`` false), or at the root (``is_falling_back``)
        when there is none.
        """
        content: dict[str, Any] = {
            "msgtype": "m.notice",
            "body": without_room_mention(self.plain),
            "format": "org.matrix.custom.html",
            "formatted_body": without_room_mention(self.html),
        }
        thread = thread_root or self.thread_root
        if thread is not None:
            content["m.relates_to"] = {
                "rel_type": "m.thread",
                "event_id": thread,
                "is_falling_back": in_reply_to is None,
                "m.in_reply_to": {"event_id": in_reply_to or thread},
            }
        elif in_reply_to is not None:
            content["m.relates_to"] = {"m.in_reply_to": {"event_id": in_reply_to}}
        # Always present: an empty list tells clients not to guess mentions from the text.
        content["m.mentions"] = {"user_ids": list(self.mentions)}
        return content


@dataclass(frozen=True, slots=True)
class IncomingReaction:
    """An ``m.reaction`` annotation (``key``, e.g. "👍") on the event ``relates_to``.

    Reactions are not encrypted, even in encrypted rooms: the homeserver sees who reacted
    with what to which event. Times are aware UTC.
    """

    event_id: str
    room_id: str
    sender: str
    relates_to: str
    key: str
    sent_at: datetime
    received_at: datetime
