"""A refused command keeps nothing: the dispatcher answers the refusal, the runtime rolls
the command's transaction back (whatever the handler had begun) and records the refusal
and its reply in a new one. Never a traceback, never a half-written change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from avz_bot.clock import FakeClock
from avz_bot.domain.inbound import IncomingCommand
from avz_bot.domain.partners import Member, Organisation, OrgDomain, Role
from avz_bot.formatting import text
from avz_bot.messages import Messages
from avz_bot.metrics import BotMetrics
from avz_bot.runtime.core import BotCore
from avz_bot.runtime.units import AppServices
from avz_bot.services.refusal import Refused
from commands.framework import (
    AuditNote,
    CommandContext,
    CommandSpec,
    Dispatcher,
    HandlerResult,
    Registry,
)
from commands.registry import build_registry
from storage.db import Database
from storage.registry_repositories import PartnerRepository
from storage.runtime_models import ProcessedEventRecord
from storage.runtime_repositories import RoomRepository, SyncStateRepository

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ROOM = "!room:avz.test"
ORG = Organisation("politie", "Politie", OrgDomain.VEILIGHEID)
PIETER = Member("@pieter:avz.test", "Pieter", ORG, frozenset({Role.PROFESSIONAL}))
BEGUN = "test.half_written"


class Gateway:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    async def send(self, room_id: str, content: dict[str, Any], txn_id: str) -> str:
        self.sent.append(content)
        return f"$sent-{len(self.sent)}"


async def half(ctx: CommandContext, args: Any) -> HandlerResult:
    """Begins a change, then is refused (as a service refuses halfway)."""
    await SyncStateRepository(ctx.services.session).set(BEGUN, "yes", ctx.services.now())
    ctx.audit.append(AuditNote("test.begun"))
    raise Refused(text("Dat kan nu niet."))


async def test_a_refused_command_keeps_nothing_it_began(database: Database) -> None:
    clock = FakeClock(START)
    messages = Messages()
    spec = CommandSpec(
        name="half", aliases=(), summary_key="cmd.ping.summary", handler=half, changes_state=True
    )
    bot = BotCore(
        database=database,
        dispatcher=Dispatcher(Registry([*build_registry().specs(), spec]), messages, "!"),
        messages=messages,
        services=AppServices(clock=clock, version="test", messages=messages),
        clock=clock,
        metrics=BotMetrics(),
        allowed_servers=["avz.test"],
        undecryptable_grace=timedelta(seconds=30),
    )
    gateway = Gateway()
    bot.attach_gateway(gateway)
    async with database.session() as session, session.begin():
        await PartnerRepository(session).sync([ORG], [PIETER])
        await RoomRepository(session).record_join(ROOM, START - timedelta(days=1), True)

    command = IncomingCommand("$half", ROOM, PIETER.matrix_id, "!half", START, START)
    await bot.message(command)

    assert [c["body"] for c in gateway.sent] == ["Dat kan nu niet."]
    async with database.session() as session:
        assert await SyncStateRepository(session).get(BEGUN) is None  # rolled back
        record = await session.get(ProcessedEventRecord, "$half")
        assert record is not None
        assert (record.command, record.outcome) == ("half", "refused")
    # Claimed in the new transaction: a replay is not run again.
    await bot.message(command)
    assert len(gateway.sent) == 1
