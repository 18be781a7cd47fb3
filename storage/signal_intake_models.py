"""The table of the signed intake endpoint (issue 23; see ``storage.base`` for the conventions).

A delivery is remembered by a digest of its organisation and ``webhook-id`` (never the
id itself: a partner system may put anything in it), so that a retried delivery is
accepted once (Standard Webhooks: the ``webhook-id`` is the idempotency key).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import ORG_CODE_LENGTH, SHORT_LENGTH, Base
from storage.types import UTCDateTime


class IntakeDeliveryRecord(Base):
    """One accepted delivery: ``delivery_key`` is the hex SHA-256 of
    ``<organisation>\\n<webhook-id>``; ``reference`` the signal it made (``SIG-…``)."""

    __tablename__ = "intake_deliveries"
    __table_args__ = (Index("ix_intake_deliveries_received_at", "received_at"),)

    delivery_key: Mapped[str] = mapped_column(String(SHORT_LENGTH), primary_key=True)
    organisation_code: Mapped[str] = mapped_column(String(ORG_CODE_LENGTH))
    reference: Mapped[str] = mapped_column(String(SHORT_LENGTH))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
