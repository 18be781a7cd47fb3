"""The bot's side of Matrix: the events it handled (the record that makes every command
run once), the sync position, the rooms it is (or was) in, and encrypted events parked
until their key arrives.

Like every repository: never commits (see ``storage.sql``).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, bindparam, case, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.sql.dml import Insert

from storage.runtime_models import (
    BotRoomRecord,
    PendingEncryptedRecord,
    ProcessedEventRecord,
    SyncStateRecord,
)
from storage.sql import _dialect_name, _Excluded, _insert_ignore, _rowcount, _upsert

#: ``processed_events.outcome`` between the claim and ``set_outcome`` (same transaction).
CLAIMED_OUTCOME = "claimed"


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
    """The durable record that makes every Matrix command run exactly once.

    Its statements are Core statements: it works on an ORM session or on a plain
    connection (the inbound path's, ``avz_bot.runtime.units.LazySession``)."""

    def __init__(self, session: AsyncSession | AsyncConnection) -> None:
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
