"""The Matrix adapter: login, the sync loop, decryption, invites and the outbound gateway.

Together with the modules it is built from, this package (``avz_bot.matrix``) is the only
code that talks to matrix-nio. ``MatrixAdapter`` turns sync responses into calls on an
``InboundPort`` and offers ``send`` as the single outbound ``Gateway``. It is composed of
one object per mechanism, each in its own module and each given what it uses in its
constructor:

- ``session`` (``MatrixSession``): the nio client, login (password once, then the stored
  token and device), the cross-signing identity, and the state the other parts share
  (``SyncHealth``, the crypto lock, the cross-signing checker); every part is given it;
- ``events`` (``TimelineEvents``): what each event becomes (invitations, commands,
  reactions, membership, undecryptable events parked and retried);
- ``sync`` (``SyncLoop``, given the ``TimelineEvents``): our own sync loop (the token is
  stored only after every event of a batch was handled: exactly once), backoff, waiting
  out the database, backfill of timeline gaps;
- ``sending`` (``MessageSender``): ``send``, encrypted attachments, the key policy,
  ``too_large`` and the classification of send errors;
- ``rooms`` (``RoomOperations``): creating rooms, invites, kicks, redactions.

Everything the rest of the bot imports from here keeps this module as its address.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from avz_bot.clock import Clock
from avz_bot.matrix.events import TimelineEvents
from avz_bot.matrix.identity import IdentityManager, IdentityStatus
from avz_bot.matrix.rooms import RoomOperations
from avz_bot.matrix.sending import (
    ENCRYPTION_OVERHEAD_BYTES,
    MAX_EVENT_BYTES,
    PERMANENT_ERRORS,
    MessageSender,
    _permanent,
    too_large,
)
from avz_bot.matrix.session import MatrixSession, StartupError, StoppedError, SyncHealth
from avz_bot.matrix.sync import MAX_BACKFILL_PAGES, SYNC_FILTER, SyncLoop
from avz_bot.metrics import BotMetrics
from avz_bot.ports import InboundPort
from avz_bot.settings import MatrixSettings, TrustSettings

__all__ = [
    "ENCRYPTION_OVERHEAD_BYTES",
    "MAX_BACKFILL_PAGES",
    "MAX_EVENT_BYTES",
    "PERMANENT_ERRORS",
    "SYNC_FILTER",
    "MatrixAdapter",
    "StartupError",
    "StoppedError",
    "SyncHealth",
    "_permanent",
    "too_large",
]


class MatrixAdapter:
    """One logged-in, encrypted bot device and its sync loop.

    Builds the parts and forwards to them. An async method is forwarded without an
    await of its own: the forwarding method returns the part's coroutine, which the
    caller awaits.
    """

    def __init__(
        self,
        settings: MatrixSettings,
        data_dir: Path,
        clock: Clock,
        metrics: BotMetrics,
        *,
        trust: TrustSettings | None = None,
        is_registered: Callable[[str], bool] = lambda _user: True,
        sleep: Callable[[float], Any] = asyncio.sleep,
        is_temporary: Callable[[BaseException], bool] = lambda _exc: False,
    ) -> None:
        session = MatrixSession(settings, data_dir, clock, metrics, trust=trust, sleep=sleep)
        self._session = session
        self._events = TimelineEvents(session, is_registered)
        self._sync = SyncLoop(session, self._events, is_temporary)
        self._sender = MessageSender(session, is_registered)
        self._rooms = RoomOperations(session)

    # ------------------------------------------------------------ session
    @property
    def device_id(self) -> str:
        """The bot's device id (only valid after ``connect``)."""
        return self._session.device_id

    @property
    def health(self) -> SyncHealth:
        """What the readiness check needs to know about the sync loop."""
        return self._session.health

    def connect(self, stop: asyncio.Event | None = None) -> Coroutine[Any, Any, None]:
        """Log in (``MatrixSession.connect``): password once, then the stored token."""
        return self._session.connect(stop)

    def identity_manager(self, key_path: Path, key_secret: str) -> IdentityManager:
        """The cross-signing manager for the logged-in bot device."""
        return self._session.identity_manager(key_path, key_secret)

    def ensure_identity(
        self, key_path: Path, key_secret: str
    ) -> Coroutine[Any, Any, IdentityStatus]:
        """Create the cross-signing identity if needed and make sure this device is signed."""
        return self._session.ensure_identity(key_path, key_secret)

    def close(self) -> Coroutine[Any, Any, None]:
        """Close the HTTP session and the encryption store."""
        return self._session.close()

    # --------------------------------------------------------------- sync
    def run(self, port: InboundPort, stop: asyncio.Event) -> Coroutine[Any, Any, None]:
        """Sync until ``stop`` is set, handing every event to ``port`` exactly once."""
        return self._sync.run(port, stop)

    # ------------------------------------------------------------ Gateway
    def send(self, room_id: str, content: dict[str, Any], txn_id: str) -> Coroutine[Any, Any, str]:
        """Send one message (``MessageSender.send``): the event id, or ``SendError``."""
        return self._sender.send(room_id, content, txn_id)

    # -------------------------------------------------------- RoomGateway
    def find_room(self, name: str) -> str | None:
        """A room the bot created with this name (``RoomOperations.find_room``)."""
        return self._rooms.find_room(name)

    def create_private_room(
        self,
        *,
        name: str | None,
        invite: list[str],
        federate: bool,
        power_levels: dict[str, Any],
        initial_state: list[dict[str, Any]],
        is_direct: bool = False,
    ) -> Coroutine[Any, Any, str]:
        """Create a room with exactly the given state (``RoomOperations``)."""
        return self._rooms.create_private_room(
            name=name,
            invite=invite,
            federate=federate,
            power_levels=power_levels,
            initial_state=initial_state,
            is_direct=is_direct,
        )

    def invite_user(self, room_id: str, user_id: str) -> Coroutine[Any, Any, None]:
        """Invite ``user_id`` (``RoomOperations.invite_user``)."""
        return self._rooms.invite_user(room_id, user_id)

    def kick_user(
        self, room_id: str, user_id: str, reason: str | None
    ) -> Coroutine[Any, Any, None]:
        """Remove ``user_id`` from the room (``RoomOperations.kick_user``)."""
        return self._rooms.kick_user(room_id, user_id, reason)

    def redact(self, room_id: str, event_id: str, reason: str | None) -> Coroutine[Any, Any, None]:
        """Redact an event (``RoomOperations.redact``)."""
        return self._rooms.redact(room_id, event_id, reason)
