"""The database handle: engine, sessions, health check and schema migrations.

One ``Database`` is created by the composition root and passed to whoever needs it
(no module-level engine). Sessions do not commit by themselves: the service layer
owns every transaction (``async with db.session() as s, s.begin(): ...``).
"""

from __future__ import annotations

import asyncio
from functools import partial
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event, text
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry

from storage import sqlite_driver

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

#: How long an SQLite connection waits for another writer before giving up. The bot's
#: sync loop and its scheduler use separate sessions that may write at the same time.
SQLITE_BUSY_TIMEOUT_MS = 15_000

#: Key of the PostgreSQL advisory lock held while migrating, so two processes that run
#: ``avz-bot db upgrade`` at the same time apply each migration once (the second waits).
_PG_MIGRATION_LOCK_KEY = 0x61767A626F74  # "avzbot"

UPGRADE_HINT = "run `avz-bot db upgrade`"


class SchemaMismatchError(Exception):
    """The database schema is not the one this version of avz-bot was built for."""

    def __init__(self, current: str | None, head: str, *, known: bool = True) -> None:
        self.current = current
        self.head = head
        if current is None:
            message = (
                f"database schema is empty (no avz-bot tables) but this version of avz-bot "
                f"needs revision {head}; {UPGRADE_HINT}"
            )
        elif known:
            message = (
                f"database schema is at {current} but this version of avz-bot needs {head}; "
                f"{UPGRADE_HINT}"
            )
        else:
            message = (
                f"database schema is at {current}, a revision this version of avz-bot does "
                f"not know (probably written by a newer avz-bot); this version needs {head}. "
                "Run the newer avz-bot, or restore a backup that matches this version"
            )
        super().__init__(message)


def sqlite_url_for(path: Path) -> str:
    """The SQLAlchemy URL of the SQLite database file at ``path`` (made absolute)."""
    url = URL.create("sqlite+aiosqlite", database=str(path.expanduser().resolve()))
    return url.render_as_string(hide_password=False)


def _on_sqlite_connect(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    # Known limit, kept on purpose: the sqlite3 module's legacy transaction mode opens
    # the transaction at the first write, so a SAVEPOINT (``begin_nested``) taken before
    # any write commits on release. Repositories therefore use no savepoints on SQLite
    # (SQLite serialises writers anyway). Explicit BEGIN IMMEDIATE would fix that but
    # makes concurrent read-then-write transactions wait for each other's whole life.
    # SQLite leaves foreign keys off unless asked, per connection. WAL lets readers run
    # while one session writes, and busy_timeout makes a second writer wait for the lock
    # instead of failing at once with "database is locked".
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    finally:
        cursor.close()


def _alembic_config() -> Config:
    cfg = Config()
    # ConfigParser interpolation: a "%" in the install path must be doubled.
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    return cfg


def _current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


class Database:
    """An async SQLAlchemy engine plus everything needed to use and migrate it.

    ``url`` is an async SQLAlchemy URL: ``sqlite+aiosqlite:///...`` (see
    ``sqlite_url_for``) or ``postgresql+asyncpg://user@host:5432/db``.

    ``schema`` (PostgreSQL only) puts every table, including Alembic's version table,
    into that existing schema by setting the connection's ``search_path``. It exists so
    that tests can run side by side in one database; deployments leave it ``None``.
    """

    def __init__(self, url: str, *, echo: bool = False, schema: str | None = None) -> None:
        parsed = make_url(url)
        self._backend = parsed.get_backend_name()
        options: dict[str, Any] = {"echo": echo}
        if self._backend == "sqlite":
            if schema is not None:
                raise ValueError("Database(schema=...) is only supported on PostgreSQL")
            path = parsed.database
            if path and path != ":memory:":
                # One hand-off to aiosqlite's thread per statement (storage.sqlite_driver).
                options["async_creator"] = partial(sqlite_driver.connect, path)
        elif self._backend == "postgresql":
            server_settings = {"application_name": "avz-bot"}
            if schema is not None:
                server_settings["search_path"] = schema
            options["connect_args"] = {"server_settings": server_settings}
            # A long-running bot outlives server restarts. No ``pool_pre_ping`` (a round
            # trip at every checkout, three per command): a pooled connection the server
            # dropped fails on first use with a disconnect, SQLAlchemy then discards the
            # pool, and ``is_database_unavailable`` makes the caller wait and repeat the
            # work (the sync loop replays its batch exactly once, the scheduler and the
            # outbox retry) — see tests/e2e/test_outages.py.
        else:
            raise ValueError(
                f"unsupported database {self._backend!r}: use sqlite+aiosqlite or "
                "postgresql+asyncpg"
            )
        self._engine = create_async_engine(parsed, **options)
        if self._backend == "sqlite":
            event.listen(self._engine.sync_engine, "connect", _on_sqlite_connect)
        self._sessions = async_sessionmaker(self._engine, expire_on_commit=False)
        # One-statement work runs on a plain connection, without an ORM session around
        # it (profiled: the session's set-up and tear-down cost about as much as the
        # statement). On PostgreSQL in autocommit, without BEGIN/COMMIT round trips
        # (asyncpg's autocommit sends no SQL to switch). SQLite reads outside a
        # transaction already, and its driver skips empty commits/rollbacks.
        self._one_statement_engine = (
            self._engine.execution_options(isolation_level="AUTOCOMMIT")
            if self._backend == "postgresql"
            else self._engine
        )
        # On an SQLite file: a small pool of its own whose connections are in sqlite3's
        # autocommit mode from the start (switching a pooled connection back and forth
        # would cost two hand-offs to the database thread per use): a write then commits
        # with its statement, one hand-off instead of two (statement, COMMIT).
        self._autocommit_engine: AsyncEngine | None = None
        if "async_creator" in options:
            path = parsed.database
            assert path is not None
            self._autocommit_engine = create_async_engine(
                parsed,
                echo=echo,
                async_creator=partial(sqlite_driver.connect, path, isolation_level=None),
                pool_size=2,
            )
            event.listen(self._autocommit_engine.sync_engine, "connect", _on_sqlite_connect)
            self._one_statement_engine = self._autocommit_engine

    @property
    def engine(self) -> AsyncEngine:
        """The underlying async engine."""
        return self._engine

    @property
    def engines(self) -> tuple[AsyncEngine, ...]:
        """Every engine this database sends statements through: the main one and, on an
        SQLite file, the outbox's autocommit pool (for instrumentation such as counting
        the statements of a command)."""
        extra = () if self._autocommit_engine is None else (self._autocommit_engine,)
        return (self._engine, *extra)

    @property
    def backend(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self._backend

    def session(self) -> AsyncSession:
        """A new session; use it as ``async with db.session() as s, s.begin(): ...``.

        Objects stay usable after commit (``expire_on_commit=False``): under asyncio an
        expired attribute could not be reloaded implicitly.
        """
        return self._sessions()

    def connection(self) -> AsyncConnection:
        """A connection for a transaction of Core statements; use it as ``async with
        db.connection() as c, c.begin(): ...``. The inbound path runs a command on one
        (``avz_bot.runtime.units.LazySession`` adds an ORM session only when needed)."""
        return self._engine.connect()

    def one_statement_session(self) -> AsyncConnection:
        """A connection for work that is ONE statement (a read, or a single conditional
        update); use it like :meth:`session`, with ``begin()`` for a write. No ORM
        session: only for repositories whose statements are Core statements (the
        outbox's ready read and mark-sent). On PostgreSQL the statement commits by
        itself, saving the BEGIN and COMMIT/ROLLBACK round trips a transaction would
        add; on SQLite it is an ordinary connection. Never for several statements that
        must stand or fall together.
        """
        return self._one_statement_engine.connect()

    async def ping(self, timeout: float = 5.0) -> bool:
        """Whether the database answers a trivial query within ``timeout`` seconds."""
        try:
            async with asyncio.timeout(timeout), self._engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except (SQLAlchemyError, OSError, TimeoutError):
            return False
        return True

    async def current_revision(self) -> str | None:
        """The migration revision the database is at (``None``: never migrated)."""
        async with self._engine.connect() as connection:
            return await connection.run_sync(_current_revision)

    def head_revision(self) -> str:
        """The newest migration revision shipped with this code."""
        head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
        if head is None:
            raise RuntimeError(f"no migrations found in {MIGRATIONS_DIR}")
        return head

    def _is_known(self, revision: str) -> bool:
        script = ScriptDirectory.from_config(_alembic_config())
        return any(rev.revision == revision for rev in script.walk_revisions())

    async def check_schema(self) -> None:
        """Raise ``SchemaMismatchError`` unless the database is exactly at the head revision."""
        current = await self.current_revision()
        head = self.head_revision()
        if current == head:
            return
        known = current is None or self._is_known(current)
        raise SchemaMismatchError(current, head, known=known)

    async def upgrade(self) -> None:
        """Migrate the database to the head revision (a no-op when it is already there).

        All pending migrations run in one transaction: on failure nothing is applied.
        Raises ``SchemaMismatchError`` when the database is at a revision this code does
        not know (it was migrated by a newer avz-bot).
        """
        current = await self.current_revision()
        if current is not None and not self._is_known(current):
            raise SchemaMismatchError(current, self.head_revision(), known=False)
        async with self._engine.connect() as connection:
            if self._backend == "sqlite":
                await self._upgrade_sqlite(connection)
            else:
                await connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK_KEY}
                )
                await connection.run_sync(self._run_migrations)
                await connection.commit()

    async def _upgrade_sqlite(self, connection: AsyncConnection) -> None:
        # SQLite's documented procedure for schema changes: foreign keys off (it cannot
        # be changed inside a transaction), one explicit transaction, check the foreign
        # keys, commit. The Python driver does not BEGIN before DDL by itself, so without
        # the explicit BEGIN a failed migration would be half applied; IMMEDIATE also
        # makes a concurrent upgrade wait instead of interleaving.
        await connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        try:
            await connection.exec_driver_sql("BEGIN IMMEDIATE")
            try:
                await connection.run_sync(self._run_migrations)
                problems = (await connection.exec_driver_sql("PRAGMA foreign_key_check")).all()
                if problems:
                    raise RuntimeError(
                        f"migration left {len(problems)} foreign key violation(s); rolled back"
                    )
            except BaseException:
                await connection.rollback()
                raise
            await connection.commit()
        finally:
            # The connection goes back to the pool: restore what every connection has.
            await connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            await connection.commit()

    @staticmethod
    def _run_migrations(connection: Connection) -> None:
        cfg = _alembic_config()
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")

    async def dispose(self) -> None:
        """Close every pooled connection (call once, at shutdown)."""
        await self._engine.dispose()
        if self._autocommit_engine is not None:
            await self._autocommit_engine.dispose()


#: SQLSTATE classes/codes of PostgreSQL errors that mean "try again later": connection
#: exceptions (08…), operator intervention — admin/crash shutdown, cannot connect now
#: (57P…) — insufficient resources (53…), serialization failure and deadlock (40001,
#: 40P01). See https://www.postgresql.org/docs/current/errcodes-appendix.html.
_TEMPORARY_SQLSTATE_PREFIXES = ("08", "57P", "53", "40001", "40P01")
#: SQLite conditions that pass: another writer holds the lock beyond the busy timeout.
_TEMPORARY_SQLITE_WORDS = ("database is locked", "database is busy", "database table is locked")


def is_database_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` means the database is (temporarily) unreachable or locked.

    True for: a refused/reset/timed-out connection (``OSError``, ``TimeoutError``),
    a connection SQLAlchemy found invalidated, PostgreSQL errors of the SQLSTATE
    classes above, and SQLite "database is locked/busy". False for everything else
    (a schema mismatch, a constraint violation, a bug): those must not be retried
    forever. Follows ``__cause__``/``__context__`` and SQLAlchemy's ``orig``.

    Used by the sync loop, the scheduler and the outbox to wait instead of crashing.
    The exception's text is only inspected for SQLite's fixed phrases, never logged.
    """
    from sqlalchemy import exc as sa_exc

    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, OSError | TimeoutError | sa_exc.TimeoutError):
            return True
        if isinstance(current, sa_exc.DBAPIError) and current.connection_invalidated:
            return True
        sqlstate = getattr(current, "sqlstate", None) or getattr(current, "pgcode", None)
        if isinstance(sqlstate, str) and sqlstate.startswith(_TEMPORARY_SQLSTATE_PREFIXES):
            return True
        name = type(current).__name__
        # asyncpg's "connection was closed in the middle of operation" and friends.
        if name in {
            "ConnectionDoesNotExistError",
            "CannotConnectNowError",
            "ConnectionFailureError",
        }:
            return True
        if name == "OperationalError" and any(
            word in str(current).lower() for word in _TEMPORARY_SQLITE_WORDS
        ):
            return True
        pending.extend([current.__cause__, current.__context__, getattr(current, "orig", None)])
    return False
