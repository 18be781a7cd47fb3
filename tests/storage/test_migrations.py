"""Schema migrations, schema checks and the ``Database`` handle."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import IntegrityError

from storage.base import Base
from storage.db import SQLITE_BUSY_TIMEOUT_MS, Database, SchemaMismatchError, sqlite_url_for
from storage.helpdesk_models import compared_by_models
from storage.registry_models import MemberRecord

#: The newest revision in ``storage/migrations/versions``.
HEAD = "0018"

ALL_TABLES = {
    "organisations",
    "members",
    "member_roles",
    "processed_events",
    "outbox",
    "sync_state",
    "bot_rooms",
    "pending_encrypted",
    "audit_log",
    "case_sequences",
    "cases",
    "case_members",
    "regie_proposals",
    "agreements",
    "agreement_postponements",
    "scheduled_jobs",
    "reminders",
    "signals",
    "signal_matches",
    "case_persons",
    "case_signals",
    "helpdesk_questions",
    "knowledge_cards",
    "helpdesk_search_docs",
    "direct_chats",
    "direct_pending",
}


def _diff(connection: Connection, metadata: sa.MetaData) -> list[Any]:
    # Backend-specific search structures (FTS5 tables, GIN indexes) exist only in the
    # migrations; ``compared_by_models`` leaves them out (see storage/helpdesk_models.py).
    context = MigrationContext.configure(
        connection,
        opts={
            "compare_type": True,
            "compare_server_default": True,
            "include_name": compared_by_models,
        },
    )
    return list(compare_metadata(context, metadata))


def _table_names(connection: Connection) -> set[str]:
    return set(sa.inspect(connection).get_table_names())


async def test_upgrade_reaches_head_and_schema_check_passes(database: Database) -> None:
    assert database.head_revision() == HEAD
    assert await database.current_revision() == database.head_revision()
    await database.check_schema()
    async with database.engine.connect() as connection:
        tables = await connection.run_sync(_table_names)
    assert tables >= ALL_TABLES | {"alembic_version"}


async def test_models_match_the_migration(database: Database) -> None:
    async with database.engine.connect() as connection:
        assert await connection.run_sync(_diff, Base.metadata) == []


async def test_model_comparison_notices_a_difference(database: Database) -> None:
    # Guards the test above: the comparison must see a column that is not migrated.
    changed = sa.MetaData(naming_convention=Base.metadata.naming_convention)
    for table in Base.metadata.tables.values():
        table.to_metadata(changed)
    sa.Table("extra", changed, sa.Column("id", sa.Integer, primary_key=True))
    changed.tables["outbox"].append_column(sa.Column("priority", sa.Integer))
    async with database.engine.connect() as connection:
        diff = await connection.run_sync(_diff, changed)
    kinds = {entry[0] if isinstance(entry, tuple) else entry[0][0] for entry in diff}
    assert {"add_table", "add_column"} <= kinds


async def test_check_schema_refuses_an_empty_database(empty_database: Database) -> None:
    assert await empty_database.current_revision() is None
    with pytest.raises(SchemaMismatchError) as caught:
        await empty_database.check_schema()
    assert caught.value.current is None
    assert caught.value.head == HEAD
    assert "avz-bot db upgrade" in str(caught.value)


async def test_check_schema_refuses_an_unknown_revision(database: Database) -> None:
    async with database.engine.begin() as connection:
        await connection.execute(sa.text("UPDATE alembic_version SET version_num = '9999_future'"))
    assert await database.current_revision() == "9999_future"
    with pytest.raises(SchemaMismatchError) as caught:
        await database.check_schema()
    assert caught.value.current == "9999_future"
    assert caught.value.head == HEAD
    message = str(caught.value)
    assert "9999_future" in message and HEAD in message and "newer avz-bot" in message
    # Upgrading cannot help either, and must not touch the database.
    with pytest.raises(SchemaMismatchError):
        await database.upgrade()
    assert await database.current_revision() == "9999_future"


async def test_upgrade_is_idempotent_and_keeps_data(database: Database) -> None:
    async with database.engine.begin() as connection:
        await connection.execute(
            sa.text(
                "INSERT INTO organisations (code, name, domain, active) VALUES (:c, :n, :d, :a)"
            ),
            {"c": "politie", "n": "Politie", "d": "veiligheid", "a": True},
        )
    await database.upgrade()
    await database.upgrade()
    assert await database.current_revision() == HEAD
    await database.check_schema()
    async with database.engine.connect() as connection:
        names = (await connection.execute(sa.text("SELECT name FROM organisations"))).scalars()
        assert list(names) == ["Politie"]


async def test_failed_upgrade_leaves_nothing_behind(empty_database: Database) -> None:
    # The last table of 0001 already exists, so the migration fails near its end; the
    # tables it created before that must be rolled back with it.
    async with empty_database.engine.begin() as connection:
        await connection.execute(sa.text("CREATE TABLE audit_log (id INTEGER PRIMARY KEY)"))
    with pytest.raises(sa.exc.DBAPIError):
        await empty_database.upgrade()
    assert await empty_database.current_revision() is None
    async with empty_database.engine.connect() as connection:
        assert await connection.run_sync(_table_names) == {"audit_log"}
        if empty_database.backend == "sqlite":
            # The migration switched foreign keys off on this pooled connection.
            assert (await connection.exec_driver_sql("PRAGMA foreign_keys")).scalar() == 1


async def test_foreign_keys_are_enforced(database: Database) -> None:
    with pytest.raises(IntegrityError):
        async with database.session() as session, session.begin():
            session.add(
                MemberRecord(
                    matrix_id="@a:avz.test",
                    display_name="A",
                    organisation_code="no-such-org",
                    active=True,
                )
            )


async def test_ping(database: Database) -> None:
    assert await database.ping() is True


async def test_ping_reports_an_unreachable_database(tmp_path: Path) -> None:
    missing_dir = Database(sqlite_url_for(tmp_path / "missing" / "db.sqlite3"))
    closed_port = Database("postgresql+asyncpg://postgres@127.0.0.1:1/nothing")
    try:
        assert await missing_dir.ping() is False
        assert await closed_port.ping(timeout=5) is False
    finally:
        await missing_dir.dispose()
        await closed_port.dispose()


async def test_sqlite_connection_settings(tmp_path: Path) -> None:
    database = Database(sqlite_url_for(tmp_path / "pragmas.sqlite3"))
    try:
        async with database.engine.connect() as connection:

            async def pragma(name: str) -> object:
                return (await connection.exec_driver_sql(f"PRAGMA {name}")).scalar()

            assert await pragma("foreign_keys") == 1
            assert await pragma("journal_mode") == "wal"
            assert await pragma("busy_timeout") == SQLITE_BUSY_TIMEOUT_MS
    finally:
        await database.dispose()


async def test_sqlite_url_for_handles_awkward_paths(tmp_path: Path) -> None:
    path = tmp_path / "with space #1 ?x=y" / "avz.sqlite3"
    path.parent.mkdir()
    url = sqlite_url_for(path)
    assert url.startswith("sqlite+aiosqlite:///")
    assert make_url(url).database == str(path)
    database = Database(url)
    try:
        await database.upgrade()
        await database.check_schema()
    finally:
        await database.dispose()
    assert path.exists()


def test_database_rejects_unsupported_configurations(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unsupported database"):
        Database("mysql+aiomysql://user@localhost/db")
    with pytest.raises(ValueError, match="PostgreSQL"):
        Database(sqlite_url_for(tmp_path / "x.sqlite3"), schema="other")
