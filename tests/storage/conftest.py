"""Fixtures for the storage tests: every test runs on SQLite and on PostgreSQL.

PostgreSQL comes from ``AVZ_TEST_POSTGRES_URL`` (default: the local test server). Each
test gets its own schema (``avz_test_<random>``, dropped afterwards), so test runs
can share one database. When PostgreSQL is unreachable those tests are skipped,
unless ``AVZ_REQUIRE_POSTGRES=1`` (as in CI): then that is a failure.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database, sqlite_url_for

DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


@pytest.fixture(scope="session")
async def postgres_url() -> str | None:
    """The PostgreSQL URL if it answers, else None (probed once per test session)."""
    url = os.environ.get("AVZ_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    probe = Database(url)
    try:
        reachable = await probe.ping(timeout=5)
    finally:
        await probe.dispose()
    return url if reachable else None


def _require_postgres(url: str | None) -> str:
    """Skip the current test without PostgreSQL; in CI (``AVZ_REQUIRE_POSTGRES=1``) fail."""
    if url is not None:
        return url
    where = os.environ.get("AVZ_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    message = f"PostgreSQL is not reachable at {where}"
    if os.environ.get("AVZ_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"AVZ_REQUIRE_POSTGRES=1 but {message}", pytrace=False)
    pytest.skip(message)


@asynccontextmanager
async def _postgres_schema(url: str) -> AsyncIterator[str]:
    """A new, empty schema in the test database, dropped on exit."""
    schema = f"avz_test_{uuid.uuid4().hex[:16]}"
    admin = Database(url)
    try:
        async with admin.engine.begin() as connection:
            await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            yield schema
        finally:
            async with admin.engine.begin() as connection:
                await connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        await admin.dispose()


@asynccontextmanager
async def isolated_database(
    backend: str, postgres_url: str | None, directory: Path, name: str
) -> AsyncIterator[Database]:
    """An empty ``Database`` of ``backend`` that nothing else uses."""
    if backend == "sqlite":
        database = Database(sqlite_url_for(directory / f"{name}.sqlite3"))
        try:
            yield database
        finally:
            await database.dispose()
        return
    url = _require_postgres(postgres_url)
    async with _postgres_schema(url) as schema:
        database = Database(url, schema=schema)
        try:
            yield database
        finally:
            await database.dispose()


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ]
)
async def database(
    request: pytest.FixtureRequest, postgres_url: str | None, tmp_path: Path
) -> AsyncIterator[Database]:
    """A migrated, empty database of its own on each backend."""
    async with isolated_database(request.param, postgres_url, tmp_path, "avz") as db:
        await db.upgrade()
        yield db


@pytest.fixture
async def empty_database(
    database: Database, postgres_url: str | None, tmp_path: Path
) -> AsyncIterator[Database]:
    """A second, never migrated database on the same backend as ``database``."""
    async with isolated_database(database.backend, postgres_url, tmp_path, "empty") as db:
        yield db


#: ``race(n, action)``: the type of the ``race`` fixture (test modules repeat this alias,
#: as conftest modules cannot be imported).
Race = Callable[[int, Callable[[AsyncSession], Awaitable[bool]]], Awaitable[list[bool]]]


@pytest.fixture
def race(database: Database) -> Race:
    """Concurrent transactions that all hold a connection before any of them acts.

    Every session first runs a query (so it has its own connection and transaction),
    then waits at a barrier; only then do all of them run ``action`` and commit. A
    check-then-act implementation loses such a race; an atomic statement does not.
    ``n`` must stay below the pool size (5 + 10 overflow) or the barrier never opens.
    """

    async def run(n: int, action: Callable[[AsyncSession], Awaitable[bool]]) -> list[bool]:
        barrier = asyncio.Barrier(n)

        async def one() -> bool:
            async with database.session() as session, session.begin():
                await session.execute(text("SELECT 1"))
                await barrier.wait()
                return await action(session)

        return await asyncio.gather(*(one() for _ in range(n)))

    return run
