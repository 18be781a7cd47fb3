"""A generated province for scale tests and the benchmark (no personal data).

``seed_province`` fills a migrated database with the shape of a whole province:
cases (some open), their members, agreements (some open), pending reminder jobs,
audit rows and registered members, plus one *heavy* person (regie of many cases,
owner of many open agreements, many proposals waiting) and one *busy* case (many
members, open agreements, timeline entries and reminders), and — when ``areas`` asks for
them — the lists of the newer areas (``avz_bot.testkit.province_areas``). Everything is
made up:
names are "Medewerker 17", titles "Werktitel 42". Rows are bulk-inserted (the seeding
measures nothing); the same ``seed`` gives the same province.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, text

from avz_bot.domain.partners import Member, Organisation, OrgDomain, Role
from avz_bot.testkit.province_areas import AreaCounts, AreaRooms, area_rooms, seed_area_lists
from storage.agreement_models import AgreementRecord
from storage.audit_models import AuditLogRecord
from storage.case_models import CaseMemberRecord, CaseRecord, RegieProposalRecord
from storage.db import Database
from storage.registry_repositories import PartnerRepository
from storage.schedule_models import ReminderRecord, ScheduledJobRecord

SERVER = "avz.bench"
CHUNK = 5_000
ORGANISATIONS = 10


@dataclass(frozen=True)
class ProvinceSize:
    """How much to generate (defaults: the province of issue 14)."""

    cases: int = 10_000
    open_cases: int = 3_000
    agreements: int = 51_000
    open_agreements: int = 17_000
    pending_jobs: int = 10_000
    audit_rows: int = 300_000
    members: int = 500
    members_per_case: int = 5
    #: The heavy person: regie of this many open cases, owner of this many open
    #: agreements, this many proposals waiting for them.
    heavy_regie: int = 200
    heavy_agreements: int = 500
    heavy_proposals: int = 50
    #: The busy case: members, open agreements, timeline entries, reminders.
    busy_members: int = 300
    busy_agreements: int = 400
    busy_timeline: int = 500
    busy_reminders: int = 300
    #: The newer areas' lists (signals, agenda, escalations, conferences, questions,
    #: cards); none unless asked for.
    areas: AreaCounts = field(default_factory=AreaCounts)


@dataclass(frozen=True)
class Province:
    """What a test or the benchmark needs to address the generated data."""

    heavy_user: str
    plain_user: str
    busy_case_id: int
    busy_room: str
    plain_case_id: int
    plain_room: str
    members: list[Member]
    organisations: list[Organisation]
    #: Where the area lists are asked (TVO, helpdesk and coordination rooms).
    rooms: AreaRooms
    #: A ketenmanager (may read the TVO agenda; the escalations wait for them).
    ketenmanager: str


def member_id(n: int, server: str = SERVER) -> str:
    """The Matrix id of generated member ``n``."""
    return f"@m{n}:{server}"


def case_room(case_id: int) -> str:
    """The (made-up) room id of generated case ``case_id``."""
    return f"!case{case_id}:{SERVER}"


def registry(size: ProvinceSize, server: str = SERVER) -> tuple[list[Organisation], list[Member]]:
    """Generated organisations and members (member 0 is the heavy person, 1 a plain one)."""
    domains = list(OrgDomain)
    orgs = [
        Organisation(f"org{i}", f"Organisatie {i}", domains[i % len(domains)])
        for i in range(ORGANISATIONS)
    ]
    members = [
        Member(
            member_id(n, server),
            f"Medewerker {n}",
            orgs[n % ORGANISATIONS],
            frozenset({Role.PROFESSIONAL} | ({Role.KETENMANAGER} if n % 50 == 2 else set())),
        )
        for n in range(size.members)
    ]
    return orgs, members


async def _bulk(database: Database, table: Any, rows: list[dict[str, Any]]) -> None:
    async with database.session() as session, session.begin():
        for start in range(0, len(rows), CHUNK):
            await session.execute(insert(table), rows[start : start + CHUNK])


async def seed_province(
    database: Database, size: ProvinceSize, now: datetime, seed: int = 14, server: str = SERVER
) -> Province:
    """Fill the (migrated, empty) ``database`` with a generated province (members on
    homeserver ``server``)."""
    rnd = random.Random(seed)
    # The heavy person's cases are open cases (3, 4, …): fewer when the province is small.
    size = replace(size, heavy_regie=max(1, min(size.heavy_regie, size.open_cases - 3)))
    orgs, members = registry(size, server)
    async with database.session() as session, session.begin():
        await PartnerRepository(session).sync(orgs, members)
    heavy, plain = member_id(0, server), member_id(1, server)
    others = [m.matrix_id for m in members[2:]] or [plain]
    pool = [m.matrix_id for m in members]

    def org_of(user: str) -> str:
        return f"org{int(user.split(':')[0][2:]) % ORGANISATIONS}"  # "@m17:…" → org7

    # Cases 1..open_cases are open; case 1 is busy, case 2 plain, the heavy person holds
    # regie of cases 3..heavy_regie+2.
    busy_id, plain_id = 1, 2
    case_rows = []
    member_rows = []
    for case_id in range(1, size.cases + 1):
        is_open = case_id <= size.open_cases
        if 3 <= case_id < 3 + size.heavy_regie:
            holder = heavy
        elif case_id == plain_id:
            holder = plain
        else:
            holder = rnd.choice(others)
        created = now - timedelta(days=rnd.randint(30, 900))
        case_rows.append(
            {
                "id": case_id,
                "reference": f"AVZ-{created.year}-{case_id:05d}",
                "title": f"Werktitel {case_id}",
                "municipality": "groningen",
                "case_type": "jeugd",
                "status": "actief" if is_open else "gesloten",
                "room_id": case_room(case_id),
                "created_by": holder,
                "created_at": created,
                "status_changed_at": created,
                "closed_at": None if is_open else created + timedelta(days=20),
                "regie_holder": holder,
                "regie_org": org_of(holder),
                "regie_since": created,
                "regie_vacant_since": None,
                "unregie_reported_on": None,
                "version": 1,
            }
        )
        count = size.busy_members if case_id == busy_id else size.members_per_case
        people = {holder}
        if case_id in (busy_id, plain_id):
            people |= {heavy, plain}
        while len(people) < min(count, len(pool)):
            people.add(rnd.choice(pool))
        for user in sorted(people):
            member_rows.append(
                {
                    "case_id": case_id,
                    "matrix_id": user,
                    "organisation_code": org_of(user),
                    "joined_at": created,
                    "left_at": None,
                    "casemanager": False,
                }
            )
    await _bulk(database, CaseRecord, case_rows)
    await _bulk(database, CaseMemberRecord, member_rows)

    numbers: dict[int, int] = {}
    agreement_rows = []

    def agreement(case_id: int, owner: str, is_open: bool) -> None:
        numbers[case_id] = numbers.get(case_id, 0) + 1
        created = now - timedelta(days=rnd.randint(1, 200))
        agreement_rows.append(
            {
                "case_id": case_id,
                "number": numbers[case_id],
                "description": f"Afspraak {numbers[case_id]} in casus {case_id}: huisbezoek "
                "afleggen en terugkoppelen in het casusoverleg",
                "owner_user": owner,
                "owner_org": org_of(owner),
                "created_by": owner,
                "created_at": created,
                "deadline": now + timedelta(hours=rnd.randint(-24 * 20, 24 * 40)),
                "status": "open" if is_open else "klaar",
                "completed_at": None if is_open else created + timedelta(days=3),
                "note": None,
                "version": 1,
            }
        )

    open_cases = max(size.open_cases, 1)
    for _ in range(size.busy_agreements):
        agreement(busy_id, rnd.choice([heavy, plain, *others[:50]]), True)
    for n in range(size.heavy_agreements):
        agreement(3 + n % max(size.heavy_regie, 1), heavy, True)
    agreement(plain_id, plain, True)
    while len(agreement_rows) < size.open_agreements:
        agreement(rnd.randint(3, open_cases), rnd.choice(others), True)
    closed_cases = range(size.open_cases + 1, size.cases + 1) or range(1, 2)
    while len(agreement_rows) < size.agreements:
        agreement(rnd.choice(closed_cases), rnd.choice(others), False)
    await _bulk(database, AgreementRecord, agreement_rows)

    job_rows = [
        {
            "kind": "agreement.reminder",
            "due_at": now + timedelta(minutes=rnd.randint(60, 30 * 24 * 60)),
            "payload": {"agreement_id": n, "planned_at": now.isoformat()},
            "dedupe_key": f"agreement:{n}:reminder",
            "entity_type": "case",
            "entity_id": str(n),
            "status": "pending",
            "claimed_at": None,
            "claimed_by": None,
            "attempts": 0,
            "done_at": None,
            "created_at": now,
        }
        for n in range(1, size.pending_jobs + 1)
    ]
    await _bulk(database, ScheduledJobRecord, job_rows)

    references = {row["id"]: row["reference"] for row in case_rows}
    audit_rows = []
    for n in range(size.audit_rows):
        case_id = busy_id if n < size.busy_timeline else rnd.randint(1, size.cases)
        actor = rnd.choice(others)
        audit_rows.append(
            {
                "occurred_at": now - timedelta(minutes=size.audit_rows - n),
                "actor": actor,
                "actor_org": org_of(actor),
                "action": "case.member_added",
                "room_id": case_room(case_id),
                "entity_type": "case",
                "entity_id": references[case_id],
                "details": {"user": rnd.choice(others)},
            }
        )
    await _bulk(database, AuditLogRecord, audit_rows)

    proposal_rows = [
        {
            "case_id": size.heavy_regie + 3 + n,
            "kind": "transfer",
            "from_user": rnd.choice(others),
            "to_user": heavy,
            "created_at": now - timedelta(hours=1),
            "expires_at": now + timedelta(days=3, minutes=n),
            "resolved_at": None,
            "resolution": None,
        }
        for n in range(min(size.heavy_proposals, max(0, size.open_cases - size.heavy_regie - 3)))
    ]
    await _bulk(database, RegieProposalRecord, proposal_rows)

    reminder_rows = [
        {
            "room_id": case_room(busy_id),
            "number": n + 1,
            "created_by": heavy,
            "target_user": None,
            "text": f"Herinnering {n + 1}: stukken voor het casusoverleg klaarzetten",
            "due_at": now + timedelta(hours=n + 1),
            "created_at": now,
            "cancelled_at": None,
            "sent_at": None,
        }
        for n in range(size.busy_reminders)
    ]
    await _bulk(database, ReminderRecord, reminder_rows)
    rooms = area_rooms(server)
    ketenmanager = next((m.matrix_id for m in members if Role.KETENMANAGER in m.roles), heavy)
    if size.areas != AreaCounts():
        await seed_area_lists(
            database,
            size.areas,
            now,
            case_id=busy_id,
            author=plain,
            author_org=org_of(plain),
            target=ketenmanager,
            rooms=rooms,
        )
    if database.backend == "postgresql":
        async with database.engine.begin() as connection:
            # Explicit case ids: move the sequence past them for cases the bot opens.
            await connection.execute(
                text("SELECT setval(pg_get_serial_sequence('cases', 'id'), max(id)) FROM cases")
            )
            await connection.execute(text("ANALYZE"))
    return Province(
        heavy_user=heavy,
        plain_user=plain,
        busy_case_id=busy_id,
        busy_room=case_room(busy_id),
        plain_case_id=plain_id,
        plain_room=case_room(plain_id),
        members=members,
        organisations=orgs,
        rooms=rooms,
        ketenmanager=ketenmanager,
    )


def registry_toml(organisations: list[Organisation], members: list[Member]) -> str:
    """The partner registry file for a generated province (``partners.toml``)."""
    parts = [
        f'[[organisations]]\ncode = "{o.code}"\nname = "{o.name}"\ndomain = "{o.domain.value}"\n'
        for o in organisations
    ]
    for m in members:
        roles = ", ".join(f'"{r.value}"' for r in sorted(m.roles))
        parts.append(
            f'[[members]]\nmatrix_id = "{m.matrix_id}"\ndisplay_name = "{m.display_name}"\n'
            f'organisation = "{m.organisation.code}"\nroles = [{roles}]\n'
        )
    return "\n".join(parts)
