"""The database tables, as typed SQLAlchemy 2 declarative models.

Every timestamp is a ``UTCDateTime`` (aware UTC in, aware UTC out). The migrations in
``storage/migrations/versions`` are written by hand to match these models exactly;
``tests/storage/test_migrations.py`` compares the two with Alembic's autogenerate.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import text as sql_text
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
    """One role held by a member: a ``Role`` value, or a scoped role ``kind:scope``."""

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
    # Delivery state (0004): ``lane`` 0 interactive (command replies) before 1 bulk (reminders,
    # digests, reports); after a transient failure the room waits until ``not_before``;
    # a permanent failure is a dead letter: ``sent_at`` set, ``failure`` says why.
    lane: Mapped[int] = mapped_column(Integer, server_default=sql_text("0"))
    not_before: Mapped[datetime | None] = mapped_column(UTCDateTime())
    failure: Mapped[str | None] = mapped_column(String(SHORT_LENGTH))
    # Who asked for this message (a command's sender), to be told if it cannot be sent.
    requested_by: Mapped[str | None] = mapped_column(String(MATRIX_ID_LENGTH))


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


# --------------------------------------------------------------------------- cases (0002)
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
    __table_args__ = (Index("ix_cases_regie_holder", "regie_holder"),)

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


# --------------------------------------------------------------------------- agreements (0003)
class AgreementRecord(Base):
    """An agreement (afspraak) in a case: who does what before when.

    ``number`` is the per-case sequence number users see (1, 2, 3, ...). The owner is a
    person (``owner_user``, usually with their ``owner_org``) or an organisation
    (``owner_org`` only). ``status``: ``open``, ``klaar`` or ``vervallen``.
    """

    __tablename__ = "agreements"
    __table_args__ = (
        UniqueConstraint("case_id", "number", name="uq_agreements_case_id_number"),
        CheckConstraint("owner_user IS NOT NULL OR owner_org IS NOT NULL", name="has_owner"),
        Index("ix_agreements_status_deadline", "status", "deadline"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(Integer, ForeignKey("cases.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text)
    owner_user: Mapped[str | None] = mapped_column(String(MATRIX_ID_LENGTH))
    owner_org: Mapped[str | None] = mapped_column(String(ORG_CODE_LENGTH))
    created_by: Mapped[str] = mapped_column(String(MATRIX_ID_LENGTH))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deadline: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(SHORT_LENGTH))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    note: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)


class AgreementPostponementRecord(Base):
    """One postponement of an agreement's deadline (the history behind ``deadline``)."""

    __tablename__ = "agreement_postponements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agreement_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("agreements.id", ondelete="CASCADE"), index=True
    )
    old_deadline: Mapped[datetime] = mapped_column(UTCDateTime())
    new_deadline: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(Text)
    by_user: Mapped[str] = mapped_column(String(MATRIX_ID_LENGTH))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class ScheduledJobRecord(Base):
    """A durable scheduled job (reminders, escalation timeouts, retention, ...).

    ``status``: ``pending`` -> ``running`` (claimed by a worker) -> ``done`` or
    ``failed``; or ``cancelled``. A ``dedupe_key`` names a job that exists at most once
    (scheduling it again re-arms the same row). ``entity_type``/``entity_id`` say what
    the job is about, so that all jobs of e.g. one agreement can be cancelled together.
    """

    __tablename__ = "scheduled_jobs"
    __table_args__ = (
        Index("ix_scheduled_jobs_status_due_at", "status", "due_at"),
        Index("ix_scheduled_jobs_entity", "entity_type", "entity_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(SHORT_LENGTH))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    payload: Mapped[dict[str, Any]] = mapped_column(JSONText())
    dedupe_key: Mapped[str | None] = mapped_column(String(MATRIX_ID_LENGTH), unique=True)
    entity_type: Mapped[str | None] = mapped_column(String(SHORT_LENGTH))
    entity_id: Mapped[str | None] = mapped_column(String(MATRIX_ID_LENGTH))
    status: Mapped[str] = mapped_column(String(SHORT_LENGTH))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claimed_by: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    attempts: Mapped[int] = mapped_column(Integer)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ReminderRecord(Base):
    """A ``!herinner`` reminder, numbered per room (``number``, shown to users and used by
    ``!herinnering annuleer <nr>``; numbers are never reused while the rows exist).

    ``target_user`` is whom to remind; NULL: the sender (``created_by``). ``text`` is
    content from an encrypted room: finished reminders should be purged by retention.
    """

    __tablename__ = "reminders"
    __table_args__ = (
        UniqueConstraint("room_id", "number", name="uq_reminders_room_id_number"),
        Index("ix_reminders_due_at", "due_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    room_id: Mapped[str] = mapped_column(String(MATRIX_ID_LENGTH))
    number: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(MATRIX_ID_LENGTH))
    target_user: Mapped[str | None] = mapped_column(String(MATRIX_ID_LENGTH))
    text: Mapped[str] = mapped_column(Text)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class DirectChatRecord(Base):
    """The bot's direct chat with one member (see ``avz_bot.services.direct``).

    ``room_id`` is empty until the room exists; ``joined`` says whether the member has
    joined it — only then can they decrypt what the bot sends, so messages wait in
    ``direct_pending`` until that moment.
    """

    __tablename__ = "direct_chats"

    user_id: Mapped[str] = mapped_column(String(MATRIX_ID_LENGTH), primary_key=True)
    room_id: Mapped[str | None] = mapped_column(String(MATRIX_ID_LENGTH), unique=True)
    joined: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DirectPendingRecord(Base):
    """A direct message waiting until its recipient has joined their direct chat."""

    __tablename__ = "direct_pending"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(String(MATRIX_ID_LENGTH), index=True)
    # The outbox transaction id it will be sent with (unique: queuing twice is a no-op).
    txn_id: Mapped[str] = mapped_column(String(MATRIX_ID_LENGTH), unique=True)
    content: Mapped[dict[str, Any]] = mapped_column(JSONText())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The outbox lane it goes to when released (0012): that of the unit of work that sent it.
    lane: Mapped[int] = mapped_column(Integer, server_default=sql_text("0"))


# The capability areas keep their tables beside their repositories; importing them here
# registers them on ``Base.metadata`` wherever the models are used (migrations, the
# schema check, the tests).
from storage import (  # noqa: E402
    conference_models,  # noqa: F401
    escalation_models,  # noqa: F401
    helpdesk_models,  # noqa: F401
    operations_models,  # noqa: F401
    report_models,  # noqa: F401
    scale_models,  # noqa: F401
    signal_models,  # noqa: F401
)


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
