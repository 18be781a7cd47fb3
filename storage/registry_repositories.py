"""The partner registry: organisations, members and their roles, synchronised from the
registry file and read as domain objects. Never commits (see ``storage.sql``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import contains_eager, selectinload

from avz_bot.domain.partners import Member, Organisation, OrgDomain, Role, ScopedRole
from storage.registry_models import MemberRecord, MemberRoleRecord, OrganisationRecord


@dataclass(frozen=True, slots=True)
class SyncSummary:
    """What a partner registry synchronisation changed (counts, for the log)."""

    organisations_added: int = 0
    organisations_updated: int = 0
    organisations_deactivated: int = 0
    members_added: int = 0
    members_updated: int = 0
    members_deactivated: int = 0

    @property
    def changed(self) -> bool:
        """Whether anything changed at all."""
        return any(
            (
                self.organisations_added,
                self.organisations_updated,
                self.organisations_deactivated,
                self.members_added,
                self.members_updated,
                self.members_deactivated,
            )
        )


def _to_member(row: MemberRecord) -> Member:
    org = row.organisation
    return Member(
        matrix_id=row.matrix_id,
        display_name=row.display_name,
        organisation=Organisation(org.code, org.name, OrgDomain(org.domain)),
        roles=frozenset(Role(r.role) for r in row.roles if ":" not in r.role),
        scoped_roles=frozenset(ScopedRole.decode(r.role) for r in row.roles if ":" in r.role),
    )


def _check_registry(
    organisations: Sequence[Organisation], members: Sequence[Member]
) -> tuple[dict[str, Organisation], dict[str, Member]]:
    """The registry by code and by Matrix id; ``ValueError`` for duplicates or a member
    of an unlisted organisation."""
    org_by_code = {o.code: o for o in organisations}
    member_by_id = {m.matrix_id: m for m in members}
    if len(org_by_code) != len(organisations):
        raise ValueError("an organisation code is listed more than once")
    if len(member_by_id) != len(members):
        raise ValueError("a member is listed more than once")
    for member in members:
        if member.organisation.code not in org_by_code:
            raise ValueError(
                f"member {member.matrix_id} belongs to unlisted organisation "
                f"{member.organisation.code!r}"
            )
    return org_by_code, member_by_id


def _update_member(member_row: MemberRecord, member: Member, wanted_roles: set[str]) -> bool:
    """Bring a stored member in line with the listed one; whether anything changed."""
    changed = False
    wanted = (member.display_name, member.organisation.code, True)
    if (member_row.display_name, member_row.organisation_code, member_row.active) != wanted:
        member_row.display_name = member.display_name
        member_row.organisation_code = member.organisation.code
        member_row.active = True
        changed = True
    current_roles = {r.role for r in member_row.roles}
    if current_roles != wanted_roles:
        # Removing from the collection deletes the row (delete-orphan cascade).
        member_row.roles = [r for r in member_row.roles if r.role in wanted_roles] + [
            MemberRoleRecord(role=role) for role in sorted(wanted_roles - current_roles)
        ]
        changed = True
    return changed


class PartnerRepository:
    """The partner registry: organisations, members and their roles."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def sync(
        self, organisations: Sequence[Organisation], members: Sequence[Member]
    ) -> SyncSummary:
        """Make the tables match the registry file.

        Listed organisations and members are inserted or updated (and reactivated);
        those missing from the file are deactivated, never deleted, so the audit trail
        keeps pointing at them. Each listed member's roles are replaced by the listed
        ones. Raises ``ValueError`` for duplicates or a member of an unlisted organisation.
        """
        org_by_code, member_by_id = _check_registry(organisations, members)
        orgs_added, orgs_updated, orgs_deactivated = await self._sync_organisations(org_by_code)
        # Organisations first: new members reference them by foreign key.
        await self._session.flush()
        members_added, members_updated, members_deactivated = await self._sync_members(member_by_id)
        await self._session.flush()
        return SyncSummary(
            organisations_added=orgs_added,
            organisations_updated=orgs_updated,
            organisations_deactivated=orgs_deactivated,
            members_added=members_added,
            members_updated=members_updated,
            members_deactivated=members_deactivated,
        )

    async def _sync_organisations(
        self, org_by_code: dict[str, Organisation]
    ) -> tuple[int, int, int]:
        """Insert, update and deactivate organisations: (added, updated, deactivated)."""
        orgs_added = orgs_updated = orgs_deactivated = 0
        existing_orgs = {
            row.code: row for row in (await self._session.scalars(select(OrganisationRecord)))
        }
        for code, org in org_by_code.items():
            org_row = existing_orgs.get(code)
            if org_row is None:
                self._session.add(
                    OrganisationRecord(
                        code=code, name=org.name, domain=org.domain.value, active=True
                    )
                )
                orgs_added += 1
            elif (org_row.name, org_row.domain, org_row.active) != (
                org.name,
                org.domain.value,
                True,
            ):
                org_row.name, org_row.domain, org_row.active = org.name, org.domain.value, True
                orgs_updated += 1
        for code, org_row in existing_orgs.items():
            if code not in org_by_code and org_row.active:
                org_row.active = False
                orgs_deactivated += 1
        return orgs_added, orgs_updated, orgs_deactivated

    async def _sync_members(self, member_by_id: dict[str, Member]) -> tuple[int, int, int]:
        """Insert, update and deactivate members: (added, updated, deactivated)."""
        members_added = members_updated = members_deactivated = 0
        existing_members = {
            row.matrix_id: row
            for row in await self._session.scalars(
                select(MemberRecord).options(selectinload(MemberRecord.roles))
            )
        }
        for matrix_id, member in member_by_id.items():
            # Plain roles and scoped roles (``kind:scope``) share the member_roles table.
            wanted_roles = {role.value for role in member.roles} | {
                scoped.encode() for scoped in member.scoped_roles
            }
            member_row = existing_members.get(matrix_id)
            if member_row is None:
                self._session.add(
                    MemberRecord(
                        matrix_id=matrix_id,
                        display_name=member.display_name,
                        organisation_code=member.organisation.code,
                        active=True,
                        roles=[MemberRoleRecord(role=role) for role in sorted(wanted_roles)],
                    )
                )
                members_added += 1
                continue
            if _update_member(member_row, member, wanted_roles):
                members_updated += 1
        for matrix_id, member_row in existing_members.items():
            if matrix_id not in member_by_id and member_row.active:
                member_row.active = False
                members_deactivated += 1
        return members_added, members_updated, members_deactivated

    async def _active_members(self, *conditions: ColumnElement[bool]) -> list[Member]:
        # A member of a deactivated organisation is not a member any more either.
        stmt = (
            select(MemberRecord)
            .join(MemberRecord.organisation)
            .where(MemberRecord.active.is_(True), OrganisationRecord.active.is_(True), *conditions)
            .options(contains_eager(MemberRecord.organisation), selectinload(MemberRecord.roles))
            .order_by(MemberRecord.matrix_id)
            .execution_options(populate_existing=True)
        )
        return [_to_member(row) for row in await self._session.scalars(stmt)]

    async def get_member(self, matrix_id: str) -> Member | None:
        """The active member with this exact Matrix id (of an active organisation)."""
        found = await self._active_members(MemberRecord.matrix_id == matrix_id)
        return found[0] if found else None

    async def list_members(self) -> list[Member]:
        """Every active member of an active organisation, ordered by Matrix id."""
        return await self._active_members()
