"""The lease row (``storage.lease_models``): taken, renewed and released.

Following Synapse's ``LockStore`` (``synapse/storage/databases/main/lock.py``): one row per
lease, taken by a conditional upsert that succeeds only when the row is free, stale or
already ours; the same SQL on SQLite and PostgreSQL. Repositories never commit.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.lease_models import LeaseRecord
from storage.sql import _dialect_insert, _rowcount


class LeaseRepository:
    """Take, renew, read and release a named lease."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def take(self, name: str, holder: str, now: datetime, stale_before: datetime) -> bool:
        """Take or renew ``name`` for ``holder`` at ``now``; True if ``holder`` holds it.

        Succeeds when nobody holds it, when its holder last renewed before
        ``stale_before`` (a dead or cut-off process), or when ``holder`` holds it already.
        """
        stmt = _dialect_insert(self._session, LeaseRecord).values(
            name=name, holder=holder, renewed_at=now
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["name"],
            set_={"holder": holder, "renewed_at": now},
            where=or_(LeaseRecord.renewed_at < stale_before, LeaseRecord.holder == holder),
        )
        return await _rowcount(self._session, stmt) == 1

    async def holder(self, name: str) -> tuple[str, datetime] | None:
        """(holder, last renewal) of ``name``, or ``None`` when nobody holds it."""
        row = (
            await self._session.execute(
                select(LeaseRecord.holder, LeaseRecord.renewed_at).where(LeaseRecord.name == name)
            )
        ).first()
        return None if row is None else (row[0], row[1])

    async def release(self, name: str, holder: str) -> bool:
        """Give ``name`` up if ``holder`` holds it (a clean shutdown); True if released."""
        stmt = delete(LeaseRecord).where(LeaseRecord.name == name, LeaseRecord.holder == holder)
        return await _rowcount(self._session, stmt) == 1
