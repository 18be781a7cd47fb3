"""``UTCDateTime`` and ``JSONText``: aware UTC in, aware UTC out, on both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import StatementError

from storage.db import Database
from storage.runtime_models import ProcessedEventRecord
from storage.runtime_repositories import PendingEncryptedRepository, SyncStateRepository
from storage.types import JSONText, UTCDateTime

INDIA = timezone(timedelta(hours=5, minutes=30))
NEW_YORK_WINTER = timezone(timedelta(hours=-5))


def make_dialect(name: str) -> sa.Dialect:
    """A dialect object without a database behind it."""
    return sa.create_mock_engine(f"{name}://", executor=lambda *_: None).dialect


@pytest.mark.parametrize(
    "dialect", [make_dialect("sqlite"), make_dialect("postgresql")], ids=["sqlite", "pg"]
)
def test_utc_datetime_refuses_naive_values(dialect: sa.Dialect) -> None:
    with pytest.raises(ValueError, match="naive"):
        UTCDateTime().process_bind_param(datetime(2025, 1, 1, 12, 0), dialect)
    with pytest.raises(TypeError):
        UTCDateTime().process_bind_param("2025-01-01T12:00:00Z", dialect)  # type: ignore[arg-type]


def test_utc_datetime_binds_utc() -> None:
    local = datetime(2025, 6, 1, 17, 30, tzinfo=INDIA)
    stored = UTCDateTime().process_bind_param(local, make_dialect("sqlite"))
    # SQLite gets the UTC wall time without an offset (it would drop it anyway).
    assert stored == datetime(2025, 6, 1, 12, 0)
    assert stored is not None and stored.tzinfo is None
    pg = UTCDateTime().process_bind_param(local, make_dialect("postgresql"))
    assert pg == local and pg is not None and pg.utcoffset() == timedelta(0)


async def test_naive_datetime_is_refused_by_the_database_layer(database: Database) -> None:
    async with database.session() as session:
        with pytest.raises(StatementError) as caught:
            await SyncStateRepository(session).set("k", "v", datetime(2025, 1, 1, 12, 0))
        assert isinstance(caught.value.orig, ValueError)


@pytest.mark.parametrize(
    "written",
    [
        datetime(2025, 3, 30, 1, 59, 59, 999999, tzinfo=UTC),
        datetime(2025, 6, 1, 17, 30, 0, 123456, tzinfo=INDIA),
        datetime(2025, 12, 31, 23, 0, 0, 1, tzinfo=NEW_YORK_WINTER),
    ],
    ids=["utc", "plus-0530", "minus-0500"],
)
async def test_aware_datetimes_round_trip_as_the_same_instant_in_utc(
    database: Database, written: datetime
) -> None:
    async with database.session() as session, session.begin():
        session.add(
            ProcessedEventRecord(
                event_id="$e", room_id="!r", sender="@s:x", outcome="ok", processed_at=written
            )
        )
    async with database.session() as session:
        read = await session.scalar(sa.select(ProcessedEventRecord.processed_at))
    assert read is not None
    assert read == written  # the same instant
    assert read.tzinfo is UTC  # ... expressed in UTC
    assert read.replace(tzinfo=None) == written.astimezone(UTC).replace(tzinfo=None)


async def test_comparisons_in_sql_use_the_instant_not_the_wall_time(database: Database) -> None:
    # 10:00 at +05:30 is 04:30 UTC, earlier than 06:00 UTC although its wall time is later.
    early_but_late_looking = datetime(2025, 6, 1, 10, 0, tzinfo=INDIA)
    later = datetime(2025, 6, 1, 6, 0, tzinfo=UTC)
    async with database.session() as session, session.begin():
        repo = PendingEncryptedRepository(session)
        for event_id, seen in (("$later", later), ("$early", early_but_late_looking)):
            await repo.add(
                event_id=event_id,
                room_id="!r",
                sender="@s:x",
                session_id="sess",
                sender_key="key",
                source={"type": "m.room.encrypted", "content": {"ciphertext": "..."}},
                first_seen_at=seen,
            )
        due = await repo.due_for_explanation(datetime(2025, 6, 1, 5, 0, tzinfo=UTC))
        assert [row.event_id for row in due] == ["$early"]
        ordered = await repo.for_session("sess")
        assert [row.event_id for row in ordered] == ["$early", "$later"]


def test_json_text_round_trip_and_validation() -> None:
    column = JSONText()
    dialect = make_dialect("sqlite")
    stored = column.process_bind_param({"b": "één", "a": [1, None, True]}, dialect)
    assert stored == '{"a":[1,null,true],"b":"één"}'
    assert column.process_result_value(stored, dialect) == {"a": [1, None, True], "b": "één"}
    with pytest.raises(TypeError):
        column.process_bind_param(["not", "an", "object"], dialect)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        column.process_bind_param({"x": float("nan")}, dialect)
    with pytest.raises(ValueError):
        column.process_result_value("[1, 2]", dialect)
