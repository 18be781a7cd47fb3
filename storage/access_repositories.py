"""The access log: append (chained, serialised) and read back. Never commits, never
updates or deletes an entry (see ``storage.access_models``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import ColumnElement, Table, and_, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.domain.privacy.chain import GENESIS, ChainEntry, Shown, ShownItem, chain
from storage.access_models import AccessLogHeadRecord, AccessLogRecord, AccessShownRecord

#: The head row's id (there is one).
HEAD_ID = 1


@dataclass(frozen=True, slots=True)
class AccessRead:
    """One entry as the "who read" views show it."""

    seq: int
    occurred_at: datetime
    reader: str
    organisation: str | None
    role: str | None
    command: str
    #: What of the asked-about items this entry showed: (kind, reference).
    shown: tuple[tuple[str, str], ...] = ()


class AccessLogRepository:
    """Append-only. ``append`` takes the head's lock first (an ``UPDATE`` of its one row):
    on PostgreSQL a concurrent append waits for this transaction to end, then continues
    from the new head; on SQLite the update takes the database's write lock. Either way
    the entries of concurrent transactions form one chain in commit order."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _lock_head(self) -> tuple[int, str]:
        """Lock the head row and read it, in one statement (creating the row when a
        database was made without the migration's insert)."""
        head = cast(Table, AccessLogHeadRecord.__table__)
        locked = (
            await self._session.execute(
                update(head)
                .where(head.c.id == HEAD_ID)
                .values(seq=head.c.seq)
                .returning(head.c.seq, head.c.hash)
            )
        ).one_or_none()
        if locked is None:
            await self._session.execute(insert(head).values(id=HEAD_ID, seq=0, hash=GENESIS))
            return 0, GENESIS
        return int(locked[0]), str(locked[1])

    async def append(self, entries: Sequence[ChainEntry]) -> list[ChainEntry]:
        """Link ``entries`` (their seq/prev_hash/hash are ignored) after the head, store
        them and move the head: Core statements only (four per entry, no ORM flush; the
        access log is written by every reading command). Returns them as stored."""
        if not entries:
            return []
        linked = chain(entries, await self._lock_head())
        log = cast(Table, AccessLogRecord.__table__)
        shown = cast(Table, AccessShownRecord.__table__)
        for entry in linked:
            entry_id = (
                await self._session.execute(
                    insert(log)
                    .values(
                        seq=entry.seq,
                        occurred_at=entry.occurred_at,
                        reader=entry.reader,
                        organisation=entry.organisation,
                        role=entry.role,
                        command=entry.command,
                        room_id=entry.room_id,
                        prev_hash=entry.prev_hash,
                        hash=entry.hash,
                    )
                    .returning(log.c.id)
                )
            ).scalar_one()
            await self._session.execute(
                insert(shown),
                [
                    {
                        "entry_id": entry_id,
                        "position": position,
                        "kind": item.kind,
                        "reference": item.reference,
                        "salt": item.salt,
                        "digest": item.digest,
                    }
                    for position, item in enumerate(entry.shown)
                ],
            )
        last = linked[-1]
        head = cast(Table, AccessLogHeadRecord.__table__)
        await self._session.execute(
            update(head).where(head.c.id == HEAD_ID).values(seq=last.seq, hash=last.hash)
        )
        return linked

    async def head(self) -> tuple[int, str]:
        """The head's (seq, hash); (0, genesis) before the first entry."""
        row = (
            await self._session.execute(
                select(AccessLogHeadRecord.seq, AccessLogHeadRecord.hash).where(
                    AccessLogHeadRecord.id == HEAD_ID
                )
            )
        ).one_or_none()
        return (0, GENESIS) if row is None else (int(row[0]), str(row[1]))

    async def batch(self, after_seq: int, limit: int) -> list[ChainEntry]:
        """Up to ``limit`` entries with ``seq`` > ``after_seq``, in ``seq`` order, with
        what they showed (for verification)."""
        rows = list(
            await self._session.scalars(
                select(AccessLogRecord)
                .where(AccessLogRecord.seq > after_seq)
                .order_by(AccessLogRecord.seq)
                .limit(limit)
            )
        )
        shown: dict[int, list[ShownItem]] = {row.id: [] for row in rows}
        if rows:
            items = await self._session.execute(
                select(
                    AccessShownRecord.entry_id,
                    AccessShownRecord.kind,
                    AccessShownRecord.reference,
                    AccessShownRecord.salt,
                    AccessShownRecord.digest,
                )
                .where(AccessShownRecord.entry_id.in_(list(shown)))
                .order_by(AccessShownRecord.entry_id, AccessShownRecord.position)
            )
            for entry_id, kind, reference, salt, digest in items:
                shown[entry_id].append(ShownItem(kind, reference, salt, digest))
        return [
            ChainEntry(
                row.seq,
                row.occurred_at,
                row.reader,
                row.organisation,
                row.role,
                row.command,
                row.room_id,
                tuple(shown[row.id]),
                row.prev_hash,
                row.hash,
            )
            for row in rows
        ]

    async def readers(
        self,
        shown: Sequence[Shown],
        since: datetime,
        until: datetime,
        *,
        limit: int,
        offset: int = 0,
    ) -> tuple[list[AccessRead], int]:
        """Entries in [since, until) that showed any of ``shown``, newest first (one page)
        and how many there are in all."""
        if not shown:
            return [], 0
        by_kind: dict[str, list[str]] = {}
        for item in shown:
            by_kind.setdefault(item.kind, []).append(item.reference)
        asked = or_(
            *(
                and_(AccessShownRecord.kind == kind, AccessShownRecord.reference.in_(refs))
                for kind, refs in by_kind.items()
            )
        )
        where = (
            AccessLogRecord.id.in_(select(AccessShownRecord.entry_id).where(asked)),
            AccessLogRecord.occurred_at >= since,
            AccessLogRecord.occurred_at < until,
        )
        total = await self._session.scalar(
            select(func.count()).select_from(AccessLogRecord).where(*where)
        )
        rows = list(
            await self._session.scalars(
                select(AccessLogRecord)
                .where(*where)
                .order_by(AccessLogRecord.seq.desc())
                .limit(limit)
                .offset(offset)
            )
        )
        items = await self._items([row.id for row in rows], asked)
        return [
            AccessRead(
                r.seq,
                r.occurred_at,
                r.reader,
                r.organisation,
                r.role,
                r.command,
                tuple(items[r.id]),
            )
            for r in rows
        ], int(total or 0)

    async def _items(
        self, entry_ids: list[int], asked: ColumnElement[bool]
    ) -> dict[int, list[tuple[str, str]]]:
        """Per entry, the items matching ``asked`` it showed (kind, reference)."""
        items: dict[int, list[tuple[str, str]]] = {entry_id: [] for entry_id in entry_ids}
        if entry_ids:
            found = await self._session.execute(
                select(
                    AccessShownRecord.entry_id, AccessShownRecord.kind, AccessShownRecord.reference
                )
                .where(AccessShownRecord.entry_id.in_(entry_ids), asked)
                .order_by(AccessShownRecord.entry_id, AccessShownRecord.position)
            )
            for entry_id, kind, reference in found:
                items[entry_id].append((kind, reference or ""))
        return items

    async def erase(self, kind: str, references: Sequence[str]) -> int:
        """Crypto-shred every item of ``kind`` showing one of ``references``: reference
        and salt removed, digest kept (the chain still verifies). Returns how many."""
        if not references:
            return 0
        result = await self._session.execute(
            update(AccessShownRecord)
            .where(
                AccessShownRecord.kind == kind, AccessShownRecord.reference.in_(list(references))
            )
            .values(reference=None, salt=None)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
