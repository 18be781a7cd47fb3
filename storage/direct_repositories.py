"""The bot's direct chats with members, and direct messages waiting for a join.

Repositories never commit: the caller's unit of work does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.direct_models import DirectChatRecord, DirectPendingRecord
from storage.sql import _insert_ignore, _rowcount


@dataclass(frozen=True, slots=True)
class DirectChat:
    """A member's direct chat: ``room_id`` None while it is being created."""

    user_id: str
    room_id: str | None
    joined: bool


@dataclass(frozen=True, slots=True)
class PendingDirect:
    """A direct message that waits for its recipient to join (content as for the outbox)."""

    id: int
    user_id: str
    txn_id: str
    content: dict[str, Any]
    #: The outbox lane it is queued in once released (that of the unit that sent it).
    lane: int


class DirectChatRepository:
    """``direct_chats`` and ``direct_pending``."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, user_id: str) -> DirectChat | None:
        """The member's direct chat, if one exists or is being created."""
        row = await self._session.get(DirectChatRecord, user_id, populate_existing=True)
        return None if row is None else DirectChat(row.user_id, row.room_id, row.joined)

    async def by_room(self, room_id: str) -> DirectChat | None:
        """The direct chat held in ``room_id``, if it is one."""
        row = await self._session.scalar(
            select(DirectChatRecord)
            .where(DirectChatRecord.room_id == room_id)
            .execution_options(populate_existing=True)
        )
        return None if row is None else DirectChat(row.user_id, row.room_id, row.joined)

    async def request(self, user_id: str, now: datetime) -> bool:
        """Note that a chat for ``user_id`` is wanted; True if nobody had asked before."""
        stmt = _insert_ignore(
            self._session,
            DirectChatRecord,
            {
                "user_id": user_id,
                "room_id": None,
                "joined": False,
                "created_at": now,
                "updated_at": now,
            },
            ["user_id"],
        )
        return await _rowcount(self._session, stmt) == 1

    async def set_room(self, user_id: str, room_id: str, now: datetime, *, joined: bool) -> None:
        """Bind the member's chat to ``room_id`` (created by the bot, or found in use)."""
        await self.request(user_id, now)
        await _rowcount(
            self._session,
            update(DirectChatRecord)
            .where(DirectChatRecord.user_id == user_id)
            .values(room_id=room_id, joined=joined, updated_at=now),
        )

    async def mark_joined(self, room_id: str, user_id: str, now: datetime) -> bool:
        """The member joined their chat; True if that is news."""
        changed = await _rowcount(
            self._session,
            update(DirectChatRecord)
            .where(
                DirectChatRecord.room_id == room_id,
                DirectChatRecord.user_id == user_id,
                DirectChatRecord.joined.is_(False),
            )
            .values(joined=True, updated_at=now),
        )
        return changed == 1

    async def forget_room(self, room_id: str, now: datetime) -> str | None:
        """The chat in ``room_id`` is gone (the member left): the next direct message
        makes a new one. Returns the member, if it was a direct chat."""
        chat = await self.by_room(room_id)
        if chat is None:
            return None
        await _rowcount(
            self._session,
            update(DirectChatRecord)
            .where(DirectChatRecord.user_id == chat.user_id)
            .values(room_id=None, joined=False, updated_at=now),
        )
        return chat.user_id

    async def hold(
        self, user_id: str, txn_id: str, content: Mapping[str, Any], now: datetime, *, lane: int
    ) -> None:
        """Keep a message until the member has joined (idempotent on ``txn_id``)."""
        values = {
            "user_id": user_id,
            "txn_id": txn_id,
            "content": dict(content),
            "created_at": now,
            "lane": lane,
        }
        await self._session.execute(
            _insert_ignore(self._session, DirectPendingRecord, values, ["txn_id"])
        )

    async def take_pending(self, user_id: str) -> list[PendingDirect]:
        """Remove and return the member's waiting messages, oldest first."""
        rows = list(
            await self._session.scalars(
                select(DirectPendingRecord)
                .where(DirectPendingRecord.user_id == user_id)
                .order_by(DirectPendingRecord.id)
                .execution_options(populate_existing=True)
            )
        )
        if rows:
            await _rowcount(
                self._session,
                delete(DirectPendingRecord).where(
                    DirectPendingRecord.id.in_([row.id for row in rows])
                ),
            )
        return [PendingDirect(r.id, r.user_id, r.txn_id, dict(r.content), r.lane) for r in rows]
