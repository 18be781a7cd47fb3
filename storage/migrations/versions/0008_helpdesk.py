"""Helpdesk questions, knowledge cards, their Dutch search index, and direct chats (issue 12).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30

Written by hand to match ``storage/helpdesk_models.py`` (see ``0001`` for the conventions).

The search structures are backend-specific and are not models (their names start with
``hd_fts_``; the model comparison skips them):

* SQLite: two FTS5 external-content tables over ``helpdesk_search_docs`` — ``hd_fts_stem``
  (``unicode61`` over the pre-stemmed ``stemmed`` column) and ``hd_fts_tri`` (``trigram``
  over ``folded``, for words inside compounds) — kept in step by triggers.
* PostgreSQL: the ``pg_trgm`` extension (created in ``public`` if missing; it is a trusted
  extension, so the database owner may create it), a stored generated column
  ``hd_fts_vector = to_tsvector('simple', stemmed)`` and two GIN indexes: on that vector (the text is stemmed already, by the same
  ``dutch_porter`` algorithm as PostgreSQL's ``dutch`` configuration, so ``simple`` keeps both
  backends identical) and ``folded gin_trgm_ops`` (``LIKE '%woord%'``).

Downgrade drops the tables and indexes but leaves the ``pg_trgm`` extension (others may
use it).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SQLITE_FTS = (
    "CREATE VIRTUAL TABLE hd_fts_stem USING fts5(stemmed, content='helpdesk_search_docs', "
    "content_rowid='id', tokenize='unicode61')",
    "CREATE VIRTUAL TABLE hd_fts_tri USING fts5(folded, content='helpdesk_search_docs', "
    "content_rowid='id', tokenize='trigram')",
    """CREATE TRIGGER hd_fts_docs_ai AFTER INSERT ON helpdesk_search_docs BEGIN
        INSERT INTO hd_fts_stem(rowid, stemmed) VALUES (new.id, new.stemmed);
        INSERT INTO hd_fts_tri(rowid, folded) VALUES (new.id, new.folded);
    END""",
    """CREATE TRIGGER hd_fts_docs_ad AFTER DELETE ON helpdesk_search_docs BEGIN
        INSERT INTO hd_fts_stem(hd_fts_stem, rowid, stemmed) VALUES ('delete', old.id, old.stemmed);
        INSERT INTO hd_fts_tri(hd_fts_tri, rowid, folded) VALUES ('delete', old.id, old.folded);
    END""",
    """CREATE TRIGGER hd_fts_docs_au AFTER UPDATE ON helpdesk_search_docs BEGIN
        INSERT INTO hd_fts_stem(hd_fts_stem, rowid, stemmed) VALUES ('delete', old.id, old.stemmed);
        INSERT INTO hd_fts_tri(hd_fts_tri, rowid, folded) VALUES ('delete', old.id, old.folded);
        INSERT INTO hd_fts_stem(rowid, stemmed) VALUES (new.id, new.stemmed);
        INSERT INTO hd_fts_tri(rowid, folded) VALUES (new.id, new.folded);
    END""",
)


def _trgm_schema() -> str:
    """The schema holding ``pg_trgm`` (created in ``public`` when it is missing)."""
    bind = op.get_bind()
    bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"))
    schema = bind.execute(
        sa.text(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n "
            "ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'"
        )
    ).scalar_one()
    return str(schema)


def upgrade() -> None:
    """Create the helpdesk tables and the backend's search indexes."""
    op.create_table(
        "helpdesk_questions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("room_id", sa.String(length=255), nullable=False),
        sa.Column("thread_root", sa.String(length=255), nullable=False),
        sa.Column("theme", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("asker", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=64), nullable=False),
        sa.Column("claimed_by", sa.String(length=255), nullable=True),
        sa.Column("first_response_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_by", sa.String(length=255), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_automatic", sa.Boolean(), nullable=True),
        sa.Column("solution_from", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sla_notified", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_helpdesk_questions")),
        sa.UniqueConstraint("year", "number", name="uq_helpdesk_questions_year_number"),
    )
    op.create_index(
        "ix_helpdesk_questions_status_created_at",
        "helpdesk_questions",
        ["status", "created_at"],
    )
    for column in ("thread_root", "asker", "claimed_by"):
        op.create_index(f"ix_helpdesk_questions_{column}", "helpdesk_questions", [column])
    op.create_table(
        "knowledge_cards",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("theme", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=64), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("review_due", sa.DateTime(timezone=True), nullable=True),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["helpdesk_questions.id"],
            name=op.f("fk_knowledge_cards_question_id_helpdesk_questions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_cards")),
        sa.UniqueConstraint("number", name="uq_knowledge_cards_number"),
    )
    op.create_index(
        "ix_knowledge_cards_status_review_due", "knowledge_cards", ["status", "review_due"]
    )
    op.create_index("ix_knowledge_cards_owner", "knowledge_cards", ["owner"])
    op.create_table(
        "helpdesk_search_docs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("theme", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("title_stemmed", sa.Text(), nullable=False),
        sa.Column("folded", sa.Text(), nullable=False),
        sa.Column("stemmed", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_helpdesk_search_docs")),
        sa.UniqueConstraint("kind", "entity_id", name="uq_helpdesk_search_docs_kind"),
    )
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in _SQLITE_FTS:
            op.execute(statement)
    elif dialect == "postgresql":
        trgm = _trgm_schema()
        # A stored vector: the search filter must not re-parse the text of every row.
        op.execute(
            "ALTER TABLE helpdesk_search_docs ADD COLUMN hd_fts_vector tsvector "
            "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, stemmed)) STORED"
        )
        op.execute("CREATE INDEX hd_fts_stem_gin ON helpdesk_search_docs USING gin (hd_fts_vector)")
        op.execute(
            "CREATE INDEX hd_fts_tri_gin ON helpdesk_search_docs "
            f'USING gin (folded "{trgm}".gin_trgm_ops)'
        )


def downgrade() -> None:
    """Drop the helpdesk tables (and with them the search indexes)."""
    if op.get_bind().dialect.name == "sqlite":
        for name in ("hd_fts_docs_ai", "hd_fts_docs_ad", "hd_fts_docs_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS hd_fts_stem")
        op.execute("DROP TABLE IF EXISTS hd_fts_tri")
    op.drop_table("helpdesk_search_docs")
    op.drop_index("ix_knowledge_cards_owner", table_name="knowledge_cards")
    op.drop_index("ix_knowledge_cards_status_review_due", table_name="knowledge_cards")
    op.drop_table("knowledge_cards")
    for column in ("claimed_by", "asker", "thread_root"):
        op.drop_index(f"ix_helpdesk_questions_{column}", table_name="helpdesk_questions")
    op.drop_index("ix_helpdesk_questions_status_created_at", table_name="helpdesk_questions")
    op.drop_table("helpdesk_questions")
