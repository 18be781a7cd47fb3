"""The seams between the Matrix adapter and the core (protocols only, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from avz_bot.domain.inbound import IncomingCommand, IncomingReaction


@dataclass(frozen=True, slots=True)
class EncryptedEventRef:
    """An encrypted event the bot could not decrypt yet (ciphertext only)."""

    event_id: str
    room_id: str
    sender: str
    session_id: str
    sender_key: str
    source: dict[str, Any]
    sent_at: datetime


class SendError(Exception):
    """A message could not be sent; ``permanent`` when retrying cannot help.

    ``reason`` is a Matrix error code (``M_TOO_LARGE``) or a short word, never content.
    ``retry_after`` (seconds) is the homeserver's own wait for a rate limit (429).
    """

    def __init__(self, reason: str, *, permanent: bool, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.retry_after = retry_after


class Gateway(Protocol):
    """The single way out: sends one message, idempotent per transaction id."""

    async def send(self, room_id: str, content: dict[str, Any], txn_id: str) -> str:
        """Send ``content`` to ``room_id``; returns the event id. Raises ``SendError``."""
        ...


class RoomGateway(Protocol):
    """Room management on the homeserver (only the adapter implements it)."""

    def find_room(self, name: str) -> str | None:
        """A room the bot created with this name, if it is in one."""
        ...

    async def create_private_room(
        self,
        *,
        name: str | None,
        invite: list[str],
        federate: bool,
        power_levels: dict[str, Any],
        initial_state: list[dict[str, Any]],
        is_direct: bool = False,
    ) -> str:
        """Create a room (``name`` None: unnamed, ``is_direct``: a direct chat for the
        invitee); returns its id. Raises ``SendError``."""
        ...

    async def invite_user(self, room_id: str, user_id: str) -> None:
        """Invite a user. Raises ``SendError``."""
        ...

    async def kick_user(self, room_id: str, user_id: str, reason: str | None) -> None:
        """Remove a user. Raises ``SendError``."""
        ...

    async def redact(self, room_id: str, event_id: str, reason: str | None) -> None:
        """Redact an event. Raises ``SendError`` when a retry may help."""
        ...


class InboundPort(Protocol):
    """What the Matrix adapter reports to the core, and the state it keeps there."""

    async def load_sync_token(self) -> str | None:
        """The sync token after the last fully processed batch."""
        ...

    async def save_sync_token(self, token: str) -> None:
        """Remember ``token``: everything before it has been processed."""
        ...

    async def may_invite(self, inviter: str) -> bool:
        """Whether an invitation from ``inviter`` is accepted."""
        ...

    async def joined(self, room_id: str, joined_at: datetime, encrypted: bool | None) -> None:
        """The bot is (or was found to be) in ``room_id`` since ``joined_at``."""
        ...

    async def left(self, room_id: str) -> None:
        """The bot left or was removed from ``room_id``."""
        ...

    async def member_changed(
        self, room_id: str, user_id: str, membership: str, event_id: str, at: datetime
    ) -> None:
        """Someone else's membership of ``room_id`` changed (join, leave, ban, invite)."""
        ...

    def is_command(self, body: str) -> bool:
        """Whether a message body is addressed to the bot (cheap; no I/O)."""
        ...

    async def message(self, incoming: IncomingCommand) -> None:
        """A decrypted text message in an encrypted room (maybe a command)."""
        ...

    def may_hold_identifier(self, body: str) -> bool:
        """Whether a message that is no command contains a BSN-valid number (cheap)."""
        ...

    async def screen(self, incoming: IncomingCommand) -> bool:
        """The BSN guard for a message with a BSN-valid number; True when handled."""
        ...

    async def message_in_unencrypted_room(self, incoming: IncomingCommand) -> None:
        """A text message in a room that is not end-to-end encrypted."""
        ...

    async def reaction(self, incoming: IncomingReaction) -> None:
        """An ``m.reaction`` by someone else (handled only if it targets a bot message)."""
        ...

    async def undecryptable(self, ref: EncryptedEventRef) -> None:
        """An event that could not be decrypted on arrival."""
        ...

    async def pending_undecryptable(self) -> list[EncryptedEventRef]:
        """Events still waiting for their key (not yet explained)."""
        ...

    async def decrypted_late(self, event_id: str) -> None:
        """A pending event was decrypted after its key arrived."""
        ...

    async def after_sync(self) -> None:
        """Housekeeping after each processed batch (send the outbox, explain late keys)."""
        ...
