"""The bot's verified identity: cross-signing keys uploaded and its device signed.

Element and other current clients stop sharing room keys with devices that are not
cross-signed by their owner, which would make the bot deaf in encrypted rooms. nio does
not cross-sign, so this module does it with plain client-server API calls:

* first start: create master, self-signing and user-signing keys, upload them
  (``/keys/device_signing/upload``, completing user-interactive auth with the password)
  and keep the private keys encrypted in the data directory;
* every start: make sure the current device carries a signature of the self-signing
  key (``/keys/signatures/upload``), so a new device after a lost store is signed with
  the existing keys;
* ``avz-bot identity reset``: replace the keys (when they are lost).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp

from avz_bot.logs import get_logger
from avz_bot.matrix.signing import (
    CrossSigningKeys,
    load_keys,
    save_keys,
    sign_device,
    upload_body,
)

log = get_logger(__name__)


class IdentityError(Exception):
    """The bot's cross-signing identity cannot be set up; the message says what to do."""


#: The user-interactive-auth stages of MSC4312 (merged; stable and unstable name): on a
#: homeserver with OAuth 2.0 / MAS, replacing cross-signing keys needs a person to approve
#: it at ``params[stage]["url"]``; then the same request is sent again.
OAUTH_STAGES = ("m.oauth", "org.matrix.cross_signing_reset")

#: Called with the approval URL; returns when the upload should be tried again, or
#: raises ``IdentityError`` to give up (``avz-bot identity reset`` prints and waits).
Approval = Callable[[str], Awaitable[None]]


def approval_url(challenge: dict[str, Any]) -> str | None:
    """The MSC4312 approval URL of a 401 UIA challenge, or ``None`` if it asks no approval."""
    stages = {stage for flow in challenge.get("flows", []) for stage in flow.get("stages", [])}
    for stage in OAUTH_STAGES:
        url = challenge.get("params", {}).get(stage, {}).get("url")
        if stage in stages and isinstance(url, str) and url:
            return url
    return None


@dataclass(frozen=True)
class IdentityStatus:
    """What ``ensure`` found and did."""

    master_public: str
    created: bool
    device_signed_now: bool


class IdentityManager:
    """Sets up and maintains the bot's cross-signing identity."""

    def __init__(
        self,
        *,
        homeserver: str,
        user_id: str,
        device_id: str,
        access_token: str,
        password: str | None,
        key_path: Path,
        key_secret: str,
        approve: Approval | None = None,
    ) -> None:
        self._base = homeserver.rstrip("/") + "/_matrix/client/v3"
        self._approve = approve
        self._user_id = user_id
        self._device_id = device_id
        self._token = access_token
        self._password = password
        self._key_path = key_path
        self._secret = key_secret

    async def _request(
        self, http: aiohttp.ClientSession, method: str, path: str, body: dict[str, Any]
    ) -> tuple[int, dict[str, Any]]:
        headers = {"Authorization": f"Bearer {self._token}"}
        async with http.request(method, self._base + path, json=body, headers=headers) as resp:
            try:
                data = await resp.json(content_type=None)
            except ValueError:
                data = {}
            return resp.status, data if isinstance(data, dict) else {}

    async def query_own_keys(self, http: aiohttp.ClientSession) -> dict[str, Any]:
        """The homeserver's view of the bot's keys (``/keys/query`` for the bot itself)."""
        status, data = await self._request(
            http, "POST", "/keys/query", {"device_keys": {self._user_id: []}}
        )
        if status != 200:
            raise IdentityError(f"keys/query failed with HTTP {status} {data.get('errcode', '')}")
        return data

    def _server_master(self, keys: dict[str, Any]) -> str | None:
        master = keys.get("master_keys", {}).get(self._user_id)
        if not master:
            return None
        values = list(master.get("keys", {}).values())
        return str(values[0]) if values else None

    async def _upload_cross_signing(
        self, http: aiohttp.ClientSession, keys: CrossSigningKeys
    ) -> None:
        body = upload_body(keys)
        status, data = await self._request(http, "POST", "/keys/device_signing/upload", body)
        while status == 401 and (url := approval_url(data)) is not None:
            # MSC4312: a person approves the replacement in the browser, then we retry.
            # Without an approver (the bot's start) the keys are never replaced.
            if self._approve is None:
                raise IdentityError(
                    f"replacing the cross-signing keys needs approval at {url}; "
                    "run `avz-bot identity reset --yes`"
                )
            await self._approve(url)
            body["auth"] = {"session": data.get("session")}
            status, data = await self._request(http, "POST", "/keys/device_signing/upload", body)
        if status == 401 and "flows" in data:
            if self._password is None:
                raise IdentityError(
                    "uploading cross-signing keys needs the bot's password once "
                    "(set AVZ_MATRIX__PASSWORD or matrix.password_file)"
                )
            body["auth"] = {
                "type": "m.login.password",
                "identifier": {"type": "m.id.user", "user": self._user_id},
                "password": self._password,
                "session": data.get("session"),
            }
            status, data = await self._request(http, "POST", "/keys/device_signing/upload", body)
        if status != 200:
            raise IdentityError(
                f"uploading cross-signing keys failed: HTTP {status} {data.get('errcode', '')}"
            )

    async def _sign_device_if_needed(
        self, http: aiohttp.ClientSession, keys: CrossSigningKeys, server: dict[str, Any]
    ) -> bool:
        device = server.get("device_keys", {}).get(self._user_id, {}).get(self._device_id)
        if device is None:
            raise IdentityError(
                f"the homeserver does not know the keys of device {self._device_id} yet"
            )
        ssk_id = f"ed25519:{keys.self_signing_public}"
        if ssk_id in device.get("signatures", {}).get(self._user_id, {}):
            return False
        clean = {k: v for k, v in device.items() if k != "unsigned"}
        signed = sign_device(keys, clean)
        body = {self._user_id: {self._device_id: signed}}
        status, data = await self._request(http, "POST", "/keys/signatures/upload", body)
        failures = data.get("failures") or {}
        if status != 200 or failures:
            raise IdentityError(f"signing the bot's device failed: HTTP {status} {failures}")
        log.info("device cross-signed", extra={"device_id": self._device_id})
        return True

    async def ensure(self, http: aiohttp.ClientSession) -> IdentityStatus:
        """Create the identity if there is none; sign the current device if it is not."""
        keys = load_keys(self._key_path, self._secret, self._user_id)
        server = await self.query_own_keys(http)
        server_master = self._server_master(server)
        created = False
        if keys is None:
            if server_master is not None:
                raise IdentityError(
                    "the bot account already has cross-signing keys on the homeserver, but "
                    f"{self._key_path} is missing; run `avz-bot identity reset` to replace them"
                )
            keys = CrossSigningKeys.generate(self._user_id)
            await self._upload_cross_signing(http, keys)
            save_keys(self._key_path, keys, self._secret)
            created = True
            log.info("cross-signing keys created", extra={"master_key": keys.master_public})
            server = await self.query_own_keys(http)
        elif server_master != keys.master_public:
            if server_master is not None:
                raise IdentityError(
                    "the homeserver has other cross-signing keys for the bot than "
                    f"{self._key_path}; run `avz-bot identity reset` if that is expected"
                )
            # The homeserver lost them (e.g. restored from an old backup): upload again.
            await self._upload_cross_signing(http, keys)
            server = await self.query_own_keys(http)
        signed_now = await self._sign_device_if_needed(http, keys, server)
        return IdentityStatus(keys.master_public, created, signed_now)

    async def reset(self, http: aiohttp.ClientSession) -> IdentityStatus:
        """Replace the cross-signing keys (other users must verify the bot again)."""
        keys = CrossSigningKeys.generate(self._user_id)
        await self._upload_cross_signing(http, keys)
        save_keys(self._key_path, keys, self._secret)
        server = await self.query_own_keys(http)
        signed_now = await self._sign_device_if_needed(http, keys, server)
        log.warning("cross-signing keys replaced", extra={"master_key": keys.master_public})
        return IdentityStatus(keys.master_public, True, signed_now)


def user_path(user_id: str) -> str:
    """A user id escaped for a URL path segment."""
    return quote(user_id, safe="")
