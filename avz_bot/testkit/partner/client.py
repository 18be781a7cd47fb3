"""The partner itself: logging in (or restoring its device), starting and stopping it.

:class:`PartnerClient` is assembled from its concepts (:mod:`.rooms`, :mod:`.sending`,
:mod:`.receiving`, on :mod:`.base`); this module adds its life cycle, cross-signing and
the send-then-wait-for-the-answer step most tests use.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import time
from pathlib import Path
from typing import Protocol

import aiohttp
from nio import AsyncClient, AsyncClientConfig, ErrorResponse, LoginResponse, WhoamiResponse

from avz_bot.matrix.identity import IdentityManager
from avz_bot.testkit.partner.receiving import PartnerReceiving
from avz_bot.testkit.partner.records import PartnerError, ReceivedMessage
from avz_bot.testkit.partner.rooms import PartnerRooms
from avz_bot.testkit.partner.sending import PartnerSending

_CREDENTIALS_FILE = "credentials.json"
_PICKLE_KEY_FILE = "pickle.key"


class PartnerFactory(Protocol):
    """Makes a fresh, registered, connected partner (the ``make_partner`` test fixture)."""

    async def __call__(self, name: str = "partner") -> PartnerClient:
        """Register a user whose localpart starts with ``name`` and connect it."""
        ...


def _load_or_create_pickle_key(store_dir: Path) -> str:
    path = store_dir / _PICKLE_KEY_FILE
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    key = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key)
    return key


class PartnerClient(PartnerSending, PartnerRooms, PartnerReceiving):
    """A logged-in, encrypting Matrix user driven by a test script.

    Create with ``await PartnerClient.create(...)``; always ``await close()``.
    """

    # ------------------------------------------------------------------ creation
    @classmethod
    async def create(
        cls,
        homeserver_url: str,
        user_id: str,
        password: str,
        store_dir: Path,
        *,
        pickle_key: str | None = None,
        auto_join: bool = True,
        sync_timeout_ms: int = 3_000,
        device_name: str = "avz-testkit-partner",
        timeout: float = 60,
    ) -> PartnerClient:
        """Log in (or restore the device stored in ``store_dir``), upload keys, start syncing.

        ``pickle_key`` encrypts the store; by default a random key is kept in
        ``store_dir/pickle.key``. Returns once the first sync has been processed.
        """
        store_dir = Path(store_dir)
        store_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(store_dir, 0o700)
        config = AsyncClientConfig(
            encryption_enabled=True,
            store_sync_tokens=False,
            pickle_key=pickle_key or _load_or_create_pickle_key(store_dir),
            # Bounded retries inside nio (its defaults retry forever); short back-off so a
            # restarted homeserver is found again quickly.
            max_limit_exceeded=5,
            max_timeouts=3,
            backoff_factor=0.2,
            max_timeout_retry_wait_time=2,
            request_timeout=20,
        )
        client = AsyncClient(homeserver_url, user_id, store_path=str(store_dir), config=config)
        partner = cls(client, store_dir, auto_join=auto_join, sync_timeout_ms=sync_timeout_ms)
        partner.password = password
        try:
            async with asyncio.timeout(timeout):
                await partner._log_in(password, device_name)
                await partner._upload_keys()
                partner._sync_task = asyncio.create_task(
                    partner._sync_loop(), name=f"partner-sync-{user_id}"
                )
                await partner._wait_first_sync()
        except BaseException:
            await partner.close()
            raise
        return partner

    async def _log_in(self, password: str, device_name: str) -> None:
        client = self._client
        creds_path = self._store_dir / _CREDENTIALS_FILE
        creds: dict[str, str] | None = None
        with contextlib.suppress(FileNotFoundError, ValueError):
            creds = json.loads(creds_path.read_text(encoding="utf-8"))
        if (
            creds is not None
            and creds.get("user_id") == client.user
            and creds.get("homeserver") == client.homeserver
        ):
            client.restore_login(creds["user_id"], creds["device_id"], creds["access_token"])
            who = await client.whoami()
            if isinstance(who, WhoamiResponse):
                return
            # Token gone (e.g. logged out): log in again into the same device and keys.
            client.access_token = ""
        response = await client.login(password, device_name=device_name)
        if not isinstance(response, LoginResponse):
            raise PartnerError(
                f"login as {client.user} failed: {getattr(response, 'status_code', None)} "
                f"{getattr(response, 'message', '')}"
            )
        payload = {
            "homeserver": client.homeserver,
            "user_id": response.user_id,
            "device_id": response.device_id,
            "access_token": response.access_token,
        }
        fd = os.open(creds_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(payload, handle)

    async def _upload_keys(self) -> None:
        if self._client.should_upload_keys:
            response = await self._client.keys_upload()
            if isinstance(response, ErrorResponse):
                raise PartnerError(f"key upload failed: {response.status_code}")

    async def _wait_first_sync(self) -> None:
        sync_task = self._sync_task
        assert sync_task is not None
        first = asyncio.ensure_future(self._synced_once.wait())
        try:
            await asyncio.wait({first, sync_task}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            first.cancel()
        if not self._synced_once.is_set():
            raise PartnerError(
                f"{self.user_id}: the sync loop ended before the first sync"
            ) from self._sync_failure

    # ------------------------------------------------------------------ identity
    async def cross_sign_own_device(self) -> str:
        """Give this account cross-signing keys and sign this device with them (as Element
        does when a user sets up "secure backup"); returns the master public key."""
        manager = IdentityManager(
            homeserver=self._client.homeserver,
            user_id=self.user_id,
            device_id=self.device_id,
            access_token=self._client.access_token,
            password=self.password,
            key_path=self._store_dir / "cross-signing.json",
            key_secret="partner-cross-signing-secret",
        )
        async with aiohttp.ClientSession() as http:
            status = await manager.ensure(http)
        return status.master_public

    # ------------------------------------------------------------------ conversation
    async def send_and_wait(
        self, room_id: str, body: str, *, reply_from: str, timeout: float = 30
    ) -> ReceivedMessage:
        """Send ``body`` and return ``reply_from``'s answer to it (a rich reply to the sent
        event), ignoring anything else ``reply_from`` says meanwhile."""
        deadline = time.monotonic() + timeout
        event_id = await self.send(room_id, body, timeout=timeout)
        return await self.wait_for_message(
            room_id,
            sender=reply_from,
            in_reply_to=event_id,
            timeout=max(0.1, deadline - time.monotonic()),
        )

    # ------------------------------------------------------------------ shutdown
    async def close(self) -> None:
        """Stop syncing and close the HTTP session (idempotent)."""
        self._closed = True
        task, self._sync_task = self._sync_task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(task, timeout=10)
        with contextlib.suppress(Exception):
            await self._notify()
        await self._client.close()
