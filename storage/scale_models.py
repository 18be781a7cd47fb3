"""Indexes that keep reads bounded by what the asker can see (issue 14, migration 0004).

Declared here, beside the tables they serve, so the province-scale rules stay in one
place: every query a command runs filters on an indexed column, so its cost follows the
asker's own cases and agreements, never the size of the province.
"""

from __future__ import annotations

from sqlalchemy import Index

from storage.models import AgreementRecord, CaseRecord, OutboxRecord, RegieProposalRecord

#: ``!mijn``: a person's open agreements (the planner uses owner + status together).
AGREEMENTS_OWNER_USER = Index(
    "ix_agreements_owner_user_status", AgreementRecord.owner_user, AgreementRecord.status
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
