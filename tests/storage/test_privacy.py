"""The privacy area in-process: the real core, dispatcher, services and repositories on
SQLite and PostgreSQL, with a fake clock and a recording gateway.

Reads by three partners land in the access log with their roles; only the privacy role
(and a ketenmanager for their own cases) may see them; a request of a person concerned
gets a reference and deadline and tells the involved partners; its access export holds
exactly that person's data (not a namesake's with another birth date); an erasure leaves
no pseudonym of the person in any raw row and the chain still verifies.
"""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import text

from avz_bot.clock import FakeClock
from avz_bot.domain.inbound import UPLOAD_KEY, IncomingCommand
from avz_bot.domain.partners import (
    Member,
    Organisation,
    OrgDomain,
    Role,
    ScopedRole,
    ScopedRoleKind,
)
from avz_bot.domain.signals import Purpose, name_identifier
from avz_bot.messages import Messages
from avz_bot.metrics import BotMetrics
from avz_bot.runtime.core import BotCore
from avz_bot.runtime.units import AppServices
from avz_bot.scheduling import Scheduler
from avz_bot.services.access_log import verify
from avz_bot.services.audit import Audit
from avz_bot.services.privacy.jobs import PrivacyJobs
from avz_bot.settings_sections.cases import CasesSettings
from avz_bot.settings_sections.signals import SignalSettings
from commands.framework import Dispatcher
from commands.registry import build_registry
from storage.base import Base
from storage.case_repositories import CaseRepository
from storage.db import Database
from storage.direct_repositories import DirectChatRepository
from storage.registry_repositories import PartnerRepository

START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
PERSON = 'naam="Jan de Vries" geboortedatum=03-02-2001'
NAMESAKE = 'naam="Jan de Vries" geboortedatum=04-02-2001'
POLITIE = Organisation("politie", "Politie Noord-Nederland", OrgDomain.VEILIGHEID)
GGZ = Organisation("ggz", "Lentis GGZ", OrgDomain.ZORG)
AVZ = Organisation("avz", "AVZ", OrgDomain.VEILIGHEID)
PIETER = Member("@pieter:avz.test", "Pieter", POLITIE, frozenset({Role.PROFESSIONAL}))
PAUL = Member("@paul:avz.test", "Paul", POLITIE, frozenset({Role.PROFESSIONAL}))
ANOUK = Member("@anouk:avz.test", "Anouk", GGZ, frozenset({Role.PROFESSIONAL}))
TINEKE = Member(
    "@tineke:avz.test",
    "Tineke",
    AVZ,
    frozenset({Role.PROFESSIONAL, Role.KETENMANAGER}),
    frozenset({ScopedRole(ScopedRoleKind.TVO, "groningen")}),
)
KEES = Member("@kees:avz.test", "Kees", AVZ, frozenset({Role.KETENMANAGER}))
PRIVA = Member("@priva:avz.test", "Priva", AVZ, frozenset({Role.PRIVACY}))
GINA = Member("@gina:avz.test", "Gina", GGZ, frozenset({Role.PRIVACY}))
ADMIN = Member("@beheer:avz.test", "Beheer", AVZ, frozenset({Role.ADMIN}))
EVERYONE = (PIETER, PAUL, ANOUK, TINEKE, KEES, PRIVA, GINA, ADMIN)
DM = {m.matrix_id: f"!dm-{m.display_name.lower()}:avz.test" for m in EVERYONE}
TVO_ROOM = "!tvo:avz.test"
KEY = "k" * 40


@dataclass
class Recorder:
    sent: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    async def send(self, room_id: str, content: dict[str, Any], txn_id: str) -> str:
        self.sent.append((room_id, content))
        return f"$sent{len(self.sent)}"

    async def redact(self, room_id: str, event_id: str, reason: str | None) -> None:
        del room_id, event_id, reason

    def bodies(self, room_id: str) -> list[str]:
        return [str(c["body"]) for r, c in self.sent if r == room_id]


@dataclass
class World:
    database: Database
    clock: FakeClock
    core: BotCore
    gateway: Recorder
    services: AppServices
    count: int = 0

    def scheduler(self) -> Scheduler:
        """The scheduler with the privacy area's job handlers."""
        return Scheduler(
            self.database, self.clock, PrivacyJobs(self.services.bind).handlers(), worker_id="t"
        )

    async def say(self, member: Member, room: str, body: str, members: int = 2) -> str:
        self.count += 1
        before = len(self.gateway.sent)
        await self.core.message(
            IncomingCommand(
                event_id=f"$e{self.count}",
                room_id=room,
                sender=member.matrix_id,
                body=body,
                sent_at=self.clock.now(),
                received_at=self.clock.now(),
                device_verified=True,
                room_members=members,
            )
        )
        self.clock.advance(timedelta(minutes=1))
        replies = [str(c["body"]) for r, c in self.gateway.sent[before:] if r == room]
        return replies[0] if replies else ""

    def files(self, room: str) -> dict[str, bytes]:
        return {
            str(c["filename"]): base64.b64decode(c[UPLOAD_KEY])
            for r, c in self.gateway.sent
            if r == room and UPLOAD_KEY in c
        }

    async def raw_dump(self) -> str:
        parts = []
        async with self.database.session() as session:
            for table in Base.metadata.sorted_tables:
                rows = (await session.execute(text(f'SELECT * FROM "{table.name}"'))).all()
                parts.extend(f"{table.name} {tuple(row)!r}" for row in rows)
        return "\n".join(parts)


@pytest.fixture
async def world(database: Database) -> AsyncIterator[World]:
    clock = FakeClock(START)
    messages = Messages()
    services = AppServices(
        clock=clock,
        version="test",
        messages=messages,
        cases_settings=CasesSettings(intake_rooms=[TVO_ROOM]),
        signal_settings=SignalSettings(
            keys={"v1": SecretStr(KEY)}, tvo_rooms={"groningen": TVO_ROOM}
        ),
    )
    core = BotCore(
        database=database,
        dispatcher=Dispatcher(build_registry(), messages, "!"),
        messages=messages,
        services=services,
        clock=clock,
        metrics=BotMetrics(),
        allowed_servers=["avz.test"],
        undecryptable_grace=timedelta(seconds=60),
    )
    gateway = Recorder()
    core.attach_gateway(gateway)
    async with database.session() as session, session.begin():
        await PartnerRepository(session).sync([POLITIE, GGZ, AVZ], list(EVERYONE))
        chats = DirectChatRepository(session)
        for member in EVERYONE:
            await chats.set_room(member.matrix_id, DM[member.matrix_id], START, joined=True)
    yield World(database, clock, core, gateway, services)


async def _case_with_three_readers(world: World) -> str:
    """Two signals on the person and one on a namesake; the TVO makes a case; three
    partners read it. Returns the case room."""
    await world.say(
        PIETER, DM[PIETER.matrix_id], f"!signaal {PERSON} categorie=overlast gemeente=groningen"
    )
    await world.say(
        ANOUK, DM[ANOUK.matrix_id], f"!signaal {PERSON} categorie=verslaving gemeente=groningen"
    )
    await world.say(
        PAUL, DM[PAUL.matrix_id], f"!signaal {NAMESAKE} categorie=schulden gemeente=groningen"
    )
    agenda = await world.say(TINEKE, TVO_ROOM, "!tvo agenda", members=4)
    assert "SIG-2026-0001" in agenda
    decided = await world.say(
        TINEKE, TVO_ROOM, "!tvo besluit SIG-2026-0002 casus reden=samenloop", members=4
    )
    assert "AVZ-2026-0001" in decided
    async with world.database.session() as session:
        case = await CaseRepository(session).by_reference("AVZ-2026-0001")
    assert case is not None and case.room_id is None  # the room job has not run here
    room = "!case:avz.test"
    async with world.database.session() as session, session.begin():
        await CaseRepository(session).set_room(case.id, room)
    assert "regie" in await world.say(PIETER, room, "!regie claim", members=4)
    assert "AVZ-2026-0001" in await world.say(PIETER, room, "!casus", members=4)
    assert "AVZ-2026-0001" in await world.say(ANOUK, room, "!tijdlijn", members=4)
    assert await world.say(TINEKE, room, "!rollen", members=4)
    return room


async def test_reads_by_three_partners_appear_with_their_roles(world: World) -> None:
    await _case_with_three_readers(world)
    reply = await world.say(PRIVA, DM[PRIVA.matrix_id], "!gelezen casus AVZ-2026-0001")
    assert "Gelezen: casus AVZ-2026-0001" in reply
    lines = reply.splitlines()
    assert any("Pieter (politie, regiehouder) met !casus" in line for line in lines), reply
    assert any("Anouk (ggz, deelnemer) met !tijdlijn" in line for line in lines), reply
    assert any("Tineke (avz, " in line and "!rollen" in line for line in lines), reply
    # The same for a ketenmanager who is a member of the case (Tineke opened it).
    own = await world.say(TINEKE, DM[TINEKE.matrix_id], "!gelezen casus AVZ-2026-0001")
    assert "Anouk (ggz, deelnemer)" in own
    # The person view: the TVO agenda and the case reads; nothing of the identifier.
    person = await world.say(PRIVA, DM[PRIVA.matrix_id], f"!gelezen persoon {PERSON}")
    assert "!tvo agenda" in person and "!tijdlijn" in person and "de persoon" in person
    assert "Vries" not in person and "2001" not in person
    async with world.database.session() as session:
        assert (await verify(session)).broken is None


@pytest.mark.parametrize(
    ("member", "room", "body", "members", "expected"),
    [
        (PIETER, "dm", "!gelezen casus AVZ-2026-0001", 2, "voorbehouden aan het contactpunt"),
        (KEES, "dm", "!gelezen casus AVZ-2026-0001", 2, "voorbehouden aan het contactpunt"),
        (ADMIN, "dm", "!gelezen casus AVZ-2026-0001", 2, "voorbehouden aan het contactpunt"),
        (TINEKE, "dm", f"!gelezen persoon {PERSON}", 2, "voorbehouden aan het contactpunt"),
        (ANOUK, "dm", f"!verzoek nieuw inzage {PERSON}", 2, "voorbehouden aan het contactpunt"),
        (PIETER, "dm", "!verzoeken", 2, "voorbehouden aan het contactpunt"),
        (PIETER, "dm", "!bewaartermijnen", 2, "voorbehouden aan het contactpunt"),
        (PRIVA, "tvo", "!gelezen casus AVZ-2026-0001", 4, "privégesprek"),
        (PRIVA, "tvo", f"!gelezen persoon {PERSON}", 4, "privégesprek"),
    ],
)
async def test_non_privacy_roles_and_shared_rooms_are_refused(
    world: World, member: Member, room: str, body: str, members: int, expected: str
) -> None:
    await _case_with_three_readers(world)
    where = DM[member.matrix_id] if room == "dm" else TVO_ROOM
    before = await world.raw_dump()
    reply = await world.say(member, where, body, members)
    assert expected in reply and "Vries" not in reply and "Pieter" not in reply
    # A refused command changes nothing but the processed-event record (and its reply).
    after = await world.raw_dump()
    new = set(after.splitlines()) - set(before.splitlines())
    assert all(line.startswith(("processed_events", "outbox")) for line in new), new


async def test_access_request_exports_exactly_the_persons_data(world: World) -> None:
    await _case_with_three_readers(world)
    registered = await world.say(PRIVA, DM[PRIVA.matrix_id], f"!verzoek nieuw inzage {PERSON}")
    assert "PV-2026-0001" in registered and "30-12-2026" in registered
    assert "Lentis GGZ" in registered and "Politie Noord-Nederland" in registered
    assert "Vries" not in registered
    # GGZ's privacy contact is told the reference only; politie has none (named above).
    notice = world.gateway.bodies(DM[GINA.matrix_id])[-1]
    assert "PV-2026-0001" in notice and "Vries" not in notice and "SIG-" not in notice
    summary = await world.say(PRIVA, DM[PRIVA.matrix_id], "!verzoek inzage PV-2026-0001")
    assert "2 signalen, 1 casussen" in summary
    files = world.files(DM[PRIVA.matrix_id])
    data = json.loads(files["inzage-PV-2026-0001.json"])
    assert sorted(s["reference"] for s in data["signalen"]) == ["SIG-2026-0001", "SIG-2026-0002"]
    assert [c["casus"]["reference"] for c in data["casussen"]] == ["AVZ-2026-0001"]
    assert {s["category"] for s in data["signalen"]} == {"overlast", "verslaving"}
    document = files["inzage-PV-2026-0001.txt"].decode()
    assert "SIG-2026-0003" not in document and "schulden" not in document  # the namesake
    assert "@pieter" not in document and "pseudonym" not in json.dumps(data)
    assert {r["organisatie"] for r in data["toegangslog"]} >= {"politie", "ggz", "avz"}


async def test_erasure_leaves_no_pseudonym_in_any_raw_row(world: World) -> None:
    await _case_with_three_readers(world)
    settings = SignalSettings(keys={"v1": SecretStr(KEY)})
    pseudonymiser = settings.pseudonymiser()
    assert pseudonymiser is not None
    from avz_bot.services.signals.base import parse_birth_date

    identifier = name_identifier("Jan de Vries", parse_birth_date("03-02-2001"))
    pseudonym = pseudonymiser.make(identifier, Purpose.SIGNAL_PERSON)
    namesake = pseudonymiser.make(
        name_identifier("Jan de Vries", parse_birth_date("04-02-2001")), Purpose.SIGNAL_PERSON
    )
    assert pseudonym in await world.raw_dump()
    await world.say(PRIVA, DM[PRIVA.matrix_id], f"!verzoek nieuw wissen {PERSON}")
    done = await world.say(PRIVA, DM[PRIVA.matrix_id], "!verzoek wissen PV-2026-0001")
    assert "Gewist voor verzoek PV-2026-0001" in done
    dump = await world.raw_dump()
    assert pseudonym not in dump
    assert namesake in dump  # the namesake is someone else
    assert "AVZ-2026-0001" in dump  # the case itself is the partners' dossier
    async with world.database.session() as session:
        assert (await verify(session)).broken is None
    # The regiehouder of the affected case is told (reference only).
    assert any(
        "PV-2026-0001" in b
        for room, c in world.gateway.sent
        for b in [str(c.get("body"))]
        if "AVZ-2026-0001" in b and "gewist" in b
    )


async def test_deadline_reminders_are_durable_jobs_across_a_weekend_and_dst(
    world: World,
) -> None:
    """Received Saturday 26 September: due Monday 26 October, the day after summer time
    ends. The officer is reminded on Friday 23 October 09:00 CEST and told it lapsed on
    Tuesday 27 October 09:00 CET; after an extension the old reminders stay silent."""
    world.clock.set(datetime(2026, 10, 1, 8, 0, tzinfo=UTC))
    reply = await world.say(
        PRIVA, DM[PRIVA.matrix_id], f"!verzoek nieuw inzage {PERSON} ontvangen=2026-09-26"
    )
    assert "Uiterlijk 26-10-2026" in reply
    scheduler = world.scheduler()

    async def reminders_at(moment: datetime) -> list[str]:
        world.clock.set(moment)
        before = len(world.gateway.bodies(DM[PRIVA.matrix_id]))
        await scheduler.run_due()
        await world.core.flush_outbox()
        await world.core.bulk_idle()
        return world.gateway.bodies(DM[PRIVA.matrix_id])[before:]

    assert await reminders_at(datetime(2026, 10, 23, 6, 59, tzinfo=UTC)) != []  # 19 Oct's
    assert await reminders_at(datetime(2026, 10, 23, 6, 59, tzinfo=UTC)) == []
    friday = await reminders_at(datetime(2026, 10, 23, 7, 0, tzinfo=UTC))
    assert friday == [
        "Herinnering: verzoek PV-2026-0001 moet uiterlijk 26-10-2026 beantwoord zijn."
    ]
    assert await reminders_at(datetime(2026, 10, 27, 7, 59, tzinfo=UTC)) == []
    lapsed = await reminders_at(datetime(2026, 10, 27, 8, 0, tzinfo=UTC))
    assert lapsed and "niet op tijd" in lapsed[0]


async def test_an_extension_rearms_the_reminders(world: World) -> None:
    world.clock.set(datetime(2026, 10, 1, 8, 0, tzinfo=UTC))
    await world.say(
        PRIVA, DM[PRIVA.matrix_id], f"!verzoek nieuw inzage {PERSON} ontvangen=2026-09-26"
    )
    extended = await world.say(
        PRIVA, DM[PRIVA.matrix_id], "!verzoek verlengen PV-2026-0001 tot=2026-12-18 reden=omvang"
    )
    assert "verlengd tot 18-12-2026" in extended
    too_far = await world.say(
        PRIVA, DM[PRIVA.matrix_id], "!verzoek verlengen PV-2026-0001 tot=2026-12-28 reden=omvang"
    )
    assert "26-12-2026" in too_far
    scheduler = world.scheduler()
    world.clock.set(datetime(2026, 11, 1, 8, 0, tzinfo=UTC))
    before = len(world.gateway.bodies(DM[PRIVA.matrix_id]))
    await scheduler.run_due()
    await world.core.flush_outbox()
    await world.core.bulk_idle()
    assert world.gateway.bodies(DM[PRIVA.matrix_id])[before:] == []  # October's are void
    listed = await world.say(PRIVA, DM[PRIVA.matrix_id], "!verzoeken")
    assert "PV-2026-0001" in listed and "18-12-2026 (verlengd)" in listed
    closed = await world.say(PRIVA, DM[PRIVA.matrix_id], "!verzoek afronden PV-2026-0001")
    assert "afgerond" in closed
    assert "geen open verzoeken" in await world.say(PRIVA, DM[PRIVA.matrix_id], "!verzoeken")


async def test_every_reading_command_is_logged_and_refusals_are_not(world: World) -> None:
    room = await _case_with_three_readers(world)
    for body in ("!regie", "!acties", "!signalen", "!overleggen", "!opschalingen"):
        assert await world.say(PIETER, room, body, members=4)
    await world.say(PIETER, DM[PIETER.matrix_id], "!mijn")
    refused = await world.say(PAUL, room, "!tijdlijn", members=4)  # not a member
    assert refused
    async with world.database.session() as session:
        rows = (
            await session.execute(
                text(
                    "SELECT l.reader, l.command, l.role, s.kind, s.reference FROM access_log l "
                    "JOIN access_log_shown s ON s.entry_id = l.id ORDER BY l.seq, s.position"
                )
            )
        ).all()
    logged = {(reader, command) for reader, command, _, _, _ in rows}
    for command in ("regie", "acties", "signalen", "overleggen", "opschalingen", "mijn"):
        assert (PIETER.matrix_id, command) in logged, command
    assert (PAUL.matrix_id, "tijdlijn") not in logged
    agenda = [(kind, ref) for _, command, role, kind, ref in rows if command == "tvo agenda"]
    assert ("signal", "SIG-2026-0001") in agenda and role_of(rows, "tvo agenda") == "tvo:groningen"
    assert any(kind == "person" and ref.startswith("v1:") for kind, ref in agenda)
    assert all("Vries" not in str(row) for row in rows)


def role_of(rows: list[Any], command: str) -> str:
    return next(str(role) for _, c, role, _, _ in rows if c == command)


async def test_restriction_stops_new_signals_and_links_until_lifted(world: World) -> None:
    await world.say(PIETER, DM[PIETER.matrix_id], f"!signaal {PERSON} categorie=overlast")
    await world.say(PRIVA, DM[PRIVA.matrix_id], f"!verzoek nieuw beperking {PERSON}")
    restricted = await world.say(PRIVA, DM[PRIVA.matrix_id], "!verzoek beperken PV-2026-0001")
    assert "beperkt" in restricted
    refused = await world.say(ANOUK, DM[ANOUK.matrix_id], f"!signaal {PERSON} categorie=verslaving")
    assert "contactpunt privacy" in refused and "Pieter" not in refused
    other = await world.say(ANOUK, DM[ANOUK.matrix_id], f"!signaal {NAMESAKE} categorie=schulden")
    assert "SIG-2026-0002" in other  # someone else is not restricted
    await world.say(PRIVA, DM[PRIVA.matrix_id], "!verzoek opheffen PV-2026-0001")
    again = await world.say(ANOUK, DM[ANOUK.matrix_id], f"!signaal {PERSON} categorie=verslaving")
    assert "SIG-2026-0003" in again and "Pieter" in again  # matching works again


async def test_retention_proof_lists_rules_upcoming_and_deleted(world: World) -> None:
    async with world.database.session() as session, session.begin():
        audit = Audit(session, START - timedelta(days=2))
        await audit.record(
            "retention.deleted", entity_type="table", entity_id="outbox", details={"count": 12}
        )
        await audit.record("signal.deleted", entity_type="signal", entity_id="SIG-2025-0001")
    reply = await world.say(PRIVA, DM[PRIVA.matrix_id], "!bewaartermijnen")
    assert "signalen: 2 jaar actief, daarna 5 jaar archief" in reply
    assert "verwerkte berichten (eenmaligheid): 180 dagen" in reply
    assert "Gewist tot 30-12-2026" in reply
    assert "28-11-2026 outbox: 12" in reply and "28-11-2026 signals: 1" in reply
