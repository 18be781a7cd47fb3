"""Transport-neutral values that cross the boundary between Matrix and the core."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from avz_bot.domain.mentions import Person


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
class Reply:
    """A message for a room: a plain-text body and its safe HTML rendering."""

    plain: str
    html: str
    #: Users this message mentions (they get a notification: ``m.mentions``).
    mentions: tuple[str, ...] = ()

    def to_content(
        self, in_reply_to: str | None = None, thread_root: str | None = None
    ) -> dict[str, Any]:
        """The ``m.room.message`` content for this reply (``m.notice``: bots don't chat).

        ``in_reply_to`` marks it as the answer to that event (a Matrix rich reply), so
        clients show which command it answers; ``thread_root`` puts it in that thread
        (spec §11.10.2: a real reply inside the thread, so ``is_falling_back`` is false).
        """
        content: dict[str, Any] = {
            "msgtype": "m.notice",
            "body": self.plain,
            "format": "org.matrix.custom.html",
            "formatted_body": self.html,
        }
        if in_reply_to is not None:
            content["m.relates_to"] = {"m.in_reply_to": {"event_id": in_reply_to}}
        if thread_root is not None:
            content["m.relates_to"] = {
                "rel_type": "m.thread",
                "event_id": thread_root,
                "is_falling_back": in_reply_to is None,
                "m.in_reply_to": {"event_id": in_reply_to or thread_root},
            }
        # Always present: an empty list tells clients not to guess mentions from the text.
        content["m.mentions"] = {"user_ids": list(self.mentions)}
        return content
