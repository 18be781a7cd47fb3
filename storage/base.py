"""The declarative base of every avz-bot table, and the conventions all tables share.

Each area declares its tables, and each table's indexes beside it, in its own
``storage/<area>_models.py``; ``storage/models.py`` imports them all, which registers
them on ``Base.metadata`` (importing the ``storage`` package does that too). This module
imports no model module, so no model module depends on another through it.

Conventions:

* every timestamp is a ``storage.types.UTCDateTime`` (aware UTC in, aware UTC out);
  JSON documents are ``storage.types.JSONText``;
* statuses, kinds and roles are plain strings (the domain layer owns their meaning), so
  a new value needs no migration;
* identifiers use the shared lengths below;
* constraints and indexes have deterministic names (``NAMING_CONVENTION``, or a name
  given explicitly): migrations refer to them by name.

The migrations in ``storage/migrations/versions`` are written by hand to match the
models exactly; ``tests/storage/test_migrations.py`` compares the two with Alembic's
autogenerate.
"""

from __future__ import annotations

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

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
