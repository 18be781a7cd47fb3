"""The operator's path through a real homeserver: private files after a fresh start,
clean stops during outages, ``avz-bot check`` on the rate limit, and the demo's cleanup.

Each starts ``avz-bot`` (or ``dev.py``'s ``avz-bot demo``) as a process, as an operator does.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import stat
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest

from avz_bot.testkit.partner import PartnerFactory
from avz_bot.testkit.postgres import PostgresNotFoundError, PrivatePostgres
from avz_bot.testkit.process import (
    BotProcess,
    derive_partners,
    member_entry,
    new_bot_account,
    operator_overrides,
)
from avz_bot.testkit.synapse import SynapseNotFoundError, SynapseServer, find_synapse_python

pytestmark = pytest.mark.e2e


@contextlib.contextmanager
def operator_umask(mask: int = 0o022) -> Iterator[None]:
    """The usual umask for the processes started inside (they inherit it)."""
    before = os.umask(mask)
    try:
        yield
    finally:
        os.umask(before)


def _exists(path: str) -> bool:
    return os.path.exists(path)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


async def _started_bot(
    synapse: SynapseServer,
    make_partner: PartnerFactory,
    tmp_path: Path,
    **sections: dict[str, object],
) -> tuple[BotProcess, str]:
    bot_id, password = await new_bot_account(synapse)
    pieter = await make_partner("pieter")
    (tmp_path / "partners.toml").write_text(
        derive_partners([member_entry(pieter.user_id, "politie")]), encoding="utf-8"
    )
    overrides = operator_overrides(synapse.url, synapse.server_name, bot_id, tmp_path, **sections)
    bot = BotProcess(tmp_path, overrides, password)
    with operator_umask():
        await bot.start()
    room = await pieter.create_encrypted_room(name="overleg", invite=[bot_id])
    await pieter.wait_for_join(room, bot_id, timeout=60)
    await pieter.send_and_wait(room, "!ping", reply_from=bot_id, timeout=60)
    return bot, bot_id


async def test_a_fresh_start_under_umask_022_keeps_everything_private(
    synapse: SynapseServer, make_partner: PartnerFactory, tmp_path: Path
) -> None:
    bot, _ = await _started_bot(synapse, make_partner, tmp_path)
    try:
        data = tmp_path / "data"
        assert mode(data) == 0o700
        for name in ("credentials.json", "cross-signing.json", "avz-bot.sqlite3", "avz-bot.lock"):
            assert mode(data / name) == 0o600, name
        for path in data.rglob("*"):  # the encryption store too
            assert mode(path) & 0o077 == 0, (path, oct(mode(path)))
    finally:
        assert await bot.stop() == 0


@pytest.fixture
async def postgres() -> AsyncIterator[PrivatePostgres]:
    """A private PostgreSQL cluster on its own port (never the shared one)."""
    try:
        cluster = PrivatePostgres()
    except PostgresNotFoundError as exc:
        pytest.skip(f"outage tests need the PostgreSQL server binaries: {exc}")
    await cluster.start()
    try:
        yield cluster
    finally:
        await cluster.destroy()


async def test_sigterm_during_a_database_outage_exits_0_and_closes_what_it_holds(
    synapse: SynapseServer, make_partner: PartnerFactory, postgres: PrivatePostgres, tmp_path: Path
) -> None:
    bot, _ = await _started_bot(
        synapse, make_partner, tmp_path, storage={"database_url": postgres.url}
    )
    try:
        await postgres.stop()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 60
        while True:  # the bot has noticed: not ready, waiting for the database
            status, body = await bot.readyz()
            if status == 503 and body.get("checks", {}).get("database") == "unreachable":
                break
            assert loop.time() < deadline, body
            await asyncio.sleep(0.5)
    finally:
        code = await bot.stop()
    log = bot.log_text()
    assert code == 0, log[-3000:]
    assert "Unclosed" not in log and "Traceback" not in log
    assert '"avz-bot stopped"' in log


async def test_check_says_whether_the_rate_limit_is_lifted_and_how_to_lift_it(
    synapse: SynapseServer, make_partner: PartnerFactory, tmp_path: Path
) -> None:
    bot, bot_id = await _started_bot(synapse, make_partner, tmp_path)
    assert await bot.stop() == 0  # check runs beside or instead of the bot: its token stays
    bot.env["SYNAPSE_ADMIN_TOKEN"] = synapse.admin_token or ""
    code, out = await bot.cli("check")
    assert code == 0, out
    assert "ok:      the bot's stored access token is valid" in out
    assert "ok:      the bot's rate limit is lifted" in out

    # The same bot without its exemption: not lifted, and the call that lifts it.
    await synapse.admin_request(
        "DELETE", f"/_synapse/admin/v1/users/{bot_id.replace('@', '%40')}/override_ratelimit"
    )
    code, out = await bot.cli("check")
    assert code == 1, out
    assert "PROBLEM: the bot's rate limit is NOT lifted" in out
    assert "override_ratelimit" in out and "curl -X POST" in out

    # Without an admin token the bot cannot read it, and says so.
    del bot.env["SYNAPSE_ADMIN_TOKEN"]
    code, out = await bot.cli("check")
    assert code == 0, out
    assert "cannot tell whether the bot's rate limit is lifted" in out
    assert "curl -X POST" in out


async def test_demo_keep_stops_its_homeserver_and_bot_on_sigterm(tmp_path: Path) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "avz_bot",
        "demo",
        "--keep",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    assert process.stdout is not None
    lines: list[str] = []
    try:
        while not any("configuratie:" in line for line in lines):
            raw = await asyncio.wait_for(process.stdout.readline(), timeout=600)
            assert raw, "".join(lines)
            lines.append(raw.decode(errors="replace"))
        homeserver = next(line for line in lines if "homeserver:" in line).split()[-1]
        ops = next(line for line in lines if "ops-endpoint" in line).split()[-1]
        config = next(line for line in lines if "configuratie:" in line).split()[1].rstrip(";")
        process.send_signal(signal.SIGTERM)
        rest, _ = await asyncio.wait_for(process.communicate(), timeout=120)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    output = "".join(lines) + rest.decode(errors="replace")
    assert process.returncode == 0, output[-3000:]
    for url in (homeserver + "/_matrix/client/versions", ops):
        with pytest.raises((aiohttp.ClientError, OSError)):
            async with aiohttp.ClientSession() as http, http.get(url) as response:
                await response.read()
    assert not _exists(config), "the demo's files were left behind"


@pytest.fixture
async def own_synapse(tmp_path: Path) -> AsyncIterator[SynapseServer]:
    """A homeserver of this test alone (it is stopped mid-test)."""
    try:
        find_synapse_python()
    except SynapseNotFoundError as exc:
        pytest.skip(f"end-to-end tests need Synapse: {exc}")
    server = SynapseServer(tmp_path / "synapse")
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def test_sigterm_during_a_homeserver_outage_exits_0_and_closes_what_it_holds(
    own_synapse: SynapseServer, tmp_path: Path
) -> None:
    bot_id, password = await new_bot_account(own_synapse)
    (tmp_path / "partners.toml").write_text(derive_partners([]), encoding="utf-8")
    overrides = operator_overrides(own_synapse.url, own_synapse.server_name, bot_id, tmp_path)
    bot = BotProcess(tmp_path, overrides, password)
    try:
        await bot.start()
        await own_synapse.stop()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 60
        while '"sync failed' not in bot.log_text() and "unreachable" not in bot.log_text():
            assert loop.time() < deadline, bot.log_text()[-3000:]
            await asyncio.sleep(0.5)
    finally:
        code = await bot.stop()
    log = bot.log_text()
    assert code == 0, log[-3000:]
    assert "Unclosed" not in log and "Traceback" not in log
    assert '"avz-bot stopped"' in log
