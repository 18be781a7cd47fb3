"""What a partner records and raises: received messages, invitations, its error."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class PartnerError(RuntimeError):
    """The homeserver refused an operation of a ``PartnerClient``, or its sync loop died."""


@dataclass(frozen=True)
class ReceivedMessage:
    """One ``m.room.message`` with a text body, as this partner received it."""

    event_id: str
    room_id: str
    sender: str
    body: str
    formatted_body: str | None
    origin_server_ts: int
    encrypted: bool
    """True if the event arrived encrypted and was decrypted (False: sent in plaintext)."""
    msgtype: str = "m.text"
    """``m.text``, ``m.notice`` or ``m.emote``."""
    in_reply_to: str | None = None
    """The event this message answers (Matrix rich reply), if any."""
    content: dict[str, Any] | None = None
    """For ``m.file``/``m.image``: the decrypted event content (with its ``file`` object)."""
    thread_root: str | None = None
    """The root of the thread the message is in (``rel_type: m.thread``), if any."""


@dataclass(frozen=True)
class Invitation:
    """An invitation this partner received (``inviter`` is None if Synapse did not say)."""

    room_id: str
    inviter: str | None


@dataclass
class RoomLog:
    """The order in which timeline events arrived in one room, and its text messages."""

    positions: dict[str, int] = field(default_factory=dict)
    messages: list[tuple[int, ReceivedMessage]] = field(default_factory=list)

    def position(self, event_id: str) -> int:
        """The event's position in arrival order, assigned on first sight."""
        if event_id not in self.positions:
            self.positions[event_id] = len(self.positions)
        return self.positions[event_id]

    def add(self, position: int, message: ReceivedMessage) -> None:
        """Record a message at its timeline position (late decryptions keep theirs)."""
        if any(m.event_id == message.event_id for _, m in self.messages):
            return
        self.messages.append((position, message))
        self.messages.sort(key=lambda item: item[0])
