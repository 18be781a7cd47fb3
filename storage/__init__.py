"""Persistence for avz-bot: SQLAlchemy models, repositories and Alembic migrations.

Repositories never commit; the caller owns the transaction::

    async with database.session() as session, session.begin():
        if await ProcessedEventRepository(session).claim(event_id, room_id, sender, now):
            ...
"""

from storage.db import Database, SchemaMismatchError, sqlite_url_for
from storage.repositories import (
    AuditEntry,
    AuditRepository,
    OutboxRepository,
    OutboxRow,
    PartnerRepository,
    PendingEncryptedRepository,
    PendingEncryptedRow,
    ProcessedEventRepository,
    RoomRepository,
    RoomRow,
    SyncStateRepository,
    SyncSummary,
)
from storage.types import UTCDateTime

__all__ = [
    "AuditEntry",
    "AuditRepository",
    "Database",
    "OutboxRepository",
    "OutboxRow",
    "PartnerRepository",
    "PendingEncryptedRepository",
    "PendingEncryptedRow",
    "ProcessedEventRepository",
    "RoomRepository",
    "RoomRow",
    "SchemaMismatchError",
    "SyncStateRepository",
    "SyncSummary",
    "UTCDateTime",
    "sqlite_url_for",
]
