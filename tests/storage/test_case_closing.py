"""Closing with open work: the request is a durable job; it lapses (the room is told, the
case stays open) and a late confirmation is refused (issue 25)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from avz_bot.services.cases import CaseService
from avz_bot.services.cases.closing import JOB_CLOSE_REQUEST, close_request_key
from avz_bot.services.refusal import Refused
from storage.agreement_repositories import AgreementRepository
from storage.case_repositories import CaseRepository
from storage.db import Database
from storage.outbox_repositories import OutboxRepository
from storage.schedule_repositories import JobRepository
from tests.storage.test_case_sweep import PIETER, ROOM, Sweeper, local


async def _close(sweeper: Sweeper, confirm: bool = False) -> str:
    async with sweeper.database.session() as session, session.begin():
        cases = sweeper.services.bind(session)[CaseService]
        loaded = await cases.require_case(ROOM)
        if confirm:
            reply = await cases.closing.confirm(loaded, PIETER, ROOM, "$confirm")
        else:
            reply = await cases.closing.close(
                loaded, PIETER, "doelen bereikt", ROOM, "$close", "txn-close"
            )
        return reply.plain


@pytest.fixture
async def with_agreement(database: Database) -> Sweeper:
    sweeper = Sweeper(database)
    await sweeper.setup()
    await sweeper.command("claim")
    async with database.session() as session, session.begin():
        case = await CaseRepository(session).by_room(ROOM)
        assert case is not None
        await AgreementRepository(session).create(
            case_id=case.id,
            description="Zorgplan",
            owner_user=PIETER.matrix_id,
            owner_org="politie",
            created_by=PIETER.matrix_id,
            deadline=local(12, 1, 17),
            now=sweeper.clock.now(),
        )
    return sweeper


async def test_the_request_is_a_job_that_lapses_and_tells_the_room(with_agreement: Sweeper) -> None:
    sweeper = with_agreement
    asked = await _close(sweeper)
    assert "1 open afspraak" in asked and "Nog niets gesloten" in asked
    async with sweeper.database.session() as session:
        job = await JobRepository(session).by_key(close_request_key(1))
    assert job is not None and job.kind == JOB_CLOSE_REQUEST
    assert job.due_at == sweeper.clock.now() + timedelta(minutes=15)  # the default
    # 15 minutes later nobody has confirmed: the room hears that the case stays open.
    sweeper.clock.set(job.due_at)
    assert await sweeper.scheduler.run_due() >= 1
    async with sweeper.database.session() as session:
        case = await CaseRepository(session).by_room(ROOM)
        bodies = [str(r.content["body"]) for r in await OutboxRepository(session).pending(100)]
    assert case is not None and case.status != "gesloten"
    assert any("verlopen" in b and "blijft open" in b for b in bodies), bodies
    with pytest.raises(Refused) as late:
        await _close(sweeper, confirm=True)
    assert "geen verzoek" in late.value.reply.plain


async def test_a_confirmation_at_the_expiry_moment_is_too_late(with_agreement: Sweeper) -> None:
    sweeper = with_agreement
    await _close(sweeper)
    sweeper.clock.advance(timedelta(minutes=15))
    with pytest.raises(Refused) as late:
        await _close(sweeper, confirm=True)
    assert "verlopen" in late.value.reply.plain
    sweeper.clock.set(sweeper.clock.now() - timedelta(minutes=1))
    assert "is gesloten" in await _close(sweeper, confirm=True)
