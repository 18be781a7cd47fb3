"""The lease that makes exactly one of several bot processes the active one (see
``storage.lease_repositories`` and ``avz_bot.lease``; conventions: ``storage.base``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import SHORT_LENGTH, Base
from storage.types import UTCDateTime


class LeaseRecord(Base):
    """Who holds the lease ``name`` and when they last renewed it (Synapse's
    ``worker_locks``: a row taken by a conditional upsert, renewed while held)."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(SHORT_LENGTH), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    renewed_at: Mapped[datetime] = mapped_column(UTCDateTime())
