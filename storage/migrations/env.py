"""Alembic environment of avz-bot, configured from code (there is no ``alembic.ini``).

Normally ``storage.db.Database.upgrade()`` runs the migrations: it opens a connection
on its async engine, starts the transaction, and passes the synchronous face of that
connection in ``config.attributes["connection"]`` (via ``AsyncConnection.run_sync``).

For writing a new migration, the same environment can be driven with a URL instead::

    from alembic import command
    from alembic.config import Config
    cfg = Config()
    cfg.set_main_option("script_location", "storage/migrations")
    cfg.attributes["url"] = "sqlite+aiosqlite:////tmp/avz-dev.sqlite3"
    command.revision(cfg, "what changed", autogenerate=True)

Autogenerate output is only a draft: migrations are reviewed and kept by hand, and
must run on SQLite (batch mode) and PostgreSQL.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from storage import models  # noqa: F401  (registers every table on Base.metadata)
from storage.base import Base

config = context.config
target_metadata = Base.metadata


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode recreates the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        compare_server_default=True,
    )


def _run_on(connection: Connection) -> None:
    _configure(connection)
    # A no-op when the caller (``Database.upgrade``) already owns the transaction.
    with context.begin_transaction():
        context.run_migrations()


async def _run_with_url(url: str) -> None:
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run_on)
            await connection.commit()
    finally:
        await engine.dispose()


def _run_offline(url: str) -> None:
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=url.startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()


def _main() -> None:
    connection = config.attributes.get("connection")
    if isinstance(connection, Connection):
        _run_on(connection)
        return
    url = config.attributes.get("url") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError(
            "avz-bot migrations need a connection (config.attributes['connection']) "
            "or a URL (config.attributes['url']); use `avz-bot db upgrade`"
        )
    if context.is_offline_mode():
        _run_offline(str(url))
    else:
        asyncio.run(_run_with_url(str(url)))


_main()
