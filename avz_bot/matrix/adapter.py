"""The Matrix adapter: login, the sync loop, decryption, invites and the outbound gateway.

This is the only module that talks to matrix-nio. It turns sync responses into calls
on an ``InboundPort`` and offers ``send`` as the single outbound ``Gateway``.

Why the sync loop is our own and not ``nio.AsyncClient.sync_forever``: nio stores the
sync token before callbacks have run, so a crash mid-command would lose the command.
Here the token is handed to the core (``save_sync_token``) only after every event of
the batch has been processed, and the core keeps a durable record of handled event
ids, so a replayed batch is harmless.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import io
import json
import os
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
from nio import (
    AsyncClient,
    AsyncClientConfig,
    EncryptionError,
    ErrorResponse,
    InviteMemberEvent,
    JoinError,
    LocalProtocolError,
    LoginResponse,
    MegolmEvent,
    MessageDirection,
    ReactionEvent,
    RoomCreateError,
    RoomCreateResponse,
    RoomEncryptionEvent,
    RoomInviteError,
    RoomKickError,
    RoomMemberEvent,
    RoomMessagesResponse,
    RoomMessageText,
    RoomRedactError,
    RoomSendResponse,
    RoomVisibility,
    SendRetryError,
    SyncError,
    SyncResponse,
    UploadResponse,
    WhoamiResponse,
)

from avz_bot.clock import Clock
from avz_bot.domain.inbound import UPLOAD_KEY, IncomingCommand, IncomingReaction
from avz_bot.domain.mentions import MessageText, Person, message_text
from avz_bot.logs import get_logger
from avz_bot.matrix.identity import IdentityError, IdentityManager, IdentityStatus
from avz_bot.matrix.trust import CrossSigningChecker
from avz_bot.metrics import BotMetrics
from avz_bot.ports import EncryptedEventRef, InboundPort, SendError
from avz_bot.settings import MatrixSettings, TrustSettings

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


class StartupError(Exception):
    """The bot cannot log in or load its encryption store; the message says why."""


class _Stopped(Exception):
    """``stop`` was set while the sync loop waited for the database."""


_T = TypeVar("_T")


def _request_kind(path: str) -> str:
    """A low-cardinality label for a client-server API path (no ids in metrics)."""
    if "/sync" in path:
        return "sync"
    if "/send/" in path:
        return "send"
    if "/messages" in path:
        return "messages"
    if "/keys/" in path or "/sendToDevice/" in path:
        return "keys"
    return "other"


@dataclass
class SyncHealth:
    """What the readiness check needs to know about the sync loop."""

    last_success: datetime | None = None
    consecutive_failures: int = 0
    running: bool = False
    #: Last sign of life of the sync loop: a sync response, an event handled, a backfill
    #: page, or a homeserver answer (including a rate limit) to a request made by the
    #: loop. A long catch-up keeps this fresh although its batch takes minutes.
    last_progress: datetime | None = None
    #: Why the loop is waiting (e.g. ``"database unavailable (OperationalError)"``), or
    #: ``None``; set while a batch is held back because the database is away.
    waiting_for: str | None = None


def _ts(millis: int | None) -> datetime:
    return datetime.fromtimestamp((millis or 0) / 1000, tz=UTC)


def _said(event: RoomMessageText) -> MessageText:
    """The command text of a message as clients send it (pills, replies, edits)."""
    content = event.source.get("content")
    return message_text(content if isinstance(content, dict) else {"body": event.body})


class MatrixAdapter:
    """One logged-in, encrypted bot device and its sync loop."""

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
        self._settings = settings
        self._trust = trust or TrustSettings()
        self._is_registered = is_registered
        self._checker: CrossSigningChecker | None = None
        self._store_dir = data_dir / "crypto"
        self._credentials_path = data_dir / "credentials.json"
        self._clock = clock
        self._metrics = metrics
        self._sleep = sleep
        self._is_temporary = is_temporary
        self._sync_task: asyncio.Task[Any] | None = None
        self._client: AsyncClient | None = None
        # Key maintenance and sending share one lock: a send must see the device list
        # that the last key query produced, and nio's key requests must not interleave.
        self._crypto_lock = asyncio.Lock()
        self.health = SyncHealth()

    # ------------------------------------------------------------------ login
    @property
    def client(self) -> AsyncClient:
        """The nio client (only valid after ``connect``)."""
        if self._client is None:
            raise RuntimeError("MatrixAdapter.connect() has not been called")
        return self._client

    @property
    def device_id(self) -> str:
        """The bot's device id."""
        return str(self.client.device_id)

    def _new_client(self, device_id: str | None) -> AsyncClient:
        assert self._settings.pickle_key is not None  # enforced by settings validation
        config = AsyncClientConfig(
            encryption_enabled=True,
            store_sync_tokens=False,
            pickle_key=self._settings.pickle_key.get_secret_value(),
            # Bounded retries inside nio: our own loop owns backoff and health reporting.
            max_limit_exceeded=3,
            max_timeouts=1,
            request_timeout=self._settings.sync_timeout_ms / 1000 + 30,
        )
        self._store_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self._store_dir, 0o700)
        client = AsyncClient(
            self._settings.homeserver,
            self._settings.user_id,
            device_id=device_id or "",
            store_path=str(self._store_dir),
            config=config,
        )
        self._observe_responses(client)
        return client

    def _observe_responses(self, client: AsyncClient) -> None:
        """Count every 429 and note the sync loop's progress, per HTTP response.

        nio retries rate-limited requests by itself (``max_limit_exceeded``) and never
        shows us those 429s, so the metric is taken at nio's one transport method
        (``AsyncClient.send``), which every request attempt goes through.
        """
        transport = client.send

        async def observed(*args: Any, **kwargs: Any) -> Any:
            response = await transport(*args, **kwargs)
            path = str(args[1] if len(args) > 1 else kwargs.get("path", ""))
            if response.status == 429:
                self._metrics.rate_limited.labels(_request_kind(path)).inc()
            if self._sync_task is not None and asyncio.current_task() is self._sync_task:
                self.note_progress()
            return response

        setattr(client, "send", observed)  # noqa: B010 - an instance override of a method

    def note_progress(self) -> None:
        """Record that the sync loop is alive and working (see ``SyncHealth``)."""
        self.health.last_progress = self._clock.now()

    def _load_credentials(self) -> dict[str, str] | None:
        try:
            data = json.loads(self._credentials_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise StartupError(f"cannot read {self._credentials_path}: {exc}") from None
        if (
            data.get("user_id") != self._settings.user_id
            or data.get("homeserver") != self._settings.homeserver
        ):
            raise StartupError(
                f"{self._credentials_path} belongs to another account or homeserver; "
                "move the data directory aside to start fresh"
            )
        return {k: str(v) for k, v in data.items()}

    def _save_credentials(self, device_id: str, access_token: str) -> None:
        payload = {
            "homeserver": self._settings.homeserver,
            "user_id": self._settings.user_id,
            "device_id": device_id,
            "access_token": access_token,
        }
        tmp = self._credentials_path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(payload, handle)
        os.replace(tmp, self._credentials_path)

    async def connect(self, stop: asyncio.Event | None = None) -> None:
        """Log in once with the password, afterwards reuse the stored token and device.

        Waits (with bounded backoff) while the homeserver is unreachable; fails at once
        on an authentication error.
        """
        delay = 1.0
        while True:
            try:
                await self._connect_once()
                self._checker = CrossSigningChecker(
                    self._settings.homeserver,
                    lambda: str(self.client.access_token),
                    self._clock,
                    timedelta(seconds=self._trust.device_cache_seconds),
                )
                return
            except (aiohttp.ClientError, TimeoutError, OSError) as exc:
                if stop is not None and stop.is_set():
                    raise StartupError("stopped while waiting for the homeserver") from None
                log.warning(
                    "homeserver unreachable, retrying",
                    extra={"error_type": type(exc).__name__, "retry_in": delay},
                )
                await self._close_client()
                await self._sleep(delay)
                delay = min(delay * 2, self._settings.max_backoff_seconds)

    async def _connect_once(self) -> None:
        creds = self._load_credentials()
        if creds is not None:
            client = self._new_client(creds["device_id"])
            self._client = client
            client.restore_login(creds["user_id"], creds["device_id"], creds["access_token"])
            who = await client.whoami()
            if isinstance(who, WhoamiResponse):
                log.info("restored session", extra={"device_id": creds["device_id"]})
                await self._upload_keys_if_needed()
                return
            if who.status_code not in {"M_UNKNOWN_TOKEN", "M_FORBIDDEN"}:
                raise aiohttp.ClientError(f"whoami failed: {who.status_code}")
            # The token was revoked: log in again, keeping the same device (and its keys).
            log.warning("stored access token rejected; logging in again")
            await self._password_login(client, creds["device_id"])
            return
        client = self._new_client(None)
        self._client = client
        await self._password_login(client, None)

    async def _password_login(self, client: AsyncClient, device_id: str | None) -> None:
        if self._settings.password is None:
            raise StartupError(
                "matrix.password is required for the first login "
                "(set AVZ_MATRIX__PASSWORD or matrix.password_file)"
            )
        if device_id:
            client.device_id = device_id
        response = await client.login(
            self._settings.password.get_secret_value(), device_name=self._settings.device_name
        )
        if not isinstance(response, LoginResponse):
            code = getattr(response, "status_code", None) or "unknown"
            if code in {"M_FORBIDDEN", "M_USER_DEACTIVATED", "M_INVALID_USERNAME"}:
                raise StartupError(
                    f"login as {self._settings.user_id} refused by homeserver: {code}"
                )
            raise aiohttp.ClientError(f"login failed: {code}")
        self._save_credentials(response.device_id, response.access_token)
        log.info("logged in", extra={"device_id": response.device_id})
        await self._upload_keys_if_needed()

    async def _upload_keys_if_needed(self) -> None:
        client = self.client
        if client.should_upload_keys:
            response = await client.keys_upload()
            if isinstance(response, ErrorResponse):
                raise aiohttp.ClientError(f"key upload failed: {response.status_code}")

    def identity_manager(self, key_path: Path, key_secret: str) -> IdentityManager:
        """The cross-signing manager for the logged-in bot device."""
        client = self.client
        password = self._settings.password
        return IdentityManager(
            homeserver=self._settings.homeserver,
            user_id=self._settings.user_id,
            device_id=str(client.device_id),
            access_token=str(client.access_token),
            password=password.get_secret_value() if password is not None else None,
            key_path=key_path,
            key_secret=key_secret,
        )

    async def ensure_identity(self, key_path: Path, key_secret: str) -> IdentityStatus:
        """Create the cross-signing identity if needed and make sure this device is signed."""
        manager = self.identity_manager(key_path, key_secret)
        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as http:
                status = await manager.ensure(http)
        except IdentityError as exc:
            raise StartupError(str(exc)) from None
        log.info(
            "identity ready",
            extra={
                "master_key": status.master_public,
                "created": status.created,
                "device_signed_now": status.device_signed_now,
            },
        )
        return status

    async def _close_client(self) -> None:
        if self._client is not None:
            await self._client.close()

    async def close(self) -> None:
        """Close the HTTP session and the encryption store."""
        await self._close_client()

    # ------------------------------------------------------------ sync loop
    async def run(self, port: InboundPort, stop: asyncio.Event) -> None:
        """Sync until ``stop`` is set, handing every event to ``port`` exactly once."""
        client = self.client
        self._sync_task = asyncio.current_task()
        self.health.running = True
        try:
            token = await self._until_available(port.load_sync_token, stop)
        except _Stopped:
            self.health.running = False
            return
        first = True
        delay = 1.0
        try:
            while not stop.is_set():
                sync_task = asyncio.ensure_future(
                    client.sync(
                        timeout=0 if first else self._settings.sync_timeout_ms,
                        sync_filter=SYNC_FILTER,
                        since=token,
                        # After a restart nio knows no rooms: rebuild its room state.
                        full_state=True if first else None,
                    )
                )
                stop_task = asyncio.ensure_future(stop.wait())
                done, _ = await asyncio.wait(
                    {sync_task, stop_task}, return_when=asyncio.FIRST_COMPLETED
                )
                if sync_task not in done:
                    sync_task.cancel()
                    await asyncio.gather(sync_task, return_exceptions=True)
                    break
                stop_task.cancel()
                try:
                    response = sync_task.result()
                except (aiohttp.ClientError, TimeoutError, OSError) as exc:
                    delay = await self._sync_failed(type(exc).__name__, delay, stop)
                    continue
                if isinstance(response, SyncError):
                    if response.status_code == "M_UNKNOWN_TOKEN":
                        raise StartupError("access token no longer valid (M_UNKNOWN_TOKEN)")
                    if response.status_code == "M_LIMIT_EXCEEDED" and response.retry_after_ms:
                        self._metrics.syncs.labels("rate_limited").inc()
                        await self._sleep_or_stop(response.retry_after_ms / 1000, stop)
                        continue
                    delay = await self._sync_failed(response.status_code or "error", delay, stop)
                    continue
                assert isinstance(response, SyncResponse)
                self.note_progress()
                if self._checker is not None:
                    for user_id in response.device_list.changed:
                        self._checker.forget(user_id)
                if not await self._handle_batch(response, port, token, stop):
                    break  # stopped while the database was away: the batch is replayed
                token = response.next_batch
                first = False
                delay = 1.0
                now = self._clock.now()
                self.health.last_success = now
                self.health.consecutive_failures = 0
                self._metrics.syncs.labels("ok").inc()
                self._metrics.last_sync_success.set(now.timestamp())
                self._metrics.sync_failures_in_row.set(0)
                try:
                    await port.after_sync()
                except Exception as exc:
                    if not self._is_temporary(exc):
                        raise
                    # Sending waits: the outbox is flushed after the next batch.
                    self._database_waiting(exc)
        finally:
            self.health.running = False
            self._sync_task = None

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
            await self._retry_undecryptable(port)
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
            if self.health.waiting_for is not None:
                log.info("database available again")
            self.health.waiting_for = None
            return result

    def _database_waiting(self, exc: BaseException) -> None:
        self.health.waiting_for = f"database unavailable ({type(exc).__name__})"

    async def _sleep_or_stop(self, seconds: float, stop: asyncio.Event) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=seconds)

    async def _sync_failed(self, reason: str, delay: float, stop: asyncio.Event) -> float:
        self.health.consecutive_failures += 1
        self._metrics.syncs.labels("error").inc()
        self._metrics.sync_failures_in_row.set(self.health.consecutive_failures)
        # Jitter avoids a herd of bots reconnecting in lock-step after an outage.
        wait = delay * (0.75 + random.random() / 2)
        log.warning("sync failed", extra={"reason": reason, "retry_in": round(wait, 1)})
        await self._sleep_or_stop(wait, stop)
        return min(delay * 2, self._settings.max_backoff_seconds)

    async def _crypto_housekeeping(self) -> None:
        async with self._crypto_lock:
            await self._crypto_housekeeping_locked()

    async def _crypto_housekeeping_locked(self) -> None:
        client = self.client
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
        client = self.client
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
        client = self.client
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
            await self._handle_invite(room_id, inviter, port)
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
                await self._handle_timeline_event(room_id, encrypted, event, port)
                self.note_progress()

    async def _handle_invite(self, room_id: str, inviter: str | None, port: InboundPort) -> None:
        client = self.client
        if inviter is not None and await port.may_invite(inviter):
            result = await client.join(room_id)
            if isinstance(result, JoinError):
                log.warning(
                    "join failed", extra={"room_id": room_id, "errcode": result.status_code}
                )
                return
            log.info("joined room", extra={"room_id": room_id})
            await port.joined(room_id, self._clock.now(), None)
        else:
            log.info("invitation refused", extra={"room_id": room_id})
            await client.room_leave(room_id)

    async def _handle_timeline_event(
        self, room_id: str, encrypted: bool, event: object, port: InboundPort
    ) -> None:
        own = self.client.user_id
        if isinstance(event, RoomMemberEvent):
            if event.state_key == own:
                if event.membership == "join":
                    await port.joined(room_id, _ts(event.server_timestamp), encrypted)
                return
            previous = (event.prev_content or {}).get("membership")
            if event.membership != previous:
                await port.member_changed(
                    room_id,
                    event.state_key,
                    event.membership,
                    event.event_id,
                    _ts(event.server_timestamp),
                )
            return
        if isinstance(event, RoomEncryptionEvent):
            await port.joined(room_id, _ts(event.server_timestamp), True)
            return
        if isinstance(event, MegolmEvent):
            await self._undecryptable(room_id, event, port)
            return
        if isinstance(event, ReactionEvent):
            # Reactions are never encrypted (not even in encrypted rooms), so nothing
            # here is decrypted; the core only acts on reactions to its own messages.
            if event.sender != own:
                await port.reaction(
                    IncomingReaction(
                        event_id=event.event_id,
                        room_id=room_id,
                        sender=event.sender,
                        relates_to=event.reacts_to,
                        key=event.key,
                        sent_at=_ts(event.server_timestamp),
                        received_at=self._clock.now(),
                    )
                )
            return
        if not isinstance(event, RoomMessageText) or event.sender == own:
            return
        said = _said(event)
        if not port.is_command(said.body):
            # Conversation between people: none of the bot's business (and no reason to
            # look up the sender's cross-signing keys), unless it holds a personal number.
            if encrypted and event.decrypted and port.may_hold_identifier(said.body):
                await port.screen(await self._incoming(room_id, event, said))
            return
        incoming = await self._incoming(room_id, event, said)
        if encrypted:
            if not event.decrypted:
                # Plaintext injected into an encrypted room: never act on it.
                log.info("ignored unencrypted event in encrypted room", extra={"room_id": room_id})
                return
            await port.message(incoming)
        else:
            await port.message_in_unencrypted_room(incoming)

    def _member_count(self, room_id: str) -> int | None:
        room = self.client.rooms.get(room_id)
        return int(room.member_count) if room is not None else None

    def _sender_device(self, event: RoomMessageText) -> str | None:
        """The sending device, found by the Curve25519 key the event was encrypted with."""
        sender_key = getattr(event, "sender_key", None)
        if not event.decrypted or not sender_key:
            return None
        for device in self.client.device_store.active_user_devices(event.sender):
            if device.curve25519 == sender_key:
                return str(device.id)
        return None

    def _people(self, room_id: str) -> tuple[Person, ...]:
        """The room's registered members (joined or invited) with their display names."""
        room = self.client.rooms.get(room_id)
        if room is None:
            return ()
        users = {**room.invited_users, **room.users}
        return tuple(
            Person(user_id, user.display_name if user.display_name != user_id else None)
            for user_id, user in users.items()
            if user_id != self.client.user_id and self._is_registered(user_id)
        )

    async def _incoming(
        self, room_id: str, event: RoomMessageText, said: MessageText, *, late: bool = False
    ) -> IncomingCommand:
        device = self._sender_device(event)
        cross_signed = (
            await self._checker.is_cross_signed(event.sender, device)
            if self._checker is not None and device is not None
            else None
        )
        return IncomingCommand(
            event_id=event.event_id,
            room_id=room_id,
            sender=event.sender,
            body=said.body,
            sent_at=_ts(event.server_timestamp),
            received_at=self._clock.now(),
            sender_device=device,
            device_verified=cross_signed,
            late=late,
            room_members=self._member_count(room_id),
            thread_root=said.thread_root,
            edit_of=said.edit_of,
            people=self._people(room_id),
        )

    async def _undecryptable(self, room_id: str, event: MegolmEvent, port: InboundPort) -> None:
        self._metrics.undecryptable.inc()
        source = dict(event.source)
        source.setdefault("room_id", room_id)
        await port.undecryptable(
            EncryptedEventRef(
                event_id=event.event_id,
                room_id=room_id,
                sender=event.sender,
                session_id=event.session_id,
                sender_key=event.sender_key,
                source=source,
                sent_at=_ts(event.server_timestamp),
            )
        )
        try:
            await self.client.request_room_key(event)
        except (LocalProtocolError, aiohttp.ClientError, TimeoutError) as exc:
            # A request for this session is already out, or the server is away: the
            # retry after the next sync covers both.
            log.debug("room key request skipped", extra={"error_type": type(exc).__name__})

    async def _retry_undecryptable(self, port: InboundPort) -> None:
        pending = await port.pending_undecryptable()
        if not pending:
            return
        client = self.client
        for ref in pending:
            event = MegolmEvent.from_dict(ref.source)
            if not isinstance(event, MegolmEvent):
                await port.decrypted_late(ref.event_id)
                continue
            event.room_id = ref.room_id
            store = client.olm.inbound_group_store if client.olm else None
            if store is None or store.get(ref.room_id, ref.sender_key, ref.session_id) is None:
                continue  # the key has not arrived yet; trying would only log warnings
            try:
                decrypted = client.decrypt_event(event)
            except EncryptionError:
                continue
            room = client.rooms.get(ref.room_id)
            if isinstance(decrypted, RoomMessageText) and decrypted.sender != client.user_id:
                said = _said(decrypted)
                encrypted_room = room is not None and room.encrypted
                if port.is_command(said.body):
                    if encrypted_room:
                        incoming = await self._incoming(ref.room_id, decrypted, said, late=True)
                        await port.message(incoming)
                elif encrypted_room and port.may_hold_identifier(said.body):
                    await port.screen(await self._incoming(ref.room_id, decrypted, said, late=True))
            # Only after the command was handled: if the database fails in between, the
            # parked event is still there when the batch is handled again.
            await port.decrypted_late(ref.event_id)

    async def _device_may_receive_keys(self, user_id: str, device_id: str) -> bool:
        if not self._is_registered(user_id):
            return False
        if self._trust.share_keys_with == "registered":
            return True
        checker = self._checker
        return checker is not None and await checker.is_cross_signed(user_id, device_id) is True

    async def _apply_key_policy(self, room_id: str) -> None:
        """Blacklist the devices the trust policy excludes from this room's keys.

        nio shares room keys with every non-blacklisted device when sending; changing a
        device's state makes nio start a new room session, so a device that is excluded
        later cannot read what follows.
        """
        client = self.client
        room = client.rooms.get(room_id)
        if room is None or not room.encrypted:
            return
        for user_id in list(room.users):
            for device in client.device_store.active_user_devices(user_id):
                if user_id == client.user_id and device.id == client.device_id:
                    continue
                allowed = await self._device_may_receive_keys(user_id, device.id)
                if allowed and client.olm.is_device_blacklisted(device):
                    client.unblacklist_device(device)
                elif not allowed and not client.olm.is_device_blacklisted(device):
                    client.blacklist_device(device)

    # ------------------------------------------------------------ rooms
    def find_room(self, name: str) -> str | None:
        """A room the bot is in whose name is ``name`` (used to make room creation
        idempotent: a retried creation finds the room the first attempt made)."""
        for room_id, room in self.client.rooms.items():
            if room.name == name and room.creator == self.client.user_id:
                return str(room_id)
        return None

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
        """Create a room with exactly the given state (no preset defaults relied upon)."""
        try:
            response = await self.client.room_create(
                visibility=RoomVisibility.private,
                name=name,
                federate=federate,
                is_direct=is_direct,
                invite=invite,
                initial_state=initial_state,
                power_level_override=power_levels,
            )
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise SendError(f"network: {type(exc).__name__}", permanent=False) from None
        if isinstance(response, RoomCreateResponse):
            return str(response.room_id)
        assert isinstance(response, RoomCreateError)
        log.warning("room creation failed", extra={"errcode": response.status_code})
        raise SendError(response.status_code or "unknown", permanent=False)

    async def invite_user(self, room_id: str, user_id: str) -> None:
        """Invite ``user_id``; inviting someone already in the room is not an error."""
        try:
            response = await self.client.room_invite(room_id, user_id)
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise SendError(f"network: {type(exc).__name__}", permanent=False) from None
        if isinstance(response, RoomInviteError):
            if response.status_code == "M_FORBIDDEN":
                # Already joined or invited (or banned): nothing a retry would change.
                log.info("invite refused", extra={"room_id": room_id, "errcode": "M_FORBIDDEN"})
                return
            raise SendError(response.status_code or "unknown", permanent=False)

    async def kick_user(self, room_id: str, user_id: str, reason: str | None) -> None:
        """Remove ``user_id`` from the room (no personal data in ``reason``: it is not
        encrypted)."""
        try:
            response = await self.client.room_kick(room_id, user_id, reason)
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise SendError(f"network: {type(exc).__name__}", permanent=False) from None
        if isinstance(response, RoomKickError):
            if response.status_code == "M_FORBIDDEN":
                log.info("kick refused", extra={"room_id": room_id, "errcode": "M_FORBIDDEN"})
                return
            raise SendError(response.status_code or "unknown", permanent=False)

    async def redact(self, room_id: str, event_id: str, reason: str | None) -> None:
        """Redact an event (the BSN guard in case rooms); a refusal is logged, not retried."""
        try:
            response = await self.client.room_redact(room_id, event_id, reason)
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise SendError(f"network: {type(exc).__name__}", permanent=False) from None
        if isinstance(response, RoomRedactError):
            if response.status_code in {"M_FORBIDDEN", "M_NOT_FOUND"}:
                log.warning(
                    "redaction refused", extra={"room_id": room_id, "errcode": response.status_code}
                )
                return
            raise SendError(response.status_code or "unknown", permanent=False)

    # -------------------------------------------------------------- gateway
    async def send(self, room_id: str, content: dict[str, Any], txn_id: str) -> str:
        """Send one message; the homeserver deduplicates on ``txn_id``.

        Never waits on the homeserver's behalf: every failure raises ``SendError`` at
        once, classified for the outbox (``avz_bot.services.core``), which backs off
        per room. Permanent (a retry cannot help): ``M_TOO_LARGE`` (also found before
        sending, see ``too_large``), ``M_FORBIDDEN``, ``M_NOT_FOUND`` and other
        client errors. Transient: network errors, 5xx, a room not synced yet, and
        ``M_LIMIT_EXCEEDED`` (with the server's ``retry_after``). ``M_UNKNOWN_TOKEN``
        (the login expired or was revoked) leads to one fresh password login keeping
        the device, then one more try.
        """
        if room_id not in self.client.rooms:
            # A room the bot has just created is known to nio only after the next sync.
            raise SendError("room not synced yet", permanent=False)
        # Anything the gateway adds to the content (the ``file`` of an attachment it
        # uploads, encrypted, first) is added before the check, so the check sees the
        # event exactly as it will be sent (not the queued bytes of the file).
        if UPLOAD_KEY in content:
            content = await self._upload_attachment(content)
        if too_large(content):
            self._metrics.messages_sent.labels("error").inc()
            raise SendError("M_TOO_LARGE", permanent=True)
        async with self._crypto_lock:
            try:
                return await self._send_locked(room_id, content, txn_id)
            except SendError as exc:
                if exc.reason != "M_UNKNOWN_TOKEN":
                    raise
                await self._login_again()
                return await self._send_locked(room_id, content, txn_id)

    async def _login_again(self) -> None:
        """A fresh password login on the same device after ``M_UNKNOWN_TOKEN``."""
        log.warning("access token rejected while sending; logging in again")
        try:
            await self._password_login(self.client, str(self.client.device_id))
        except (StartupError, aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise SendError(f"login: {type(exc).__name__}", permanent=False) from None

    async def _send_locked(self, room_id: str, content: dict[str, Any], txn_id: str) -> str:
        client = self.client
        try:
            # A member who joined since the last sync has devices nio has not
            # queried yet; without this they could not decrypt the reply.
            if client.should_query_keys:
                await client.keys_query()
            await self._apply_key_policy(room_id)
            response = await client.room_send(
                room_id,
                "m.room.message",
                content,
                tx_id=txn_id,
                # Which devices get the room key is decided by _apply_key_policy
                # (blacklisting); nio's own "verified" flag is not used.
                ignore_unverified_devices=True,
            )
        except LocalProtocolError as exc:
            raise SendError(f"local: {type(exc).__name__}", permanent=True) from None
        except SendRetryError:
            raise SendError("could not share room keys", permanent=False) from None
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise SendError(f"network: {type(exc).__name__}", permanent=False) from None
        if isinstance(response, RoomSendResponse):
            self._metrics.messages_sent.labels("ok").inc()
            return str(response.event_id)
        assert isinstance(response, ErrorResponse)
        code = response.status_code or "unknown"
        if code == "M_LIMIT_EXCEEDED":
            self._metrics.messages_sent.labels("rate_limited").inc()
            wait = (response.retry_after_ms or 1000) / 1000
            raise SendError(code, permanent=False, retry_after=wait)
        self._metrics.messages_sent.labels("error").inc()
        raise SendError(code, permanent=_permanent(code, response))

    async def _upload_attachment(self, content: dict[str, Any]) -> dict[str, Any]:
        """Encrypt and upload a queued attachment; the content with its ``file`` object.

        Encrypted rooms need encrypted media (client-server spec, "Sending encrypted
        attachments"): nio encrypts with AES-CTR and returns the key, IV and hash, which
        go only into the (encrypted) event. A retry uploads again; the event itself is
        still sent once (same transaction id).
        """
        data = base64.b64decode(content[UPLOAD_KEY])
        event = {key: value for key, value in content.items() if key != UPLOAD_KEY}
        info = event.get("info", {})
        response, keys = await self.client.upload(
            io.BytesIO(data),
            content_type=str(info.get("mimetype", "application/octet-stream")),
            filename=str(event.get("filename", "bestand")),
            encrypt=True,
            filesize=len(data),
        )
        if not isinstance(response, UploadResponse) or keys is None:
            errcode = getattr(response, "status_code", None) or "unknown"
            raise SendError(f"upload: {errcode}", permanent=errcode == "M_TOO_LARGE")
        event["file"] = {**keys, "url": response.content_uri}
        return event


#: Error codes after which resending the same message cannot succeed.
PERMANENT_ERRORS = frozenset(
    {
        "M_TOO_LARGE",
        "M_FORBIDDEN",
        "M_NOT_FOUND",
        "M_BAD_JSON",
        "M_NOT_JSON",
        "M_GUEST_ACCESS_FORBIDDEN",
    }
)
#: Megolm ciphertext is base64 (4/3) of the plaintext event (content plus type and
#: room id), wrapped in an envelope with keys and ids: an upper bound of the event size.
ENCRYPTION_OVERHEAD_BYTES = 2_048
#: The homeserver refuses events over 65,536 bytes (spec: "Size limits").
MAX_EVENT_BYTES = 65_536


def too_large(content: dict[str, Any]) -> bool:
    """Whether ``content``, encrypted as sent, could exceed the homeserver's event limit.

    Measured on the content as it is handed to the gateway, i.e. including anything the
    gateway added (an uploaded attachment's URL and keys), so the outbox's size bound
    applies to what is really sent.
    """
    plain = len(json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode())
    return plain * 4 // 3 + ENCRYPTION_OVERHEAD_BYTES > MAX_EVENT_BYTES


def _permanent(code: str, response: ErrorResponse) -> bool:
    """Whether a send error cannot be cured by retrying (see ``MatrixAdapter.send``)."""
    if code in PERMANENT_ERRORS:
        return True
    status = getattr(getattr(response, "transport_response", None), "status", None)
    return isinstance(status, int) and 400 <= status < 500 and code != "M_UNKNOWN_TOKEN"
