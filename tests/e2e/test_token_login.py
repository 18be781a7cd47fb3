"""Login without a password: ``matrix.access_token_file`` and ``matrix.device_id``.

A homeserver with MAS (OAuth 2.0) may have no password login; the operator issues a token
for a device (``mas-cli manage issue-compatibility-token``). Here the test plays that
operator with a password login of its own for a chosen device id, and the bot runs with no
password in its environment. A revoked token makes the bot not ready, with the reason,
while it stays alive; a new token in the file brings it back, and the command sent
meanwhile is answered once. A token bound to no device (Synapse's admin login API) is
refused at start with a clear message.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp
import pytest

from avz_bot.testkit.partner import PartnerFactory
from avz_bot.testkit.process import (
    BotProcess,
    derive_partners,
    member_entry,
    new_bot_account,
    operator_overrides,
)
from avz_bot.testkit.synapse import SynapseServer

pytestmark = pytest.mark.e2e

DEVICE_ID = "AVZTOKEN1"


async def _client_api(
    synapse: SynapseServer, path: str, body: dict[str, Any], token: str | None = None
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with (
        aiohttp.ClientSession() as http,
        http.post(synapse.url + path, json=body, headers=headers) as response,
    ):
        data: dict[str, Any] = await response.json(content_type=None)
        assert response.status == 200, data
        return data


async def issue_token(synapse: SynapseServer, user_id: str, password: str) -> dict[str, Any]:
    """A token for ``DEVICE_ID`` (what ``mas-cli manage issue-compatibility-token`` gives)."""
    data = await _client_api(
        synapse,
        "/_matrix/client/v3/login",
        {
            "type": "m.login.password",
            "identifier": {"type": "m.id.user", "user": user_id},
            "password": password,
            "device_id": DEVICE_ID,
        },
    )
    assert data["device_id"] == DEVICE_ID
    return data


async def revoke_others(synapse: SynapseServer, user_id: str, password: str) -> str:
    """Revoke every access token of the bot but a new one for ``DEVICE_ID``, keeping the
    device and its keys (a password change with ``logout_devices``, made from a new login
    on that device); return the new token."""
    token = str((await issue_token(synapse, user_id, password))["access_token"])
    auth = {
        "type": "m.login.password",
        "identifier": {"type": "m.id.user", "user": user_id},
        "password": password,
    }
    body = {"new_password": password, "logout_devices": True, "auth": auth}
    async with aiohttp.ClientSession() as http:
        headers = {"Authorization": f"Bearer {token}"}
        url = synapse.url + "/_matrix/client/v3/account/password"
        async with http.post(url, json=body, headers=headers) as response:
            if response.status == 401:  # UIA: once more with the session
                body["auth"] = {**auth, "session": (await response.json())["session"]}
                async with http.post(url, json=body, headers=headers) as again:
                    assert again.status == 200, await again.text()
            else:
                assert response.status == 200, await response.text()
    return token


def write_token(path: Path, token: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(token + "\n")


async def test_token_only_login_survives_a_revoked_token(
    synapse: SynapseServer, make_partner: PartnerFactory, tmp_path: Path
) -> None:
    bot_id, password = await new_bot_account(synapse)
    token_file = tmp_path / "access-token"
    write_token(token_file, (await issue_token(synapse, bot_id, password))["access_token"])
    pieter = await make_partner("pieter")
    (tmp_path / "partners.toml").write_text(
        derive_partners([member_entry(pieter.user_id, "politie")]), encoding="utf-8"
    )
    overrides = operator_overrides(
        synapse.url,
        synapse.server_name,
        bot_id,
        tmp_path,
        matrix={"access_token_file": str(token_file), "device_id": DEVICE_ID},
    )
    bot = BotProcess(tmp_path, overrides, password="")
    assert "AVZ_MATRIX__PASSWORD" not in bot._environment()
    try:
        await bot.start()
        room = await pieter.create_encrypted_room(name="Overleg", invite=[bot_id])
        await pieter.wait_for_join(room, bot_id, timeout=60)
        ping = await pieter.send_and_wait(room, "!ping", reply_from=bot_id, timeout=60)
        assert ping.encrypted
        assert not (tmp_path / "data" / "credentials.json").exists()

        # The token expires or is revoked: the bot stays alive, not ready, and says why.
        new_token = await revoke_others(synapse, bot_id, password)
        during = await pieter.send(room, "!ping")
        await _wait_not_ready(bot, "access token rejected")
        assert bot.process is not None and bot.process.returncode is None

        # A new token for the same device: the bot comes back and answers what was sent
        # meanwhile, once.
        write_token(token_file, new_token)
        await bot.wait_ready(timeout=90)
        await pieter.wait_for_message(room, sender=bot_id, in_reply_to=during, timeout=60)
        await pieter.send_and_wait(room, "!ping", reply_from=bot_id, timeout=60)
        replies = [m for m in pieter.messages(room) if m.in_reply_to == during]
        assert len(replies) == 1
    finally:
        code = await bot.stop()
    log = bot.log_text()
    assert code == 0, log[-3000:]
    assert "Traceback" not in log
    assert token_file.read_text().strip() not in log


async def _wait_not_ready(bot: BotProcess, reason: str, timeout: float = 90) -> None:
    import asyncio

    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    last: dict[str, Any] = {}
    while loop.time() < deadline:
        status, last = await bot.readyz()
        if status == 503 and reason in str(last):
            return
        await asyncio.sleep(0.5)
    raise AssertionError(f"/readyz never said {reason!r}: {last}; {bot.log_text()[-2000:]}")


async def test_a_token_bound_to_no_device_is_refused_clearly(
    synapse: SynapseServer, tmp_path: Path
) -> None:
    bot_id, _password = await new_bot_account(synapse)
    admin = await synapse.admin_request(
        "POST", f"/_synapse/admin/v1/users/{quote(bot_id, safe='')}/login", {}
    )
    token_file = tmp_path / "access-token"
    write_token(token_file, str(admin["access_token"]))
    (tmp_path / "partners.toml").write_text(derive_partners([]), encoding="utf-8")
    overrides = operator_overrides(
        synapse.url,
        synapse.server_name,
        bot_id,
        tmp_path,
        matrix={"access_token_file": str(token_file), "device_id": "AVZ" + secrets.token_hex(3)},
    )
    bot = BotProcess(tmp_path, overrides, password="")
    code, out = await bot.cli("db", "upgrade")
    assert code == 0, out
    code, out = await bot.cli("run", timeout=120)
    assert code == 1
    assert "bound to no device" in out
    assert "Traceback" not in out
