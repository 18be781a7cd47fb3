"""What every part of a partner shares: its state, what it has seen, and bounded waiting.

Every wait goes through :meth:`PartnerBase._wait_until`: woken by the sync loop after
each sync, bounded by a timeout, and failing at once when the sync loop died or the
client was closed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from nio import AsyncClient, MatrixRoom, MegolmEvent

from avz_bot.testkit.partner.records import Invitation, PartnerError, ReceivedMessage, RoomLog

_T = TypeVar("_T")


class PartnerBase:
    """The state and the waiting of :class:`~avz_bot.testkit.partner.PartnerClient`."""

    def __init__(
        self,
        client: AsyncClient,
        store_dir: Path,
        *,
        auto_join: bool = True,
        sync_timeout_ms: int = 3_000,
    ) -> None:
        """Wrap a logged-in ``client``; use ``PartnerClient.create`` instead of this."""
        self._client = client
        self._store_dir = store_dir
        self._auto_join = auto_join
        self._sync_timeout_ms = sync_timeout_ms
        self._rooms: dict[str, RoomLog] = {}
        self._invitations: list[Invitation] = []
        self._undecrypted: dict[str, MegolmEvent] = {}
        self._requested_sessions: set[str] = set()
        self._changed = asyncio.Condition()
        self._crypto_lock = asyncio.Lock()
        self._sync_task: asyncio.Task[None] | None = None
        self._sync_failure: BaseException | None = None
        self._synced_once = asyncio.Event()
        self._closed = False
        #: The account's password (kept for user-interactive auth, e.g. cross-signing).
        self.password: str | None = None

    # ------------------------------------------------------------------ properties
    @property
    def user_id(self) -> str:
        """This partner's Matrix user id."""
        return str(self._client.user_id)

    @property
    def device_id(self) -> str:
        """This partner's device id."""
        return str(self._client.device_id)

    @property
    def store_dir(self) -> Path:
        """Where the encryption store, pickle key and access token are kept."""
        return self._store_dir

    @property
    def client(self) -> AsyncClient:
        """The underlying nio client, for what this class does not offer."""
        return self._client

    @property
    def invitations(self) -> list[Invitation]:
        """Every invitation received so far, oldest first."""
        return list(self._invitations)

    def messages(self, room_id: str) -> list[ReceivedMessage]:
        """The text messages received in ``room_id`` so far, in timeline order."""
        room = self._rooms.get(room_id)
        return [message for _, message in room.messages] if room else []

    def undecryptable_count(self, room_id: str | None = None) -> int:
        """How many received encrypted events could not be decrypted (yet)."""
        return sum(
            1 for ev in self._undecrypted.values() if room_id is None or ev.room_id == room_id
        )

    def _joined_room(self, room_id: str, *, encrypted: bool | None = None) -> MatrixRoom | None:
        room = self._client.rooms.get(room_id)
        if room is None or self.user_id not in room.users or room.users[self.user_id].invited:
            return None
        if encrypted is not None and bool(room.encrypted) != encrypted:
            return None
        return room

    # ------------------------------------------------------------------ waiting
    async def _wait_until(
        self, check: Callable[[], _T | None], *, timeout: float = 30, what: str = ""
    ) -> _T:
        """Wait (bounded) until ``check()`` returns something truthy; return it."""

        def ready() -> _T | None:
            if self._sync_failure is not None:
                raise PartnerError(f"{self.user_id}: sync loop failed") from self._sync_failure
            if self._closed:
                raise PartnerError(f"{self.user_id}: client is closed")
            return check()

        try:
            async with asyncio.timeout(timeout), self._changed:
                while True:
                    result = ready()
                    if result:
                        return result
                    await self._changed.wait()
        except TimeoutError:
            if what:
                raise TimeoutError(f"{self.user_id}: timed out waiting for {what}") from None
            raise

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()
