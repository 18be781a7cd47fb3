"""Tables of the privacy area: requests of persons concerned (see ``storage.base``).

A request never holds the person's identifier: only the pseudonyms of every key version
in force when it was registered (``pseudonyms``, as the signals area makes them), so its
access export can find everything linked to the person.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import MATRIX_ID_LENGTH, SHORT_LENGTH, Base
from storage.types import JSONText, UTCDateTime


class PrivacyRequestRecord(Base):
    """A request ``PV-<year>-<number>``: ``kind`` (inzage, correctie, wissen, beperking,
    bezwaar), ``status`` (open, afgerond), received and due (local dates: AVG art. 12(3)),
    an extension's reason, the organisations told (``told``: ``{"organisations": [...]}``)."""

    __tablename__ = "privacy_requests"
    __table_args__ = (
        UniqueConstraint("year", "number", name="uq_privacy_requests_year_number"),
        Index("ix_privacy_requests_status_due_on", "status", "due_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(SHORT_LENGTH))
    status: Mapped[str] = mapped_column(String(SHORT_LENGTH))
    pseudonyms: Mapped[dict[str, Any]] = mapped_column(JSONText())
    received_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    extension_reason: Mapped[str | None] = mapped_column(Text)
    registered_by: Mapped[str] = mapped_column(String(MATRIX_ID_LENGTH))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    told: Mapped[dict[str, Any]] = mapped_column(JSONText())


class PrivacyRestrictionRecord(Base):
    """A restricted pseudonym (AVG art. 18): no matching, no new signals linked, until
    lifted. ``request_id`` is the request that asked for it."""

    __tablename__ = "privacy_restrictions"

    pseudonym: Mapped[str] = mapped_column(String(80), primary_key=True)
    request_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
