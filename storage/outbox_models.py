"""Tables of the outbox: every message the bot sends, and which of its messages accept
reactions (see ``storage.base`` for the conventions)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import MATRIX_ID_LENGTH, NAME_LENGTH, SHORT_LENGTH, Base
from storage.types import JSONText, UTCDateTime


class OutboxRecord(Base):
    """A message to send, stored in the same transaction as the change that caused it."""

    __tablename__ = "outbox"
    __table_args__ = (
        # The sender's "which rooms are backing off" and per-room order (0004).
        Index("ix_outbox_room_id_sent_at", "room_id", "sent_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # Derived from the triggering event: the homeserver deduplicates resends by it.
    txn_id: Mapped[str] = mapped_column(String(MATRIX_ID_LENGTH), unique=True)
    room_id: Mapped[str] = mapped_column(String(MATRIX_ID_LENGTH))
    content: Mapped[dict[str, Any]] = mapped_column(JSONText())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    remote_event_id: Mapped[str | None] = mapped_column(String(MATRIX_ID_LENGTH))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Delivery state (0004): ``lane`` 0 interactive (command replies) before 1 bulk (reminders,
    # digests, reports); after a transient failure the room waits until ``not_before``;
    # a permanent failure is a dead letter: ``sent_at`` set, ``failure`` says why.
    lane: Mapped[int] = mapped_column(Integer, server_default=sql_text("0"))
    not_before: Mapped[datetime | None] = mapped_column(UTCDateTime())
    failure: Mapped[str | None] = mapped_column(String(SHORT_LENGTH))
    # Who asked for this message (a command's sender), to be told if it cannot be sent.
    requested_by: Mapped[str | None] = mapped_column(String(MATRIX_ID_LENGTH))


class ReactionTargetRecord(Base):
    """A bot message that accepts reactions: ``kind`` routes them, ``entity_id`` says to what.

    Created with the outbox transaction id in the same transaction that queues the
    message; ``event_id`` is filled in when the outbox has sent it.
    """

    __tablename__ = "reaction_targets"

    txn_id: Mapped[str] = mapped_column(String(MATRIX_ID_LENGTH), primary_key=True)
    kind: Mapped[str] = mapped_column(String(SHORT_LENGTH))
    entity_id: Mapped[str] = mapped_column(String(NAME_LENGTH))
    room_id: Mapped[str] = mapped_column(String(MATRIX_ID_LENGTH))
    event_id: Mapped[str | None] = mapped_column(String(MATRIX_ID_LENGTH), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
