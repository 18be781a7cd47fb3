"""Persistence for avz-bot: SQLAlchemy models, repositories and Alembic migrations.

One shape for every area: ``<area>_models.py`` declares the area's tables with their
indexes (on the ``Base`` of ``base.py``), ``<area>_repositories.py`` reads and writes
them. ``models.py`` is the registration list of all model modules; it is imported here,
so any use of this package has the whole schema on ``Base.metadata``.

Repositories never commit; the caller owns the transaction::

    async with database.session() as session, session.begin():
        if await ProcessedEventRepository(session).claim(event_id, room_id, sender, now):
            ...
"""

from storage import models  # noqa: F401  (registers every table on Base.metadata)
from storage.agreement_repositories import AgreementRepository, AgreementRow, PostponementRow
from storage.audit_repositories import AuditEntry, AuditRepository
from storage.case_repositories import CaseMemberRow, CaseRepository, CaseRow
from storage.db import Database, SchemaMismatchError, sqlite_url_for
from storage.outbox_repositories import OutboxRepository, OutboxRow
from storage.regie_repositories import RegieProposalRow
from storage.registry_repositories import PartnerRepository, SyncSummary
from storage.runtime_repositories import (
    PendingEncryptedRepository,
    PendingEncryptedRow,
    ProcessedEventRepository,
    RoomRepository,
    RoomRow,
    SyncStateRepository,
)
from storage.schedule_repositories import JobRepository, JobRow, ReminderRepository, ReminderRow
from storage.types import UTCDateTime

__all__ = [
    "AgreementRepository",
    "AgreementRow",
    "AuditEntry",
    "AuditRepository",
    "CaseMemberRow",
    "CaseRepository",
    "CaseRow",
    "Database",
    "JobRepository",
    "JobRow",
    "OutboxRepository",
    "OutboxRow",
    "PartnerRepository",
    "PendingEncryptedRepository",
    "PendingEncryptedRow",
    "PostponementRow",
    "ProcessedEventRepository",
    "RegieProposalRow",
    "ReminderRepository",
    "ReminderRow",
    "RoomRepository",
    "RoomRow",
    "SchemaMismatchError",
    "SyncStateRepository",
    "SyncSummary",
    "UTCDateTime",
    "sqlite_url_for",
]
