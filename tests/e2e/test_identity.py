"""The bot's cross-signed identity, checked independently of the bot's own crypto code.

The verification here uses ``canonicaljson`` (the reference canonical-JSON library of
the Matrix ecosystem) and pycryptodome's Ed25519, not PyNaCl and not
``avz_bot.matrix.signing``: a bug in the bot's signing code cannot hide itself.
"""

from __future__ import annotations

import base64
import shutil
from typing import Any

import aiohttp
import canonicaljson
import pytest
from Crypto.Signature import eddsa

from avz_bot.cli import main as cli_main
from avz_bot.matrix.adapter import StartupError
from avz_bot.matrix.signing import fingerprint, read_master_public
from avz_bot.testkit.partner import PartnerClient
from avz_bot.testkit.world import BotWorld

pytestmark = pytest.mark.e2e


def _b64(value: str) -> bytes:
    return base64.b64decode(value + "=" * (-len(value) % 4))


def _signature_valid(
    obj: dict[str, Any], signer: str, public: str, key_id: str | None = None
) -> bool:
    key_id = key_id or f"ed25519:{public}"  # cross-signing keys are named by themselves
    signature = obj.get("signatures", {}).get(signer, {}).get(key_id)
    if signature is None:
        return False
    payload = canonicaljson.encode_canonical_json(
        {k: v for k, v in obj.items() if k not in {"signatures", "unsigned"}}
    )
    key = eddsa.import_public_key(_b64(public))
    try:
        eddsa.new(key, "rfc8032").verify(payload, _b64(signature))
    except ValueError:
        return False
    return True


async def _query_keys(observer: PartnerClient, user_id: str) -> dict[str, Any]:
    """``/keys/query`` as another user sees it, straight from the homeserver."""
    client = observer.client
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            f"{client.homeserver}/_matrix/client/v3/keys/query",
            json={"device_keys": {user_id: []}},
            headers={"Authorization": f"Bearer {client.access_token}"},
        ) as response,
    ):
        assert response.status == 200
        data: dict[str, Any] = await response.json()
    return data


def _single_key(key_object: dict[str, Any], usage: str) -> str:
    assert usage in key_object["usage"]
    ((key_id, public),) = key_object["keys"].items()
    assert key_id == f"ed25519:{public}"
    return str(public)


async def _verified_chain(observer: PartnerClient, bot_id: str, device_id: str) -> str:
    """Check master → self-signing → device; return the master key."""
    keys = await _query_keys(observer, bot_id)
    master = _single_key(keys["master_keys"][bot_id], "master")
    ssk_object = keys["self_signing_keys"][bot_id]
    ssk = _single_key(ssk_object, "self_signing")
    assert _signature_valid(ssk_object, bot_id, master), "self-signing key not signed by master"
    device = keys["device_keys"][bot_id][device_id]
    assert _signature_valid(device, bot_id, ssk), "device not signed by the self-signing key"
    # The device also signs itself (nio's part); and a tampered copy must fail.
    device_key_id = f"ed25519:{device_id}"
    assert _signature_valid(device, bot_id, device["keys"][device_key_id], device_key_id)
    tampered = {**device, "device_id": "EVIL"}
    assert not _signature_valid(tampered, bot_id, ssk)
    return master


async def test_cross_signing_chain_verifies_independently(world: BotWorld) -> None:
    observer = await world.partner("observer", "politie")
    bot = await world.start()
    master = await _verified_chain(observer, world.bot_id, bot.app.adapter.device_id)
    # What `avz-bot identity show` prints is the key the homeserver publishes.
    assert read_master_public(bot.settings.cross_signing_key_path) == master
    assert fingerprint(master).replace(" ", "") == master


async def test_restart_keeps_the_identity(world: BotWorld) -> None:
    observer = await world.partner("observer", "politie")
    bot = await world.start()
    device = bot.app.adapter.device_id
    master = await _verified_chain(observer, world.bot_id, device)
    await bot.stop()
    again = await world.start()
    assert again.app.adapter.device_id == device
    assert await _verified_chain(observer, world.bot_id, device) == master


async def test_lost_store_gets_a_new_device_signed_with_the_same_keys(world: BotWorld) -> None:
    observer = await world.partner("observer", "politie")
    bot = await world.start()
    old_device = bot.app.adapter.device_id
    master = await _verified_chain(observer, world.bot_id, old_device)
    await bot.stop()
    data_dir = bot.settings.storage.data_dir
    shutil.rmtree(data_dir / "crypto")
    (data_dir / "credentials.json").unlink()

    pieter = await world.partner("pieter", "politie")  # registered before the restart
    again = await world.start()
    new_device = again.app.adapter.device_id
    assert new_device != old_device
    assert await _verified_chain(observer, world.bot_id, new_device) == master
    # And it still works in an encrypted room.
    room = await world.room_with_bot(pieter)
    reply = await pieter.send_and_wait(room, "!ping", reply_from=world.bot_id)
    assert "pong" in reply.body


async def test_lost_keys_need_an_explicit_reset(
    world: BotWorld, tmp_path: Any, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    observer = await world.partner("observer", "politie")
    bot = await world.start()
    old_master = await _verified_chain(observer, world.bot_id, bot.app.adapter.device_id)
    await bot.stop()
    shutil.rmtree(bot.settings.storage.data_dir)  # everything lost

    with pytest.raises(StartupError, match="identity reset"):
        await world.start()

    # The administrator resets through the command line (password from the environment).
    settings = world.settings()
    config = tmp_path / "avz-bot.toml"
    config.write_text(
        f'[matrix]\nhomeserver = "{settings.matrix.homeserver}"\n'
        f'user_id = "{settings.matrix.user_id}"\n'
        f'[storage]\ndata_dir = "{settings.storage.data_dir}"\n'
        f'[partners]\nfile = "{world.partners_file}"\n'
        '[logging]\nlevel = "ERROR"\nformat = "text"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("AVZ_MATRIX__PASSWORD", world.bot_password)
    assert settings.matrix.pickle_key is not None
    monkeypatch.setenv("AVZ_MATRIX__PICKLE_KEY", settings.matrix.pickle_key.get_secret_value())
    assert await _run_cli(["--config", str(config), "identity", "reset"]) == 2  # needs --yes
    assert "verify it again" in capsys.readouterr().err
    assert await _run_cli(["--config", str(config), "identity", "reset", "--yes"]) == 0
    assert "new master key fingerprint" in capsys.readouterr().out

    again = await world.start()
    new_master = await _verified_chain(observer, world.bot_id, again.app.adapter.device_id)
    assert new_master != old_master
    assert await _run_cli(["--config", str(config), "identity", "show"]) == 0
    assert fingerprint(new_master) in capsys.readouterr().out


async def _run_cli(argv: list[str]) -> int:
    """Run the CLI in a worker thread (it starts its own event loop)."""
    import asyncio

    return await asyncio.to_thread(cli_main, argv)
