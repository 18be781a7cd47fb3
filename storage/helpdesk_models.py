"""Tables of the helpdesk (vraagbaak), its knowledge cards and their search index (see
``storage.base`` for the conventions; migration ``0008``).

The search *indexes* are not models: SQLite's FTS5 virtual tables (``hd_fts_stem`` over
the pre-stemmed column, ``hd_fts_tri`` with the ``trigram`` tokenizer, both external-content
tables kept in step by triggers) and PostgreSQL's GIN indexes (``hd_fts_stem_gin`` on the
generated column ``hd_fts_vector = to_tsvector('simple', stemmed)``, ``hd_fts_tri_gin`` on ``folded gin_trgm_ops``) are
backend-specific and live only in the migration (PostgreSQL also has a generated column
``hd_fts_vector``). Everything named with
:data:`SEARCH_INDEX_PREFIX` is therefore left out of the model-vs-migration comparison
(:func:`compared_by_models`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import MATRIX_ID_LENGTH, NAME_LENGTH, SHORT_LENGTH, Base
from storage.types import UTCDateTime

#: Names of the search structures that only the migration creates (tables, shadow tables,
#: triggers and indexes).
SEARCH_INDEX_PREFIX = "hd_fts_"


def compared_by_models(name: str | None, type_: str, parent_names: object = None) -> bool:
    """Alembic ``include_name`` hook: skip the backend-specific search structures."""
    del type_, parent_names
    return not (name or "").startswith(SEARCH_INDEX_PREFIX)


class HelpdeskQuestionRecord(Base):
    """A helpdesk question ``VR-<year>-<number>``, asked in a helpdesk room.

    ``thread_root`` is the event of the ``!vraag`` message: the question's thread.
    ``status``: ``open``, ``opgepakt``, ``beantwoord`` or ``gesloten``.
    ``sla_notified`` is the last breach step delivered (``<clock>:<step>``).
    """

    __tablename__ = "helpdesk_questions"
    __table_args__ = (
        UniqueConstraint("year", "number", name="uq_helpdesk_questions_year_number"),
        Index("ix_helpdesk_questions_status_created_at", "status", "created_at"),
        Index("ix_helpdesk_questions_created_at", "created_at"),  # reports (migration 0011)
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    room_id: Mapped[str] = mapped_column(String(MATRIX_ID_LENGTH))
    thread_root: Mapped[str] = mapped_column(String(MATRIX_ID_LENGTH), index=True)
    theme: Mapped[str] = mapped_column(String(SHORT_LENGTH))
    text: Mapped[str] = mapped_column(Text)
    asker: Mapped[str] = mapped_column(String(MATRIX_ID_LENGTH), index=True)
    status: Mapped[str] = mapped_column(String(SHORT_LENGTH))
    claimed_by: Mapped[str | None] = mapped_column(String(MATRIX_ID_LENGTH), index=True)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[str | None] = mapped_column(String(MATRIX_ID_LENGTH))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_automatic: Mapped[bool | None] = mapped_column(Boolean)
    solution_from: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sla_notified: Mapped[str | None] = mapped_column(String(SHORT_LENGTH))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class KnowledgeCardRecord(Base):
    """A knowledge card ``K-<number>``: ``concept``, ``gepubliceerd`` or ``vervallen``."""

    __tablename__ = "knowledge_cards"
    __table_args__ = (
        UniqueConstraint("number", name="uq_knowledge_cards_number"),
        Index("ix_knowledge_cards_status_review_due", "status", "review_due"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    number: Mapped[int] = mapped_column(Integer)
    theme: Mapped[str] = mapped_column(String(SHORT_LENGTH))
    title: Mapped[str] = mapped_column(String(NAME_LENGTH))
    body: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(MATRIX_ID_LENGTH), index=True)
    status: Mapped[str] = mapped_column(String(SHORT_LENGTH))
    question_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("helpdesk_questions.id", ondelete="SET NULL")
    )
    created_by: Mapped[str] = mapped_column(String(MATRIX_ID_LENGTH))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    review_due: Mapped[datetime | None] = mapped_column(UTCDateTime())
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SearchDocumentRecord(Base):
    """One searchable text (a published card or an answered question).

    ``folded`` and ``stemmed`` are written by the Dutch analyser
    (``avz_bot.domain.dutch_search``); the backend indexes cover them.
    """

    __tablename__ = "helpdesk_search_docs"
    __table_args__ = (UniqueConstraint("kind", "entity_id", name="uq_helpdesk_search_docs_kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    entity_id: Mapped[int] = mapped_column(Integer)
    reference: Mapped[str] = mapped_column(String(SHORT_LENGTH))
    title: Mapped[str] = mapped_column(String(NAME_LENGTH))
    theme: Mapped[str] = mapped_column(String(SHORT_LENGTH))
    body: Mapped[str] = mapped_column(Text)
    title_stemmed: Mapped[str] = mapped_column(Text)
    folded: Mapped[str] = mapped_column(Text)
    stemmed: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
