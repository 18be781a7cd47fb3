"""A partner system's side of the signed intake endpoint (tests, the benchmark): sign a
body as the Standard Webhooks reference library does, and post it."""

from __future__ import annotations

import base64
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aiohttp
from standardwebhooks.webhooks import Webhook


def new_secret() -> str:
    """A fresh ``whsec_…`` secret (32 random bytes)."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def signed_headers(
    secret: str, body: bytes, webhook_id: str | None = None, at: datetime | None = None
) -> dict[str, str]:
    """The three Standard Webhooks headers for ``body`` (and the JSON content type)."""
    when = at or datetime.now(UTC)
    msg_id = webhook_id or f"msg_{secrets.token_hex(12)}"
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(when.timestamp())),
        "webhook-signature": Webhook(secret).sign(msg_id, when, body),
        "content-type": "application/json",
    }


@dataclass
class PartnerSystem:
    """One organisation's system: its code and secret, posting to ``base_url``."""

    base_url: str
    organisation: str
    secret: str
    path: str = "/intake/v1"

    @property
    def url(self) -> str:
        return f"{self.base_url}{self.path}/organisations/{self.organisation}/signals"

    async def submit(
        self,
        session: aiohttp.ClientSession,
        fields: dict[str, Any],
        webhook_id: str | None = None,
        at: datetime | None = None,
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        """Post ``fields`` signed; (status, JSON answer, response headers)."""
        body = json.dumps(fields).encode()
        headers = signed_headers(self.secret, body, webhook_id, at)
        async with session.post(self.url, data=body, headers=headers) as response:
            return response.status, await response.json(), dict(response.headers)
