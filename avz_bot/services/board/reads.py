"""The board's one way to log a page view as a read (issue 22's access log).

Every board page calls :func:`record_read` once, with what the page shows; it writes one
entry through :class:`avz_bot.services.access_log.AccessLog` (hash-chained, append-only)
in the page's own transaction, so a page that fails logs nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.domain.partners import Member
from avz_bot.services.access_log import AccessLog, Shown, member_role


async def record_read(
    session: AsyncSession,
    now: datetime,
    reader: Member,
    page: str,
    shown: Sequence[Shown],
    role: str | None = None,
) -> None:
    """Log that ``reader`` saw ``shown`` on board page ``page`` (``board.overview``,
    ``board.case``); ``role`` is their role for it (default: their network roles)."""
    await AccessLog(session, now).record(
        reader=reader.matrix_id,
        organisation=reader.organisation.code,
        role=role or member_role(reader),
        command=page,
        shown=list(shown),
        room_id=None,
    )
