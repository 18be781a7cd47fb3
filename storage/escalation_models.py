"""Tables of the escalation area (see ``storage.base`` for the conventions).

``escalations`` keeps the request, acknowledgement, decision and closing times (the
figures for later reports: time-to-acknowledge per route, municipality and organisation);
``escalation_levels`` is the route as frozen at request, one row per configured level with
the people it resolved to and when the escalation reached, was acknowledged at and left
that level. ``reaction_targets`` is general (not only escalations): a bot message people
may react to, found by its Matrix event id once the outbox has sent it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import (
    MATRIX_ID_LENGTH,
    NAME_LENGTH,
    ORG_CODE_LENGTH,
    SHORT_LENGTH,
    Base,
)
from storage.types import UTCDateTime


class EscalationSequenceRecord(Base):
    """The last escalation number per year (``ESC-<year>-<n>``)."""

    __tablename__ = "escalation_sequences"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(Integer)


class EscalationRecord(Base):
    """An escalation (opschaling) of a case.

    ``status``: ``aangevraagd``, ``ontvangen``, ``besloten``, ``afgeschaald`` or
    ``ingetrokken``. ``reason`` and ``decision_asked`` may hold case content: they are
    shown only in the case room and in direct messages to targets, never in the
    coordination room.
    """

    __tablename__ = "escalations"
    __table_args__ = (
        Index("ix_escalations_status_requested_at", "status", "requested_at"),
        Index("ix_escalations_acknowledged_by", "acknowledged_by"),
        Index("ix_escalations_requested_at", "requested_at"),  # reports (migration 0011)
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reference: Mapped[str] = mapped_column(String(SHORT_LENGTH), unique=True)
    case_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    route: Mapped[str] = mapped_column(String(SHORT_LENGTH))
    status: Mapped[str] = mapped_column(String(SHORT_LENGTH))
    urgent: Mapped[bool] = mapped_column(Boolean)
    partner_org: Mapped[str | None] = mapped_column(String(ORG_CODE_LENGTH))
    requester: Mapped[str] = mapped_column(String(MATRIX_ID_LENGTH))
    requester_org: Mapped[str] = mapped_column(String(ORG_CODE_LENGTH))
    reason: Mapped[str] = mapped_column(Text)
    decision_asked: Mapped[str] = mapped_column(Text)
    current_level: Mapped[int] = mapped_column(Integer)
    level_started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    acknowledged_by: Mapped[str | None] = mapped_column(String(MATRIX_ID_LENGTH))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    first_acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    close_reason: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())


class EscalationLevelRecord(Base):
    """One level of an escalation's route, frozen at request (its people: below)."""

    __tablename__ = "escalation_levels"

    escalation_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("escalations.id", ondelete="CASCADE"), primary_key=True
    )
    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    target_kind: Mapped[str] = mapped_column(String(SHORT_LENGTH))
    scope: Mapped[str] = mapped_column(String(NAME_LENGTH))
    ack_working_hours: Mapped[float] = mapped_column(Float)
    decision_working_days: Mapped[int] = mapped_column(Integer)
    urgent_ack_minutes: Mapped[float] = mapped_column(Float)
    urgent_decision_hours: Mapped[float] = mapped_column(Float)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class EscalationTargetRecord(Base):
    """A person a frozen level addresses (indexed by person: "what waits for me?")."""

    __tablename__ = "escalation_targets"
    __table_args__ = (Index("ix_escalation_targets_matrix_id", "matrix_id"),)

    escalation_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("escalations.id", ondelete="CASCADE"), primary_key=True
    )
    level: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    matrix_id: Mapped[str] = mapped_column(String(MATRIX_ID_LENGTH), primary_key=True)
