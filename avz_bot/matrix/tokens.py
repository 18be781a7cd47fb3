"""Login with a configured access token (``matrix.access_token(_file)`` + ``device_id``).

A homeserver whose login is delegated to MAS (OAuth 2.0) may offer no password login; the
operator issues a token for a device instead (README, "Login with an access token"). These
are the checks the session (``avz_bot.matrix.session``) makes with such a token.
"""

from __future__ import annotations

import asyncio
import contextlib

import aiohttp
from nio import AsyncClient, WhoamiResponse

from avz_bot.matrix.errors import StartupError, TokenRejected
from avz_bot.settings import MatrixSettings

#: What ``/whoami`` answers for a token that is expired, revoked or unknown.
REJECTED_CODES = frozenset({"M_UNKNOWN_TOKEN", "M_MISSING_TOKEN", "M_FORBIDDEN"})


def configured_token(settings: MatrixSettings) -> str | None:
    """The access token as configured now: the token file is read again each time (an
    operator replaces a revoked token without a restart)."""
    path = settings.access_token_file
    if path is not None:
        try:
            value = path.read_text(encoding="utf-8").strip()
        except OSError:
            value = ""
        if value:
            return value
    token = settings.access_token
    return token.get_secret_value() if token is not None else None


async def check_token(client: AsyncClient, settings: MatrixSettings) -> None:
    """``/whoami`` with the client's token: it must be the bot's, for ``client.device_id``.

    Raises ``TokenRejected`` (expired or revoked), ``StartupError`` (a token of another
    account or device, e.g. one from Synapse's admin login API, which is bound to no
    device), or ``aiohttp.ClientError`` (homeserver trouble: retried by the caller).
    """
    who = await client.whoami()
    if isinstance(who, WhoamiResponse):
        if who.user_id != settings.user_id or who.device_id != client.device_id:
            raise StartupError(
                f"the access token is for device {who.device_id or '(none)'} of "
                f"{who.user_id}, not device {client.device_id} of {settings.user_id}; "
                "issue a token for that device (a token bound to no device cannot hold "
                "an encryption device)"
            )
        return
    if who.status_code in REJECTED_CODES:
        raise TokenRejected(
            f"access token rejected by the homeserver ({who.status_code}); "
            "put a new token in matrix.access_token_file"
        )
    raise aiohttp.ClientError(f"whoami failed: {who.status_code}")


async def sleep_or_stop(seconds: float, stop: asyncio.Event) -> None:
    """Wait ``seconds``, or less if ``stop`` is set."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
