"""Tables of the access log: every read of case or person data (see ``storage.base``).

Append-only and tamper-evident: each entry (``access_log``) carries ``seq`` (its place
in one chain, 1, 2, 3, … without gaps), ``prev_hash`` (the previous entry's hash) and
``hash`` (SHA-256 over its own content and ``prev_hash``;
``avz_bot.domain.privacy.chain``). What it showed is in ``access_log_shown`` (one row per
item: kind and reference — a case reference, signal reference or pseudonym, never an
identifier — with the salted digest the chain covers). ``access_log_head`` has one row: the last ``seq`` and ``hash``; an append
updates it first, which serialises appends (the row lock on PostgreSQL, the write lock
on SQLite) so the chain stays one line under concurrent writers.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import MATRIX_ID_LENGTH, ORG_CODE_LENGTH, SHORT_LENGTH, Base
from storage.types import UTCDateTime

#: A SHA-256 as hex.
HASH_LENGTH = 64
#: A reference shown: case/signal reference or pseudonym (``v<n>:`` + 64 hex).
REFERENCE_LENGTH = 80


class AccessLogRecord(Base):
    """One read: when, who (Matrix id, organisation, role), by which command, where."""

    __tablename__ = "access_log"
    __table_args__ = (Index("ix_access_log_occurred_at", "occurred_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reader: Mapped[str] = mapped_column(String(MATRIX_ID_LENGTH))
    organisation: Mapped[str | None] = mapped_column(String(ORG_CODE_LENGTH))
    role: Mapped[str | None] = mapped_column(String(SHORT_LENGTH))
    command: Mapped[str] = mapped_column(String(SHORT_LENGTH))
    room_id: Mapped[str | None] = mapped_column(String(MATRIX_ID_LENGTH))
    prev_hash: Mapped[str] = mapped_column(String(HASH_LENGTH))
    hash: Mapped[str] = mapped_column(String(HASH_LENGTH))


class AccessShownRecord(Base):
    """One item an entry showed: ``kind`` (``case``, ``signal``, ``person``, …) and its
    reference. Looked up by (kind, reference) for "who read …"."""

    __tablename__ = "access_log_shown"
    __table_args__ = (Index("ix_access_log_shown_ref", "kind", "reference", "entry_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("access_log.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(SHORT_LENGTH))
    #: None once erased (with ``salt``): see ``avz_bot.domain.privacy.chain``.
    reference: Mapped[str | None] = mapped_column(String(REFERENCE_LENGTH))
    salt: Mapped[str | None] = mapped_column(String(32))
    digest: Mapped[str] = mapped_column(String(HASH_LENGTH))


class AccessLogHeadRecord(Base):
    """The chain's head: one row (``id`` 1), the last entry's ``seq`` and ``hash``
    (``seq`` 0 and the genesis hash before the first entry)."""

    __tablename__ = "access_log_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(HASH_LENGTH))
