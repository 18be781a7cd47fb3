"""Indexes that keep reads bounded by what the asker can see (issue 14, migration 0004).

Declared here, beside the tables they serve, so the province-scale rules stay in one
place: every query a command runs filters on an indexed column, so its cost follows the
asker's own cases and agreements, never the size of the province.
"""

from __future__ import annotations

from sqlalchemy import Index

from storage.models import (
    AgreementRecord,
    AuditLogRecord,
    CaseRecord,
    OutboxRecord,
    RegieProposalRecord,
    ReminderRecord,
)

# The lists read one page in deadline (or time) order: with the sort column in the index
# the database reads exactly that page. Without it PostgreSQL may walk a time index of the
# whole province and filter (its generic plan for a prepared statement does that for an
# old, long case timeline: 300,000 rows for 20).

#: ``!mijn``: a person's open agreements, earliest deadline first.
AGREEMENTS_OWNER_USER = Index(
    "ix_agreements_owner_user_status",
    AgreementRecord.owner_user,
    AgreementRecord.status,
    AgreementRecord.deadline,
)
#: ``!acties``: a case's open agreements, earliest deadline first.
AGREEMENTS_CASE_OPEN = Index(
    "ix_agreements_case_id_status_deadline",
    AgreementRecord.case_id,
    AgreementRecord.status,
    AgreementRecord.deadline,
)
#: ``!tijdlijn``: a case's audit entries, newest first.
AUDIT_ENTITY_TIME = Index(
    "ix_audit_log_entity_occurred_at",
    AuditLogRecord.entity_type,
    AuditLogRecord.entity_id,
    AuditLogRecord.occurred_at,
)
#: An organisation's open agreements (reminders to an organisation, later digests).
AGREEMENTS_OWNER_ORG = Index(
    "ix_agreements_owner_org_status", AgreementRecord.owner_org, AgreementRecord.status
)
#: ``!mijn``: regie proposals waiting for this person's answer.
PROPOSALS_TO_USER = Index("ix_regie_proposals_to_user", RegieProposalRecord.to_user)
#: The sweep's cases without regie, and lists of open cases.
CASES_STATUS = Index("ix_cases_status", CaseRecord.status)
#: The outbox sender's "which rooms are backing off" and per-room order.
OUTBOX_ROOM = Index("ix_outbox_room_id_sent_at", OutboxRecord.room_id, OutboxRecord.sent_at)
#: ``!herinneringen``: a room's pending reminders, soonest first.
REMINDERS_ROOM_DUE = Index(
    "ix_reminders_room_id_due_at", ReminderRecord.room_id, ReminderRecord.due_at
)
