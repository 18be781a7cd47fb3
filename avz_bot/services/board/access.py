"""Ways into the board: single-use links from ``!overzicht``, and sessions.

A link token and a session id are 256-bit random secrets (``secrets.token_urlsafe``);
only their SHA-256 is stored (``storage.board_repositories``). A link works once and
only until it expires; a session ends ``session_minutes`` after sign-in.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.settings_sections.board import BoardSettings
from storage.board_repositories import BoardAccessRepository

#: How a session began (kept with it).
ORIGIN_LINK = "link"
ORIGIN_WIDGET = "widget"


def digest(secret: str) -> str:
    """The stored form of a link token or session id (hex SHA-256)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class BoardAccess:
    """Links and sessions in one transaction."""

    def __init__(self, session: AsyncSession, now: datetime, settings: BoardSettings) -> None:
        self._repository = BoardAccessRepository(session)
        self._now = now
        self._settings = settings

    async def new_link(self, user_id: str) -> str:
        """A fresh single-use token for ``user_id`` (returned once, stored hashed)."""
        token = secrets.token_urlsafe(32)
        expires = self._now + timedelta(minutes=self._settings.link_minutes)
        await self._repository.add_link(digest(token), user_id, self._now, expires)
        return token

    async def redeem(self, token: str) -> str | None:
        """The user of a valid, unused link (now used), or None."""
        if not token or len(token) > 100:
            return None
        return await self._repository.redeem_link(digest(token), self._now)

    async def open_session(self, user_id: str, origin: str) -> str:
        """A new session id for ``user_id`` (returned once, stored hashed)."""
        await self._repository.purge(self._now)
        session_id = secrets.token_urlsafe(32)
        expires = self._now + timedelta(minutes=self._settings.session_minutes)
        await self._repository.add_session(digest(session_id), user_id, origin, self._now, expires)
        return session_id

    async def reader(self, session_id: str | None) -> str | None:
        """The user of a live session, or None."""
        if not session_id or len(session_id) > 100:
            return None
        return await self._repository.session_user(digest(session_id), self._now)
