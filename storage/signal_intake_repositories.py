"""Deliveries of the signed intake endpoint (see ``storage.signal_intake_models``)."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.signal_intake_models import IntakeDeliveryRecord
from storage.sql import _insert_ignore, _rowcount


def delivery_key(organisation: str, webhook_id: str) -> str:
    """The stored key of a delivery: hex SHA-256 of ``<organisation>\\n<webhook-id>``."""
    return hashlib.sha256(f"{organisation}\n{webhook_id}".encode()).hexdigest()


class IntakeDeliveryRepository:
    """Remembered deliveries. Never commits."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def claim(self, organisation: str, webhook_id: str, now: datetime) -> bool:
        """Record the delivery (its reference follows with ``set_reference`` in the same
        transaction); False when it was recorded before (a replay). A concurrent
        claim of the same key waits for the first transaction (PostgreSQL's unique index;
        SQLite's single writer) and then gets False."""
        stmt = _insert_ignore(
            self._session,
            IntakeDeliveryRecord,
            {
                "delivery_key": delivery_key(organisation, webhook_id),
                "organisation_code": organisation,
                "reference": "",
                "received_at": now,
            },
            ["delivery_key"],
        )
        return await _rowcount(self._session, stmt) == 1

    async def set_reference(self, organisation: str, webhook_id: str, reference: str) -> None:
        """The signal the claimed delivery made."""
        await _rowcount(
            self._session,
            update(IntakeDeliveryRecord)
            .where(IntakeDeliveryRecord.delivery_key == delivery_key(organisation, webhook_id))
            .values(reference=reference),
        )

    async def reference_of(self, organisation: str, webhook_id: str) -> str | None:
        """The signal reference of an accepted delivery, or None."""
        return await self._session.scalar(
            select(IntakeDeliveryRecord.reference).where(
                IntakeDeliveryRecord.delivery_key == delivery_key(organisation, webhook_id)
            )
        )

    async def forget_before(self, cutoff: datetime) -> int:
        """Forget deliveries received before ``cutoff``; returns how many."""
        stmt = delete(IntakeDeliveryRecord).where(IntakeDeliveryRecord.received_at < cutoff)
        return await _rowcount(self._session, stmt)
