"""aiosqlite with one hand-off to its thread per statement instead of four.

aiosqlite runs every ``sqlite3`` call on a thread of its own, and SQLAlchemy's asyncio
adapter makes three or four such calls per statement: create a cursor, execute, fetch
the rows, close the cursor. Each call is a hand-off to that thread and back through the
event loop (a queue put, a thread wake-up, ``call_soon_threadsafe``, a loop iteration).
Profiled on the benchmark, those hand-offs were the largest share of avz-bot's CPU per
command on SQLite (README, "Benchmark"). The connection here does a whole statement —
cursor, execute, fetch every row, close — in one call on the thread, and gives
SQLAlchemy a cursor that already holds the result. Everything else (commit, rollback,
close, functions) is aiosqlite's own.

Rows are fetched at once, so nothing streams: the bot reads only bounded results
(``avz_bot.lists``; no ``stream()`` anywhere). Relies on aiosqlite's ``_execute`` and
``_conn`` (the version range is pinned in ``pyproject.toml``; the storage tests run
every repository through this driver).
"""

from __future__ import annotations

import sqlite3
from collections import deque
from collections.abc import Iterable, Sequence
from typing import Any

import aiosqlite

#: What a statement leaves behind: description, rows, rowcount, lastrowid.
_Outcome = tuple[Any, list[Any], int, int | None]


class PrefetchedCursor:
    """A cursor whose statement ran, rows and all, in one call on aiosqlite's thread.

    Implements what SQLAlchemy's asyncio adapter uses of an aiosqlite cursor.
    """

    def __init__(self, connection: OneHopConnection) -> None:
        self._connection = connection
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self.arraysize = 1
        self._rows: deque[Any] = deque()

    async def __aenter__(self) -> PrefetchedCursor:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self._rows.clear()

    def _keep(self, outcome: _Outcome) -> PrefetchedCursor:
        self.description, rows, self.rowcount, self.lastrowid = outcome
        self._rows = deque(rows)
        return self

    async def execute(self, sql: str, parameters: Any = None) -> PrefetchedCursor:
        """Run ``sql`` and fetch all its rows (one hand-off)."""
        database = self._connection.sqlite_connection

        def run() -> _Outcome:
            cursor = database().cursor()
            try:
                if parameters is None:
                    cursor.execute(sql)
                else:
                    cursor.execute(sql, parameters)
                description = cursor.description
                rows = cursor.fetchall() if description else []
                return description, rows, cursor.rowcount, cursor.lastrowid
            finally:
                cursor.close()

        return self._keep(await self._connection.on_thread(run))

    async def executemany(self, sql: str, parameters: Iterable[Any]) -> PrefetchedCursor:
        """Run ``sql`` once per parameter set (one hand-off)."""
        database = self._connection.sqlite_connection

        def run() -> _Outcome:
            cursor = database().cursor()
            try:
                cursor.executemany(sql, parameters)
                return cursor.description, [], cursor.rowcount, cursor.lastrowid
            finally:
                cursor.close()

        return self._keep(await self._connection.on_thread(run))

    async def fetchone(self) -> Any:
        return self._rows.popleft() if self._rows else None

    async def fetchmany(self, size: int | None = None) -> Sequence[Any]:
        count = self.arraysize if size is None else size
        return [self._rows.popleft() for _ in range(min(count, len(self._rows)))]

    async def fetchall(self) -> Sequence[Any]:
        rows = list(self._rows)
        self._rows.clear()
        return rows

    async def close(self) -> None:
        self._rows.clear()


class OneHopConnection(aiosqlite.Connection):
    """An aiosqlite connection whose cursors are ``PrefetchedCursor``."""

    def cursor(self) -> PrefetchedCursor:  # type: ignore[override]
        """A cursor; creating it costs no hand-off (the statement creates the real one)."""
        return PrefetchedCursor(self)

    async def rollback(self) -> None:
        """Roll back; no hand-off when no transaction is open (SQLAlchemy's pool rolls
        back every connection it gets back, mostly after a commit or a read)."""
        connection = self._connection
        if connection is not None and not connection.in_transaction:
            return
        await super().rollback()

    async def commit(self) -> None:
        """Commit; no hand-off when no transaction is open (a read-only unit of work)."""
        connection = self._connection
        if connection is not None and not connection.in_transaction:
            return
        await super().commit()

    def sqlite_connection(self) -> sqlite3.Connection:
        """The ``sqlite3`` connection (use it on aiosqlite's thread only)."""
        return self._conn

    async def on_thread(self, function: Any) -> Any:
        """Run ``function()`` on aiosqlite's thread and return its result."""
        return await self._execute(function)  # type: ignore[no-untyped-call]


async def connect(database: str, **options: Any) -> OneHopConnection:
    """Open ``database`` (a file path) like ``aiosqlite.connect``, with one-hop cursors."""

    def connector() -> sqlite3.Connection:
        connection: sqlite3.Connection = sqlite3.connect(database, **options)
        return connection

    connection = OneHopConnection(connector, 64)
    # Like SQLAlchemy does for aiosqlite's own connections: the thread must not keep
    # the process alive at exit.
    connection._thread.daemon = True
    await connection
    return connection
