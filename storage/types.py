"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that only accepts aware datetimes and always returns aware UTC.

    PostgreSQL stores it as ``timestamptz``. SQLite has no time-zone-aware type and
    silently drops ``tzinfo``, so every value is converted to UTC before it is stored
    and marked as UTC when it is read back; a naive datetime is refused because there
    is no way to know which instant it means.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Check and normalise a value on its way into the database."""
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"UTCDateTime needs a datetime, not {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetime refused: pass a timezone-aware datetime (UTC)")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            # Stored as text; without the offset the stored wall time is UTC by convention,
            # which also keeps lexicographic order equal to chronological order.
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Attach (or normalise to) UTC on the way out."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class JSONText(TypeDecorator[dict[str, Any]]):
    """A JSON object stored as plain text.

    Text rather than ``JSON``/``JSONB``: the bot never queries inside these documents,
    and text behaves identically on every backend (and in migrations).
    """

    impl = Text()
    cache_ok = True

    def process_bind_param(self, value: Mapping[str, Any] | None, dialect: Dialect) -> str | None:
        """Serialise a mapping to compact, deterministic JSON."""
        if value is None:
            return None
        if not isinstance(value, Mapping):
            raise TypeError(f"JSONText needs a mapping, not {type(value).__name__}")
        return json.dumps(
            dict(value), ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
        )

    def process_result_value(self, value: str | None, dialect: Dialect) -> dict[str, Any] | None:
        """Parse the stored JSON object."""
        if value is None:
            return None
        parsed = json.loads(value)
        if not isinstance(parsed, dict):
            raise ValueError("JSONText column does not contain a JSON object")
        return parsed
