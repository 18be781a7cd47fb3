"""Outages do not kill the bot: the database goes away while commands and a reminder arrive.

The bot runs as an operator runs it (``avz-bot run`` subprocess) on a private PostgreSQL
cluster that the test starts on its own port and stops for at least 30 seconds — never
the shared server. While it is down the bot keeps running and reports ``/readyz`` 503
with the reason; afterwards every command sent meanwhile is answered exactly once and
the reminder that fell due meanwhile arrives exactly once.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
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
from avz_bot.testkit.synapse import SynapseServer

pytestmark = pytest.mark.e2e

AMS = ZoneInfo("Europe/Amsterdam")
OUTAGE_SECONDS = 30
#: How the reminder itself reads (the listing of planned reminders quotes only the text).
REMINDER = "Herinnering: bel de wijkagent terug"
ALWAYS_OPEN = {
    "office_start": "00:00",
    "office_end": "23:59:59",
    "working_weekdays": [0, 1, 2, 3, 4, 5, 6],
    "observe_holidays": False,
}


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


async def test_database_outage_keeps_the_bot_running_and_loses_nothing(
    synapse: SynapseServer, make_partner: PartnerFactory, postgres: PrivatePostgres, tmp_path: Path
) -> None:
    local = datetime.now(AMS)
    if local.hour == 23 and local.minute >= 57:
        pytest.skip("the reminder must fall due today")
    bot_id, password = await new_bot_account(synapse)
    pieter = await make_partner("pieter")
    (tmp_path / "partners.toml").write_text(
        derive_partners([member_entry(pieter.user_id, "politie")]), encoding="utf-8"
    )
    overrides = operator_overrides(
        synapse.url,
        synapse.server_name,
        bot_id,
        tmp_path,
        storage={"database_url": postgres.url},
        calendar=ALWAYS_OPEN,
    )
    bot = BotProcess(tmp_path, overrides, password)
    try:
        await bot.start()
        room = await pieter.create_encrypted_room(name="overleg", invite=[bot_id])
        await pieter.wait_for_join(room, bot_id, timeout=60)
        await pieter.send_and_wait(room, "!ping", reply_from=bot_id, timeout=60)

        # A reminder at the next whole minute at least 15 s away: it falls due while the
        # database is down (the outage lasts until after it).
        due = (datetime.now(UTC) + timedelta(seconds=75)).replace(second=0, microsecond=0)
        if (due - datetime.now(UTC)).total_seconds() > 60 + 15:
            due -= timedelta(minutes=1)
        planned = await pieter.send_and_wait(
            room,
            f"!herinner {due.astimezone(AMS):%H:%M} bel de wijkagent terug",
            reply_from=bot_id,
            timeout=60,
        )
        assert "Herinnering" in planned.body or "herinner" in planned.body.lower()

        await postgres.stop()
        down_at = datetime.now(UTC)
        sent = [
            await pieter.send(room, body, timeout=60)
            for body in ("!ping", "!wie", "!herinneringen", "!ping")
        ]
        # Not ready, with the database named as the reason; the process keeps running.
        status, body = 0, {}
        for _ in range(60):
            status, body = await bot.readyz()
            if status == 503 and "database" in str(body.get("checks", {}).get("sync", "")):
                break
            await asyncio.sleep(0.5)
        assert status == 503, body
        assert body["checks"]["database"] == "unreachable"
        assert "database unavailable" in body["checks"]["sync"]
        until = max(down_at + timedelta(seconds=OUTAGE_SECONDS), due + timedelta(seconds=5))
        await asyncio.sleep(max(0.0, (until - datetime.now(UTC)).total_seconds()))
        assert bot.process is not None and bot.process.returncode is None, bot.log_text()[-3000:]

        await postgres.start()
        for event_id in sent:
            await pieter.wait_for_message(room, sender=bot_id, in_reply_to=event_id, timeout=120)
        reminder = await pieter.wait_for_message(
            room,
            sender=bot_id,
            predicate=lambda text: REMINDER in text,
            since_ts=int(down_at.timestamp() * 1000),
            timeout=120,
        )
        await bot.wait_ready(timeout=60)
        # Anything sent twice would have arrived by now.
        await asyncio.sleep(10)
        from_bot = [m for m in pieter.messages(room) if m.sender == bot_id]
        for event_id in sent:
            assert [m.in_reply_to for m in from_bot].count(event_id) == 1
        reminders = [m for m in from_bot if REMINDER in m.body]
        assert reminder.in_reply_to is None  # the reminder itself, not a reply
        assert len(reminders) == 1, [m.body[:40] for m in reminders]
        metrics = await bot.metrics()
        assert 'avz_database_unavailable_total{component="sync"}' in metrics
    finally:
        code = await bot.stop()
    log = bot.log_text()
    assert code == 0, log[-3000:]
    assert "Traceback" not in log
    assert '"level": "critical"' not in log
