"""The outbox and the reaction targets: every message the bot sends, and which of its
messages accept reactions.

A message is stored in the same transaction as the change that caused it and sent after
the commit (``avz_bot.runtime.delivery``); a reaction target is registered in that same
transaction under the message's transaction id and learns its event id once sent.
Like every repository: never commits (see ``storage.sql``).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Select, Table, bindparam, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.sql.dml import Insert

from storage.outbox_models import OutboxRecord, ReactionTargetRecord
from storage.runtime_models import BotRoomRecord
from storage.sql import _dialect_insert, _dialect_name, _fetch_rows, _rowcount

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
    #: Filled by ``ready`` only: the bot has left the room (the message cannot be sent).
    room_left: bool = False
    #: Filled by ``ready`` only (elsewhere True, the safe side): the message is registered
    #: as a reaction target, so its event id must be recorded once sent.
    reaction_target: bool = True


# The statements every command's answer runs are built once and executed with
# parameters (see ``storage.runtime_repositories``, the claim).
_OUTBOX = cast(Table, OutboxRecord.__table__)
_ROOMS = cast(Table, BotRoomRecord.__table__)
_TARGETS = cast(Table, ReactionTargetRecord.__table__)
_ADD_COLUMNS = ("txn_id", "room_id", "content", "created_at", "lane", "requested_by")


@functools.cache
def _add_statement(dialect: str) -> Insert:
    """``INSERT ... ON CONFLICT (txn_id) DO NOTHING RETURNING id`` of a new message."""
    insert_stmt = postgresql.insert(_OUTBOX) if dialect == "postgresql" else sqlite.insert(_OUTBOX)
    values = {name: bindparam(name, type_=_OUTBOX.c[name].type) for name in _ADD_COLUMNS}
    values["attempts"] = literal(0)
    return (
        insert_stmt.values(values)
        .on_conflict_do_nothing(index_elements=["txn_id"])
        .returning(_OUTBOX.c.id)
    )


@functools.cache
def _ready_statement(limit: int) -> Select[Any]:
    """The ready messages of lane ``:r_lane`` at ``:r_now`` (see ``OutboxRepository.ready``)."""
    now = bindparam("r_now", type_=_OUTBOX.c.not_before.type)
    waiting = (
        select(_OUTBOX.c.room_id)
        .where(_OUTBOX.c.sent_at.is_(None), _OUTBOX.c.not_before > now)
        .scalar_subquery()
    )
    left = (
        select(_ROOMS.c.room_id)
        .where(_ROOMS.c.room_id == _OUTBOX.c.room_id, _ROOMS.c.left_at.is_not(None))
        .exists()
    )
    target = select(_TARGETS.c.txn_id).where(_TARGETS.c.txn_id == _OUTBOX.c.txn_id).exists()
    return (
        select(_OUTBOX, left.label("room_left"), target.label("reaction_target"))
        .where(
            _OUTBOX.c.sent_at.is_(None),
            _OUTBOX.c.lane == bindparam("r_lane", type_=_OUTBOX.c.lane.type),
            _OUTBOX.c.room_id.not_in(waiting),
        )
        .order_by(_OUTBOX.c.id)
        .limit(limit)
    )


_MARK_SENT_STATEMENT = (
    update(_OUTBOX)
    .where(_OUTBOX.c.txn_id == bindparam("m_txn_id"), _OUTBOX.c.sent_at.is_(None))
    .values(
        sent_at=bindparam("m_sent_at", type_=_OUTBOX.c.sent_at.type),
        remote_event_id=bindparam("m_remote_event_id"),
        not_before=None,
    )
)


def _outbox_row_of(row: Mapping[Any, Any]) -> OutboxRow:
    """An ``OutboxRow`` from a result row of the outbox table (``room_left`` and
    ``reaction_target`` only where the statement selects them, as ``ready`` does)."""
    return OutboxRow(
        id=row["id"],
        txn_id=row["txn_id"],
        room_id=row["room_id"],
        content=row["content"],
        created_at=row["created_at"],
        attempts=row["attempts"],
        sent_at=row["sent_at"],
        remote_event_id=row["remote_event_id"],
        lane=row["lane"],
        not_before=row["not_before"],
        failure=row["failure"],
        requested_by=row["requested_by"],
        room_left=bool(row.get("room_left", False)),
        reaction_target=bool(row.get("reaction_target", True)),
    )


class OutboxRepository:
    """Replies stored with the state change that caused them, sent after the commit.

    A row is *pending* until ``sent_at`` is set: by a successful send (with the remote
    event id) or by giving up (a dead letter: ``failure`` names the reason). After a
    transient failure ``not_before`` holds the room's next attempt; until then no
    message of that room is *ready*, so a room's messages keep their order while
    other rooms go on.
    """

    def __init__(self, session: AsyncSession | AsyncConnection) -> None:
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
        values = {
            "txn_id": txn_id,
            "room_id": room_id,
            "content": dict(content),
            "created_at": now,
            "lane": lane,
            "requested_by": requested_by,
        }
        stmt = _add_statement(_dialect_name(self._session))
        inserted = (await self._session.execute(stmt, values)).scalar_one_or_none()
        if inserted is not None:  # the usual case: one statement
            return int(inserted)
        found = await self._session.scalar(
            select(OutboxRecord.id).where(OutboxRecord.txn_id == txn_id)
        )
        if found is None:  # pragma: no cover - inserted or already there
            raise LookupError(f"outbox message {txn_id} vanished")
        return found

    async def pending(self, limit: int = 100) -> list[OutboxRow]:
        """Unsent messages, oldest first (whether ready or backing off)."""
        stmt = (
            select(_OUTBOX)
            .where(_OUTBOX.c.sent_at.is_(None))
            .order_by(_OUTBOX.c.created_at, _OUTBOX.c.id)
            .limit(limit)
        )
        return [_outbox_row_of(row._mapping) for row in await self._session.execute(stmt)]

    async def ready(self, now: datetime, lane: int, limit: int) -> list[OutboxRow]:
        """At most ``limit`` messages of ``lane`` to send now, oldest first.

        Skipped: every message of a room that is backing off (one of its pending
        messages has ``not_before`` after ``now``), so a room's order is kept and its
        trouble never holds up another room. One statement, bounded by ``limit``, that
        also says per message whether the bot has left its room (``room_left``) and
        whether it is a reaction target (``reaction_target``): the sender needs both, and
        every command's answer passes here.
        """
        stmt = _ready_statement(limit)
        result = await self._session.execute(stmt, {"r_now": now, "r_lane": lane})
        return [_outbox_row_of(row._mapping) for row in result]

    async def get(self, txn_id: str) -> OutboxRow | None:
        """The message with this transaction id, sent or not."""
        stmt = select(_OUTBOX).where(_OUTBOX.c.txn_id == txn_id)
        row = (await self._session.execute(stmt)).first()
        return None if row is None else _outbox_row_of(row._mapping)

    async def mark_sent(self, txn_id: str, remote_event_id: str | None, now: datetime) -> None:
        """Mark a message as done (``remote_event_id`` None: given up). Only the first
        call counts, so a late duplicate cannot overwrite the recorded event id."""
        values = {"m_txn_id": txn_id, "m_sent_at": now, "m_remote_event_id": remote_event_id}
        await _rowcount(self._session, _MARK_SENT_STATEMENT, values)

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


# --------------------------------------------------------------------------- reactions
@dataclass(frozen=True, slots=True)
class ReactionTargetRow:
    """A bot message that accepts reactions."""

    txn_id: str
    kind: str
    entity_id: str
    room_id: str
    event_id: str | None
    created_at: datetime


class ReactionTargetRepository:
    """Bot messages that accept reactions, found by their event id once sent."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self, txn_id: str, kind: str, entity_id: str, room_id: str, now: datetime
    ) -> None:
        """Register the message queued under ``txn_id`` (idempotent)."""
        stmt = (
            _dialect_insert(self._session, ReactionTargetRecord)
            .values(
                txn_id=txn_id,
                kind=kind,
                entity_id=entity_id,
                room_id=room_id,
                event_id=None,
                created_at=now,
            )
            .on_conflict_do_nothing(index_elements=["txn_id"])
        )
        await _rowcount(self._session, stmt)

    async def add_event(
        self, event_id: str, kind: str, entity_id: str, room_id: str, now: datetime
    ) -> None:
        """Register an event that already exists (e.g. a person's question that reactions
        may claim) under ``kind``; idempotent."""
        stmt = (
            _dialect_insert(self._session, ReactionTargetRecord)
            .values(
                txn_id=f"event:{event_id}",
                kind=kind,
                entity_id=entity_id,
                room_id=room_id,
                event_id=event_id,
                created_at=now,
            )
            .on_conflict_do_nothing(index_elements=["txn_id"])
        )
        await _rowcount(self._session, stmt)

    async def record_sent(self, txn_id: str, event_id: str, room_id: str) -> bool:
        """The outbox sent ``txn_id`` as ``event_id`` in ``room_id`` (a direct message's room
        is only known then); False if it is no reaction target."""
        stmt = (
            update(ReactionTargetRecord)
            .where(ReactionTargetRecord.txn_id == txn_id)
            .values(event_id=event_id, room_id=room_id)
        )
        return await _rowcount(self._session, stmt) == 1

    async def by_event(self, event_id: str) -> ReactionTargetRow | None:
        """The reaction target sent as ``event_id``, if any."""
        stmt = select(ReactionTargetRecord).where(ReactionTargetRecord.event_id == event_id)
        found = await _fetch_rows(self._session, ReactionTargetRow, stmt)
        return found[0] if found else None
