"""Tables of the bot's runtime on Matrix: the events it handled, its sync position, the
rooms it is (or was) in, and encrypted events parked until their key arrives (see
``storage.base`` for the conventions). The messages it sends: ``storage.outbox_models``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import MATRIX_ID_LENGTH, SHORT_LENGTH, Base
from storage.types import JSONText, UTCDateTime


class ProcessedEventRecord(Base):
    """A Matrix event the bot has handled: the record that makes every command run once."""

    __tablename__ = "processed_events"
    __table_args__ = (
        # ``DELETE FROM processed_events WHERE processed_at < ?`` (retention, 0005).
        Index("ix_processed_events_processed_at", "processed_at"),
    )

    event_id: Mapped[str] = mapped_column(String(MATRIX_ID_LENGTH), primary_key=True)
    room_id: Mapped[str] = mapped_column(String(MATRIX_ID_LENGTH))
    sender: Mapped[str] = mapped_column(String(MATRIX_ID_LENGTH))
    command: Mapped[str | None] = mapped_column(String(SHORT_LENGTH))
    outcome: Mapped[str] = mapped_column(String(SHORT_LENGTH))
    processed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SyncStateRecord(Base):
    """Small key/value state, e.g. the sync token after the last fully processed batch."""

    __tablename__ = "sync_state"

    key: Mapped[str] = mapped_column(String(SHORT_LENGTH), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class BotRoomRecord(Base):
    """A room the bot is (or was) in."""

    __tablename__ = "bot_rooms"

    room_id: Mapped[str] = mapped_column(String(MATRIX_ID_LENGTH), primary_key=True)
    # Messages sent before this instant are history, never commands to the bot.
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime())
    encrypted: Mapped[bool] = mapped_column(Boolean)
    unencrypted_notice_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class PendingEncryptedRecord(Base):
    """An encrypted event whose key has not arrived yet (ciphertext only, never plaintext)."""

    __tablename__ = "pending_encrypted"

    event_id: Mapped[str] = mapped_column(String(MATRIX_ID_LENGTH), primary_key=True)
    room_id: Mapped[str] = mapped_column(String(MATRIX_ID_LENGTH))
    sender: Mapped[str] = mapped_column(String(MATRIX_ID_LENGTH))
    session_id: Mapped[str] = mapped_column(String(MATRIX_ID_LENGTH), index=True)
    sender_key: Mapped[str] = mapped_column(String(MATRIX_ID_LENGTH))
    source: Mapped[dict[str, Any]] = mapped_column(JSONText())
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    explained_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
