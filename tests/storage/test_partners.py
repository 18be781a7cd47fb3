"""Synchronising the partner registry and looking members up."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
import sqlalchemy as sa

from avz_bot.domain.partners import (
    Member,
    Organisation,
    OrgDomain,
    Role,
    ScopedRole,
    ScopedRoleKind,
)
from storage.db import Database
from storage.registry_models import MemberRoleRecord, OrganisationRecord
from storage.registry_repositories import PartnerRepository, SyncSummary

POLITIE = Organisation("politie", "Politie Noord-Nederland", OrgDomain.VEILIGHEID)
GGZ = Organisation("ggz", "GGZ Groningen", OrgDomain.ZORG)

ANNA = Member("@anna:avz.test", "Anna de Vries", POLITIE, frozenset({Role.PROFESSIONAL}))
BART = Member("@bart:avz.test", "Bart Jansen", GGZ, frozenset({Role.PROFESSIONAL, Role.EXPERT}))
CEES = Member("@cees:avz.test", "Cees Bakker", GGZ, frozenset({Role.KETENMANAGER, Role.ADMIN}))


async def _sync(
    database: Database, orgs: Sequence[Organisation], members: Sequence[Member]
) -> SyncSummary:
    async with database.session() as session, session.begin():
        return await PartnerRepository(session).sync(orgs, members)


async def _members(database: Database) -> list[Member]:
    async with database.session() as session:
        return await PartnerRepository(session).list_members()


async def _get(database: Database, matrix_id: str) -> Member | None:
    async with database.session() as session:
        return await PartnerRepository(session).get_member(matrix_id)


async def _role_rows(database: Database) -> list[tuple[str, str]]:
    async with database.session() as session:
        rows = await session.execute(
            sa.select(MemberRoleRecord.matrix_id, MemberRoleRecord.role).order_by(
                MemberRoleRecord.matrix_id, MemberRoleRecord.role
            )
        )
        return [(matrix_id, role) for matrix_id, role in rows]


async def test_first_sync_inserts_everything(database: Database) -> None:
    summary = await _sync(database, [POLITIE, GGZ], [CEES, ANNA, BART])
    assert summary == SyncSummary(organisations_added=2, members_added=3)
    assert await _members(database) == [ANNA, BART, CEES]
    assert await _get(database, "@bart:avz.test") == BART
    assert await _get(database, "@nobody:avz.test") is None
    # Exact match only: no case folding, no prefix matching.
    assert await _get(database, "@ANNA:avz.test") is None


async def test_repeating_the_same_sync_changes_nothing(database: Database) -> None:
    await _sync(database, [POLITIE, GGZ], [ANNA, BART])
    summary = await _sync(database, [POLITIE, GGZ], [ANNA, BART])
    assert summary == SyncSummary()
    assert not summary.changed
    assert await _members(database) == [ANNA, BART]


async def test_sync_updates_names_domains_organisations_and_roles(database: Database) -> None:
    await _sync(database, [POLITIE, GGZ], [ANNA, BART])
    renamed_ggz = Organisation("ggz", "Lentis GGZ", OrgDomain.ZORG)
    politie_as_justitie = Organisation("politie", "Politie", OrgDomain.JUSTITIE)
    anna = Member("@anna:avz.test", "Anna de Vries-Smit", renamed_ggz, frozenset({Role.EXPERT}))
    bart = Member(
        "@bart:avz.test", "Bart Jansen", renamed_ggz, frozenset({Role.EXPERT, Role.ADMIN})
    )

    summary = await _sync(database, [politie_as_justitie, renamed_ggz], [anna, bart])

    assert summary == SyncSummary(organisations_updated=2, members_updated=2)
    assert await _get(database, anna.matrix_id) == anna
    assert await _get(database, bart.matrix_id) == bart
    # Roles are replaced, not merged: no stale role rows are left behind.
    assert await _role_rows(database) == [
        ("@anna:avz.test", "expert"),
        ("@bart:avz.test", "admin"),
        ("@bart:avz.test", "expert"),
    ]


async def test_missing_members_and_organisations_are_deactivated(database: Database) -> None:
    await _sync(database, [POLITIE, GGZ], [ANNA, BART, CEES])

    summary = await _sync(database, [GGZ], [BART])

    assert summary == SyncSummary(organisations_deactivated=1, members_deactivated=2)
    assert await _members(database) == [BART]
    assert await _get(database, ANNA.matrix_id) is None
    assert await _get(database, CEES.matrix_id) is None
    async with database.session() as session:
        rows = await session.execute(sa.select(OrganisationRecord.code, OrganisationRecord.active))
        active = {code: is_active for code, is_active in rows}
    assert active == {"politie": False, "ggz": True}  # deactivated, not deleted

    # Listing them again brings them back, with the roles from the file.
    cees_now = Member(CEES.matrix_id, CEES.display_name, GGZ, frozenset({Role.PROFESSIONAL}))
    summary = await _sync(database, [POLITIE, GGZ], [ANNA, BART, cees_now])
    assert summary == SyncSummary(organisations_updated=1, members_updated=2)
    assert await _members(database) == [ANNA, BART, cees_now]


async def test_member_without_roles(database: Database) -> None:
    nobody = Member("@dirk:avz.test", "Dirk", POLITIE)
    await _sync(database, [POLITIE], [nobody])
    found = await _get(database, nobody.matrix_id)
    assert found == nobody
    assert found is not None and found.roles == frozenset()


async def test_members_of_an_inactive_organisation_are_not_members(database: Database) -> None:
    await _sync(database, [POLITIE, GGZ], [ANNA, BART])
    async with database.session() as session, session.begin():
        await session.execute(
            sa.update(OrganisationRecord)
            .where(OrganisationRecord.code == "ggz")
            .values(active=False)
        )
    assert await _get(database, BART.matrix_id) is None
    assert await _members(database) == [ANNA]


async def test_sync_refuses_inconsistent_input(database: Database) -> None:
    with pytest.raises(ValueError, match="unlisted organisation"):
        await _sync(database, [POLITIE], [ANNA, BART])
    with pytest.raises(ValueError, match="more than once"):
        await _sync(database, [POLITIE, POLITIE], [ANNA])
    with pytest.raises(ValueError, match="more than once"):
        await _sync(database, [POLITIE], [ANNA, ANNA])
    assert await _members(database) == []


async def test_scoped_roles_round_trip_and_change(database: Database) -> None:
    tvo = ScopedRole(ScopedRoleKind.TVO, "groningen")
    theme = ScopedRole(ScopedRoleKind.THEME, "jeugd")
    bart = Member(BART.matrix_id, BART.display_name, GGZ, BART.roles, frozenset({tvo, theme}))
    await _sync(database, [POLITIE, GGZ], [ANNA, bart])
    assert await _get(database, bart.matrix_id) == bart
    assert ("@bart:avz.test", "tvo:groningen") in await _role_rows(database)
    # Losing a scoped role removes just that row; plain roles stay.
    fewer = Member(BART.matrix_id, BART.display_name, GGZ, BART.roles, frozenset({theme}))
    summary = await _sync(database, [POLITIE, GGZ], [ANNA, fewer])
    assert summary.members_updated == 1
    assert await _get(database, bart.matrix_id) == fewer
    assert ("@bart:avz.test", "tvo:groningen") not in await _role_rows(database)
