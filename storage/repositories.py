"""Repositories: the only code that reads and writes the tables.

Each repository wraps an ``AsyncSession`` that belongs to the caller. Repositories may
flush but NEVER commit or roll back: the service layer decides what one transaction
is (claim the event, apply the command, append the audit trail and queue the reply,
all or nothing).

Operations that must be safe under concurrency are single atomic statements:
``INSERT ... ON CONFLICT`` for claims and idempotent inserts (a conflict neither
raises nor aborts the caller's transaction), and conditional ``UPDATE ... WHERE
column IS NULL`` for first-time-only flags. Results are returned as frozen
dataclasses or domain objects, never as ORM instances.
"""

from __future__ import annotations

import builtins
import dataclasses
import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar, cast

from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    bindparam,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, contains_eager, selectinload
from sqlalchemy.sql.base import ReadOnlyColumnCollection
from sqlalchemy.sql.dml import Insert, UpdateBase
from sqlalchemy.sql.elements import KeyedColumnElement

from avz_bot.domain.partners import Member, Organisation, OrgDomain, Role, ScopedRole
from storage.audit_models import AuditLogRecord
from storage.base import Base
from storage.registry_models import MemberRecord, MemberRoleRecord, OrganisationRecord
from storage.runtime_models import BotRoomRecord, ProcessedEventRecord

#: ``processed_events.outcome`` between the claim and ``set_outcome`` (same transaction).
CLAIMED_OUTCOME = "claimed"

AuditValue = str | int | bool | None

_Excluded = ReadOnlyColumnCollection[str, KeyedColumnElement[Any]]

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

    _Row = TypeVar("_Row", bound=DataclassInstance)
else:
    _Row = TypeVar("_Row")

#: How often an insert that lost the race for a per-scope number is retried.
NUMBER_RETRIES = 25


# --------------------------------------------------------------------------- helpers
def _dialect_insert(session: AsyncSession, entity: type[Base]) -> postgresql.Insert | sqlite.Insert:
    """``INSERT`` of the session's dialect, which knows ``ON CONFLICT``."""
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert(entity)
    if name == "sqlite":
        return sqlite.insert(entity)
    raise NotImplementedError(f"no ON CONFLICT support for database {name!r}")


def _insert_ignore(
    session: AsyncSession, entity: type[Base], values: Mapping[str, Any], key: Sequence[str]
) -> Insert:
    """``INSERT ... ON CONFLICT (key) DO NOTHING``."""
    stmt = _dialect_insert(session, entity).values(**values)
    return stmt.on_conflict_do_nothing(index_elements=list(key))


def _upsert(
    session: AsyncSession,
    entity: type[Base],
    values: Mapping[str, Any],
    key: Sequence[str],
    set_: Callable[[_Excluded], Mapping[str, Any]],
) -> Insert:
    """``INSERT ... ON CONFLICT (key) DO UPDATE SET set_(excluded)``."""
    stmt = _dialect_insert(session, entity).values(**values)
    return stmt.on_conflict_do_update(index_elements=list(key), set_=dict(set_(stmt.excluded)))


async def _rowcount(
    session: AsyncSession, stmt: UpdateBase, params: Mapping[str, Any] | None = None
) -> int:
    """Execute a DML statement (with ``params`` for its bind parameters) and return how
    many rows it inserted/changed."""
    # No ORM synchronisation: repositories hand out no ORM objects, and reads below use
    # populate_existing, so the identity map cannot serve stale rows.
    result = await session.execute(stmt, params, execution_options={"synchronize_session": False})
    if not isinstance(result, CursorResult):  # pragma: no cover - DML always gives one
        raise TypeError("expected a cursor result from a DML statement")
    return result.rowcount


def _dialect_name(session: AsyncSession) -> str:
    """``"sqlite"`` or ``"postgresql"``."""
    return session.get_bind().dialect.name


def _to_row(cls: type[_Row], record: object) -> _Row:
    """The frozen dataclass ``cls`` filled from the same-named attributes of ``record``."""
    return cls(**{f.name: getattr(record, f.name) for f in dataclasses.fields(cls)})


async def _fetch_rows(session: AsyncSession, cls: type[_Row], stmt: Select[Any]) -> list[_Row]:
    """Run an ORM select of one entity and convert every record to ``cls``."""
    stmt = stmt.execution_options(populate_existing=True)
    return [_to_row(cls, record) for record in await session.scalars(stmt)]


async def _insert_numbered(
    session: AsyncSession,
    entity: type[Base],
    values: Mapping[str, Any],
    *,
    scope: ColumnElement[bool],
    number: InstrumentedAttribute[int],
    constraint: str,
) -> int:
    """Insert one row whose ``number`` is one more than the highest within ``scope``;
    returns the new row's id.

    The number is computed inside the INSERT (``(SELECT coalesce(max(number), 0) + 1
    ...)``) and guarded by the unique constraint ``constraint``. On SQLite the statement
    runs under the database's single write lock, which the transaction then keeps until
    it ends, so it cannot collide (and no SAVEPOINT is used: with the Python driver a
    SAVEPOINT that opens the transaction would commit it on release). On PostgreSQL two
    transactions can compute the same number; the loser gets a unique violation, which
    is caught inside a SAVEPOINT (so the caller's transaction survives) and retried with
    a fresh number.
    """
    next_number = select(func.coalesce(func.max(number), 0) + 1).where(scope).scalar_subquery()
    table = cast(Table, entity.__table__)
    stmt = insert(table).values(**values, number=next_number).returning(table.c.id)
    if _dialect_name(session) == "sqlite":
        return int((await session.execute(stmt)).scalar_one())
    for attempt in range(NUMBER_RETRIES):
        try:
            async with session.begin_nested():
                return int((await session.execute(stmt)).scalar_one())
        except IntegrityError as exc:
            if attempt == NUMBER_RETRIES - 1 or constraint not in str(exc.orig):
                raise
    raise AssertionError("unreachable")  # pragma: no cover


# --------------------------------------------------------------------------- partners
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
        # Organisations first: new members reference them by foreign key.
        await self._session.flush()

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
            if changed:
                members_updated += 1
        for matrix_id, member_row in existing_members.items():
            if matrix_id not in member_by_id and member_row.active:
                member_row.active = False
                members_deactivated += 1
        await self._session.flush()
        return SyncSummary(
            organisations_added=orgs_added,
            organisations_updated=orgs_updated,
            organisations_deactivated=orgs_deactivated,
            members_added=members_added,
            members_updated=members_updated,
            members_deactivated=members_deactivated,
        )

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


# --------------------------------------------------------------------------- events
# The statements every command runs are built once (per dialect) and executed with
# parameters: building them anew was a good part of a command's CPU (README,
# "Benchmark"), and a reused statement also keeps its cache key.
_PROCESSED = cast(Table, ProcessedEventRecord.__table__)
_ROOMS = cast(Table, BotRoomRecord.__table__)


@functools.cache
def _claim_statement(dialect: str, *, after_join: bool) -> Insert:
    """``INSERT ... ON CONFLICT (event_id) DO NOTHING`` of a claim; with ``after_join``
    only if the event was not sent before the bot joined the room (``:sent_at``)."""
    columns = ["event_id", "room_id", "sender", "command", "outcome", "processed_at"]
    params = {name: bindparam(name, type_=_PROCESSED.c[name].type) for name in columns}
    insert_stmt = (
        postgresql.insert(_PROCESSED) if dialect == "postgresql" else sqlite.insert(_PROCESSED)
    )
    if not after_join:
        return insert_stmt.values(params).on_conflict_do_nothing(index_elements=["event_id"])
    history = (
        select(_ROOMS.c.room_id)
        .where(
            _ROOMS.c.room_id == params["room_id"],
            _ROOMS.c.joined_at > bindparam("sent_at", type_=_ROOMS.c.joined_at.type),
        )
        .exists()
    )
    # SQLite needs the WHERE of an INSERT ... SELECT ... ON CONFLICT (it parses ON as a
    # join otherwise); NOT EXISTS is one.
    source = select(*(params[name].label(name) for name in columns)).where(~history)
    return insert_stmt.from_select(columns, source).on_conflict_do_nothing(
        index_elements=["event_id"]
    )


_OUTCOME_STATEMENT = (
    update(_PROCESSED)
    .where(_PROCESSED.c.event_id == bindparam("b_event_id"))
    .values(command=bindparam("b_command"), outcome=bindparam("b_outcome"))
)


class ProcessedEventRepository:
    """The durable record that makes every Matrix command run exactly once."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def claim(
        self,
        event_id: str,
        room_id: str,
        sender: str,
        now: datetime,
        *,
        sent_at: datetime | None = None,
        command: str | None = None,
        outcome: str = CLAIMED_OUTCOME,
    ) -> bool:
        """Record ``event_id`` as processed; False if it already was (by anyone).

        One ``INSERT ... ON CONFLICT DO NOTHING``: concurrent claims of the same id are
        serialised by the primary key, exactly one wins, and a lost claim neither raises
        nor aborts the caller's transaction. The claim is only durable when the caller
        commits; if the caller rolls back, the event may be claimed again.

        With ``sent_at`` (UTC) the same statement also refuses an event sent before the
        bot joined ``room_id`` (``bot_rooms.joined_at``): history, never a command. An
        unknown room does not refuse. (One statement instead of a read and a write: this
        runs for every command.)

        ``command`` and ``outcome`` are recorded with the claim (default: no command,
        ``CLAIMED_OUTCOME``): a caller that knows the likely outcome writes it at once
        and calls ``set_outcome`` only when it turned out otherwise.
        """
        values = {
            "event_id": event_id,
            "room_id": room_id,
            "sender": sender,
            "command": command,
            "outcome": outcome,
            "processed_at": now,
            "sent_at": sent_at,
        }
        stmt = _claim_statement(_dialect_name(self._session), after_join=sent_at is not None)
        return await _rowcount(self._session, stmt, values) == 1

    async def set_outcome(self, event_id: str, command: str | None, outcome: str) -> None:
        """Store which command the event was and how it ended. Raises ``LookupError``
        when the event was never claimed (a bug in the caller)."""
        values = {"b_event_id": event_id, "b_command": command, "b_outcome": outcome}
        if await _rowcount(self._session, _OUTCOME_STATEMENT, values) != 1:
            raise LookupError(f"event {event_id} was not claimed")

    async def is_processed(self, event_id: str) -> bool:
        """Whether ``event_id`` has been claimed."""
        stmt = select(ProcessedEventRecord.event_id).where(
            ProcessedEventRecord.event_id == event_id
        )
        return (await self._session.scalar(stmt)) is not None


# --------------------------------------------------------------------------- audit
@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One audit trail entry."""

    id: int
    occurred_at: datetime
    actor: str
    actor_org: str | None
    action: str
    room_id: str | None = None
    entity_type: str | None = None
    entity_id: str | None = None
    details: dict[str, AuditValue] = field(default_factory=dict)


class AuditRepository:
    """The append-only audit trail. There is deliberately no update or delete."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def append(
        self,
        *,
        occurred_at: datetime,
        actor: str,
        actor_org: str | None,
        action: str,
        room_id: str | None = None,
        entity_type: str | None = None,
        entity_id: str | None = None,
        details: Mapping[str, AuditValue] | None = None,
    ) -> None:
        """Add one entry. ``details`` holds identifiers, codes and counts: scalar values
        only (checked), and never message text or other personal content."""
        clean: dict[str, AuditValue] = {}
        for key, value in (details or {}).items():
            if not isinstance(key, str):
                raise TypeError("audit detail keys must be strings")
            if value is not None and not isinstance(value, str | int | bool):
                raise TypeError(
                    f"audit detail {key!r} must be str, int, bool or None, "
                    f"not {type(value).__name__}"
                )
            clean[key] = value
        self._session.add(
            AuditLogRecord(
                occurred_at=occurred_at,
                actor=actor,
                actor_org=actor_org,
                action=action,
                room_id=room_id,
                entity_type=entity_type,
                entity_id=entity_id,
                details=clean,
            )
        )
        await self._session.flush()

    async def list(
        self,
        room_id: str | None = None,
        entity_type: str | None = None,
        entity_id: str | None = None,
        limit: int = 50,
    ) -> builtins.list[AuditEntry]:
        """Entries matching every given filter, newest first (at most ``limit``)."""
        if limit < 1:
            raise ValueError("limit must be at least 1")
        stmt = select(AuditLogRecord)
        if room_id is not None:
            stmt = stmt.where(AuditLogRecord.room_id == room_id)
        if entity_type is not None:
            stmt = stmt.where(AuditLogRecord.entity_type == entity_type)
        if entity_id is not None:
            stmt = stmt.where(AuditLogRecord.entity_id == entity_id)
        stmt = stmt.order_by(AuditLogRecord.occurred_at.desc(), AuditLogRecord.id.desc()).limit(
            limit
        )
        return [
            AuditEntry(
                id=row.id,
                occurred_at=row.occurred_at,
                actor=row.actor,
                actor_org=row.actor_org,
                action=row.action,
                room_id=row.room_id,
                entity_type=row.entity_type,
                entity_id=row.entity_id,
                details=dict(row.details),
            )
            for row in await self._session.scalars(stmt)
        ]
