"""``avz-bot check``: the live half of the operator's check, after ``check-config``.

Asks the configured homeserver, with the bot's stored access token (never its password:
a login would create a new device), whether it answers, whether the token is still
valid, and whether the bot's rate limit is lifted — Synapse's admin API
``GET /_synapse/admin/v1/users/<user>/override_ratelimit`` (Synapse documentation,
"Admin API: Users", "Override ratelimiting for users"). Only a server admin may read
that: with the bot's own token the answer is usually "cannot tell"; an operator can
pass an admin token in ``SYNAPSE_ADMIN_TOKEN`` for a definite answer. Either way the
command prints how to lift the limit.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import aiohttp

from avz_bot.settings import Settings

#: An admin access token for the rate-limit query (optional; used once, not stored).
ADMIN_TOKEN_ENV = "SYNAPSE_ADMIN_TOKEN"
_TIMEOUT = aiohttp.ClientTimeout(total=15)


@dataclass
class LiveCheck:
    """Lines to print; ``ok`` False when something is definitely wrong."""

    lines: list[str] = field(default_factory=list)
    ok: bool = True

    def good(self, line: str) -> None:
        self.lines.append(f"ok:      {line}")

    def bad(self, line: str) -> None:
        self.lines.append(f"PROBLEM: {line}")
        self.ok = False

    def note(self, line: str) -> None:
        self.lines.append(f"note:    {line}")


def lift_command(homeserver: str, user_id: str) -> str:
    """The admin-API call that exempts the bot from Synapse's rate limits."""
    url = f"{homeserver}/_synapse/admin/v1/users/{quote(user_id, safe='')}/override_ratelimit"
    body = '{"messages_per_second": 0, "burst_count": 0}'
    return f"curl -X POST -H \"Authorization: Bearer $SYNAPSE_ADMIN_TOKEN\" -d '{body}' {url}"


async def _get(
    http: aiohttp.ClientSession, url: str, token: str | None
) -> tuple[int, dict[str, Any]]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with http.get(url, headers=headers) as response:
        try:
            body = await response.json(content_type=None)
        except (ValueError, aiohttp.ContentTypeError):
            body = {}
        return response.status, body if isinstance(body, dict) else {}


def _stored_token(settings: Settings) -> str | None:
    path = settings.storage.data_dir / "credentials.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    token = data.get("access_token")
    return str(token) if token and data.get("user_id") == settings.matrix.user_id else None


async def check_homeserver(settings: Settings) -> LiveCheck:
    """Reachability, the stored token, and the bot's rate limit (see the module doc)."""
    result = LiveCheck()
    hs, user = settings.matrix.homeserver, settings.matrix.user_id
    async with aiohttp.ClientSession(timeout=_TIMEOUT) as http:
        try:
            status, _ = await _get(http, f"{hs}/_matrix/client/versions", None)
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            result.bad(f"homeserver {hs} unreachable ({type(exc).__name__})")
            return result
        if status != 200:
            result.bad(f"homeserver {hs} answered HTTP {status} to /versions")
            return result
        result.good(f"homeserver {hs} answers")
        token = _stored_token(settings)
        if token is None:
            result.note("the bot has not logged in yet (no credentials); its first start will")
        else:
            status, body = await _get(http, f"{hs}/_matrix/client/v3/account/whoami", token)
            if status == 200 and body.get("user_id") == user:
                result.good(f"the bot's stored access token is valid ({user})")
            else:
                result.bad(
                    f"the bot's stored access token is refused ({body.get('errcode', status)}); "
                    "the bot logs in again with its password at the next start"
                )
        await _rate_limit(http, result, hs, user, os.environ.get(ADMIN_TOKEN_ENV) or token)
    return result


async def _rate_limit(
    http: aiohttp.ClientSession, result: LiveCheck, hs: str, user: str, token: str | None
) -> None:
    url = f"{hs}/_synapse/admin/v1/users/{quote(user, safe='')}/override_ratelimit"
    how = f"to lift it (as a server admin): {lift_command(hs, user)}"
    status, body = (0, {}) if token is None else await _get(http, url, token)
    if status == 200:
        lifted = body.get("messages_per_second") == 0 and body.get("burst_count") == 0
        if lifted:
            result.good("the bot's rate limit is lifted (override_ratelimit 0/0)")
        else:
            shown = json.dumps(body) if body else "no override"
            result.bad(
                f"the bot's rate limit is NOT lifted ({shown}): room creation is limited to "
                f"about one a minute after a burst of ten; {how}"
            )
        return
    reason = "no admin token" if token is None else f"HTTP {status} {body.get('errcode', '')}"
    result.note(
        f"cannot tell whether the bot's rate limit is lifted ({reason.strip()}; set "
        f"{ADMIN_TOKEN_ENV} to an admin token to ask); {how}"
    )
