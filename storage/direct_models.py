"""Tables of the bot's direct chats with members, and of direct messages waiting for a
join (migrations ``0010`` and ``0012``; see ``storage.base`` for the conventions)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Integer, String
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import MATRIX_ID_LENGTH, Base
from storage.types import JSONText, UTCDateTime


class DirectChatRecord(Base):
    """The bot's direct chat with one member (see ``avz_bot.services.direct``).

    ``room_id`` is empty until the room exists; ``joined`` says whether the member has
    joined it — only then can they decrypt what the bot sends, so messages wait in
    ``direct_pending`` until that moment.
    """

    __tablename__ = "direct_chats"

    user_id: Mapped[str] = mapped_column(String(MATRIX_ID_LENGTH), primary_key=True)
    room_id: Mapped[str | None] = mapped_column(String(MATRIX_ID_LENGTH), unique=True)
    joined: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DirectPendingRecord(Base):
    """A direct message waiting until its recipient has joined their direct chat."""

    __tablename__ = "direct_pending"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(String(MATRIX_ID_LENGTH), index=True)
    # The outbox transaction id it will be sent with (unique: queuing twice is a no-op).
    txn_id: Mapped[str] = mapped_column(String(MATRIX_ID_LENGTH), unique=True)
    content: Mapped[dict[str, Any]] = mapped_column(JSONText())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The outbox lane it goes to when released (0012): that of the unit of work that sent it.
    lane: Mapped[int] = mapped_column(Integer, server_default=sql_text("0"))
