"""Benchmark: the trend report over a province-sized database, on SQLite and PostgreSQL.

Fills a fresh database with ``--cases`` cases over two years (10 municipalities × 9
types, regie taken, transferred and released in the audit trail, plus unrelated audit
entries) and ``--agreements`` agreements (10 % postponed), then measures building the
report (every registered section: the aggregate queries and the domain computation) and
rendering its files (PNG charts and the CSV) for a month, a quarter and a year.

    .venv/bin/python bench/reports.py [--backend sqlite|postgresql] [--cases 10000]
                                      [--agreements 50000] [--rounds 3] [--json FILE]

PostgreSQL uses ``AVZ_TEST_POSTGRES_URL`` (default: the local test server) in a fresh
schema that is dropped afterwards. Signals, escalations and helpdesk questions are not
in this branch yet; their sections read through loaders the lead adds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, text

from avz_bot.domain.workdays import WorkCalendar
from avz_bot.messages import Messages
from avz_bot.services.reports import ReportService
from avz_bot.settings import CASE_TYPES, GRONINGEN_MUNICIPALITIES, CasesSettings
from avz_bot.settings_sections.reports import ReportSettings
from storage.db import Database, sqlite_url_for
from storage.models import (
    AgreementPostponementRecord,
    AgreementRecord,
    AuditLogRecord,
    CaseRecord,
)

NOW = datetime(2026, 11, 30, 11, 0, tzinfo=UTC)
START = datetime(2024, 12, 1, 8, 0, tzinfo=UTC)
CHUNK = 2_000
PERIODS = ("2026-10", "2026-Q3", "2025")


async def _insert(database: Database, model: Any, rows: list[dict[str, Any]]) -> None:
    async with database.session() as session, session.begin():
        for i in range(0, len(rows), CHUNK):
            await session.execute(insert(model), rows[i : i + CHUNK])


async def fill(database: Database, cases: int, agreements: int) -> None:
    """Insert the synthetic province (deterministic: seeded random)."""
    rng = random.Random(13)
    munis = list(GRONINGEN_MUNICIPALITIES)
    types = list(CASE_TYPES)
    span = (NOW - START).total_seconds()
    case_rows: list[dict[str, Any]] = []
    audit_rows: list[dict[str, Any]] = []
    for n in range(cases):
        created = START + timedelta(seconds=rng.random() * span)
        closed = created + timedelta(days=rng.randint(20, 400)) if rng.random() < 0.6 else None
        if closed is not None and closed > NOW:
            closed = None
        reference = f"AVZ-B-{n:06d}"
        taken = created + timedelta(hours=rng.randint(0, 200)) if rng.random() < 0.9 else None
        vacant = taken is None
        case_rows.append(
            {
                "reference": reference,
                "title": "bench",
                "municipality": rng.choice(munis),
                "case_type": rng.choice(types),
                "status": "gesloten" if closed else "actief",
                "room_id": None,
                "created_by": "@bench:avz.bench",
                "created_at": created,
                "status_changed_at": closed or created,
                "closed_at": closed,
                "regie_holder": None if vacant else "@holder:avz.bench",
                "regie_org": None if vacant else "politie",
                "regie_since": taken,
                "regie_vacant_since": created if vacant else None,
                "unregie_reported_on": None,
                "version": 1,
            }
        )
        events = [("case.member_added", created)] * 3
        if taken is not None:
            events.append(("case.regie_taken", taken))
            if rng.random() < 0.3:
                events.append(
                    ("case.regie_transferred", taken + timedelta(days=rng.randint(5, 90)))
                )
        for action, at in events:
            audit_rows.append(
                {
                    "occurred_at": min(at, NOW),
                    "actor": "@bench:avz.bench",
                    "actor_org": "politie",
                    "action": action,
                    "room_id": None,
                    "entity_type": "case",
                    "entity_id": reference,
                    "details": {},
                }
            )
    await _insert(database, CaseRecord, case_rows)
    await _insert(database, AuditLogRecord, audit_rows)
    async with database.session() as session:
        ids = list((await session.execute(select(CaseRecord.id, CaseRecord.created_at))).all())
    agreement_rows: list[dict[str, Any]] = []
    for n in range(agreements):
        case_id, created = ids[n % len(ids)]
        deadline = created + timedelta(days=rng.randint(3, 60))
        done = rng.random() < 0.8 and deadline < NOW + timedelta(days=5)
        completed = deadline + timedelta(days=rng.randint(-5, 8)) if done else None
        if completed is not None and completed > NOW:
            completed = NOW
        agreement_rows.append(
            {
                "case_id": case_id,
                "number": n // len(ids) + 1,
                "description": "bench",
                "owner_user": None,
                "owner_org": "politie",
                "created_by": "@bench:avz.bench",
                "created_at": created,
                "deadline": deadline,
                "status": "klaar" if done else ("vervallen" if rng.random() < 0.05 else "open"),
                "completed_at": completed,
                "note": None,
                "version": 1,
            }
        )
    await _insert(database, AgreementRecord, agreement_rows)
    async with database.session() as session:
        agreement_ids = list(
            (await session.execute(select(AgreementRecord.id, AgreementRecord.deadline))).all()
        )
    postponements = [
        {
            "agreement_id": aid,
            "old_deadline": deadline - timedelta(days=7),
            "new_deadline": deadline,
            "reason": "bench",
            "by_user": "@bench:avz.bench",
            "at": deadline - timedelta(days=8),
        }
        for aid, deadline in agreement_ids
        if rng.random() < 0.1
    ]
    await _insert(database, AgreementPostponementRecord, postponements)


async def measure(database: Database, rounds: int) -> dict[str, dict[str, float]]:
    """Median seconds to build and to render the report, per period."""
    results: dict[str, dict[str, float]] = {}
    for label in PERIODS:
        build: list[float] = []
        render: list[float] = []
        for _ in range(rounds):
            async with database.session() as session, session.begin():
                service = ReportService(
                    session, NOW, WorkCalendar(), CasesSettings(), ReportSettings(), Messages()
                )
                started = time.perf_counter()
                report = await service.build(*service.resolve(label, None))
                built = time.perf_counter()
            service.files(report)
            rendered = time.perf_counter()
            build.append(built - started)
            render.append(rendered - built)
        results[label] = {
            "build_s": statistics.median(build),
            "render_s": statistics.median(render),
            "total_s": statistics.median(b + r for b, r in zip(build, render, strict=True)),
        }
    return results


async def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--agreements", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    schema = None
    with tempfile.TemporaryDirectory() as tmp:
        if args.backend == "sqlite":
            database = Database(sqlite_url_for(Path(tmp) / "bench.sqlite3"))
        else:
            url = os.environ.get(
                "AVZ_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
            )
            schema = f"avz_bench_{uuid.uuid4().hex[:12]}"
            admin = Database(url)
            async with admin.engine.begin() as connection:
                await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
            database = Database(url, schema=schema)
        try:
            await database.upgrade()
            started = time.perf_counter()
            await fill(database, args.cases, args.agreements)
            fill_s = time.perf_counter() - started
            if args.backend == "postgresql":
                async with database.engine.begin() as connection:
                    await connection.execute(text("ANALYZE"))
            results = await measure(database, args.rounds)
        finally:
            await database.dispose()
            if schema is not None:
                async with admin.engine.begin() as connection:
                    await connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                await admin.dispose()
    print(
        f"{args.backend}: {args.cases} cases, {args.agreements} agreements (filled in {fill_s:.1f} s)"
    )
    for label, figures in results.items():
        print(
            f"  {label:8s} build {figures['build_s']:.3f} s, render {figures['render_s']:.3f} s, "
            f"total {figures['total_s']:.3f} s"
        )
    if args.json:
        args.json.write_text(json.dumps({"backend": args.backend, "results": results}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
