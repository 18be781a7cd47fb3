"""The sync loop: one batch at a time, its token stored only after every event was handled.

Part of ``MatrixAdapter`` (``avz_bot.matrix.adapter``), given its ``MatrixSession``, the
event routing (``TimelineEvents``) and the database check. Why the loop is our own and not
``nio.AsyncClient.sync_forever``: nio stores the sync token before callbacks have run, so
a crash mid-command would lose the command. Here the token is handed to the core
(``save_sync_token``) only after every event of the batch has been processed, and the
core keeps a durable record of handled event ids, so a replayed batch is harmless.

Also here: backoff (and health) when the homeserver fails, holding a batch back while
the database is unavailable, filling a timeline gap after downtime (``/messages``) and
the key maintenance nio needs after each sync.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import aiohttp
from nio import (
    AsyncClient,
    InviteMemberEvent,
    LocalProtocolError,
    MessageDirection,
    RoomMessagesResponse,
    SyncError,
    SyncResponse,
    UploadFilterResponse,
)

from avz_bot.logs import get_logger
from avz_bot.matrix.events import TimelineEvents
from avz_bot.matrix.session import MatrixSession
from avz_bot.ports import InboundPort

log = get_logger(__name__)

#: A generous timeline window so that a bot that was down for a while still sees the
#: commands sent meanwhile in one sync.
SYNC_FILTER: dict[str, Any] = {
    "room": {
        "timeline": {"limit": 200},
        "state": {"lazy_load_members": False},
    },
    "presence": {"types": []},
}

#: Pages of 100 events fetched to fill a timeline gap after downtime (a bound, not a goal).
MAX_BACKFILL_PAGES = 50


class _Stopped(Exception):
    """``stop`` was set while the sync loop waited for the database."""


_T = TypeVar("_T")


class SyncLoop:
    """Syncs until stopped, handing every event to the ``InboundPort`` exactly once."""

    def __init__(
        self,
        session: MatrixSession,
        events: TimelineEvents,
        is_temporary: Callable[[BaseException], bool],
    ) -> None:
        self._session = session
        self._events = events
        self._is_temporary = is_temporary
        self._settings = session.settings
        self._clock = session.clock
        self._metrics = session.metrics
        self._crypto_lock = session.crypto_lock
        self._health = session.health
        self._synced_ok = session.metrics.syncs.labels("ok")  # looked up once, not per sync

    async def run(self, port: InboundPort, stop: asyncio.Event) -> None:
        """Sync until ``stop`` is set, handing every event to ``port`` exactly once."""
        client = self._session.client
        self._session.sync_task = asyncio.current_task()
        self._health.running = True
        try:
            token = await self._until_available(port.load_sync_token, stop)
        except _Stopped:
            self._health.running = False
            return
        first = True
        delay = 1.0
        sync_filter = await self._upload_filter(client)
        stop_task = asyncio.ensure_future(stop.wait())  # one for every sync (not one each)
        try:
            while not stop.is_set():
                sync_task = self._start_sync(client, token, first, sync_filter)
                done, _ = await asyncio.wait(
                    {sync_task, stop_task}, return_when=asyncio.FIRST_COMPLETED
                )
                if sync_task not in done:
                    sync_task.cancel()
                    await asyncio.gather(sync_task, return_exceptions=True)
                    break
                try:
                    response = sync_task.result()
                except (aiohttp.ClientError, TimeoutError, OSError) as exc:
                    delay = await self._sync_failed(type(exc).__name__, delay, stop)
                    continue
                if isinstance(response, SyncError):
                    if response.status_code == "M_UNKNOWN_TOKEN":
                        # Password: log in again; a configured token: not ready until
                        # the operator puts a new one in the file (no crash loop).
                        await self._session.token_rejected(stop)
                        continue
                    if response.status_code == "M_LIMIT_EXCEEDED" and response.retry_after_ms:
                        self._metrics.syncs.labels("rate_limited").inc()
                        await self._sleep_or_stop(response.retry_after_ms / 1000, stop)
                        continue
                    delay = await self._sync_failed(response.status_code or "error", delay, stop)
                    continue
                assert isinstance(response, SyncResponse)
                self._received(response)
                if not await self._handle_batch(response, port, token, stop):
                    break  # stopped while the database was away: the batch is replayed
                token = response.next_batch
                first = False
                delay = 1.0
                self._batch_done()
                try:
                    await port.after_sync()
                except Exception as exc:
                    if not self._is_temporary(exc):
                        raise
                    # Sending waits: the outbox is flushed after the next batch.
                    self._database_waiting(exc)
        finally:
            stop_task.cancel()
            self._health.running = False
            self._session.sync_task = None

    async def standby(self, stop: asyncio.Event) -> None:
        """Sync as the warm standby until ``stop``: keys only, no events handled.

        The device receives the room keys partners share with it (to-device messages,
        which nio decrypts and stores) and keeps its one-time keys uploaded, so that it
        can read what arrives after it takes over. Its sync position lives in memory
        only: the stored one belongs to the active process, and the takeover continues
        from there (``run``).
        """
        client = self._session.client
        self._session.sync_task = asyncio.current_task()
        token: str | None = None
        delay = 1.0
        sync_filter = await self._upload_filter(client)
        try:
            while not stop.is_set():
                sync_task = self._start_sync(client, token, token is None, sync_filter)
                stop_task = asyncio.ensure_future(stop.wait())
                done, _ = await asyncio.wait(
                    {sync_task, stop_task}, return_when=asyncio.FIRST_COMPLETED
                )
                stop_task.cancel()
                if sync_task not in done:
                    sync_task.cancel()
                    await asyncio.gather(sync_task, return_exceptions=True)
                    return
                try:
                    response = sync_task.result()
                except (aiohttp.ClientError, TimeoutError, OSError) as exc:
                    delay = await self._sync_failed(type(exc).__name__, delay, stop)
                    continue
                if not isinstance(response, SyncResponse):
                    delay = await self._sync_failed(response.status_code or "error", delay, stop)
                    continue
                self._received(response)
                token, delay = response.next_batch, 1.0
                self._batch_done()
                await self._crypto_housekeeping()
        finally:
            self._session.sync_task = None

    async def _upload_filter(self, client: AsyncClient) -> str | dict[str, Any]:
        """``SYNC_FILTER`` stored on the homeserver once, as its filter id.

        Every ``/sync`` names its filter: inline that is the filter as JSON, encoded into
        each request's URL (and parsed by the homeserver each time) — CPU per sync, so
        per command (README, "Benchmark"). If the upload fails the filter is sent inline,
        as before; it means the same either way.
        """
        try:
            response = await client.upload_filter(
                presence=SYNC_FILTER["presence"], room=SYNC_FILTER["room"]
            )
        except (aiohttp.ClientError, TimeoutError, LocalProtocolError) as exc:
            log.warning("sync filter not uploaded", extra={"error_type": type(exc).__name__})
            return SYNC_FILTER
        if not isinstance(response, UploadFilterResponse):
            log.warning(
                "sync filter not uploaded",
                extra={"errcode": getattr(response, "status_code", None)},
            )
            return SYNC_FILTER
        return str(response.filter_id)

    def _start_sync(
        self,
        client: AsyncClient,
        token: str | None,
        first: bool,
        sync_filter: str | dict[str, Any],
    ) -> asyncio.Future[Any]:
        """The next ``/sync`` as a running task (``run`` races it against the stop)."""
        task: asyncio.Future[Any] = asyncio.ensure_future(
            client.sync(
                timeout=0 if first else self._settings.sync_timeout_ms,
                sync_filter=sync_filter,
                since=token,
                # After a restart nio knows no rooms: rebuild its room state.
                full_state=True if first else None,
            )
        )
        return task

    def _received(self, response: SyncResponse) -> None:
        """A sync response arrived: progress, and changed devices' verdicts forgotten."""
        self._session.note_progress()
        checker = self._session.checker
        if checker is not None:
            for user_id in response.device_list.changed:
                checker.forget(user_id)

    def _batch_done(self) -> None:
        """Health and metrics after a batch was handled and its token stored."""
        now = self._clock.now()
        self._health.last_success = now
        self._health.consecutive_failures = 0
        self._synced_ok.inc()
        self._metrics.last_sync_success.set(now.timestamp())
        self._metrics.sync_failures_in_row.set(0)

    async def _handle_batch(
        self, response: SyncResponse, port: InboundPort, since: str | None, stop: asyncio.Event
    ) -> bool:
        """Hand one sync batch to ``port`` and store its token; False if stopped first.

        While the database is unavailable (``is_temporary``) the same batch is handled
        again after a bounded, growing pause; the sync position is not advanced, and
        the events handled before the failure are skipped by their durable record
        (exactly once). Other errors propagate.
        """

        async def handle() -> None:
            await self._process(response, port, since=since)
            await self._crypto_housekeeping()
            await self._events.retry_undecryptable(port)
            await port.save_sync_token(response.next_batch)

        try:
            await self._until_available(handle, stop)
        except _Stopped:
            return False
        return True

    async def _until_available(self, work: Callable[[], Awaitable[_T]], stop: asyncio.Event) -> _T:
        """``work()``, repeated with bounded backoff while the database is unavailable.

        Raises ``_Stopped`` if ``stop`` is set while waiting.
        """
        delay = 1.0
        while True:
            try:
                result = await work()
            except Exception as exc:
                if not self._is_temporary(exc):
                    raise
                self._database_waiting(exc)
                self._metrics.database_unavailable.labels("sync").inc()
                wait = delay * (0.75 + random.random() / 2)
                log.warning(
                    "database unavailable; batch held back",
                    extra={"error_type": type(exc).__name__, "retry_in": round(wait, 1)},
                )
                await self._sleep_or_stop(wait, stop)
                if stop.is_set():
                    raise _Stopped from None
                delay = min(delay * 2, self._settings.max_backoff_seconds)
                continue
            if self._health.waiting_for is not None:
                log.info("database available again")
            self._health.waiting_for = None
            return result

    def _database_waiting(self, exc: BaseException) -> None:
        self._health.waiting_for = f"database unavailable ({type(exc).__name__})"

    async def _sleep_or_stop(self, seconds: float, stop: asyncio.Event) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=seconds)

    async def _sync_failed(self, reason: str, delay: float, stop: asyncio.Event) -> float:
        self._health.consecutive_failures += 1
        self._metrics.syncs.labels("error").inc()
        self._metrics.sync_failures_in_row.set(self._health.consecutive_failures)
        # Jitter avoids a herd of bots reconnecting in lock-step after an outage.
        wait = delay * (0.75 + random.random() / 2)
        log.warning("sync failed", extra={"reason": reason, "retry_in": round(wait, 1)})
        await self._sleep_or_stop(wait, stop)
        return min(delay * 2, self._settings.max_backoff_seconds)

    async def _crypto_housekeeping(self) -> None:
        async with self._crypto_lock:
            await self._crypto_housekeeping_locked()

    async def _crypto_housekeeping_locked(self) -> None:
        client = self._session.client
        try:
            if client.should_upload_keys:
                await client.keys_upload()
            if client.should_query_keys:
                await client.keys_query()
            if client.should_claim_keys:
                await client.keys_claim(client.get_users_for_key_claiming())
            await client.send_to_device_messages()
        except (aiohttp.ClientError, TimeoutError, LocalProtocolError) as exc:
            log.warning("key maintenance failed", extra={"error_type": type(exc).__name__})

    async def _backfill(self, room_id: str, prev_batch: str, since: str) -> list[Any]:
        """The events of a ``limited`` timeline's gap, oldest first.

        When more happened in a room than one sync returns (the bot was down for a busy
        while), the events between the last processed sync token and the timeline's
        start are fetched with ``/messages`` so that no command in the gap is lost.
        """
        client = self._session.client
        events: list[Any] = []
        token = prev_batch
        for _ in range(MAX_BACKFILL_PAGES):
            response = await client.room_messages(
                room_id, start=token, end=since, direction=MessageDirection.back, limit=100
            )
            if not isinstance(response, RoomMessagesResponse):
                log.warning(
                    "timeline gap could not be filled",
                    extra={"room_id": room_id, "errcode": getattr(response, "status_code", None)},
                )
                break
            events.extend(response.chunk)
            if not response.chunk or not response.end or response.end == token:
                break
            token = response.end
        else:
            log.warning("timeline gap larger than the backfill bound", extra={"room_id": room_id})
        log.info("timeline gap filled", extra={"room_id": room_id, "events": len(events)})
        return list(reversed(events))

    async def _process(
        self, response: SyncResponse, port: InboundPort, since: str | None = None
    ) -> None:
        client = self._session.client
        own = client.user_id
        for room_id, invite in response.rooms.invite.items():
            inviter = next(
                (
                    ev.sender
                    for ev in invite.invite_state
                    if isinstance(ev, InviteMemberEvent)
                    and ev.state_key == own
                    and ev.membership == "invite"
                ),
                None,
            )
            await self._events.handle_invite(room_id, inviter, port)
        for room_id in response.rooms.leave:
            await port.left(room_id)
        for room_id, joined in response.rooms.join.items():
            room = client.rooms.get(room_id)
            encrypted = bool(room and room.encrypted)
            events = list(joined.timeline.events)
            timeline = joined.timeline
            if timeline.limited and since is not None and timeline.prev_batch:
                events = await self._backfill(room_id, timeline.prev_batch, since) + events
            for event in events:
                await self._events.handle_timeline_event(room_id, encrypted, event, port)
                self._session.note_progress()
