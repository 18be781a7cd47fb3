"""The append-only audit trail."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from storage.audit_repositories import AuditEntry, AuditRepository
from storage.db import Database

T0 = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)


async def _append(database: Database, **fields: Any) -> None:
    values: dict[str, Any] = {"actor": "@anna:avz.test", "actor_org": "politie"}
    values.update(fields)
    async with database.session() as session, session.begin():
        await AuditRepository(session).append(**values)


async def _list(database: Database, **filters: Any) -> list[AuditEntry]:
    async with database.session() as session:
        return await AuditRepository(session).list(**filters)


async def test_entries_round_trip(database: Database) -> None:
    await _append(
        database,
        occurred_at=T0,
        action="case.created",
        room_id="!casus:avz.test",
        entity_type="case",
        entity_id="12",
        details={"priority": 2, "urgent": True, "category": "huiselijk geweld", "ref": None},
    )
    await _append(database, occurred_at=T0, actor="bot", actor_org=None, action="room.joined")
    newest, oldest = await _list(database)
    assert newest.action == "room.joined"
    assert (newest.actor, newest.actor_org, newest.room_id, newest.details) == (
        "bot",
        None,
        None,
        {},
    )
    assert oldest == AuditEntry(
        id=oldest.id,
        occurred_at=T0,
        actor="@anna:avz.test",
        actor_org="politie",
        action="case.created",
        room_id="!casus:avz.test",
        entity_type="case",
        entity_id="12",
        details={"priority": 2, "urgent": True, "category": "huiselijk geweld", "ref": None},
    )


async def test_list_is_newest_first_and_filters(database: Database) -> None:
    await _append(database, occurred_at=T0 + timedelta(minutes=1), action="b", room_id="!r1")
    await _append(
        database,
        occurred_at=T0,
        action="a",
        room_id="!r1",
        entity_type="case",
        entity_id="1",
    )
    await _append(
        database,
        occurred_at=T0 + timedelta(minutes=2),
        action="c",
        room_id="!r2",
        entity_type="case",
        entity_id="2",
    )
    await _append(
        database,
        occurred_at=T0 + timedelta(minutes=2),
        action="d",
        room_id="!r2",
        entity_type="case",
        entity_id="1",
    )

    def actions(entries: list[AuditEntry]) -> list[str]:
        return [entry.action for entry in entries]

    # Same instant: the later append comes first.
    assert actions(await _list(database)) == ["d", "c", "b", "a"]
    assert actions(await _list(database, limit=2)) == ["d", "c"]
    assert actions(await _list(database, room_id="!r1")) == ["b", "a"]
    assert actions(await _list(database, entity_type="case")) == ["d", "c", "a"]
    assert actions(await _list(database, entity_type="case", entity_id="1")) == ["d", "a"]
    assert actions(await _list(database, room_id="!r2", entity_id="1")) == ["d"]
    assert await _list(database, room_id="!nowhere") == []


async def test_details_must_be_scalars(database: Database) -> None:
    async with database.session() as session:
        repo = AuditRepository(session)
        with pytest.raises(TypeError, match="body"):
            await repo.append(
                occurred_at=T0,
                actor="@a:x",
                actor_org=None,
                action="x",
                details={"body": {"nested": "message"}},  # type: ignore[dict-item]
            )
        with pytest.raises(ValueError):
            await repo.list(limit=0)
        assert await repo.list() == []


def test_the_audit_trail_cannot_be_changed_through_the_repository() -> None:
    public = {
        name
        for name, _ in inspect.getmembers(AuditRepository, inspect.isfunction)
        if not name.startswith("_")
    }
    assert public == {"append", "list"}
