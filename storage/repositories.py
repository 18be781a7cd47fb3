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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar, cast

from sqlalchemy import ColumnElement, Select, Table, case, delete, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, contains_eager, selectinload
from sqlalchemy.sql.base import ReadOnlyColumnCollection
from sqlalchemy.sql.dml import Insert, UpdateBase
from sqlalchemy.sql.elements import KeyedColumnElement

from avz_bot.domain.partners import Member, Organisation, OrgDomain, Role, ScopedRole
from storage.models import (
    AuditLogRecord,
    Base,
    BotRoomRecord,
    MemberRecord,
    MemberRoleRecord,
    OrganisationRecord,
    OutboxRecord,
    PendingEncryptedRecord,
    ProcessedEventRecord,
    SyncStateRecord,
)

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


async def _rowcount(session: AsyncSession, stmt: UpdateBase) -> int:
    """Execute a DML statement and return how many rows it inserted/changed."""
    # No ORM synchronisation: repositories hand out no ORM objects, and reads below use
    # populate_existing, so the identity map cannot serve stale rows.
    result = await session.execute(stmt, execution_options={"synchronize_session": False})
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
class ProcessedEventRepository:
    """The durable record that makes every Matrix command run exactly once."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def claim(self, event_id: str, room_id: str, sender: str, now: datetime) -> bool:
        """Record ``event_id`` as processed; False if it already was (by anyone).

        One ``INSERT ... ON CONFLICT DO NOTHING``: concurrent claims of the same id are
        serialised by the primary key, exactly one wins, and a lost claim neither raises
        nor aborts the caller's transaction. The claim is only durable when the caller
        commits; if the caller rolls back, the event may be claimed again.
        """
        stmt = _insert_ignore(
            self._session,
            ProcessedEventRecord,
            {
                "event_id": event_id,
                "room_id": room_id,
                "sender": sender,
                "command": None,
                "outcome": CLAIMED_OUTCOME,
                "processed_at": now,
            },
            ["event_id"],
        )
        return await _rowcount(self._session, stmt) == 1

    async def set_outcome(self, event_id: str, command: str | None, outcome: str) -> None:
        """Store which command the event was and how it ended. Raises ``LookupError``
        when the event was never claimed (a bug in the caller)."""
        stmt = (
            update(ProcessedEventRecord)
            .where(ProcessedEventRecord.event_id == event_id)
            .values(command=command, outcome=outcome)
        )
        if await _rowcount(self._session, stmt) != 1:
            raise LookupError(f"event {event_id} was not claimed")

    async def is_processed(self, event_id: str) -> bool:
        """Whether ``event_id`` has been claimed."""
        stmt = select(ProcessedEventRecord.event_id).where(
            ProcessedEventRecord.event_id == event_id
        )
        return (await self._session.scalar(stmt)) is not None


# --------------------------------------------------------------------------- outbox
#: ``outbox.lane``: replies to commands and other interactive messages go first…
LANE_INTERACTIVE = 0
#: …then bulk notifications (reminders, digests, reports), paced to the rate limits.
LANE_BULK = 1


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """One outgoing message."""

    id: int
    txn_id: str
    room_id: str
    content: dict[str, Any]
    created_at: datetime
    attempts: int
    sent_at: datetime | None = None
    remote_event_id: str | None = None
    lane: int = LANE_INTERACTIVE
    not_before: datetime | None = None
    failure: str | None = None
    requested_by: str | None = None


def _outbox_row(row: OutboxRecord) -> OutboxRow:
    return OutboxRow(
        id=row.id,
        txn_id=row.txn_id,
        room_id=row.room_id,
        content=row.content,
        created_at=row.created_at,
        attempts=row.attempts,
        sent_at=row.sent_at,
        remote_event_id=row.remote_event_id,
        lane=row.lane,
        not_before=row.not_before,
        failure=row.failure,
        requested_by=row.requested_by,
    )


class OutboxRepository:
    """Replies stored with the state change that caused them, sent after the commit.

    A row is *pending* until ``sent_at`` is set: by a successful send (with the remote
    event id) or by giving up (a dead letter: ``failure`` names the reason). After a
    transient failure ``not_before`` holds the room's next attempt; until then no
    message of that room is *ready*, so a room's messages keep their order while
    other rooms go on.
    """

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self,
        txn_id: str,
        room_id: str,
        content: Mapping[str, Any],
        now: datetime,
        *,
        lane: int = LANE_INTERACTIVE,
        requested_by: str | None = None,
    ) -> int:
        """Queue a message; returns its id. Idempotent on ``txn_id``: a second add with
        the same transaction id changes nothing and returns the existing id."""
        stmt = _insert_ignore(
            self._session,
            OutboxRecord,
            {
                "txn_id": txn_id,
                "room_id": room_id,
                "content": dict(content),
                "created_at": now,
                "attempts": 0,
                "lane": lane,
                "requested_by": requested_by,
            },
            ["txn_id"],
        )
        await self._session.execute(stmt)
        found = await self._session.scalar(
            select(OutboxRecord.id).where(OutboxRecord.txn_id == txn_id)
        )
        if found is None:  # pragma: no cover - inserted or already there
            raise LookupError(f"outbox message {txn_id} vanished")
        return found

    async def pending(self, limit: int = 100) -> list[OutboxRow]:
        """Unsent messages, oldest first (whether ready or backing off)."""
        stmt = (
            select(OutboxRecord)
            .where(OutboxRecord.sent_at.is_(None))
            .order_by(OutboxRecord.created_at, OutboxRecord.id)
            .limit(limit)
            .execution_options(populate_existing=True)
        )
        return [_outbox_row(row) for row in await self._session.scalars(stmt)]

    async def ready(self, now: datetime, lane: int, limit: int) -> list[OutboxRow]:
        """At most ``limit`` messages of ``lane`` to send now, oldest first.

        Skipped: every message of a room that is backing off (one of its pending
        messages has ``not_before`` after ``now``), so a room's order is kept and its
        trouble never holds up another room. One statement, bounded by ``limit``.
        """
        waiting = (
            select(OutboxRecord.room_id)
            .where(OutboxRecord.sent_at.is_(None), OutboxRecord.not_before > now)
            .scalar_subquery()
        )
        stmt = (
            select(OutboxRecord)
            .where(
                OutboxRecord.sent_at.is_(None),
                OutboxRecord.lane == lane,
                OutboxRecord.room_id.not_in(waiting),
            )
            .order_by(OutboxRecord.id)
            .limit(limit)
            .execution_options(populate_existing=True)
        )
        return [_outbox_row(row) for row in await self._session.scalars(stmt)]

    async def get(self, txn_id: str) -> OutboxRow | None:
        """The message with this transaction id, sent or not."""
        stmt = (
            select(OutboxRecord)
            .where(OutboxRecord.txn_id == txn_id)
            .execution_options(populate_existing=True)
        )
        row = await self._session.scalar(stmt)
        return None if row is None else _outbox_row(row)

    async def mark_sent(self, txn_id: str, remote_event_id: str | None, now: datetime) -> None:
        """Mark a message as done (``remote_event_id`` None: given up). Only the first
        call counts, so a late duplicate cannot overwrite the recorded event id."""
        stmt = (
            update(OutboxRecord)
            .where(OutboxRecord.txn_id == txn_id, OutboxRecord.sent_at.is_(None))
            .values(sent_at=now, remote_event_id=remote_event_id, not_before=None)
        )
        await _rowcount(self._session, stmt)

    async def record_attempt(self, txn_id: str) -> None:
        """Count one failed send attempt (incremented in SQL, so concurrent calls add up)."""
        stmt = (
            update(OutboxRecord)
            .where(OutboxRecord.txn_id == txn_id)
            .values(attempts=OutboxRecord.attempts + 1)
        )
        await _rowcount(self._session, stmt)

    async def defer(self, txn_id: str, not_before: datetime) -> None:
        """A transient failure: count the attempt; the room waits until ``not_before``."""
        stmt = (
            update(OutboxRecord)
            .where(OutboxRecord.txn_id == txn_id, OutboxRecord.sent_at.is_(None))
            .values(attempts=OutboxRecord.attempts + 1, not_before=not_before)
        )
        await _rowcount(self._session, stmt)

    async def dead_letter(self, txn_id: str, failure: str, now: datetime) -> bool:
        """Set a message aside for good (``failure``: why, e.g. ``M_TOO_LARGE``); True
        only for the first caller, so the sender is told once."""
        stmt = (
            update(OutboxRecord)
            .where(OutboxRecord.txn_id == txn_id, OutboxRecord.sent_at.is_(None))
            .values(
                sent_at=now,
                remote_event_id=None,
                failure=failure[:64],
                not_before=None,
                attempts=OutboxRecord.attempts + 1,
            )
        )
        return await _rowcount(self._session, stmt) == 1


# --------------------------------------------------------------------------- sync state
class SyncStateRepository:
    """Small persistent key/value state (the Matrix sync token)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, key: str) -> str | None:
        """The value stored under ``key``."""
        return await self._session.scalar(
            select(SyncStateRecord.value).where(SyncStateRecord.key == key)
        )

    async def set(self, key: str, value: str, now: datetime) -> None:
        """Store ``value`` under ``key`` (insert or overwrite)."""
        stmt = _upsert(
            self._session,
            SyncStateRecord,
            {"key": key, "value": value, "updated_at": now},
            ["key"],
            lambda excluded: {"value": excluded.value, "updated_at": excluded.updated_at},
        )
        await self._session.execute(stmt)


# --------------------------------------------------------------------------- rooms
@dataclass(frozen=True, slots=True)
class RoomRow:
    """The bot's membership of one room."""

    room_id: str
    joined_at: datetime
    encrypted: bool
    unencrypted_notice_sent_at: datetime | None
    left_at: datetime | None

    @property
    def joined(self) -> bool:
        """Whether the bot is still in the room."""
        return self.left_at is None


class RoomRepository:
    """Rooms the bot is or was in."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, room_id: str) -> RoomRow | None:
        """The room's record, also after the bot left it (see ``left_at``)."""
        stmt = (
            select(BotRoomRecord)
            .where(BotRoomRecord.room_id == room_id)
            .execution_options(populate_existing=True)
        )
        row = await self._session.scalar(stmt)
        if row is None:
            return None
        return RoomRow(
            room_id=row.room_id,
            joined_at=row.joined_at,
            encrypted=row.encrypted,
            unencrypted_notice_sent_at=row.unencrypted_notice_sent_at,
            left_at=row.left_at,
        )

    async def record_join(self, room_id: str, joined_at: datetime, encrypted: bool) -> None:
        """Record that the bot is in the room since ``joined_at``.

        The earliest join time is kept (joins are reported again after restarts), unless
        the bot had left: then this is a new membership and its start counts, so
        messages from the gap are never taken as commands. ``encrypted`` only ever turns
        on here, because Matrix rooms cannot turn encryption off.
        """

        def on_conflict(excluded: _Excluded) -> Mapping[str, Any]:
            rejoined_or_earlier: ColumnElement[bool] = or_(
                BotRoomRecord.left_at.is_not(None), excluded.joined_at < BotRoomRecord.joined_at
            )
            return {
                "joined_at": case(
                    (rejoined_or_earlier, excluded.joined_at), else_=BotRoomRecord.joined_at
                ),
                "encrypted": or_(BotRoomRecord.encrypted, excluded.encrypted),
                "left_at": None,
            }

        stmt = _upsert(
            self._session,
            BotRoomRecord,
            {"room_id": room_id, "joined_at": joined_at, "encrypted": encrypted},
            ["room_id"],
            on_conflict,
        )
        await self._session.execute(stmt)

    async def left_among(self, room_ids: Sequence[str]) -> set[str]:
        """Which of ``room_ids`` the bot has left (one query, bounded by the list)."""
        if not room_ids:
            return set()
        stmt = select(BotRoomRecord.room_id).where(
            BotRoomRecord.room_id.in_(set(room_ids)), BotRoomRecord.left_at.is_not(None)
        )
        return set(await self._session.scalars(stmt))

    async def mark_left(self, room_id: str, now: datetime) -> None:
        """Record that the bot left (or was removed from) the room."""
        stmt = (
            update(BotRoomRecord)
            .where(BotRoomRecord.room_id == room_id, BotRoomRecord.left_at.is_(None))
            .values(left_at=now)
        )
        await _rowcount(self._session, stmt)

    async def mark_unencrypted_notice(self, room_id: str, now: datetime) -> bool:
        """Claim the one "this room is not encrypted" notice for the room.

        True only for the first caller ever (one conditional UPDATE, so two concurrent
        callers cannot both get True). False if the room is unknown: record the join first.
        """
        stmt = (
            update(BotRoomRecord)
            .where(
                BotRoomRecord.room_id == room_id,
                BotRoomRecord.unencrypted_notice_sent_at.is_(None),
            )
            .values(unencrypted_notice_sent_at=now)
        )
        return await _rowcount(self._session, stmt) == 1

    async def set_encrypted(self, room_id: str, encrypted: bool) -> None:
        """Set whether the room is end-to-end encrypted."""
        stmt = (
            update(BotRoomRecord)
            .where(BotRoomRecord.room_id == room_id)
            .values(encrypted=encrypted)
        )
        await _rowcount(self._session, stmt)


# --------------------------------------------------------------------------- undecryptable
@dataclass(frozen=True, slots=True)
class PendingEncryptedRow:
    """An encrypted event waiting for its key (the raw event: ciphertext only)."""

    event_id: str
    room_id: str
    sender: str
    session_id: str
    sender_key: str
    source: dict[str, Any]
    first_seen_at: datetime
    explained_at: datetime | None


def _pending_row(row: PendingEncryptedRecord) -> PendingEncryptedRow:
    return PendingEncryptedRow(
        event_id=row.event_id,
        room_id=row.room_id,
        sender=row.sender,
        session_id=row.session_id,
        sender_key=row.sender_key,
        source=row.source,
        first_seen_at=row.first_seen_at,
        explained_at=row.explained_at,
    )


class PendingEncryptedRepository:
    """Events that could not be decrypted yet, kept until their key arrives."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self,
        *,
        event_id: str,
        room_id: str,
        sender: str,
        session_id: str,
        sender_key: str,
        source: Mapping[str, Any],
        first_seen_at: datetime,
    ) -> bool:
        """Park an undecryptable event; False (and nothing changes) if already parked.

        ``source`` must be the raw ``m.room.encrypted`` event. A decrypted event
        (content with a ``body``) is refused: plaintext must never be stored here.
        """
        content = source.get("content")
        if isinstance(content, Mapping) and "body" in content:
            raise ValueError("refusing to park a decrypted event: store the ciphertext only")
        stmt = _insert_ignore(
            self._session,
            PendingEncryptedRecord,
            {
                "event_id": event_id,
                "room_id": room_id,
                "sender": sender,
                "session_id": session_id,
                "sender_key": sender_key,
                "source": dict(source),
                "first_seen_at": first_seen_at,
                "explained_at": None,
            },
            ["event_id"],
        )
        return await _rowcount(self._session, stmt) == 1

    async def _select(self, *conditions: ColumnElement[bool]) -> list[PendingEncryptedRow]:
        stmt = (
            select(PendingEncryptedRecord)
            .where(*conditions)
            .order_by(PendingEncryptedRecord.first_seen_at, PendingEncryptedRecord.event_id)
            .execution_options(populate_existing=True)
        )
        return [_pending_row(row) for row in await self._session.scalars(stmt)]

    async def for_session(self, session_id: str) -> list[PendingEncryptedRow]:
        """Parked events encrypted with Megolm session ``session_id``, oldest first."""
        return await self._select(PendingEncryptedRecord.session_id == session_id)

    async def all_unexplained(self) -> list[PendingEncryptedRow]:
        """Every parked event whose sender has not been told yet, oldest first."""
        return await self._select(PendingEncryptedRecord.explained_at.is_(None))

    async def due_for_explanation(self, older_than: datetime) -> list[PendingEncryptedRow]:
        """Unexplained events first seen at or before ``older_than``, oldest first."""
        return await self._select(
            PendingEncryptedRecord.explained_at.is_(None),
            PendingEncryptedRecord.first_seen_at <= older_than,
        )

    async def mark_explained(self, event_id: str, now: datetime) -> bool:
        """Record that the sender was told; True only for the first caller."""
        stmt = (
            update(PendingEncryptedRecord)
            .where(
                PendingEncryptedRecord.event_id == event_id,
                PendingEncryptedRecord.explained_at.is_(None),
            )
            .values(explained_at=now)
        )
        return await _rowcount(self._session, stmt) == 1

    async def remove(self, event_id: str) -> None:
        """Forget a parked event (it was decrypted after all)."""
        stmt = delete(PendingEncryptedRecord).where(PendingEncryptedRecord.event_id == event_id)
        await _rowcount(self._session, stmt)


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
