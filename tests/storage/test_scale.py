"""Province scale: bounded replies and reads that do not grow with the data (issue 14).

Two generated provinces (``avz_bot.testkit.province``), a small one and one several
times larger with a person and a case far beyond every list bound, on SQLite and
PostgreSQL. Every listing command runs through the real core (claim, dispatch, audit,
outbox) with a fake homeserver; the tests read the queued reply and count the SQL
statements each command sends.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text

from avz_bot.clock import FakeClock
from avz_bot.domain.inbound import IncomingCommand
from avz_bot.domain.partners import Member, Organisation, OrgDomain, Role
from avz_bot.lists import content_size
from avz_bot.messages import Messages
from avz_bot.metrics import BotMetrics
from avz_bot.services.core import BotCore, txn_id_for
from avz_bot.services.directory import MemberDirectory
from avz_bot.services.units import AppServices
from avz_bot.testkit.province import Province, ProvinceSize, seed_province
from commands.framework import Dispatcher
from commands.registry import build_registry
from storage.db import Database, sqlite_url_for
from storage.outbox_repositories import OutboxRepository
from storage.repositories import PartnerRepository

NOW = datetime(2026, 11, 30, 9, 15, tzinfo=UTC)
DM = "!dm:avz.bench"

SMALL = ProvinceSize(
    cases=120,
    open_cases=40,
    agreements=600,
    open_agreements=200,
    pending_jobs=100,
    audit_rows=1_500,
    members=40,
    heavy_regie=4,
    heavy_agreements=5,
    heavy_proposals=2,
    busy_members=6,
    busy_agreements=4,
    busy_timeline=6,
    busy_reminders=3,
)
#: Every list of the heavy person and the busy case is far beyond the bounds.
LARGE = ProvinceSize(
    cases=700,
    open_cases=260,
    agreements=3_600,
    open_agreements=1_200,
    pending_jobs=600,
    audit_rows=8_000,
    members=200,
    heavy_regie=120,
    heavy_agreements=400,
    heavy_proposals=60,
    busy_members=150,
    busy_agreements=300,
    busy_timeline=400,
    busy_reminders=200,
)

#: (command, room, sender) of every command that shows a list; "heavy" is the person
#: with the most of everything.
LIST_COMMANDS: list[tuple[str, str]] = [
    ("!mijn", "dm"),
    ("!mijn pagina=2", "dm"),
    ("!acties", "busy"),
    ("!acties pagina=2", "busy"),
    ("!casus", "busy"),
    ("!rollen", "busy"),
    ("!rollen pagina=3", "busy"),
    ("!tijdlijn 100", "busy"),
    ("!tijdlijn pagina=2", "busy"),
    ("!herinneringen", "busy"),
    ("!regie", "busy"),
]


@dataclass
class World:
    database: Database
    province: Province
    core: BotCore
    services: AppServices
    statements: list[str]
    n: int = 0

    async def run(self, body: str, where: str, sender: str | None = None) -> dict[str, Any]:
        """Run one command as the heavy person; the reply's content as queued."""
        self.n += 1
        room = DM if where == "dm" else self.province.busy_room
        incoming = IncomingCommand(
            event_id=f"$cmd{self.n}-{uuid.uuid4().hex[:6]}",
            room_id=room,
            sender=sender or self.province.heavy_user,
            body=body,
            sent_at=NOW,
            received_at=NOW,
            device_verified=True,
            room_members=2 if where == "dm" else 40,
        )
        await self.core.message(incoming)
        async with self.database.session() as session:
            row = await OutboxRepository(session).get(txn_id_for("reply", incoming.event_id))
        assert row is not None, body
        return row.content

    async def count(self, body: str, where: str) -> int:
        """SQL statements one command sends (registry cache warm; any background send
        finished before and after, so nothing else is counted)."""
        await self.core.bulk_idle()
        self.statements.clear()
        await self.run(body, where)
        await self.core.bulk_idle()
        return len(self.statements)


class NullGateway:
    async def send(self, room_id: str, content: dict[str, Any], txn_id: str) -> str:
        return "$sent"


@asynccontextmanager
async def fresh_database(backend: str, tmp_path: Path, name: str) -> AsyncIterator[Database]:
    if backend == "sqlite":
        database = Database(sqlite_url_for(tmp_path / f"{name}.sqlite3"))
        try:
            yield database
        finally:
            await database.dispose()
        return
    url = os.environ.get(
        "AVZ_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
    )
    schema = f"avz_test_{uuid.uuid4().hex[:16]}"
    admin = Database(url)
    async with admin.engine.begin() as connection:
        await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    database = Database(url, schema=schema)
    try:
        yield database
    finally:
        await database.dispose()
        async with admin.engine.begin() as connection:
            await connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


@asynccontextmanager
async def world(
    backend: str, tmp_path: Path, size: ProvinceSize, name: str
) -> AsyncIterator[World]:
    async with fresh_database(backend, tmp_path, name) as database:
        await database.upgrade()
        province = await seed_province(database, size, NOW - timedelta(minutes=1))
        clock = FakeClock(NOW)
        messages = Messages()
        services = AppServices(clock=clock, version="test", messages=messages)
        core = BotCore(
            database=database,
            dispatcher=Dispatcher(build_registry(), messages, "!"),
            messages=messages,
            services=services,
            clock=clock,
            metrics=BotMetrics(),
            allowed_servers=["avz.bench"],
            undecryptable_grace=timedelta(minutes=5),
        )
        core.attach_gateway(NullGateway())
        statements: list[str] = []

        def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            statements.append(statement)

        event.listen(database.engine.sync_engine, "before_cursor_execute", count)
        async with database.session() as session:
            await services.members.rebuild(session)
        try:
            yield World(database, province, core, services, statements)
        finally:
            await core.close()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest, postgres_url: str | None) -> str:
    if request.param == "postgresql" and postgres_url is None:
        pytest.skip("PostgreSQL is not reachable")
    return str(request.param)


async def test_every_list_reply_stays_within_the_bound_and_says_how_to_see_more(
    backend: str, tmp_path: Path
) -> None:
    async with world(backend, tmp_path, LARGE, "large") as w:
        limit = w.services.limits.reply_max_bytes
        bodies: dict[str, str] = {}
        for body, where in LIST_COMMANDS:
            content = await w.run(body, where)
            assert content_size(content) <= limit, body
            bodies[body] = content["body"]
        # The lists are long, so each shows a page and how to get the next one.
        assert "en nog" in bodies["!mijn"] and "!mijn pagina=2" in bodies["!mijn"]
        assert "!mijn pagina=3" in bodies["!mijn pagina=2"]
        assert "!acties pagina=2" in bodies["!acties"]
        assert "!rollen pagina=2" in bodies["!casus"]
        assert "!rollen pagina=2" in bodies["!rollen"]
        assert "!tijdlijn pagina=2" in bodies["!tijdlijn 100"]
        assert "!herinneringen pagina=2" in bodies["!herinneringen"]
        # Most urgent first: the overdue agreements head the list, and page 2 continues
        # where page 1 stopped (no item twice).
        first = [line for line in bodies["!acties"].splitlines() if line.startswith("• ")]
        second = [line for line in bodies["!acties pagina=2"].splitlines() if line.startswith("• ")]
        assert len(first) == w.services.limits.list_items
        assert not set(first) & set(second)
        assert "VERLOPEN" in first[0]
        # Nothing was cut by the final guard: the lists page instead.
        assert not any("ingekort" in b for b in bodies.values())


async def test_statement_count_per_command_does_not_grow_with_the_province(
    backend: str, tmp_path: Path
) -> None:
    counts: dict[str, list[int]] = {}
    for size, name in ((SMALL, "small"), (LARGE, "large")):
        async with world(backend, tmp_path, size, name) as w:
            for body, where in LIST_COMMANDS:
                counts.setdefault(body, []).append(await w.count(body, where))
            assert w.services.members.loads == 1  # the registry is read once, not per command
    grown = {body: c for body, c in counts.items() if c[0] != c[1]}
    assert not grown, f"statements grew with the data (small, large): {grown}"
    # And they are few: a handful per command, not one per row (``!mijn`` is the most:
    # agreements, regie and proposals plus the signals, escalations, conferences and
    # helpdesk sections, each a bounded query or two).
    assert max(c[1] for c in counts.values()) <= 30, counts


async def test_the_registry_cache_serves_names_until_invalidated(database: Database) -> None:
    org = Organisation("politie", "Politie", OrgDomain.VEILIGHEID)
    pieter = Member("@pieter:avz.test", "Pieter", org, frozenset({Role.PROFESSIONAL}))
    async with database.session() as session, session.begin():
        await PartnerRepository(session).sync([org], [pieter])
    directory = MemberDirectory()
    async with database.session() as session:
        assert (await directory.members(session))[pieter.matrix_id].display_name == "Pieter"
        assert await directory.org_name(session, "politie") == "Politie"
    renamed = Member(pieter.matrix_id, "Pieter de Vries", org, pieter.roles)
    async with database.session() as session, session.begin():
        await PartnerRepository(session).sync([org], [renamed])
    async with database.session() as session:
        # Cached until the registry sync says otherwise…
        assert (await directory.members(session))[pieter.matrix_id].display_name == "Pieter"
        directory.invalidate()
        assert (await directory.members(session))[pieter.matrix_id].display_name == (
            "Pieter de Vries"
        )
    assert directory.loads == 2
