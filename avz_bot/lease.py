"""The warm standby's lease: exactly one ``avz-bot run`` process acts.

Following Synapse's ``LockStore`` (``synapse/storage/databases/main/lock.py``, table
``worker_locks``): one row (``storage.lease_repositories``) taken by a conditional upsert;
the holder renews it every ``lease_seconds / 3``; a row not renewed for ``lease_seconds``
may be taken by another process. Validity is checked before each side effect through
``ActingGuard`` (``avz_bot.acting``): after a renewal that *began* at monotonic time ``t``
the holder may act until ``t + lease_seconds / 2``, so a holder cut off from the database
stops acting before the row becomes stale for the others (with host clocks within
``lease_seconds / 2`` of each other, as NTP keeps them).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from datetime import timedelta

from avz_bot.acting import ActingGuard
from avz_bot.clock import Clock
from avz_bot.logs import get_logger
from avz_bot.metrics import BotMetrics
from avz_bot.settings_sections.standby import StandbySettings
from storage.db import Database
from storage.lease_repositories import LeaseRepository

log = get_logger(__name__)

#: The one lease of a bot account.
LEASE_NAME = "avz-bot"


class Lease:
    """Takes, renews and releases the lease; drives the ``ActingGuard``."""

    def __init__(
        self,
        database: Database,
        settings: StandbySettings,
        guard: ActingGuard,
        clock: Clock,
        metrics: BotMetrics,
    ) -> None:
        self._db = database
        self._guard = guard
        self._clock = clock
        self._metrics = metrics
        self._length = timedelta(seconds=settings.lease_seconds)
        self._renew_every = settings.lease_seconds / 3
        self.holder = f"{settings.instance_name}:{os.getpid()}"
        #: Set when the lease was lost while held (the process then stops).
        self.lost = False
        guard.stand_by()
        self._show_role()

    def _show_role(self) -> None:
        for role in ("active", "standby"):
            self._metrics.role.labels(role).set(1 if self._guard.role == role else 0)

    async def _take(self, limit: float | None = None) -> bool:
        """One attempt to take or renew; True if held. Bounded by the renewal interval
        (or ``limit`` seconds, if shorter: the time the holder may still act)."""
        began = time.monotonic()
        now = self._clock.now()
        bound = self._renew_every if limit is None else min(self._renew_every, limit)
        async with asyncio.timeout(max(bound, 0.0)):
            async with self._db.session() as session, session.begin():
                held = await LeaseRepository(session).take(
                    LEASE_NAME, self.holder, now, now - self._length
                )
        if held:
            self._guard.hold_until(began + self._length.total_seconds() / 2)
            self._show_role()
        return held

    async def acquire(self, stop: asyncio.Event) -> bool:
        """Wait until this process holds the lease (True) or ``stop`` is set (False)."""
        log.info("standby: waiting for the lease", extra={"holder": self.holder})
        while not stop.is_set():
            try:
                if await self._take():
                    log.info("lease taken: this process is active", extra={"holder": self.holder})
                    return True
            except Exception as exc:  # database away or slow: try again
                log.warning("lease attempt failed", extra={"error_type": type(exc).__name__})
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self._renew_every)
        return False

    async def keep(self, stop: asyncio.Event) -> None:
        """Renew until ``stop``; on loss stop acting at once and set ``stop``.

        A renewal that fails (database away) is retried until the guard's deadline;
        each attempt and each pause ends by then, so the loss is noticed (and logged)
        when acting stops, before the lease is stale for the others.
        """
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                pause = min(self._renew_every, max(self._guard.remaining(), 0.0))
                await asyncio.wait_for(stop.wait(), timeout=pause)
            if stop.is_set():
                return
            try:
                held = await self._take(self._guard.remaining())
            except Exception as exc:
                log.warning("lease renewal failed", extra={"error_type": type(exc).__name__})
                held = self._guard.acting()  # still valid for a while: try again
            if not held:
                self._guard.stand_by()
                self._show_role()
                self.lost = True
                log.error("lease lost: this process stops acting", extra={"holder": self.holder})
                stop.set()
                return

    async def release(self) -> None:
        """Give the lease up (a clean shutdown): the standby takes over without waiting."""
        was_active = self._guard.role == "active" and not self.lost
        self._guard.stand_by()
        self._show_role()
        if not was_active:
            return
        try:
            async with asyncio.timeout(5), self._db.session() as session, session.begin():
                await LeaseRepository(session).release(LEASE_NAME, self.holder)
        except Exception as exc:  # it goes stale by itself
            log.warning("lease release failed", extra={"error_type": type(exc).__name__})
