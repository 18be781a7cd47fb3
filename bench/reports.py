"""Benchmark: the trend report over a province-sized database, on SQLite and PostgreSQL.

Fills a fresh database with ``--cases`` cases over two years (10 municipalities × 9
types, regie taken, transferred and released in the audit trail, plus unrelated audit
entries), ``--agreements`` agreements (10 % postponed), ``--signals`` person signals
(9 categories, 10 % without a municipality; one match per 10 signals, a fifth of them
leading to a case), one escalation per 5 cases (with its frozen levels) and 3,000
helpdesk questions with 200 knowledge cards, then measures building the report (every
section the bot registers, ``report_providers``: the aggregate queries and the domain
computation) and rendering its files (PNG charts and the CSV) for a month, a quarter and
a year.

    .venv/bin/python bench/reports.py [--backend sqlite|postgresql] [--cases 10000]
                                      [--agreements 50000] [--signals 100000]
                                      [--rounds 3] [--json FILE] [--charts docs/]

PostgreSQL uses ``AVZ_TEST_POSTGRES_URL`` (default: the local test server) in a fresh
schema that is dropped afterwards.
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
from avz_bot.services.reports.sections import report_providers
from avz_bot.services.reports.service import ReportService
from avz_bot.settings_sections.cases import CASE_TYPES, GRONINGEN_MUNICIPALITIES, CasesSettings
from avz_bot.settings_sections.helpdesk import DEFAULT_THEMES, HelpdeskSettings
from avz_bot.settings_sections.reports import ReportSettings
from avz_bot.settings_sections.signals import SIGNAL_CATEGORIES
from storage.agreement_models import AgreementPostponementRecord, AgreementRecord
from storage.audit_models import AuditLogRecord
from storage.case_models import CaseRecord
from storage.db import Database, sqlite_url_for
from storage.escalation_models import EscalationLevelRecord, EscalationRecord
from storage.helpdesk_models import HelpdeskQuestionRecord, KnowledgeCardRecord
from storage.signal_models import SignalMatchRecord, SignalRecord

NOW = datetime(2026, 11, 30, 11, 0, tzinfo=UTC)
START = datetime(2024, 12, 1, 8, 0, tzinfo=UTC)
CHUNK = 2_000
PERIODS = ("2026-10", "2026-Q3", "2025")


async def _insert(database: Database, model: Any, rows: list[dict[str, Any]]) -> None:
    async with database.session() as session, session.begin():
        for i in range(0, len(rows), CHUNK):
            await session.execute(insert(model), rows[i : i + CHUNK])


async def fill(database: Database, cases: int, agreements: int, signals: int) -> None:
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
    await fill_areas(database, rng, ids, signals)


def _when(rng: random.Random) -> datetime:
    return START + timedelta(seconds=rng.random() * (NOW - START).total_seconds())


async def fill_areas(
    database: Database, rng: random.Random, cases: list[Any], signals: int = 100_000
) -> None:
    """Signals with matches, escalations with levels, helpdesk questions and cards."""
    munis = list(GRONINGEN_MUNICIPALITIES)
    categories = list(SIGNAL_CATEGORIES)
    signal_rows = []
    for n in range(signals):
        created = _when(rng)
        signal_rows.append(
            {
                "year": created.year,
                "number": n + 1,
                "reference": f"SIG-B-{n:06d}",
                "pseudonym": f"v1:{rng.getrandbits(256):064x}",
                "key_version": "v1",
                "weak_key": False,
                "category": rng.choice(categories),
                "municipality": rng.choice(munis) if rng.random() < 0.9 else None,
                "professional": "@bench:avz.bench",
                "organisation_code": "politie",
                "contact_room": "!dm:avz.bench",
                "created_at": created,
                "expires_at": created + timedelta(days=730),
                "delete_at": None,
                "status": "actief",
                "status_changed_at": created,
                "triage": "open",
                "relist_at": None,
                "case_id": cases[n % len(cases)][0] if n % 50 == 0 else None,
            }
        )
    await _insert(database, SignalRecord, signal_rows)
    async with database.session() as session:
        found = list(
            (await session.execute(select(SignalRecord.id, SignalRecord.created_at))).all()
        )
    matches = [
        {
            "signal_id": sid,
            "other_signal_id": found[i - 1][0],
            "case_id": None,
            "created_at": created + timedelta(hours=1),
        }
        for i, (sid, created) in enumerate(found)
        if i % 10 == 1
    ]
    await _insert(database, SignalMatchRecord, matches)
    escalations = []
    for n in range(len(cases) // 5):
        case_id, created = cases[n * 5]
        requested = created + timedelta(days=rng.randint(1, 60))
        if requested > NOW:
            continue
        acked = requested + timedelta(hours=rng.randint(1, 30)) if rng.random() < 0.8 else None
        decided = (
            acked + timedelta(days=rng.randint(1, 15)) if acked and rng.random() < 0.7 else None
        )
        escalations.append(
            {
                "reference": f"ESC-B-{n:05d}",
                "case_id": case_id,
                "route": rng.choice(("inhoudelijk", "samenwerking")),
                "status": "besloten" if decided else ("ontvangen" if acked else "aangevraagd"),
                "urgent": False,
                "partner_org": None,
                "requester": "@bench:avz.bench",
                "requester_org": "politie",
                "reason": "bench",
                "decision_asked": "bench",
                "current_level": 1 if rng.random() < 0.7 else 2,
                "level_started_at": requested,
                "acknowledged_by": "@km:avz.bench" if acked else None,
                "acknowledged_at": acked,
                "first_acknowledged_at": acked,
                "decision": "bench" if decided else None,
                "decided_at": decided,
                "close_reason": None,
                "closed_at": decided,
                "requested_at": requested,
            }
        )
    await _insert(database, EscalationRecord, escalations)
    async with database.session() as session:
        escalation_ids = list((await session.execute(select(EscalationRecord.id))).scalars())
    levels = [
        {
            "escalation_id": eid,
            "number": number,
            "target_kind": kind,
            "scope": "",
            "ack_working_hours": 4.0,
            "decision_working_days": 5,
            "urgent_ack_minutes": 60.0,
            "urgent_decision_hours": 8.0,
            "started_at": START if number == 1 else None,
            "acknowledged_at": None,
            "left_at": None,
        }
        for eid in escalation_ids
        for number, kind in ((1, "ketenmanagers"), (2, "driehoek-regio"))
    ]
    await _insert(database, EscalationLevelRecord, levels)
    themes = list(DEFAULT_THEMES)
    questions = []
    for n in range(3_000):
        asked = _when(rng)
        first = asked + timedelta(hours=rng.randint(1, 40)) if rng.random() < 0.9 else None
        answered = (
            first + timedelta(hours=rng.randint(1, 80)) if first and rng.random() < 0.8 else None
        )
        questions.append(
            {
                "year": asked.year,
                "number": n + 1,
                "room_id": "!helpdesk:avz.bench",
                "thread_root": f"$q{n}",
                "theme": rng.choice(themes),
                "text": "bench",
                "asker": "@bench:avz.bench",
                "status": "beantwoord" if answered else ("opgepakt" if first else "open"),
                "claimed_by": "@expert:avz.bench" if first else None,
                "first_response_at": first,
                "answer": "bench" if answered else None,
                "answered_by": "@expert:avz.bench" if answered else None,
                "answered_at": answered,
                "closed_at": None,
                "closed_automatic": None,
                "solution_from": None,
                "sla_notified": None,
                "created_at": asked,
            }
        )
    await _insert(database, HelpdeskQuestionRecord, questions)
    cards = []
    for n in range(200):
        published = _when(rng)
        cards.append(
            {
                "number": n + 1,
                "theme": rng.choice(themes),
                "title": "bench",
                "body": "bench",
                "owner": "@expert:avz.bench",
                "status": "gepubliceerd",
                "question_id": None,
                "created_by": "@expert:avz.bench",
                "created_at": published,
                "updated_at": published,
                "published_at": published,
                "review_due": published + timedelta(days=180),
                "retired_at": None,
            }
        )
    await _insert(database, KnowledgeCardRecord, cards)


async def measure(
    database: Database, rounds: int, charts: Path | None = None
) -> dict[str, dict[str, float]]:
    """Median seconds to build and to render the report, per period; with ``charts``, the
    quarter's PNG charts are also written there (the README's pictures)."""
    results: dict[str, dict[str, float]] = {}
    for label in PERIODS:
        build: list[float] = []
        render: list[float] = []
        for _ in range(rounds):
            async with database.session() as session, session.begin():
                calendar = WorkCalendar()
                service = ReportService(
                    session,
                    NOW,
                    calendar,
                    CasesSettings(),
                    ReportSettings(),
                    Messages(),
                    providers=report_providers(HelpdeskSettings(), calendar),
                )
                started = time.perf_counter()
                report = await service.build(*service.resolve(label, None))
                built = time.perf_counter()
            files, _ = service.files(report)
            rendered = time.perf_counter()
            if charts is not None and label == "2026-Q3":
                for chart in files:
                    (charts / chart.filename).write_bytes(chart.data)
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
    parser.add_argument("--signals", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--charts", type=Path, help="write the 2026-Q3 charts here (docs/)")
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
            await fill(database, args.cases, args.agreements, args.signals)
            fill_s = time.perf_counter() - started
            if args.backend == "postgresql":
                async with database.engine.begin() as connection:
                    await connection.execute(text("ANALYZE"))
            results = await measure(database, args.rounds, args.charts)
        finally:
            await database.dispose()
            if schema is not None:
                async with admin.engine.begin() as connection:
                    await connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                await admin.dispose()
    print(
        f"{args.backend}: {args.cases} cases, {args.agreements} agreements, "
        f"{args.signals} signals (filled in {fill_s:.1f} s)"
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
