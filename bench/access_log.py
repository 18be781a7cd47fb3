"""Benchmark: the access log's cost per command, and the access export at province scale.

    python3 dev.py bench access-log [--commands 200] [--rounds 5] [--cases 10000]
                                    [--database sqlite|postgresql|both]

1. ``!casus`` (the case card: one access log entry per command) through ``BotCore.message``
   as the sync loop runs it, with a gateway that sends nothing, on a generated province
   (``avz_bot.testkit.province``). The same run alternates rounds WITH the access log and
   WITHOUT it (the runtime's ``log_reads`` replaced by a no-op), so both see the same
   machine load and database size. Reports CPU ms per command (``process_time``: all
   threads, aiosqlite's included) and wall ms per command. CPU ratios are usable on a
   loaded machine; wall-clock figures are not.
2. The access export (``avz_bot.services.privacy.export.assemble``) for a person with 200
   signals across 20 cases (one of them the case read in part 1, so the export also holds
   those reads), each case with its members, agreements and timeline, in that province:
   seconds (CPU and wall) and bytes of the JSON and the readable file.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text

import avz_bot.runtime.core as runtime_core
from avz_bot.clock import FakeClock
from avz_bot.domain.inbound import IncomingCommand
from avz_bot.messages import Messages
from avz_bot.metrics import BotMetrics
from avz_bot.runtime.core import BotCore
from avz_bot.runtime.units import AppServices
from avz_bot.services.privacy.export import assemble
from avz_bot.testkit.province import ProvinceSize, seed_province
from commands.framework import Dispatcher
from commands.registry import build_registry
from storage.db import Database, sqlite_url_for
from storage.signal_models import CasePersonRecord, SignalRecord

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
PSEUDONYM = "v1:" + "ab" * 32
POSTGRES_URL = os.environ.get(
    "AVZ_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test"
).replace("postgresql://", "postgresql+asyncpg://", 1)


class NullGateway:
    """Sends nothing; answers with an event id."""

    def __init__(self) -> None:
        self.sent = 0

    async def send(self, room_id: str, content: dict[str, Any], txn_id: str) -> str:
        self.sent += 1
        return f"$sent{self.sent}"


async def _no_log(*_args: object) -> None:
    """The access log switched off (the WITHOUT rounds)."""


async def _person(database: Database, cases: int) -> None:
    """200 signals on one person across cases 10..29, each case linked to them."""
    signals = [
        {
            "year": 2026,
            "number": 900_000 + n,
            "reference": f"SIG-2026-{900_000 + n}",
            "pseudonym": PSEUDONYM,
            "key_version": "v1",
            "weak_key": False,
            "category": "overlast",
            "municipality": "groningen",
            "professional": "@m1:avz.bench",
            "organisation_code": f"org{n % 10}",
            "contact_room": "!dm:avz.bench",
            "created_at": NOW - timedelta(days=n),
            "expires_at": NOW + timedelta(days=700),
            "status": "actief",
            "status_changed_at": NOW - timedelta(days=n),
            "triage": "casus",
            "case_id": 10 + n % min(20, cases - 10),
        }
        for n in range(200)
    ]
    links = [
        {
            "case_id": 10 + n,
            "pseudonym": PSEUDONYM,
            "key_version": "v1",
            "weak_key": False,
            "linked_by": "@m1:avz.bench",
            "linked_room": None,
            "linked_at": NOW,
        }
        for n in range(min(20, cases - 10))
    ]
    # And the case the benchmark reads (``!casus`` below): its reads are the person's too.
    links[-1]["case_id"] = 2
    async with database.session() as session, session.begin():
        await session.execute(insert(SignalRecord), signals)
        await session.execute(insert(CasePersonRecord), links)


async def measure(database: Database, args: argparse.Namespace) -> None:
    await database.upgrade()
    size = ProvinceSize(
        cases=args.cases,
        open_cases=max(30, args.cases // 3),
        agreements=args.cases * 5,
        open_agreements=args.cases * 2,
        pending_jobs=args.cases,
        audit_rows=args.cases * 30,
    )
    started = time.perf_counter()
    province = await seed_province(database, size, NOW)
    await _person(database, args.cases)
    print(f"  seeded {args.cases} cases in {time.perf_counter() - started:.0f} s")
    clock = FakeClock(NOW)
    messages = Messages()
    core = BotCore(
        database=database,
        dispatcher=Dispatcher(build_registry(), messages, "!"),
        messages=messages,
        services=AppServices(clock=clock, version="bench", messages=messages),
        clock=clock,
        metrics=BotMetrics(),
        allowed_servers=["avz.bench"],
        undecryptable_grace=timedelta(seconds=20),
    )
    core.attach_gateway(NullGateway())
    await core.joined(province.plain_room, NOW - timedelta(days=1), True)
    counter = iter(range(10**9))

    async def run(n: int) -> tuple[float, float]:
        cpu, wall = time.process_time(), time.perf_counter()
        for _ in range(n):
            number = next(counter)
            await core.message(
                IncomingCommand(
                    event_id=f"$c{number}",
                    room_id=province.plain_room,
                    sender=province.plain_user,
                    body="!casus",
                    sent_at=clock.now(),
                    received_at=clock.now(),
                    device_verified=True,
                    room_members=5,
                )
            )
        return time.process_time() - cpu, time.perf_counter() - wall

    await run(20)  # warm-up
    original = runtime_core.log_reads
    totals = {"with": [0.0, 0.0], "without": [0.0, 0.0]}
    for _ in range(args.rounds):
        for label in ("with", "without"):
            runtime_core.log_reads = original if label == "with" else _no_log  # type: ignore[assignment]
            cpu, wall = await run(args.commands)
            totals[label][0] += cpu
            totals[label][1] += wall
    runtime_core.log_reads = original  # type: ignore[assignment]
    n = args.commands * args.rounds
    async with database.session() as session:
        logged = int((await session.execute(text("SELECT count(*) FROM access_log"))).scalar_one())
    # Every WITH command (and the warm-up) logged exactly one entry, none of the others:
    # a failing command (rolled back) would otherwise measure the error path.
    assert logged == n + 20, f"{logged} access log entries for {n + 20} logged commands"
    for label, (cpu, wall) in totals.items():
        print(
            f"  !casus {label:7s} access log: CPU {cpu / n * 1000:.2f} ms/command, "
            f"wall {wall / n * 1000:.2f} ms/command ({n} commands)"
        )
    ratio = totals["with"][0] / totals["without"][0]
    print(f"  CPU ratio with/without: {ratio:.3f}")
    await core.close()

    cpu, wall = time.process_time(), time.perf_counter()
    async with database.session() as session:
        export = await assemble(session, (PSEUDONYM,), "PV-2026-0001", NOW)
    json_bytes, text_bytes = export.json_bytes(), export.text_bytes("Inzage")
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    data = export.data
    print(
        f"  export: {len(data['signalen'])} signals, {len(data['casussen'])} cases, "
        f"{sum(len(c['tijdlijn']) for c in data['casussen'])} timeline entries, "
        f"{len(data['toegangslog'])} reads; CPU {cpu:.2f} s, wall {wall:.2f} s; "
        f"JSON {len(json_bytes):,} bytes, readable {len(text_bytes):,} bytes"
    )


async def main_async(args: argparse.Namespace) -> None:
    backends = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    for backend in backends:
        print(backend)
        if backend == "sqlite":
            with tempfile.TemporaryDirectory() as directory:
                database = Database(sqlite_url_for(Path(directory) / "bench.sqlite3"))
                await measure(database, args)
                await database.dispose()
            continue
        schema = f"bench_access_{secrets.token_hex(4)}"
        admin = Database(POSTGRES_URL)
        async with admin.engine.begin() as connection:
            await connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
        try:
            database = Database(POSTGRES_URL, schema=schema)
            await measure(database, args)
            await database.dispose()
        finally:
            async with admin.engine.begin() as connection:
                await connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
            await admin.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--commands", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    asyncio.run(main_async(parser.parse_args()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
