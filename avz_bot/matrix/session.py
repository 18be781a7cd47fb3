"""The bot's Matrix device: client construction, login, identity and shared state.

``MatrixSession`` is the one object every part of ``MatrixAdapter``
(``avz_bot.matrix.adapter``) is given: it builds the nio client (encrypted store, bounded
retries, every HTTP response observed for rate limits and sync progress), logs in once
with the password and afterwards reuses the stored token and device, makes sure the
cross-signing identity exists, and owns the state the sync loop, the event routing, the
sender and the room operations share. They use its public surface only: ``client`` and
``checker`` (valid after ``connect``), the settings, clock and metrics, ``crypto_lock``,
``health``, ``sync_task``, ``note_progress`` and ``login_again``.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from nio import AsyncClient, AsyncClientConfig, ErrorResponse, LoginResponse, WhoamiResponse

from avz_bot.clock import Clock
from avz_bot.logs import get_logger
from avz_bot.matrix.identity import IdentityError, IdentityManager, IdentityStatus
from avz_bot.matrix.trust import CrossSigningChecker
from avz_bot.metrics import BotMetrics
from avz_bot.settings import MatrixSettings, TrustSettings

log = get_logger(__name__)


class StartupError(Exception):
    """The bot cannot log in or load its encryption store; the message says why."""


class StoppedError(StartupError):
    """Asked to stop (SIGTERM) before the homeserver could be reached: a clean stop."""


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


class MatrixSession:
    """One logged-in, encrypted bot device (the state every part of the adapter shares)."""

    def __init__(
        self,
        settings: MatrixSettings,
        data_dir: Path,
        clock: Clock,
        metrics: BotMetrics,
        *,
        trust: TrustSettings | None = None,
        sleep: Callable[[float], Any] = asyncio.sleep,
    ) -> None:
        self._settings = settings
        self._trust = trust or TrustSettings()
        self._checker: CrossSigningChecker | None = None
        self._store_dir = data_dir / "crypto"
        self._credentials_path = data_dir / "credentials.json"
        self._clock = clock
        self._metrics = metrics
        self._sleep = sleep
        #: The sync loop's task while it runs (set by the loop): the HTTP responses of
        #: requests made on it count as progress (``note_progress``).
        self.sync_task: asyncio.Task[Any] | None = None
        self._client: AsyncClient | None = None
        # Key maintenance and sending share one lock: a send must see the device list
        # that the last key query produced, and nio's key requests must not interleave.
        self._crypto_lock = asyncio.Lock()
        self.health = SyncHealth()

    # ------------------------------------------------- what the parts share
    # Fixed for the session's lifetime (the parts may keep a reference).
    @property
    def settings(self) -> MatrixSettings:
        """The ``[matrix]`` settings."""
        return self._settings

    @property
    def trust(self) -> TrustSettings:
        """The trust policy (who gets room keys, how long device verdicts are cached)."""
        return self._trust

    @property
    def clock(self) -> Clock:
        """The clock."""
        return self._clock

    @property
    def metrics(self) -> BotMetrics:
        """The bot's metrics."""
        return self._metrics

    @property
    def crypto_lock(self) -> asyncio.Lock:
        """Held by key maintenance and by each send (see ``__init__``)."""
        return self._crypto_lock

    @property
    def checker(self) -> CrossSigningChecker | None:
        """Cross-signing verdicts on other users' devices (``None`` before ``connect``)."""
        return self._checker

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
            if self.sync_task is not None and asyncio.current_task() is self.sync_task:
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
                # Every attempt's HTTP session is closed, also when stopping (no
                # "Unclosed client session" at exit).
                await self._close_client()
                if stop is not None and stop.is_set():
                    raise StoppedError("stopped while waiting for the homeserver") from None
                log.warning(
                    "homeserver unreachable, retrying",
                    extra={"error_type": type(exc).__name__, "retry_in": delay},
                )
                await self._wait(delay, stop)
                if stop is not None and stop.is_set():
                    raise StoppedError("stopped while waiting for the homeserver") from None
                delay = min(delay * 2, self._settings.max_backoff_seconds)

    async def _wait(self, seconds: float, stop: asyncio.Event | None) -> None:
        """Sleep ``seconds``, or less when ``stop`` is set meanwhile (SIGTERM: exit now)."""
        if stop is None:
            await self._sleep(seconds)
            return
        sleeper = asyncio.ensure_future(self._sleep(seconds))
        stopper = asyncio.ensure_future(stop.wait())
        try:
            await asyncio.wait({sleeper, stopper}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            sleeper.cancel()
            stopper.cancel()

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

    async def login_again(self) -> None:
        """A fresh password login on the same device (the access token was rejected)."""
        await self._password_login(self.client, str(self.client.device_id))

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
                "keys_created": status.created,
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
