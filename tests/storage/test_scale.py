"""Province scale: bounded replies and reads that do not grow with the data (issue 14).

Two generated provinces (``avz_bot.testkit.province``), a small one and one several
times larger with a person, a case and the lists of every area (signals, TVO agenda,
escalations, conferences, helpdesk questions and search) far beyond every list bound,
on SQLite and PostgreSQL. Every listing command runs through the real core (claim,
dispatch, audit, outbox) with a fake homeserver; the tests read the queued reply and
count the SQL statements each command sends. A tiny province with pages of three items
shows how each area's list pages.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from pydantic import BaseModel
from sqlalchemy import event, text

from avz_bot.clock import FakeClock
from avz_bot.domain.inbound import IncomingCommand
from avz_bot.domain.partners import Member, Organisation, OrgDomain, Role
from avz_bot.lists import content_size
from avz_bot.messages import Messages
from avz_bot.metrics import BotMetrics
from avz_bot.runtime.core import BotCore, txn_id_for
from avz_bot.runtime.units import AppServices
from avz_bot.services.directory import MemberDirectory
from avz_bot.settings_sections.cases import CasesSettings
from avz_bot.settings_sections.conferences import ConferenceSettings
from avz_bot.settings_sections.escalations import EscalationSettings
from avz_bot.settings_sections.helpdesk import HelpdeskSettings
from avz_bot.settings_sections.signals import SignalSettings
from avz_bot.testkit.province import Province, ProvinceSize, seed_province
from avz_bot.testkit.province_areas import MUNICIPALITY, SEARCH_WORD, AreaCounts
from commands.framework import Dispatcher
from commands.registry import build_registry
from storage.db import Database, sqlite_url_for
from storage.outbox_repositories import OutboxRepository
from storage.registry_repositories import PartnerRepository

NOW = datetime(2026, 11, 30, 9, 15, tzinfo=UTC)
S = TypeVar("S", bound=BaseModel)
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
    # Each area list a little over two pages (so page 2 has items here too).
    areas=AreaCounts(
        case_signals=20, agenda_signals=20, escalations=20, conferences=24, questions=12, cards=12
    ),
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
    areas=AreaCounts(
        case_signals=120,
        agenda_signals=120,
        escalations=120,
        conferences=120,
        questions=120,
        cards=120,
    ),
)
#: A tiny province whose area lists have seven or eight items: with pages of three,
#: every list has three pages.
TINY = ProvinceSize(
    cases=6,
    open_cases=5,
    agreements=10,
    open_agreements=5,
    pending_jobs=2,
    audit_rows=10,
    members=12,
    heavy_regie=1,
    heavy_agreements=1,
    heavy_proposals=1,
    busy_members=4,
    busy_agreements=1,
    busy_timeline=2,
    busy_reminders=1,
    areas=AreaCounts(
        case_signals=7, agenda_signals=7, escalations=7, conferences=8, questions=7, cards=7
    ),
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
#: The lists of the other areas (room: "busy" case, "tvo", helpdesk "desk", "coord"ination).
AREA_COMMANDS: list[tuple[str, str]] = [
    ("!signalen", "busy"),
    ("!signalen pagina=2", "busy"),
    ("!tvo agenda", "tvo"),
    ("!tvo agenda pagina=2", "tvo"),
    ("!opschalingen", "busy"),
    ("!opschalingen", "coord"),
    ("!opschalingen pagina=2", "coord"),
    ("!overleggen", "busy"),
    ("!overleggen pagina=2", "busy"),
    ("!vragen", "desk"),
    ("!vragen pagina=2", "desk"),
    (f"!zoek {SEARCH_WORD}", "desk"),
    (f"!zoek {SEARCH_WORD} pagina=2", "desk"),
]
LIST_COMMANDS += AREA_COMMANDS


@dataclass
class World:
    database: Database
    province: Province
    core: BotCore
    services: AppServices
    statements: list[str]
    n: int = 0

    async def run(self, body: str, where: str, sender: str | None = None) -> dict[str, Any]:
        """Run one command as the heavy person (in the TVO room: a ketenmanager) in the
        room ``where`` names; the reply's content as queued."""
        self.n += 1
        rooms = self.province.rooms
        room = {
            "dm": DM,
            "busy": self.province.busy_room,
            "tvo": rooms.tvo_room,
            "desk": rooms.helpdesk_room,
            "coord": rooms.coordination_room,
        }[where]
        asker = self.province.ketenmanager if where == "tvo" else self.province.heavy_user
        incoming = IncomingCommand(
            event_id=f"$cmd{self.n}-{uuid.uuid4().hex[:6]}",
            room_id=room,
            sender=sender or asker,
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
        # The access log entry of a reply that shows case data (issue 22) is a fixed
        # append (lock and read the head, the entry, its items, move the head) whatever
        # the data: counted apart, so an empty page (nothing shown) compares with a full one.
        logged = [s for s in self.statements if "access_log" in s]
        assert len(logged) in (0, ACCESS_LOG_APPEND), logged
        return len(self.statements) - len(logged)


#: Statements of one access log append (``avz_bot.services.access_log``).
ACCESS_LOG_APPEND = 4


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
    backend: str, tmp_path: Path, size: ProvinceSize, name: str, area_page: int | None = None
) -> AsyncIterator[World]:
    """A seeded province and the bot's core; ``area_page``: the items per page of the
    signals, escalations, conferences and helpdesk lists (else their defaults)."""
    async with fresh_database(backend, tmp_path, name) as database:
        await database.upgrade()
        province = await seed_province(database, size, NOW - timedelta(minutes=1))
        clock = FakeClock(NOW)
        messages = Messages()
        rooms = province.rooms

        def paged(settings: S) -> S:
            return settings.model_copy(update={"list_limit": area_page}) if area_page else settings

        services = AppServices(
            clock=clock,
            version="test",
            messages=messages,
            cases_settings=CasesSettings(coordination_room=rooms.coordination_room),
            signal_settings=paged(SignalSettings(tvo_rooms={MUNICIPALITY: rooms.tvo_room})),
            escalation_settings=paged(EscalationSettings()),
            conference_settings=paged(ConferenceSettings()),
            helpdesk_settings=paged(HelpdeskSettings(rooms=[rooms.helpdesk_room])),
        )
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

        for engine in database.engines:  # SQLite's outbox pool too: every statement counts
            event.listen(engine.sync_engine, "before_cursor_execute", count)
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
            if (body, where) in AREA_COMMANDS:
                # The other areas' lists page the same way.
                command, _, page = body.partition(" pagina=")
                following = f"Meer zien: {command} pagina={int(page or 1) + 1}"
                assert following in content["body"], (body, where)
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


#: (command, room, an item at the top of page 1, the item at the top of page 2, items on
#: page 1, how many more it says there are, the last page, items in all) of each area's
#: list in the tiny province with pages of three.
AREA_PAGES = [
    ("!signalen", "busy", "7. overlast", "4. overlast", 3, 4, 3, 7),
    ("!tvo agenda", "tvo", "SIG-2026-0001", "SIG-2026-0004", 3, 4, 3, 7),
    ("!opschalingen", "busy", "ESC-2026-1 ", "ESC-2026-4 ", 3, 4, 3, 7),
    ("!opschalingen", "coord", "ESC-2026-1 ", "ESC-2026-4 ", 3, 4, 3, 7),
    ("!vragen", "desk", "VR-2026-1 ", "VR-2026-4 ", 3, 4, 3, 7),
    (f"!zoek {SEARCH_WORD}", "desk", "K-7 ", "K-4 ", 3, 4, 3, 7),
    # Two sections of four (planned, soonest first; held, latest first): page 2 holds
    # the fourth of each.
    ("!overleggen", "busy", "OV-2026-0001", "OV-2026-0007", 6, 1, 2, 8),
]


@pytest.mark.parametrize(
    ("command", "where", "top", "next_top", "shown", "more", "last", "total"),
    AREA_PAGES,
    ids=[f"{command} ({where})" for command, where, *_ in AREA_PAGES],
)
async def test_each_area_list_pages_and_explains_a_page_past_the_end(
    backend: str,
    tmp_path: Path,
    command: str,
    where: str,
    top: str,
    next_top: str,
    shown: int,
    more: int,
    last: int,
    total: int,
) -> None:
    async with world(backend, tmp_path, TINY, "tiny", area_page=3) as w:
        bodies = [
            (await w.run(f"{command} pagina={n}" if n > 1 else command, where))["body"]
            for n in range(1, last + 1)
        ]
        items = [
            [line.strip() for line in body.splitlines() if line.lstrip().startswith("• ")]
            for body in bodies
        ]
        # Page 1: the most urgent items, how many more there are and how to see them.
        assert len(items[0]) == shown and top in items[0][0], bodies[0]
        assert f"… en nog {more}. Meer zien: {command} pagina=2" in bodies[0]
        # The next page continues where the first stopped; every item is on one page.
        assert next_top in items[1][0], bodies[1]
        every = [item for page in items for item in page]
        assert len(every) == len(set(every)) == total, bodies
        assert "Meer zien" not in bodies[-1]
        # Past the end: which page is the last, nothing of the list.
        past = await w.run(f"{command} pagina={last + 1}", where)
        assert past["body"] == (
            f"Pagina {last + 1} bestaat niet: deze lijst loopt tot pagina {last}. "
            f"Typ {command} voor de eerste pagina."
        )


async def test_the_agreement_lists_explain_a_page_past_the_end_too(
    backend: str, tmp_path: Path
) -> None:
    async with world(backend, tmp_path, TINY, "tiny") as w:
        for command, where in (("!acties", "busy"), ("!herinneringen", "busy"), ("!mijn", "dm")):
            assert "Meer zien" not in (await w.run(command, where))["body"]  # one page
            past = await w.run(f"{command} pagina=2", where)
            assert past["body"] == (
                "Pagina 2 bestaat niet: deze lijst loopt tot pagina 1. "
                f"Typ {command} voor de eerste pagina."
            )
        for command in ("!rollen", "!tijdlijn"):
            past = await w.run(f"{command} pagina=999", "busy")
            assert past["body"].startswith("Pagina 999 bestaat niet: deze lijst loopt tot pagina ")
            assert past["body"].endswith(f"Typ {command} voor de eerste pagina.")


async def test_statement_count_per_command_does_not_grow_with_the_province(
    backend: str, tmp_path: Path
) -> None:
    counts: dict[str, list[int]] = {}
    for size, name in ((SMALL, "small"), (LARGE, "large")):
        async with world(backend, tmp_path, size, name) as w:
            for body, where in LIST_COMMANDS:
                counts.setdefault(f"{body} ({where})", []).append(await w.count(body, where))
            assert w.services.members.loads == 1  # the registry is read once, not per command
    grown = {body: c for body, c in counts.items() if c[0] != c[1]}
    assert not grown, f"statements grew with the data (small, large): {grown}"
    # And they are few: a handful per command, not one per row (``!mijn`` is the most:
    # agreements, regie and proposals plus the signals, escalations, conferences and
    # helpdesk sections, each a bounded query or two).
    assert max(c[1] for c in counts.values()) <= 30, counts


async def test_a_command_costs_four_statements(backend: str, tmp_path: Path) -> None:
    """The database work of every command, which the benchmark measures (README,
    "Benchmark"): claim the event (refusing history, and recording the command and its
    usual outcome, in the same statement) and queue the answer; after the commit read what
    is ready and, once sent, mark it sent. Neither the room, nor the sender (registry
    cache), nor the outbox row is read back, and nothing else runs."""
    async with world(backend, tmp_path, TINY, "tiny") as w:
        await w.count("!ping", "busy")  # the registry cache is warm from here on
        await w.count("!ping", "busy")
        # The last statement is this test's own read of the queued reply.
        *command, read_back = w.statements
        assert "WHERE outbox.txn_id = " in " ".join(read_back.split())
        kinds = [" ".join(statement.split()[:3]) for statement in command]
        assert kinds == [
            "INSERT INTO processed_events",
            "INSERT INTO outbox",
            "SELECT outbox.id, outbox.txn_id,",
            "UPDATE outbox SET",
        ], kinds


async def test_the_claim_records_how_each_command_ended(backend: str, tmp_path: Path) -> None:
    """The claim writes the usual ending (the command, ok); any other ending is
    corrected in the same transaction, so the record is right either way."""
    async with world(backend, tmp_path, TINY, "tiny") as w:
        for body in ("!ping", "!ping nu meteen", "!pign", "!acties"):
            await w.run(body, "busy")
        async with w.database.session() as session:
            rows = (
                await session.execute(
                    text(
                        "SELECT command, outcome FROM processed_events "
                        "WHERE event_id LIKE '$cmd%' ORDER BY event_id"
                    )
                )
            ).all()
    assert [tuple(row) for row in rows] == [
        ("ping", "ok"),
        ("ping", "bad_arguments"),
        (None, "unknown"),
        ("acties", "ok"),
    ]


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
