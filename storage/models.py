"""The database tables, as typed SQLAlchemy 2 declarative models.

Every timestamp is a ``UTCDateTime`` (aware UTC in, aware UTC out). The migration in
``storage/migrations/versions`` is written by hand to match these models exactly;
``tests/storage/test_migrations.py`` compares the two with Alembic's autogenerate.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from storage.types import JSONText, UTCDateTime

#: Deterministic constraint names, so that later migrations can refer to (and drop)
#: constraints by name on every backend, including SQLite batch migrations.
NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Column sizes. Matrix ids (users, rooms, events) are at most 255 bytes by the spec.
MATRIX_ID_LENGTH = 255
ORG_CODE_LENGTH = 40
NAME_LENGTH = 200
SHORT_LENGTH = 64


class Base(DeclarativeBase):
    """Declarative base of all avz-bot tables."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class OrganisationRecord(Base):
    """A partner organisation, synchronised from the partner registry file."""

    __tablename__ = "organisations"

    code: Mapped[str] = mapped_column(String(ORG_CODE_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    # Stored as the plain enum value (``OrgDomain``): adding a domain needs no migration.
    domain: Mapped[str] = mapped_column(String(SHORT_LENGTH))
    # Organisations are deactivated, never deleted: the audit trail still names them.
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class MemberRecord(Base):
    """A registered professional (a Matrix account bound to one organisation)."""

    __tablename__ = "members"

    matrix_id: Mapped[str] = mapped_column(String(MATRIX_ID_LENGTH), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    organisation_code: Mapped[str] = mapped_column(
        String(ORG_CODE_LENGTH), ForeignKey("organisations.code")
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    # lazy="raise": an implicit lazy load cannot work under asyncio anyway, so a
    # forgotten eager load fails loudly instead of with an obscure greenlet error.
    organisation: Mapped[OrganisationRecord] = relationship(lazy="raise")
    roles: Mapped[list[MemberRoleRecord]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="MemberRoleRecord.role"
    )


class MemberRoleRecord(Base):
    """One network-wide role (``Role`` value) held by a member."""

    __tablename__ = "member_roles"

    matrix_id: Mapped[str] = mapped_column(
        String(MATRIX_ID_LENGTH),
        ForeignKey("members.matrix_id", ondelete="CASCADE"),
        primary_key=True,
    )
    role: Mapped[str] = mapped_column(String(SHORT_LENGTH), primary_key=True)


class ProcessedEventRecord(Base):
    """A Matrix event the bot has handled: the record that makes every command run once."""

    __tablename__ = "processed_events"

    event_id: Mapped[str] = mapped_column(String(MATRIX_ID_LENGTH), primary_key=True)
    room_id: Mapped[str] = mapped_column(String(MATRIX_ID_LENGTH))
    sender: Mapped[str] = mapped_column(String(MATRIX_ID_LENGTH))
    command: Mapped[str | None] = mapped_column(String(SHORT_LENGTH))
    outcome: Mapped[str] = mapped_column(String(SHORT_LENGTH))
    processed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class OutboxRecord(Base):
    """A message to send, stored in the same transaction as the change that caused it."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # Derived from the triggering event: the homeserver deduplicates resends by it.
    txn_id: Mapped[str] = mapped_column(String(MATRIX_ID_LENGTH), unique=True)
    room_id: Mapped[str] = mapped_column(String(MATRIX_ID_LENGTH))
    content: Mapped[dict[str, Any]] = mapped_column(JSONText())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    remote_event_id: Mapped[str | None] = mapped_column(String(MATRIX_ID_LENGTH))
    attempts: Mapped[int] = mapped_column(Integer, default=0)


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


class AuditLogRecord(Base):
    """One entry of the append-only audit trail: who did what, when, where, to what.

    Never message bodies: ``details`` holds identifiers, codes and counts only.
    """

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_entity", "entity_type", "entity_id"),
        Index("ix_audit_log_room_id", "room_id"),
        Index("ix_audit_log_occurred_at", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(MATRIX_ID_LENGTH))
    actor_org: Mapped[str | None] = mapped_column(String(ORG_CODE_LENGTH))
    action: Mapped[str] = mapped_column(String(100))
    room_id: Mapped[str | None] = mapped_column(String(MATRIX_ID_LENGTH))
    entity_type: Mapped[str | None] = mapped_column(String(SHORT_LENGTH))
    entity_id: Mapped[str | None] = mapped_column(String(MATRIX_ID_LENGTH))
    details: Mapped[dict[str, Any]] = mapped_column(JSONText())
