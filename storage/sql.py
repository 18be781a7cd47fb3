"""The rules every repository follows, and the SQL building blocks they share.

Repositories are the only code that reads and writes the tables; each area has its
own ``storage/<area>_repositories.py`` beside its ``storage/<area>_models.py``.

Each repository wraps an ``AsyncSession`` that belongs to the caller. Repositories may
flush but NEVER commit or roll back: the service layer decides what one transaction
is (claim the event, apply the command, append the audit trail and queue the reply,
all or nothing).

Operations that must be safe under concurrency are single atomic statements:
``INSERT ... ON CONFLICT`` for claims and idempotent inserts (a conflict neither
raises nor aborts the caller's transaction), and conditional ``UPDATE ... WHERE
column IS NULL`` for first-time-only flags. Results are returned as frozen
dataclasses or domain objects, never as ORM instances.

The helpers below are private to ``storage`` (hence the underscores): repositories
import them, nothing outside this package does.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast

from sqlalchemy import ColumnElement, Select, Table, func, insert, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.base import ReadOnlyColumnCollection
from sqlalchemy.sql.dml import Insert, UpdateBase
from sqlalchemy.sql.elements import KeyedColumnElement

from storage.base import Base

_Excluded = ReadOnlyColumnCollection[str, KeyedColumnElement[Any]]

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

    _Row = TypeVar("_Row", bound=DataclassInstance)
else:
    _Row = TypeVar("_Row")

#: How often an insert that lost the race for a per-scope number is retried.
NUMBER_RETRIES = 25


def _dialect_insert(session: AsyncSession, entity: type[Base]) -> postgresql.Insert | sqlite.Insert:
    """``INSERT`` of the session's dialect, which knows ``ON CONFLICT``."""
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert(entity)
    if name == "sqlite":
        return sqlite.insert(entity)
    raise NotImplementedError(f"no ON CONFLICT support for database {name!r}")


def _insert_ignore(
    session: AsyncSession, entity: type[Base], values: Mapping[str, Any], key: Sequence[str]
) -> Insert:
    """``INSERT ... ON CONFLICT (key) DO NOTHING``."""
    stmt = _dialect_insert(session, entity).values(**values)
    return stmt.on_conflict_do_nothing(index_elements=list(key))


def _upsert(
    session: AsyncSession,
    entity: type[Base],
    values: Mapping[str, Any],
    key: Sequence[str],
    set_: Callable[[_Excluded], Mapping[str, Any]],
) -> Insert:
    """``INSERT ... ON CONFLICT (key) DO UPDATE SET set_(excluded)``."""
    stmt = _dialect_insert(session, entity).values(**values)
    return stmt.on_conflict_do_update(index_elements=list(key), set_=dict(set_(stmt.excluded)))


async def _rowcount(
    session: AsyncSession | AsyncConnection,
    stmt: UpdateBase,
    params: Mapping[str, Any] | None = None,
) -> int:
    """Execute a DML statement (with ``params`` for its bind parameters) and return how
    many rows it inserted/changed."""
    # No ORM synchronisation: repositories hand out no ORM objects, and reads below use
    # populate_existing, so the identity map cannot serve stale rows.
    result = await session.execute(stmt, params, execution_options={"synchronize_session": False})
    if not isinstance(result, CursorResult):  # pragma: no cover - DML always gives one
        raise TypeError("expected a cursor result from a DML statement")
    return result.rowcount


def _dialect_name(session: AsyncSession | AsyncConnection) -> str:
    """``"sqlite"`` or ``"postgresql"``."""
    if isinstance(session, AsyncConnection):
        return session.dialect.name
    return session.get_bind().dialect.name


def _to_row(cls: type[_Row], record: object) -> _Row:
    """The frozen dataclass ``cls`` filled from the same-named attributes of ``record``."""
    return cls(**{f.name: getattr(record, f.name) for f in dataclasses.fields(cls)})


async def _fetch_rows(session: AsyncSession, cls: type[_Row], stmt: Select[Any]) -> list[_Row]:
    """Run an ORM select of one entity and convert every record to ``cls``."""
    stmt = stmt.execution_options(populate_existing=True)
    return [_to_row(cls, record) for record in await session.scalars(stmt)]


def _numbering_key(session: AsyncSession, table: Table, scope: ColumnElement[bool]) -> str:
    """The advisory-lock key of a numbering scope: the table and the scope's SQL with its
    values (ids, years; hashed by PostgreSQL, never logged)."""
    dialect = session.get_bind().dialect
    try:
        where = str(scope.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    except Exception:  # a value without a literal form: one lock for the whole table
        where = "*"
    return f"number:{table.name}:{where}"


async def _insert_numbered(
    session: AsyncSession,
    entity: type[Base],
    values: Mapping[str, Any],
    *,
    scope: ColumnElement[bool],
    number: InstrumentedAttribute[int],
    constraint: str,
) -> int:
    """Insert one row whose ``number`` is one more than the highest within ``scope``;
    returns the new row's id.

    The number is computed inside the INSERT (``(SELECT coalesce(max(number), 0) + 1
    ...)``) and guarded by the unique constraint ``constraint``. On SQLite the statement
    runs under the database's single write lock, which the transaction then keeps until
    it ends, so it cannot collide (and no SAVEPOINT is used: with the Python driver a
    SAVEPOINT that opens the transaction would commit it on release). On PostgreSQL the
    numbering of one scope (one year's signals, one case's agreements) is serialised by a
    transaction-scoped advisory lock taken just
    before the INSERT: a number stays held until its transaction ends whatever we do, and
    without the lock every waiter retried at once when the holder committed, so under
    sustained concurrent inserts (the signed intake benchmark: six senders) one of them
    could lose 25 rounds in a row and fail. The unique violation is still caught inside a
    SAVEPOINT (so the caller's transaction survives) and retried, as a safety net.
    """
    next_number = select(func.coalesce(func.max(number), 0) + 1).where(scope).scalar_subquery()
    table = cast(Table, entity.__table__)
    stmt = insert(table).values(**values, number=next_number).returning(table.c.id)
    if _dialect_name(session) == "sqlite":
        return int((await session.execute(stmt)).scalar_one())
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
        {"key": _numbering_key(session, table, scope)},
    )
    for attempt in range(NUMBER_RETRIES):
        try:
            async with session.begin_nested():
                return int((await session.execute(stmt)).scalar_one())
        except IntegrityError as exc:
            if attempt == NUMBER_RETRIES - 1 or constraint not in str(exc.orig):
                raise
    raise AssertionError("unreachable")  # pragma: no cover
