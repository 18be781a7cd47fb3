"""``avz-bot backup`` / ``avz-bot restore``: the whole data directory is lost, the bot comes
back from the archive with the same identity.

A partner in strict mode (MSC4153, Element's default since April 2026: messages only from
devices cross-signed by an identity it has pinned) pins the bot's master key before the
loss. After the restore the bot's device must still chain to that same master key (checked
here with an independent ed25519 implementation, as in ``test_identity.py``), the bot must
have no other device, and the partner must read its answer in the old room. The database
is not in the archive: it comes back from its own backup (here: the SQLite file kept aside).
"""

from __future__ import annotations

import asyncio
import base64
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp
import canonicaljson
import pytest
from Crypto.Signature import eddsa

from avz_bot.cli import main as cli_main
from avz_bot.testkit.partner import PartnerClient
from avz_bot.testkit.world import BotWorld

pytestmark = pytest.mark.e2e

PASSPHRASE = "correct horse battery staple"


def _b64(value: str) -> bytes:
    return base64.b64decode(value + "=" * (-len(value) % 4))


def _signed_by(obj: dict[str, Any], signer: str, public: str, key_id: str) -> bool:
    signature = obj.get("signatures", {}).get(signer, {}).get(key_id)
    if signature is None:
        return False
    payload = canonicaljson.encode_canonical_json(
        {k: v for k, v in obj.items() if k not in {"signatures", "unsigned"}}
    )
    try:
        eddsa.new(eddsa.import_public_key(_b64(public)), "rfc8032").verify(payload, _b64(signature))
    except ValueError:
        return False
    return True


async def strict_view(observer: PartnerClient, bot_id: str) -> dict[str, str]:
    """The bot's devices a strict client accepts: device id → the master key it chains to
    (master → self-signing → device, every signature checked)."""
    client = observer.client
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            f"{client.homeserver}/_matrix/client/v3/keys/query",
            json={"device_keys": {bot_id: []}},
            headers={"Authorization": f"Bearer {client.access_token}"},
        ) as response,
    ):
        keys = await response.json()
    ((_, master),) = keys["master_keys"][bot_id]["keys"].items()
    ssk_object = keys["self_signing_keys"][bot_id]
    ((_, ssk),) = ssk_object["keys"].items()
    assert _signed_by(ssk_object, bot_id, master, f"ed25519:{master}")
    return {
        device_id: master
        for device_id, device in keys["device_keys"][bot_id].items()
        if _signed_by(device, bot_id, ssk, f"ed25519:{ssk}")
    }


async def _cli(argv: list[str]) -> int:
    return await asyncio.to_thread(cli_main, argv)


def _config(world: BotWorld, path: Path) -> Path:
    settings = world.settings()
    path.write_text(
        f'[matrix]\nhomeserver = "{settings.matrix.homeserver}"\n'
        f'user_id = "{settings.matrix.user_id}"\n'
        f'[storage]\ndata_dir = "{settings.storage.data_dir}"\n'
        f'[partners]\nfile = "{world.partners_file}"\n'
        '[logging]\nlevel = "ERROR"\nformat = "text"\n',
        encoding="utf-8",
    )
    return path


def _lose_data_dir(data_dir: Path, aside: Path) -> None:
    """Everything in the data directory is gone; the database returns from its own backup."""
    database = data_dir / "avz-bot.sqlite3"
    shutil.copy2(database, aside)
    shutil.rmtree(data_dir)
    data_dir.mkdir()
    shutil.copy2(aside, database)


@pytest.mark.parametrize("new_device", [False, True], ids=["same-device", "old-device-gone"])
async def test_restore_keeps_the_identity_for_strict_partners(
    new_device: bool,
    world: BotWorld,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: Any,
) -> None:
    pieter = await world.partner("pieter", "politie")
    await pieter.cross_sign_own_device()
    bot = await world.start()
    old_device = bot.app.adapter.device_id
    room = await world.room_with_bot(pieter)
    await pieter.send_and_wait(room, "!ping", reply_from=world.bot_id, timeout=60)
    pinned = await strict_view(pieter, world.bot_id)
    master = pinned[old_device]

    settings = world.settings()
    config = _config(world, tmp_path / "avz-bot.toml")
    monkeypatch.setenv("AVZ_MATRIX__PASSWORD", world.bot_password)
    assert settings.matrix.pickle_key is not None
    monkeypatch.setenv("AVZ_MATRIX__PICKLE_KEY", settings.matrix.pickle_key.get_secret_value())
    monkeypatch.setenv("AVZ_BACKUP_PASSPHRASE", PASSPHRASE)
    archive = tmp_path / "avz-bot.backup"
    assert await _cli(["--config", str(config), "backup", "--out", str(archive)]) == 0
    assert "written" in capsys.readouterr().out
    assert archive.stat().st_mode & 0o777 == 0o600

    await bot.stop()
    _lose_data_dir(settings.storage.data_dir, tmp_path / "database-backup.sqlite3")
    if new_device:  # e.g. removed in a session list: the device and its keys are gone
        await world.synapse.admin_request(
            "DELETE",
            f"/_synapse/admin/v2/users/{quote(world.bot_id, safe='')}/devices/{old_device}",
        )

    restore = ["--config", str(config), "restore", str(archive)]
    monkeypatch.setenv("AVZ_BACKUP_PASSPHRASE", "not the passphrase at all")
    assert await _cli(restore) == 1
    assert "wrong passphrase" in capsys.readouterr().err
    monkeypatch.setenv("AVZ_BACKUP_PASSPHRASE", PASSPHRASE)
    assert await _cli(restore + (["--new-device"] if new_device else [])) == 0
    assert "restored" in capsys.readouterr().out
    assert await _cli(restore) == 1  # never over an existing identity
    assert "fresh data directory" in capsys.readouterr().err

    again = await world.start()
    device = again.app.adapter.device_id
    assert (device != old_device) if new_device else (device == old_device)
    # The strict partner sees the same identity, and only devices it accepts.
    assert await strict_view(pieter, world.bot_id) == {device: master}
    reply = await pieter.send_and_wait(room, "!ping", reply_from=world.bot_id, timeout=60)
    assert reply.encrypted and "pong" in reply.body
