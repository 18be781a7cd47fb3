"""A registry reload takes a member who left off their cases: the case room and the
coordination room are told, as background notifications (bulk lane)."""

from __future__ import annotations

from datetime import UTC, datetime

from avz_bot.clock import FakeClock
from avz_bot.domain.partners import Member, Organisation, OrgDomain, Role
from avz_bot.messages import Messages
from avz_bot.runtime.units import AppServices
from avz_bot.services.operations.registry import synchronise_registry
from avz_bot.settings_sections.cases import CasesSettings
from storage.case_repositories import CaseRepository
from storage.db import Database
from storage.outbox_repositories import LANE_BULK, OutboxRepository
from storage.registry_repositories import PartnerRepository

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ROOM = "!case:avz.test"
COORDINATION = "!coord:avz.test"
POLITIE = Organisation("politie", "Politie", OrgDomain.VEILIGHEID)
PIETER = Member("@pieter:avz.test", "Pieter", POLITIE, frozenset({Role.PROFESSIONAL}))
KAREL = Member("@karel:avz.test", "Karel", POLITIE, frozenset({Role.PROFESSIONAL}))


async def test_deregistration_notices_are_bulk(database: Database) -> None:
    services = AppServices(
        clock=FakeClock(T0),
        version="test",
        messages=Messages(),
        cases_settings=CasesSettings(coordination_room=COORDINATION),
    )
    async with database.session() as session, session.begin():
        await PartnerRepository(session).sync([POLITIE], [PIETER, KAREL])
        cases = CaseRepository(session)
        row = await cases.create(
            reference="AVZ-2026-0001",
            title="t",
            municipality="groningen",
            case_type="jeugd",
            created_by=PIETER.matrix_id,
            now=T0,
        )
        await cases.set_room(row.id, ROOM)
        await cases.add_member(row.id, PIETER.matrix_id, "politie", T0)
        await cases.add_member(row.id, KAREL.matrix_id, "politie", T0)

    async with database.session() as session, session.begin():
        outcome = await synchronise_registry(
            session,
            services.bind,
            [POLITIE],
            [PIETER],  # Karel is no longer listed
            key="registry:test",
            coordination_room=COORDINATION,
            max_items=10,
        )
    assert [d.matrix_id for d in outcome.deregistered] == [KAREL.matrix_id]
    async with database.session() as session:
        rows = await OutboxRepository(session).pending(limit=100)
    assert {row.room_id for row in rows} == {ROOM, COORDINATION}
    assert all("Karel" in str(row.content["body"]) for row in rows)
    assert {row.lane for row in rows} == {LANE_BULK}  # nobody waits for them in a chat
