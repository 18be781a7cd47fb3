"""Tables of the case conferences area (see ``storage.base`` for the conventions)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import (
    MATRIX_ID_LENGTH,
    NAME_LENGTH,
    ORG_CODE_LENGTH,
    SHORT_LENGTH,
    Base,
)
from storage.types import UTCDateTime


class ConferenceRecord(Base):
    """A case conference (casusoverleg), shown as ``OV-<year>-<number>`` (numbered per year;
    the reference is derived from the two columns, which are unique together).

    ``status``: ``gepland``, ``afgerond`` or ``geannuleerd`` ("running" is not stored: a
    planned conference runs from ``starts_at``). ``sequence`` is the iCalendar SEQUENCE.
    """

    __tablename__ = "conferences"
    __table_args__ = (
        UniqueConstraint("year", "number", name="uq_conferences_year_number"),
        Index("ix_conferences_case_id_starts_at", "case_id", "starts_at"),
        Index("ix_conferences_status_starts_at", "status", "starts_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(Integer, ForeignKey("cases.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(SHORT_LENGTH))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    duration_minutes: Mapped[int] = mapped_column(Integer)
    # A place, never content about the client.
    location: Mapped[str] = mapped_column(String(NAME_LENGTH))
    organiser: Mapped[str] = mapped_column(String(MATRIX_ID_LENGTH))
    sequence: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ConferenceParticipantRecord(Base):
    """An invited participant and their answer (``attendance`` as in the domain)."""

    __tablename__ = "conference_participants"
    __table_args__ = (Index("ix_conference_participants_matrix_id", "matrix_id"),)

    conference_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("conferences.id", ondelete="CASCADE"), primary_key=True
    )
    matrix_id: Mapped[str] = mapped_column(String(MATRIX_ID_LENGTH), primary_key=True)
    organisation_code: Mapped[str] = mapped_column(String(ORG_CODE_LENGTH))
    attendance: Mapped[str] = mapped_column(String(SHORT_LENGTH))
    reason: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ConferenceEntryRecord(Base):
    """An agenda item (``item``) or a decision (``decision``): appended, never edited.

    ``text`` is content from an encrypted room (like agreements' descriptions).
    """

    __tablename__ = "conference_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conference_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("conferences.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(SHORT_LENGTH))
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(MATRIX_ID_LENGTH))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ConferenceAgreementRecord(Base):
    """An agreement made (``!actie``) while the conference ran."""

    __tablename__ = "conference_agreements"

    conference_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("conferences.id", ondelete="CASCADE"), primary_key=True
    )
    agreement_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("agreements.id", ondelete="CASCADE"), primary_key=True
    )
