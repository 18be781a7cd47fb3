"""Tables of cases: case numbers, cases, their members and proposals to move regie
(migration ``0002``; see ``storage.base`` for the conventions)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import MATRIX_ID_LENGTH, NAME_LENGTH, ORG_CODE_LENGTH, SHORT_LENGTH, Base
from storage.types import UTCDateTime


class CaseSequenceRecord(Base):
    """The last case number handed out per calendar year (``AVZ-<year>-<number>``)."""

    __tablename__ = "case_sequences"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(Integer)


class CaseRecord(Base):
    """A care-and-safety case (casus) with its Matrix room and who holds regie.

    ``status`` is a plain string: ``aangemeld``, ``actief``, ``afgeschaald`` or
    ``gesloten``. ``regie_holder`` is NULL while nobody holds regie; then
    ``regie_vacant_since`` says since when (set at creation).
    """

    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_regie_holder", "regie_holder"),
        # The sweep's cases without regie, and lists of open cases (0004).
        Index("ix_cases_status", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reference: Mapped[str] = mapped_column(String(SHORT_LENGTH), unique=True)
    # A work title, never a client's name.
    title: Mapped[str] = mapped_column(Text)
    municipality: Mapped[str] = mapped_column(String(NAME_LENGTH))
    case_type: Mapped[str] = mapped_column(String(SHORT_LENGTH))
    status: Mapped[str] = mapped_column(String(SHORT_LENGTH))
    room_id: Mapped[str | None] = mapped_column(String(MATRIX_ID_LENGTH), unique=True)
    created_by: Mapped[str] = mapped_column(String(MATRIX_ID_LENGTH))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    regie_holder: Mapped[str | None] = mapped_column(String(MATRIX_ID_LENGTH))
    regie_org: Mapped[str | None] = mapped_column(String(ORG_CODE_LENGTH))
    regie_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    regie_vacant_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The last (working) day the coordination room was told this case has no regie.
    unregie_reported_on: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer)


class CaseMemberRecord(Base):
    """A professional taking part in a case (kept after leaving, with ``left_at``)."""

    __tablename__ = "case_members"
    __table_args__ = (Index("ix_case_members_matrix_id", "matrix_id"),)

    case_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    matrix_id: Mapped[str] = mapped_column(String(MATRIX_ID_LENGTH), primary_key=True)
    organisation_code: Mapped[str] = mapped_column(String(ORG_CODE_LENGTH))
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime())
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # At most one casemanager per organisation per case (kept so by the repository).
    casemanager: Mapped[bool] = mapped_column(Boolean)


class RegieProposalRecord(Base):
    """A proposal to move regie: ``transfer`` (holder offers it to ``to_user``) or
    ``request`` (``from_user`` asks the holder for it). ``resolution`` is one of
    ``accepted``, ``declined``, ``expired`` or ``cancelled`` once resolved."""

    __tablename__ = "regie_proposals"
    __table_args__ = (
        # At most one open proposal per case.
        Index(
            "uq_regie_proposals_open_case_id",
            "case_id",
            unique=True,
            sqlite_where=sql_text("resolved_at IS NULL"),
            postgresql_where=sql_text("resolved_at IS NULL"),
        ),
        # ``!mijn``: proposals waiting for this person's answer (0004).
        Index("ix_regie_proposals_to_user", "to_user"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(Integer, ForeignKey("cases.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(SHORT_LENGTH))
    from_user: Mapped[str] = mapped_column(String(MATRIX_ID_LENGTH))
    to_user: Mapped[str] = mapped_column(String(MATRIX_ID_LENGTH))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolution: Mapped[str | None] = mapped_column(String(SHORT_LENGTH))
