"""Agreements: per-case numbering, status changes, owners and postponements."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.agreement_repositories import AgreementRepository, AgreementRow
from storage.case_repositories import CaseRepository
from storage.db import Database

NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
DEADLINE = NOW + timedelta(days=7)
ANNA, BERT = "@anna:avz.test", "@bert:avz.test"

Race = Callable[[int, Callable[[AsyncSession], Awaitable[bool]]], Awaitable[list[bool]]]


async def _new_case(database: Database) -> int:
    async with database.session() as session, session.begin():
        repo = CaseRepository(session)
        case = await repo.create(
            reference=await repo.next_reference(2025),
            title="Casus",
            municipality="Utrecht",
            case_type="x",
            created_by=ANNA,
            now=NOW,
        )
    return case.id


async def _add(
    session: AsyncSession,
    case_id: int,
    description: str = "huisbezoek",
    *,
    owner_user: str | None = ANNA,
    owner_org: str | None = "politie",
    deadline: datetime = DEADLINE,
) -> AgreementRow:
    return await AgreementRepository(session).create(
        case_id=case_id,
        description=description,
        owner_user=owner_user,
        owner_org=owner_org,
        created_by=BERT,
        deadline=deadline,
        now=NOW,
    )


async def _get(database: Database, agreement_id: int) -> AgreementRow:
    async with database.session() as session:
        row = await AgreementRepository(session).get(agreement_id)
    assert row is not None
    return row


async def test_agreements_are_numbered_per_case(database: Database) -> None:
    first_case, second_case = await _new_case(database), await _new_case(database)
    async with database.session() as session, session.begin():
        one = await _add(session, first_case, "een")
        two = await _add(session, first_case, "twee", owner_user=None, owner_org="ggz")
        other = await _add(session, second_case, "ander")
    async with database.session() as session, session.begin():
        three = await _add(session, first_case, "drie")
    assert [one.number, two.number, three.number, other.number] == [1, 2, 3, 1]
    assert (one.description, one.owner_user, one.owner_org, one.created_by) == (
        "een",
        ANNA,
        "politie",
        BERT,
    )
    assert (two.owner_user, two.owner_org) == (None, "ggz")
    assert (one.status, one.deadline, one.created_at, one.completed_at, one.note, one.version) == (
        "open",
        DEADLINE,
        NOW,
        None,
        None,
        1,
    )
    async with database.session() as session:
        repo = AgreementRepository(session)
        assert await repo.by_number(first_case, 2) == two
        assert await repo.by_number(second_case, 2) is None
        assert [a.number for a in await repo.list_for_case(first_case)] == [1, 2, 3]


async def test_a_rolled_back_number_is_used_again(database: Database) -> None:
    case_id = await _new_case(database)
    async with database.session() as session:
        await session.begin()
        assert (await _add(session, case_id)).number == 1
        await session.rollback()
    async with database.session() as session, session.begin():
        assert (await _add(session, case_id)).number == 1


async def test_numbering_inside_a_larger_transaction_that_rolls_back(database: Database) -> None:
    # Creating an agreement must not commit anything on its own (no stray SAVEPOINT
    # commit): everything written in the transaction disappears with the rollback.
    case_id = await _new_case(database)
    async with database.session() as session:
        await session.begin()
        await _add(session, case_id, "eerste")
        await CaseRepository(session).change_status(case_id, "aangemeld", "actief", NOW)
        await session.rollback()
    async with database.session() as session:
        assert await AgreementRepository(session).list_for_case(case_id) == []
        case = await CaseRepository(session).get(case_id)
        assert case is not None and case.status == "aangemeld"


async def test_concurrent_agreements_get_distinct_consecutive_numbers(
    database: Database, race: Race
) -> None:
    case_id = await _new_case(database)

    async def add(session: AsyncSession) -> bool:
        await _add(session, case_id)
        return True

    assert await race(10, add) == [True] * 10
    results = await asyncio.gather(*(_add_in_own_tx(database, case_id) for _ in range(10)))
    assert sorted(results) == list(range(11, 21))
    async with database.session() as session:
        numbers = [a.number for a in await AgreementRepository(session).list_for_case(case_id)]
    assert numbers == list(range(1, 21))


async def _add_in_own_tx(database: Database, case_id: int) -> int:
    async with database.session() as session, session.begin():
        return (await _add(session, case_id)).number


async def test_the_number_unique_constraint_is_the_backstop(database: Database) -> None:
    case_id = await _new_case(database)
    async with database.session() as session, session.begin():
        await _add(session, case_id)
    with pytest.raises(IntegrityError):
        async with database.session() as session, session.begin():
            await session.execute(
                text(
                    "INSERT INTO agreements (case_id, number, description, created_by, "
                    "owner_org, created_at, deadline, status, version) "
                    "VALUES (:c, 1, 'x', 'y', 'politie', :t, :t, 'open', 1)"
                ),
                {"c": case_id, "t": NOW},
            )


async def test_an_agreement_needs_an_owner_and_an_existing_case(database: Database) -> None:
    case_id = await _new_case(database)
    async with database.session() as session:
        with pytest.raises(ValueError, match="owner"):
            await _add(session, case_id, owner_user=None, owner_org=None)
    with pytest.raises(IntegrityError):
        async with database.session() as session, session.begin():
            await _add(session, case_id + 100)


async def test_status_changes_are_conditional(database: Database) -> None:
    case_id = await _new_case(database)
    async with database.session() as session, session.begin():
        agreement = await _add(session, case_id)
    done_at = NOW + timedelta(days=1)

    async def change(expected: str, new: str, note: str | None = None) -> bool:
        async with database.session() as session, session.begin():
            return await AgreementRepository(session).change_status(
                agreement.id, expected, new, done_at, note=note
            )

    assert not await change("klaar", "open")
    assert await change("open", "klaar", note="gedaan")
    row = await _get(database, agreement.id)
    assert (row.status, row.completed_at, row.note, row.version) == ("klaar", done_at, "gedaan", 2)
    assert not await change("open", "vervallen")
    assert await change("klaar", "open")
    row = await _get(database, agreement.id)
    assert (row.status, row.completed_at, row.note) == ("open", None, "gedaan")


async def test_concurrent_completions_have_one_winner(database: Database, race: Race) -> None:
    case_id = await _new_case(database)
    async with database.session() as session, session.begin():
        agreement = await _add(session, case_id)

    async def complete(session: AsyncSession) -> bool:
        return await AgreementRepository(session).change_status(agreement.id, "open", "klaar", NOW)

    assert sorted(await race(5, complete)) == [False] * 4 + [True]


async def test_owner_changes_only_while_open(database: Database) -> None:
    case_id = await _new_case(database)
    async with database.session() as session, session.begin():
        agreement = await _add(session, case_id)
        repo = AgreementRepository(session)
        assert await repo.set_owner(agreement.id, None, "ggz")
        with pytest.raises(ValueError):
            await repo.set_owner(agreement.id, None, None)
        assert await repo.change_status(agreement.id, "open", "vervallen", NOW)
        assert not await repo.set_owner(agreement.id, BERT, "ggz")
    row = await _get(database, agreement.id)
    assert (row.owner_user, row.owner_org, row.status) == (None, "ggz", "vervallen")


async def test_postponements_are_recorded(database: Database) -> None:
    case_id = await _new_case(database)
    async with database.session() as session, session.begin():
        agreement = await _add(session, case_id)
    second, third = DEADLINE + timedelta(days=3), DEADLINE + timedelta(days=10)
    at1, at2 = NOW + timedelta(days=1), NOW + timedelta(days=2)
    async with database.session() as session, session.begin():
        repo = AgreementRepository(session)
        assert await repo.postpone(agreement.id, second, "ziek", ANNA, at1)
        assert await repo.postpone(agreement.id, third, "wacht op ggz", BERT, at2)
        assert not await repo.postpone(agreement.id + 100, third, "x", BERT, at2)
    row = await _get(database, agreement.id)
    assert (row.deadline, row.version) == (third, 3)
    async with database.session() as session:
        history = await AgreementRepository(session).postponements(agreement.id)
    assert [(p.old_deadline, p.new_deadline, p.reason, p.by_user, p.at) for p in history] == [
        (DEADLINE, second, "ziek", ANNA, at1),
        (second, third, "wacht op ggz", BERT, at2),
    ]


async def test_a_finished_agreement_cannot_be_postponed(database: Database) -> None:
    case_id = await _new_case(database)
    async with database.session() as session, session.begin():
        agreement = await _add(session, case_id)
        repo = AgreementRepository(session)
        assert await repo.change_status(agreement.id, "open", "klaar", NOW)
        assert not await repo.postpone(agreement.id, DEADLINE + timedelta(days=1), "x", ANNA, NOW)
        assert await repo.postponements(agreement.id) == []
    assert (await _get(database, agreement.id)).deadline == DEADLINE


async def test_concurrent_postponements_chain_their_old_deadlines(
    database: Database, race: Race
) -> None:
    case_id = await _new_case(database)
    async with database.session() as session, session.begin():
        agreement = await _add(session, case_id)
    targets = iter(DEADLINE + timedelta(days=n) for n in range(1, 5))

    async def postpone(session: AsyncSession) -> bool:
        return await AgreementRepository(session).postpone(
            agreement.id, next(targets), "later", ANNA, NOW
        )

    assert await race(4, postpone) == [True] * 4
    async with database.session() as session:
        history = await AgreementRepository(session).postponements(agreement.id)
    # Every postponement replaced the deadline the previous one set: no lost update.
    chain = {p.old_deadline: p.new_deadline for p in history}
    deadline, steps = DEADLINE, 0
    while deadline in chain:
        deadline, steps = chain[deadline], steps + 1
    assert steps == 4
    assert (await _get(database, agreement.id)).deadline == deadline


async def test_overdue_and_personal_lists(database: Database) -> None:
    case_id = await _new_case(database)
    async with database.session() as session, session.begin():
        early = await _add(session, case_id, deadline=NOW + timedelta(days=1))
        org_only = await _add(session, case_id, owner_user=None, deadline=NOW + timedelta(days=1))
        late = await _add(session, case_id, owner_user=BERT, deadline=NOW + timedelta(days=9))
        finished = await _add(session, case_id, deadline=NOW)
        repo = AgreementRepository(session)
        assert await repo.change_status(finished.id, "open", "klaar", NOW)
    async with database.session() as session:
        repo = AgreementRepository(session)
        due = await repo.open_due_before(NOW + timedelta(days=1))
        assert [a.id for a in due] == [early.id, org_only.id]
        assert [a.id for a in await repo.open_for_user(ANNA)] == [early.id]
        assert [a.id for a in await repo.open_for_user(BERT)] == [late.id]
        open_only = await repo.list_for_case(case_id, statuses=["open"])
        assert [a.id for a in open_only] == [early.id, org_only.id, late.id]
