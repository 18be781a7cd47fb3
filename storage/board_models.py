"""Tables of the case board's ways in (migration ``0017``; see ``storage.base``).

Only hashes are kept: a link token or a session cookie is a bearer secret, so the
database holds ``sha256(secret)`` (hex) and never the secret itself. Nothing here names a
client; ``user_id`` is the professional the link or session is bound to.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import MATRIX_ID_LENGTH, Base
from storage.types import UTCDateTime

#: Length of a hex SHA-256 digest.
HASH_LENGTH = 64


class BoardLinkRecord(Base):
    """A single-use login link sent by ``!overzicht`` (used or expired: refused)."""

    __tablename__ = "board_links"

    token_hash: Mapped[str] = mapped_column(String(HASH_LENGTH), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(MATRIX_ID_LENGTH), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class BoardSessionRecord(Base):
    """A board session (a cookie), bound to one user, with an absolute expiry."""

    __tablename__ = "board_sessions"

    session_hash: Mapped[str] = mapped_column(String(HASH_LENGTH), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(MATRIX_ID_LENGTH), index=True)
    #: ``link`` (from a direct-chat link) or ``widget`` (from a verified OpenID token).
    origin: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
