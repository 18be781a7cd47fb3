"""Job handlers of the signals area: retention (expiry, archive, deletion), the
re-listing of monitored TVO items, and redacting a message with a BSN in a case room."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.services.area import Bind
from avz_bot.services.signals import JOB_REDACT, JOB_RELIST, JOB_RETENTION, SignalService
from storage.outbox_repositories import LANE_BULK
from storage.schedule_repositories import JobRow


class RedactGateway(Protocol):
    """What redacting needs from the Matrix adapter."""

    async def redact(self, room_id: str, event_id: str, reason: str | None) -> None:
        """Redact an event. Raises ``SendError`` when a retry may help."""
        ...


class SignalJobs:
    """Handlers for the ``signals.*`` job kinds (each runs in the job's transaction)."""

    def __init__(self, gateway: RedactGateway, bind: Bind) -> None:
        self._gateway = gateway
        self._bind = bind

    def handlers(self) -> dict[str, Any]:
        """Job kind → handler, for the scheduler."""
        return {
            JOB_RETENTION: self.retention,
            JOB_RELIST: self.relist,
            JOB_REDACT: self.redact,
        }

    async def retention(self, session: AsyncSession, job: JobRow, now: datetime) -> None:
        """Expire, archive or delete one signal when its moment has come (notices bulk)."""
        del now  # the unit of work reads the same clock
        await self._bind(session, lane=LANE_BULK)[SignalService].retention(
            int(job.payload["signal_id"])
        )

    async def relist(self, session: AsyncSession, job: JobRow, now: datetime) -> None:
        """A monitored item is back on its municipality's TVO agenda (notice bulk)."""
        del now
        await self._bind(session, lane=LANE_BULK)[SignalService].relist(
            int(job.payload["signal_id"])
        )

    async def redact(self, session: AsyncSession, job: JobRow, now: datetime) -> None:
        """Redact a message with a BSN-valid number (no reason: it would be unencrypted)."""
        del session, now
        await self._gateway.redact(str(job.payload["room_id"]), str(job.payload["event_id"]), None)
