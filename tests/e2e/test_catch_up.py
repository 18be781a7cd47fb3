"""A catch-up after downtime under Synapse's default rate limits.

The testkit's homeserver normally lifts every rate limit. Here a homeserver keeps
Synapse's default ``rc_message`` (0.2 messages/s after a burst of 10) for the bot, as a
deployment that did not exempt the bot would: 25 commands sent while the bot was down
take over a minute to answer. Every command must be answered exactly once, the 429s
must show in ``/metrics``, and ``/readyz`` must stay 200 throughout — the bot is busy,
not unready (``ready_max_sync_age_seconds`` is set far below the catch-up's length).
"""

from __future__ import annotations

import asyncio
import re
import secrets
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from avz_bot.testkit.partner import PartnerClient
from avz_bot.testkit.process import (
    BotProcess,
    derive_partners,
    member_entry,
    new_bot_account,
    operator_overrides,
)
from avz_bot.testkit.synapse import SynapseNotFoundError, SynapseServer, find_synapse_python

pytestmark = pytest.mark.e2e

COMMANDS = 25
READY_MAX_AGE = 20


@pytest.fixture
async def limited_synapse(tmp_path: Path) -> AsyncIterator[SynapseServer]:
    """A homeserver with Synapse's default message rate limit."""
    try:
        find_synapse_python()
    except SynapseNotFoundError as exc:
        pytest.skip(f"end-to-end tests need Synapse: {exc}")
    server = SynapseServer(tmp_path / "synapse", default_message_limits=True)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def test_catch_up_under_default_rate_limits_answers_each_command_once(
    limited_synapse: SynapseServer, tmp_path: Path
) -> None:
    synapse = limited_synapse
    bot_id, password = await new_bot_account(synapse, rate_limited=True)
    partner_password = secrets.token_urlsafe(16)
    pieter_id = await synapse.register_user(f"pieter-{secrets.token_hex(3)}", partner_password)
    await synapse.override_ratelimit(pieter_id)  # only the bot is limited
    pieter = await PartnerClient.create(
        synapse.url, pieter_id, partner_password, tmp_path / "pieter"
    )
    (tmp_path / "partners.toml").write_text(
        derive_partners([member_entry(pieter_id, "politie")]), encoding="utf-8"
    )
    overrides = operator_overrides(
        synapse.url,
        synapse.server_name,
        bot_id,
        tmp_path,
        http={"ready_max_sync_age_seconds": READY_MAX_AGE},
    )
    bot = BotProcess(tmp_path, overrides, password)
    try:
        await bot.start()
        room = await pieter.create_encrypted_room(name="overleg", invite=[bot_id])
        await pieter.wait_for_join(room, bot_id, timeout=60)
        await pieter.send_and_wait(room, "!ping", reply_from=bot_id, timeout=60)
        assert await bot.stop() == 0

        sent = [await pieter.send(room, "!ping", timeout=60) for _ in range(COMMANDS)]
        await bot.start(upgrade=False)
        statuses: list[tuple[int, str]] = []

        async def watch_readiness() -> None:
            while True:
                status, body = await bot.readyz()
                statuses.append((status, str(body.get("checks"))))
                await asyncio.sleep(1)

        watcher = asyncio.create_task(watch_readiness())
        try:
            for event_id in sent:
                await pieter.wait_for_message(
                    room, sender=bot_id, in_reply_to=event_id, timeout=300
                )
        finally:
            watcher.cancel()
        await asyncio.sleep(10)  # a duplicate would have arrived by now
        replies = [m.in_reply_to for m in pieter.messages(room) if m.sender == bot_id]
        for event_id in sent:
            assert replies.count(event_id) == 1
        assert statuses and all(status == 200 for status, _ in statuses), statuses
        metrics = await bot.metrics()
        limited = re.search(
            r'^avz_homeserver_rate_limited_total\{request="send"\} (\d+)', metrics, re.M
        )
        assert limited is not None and float(limited.group(1)) > 0, metrics
        # The catch-up really outlasted the readiness bound: readiness follows progress.
        assert len(statuses) > READY_MAX_AGE, len(statuses)
    finally:
        code = await bot.stop()
        await pieter.close()
    assert code == 0
    assert "Traceback" not in bot.log_text()
