"""The outbox never blocks: fault injection through a fake gateway, on both backends.

The real core (``BotCore``), outbox and audit trail run against a real database; only
the homeserver is replaced by a gateway that fails on command: permanently for one
room, transiently for another, or not at all.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from avz_bot.clock import FakeClock
from avz_bot.domain.inbound import Reply
from avz_bot.formatting import text
from avz_bot.lists import content_size
from avz_bot.messages import Messages
from avz_bot.metrics import BotMetrics
from avz_bot.ports import SendError
from avz_bot.runtime.core import BotCore, txn_id_for
from avz_bot.runtime.units import AppServices
from avz_bot.settings_sections.limits import LimitSettings
from commands.framework import Dispatcher
from commands.registry import build_registry
from storage.audit_repositories import AuditRepository
from storage.db import Database
from storage.outbox_repositories import LANE_BULK, OutboxRepository
from storage.runtime_repositories import RoomRepository

T0 = datetime(2026, 11, 30, 8, 30, tzinfo=UTC)
BROKEN = "!broken:avz.test"
FLAKY = "!flaky:avz.test"
HEALTHY = "!healthy:avz.test"
OTHER = "!other:avz.test"


class FakeGateway:
    """Records every send; fails as told per room (``fail[room] = SendError``)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []  # (room, body) in sending order
        self.tried: list[str] = []  # rooms, every attempt
        self.fail: dict[str, SendError] = {}
        self.hang: set[str] = set()
        self.too_large_marker = "ENORM"

    async def send(self, room_id: str, content: dict[str, Any], txn_id: str) -> str:
        self.tried.append(room_id)
        if room_id in self.hang:
            await asyncio.sleep(3600)
        if self.too_large_marker in str(content.get("body", "")):
            raise SendError("M_TOO_LARGE", permanent=True)
        if room_id in self.fail:
            raise self.fail[room_id]
        self.sent.append((room_id, str(content.get("body"))))
        return f"$event{len(self.sent)}"


def make_core(
    database: Database, clock: FakeClock, limits: LimitSettings | None = None
) -> tuple[BotCore, FakeGateway, AppServices]:
    messages = Messages()
    services = AppServices(
        clock=clock,
        version="test",
        messages=messages,
        limits=limits or LimitSettings(bulk_per_second=1000, send_timeout_seconds=5),
    )
    core = BotCore(
        database=database,
        dispatcher=Dispatcher(build_registry(), messages, "!"),
        messages=messages,
        services=services,
        clock=clock,
        metrics=BotMetrics(),
        allowed_servers=["avz.test"],
        undecryptable_grace=timedelta(minutes=5),
    )
    gateway = FakeGateway()
    core.attach_gateway(gateway)
    return core, gateway, services


async def queue(
    database: Database,
    services: AppServices,
    key: str,
    room: str,
    body: str,
    *,
    lane: int = 0,
    sender: str | None = None,
) -> str:
    txn = txn_id_for("reply", key)
    async with database.session() as session, session.begin():
        await services.queue(
            session,
            txn,
            room,
            text(body),
            in_reply_to=f"$cmd-{key}",
            lane=lane,
            requested_by=sender,
        )
    return txn


async def test_a_permanent_failure_is_set_aside_and_never_delays_other_rooms(
    database: Database,
) -> None:
    clock = FakeClock(T0)
    core, gateway, services = make_core(database, clock)
    # The refused reply is the OLDEST message: before, it stopped everything behind it.
    big = await queue(database, services, "big", BROKEN, "ENORM lijst", sender="@anouk:avz.test")
    await queue(database, services, "b1", HEALTHY, "antwoord 1")
    await queue(database, services, "o1", OTHER, "antwoord 2")

    assert await core.flush_outbox() == 3  # two replies and the notice to the sender

    assert ("!healthy:avz.test", "antwoord 1") in gateway.sent
    assert ("!other:avz.test", "antwoord 2") in gateway.sent
    assert gateway.tried.count(BROKEN) == 2  # the refused reply once, then the notice
    async with database.session() as session:
        row = await OutboxRepository(session).get(big)
        assert row is not None and row.failure == "M_TOO_LARGE" and row.sent_at == T0
        assert row.remote_event_id is None
        audit = await AuditRepository(session).list(entity_type="outbox", entity_id=big)
        assert [e.action for e in audit] == ["outbox.dead_letter"]
        assert audit[0].details["reason"] == "M_TOO_LARGE"
        notice = await OutboxRepository(session).get(txn_id_for("undeliverable", big))
    assert notice is not None and notice.sent_at is not None and notice.room_id == BROKEN
    assert notice.content["body"].startswith("Mijn antwoord kon niet worden verstuurd")
    assert notice.content["m.mentions"] == {"user_ids": ["@anouk:avz.test"]}
    # It answers the same command the lost reply answered.
    assert notice.content["m.relates_to"] == {"m.in_reply_to": {"event_id": "$cmd-big"}}
    # A second flush does not retry the dead letter.
    gateway.tried.clear()
    assert await core.flush_outbox() == 0
    assert gateway.tried == []


async def test_a_transient_failure_backs_off_only_that_room_keeping_its_order(
    database: Database,
) -> None:
    clock = FakeClock(T0)
    core, gateway, services = make_core(database, clock)
    gateway.fail[FLAKY] = SendError("M_UNKNOWN", permanent=False)
    first = await queue(database, services, "f1", FLAKY, "eerste")
    await queue(database, services, "f2", FLAKY, "tweede")
    await queue(database, services, "h1", HEALTHY, "gezond")

    assert await core.flush_outbox() == 1
    assert gateway.sent == [(HEALTHY, "gezond")]
    assert gateway.tried.count(FLAKY) == 1  # its second message waits behind the first
    async with database.session() as session:
        row = await OutboxRepository(session).get(first)
    assert row is not None and row.attempts == 1 and row.sent_at is None
    assert row.not_before == T0 + timedelta(seconds=2)

    # Other rooms keep going while the flaky room waits.
    await queue(database, services, "h2", HEALTHY, "nog een")
    assert await core.flush_outbox() == 1
    assert gateway.tried.count(FLAKY) == 1

    # After the back-off the room gets its messages, in order.
    del gateway.fail[FLAKY]
    clock.advance(timedelta(seconds=3))
    assert await core.flush_outbox() == 2
    assert gateway.sent[-2:] == [(FLAKY, "eerste"), (FLAKY, "tweede")]


async def test_a_rate_limit_waits_as_long_as_the_homeserver_says(database: Database) -> None:
    clock = FakeClock(T0)
    core, gateway, services = make_core(database, clock)
    gateway.fail[FLAKY] = SendError("M_LIMIT_EXCEEDED", permanent=False, retry_after=7.5)
    txn = await queue(database, services, "f1", FLAKY, "eerste")
    await core.flush_outbox()
    async with database.session() as session:
        row = await OutboxRepository(session).get(txn)
    assert row is not None and row.not_before == T0 + timedelta(seconds=7.5)


async def test_a_hanging_room_does_not_hold_up_the_others_for_ever(database: Database) -> None:
    clock = FakeClock(T0)
    limits = LimitSettings(bulk_per_second=1000, send_timeout_seconds=0.2)
    core, gateway, services = make_core(database, clock, limits)
    gateway.hang.add(FLAKY)
    await queue(database, services, "f1", FLAKY, "hangt")
    await queue(database, services, "h1", HEALTHY, "gezond")
    assert await core.flush_outbox() == 1
    assert gateway.sent == [(HEALTHY, "gezond")]
    async with database.session() as session:
        pending = await OutboxRepository(session).pending()
    assert [(r.room_id, r.attempts) for r in pending] == [(FLAKY, 1)]


async def test_a_room_the_bot_left_is_a_dead_letter_without_a_notice(database: Database) -> None:
    clock = FakeClock(T0)
    core, gateway, services = make_core(database, clock)
    async with database.session() as session, session.begin():
        rooms = RoomRepository(session)
        await rooms.record_join(BROKEN, T0 - timedelta(days=1), True)
        await rooms.mark_left(BROKEN, T0)
    txn = await queue(database, services, "l1", BROKEN, "weg", sender="@anouk:avz.test")
    assert await core.flush_outbox() == 0
    assert gateway.tried == []
    async with database.session() as session:
        row = await OutboxRepository(session).get(txn)
        assert row is not None and row.failure == "room_left"
        assert await OutboxRepository(session).pending() == []


async def test_replies_go_before_bulk_and_bulk_is_sent_exactly_once(database: Database) -> None:
    clock = FakeClock(T0)
    core, gateway, services = make_core(database, clock)
    for n in range(60):
        await queue(
            database,
            services,
            f"r{n}",
            f"!case{n % 7}:avz.test",
            f"herinnering {n}",
            lane=LANE_BULK,
        )
    await queue(database, services, "cmd", HEALTHY, "antwoord")

    assert await core.flush_outbox() == 1
    # The command's reply went out first although 60 reminders were queued before it.
    assert gateway.sent[0] == (HEALTHY, "antwoord")
    await core.bulk_idle()
    bodies = [body for _, body in gateway.sent[1:]]
    assert sorted(bodies) == sorted(f"herinnering {n}" for n in range(60))
    assert len(bodies) == 60  # exactly once
    assert bodies == [f"herinnering {n}" for n in range(60)]  # and in order
    await core.close()


async def test_no_queued_message_exceeds_the_configured_size(database: Database) -> None:
    clock = FakeClock(T0)
    core, _gateway, services = make_core(database, clock)
    huge = Reply(plain="regel\n" * 40_000, html="<b>x</b>" * 40_000, mentions=("@a:avz.test",))
    async with database.session() as session, session.begin():
        await services.queue(session, "avz-huge", HEALTHY, huge, in_reply_to="$cmd")
    async with database.session() as session:
        row = await OutboxRepository(session).get("avz-huge")
    assert row is not None
    assert content_size(row.content) <= services.limits.reply_max_bytes
    assert row.content["body"].endswith(Messages().t("list.cut"))
    assert row.content["m.mentions"] == {"user_ids": ["@a:avz.test"]}
    assert await core.flush_outbox() == 1
