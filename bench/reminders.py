"""Benchmark: the durable scheduler with many pending reminders and a burst due at once.

Creates a fresh SQLite database in a temporary directory (or uses ``--database URL``),
migrates it, inserts ``--count`` reminder jobs spread over the next 30 days plus a burst of
``--burst`` jobs all due at the same instant ``--lead`` seconds ahead, and measures:

1. start-up: ``Scheduler.start()`` until the first sweep is done (``wait_ready``), with
   every job pending;
2. memory: tracemalloc peak over start-up (traced only then, so its overhead does not
   distort the burst) and the process's peak RSS (``resource.getrusage``) before start,
   when ready and after the burst;
3. the burst, on the real clock through the APScheduler timer: each job's handler queues
   an outbox message (as a real reminder does) and records ``now - due_at``; reported as
   p50/p90/max lateness and throughput.

    .venv/bin/python bench/reminders.py [--count 10000] [--burst 1000] [--database URL]
                                        [--lead 5] [--json FILE]

With ``--database`` the bench's own rows (job kind ``bench.reminder``, outbox room
``!bench:avz.bench``) are deleted afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert
from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.clock import SystemClock
from avz_bot.scheduled_jobs import job_key, lateness
from avz_bot.scheduling import Scheduler
from avz_bot.services.outbox import txn_id_for
from storage.db import Database, sqlite_url_for
from storage.outbox_models import OutboxRecord
from storage.outbox_repositories import OutboxRepository
from storage.schedule_models import ScheduledJobRecord
from storage.schedule_repositories import JOB_PENDING, JobRow

KIND = "bench.reminder"
ROOM = "!bench:avz.bench"
SPREAD = timedelta(days=30)
INSERT_CHUNK = 2_000


def _job_values(due_at: datetime, now: datetime, n: int) -> dict[str, Any]:
    return {
        "kind": KIND,
        "due_at": due_at,
        "payload": {"reminder_id": n, "room_id": ROOM},
        "dedupe_key": f"bench:{n}",
        "entity_type": "reminder",
        "entity_id": str(n),
        "status": JOB_PENDING,
        "claimed_at": None,
        "claimed_by": None,
        "attempts": 0,
        "done_at": None,
        "created_at": now,
    }


async def _insert_jobs(database: Database, rows: list[dict[str, Any]]) -> None:
    # A bulk INSERT (executemany) instead of JobRepository.schedule per row: the bench
    # measures the scheduler, not 11 000 single-row round trips of the set-up.
    async with database.session() as session, session.begin():
        for start in range(0, len(rows), INSERT_CHUNK):
            await session.execute(insert(ScheduledJobRecord), rows[start : start + INSERT_CHUNK])


def _rss_peak_mib() -> float:
    """Peak resident set size of the process so far (MiB)."""
    # ru_maxrss is KiB on Linux, bytes on macOS.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=100, method="inclusive")[round(q * 100) - 1]


async def run(count: int, burst: int, lead: float, url: str | None) -> dict[str, Any]:
    """Run the benchmark; returns the figures."""
    with tempfile.TemporaryDirectory(prefix="avz-bench-reminders-") as tmp:
        database = Database(url or sqlite_url_for(Path(tmp) / "bench.sqlite3"))
        try:
            return await _run(database, count, burst, lead, cleanup=url is not None)
        finally:
            await database.dispose()


async def _run(
    database: Database, count: int, burst: int, lead: float, *, cleanup: bool
) -> dict[str, Any]:
    clock = SystemClock()
    await database.upgrade()

    now = clock.now()
    rows = [
        # Evenly over (now + 1 min, now + 30 days]: none of them is due during the run.
        _job_values(now + timedelta(minutes=1) + SPREAD * (n + 1) / count, now, n)
        for n in range(count)
    ]
    t0 = time.perf_counter()
    await _insert_jobs(database, rows)
    burst_due = clock.now() + timedelta(seconds=lead)
    await _insert_jobs(database, [_job_values(burst_due, now, count + n) for n in range(burst)])
    insert_s = time.perf_counter() - t0

    late: list[float] = []
    ran_at: list[float] = []
    finished = asyncio.Event()

    async def remind(session: AsyncSession, job: JobRow, run_now: datetime) -> None:
        # What a real reminder does inside its transaction: queue the message.
        await OutboxRepository(session).add(
            txn_id_for("reminder", job_key(job)),
            ROOM,
            {"msgtype": "m.notice", "body": "Herinnering"},
            run_now,
        )
        late.append(lateness(job, run_now).total_seconds())
        ran_at.append(time.perf_counter())
        if len(late) >= burst:
            finished.set()

    batches = 0

    async def on_done() -> None:
        nonlocal batches
        batches += 1

    scheduler = Scheduler(
        database, clock, {KIND: remind}, worker_id=f"bench:{os.getpid()}", on_done=on_done
    )
    rss_before = _rss_peak_mib()
    tracemalloc.start()
    t0 = time.perf_counter()
    await scheduler.start()
    await scheduler.wait_ready()
    startup_s = time.perf_counter() - t0
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_ready = _rss_peak_mib()
    startup_ahead_s = (burst_due - clock.now()).total_seconds()

    try:
        await asyncio.wait_for(finished.wait(), timeout=lead + 600)
    finally:
        await scheduler.stop()

    if cleanup:
        async with database.session() as session, session.begin():
            await session.execute(delete(ScheduledJobRecord).where(ScheduledJobRecord.kind == KIND))
            await session.execute(delete(OutboxRecord).where(OutboxRecord.room_id == ROOM))

    drain_s = max(ran_at) - min(ran_at) if len(ran_at) > 1 else 0.0
    return {
        "backend": database.backend,
        "count": count,
        "burst": burst,
        "insert_s": round(insert_s, 3),
        "startup_s": round(startup_s, 4),
        "burst_due_after_ready_s": round(startup_ahead_s, 3),
        "tracemalloc_startup_peak_kib": round(traced_peak / 1024, 1),
        "rss_peak_before_start_mib": round(rss_before, 1),
        "rss_peak_ready_mib": round(rss_ready, 1),
        "rss_peak_end_mib": round(_rss_peak_mib(), 1),
        "late_p50_s": round(_quantile(late, 0.50), 3),
        "late_p90_s": round(_quantile(late, 0.90), 3),
        "late_max_s": round(max(late), 3),
        "drain_s": round(drain_s, 3),
        "throughput_jobs_per_s": round(burst / drain_s, 1) if drain_s else None,
        "on_done_batches": batches,
    }


def _table(result: dict[str, Any]) -> str:
    labels = {
        "backend": "backend",
        "count": "pending jobs (30 days)",
        "burst": "burst jobs (same instant)",
        "insert_s": "insert set-up (s)",
        "startup_s": "start-up until first sweep done (s)",
        "burst_due_after_ready_s": "burst due after ready (s)",
        "tracemalloc_startup_peak_kib": "tracemalloc peak, start-up (KiB)",
        "rss_peak_before_start_mib": "peak RSS before start (MiB)",
        "rss_peak_ready_mib": "peak RSS when ready (MiB)",
        "rss_peak_end_mib": "peak RSS after the burst (MiB)",
        "late_p50_s": "burst lateness p50 (s)",
        "late_p90_s": "burst lateness p90 (s)",
        "late_max_s": "burst lateness max (s)",
        "drain_s": "first to last burst job (s)",
        "throughput_jobs_per_s": "throughput (jobs/s)",
        "on_done_batches": "on_done calls",
    }
    width = max(len(label) for label in labels.values())
    return "\n".join(f"{labels[key]:<{width}}  {result[key]}" for key in labels)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=10_000, help="pending jobs over 30 days")
    parser.add_argument("--burst", type=int, default=1_000, help="jobs due at the same instant")
    parser.add_argument("--lead", type=float, default=5.0, help="seconds until the burst is due")
    parser.add_argument("--database", help="async SQLAlchemy URL (default: fresh SQLite)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    if args.count < 0 or args.burst < 1 or args.lead <= 0:
        parser.error("need --count >= 0, --burst >= 1 and --lead > 0")
    logging.basicConfig(level=logging.WARNING)
    result = asyncio.run(run(args.count, args.burst, args.lead, args.database))
    print(_table(result))
    if args.json is not None:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
