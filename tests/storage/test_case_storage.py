"""Cases: references, regie, members and regie proposals."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.case_repositories import CaseRepository, CaseRow, format_reference
from storage.db import Database

NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)
ANNA, BERT, CARLA, DIRK = "@anna:avz.test", "@bert:avz.test", "@carla:avz.test", "@dirk:avz.test"

T = TypeVar("T")

Race = Callable[[int, Callable[[AsyncSession], Awaitable[bool]]], Awaitable[list[bool]]]


async def _new_case(database: Database, title: str = "Casus Noord", **kwargs: str) -> CaseRow:
    async with database.session() as session, session.begin():
        repo = CaseRepository(session)
        reference = await repo.next_reference(NOW.year)
        return await repo.create(
            reference=reference,
            title=title,
            municipality=kwargs.get("municipality", "Utrecht"),
            case_type=kwargs.get("case_type", "multiprobleem"),
            created_by=ANNA,
            now=NOW,
        )


async def _get(database: Database, case_id: int) -> CaseRow:
    async with database.session() as session:
        row = await CaseRepository(session).get(case_id)
    assert row is not None
    return row


async def _in_tx(database: Database, action: Callable[[CaseRepository], Awaitable[T]]) -> T:
    async with database.session() as session, session.begin():
        return await action(CaseRepository(session))


# --------------------------------------------------------------------------- references
def test_reference_format() -> None:
    assert format_reference(2025, 7) == "AVZ-2025-0007"
    assert format_reference(2025, 12345) == "AVZ-2025-12345"


async def test_references_count_per_year(database: Database) -> None:
    async def take(year: int) -> str:
        return await _in_tx(database, lambda repo: repo.next_reference(year))

    assert [await take(2025) for _ in range(3)] == [
        "AVZ-2025-0001",
        "AVZ-2025-0002",
        "AVZ-2025-0003",
    ]
    assert await take(2026) == "AVZ-2026-0001"
    assert await take(2025) == "AVZ-2025-0004"


async def test_a_rolled_back_reference_is_handed_out_again(database: Database) -> None:
    async with database.session() as session:
        assert await CaseRepository(session).next_reference(2025) == "AVZ-2025-0001"
        await session.rollback()
    assert await _in_tx(database, lambda repo: repo.next_reference(2025)) == "AVZ-2025-0001"


async def test_concurrent_reference_allocations_are_distinct_and_consecutive(
    database: Database,
) -> None:
    async def take() -> str:
        return await _in_tx(database, lambda repo: repo.next_reference(2025))

    references = await asyncio.gather(*(take() for _ in range(20)))
    assert sorted(references) == [format_reference(2025, n) for n in range(1, 21)]


async def test_reference_allocations_racing_in_open_transactions(
    database: Database, race: Race
) -> None:
    taken: list[str] = []

    async def take(session: AsyncSession) -> bool:
        taken.append(await CaseRepository(session).next_reference(2030))
        return True

    await race(10, take)
    assert sorted(taken) == [format_reference(2030, n) for n in range(1, 11)]


# --------------------------------------------------------------------------- cases
async def test_create_and_find_a_case(database: Database) -> None:
    created = await _new_case(database)
    assert created.reference == "AVZ-2025-0001"
    assert (created.status, created.room_id, created.version) == ("aangemeld", None, 1)
    assert (created.regie_holder, created.regie_org, created.regie_since) == (None, None, None)
    assert created.regie_vacant_since == NOW
    assert created.created_at == created.status_changed_at == NOW
    assert created.closed_at is None and created.unregie_reported_on is None
    async with database.session() as session:
        repo = CaseRepository(session)
        assert await repo.get(created.id) == created
        assert await repo.by_reference("AVZ-2025-0001") == created
        assert await repo.get(created.id + 100) is None
        assert await repo.by_reference("AVZ-2025-0099") is None
        assert await repo.by_room("!nope:x") is None


async def test_references_are_unique(database: Database) -> None:
    await _new_case(database)
    with pytest.raises(IntegrityError):
        async with database.session() as session, session.begin():
            await CaseRepository(session).create(
                reference="AVZ-2025-0001",
                title="dubbel",
                municipality="Utrecht",
                case_type="x",
                created_by=ANNA,
                now=NOW,
            )


async def test_the_room_is_set_once(database: Database) -> None:
    first = await _new_case(database)
    second = await _new_case(database)
    assert await _in_tx(database, lambda repo: repo.set_room(first.id, "!one:x"))
    # Setting the same room again is harmless; another room is refused.
    assert await _in_tx(database, lambda repo: repo.set_room(first.id, "!one:x"))
    assert not await _in_tx(database, lambda repo: repo.set_room(first.id, "!two:x"))
    assert not await _in_tx(database, lambda repo: repo.set_room(999, "!two:x"))
    async with database.session() as session:
        found = await CaseRepository(session).by_room("!one:x")
    assert found is not None and found.id == first.id
    # One room belongs to one case.
    with pytest.raises(IntegrityError):
        await _in_tx(database, lambda repo: repo.set_room(second.id, "!one:x"))


async def test_status_changes_are_conditional(database: Database) -> None:
    case = await _new_case(database)
    assert not await _in_tx(
        database, lambda repo: repo.change_status(case.id, "actief", "afgeschaald", LATER)
    )
    assert (await _get(database, case.id)).status == "aangemeld"
    assert await _in_tx(
        database, lambda repo: repo.change_status(case.id, "aangemeld", "actief", LATER)
    )
    row = await _get(database, case.id)
    assert (row.status, row.status_changed_at, row.closed_at, row.version) == (
        "actief",
        LATER,
        None,
        2,
    )
    closed_at = LATER + timedelta(days=1)
    assert await _in_tx(
        database, lambda repo: repo.change_status(case.id, "actief", "gesloten", closed_at)
    )
    assert (await _get(database, case.id)).closed_at == closed_at
    reopened = closed_at + timedelta(days=1)
    assert await _in_tx(
        database, lambda repo: repo.change_status(case.id, "gesloten", "actief", reopened)
    )
    row = await _get(database, case.id)
    assert (row.status, row.closed_at, row.status_changed_at) == ("actief", None, reopened)


async def test_status_change_races_have_one_winner(database: Database, race: Race) -> None:
    case = await _new_case(database)

    async def close(session: AsyncSession) -> bool:
        return await CaseRepository(session).change_status(case.id, "aangemeld", "gesloten", NOW)

    assert sorted(await race(5, close)) == [False] * 4 + [True]


# --------------------------------------------------------------------------- regie
async def test_regie_can_be_claimed_once(database: Database) -> None:
    case = await _new_case(database)
    assert await _in_tx(database, lambda repo: repo.claim_regie(case.id, ANNA, "politie", LATER))
    assert not await _in_tx(database, lambda repo: repo.claim_regie(case.id, BERT, "ggz", LATER))
    row = await _get(database, case.id)
    assert (row.regie_holder, row.regie_org, row.regie_since, row.regie_vacant_since) == (
        ANNA,
        "politie",
        LATER,
        None,
    )
    assert row.version == 2


async def test_concurrent_regie_claims_have_exactly_one_winner(
    database: Database, race: Race
) -> None:
    case = await _new_case(database)
    claimers = iter(f"@user{n}:avz.test" for n in range(10))

    async def claim(session: AsyncSession) -> bool:
        return await CaseRepository(session).claim_regie(case.id, next(claimers), "org", NOW)

    results = await race(10, claim)
    assert sorted(results) == [False] * 9 + [True]
    assert (await _get(database, case.id)).regie_holder is not None


async def test_transfer_and_release_need_the_current_holder(database: Database) -> None:
    case = await _new_case(database)
    assert not await _in_tx(
        database, lambda repo: repo.transfer_regie(case.id, ANNA, BERT, "ggz", LATER)
    )
    assert not await _in_tx(database, lambda repo: repo.release_regie(case.id, ANNA, LATER))
    await _in_tx(database, lambda repo: repo.claim_regie(case.id, ANNA, "politie", NOW))

    assert not await _in_tx(
        database, lambda repo: repo.transfer_regie(case.id, CARLA, BERT, "ggz", LATER)
    )
    assert await _in_tx(
        database, lambda repo: repo.transfer_regie(case.id, ANNA, BERT, "ggz", LATER)
    )
    row = await _get(database, case.id)
    assert (row.regie_holder, row.regie_org, row.regie_since) == (BERT, "ggz", LATER)

    released_at = LATER + timedelta(hours=2)
    assert not await _in_tx(database, lambda repo: repo.release_regie(case.id, ANNA, released_at))
    assert await _in_tx(database, lambda repo: repo.release_regie(case.id, BERT, released_at))
    row = await _get(database, case.id)
    assert (row.regie_holder, row.regie_org, row.regie_since) == (None, None, None)
    assert row.regie_vacant_since == released_at


async def test_concurrent_transfers_have_one_winner(database: Database, race: Race) -> None:
    case = await _new_case(database)
    await _in_tx(database, lambda repo: repo.claim_regie(case.id, ANNA, "politie", NOW))
    receivers = iter([BERT, CARLA, DIRK])

    async def transfer(session: AsyncSession) -> bool:
        return await CaseRepository(session).transfer_regie(
            case.id, ANNA, next(receivers), "ggz", LATER
        )

    assert sorted(await race(3, transfer)) == [False, False, True]
    assert (await _get(database, case.id)).regie_holder in {BERT, CARLA, DIRK}


async def test_assign_regie_overrides_and_keeps_since_for_the_same_holder(
    database: Database,
) -> None:
    case = await _new_case(database)
    assert not await _in_tx(database, lambda repo: repo.assign_regie(999, ANNA, "politie", NOW))
    assert await _in_tx(database, lambda repo: repo.assign_regie(case.id, ANNA, "politie", NOW))
    assert await _in_tx(database, lambda repo: repo.assign_regie(case.id, ANNA, "politie", LATER))
    row = await _get(database, case.id)
    assert (row.regie_holder, row.regie_since, row.regie_vacant_since) == (ANNA, NOW, None)
    assert await _in_tx(database, lambda repo: repo.assign_regie(case.id, BERT, "ggz", LATER))
    row = await _get(database, case.id)
    assert (row.regie_holder, row.regie_org, row.regie_since) == (BERT, "ggz", LATER)


async def test_cases_without_regie(database: Database) -> None:
    old = await _new_case(database, "oud")
    claimed = await _new_case(database, "geclaimd")
    closed = await _new_case(database, "gesloten")
    async with database.session() as session, session.begin():
        repo = CaseRepository(session)
        assert await repo.claim_regie(claimed.id, ANNA, "politie", NOW)
        assert await repo.change_status(closed.id, "aangemeld", "gesloten", NOW)
        recent = await repo.create(
            reference=await repo.next_reference(2025),
            title="nieuw",
            municipality="Utrecht",
            case_type="x",
            created_by=ANNA,
            now=LATER,
        )
    async with database.session() as session:
        repo = CaseRepository(session)
        assert [c.id for c in await repo.cases_without_regie(NOW)] == [old.id]
        assert [c.id for c in await repo.cases_without_regie(LATER)] == [old.id, recent.id]
        assert await repo.cases_without_regie(NOW - timedelta(seconds=1)) == []
        everything = await repo.cases_without_regie(
            LATER, statuses=("aangemeld", "actief", "afgeschaald", "gesloten")
        )
        assert [c.id for c in everything] == [old.id, closed.id, recent.id]


async def test_unregie_is_reported_once_per_day(database: Database) -> None:
    case = await _new_case(database)
    monday, tuesday = date(2025, 3, 3), date(2025, 3, 4)
    assert await _in_tx(database, lambda repo: repo.mark_unregie_reported(case.id, monday))
    assert not await _in_tx(database, lambda repo: repo.mark_unregie_reported(case.id, monday))
    assert await _in_tx(database, lambda repo: repo.mark_unregie_reported(case.id, tuesday))
    row = await _get(database, case.id)
    assert row.unregie_reported_on == tuesday
    assert row.version == 1  # bookkeeping, not a change of the case
    assert not await _in_tx(database, lambda repo: repo.mark_unregie_reported(999, tuesday))
    # A new vacancy starts a new reporting period.
    await _in_tx(database, lambda repo: repo.claim_regie(case.id, ANNA, "politie", NOW))
    await _in_tx(database, lambda repo: repo.release_regie(case.id, ANNA, LATER))
    assert (await _get(database, case.id)).unregie_reported_on is None
    assert await _in_tx(database, lambda repo: repo.mark_unregie_reported(case.id, tuesday))


async def test_concurrent_unregie_reports_have_one_winner(database: Database, race: Race) -> None:
    case = await _new_case(database)

    async def report(session: AsyncSession) -> bool:
        return await CaseRepository(session).mark_unregie_reported(case.id, date(2025, 3, 3))

    assert sorted(await race(5, report)) == [False] * 4 + [True]


# --------------------------------------------------------------------------- members
async def test_members_join_leave_and_rejoin(database: Database) -> None:
    case = await _new_case(database)
    assert await _in_tx(database, lambda repo: repo.add_member(case.id, ANNA, "politie", NOW))
    assert await _in_tx(database, lambda repo: repo.add_member(case.id, BERT, "ggz", LATER))
    assert not await _in_tx(database, lambda repo: repo.add_member(case.id, ANNA, "politie", LATER))
    async with database.session() as session:
        members = await CaseRepository(session).list_members(case.id)
    assert [(m.matrix_id, m.organisation_code, m.joined_at, m.active) for m in members] == [
        (ANNA, "politie", NOW, True),
        (BERT, "ggz", LATER, True),
    ]

    left_at = LATER + timedelta(hours=1)
    assert await _in_tx(database, lambda repo: repo.mark_member_left(case.id, ANNA, left_at))
    assert not await _in_tx(database, lambda repo: repo.mark_member_left(case.id, ANNA, left_at))
    assert not await _in_tx(database, lambda repo: repo.mark_member_left(case.id, CARLA, left_at))
    async with database.session() as session:
        repo = CaseRepository(session)
        assert [m.matrix_id for m in await repo.list_members(case.id)] == [BERT]
        everyone = await repo.list_members(case.id, include_left=True)
        assert [(m.matrix_id, m.left_at) for m in everyone] == [(ANNA, left_at), (BERT, None)]

    rejoined_at = left_at + timedelta(days=1)
    assert await _in_tx(
        database, lambda repo: repo.add_member(case.id, ANNA, "wijkteam", rejoined_at)
    )
    async with database.session() as session:
        anna = await CaseRepository(session).get_member(case.id, ANNA)
    assert anna is not None
    assert (anna.organisation_code, anna.joined_at, anna.left_at) == ("wijkteam", rejoined_at, None)


async def test_cases_of_a_member_and_of_a_regie_holder(database: Database) -> None:
    first = await _new_case(database, "een")
    second = await _new_case(database, "twee")
    third = await _new_case(database, "drie")
    async with database.session() as session, session.begin():
        repo = CaseRepository(session)
        for case in (first, second, third):
            assert await repo.add_member(case.id, ANNA, "politie", NOW)
        assert await repo.mark_member_left(second.id, ANNA, LATER)
        assert await repo.change_status(third.id, "aangemeld", "gesloten", LATER)
        assert await repo.claim_regie(first.id, ANNA, "politie", NOW)
        assert await repo.claim_regie(third.id, ANNA, "politie", NOW)
        assert await repo.claim_regie(second.id, BERT, "ggz", NOW)
    async with database.session() as session:
        repo = CaseRepository(session)
        assert [c.id for c in await repo.list_cases_for_member(ANNA)] == [first.id]
        assert [c.id for c in await repo.list_cases_for_member(ANNA, include_closed=True)] == [
            first.id,
            third.id,
        ]
        assert await repo.list_cases_for_member(CARLA) == []
        assert [c.id for c in await repo.cases_with_regie(ANNA)] == [first.id]
        assert [c.id for c in await repo.cases_with_regie(ANNA, include_closed=True)] == [
            first.id,
            third.id,
        ]
        assert [c.id for c in await repo.cases_with_regie(BERT)] == [second.id]


async def _casemanagers(database: Database, case_id: int) -> dict[str, str]:
    async with database.session() as session:
        members = await CaseRepository(session).list_members(case_id, include_left=True)
    return {m.matrix_id: m.organisation_code for m in members if m.casemanager}


async def test_one_casemanager_per_organisation(database: Database) -> None:
    case = await _new_case(database)
    async with database.session() as session, session.begin():
        repo = CaseRepository(session)
        await repo.add_member(case.id, ANNA, "politie", NOW)
        await repo.add_member(case.id, BERT, "politie", NOW)
        await repo.add_member(case.id, CARLA, "ggz", NOW)
    assert await _in_tx(database, lambda repo: repo.set_casemanager(case.id, ANNA, "politie"))
    assert await _in_tx(database, lambda repo: repo.set_casemanager(case.id, CARLA, "ggz"))
    assert await _casemanagers(database, case.id) == {ANNA: "politie", CARLA: "ggz"}
    # Bert takes over for politie; ggz is untouched.
    assert await _in_tx(database, lambda repo: repo.set_casemanager(case.id, BERT, "politie"))
    assert await _casemanagers(database, case.id) == {BERT: "politie", CARLA: "ggz"}
    # Again is harmless.
    assert await _in_tx(database, lambda repo: repo.set_casemanager(case.id, BERT, "politie"))
    assert await _casemanagers(database, case.id) == {BERT: "politie", CARLA: "ggz"}


async def test_set_casemanager_refuses_non_members_and_changes_nothing(database: Database) -> None:
    case = await _new_case(database)
    async with database.session() as session, session.begin():
        repo = CaseRepository(session)
        await repo.add_member(case.id, ANNA, "politie", NOW)
        await repo.add_member(case.id, BERT, "politie", NOW)
        assert await repo.set_casemanager(case.id, ANNA, "politie")
        assert await repo.mark_member_left(case.id, BERT, LATER)
    assert not await _in_tx(database, lambda repo: repo.set_casemanager(case.id, DIRK, "politie"))
    # Wrong organisation for this member, and a member who left.
    assert not await _in_tx(database, lambda repo: repo.set_casemanager(case.id, ANNA, "ggz"))
    assert not await _in_tx(database, lambda repo: repo.set_casemanager(case.id, BERT, "politie"))
    assert await _casemanagers(database, case.id) == {ANNA: "politie"}


async def test_leaving_or_clearing_ends_the_casemanager_role(database: Database) -> None:
    case = await _new_case(database)
    async with database.session() as session, session.begin():
        repo = CaseRepository(session)
        await repo.add_member(case.id, ANNA, "politie", NOW)
        await repo.add_member(case.id, CARLA, "ggz", NOW)
        await repo.set_casemanager(case.id, ANNA, "politie")
        await repo.set_casemanager(case.id, CARLA, "ggz")
    assert await _in_tx(database, lambda repo: repo.mark_member_left(case.id, ANNA, LATER))
    assert await _in_tx(database, lambda repo: repo.clear_casemanager(case.id, CARLA))
    assert not await _in_tx(database, lambda repo: repo.clear_casemanager(case.id, CARLA))
    assert await _casemanagers(database, case.id) == {}
    # Rejoining does not bring the role back.
    await _in_tx(database, lambda repo: repo.add_member(case.id, ANNA, "politie", LATER))
    assert await _casemanagers(database, case.id) == {}


async def test_concurrent_casemanager_changes_leave_one_per_organisation(
    database: Database, race: Race
) -> None:
    case = await _new_case(database)
    users = [f"@cm{n}:avz.test" for n in range(4)]
    async with database.session() as session, session.begin():
        repo = CaseRepository(session)
        for user in users:
            await repo.add_member(case.id, user, "politie", NOW)
    candidates = iter(users)

    async def appoint(session: AsyncSession) -> bool:
        return await CaseRepository(session).set_casemanager(case.id, next(candidates), "politie")

    assert await race(4, appoint) == [True] * 4
    assert len(await _casemanagers(database, case.id)) == 1


# --------------------------------------------------------------------------- proposals
async def test_one_open_proposal_per_case(database: Database) -> None:
    case = await _new_case(database)
    other = await _new_case(database)
    expires = NOW + timedelta(days=2)
    async with database.session() as session, session.begin():
        repo = CaseRepository(session)
        proposal = await repo.create_proposal(
            case_id=case.id,
            kind="transfer",
            from_user=ANNA,
            to_user=BERT,
            now=NOW,
            expires_at=expires,
        )
        assert proposal is not None
        assert (proposal.kind, proposal.from_user, proposal.to_user, proposal.open) == (
            "transfer",
            ANNA,
            BERT,
            True,
        )
        # Refused without breaking the transaction: the next statements still work.
        assert (
            await repo.create_proposal(
                case_id=case.id,
                kind="request",
                from_user=CARLA,
                to_user=ANNA,
                now=NOW,
                expires_at=expires,
            )
            is None
        )
        assert await repo.create_proposal(
            case_id=other.id,
            kind="request",
            from_user=CARLA,
            to_user=ANNA,
            now=NOW,
            expires_at=expires,
        )
        assert await repo.open_proposal(case.id) == proposal

    assert await _in_tx(
        database, lambda repo: repo.resolve_proposal(proposal.id, "declined", LATER)
    )
    assert not await _in_tx(
        database, lambda repo: repo.resolve_proposal(proposal.id, "accepted", LATER)
    )
    async with database.session() as session, session.begin():
        repo = CaseRepository(session)
        assert await repo.open_proposal(case.id) is None
        resolved = await repo.get_proposal(proposal.id)
        assert resolved is not None
        assert (resolved.resolution, resolved.resolved_at, resolved.open) == (
            "declined",
            LATER,
            False,
        )
        # Once resolved, the case can have a new open proposal.
        again = await repo.create_proposal(
            case_id=case.id,
            kind="request",
            from_user=CARLA,
            to_user=ANNA,
            now=LATER,
            expires_at=expires,
        )
        assert again is not None and again.id != proposal.id


async def test_concurrent_proposals_have_one_winner(database: Database, race: Race) -> None:
    case = await _new_case(database)

    async def propose(session: AsyncSession) -> bool:
        created = await CaseRepository(session).create_proposal(
            case_id=case.id,
            kind="request",
            from_user=BERT,
            to_user=ANNA,
            now=NOW,
            expires_at=LATER,
        )
        return created is not None

    assert sorted(await race(5, propose)) == [False] * 4 + [True]


async def test_expired_proposals(database: Database) -> None:
    first, second, third = [await _new_case(database) for _ in range(3)]
    async with database.session() as session, session.begin():
        repo = CaseRepository(session)
        soon = await repo.create_proposal(
            case_id=first.id,
            kind="transfer",
            from_user=ANNA,
            to_user=BERT,
            now=NOW,
            expires_at=NOW + timedelta(hours=1),
        )
        late = await repo.create_proposal(
            case_id=second.id,
            kind="transfer",
            from_user=ANNA,
            to_user=BERT,
            now=NOW,
            expires_at=NOW + timedelta(days=1),
        )
        done = await repo.create_proposal(
            case_id=third.id, kind="transfer", from_user=ANNA, to_user=BERT, now=NOW, expires_at=NOW
        )
        assert soon and late and done
        assert await repo.resolve_proposal(done.id, "accepted", NOW)
    async with database.session() as session:
        repo = CaseRepository(session)
        assert await repo.expired_proposals(NOW) == []
        assert [p.id for p in await repo.expired_proposals(NOW + timedelta(hours=1))] == [soon.id]
        assert [p.id for p in await repo.expired_proposals(NOW + timedelta(days=2))] == [
            soon.id,
            late.id,
        ]


async def test_an_answer_and_the_expiry_cannot_both_resolve_a_proposal(
    database: Database, race: Race
) -> None:
    case = await _new_case(database)
    created = await _in_tx(
        database,
        lambda repo: repo.create_proposal(
            case_id=case.id, kind="transfer", from_user=ANNA, to_user=BERT, now=NOW, expires_at=NOW
        ),
    )
    assert created is not None
    outcomes = iter(["accepted", "expired", "declined", "cancelled"])

    async def resolve(session: AsyncSession) -> bool:
        return await CaseRepository(session).resolve_proposal(created.id, next(outcomes), LATER)

    assert sorted(await race(4, resolve)) == [False] * 3 + [True]


async def test_open_proposals_to_lists_only_unanswered_ones_for_that_person(
    database: Database,
) -> None:
    now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    async with database.session() as session, session.begin():
        repo = CaseRepository(session)
        first = await repo.create(
            reference="AVZ-2026-0101",
            title="a",
            municipality="groningen",
            case_type="jeugd",
            created_by="@a:x",
            now=now,
        )
        second = await repo.create(
            reference="AVZ-2026-0102",
            title="b",
            municipality="groningen",
            case_type="jeugd",
            created_by="@a:x",
            now=now,
        )
        waiting = await repo.create_proposal(
            case_id=first.id,
            kind="transfer",
            from_user="@a:x",
            to_user="@b:x",
            now=now,
            expires_at=now + timedelta(days=3),
        )
        answered = await repo.create_proposal(
            case_id=second.id,
            kind="transfer",
            from_user="@a:x",
            to_user="@b:x",
            now=now,
            expires_at=now + timedelta(days=3),
        )
        assert waiting is not None and answered is not None
        await repo.resolve_proposal(answered.id, "declined", now)
    async with database.session() as session:
        repo = CaseRepository(session)
        assert [p.id for p in await repo.open_proposals_to("@b:x")] == [waiting.id]
        assert await repo.open_proposals_to("@a:x") == []
