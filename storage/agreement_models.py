"""Tables of agreements: who does what in a case before when, and the history of their
deadlines (migration ``0003``; see ``storage.base`` for the conventions).

The lists read one page in deadline order: with the sort column in the index the
database reads exactly that page (migration ``0004``, see ``storage.audit_models`` for
what happens without). Every list query filters on an indexed column, so its cost
follows the asker's own cases and agreements, never the size of the province.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import MATRIX_ID_LENGTH, ORG_CODE_LENGTH, SHORT_LENGTH, Base
from storage.types import UTCDateTime


class AgreementRecord(Base):
    """An agreement (afspraak) in a case: who does what before when.

    ``number`` is the per-case sequence number users see (1, 2, 3, ...). The owner is a
    person (``owner_user``, usually with their ``owner_org``) or an organisation
    (``owner_org`` only). ``status``: ``open``, ``klaar`` or ``vervallen``.
    """

    __tablename__ = "agreements"
    __table_args__ = (
        UniqueConstraint("case_id", "number", name="uq_agreements_case_id_number"),
        CheckConstraint("owner_user IS NOT NULL OR owner_org IS NOT NULL", name="has_owner"),
        Index("ix_agreements_status_deadline", "status", "deadline"),
        # ``!mijn``: a person's open agreements, earliest deadline first.
        Index("ix_agreements_owner_user_status", "owner_user", "status", "deadline"),
        # ``!acties``: a case's open agreements, earliest deadline first.
        Index("ix_agreements_case_id_status_deadline", "case_id", "status", "deadline"),
        # An organisation's open agreements (reminders to an organisation, digests).
        Index("ix_agreements_owner_org_status", "owner_org", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(Integer, ForeignKey("cases.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text)
    owner_user: Mapped[str | None] = mapped_column(String(MATRIX_ID_LENGTH))
    owner_org: Mapped[str | None] = mapped_column(String(ORG_CODE_LENGTH))
    created_by: Mapped[str] = mapped_column(String(MATRIX_ID_LENGTH))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deadline: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(SHORT_LENGTH))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    note: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)


class AgreementPostponementRecord(Base):
    """One postponement of an agreement's deadline (the history behind ``deadline``)."""

    __tablename__ = "agreement_postponements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agreement_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("agreements.id", ondelete="CASCADE"), index=True
    )
    old_deadline: Mapped[datetime] = mapped_column(UTCDateTime())
    new_deadline: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(Text)
    by_user: Mapped[str] = mapped_column(String(MATRIX_ID_LENGTH))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
