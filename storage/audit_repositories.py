"""The append-only audit trail: who did what, when, where, to what. Never commits (see
``storage.sql``).
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.audit_models import AuditLogRecord

AuditValue = str | int | bool | None


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
