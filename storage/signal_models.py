"""Tables of the signals, tvo triage and matching area (see ``storage.base`` for the conventions).

No identifier (BSN, name, date of birth) is ever stored: a person appears only as a
pseudonym ``<key version>:<hex HMAC>`` (``avz_bot.domain.signals.pseudonym``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import MATRIX_ID_LENGTH, NAME_LENGTH, ORG_CODE_LENGTH, SHORT_LENGTH, Base
from storage.types import UTCDateTime

#: ``v<version>:`` plus 64 hex digits, with room for long version numbers.
PSEUDONYM_LENGTH = 80


class SignalRecord(Base):
    """A professional's signal about a person: only *that* they are involved, and in
    which category; never the content, never the identifier.

    ``status``: ``actief`` (matches), ``ingetrokken``, ``verlopen``. ``triage``: ``open``,
    ``monitoren``, ``casus``, ``geen-actie``. ``delete_at`` is set once the signal stopped
    matching (expiry or withdrawal). ``contact_room`` is the direct chat it was registered
    in: where the professional is told about matches.
    """

    __tablename__ = "signals"
    __table_args__ = (
        UniqueConstraint("year", "number", name="uq_signals_year_number"),
        Index("ix_signals_pseudonym", "pseudonym"),
        Index("ix_signals_professional", "professional"),
        Index("ix_signals_municipality_triage", "municipality", "triage"),
        Index("ix_signals_created_at", "created_at"),  # reports (migration 0011)
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    reference: Mapped[str] = mapped_column(String(SHORT_LENGTH), unique=True)
    pseudonym: Mapped[str] = mapped_column(String(PSEUDONYM_LENGTH))
    key_version: Mapped[str] = mapped_column(String(16))
    weak_key: Mapped[bool] = mapped_column(Boolean)
    category: Mapped[str] = mapped_column(String(SHORT_LENGTH))
    municipality: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    professional: Mapped[str] = mapped_column(String(MATRIX_ID_LENGTH))
    organisation_code: Mapped[str] = mapped_column(String(ORG_CODE_LENGTH))
    contact_room: Mapped[str] = mapped_column(String(MATRIX_ID_LENGTH))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    delete_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(SHORT_LENGTH))
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    triage: Mapped[str] = mapped_column(String(SHORT_LENGTH))
    relist_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    case_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("cases.id", ondelete="SET NULL")
    )


class SignalMatchRecord(Base):
    """Two signals (of different organisations) on one person, or a signal on the
    linked person of a case (``case_id``, ``other_signal_id`` NULL)."""

    __tablename__ = "signal_matches"
    __table_args__ = (Index("ix_signal_matches_created_at", "created_at"),)  # reports (0011)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    signal_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("signals.id", ondelete="CASCADE"), index=True
    )
    other_signal_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("signals.id", ondelete="CASCADE"), index=True
    )
    case_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CasePersonRecord(Base):
    """The pseudonym of a case's central person (``!casus persoon``), so that new
    signals on that person reach the case. ``linked_room``: the direct chat it was
    linked from."""

    __tablename__ = "case_persons"

    case_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    pseudonym: Mapped[str] = mapped_column(String(PSEUDONYM_LENGTH), index=True)
    key_version: Mapped[str] = mapped_column(String(16))
    weak_key: Mapped[bool] = mapped_column(Boolean)
    linked_by: Mapped[str] = mapped_column(String(MATRIX_ID_LENGTH))
    #: The direct chat it was linked from (NULL when a TVO decision linked it).
    linked_room: Mapped[str | None] = mapped_column(String(MATRIX_ID_LENGTH))
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CaseSignalRecord(Base):
    """A worry recorded inside a case room (``!signaal <categorie> …``), numbered per case.

    The description is free text from an encrypted room whose members are the case's
    partners; BSN-valid numbers are refused before it gets here.
    """

    __tablename__ = "case_signals"
    __table_args__ = (UniqueConstraint("case_id", "number", name="uq_case_signals_case_id_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(Integer, ForeignKey("cases.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(SHORT_LENGTH))
    severity: Mapped[str] = mapped_column(String(SHORT_LENGTH))
    description: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(MATRIX_ID_LENGTH))
    organisation_code: Mapped[str] = mapped_column(String(ORG_CODE_LENGTH))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
