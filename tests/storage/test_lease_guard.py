"""The lease drives the acting guard: one holder acts, a cut-off holder stops acting
before anyone else may take over, and a clean shutdown hands over at once."""

from __future__ import annotations

import asyncio
import time

from avz_bot.acting import ActingGuard
from avz_bot.clock import SystemClock
from avz_bot.lease import Lease
from avz_bot.metrics import BotMetrics
from avz_bot.settings_sections.standby import StandbySettings
from storage.db import Database

LEASE = 3.0


def _lease(database: Database, name: str) -> tuple[Lease, ActingGuard]:
    guard = ActingGuard()
    settings = StandbySettings(enabled=True, lease_seconds=LEASE, instance_name=name)
    return Lease(database, settings, guard, SystemClock(), BotMetrics()), guard


async def test_one_acts_the_other_waits_and_takes_over_after_release(database: Database) -> None:
    first, first_guard = _lease(database, "a")
    second, second_guard = _lease(database, "b")
    assert not first_guard.acting() and first_guard.role == "standby"
    stop = asyncio.Event()
    assert await first.acquire(stop)
    assert first_guard.acting() and first_guard.role == "active"
    waiting = asyncio.create_task(second.acquire(stop))
    await asyncio.sleep(LEASE / 3 + 0.3)
    assert not waiting.done() and not second_guard.acting()
    await first.release()
    assert not first_guard.acting()
    assert await asyncio.wait_for(waiting, timeout=LEASE)
    assert second_guard.acting()


async def test_a_holder_cut_off_stops_acting_before_the_lease_is_stale(
    database: Database,
) -> None:
    lease, guard = _lease(database, "a")
    stop = asyncio.Event()
    assert await lease.acquire(stop)
    taken_at = time.monotonic()
    keeping = asyncio.create_task(lease.keep(stop))

    # The database goes away: every renewal fails from now on.
    async def broken(*_args: object, **_kwargs: object) -> bool:
        raise ConnectionError("database unreachable")

    lease._take = broken  # type: ignore[method-assign]
    await asyncio.wait_for(keeping, timeout=LEASE * 2)
    assert lease.lost and stop.is_set() and not guard.acting()
    # It has stopped acting (half a lease after its last renewal began) while the row is
    # not yet stale for the others (a whole lease after that renewal).
    other, other_guard = _lease(database, "b")
    if time.monotonic() < taken_at + LEASE - 0.5:
        assert not await other._take()
    await asyncio.sleep(max(0.0, taken_at + LEASE + 0.2 - time.monotonic()))
    assert await other._take() and other_guard.acting()
    assert not guard.acting()
