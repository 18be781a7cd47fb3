"""A warm standby on PostgreSQL: two ``avz-bot run`` processes, one acts.

Both run as deployed (the console script, default log level) on one private PostgreSQL
cluster, each with its own data directory and device; the standby's directory is prepared
as the README says (``avz-bot restore <backup> --new-device``: the same cross-signing keys,
a device of its own). The active one is killed with SIGKILL in the middle of a burst of
commands while a reminder falls due: the standby takes over, every command is answered
exactly once and the reminder is sent exactly once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

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
from avz_bot.testkit.proxy import TcpProxy
from avz_bot.testkit.synapse import SynapseServer

pytestmark = pytest.mark.e2e

AMS = ZoneInfo("Europe/Amsterdam")
LEASE_SECONDS = 6
REMINDER = "Herinnering: bel de wijkagent terug"
ALWAYS_OPEN = {
    "office_start": "00:00",
    "office_end": "23:59:59",
    "working_weekdays": [0, 1, 2, 3, 4, 5, 6],
    "observe_holidays": False,
}
PASSPHRASE = {"AVZ_BACKUP_PASSPHRASE": "standby test passphrase"}


@pytest.fixture
async def postgres() -> AsyncIterator[PrivatePostgres]:
    """A private PostgreSQL cluster on its own port (never the shared one)."""
    try:
        cluster = PrivatePostgres()
    except PostgresNotFoundError as exc:
        pytest.skip(f"standby tests need the PostgreSQL server binaries: {exc}")
    await cluster.start()
    try:
        yield cluster
    finally:
        await cluster.destroy()


def _overrides(
    synapse: SynapseServer, bot_id: str, base: Path, name: str, database_url: str
) -> dict[str, dict[str, Any]]:
    overrides = operator_overrides(
        synapse.url,
        synapse.server_name,
        bot_id,
        base,
        storage={"database_url": database_url},
        calendar=ALWAYS_OPEN,
        standby={"enabled": True, "lease_seconds": LEASE_SECONDS, "instance_name": name},
    )
    overrides["partners"] = {"file": str(base.parent / "partners.toml")}
    return overrides


async def start_pair(
    synapse: SynapseServer,
    bot_id: str,
    password: str,
    tmp_path: Path,
    database_url: str,
    active_url: str | None = None,
) -> tuple[BotProcess, BotProcess]:
    """The active process (on ``active_url`` if given), then a standby prepared from its
    backup (README steps)."""
    active = BotProcess(
        tmp_path / "a",
        _overrides(synapse, bot_id, tmp_path / "a", "host-a", active_url or database_url),
        password,
        env=dict(PASSPHRASE),
    )
    await active.start()
    archive = tmp_path / "identity.backup"
    code, out = await active.cli("backup", "--out", str(archive))
    assert code == 0, out
    standby = BotProcess(
        tmp_path / "b",
        _overrides(synapse, bot_id, tmp_path / "b", "host-b", database_url),
        password,
        env=dict(PASSPHRASE),
    )
    code, out = await standby.cli("restore", str(archive), "--new-device")
    assert code == 0, out
    await standby.start(upgrade=False)
    return active, standby


async def role(bot: BotProcess) -> str:
    _, body = await bot.readyz()
    return str(body.get("checks", {}).get("role"))


async def wait_role(bot: BotProcess, wanted: str, timeout: float = 120) -> float:
    """Poll ``/readyz`` until ``bot`` reports ``wanted``; the seconds it took."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            if await role(bot) == wanted:
                return time.monotonic() - started
        except OSError:
            pass
        await asyncio.sleep(0.2)
    raise AssertionError(f"not {wanted} within {timeout}s: {bot.log_text()[-3000:]}")


async def test_kill_9_of_the_active_process_loses_and_doubles_nothing(
    synapse: SynapseServer, make_partner: PartnerFactory, postgres: PrivatePostgres, tmp_path: Path
) -> None:
    local = datetime.now(AMS)
    if local.hour == 23 and local.minute >= 55:
        pytest.skip("the reminder must fall due today")
    bot_id, password = await new_bot_account(synapse)
    pieter = await make_partner("pieter")
    (tmp_path / "partners.toml").write_text(
        derive_partners([member_entry(pieter.user_id, "politie")]), encoding="utf-8"
    )
    active, standby = await start_pair(synapse, bot_id, password, tmp_path, postgres.url)
    try:
        assert await role(active) == "active"
        assert await role(standby) == "standby"
        assert 'avz_role{role="standby"} 1.0' in await standby.metrics()
        room = await pieter.create_encrypted_room(name="overleg", invite=[bot_id])
        await pieter.wait_for_join(room, bot_id, timeout=60)
        await pieter.send_and_wait(room, "!ping", reply_from=bot_id, timeout=60)

        # A reminder at the next whole minute at least 20 s away: due around the kill.
        due = (datetime.now(UTC) + timedelta(seconds=80)).replace(second=0, microsecond=0)
        if (due - datetime.now(UTC)).total_seconds() > 60 + 20:
            due -= timedelta(minutes=1)
        await pieter.send_and_wait(
            room,
            f"!herinner {due.astimezone(AMS):%H:%M} bel de wijkagent terug",
            reply_from=bot_id,
            timeout=60,
        )
        await asyncio.sleep(max(0.0, (due - datetime.now(UTC)).total_seconds() - 3))

        sent = [await pieter.send(room, "!ping", timeout=60) for _ in range(3)]
        assert active.process is not None
        active.process.kill()  # SIGKILL: no clean shutdown, the lease is not released
        await active.process.wait()
        sent += [await pieter.send(room, body, timeout=60) for body in ("!ping", "!wie", "!ping")]
        took = await wait_role(standby, "active")
        print(f"standby active {took:.1f} s after the kill (lease {LEASE_SECONDS} s)")

        for event_id in sent:
            await pieter.wait_for_message(room, sender=bot_id, in_reply_to=event_id, timeout=120)
        await pieter.wait_for_message(
            room, sender=bot_id, predicate=lambda text: REMINDER in text, timeout=120
        )
        await asyncio.sleep(10)  # anything sent twice would have arrived by now
        from_bot = [m for m in pieter.messages(room) if m.sender == bot_id]
        replies = Counter(m.in_reply_to for m in from_bot)
        reminders = len([m for m in from_bot if REMINDER in m.body])
        before_kill, after_kill = sent[:3], sent[3:]
        # Nothing is lost; what arrives after the kill is answered exactly once.
        assert all(replies[event_id] >= 1 for event_id in sent) and reminders >= 1
        assert [replies[event_id] for event_id in after_kill] == [1, 1, 1]
        # The known limit (README, "Warm standby"; issue 20 is open for it): a message the
        # homeserver accepted from the killed device but that was not yet marked sent is
        # sent again by the new device (transaction ids de-duplicate per device only).
        # The outbox sends one message at a time, so at most the one in flight repeats.
        repeated = sum(replies[event_id] - 1 for event_id in before_kill) + reminders - 1
        assert repeated <= 1, (dict(replies), reminders)
        assert 'avz_role{role="active"} 1.0' in await standby.metrics()
    finally:
        await active.stop()
        code = await standby.stop()
    for bot in (active, standby):
        assert "Traceback" not in bot.log_text()
    assert code == 0, standby.log_text()[-3000:]


def _log_events(bot: BotProcess) -> list[dict[str, Any]]:
    lines = []
    for line in bot.log_text().splitlines():
        with contextlib.suppress(ValueError):
            lines.append(json.loads(line))
    return lines


def _first(lines: list[dict[str, Any]], event: str) -> str:
    return next(str(line["ts"]) for line in lines if line.get("event") == event)


async def test_an_active_process_cut_off_from_the_database_stops_before_the_standby_starts(
    synapse: SynapseServer, make_partner: PartnerFactory, postgres: PrivatePostgres, tmp_path: Path
) -> None:
    bot_id, password = await new_bot_account(synapse)
    pieter = await make_partner("pieter")
    (tmp_path / "partners.toml").write_text(
        derive_partners([member_entry(pieter.user_id, "politie")]), encoding="utf-8"
    )
    proxy = TcpProxy("127.0.0.1", postgres.port)
    await proxy.start()
    via_proxy = postgres.url.replace(f":{postgres.port}/", f":{proxy.port}/")
    active, standby = await start_pair(
        synapse, bot_id, password, tmp_path, postgres.url, active_url=via_proxy
    )
    try:
        room = await pieter.create_encrypted_room(name="overleg", invite=[bot_id])
        await pieter.wait_for_join(room, bot_id, timeout=60)
        await pieter.send_and_wait(room, "!ping", reply_from=bot_id, timeout=60)

        await proxy.cut()  # the active process lives on, without its database
        sent = [await pieter.send(room, body, timeout=60) for body in ("!ping", "!wie", "!ping")]
        await wait_role(standby, "active")
        for event_id in sent:
            await pieter.wait_for_message(room, sender=bot_id, in_reply_to=event_id, timeout=120)
        assert active.process is not None
        code = await asyncio.wait_for(active.process.wait(), timeout=120)
        assert code == 1  # it stopped: its supervisor restarts it as the standby
        await asyncio.sleep(10)  # anything sent twice would have arrived by now
        from_bot = [m for m in pieter.messages(room) if m.sender == bot_id]
        for event_id in sent:
            assert [m.in_reply_to for m in from_bot].count(event_id) == 1
    finally:
        await active.stop()
        await standby.stop()
        await proxy.cut()
    old, new = _log_events(active), _log_events(standby)
    # Same host, same clock: the cut-off process stopped acting before the standby began.
    assert _first(old, "lease lost: this process stops acting") < _first(
        new, "lease taken: this process is active"
    )
    handled_by_old = {
        line.get("event_id") for line in old if line.get("event") == "command handled"
    }
    assert not handled_by_old & set(sent)
    assert "lost the lease" in active.log_text()
    for bot in (active, standby):
        assert "Traceback" not in bot.log_text()
