"""Benchmark: ``!zoek`` over 10,000 knowledge cards on SQLite and PostgreSQL.

Builds ``--count`` searchable cards (deterministic, from the 44 fixture cards of the
relevance test with their words re-mixed, so the vocabulary is realistic and compounds and
inflections occur everywhere), indexes them through the real analyser and migration
(SQLite FTS5 stemmed + trigram; PostgreSQL GIN tsvector + pg_trgm), then times the
server-side search (``search_knowledge``: the SQL candidates plus the ranking in Python,
what the bot does for one ``!zoek``) for every query of the relevance table, ``--rounds``
times. Reports p50/p95/max in milliseconds per backend.

    .venv/bin/python bench/helpdesk_search.py [--count 10000] [--rounds 5]
        [--postgres postgresql+asyncpg://postgres@127.0.0.1:5432/test] [--json FILE]

PostgreSQL runs in a schema of its own that is dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text

from avz_bot.domain.dutch_search import DutchAnalyzer
from avz_bot.services.helpdesk.search import search_knowledge
from avz_bot.settings_sections.helpdesk import DEFAULT_SYNONYMS
from storage.db import Database, sqlite_url_for
from storage.helpdesk_models import SearchDocumentRecord
from tests.storage.helpdesk_cards import CARDS, RELEVANCE

NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)
EXTRA_QUERIES = ["geweld", "overlast", "gemeente politie", "zorg", "jongeren school"]


def documents(count: int, analyzer: DutchAnalyzer) -> list[dict[str, Any]]:
    """``count`` cards: the fixture cards first, then re-mixes of their words."""
    rng = random.Random(12)
    words = [w for title, _, body in CARDS for w in f"{title} {body}".split()]
    rows = []
    for n in range(count):
        if n < len(CARDS):
            title, theme, body = CARDS[n]
        else:
            title = " ".join(rng.sample(words, 5)).capitalize()
            body = " ".join(rng.sample(words, 40)) + "."
            theme = CARDS[n % len(CARDS)][1]
        rows.append(
            {
                "kind": "kaart",
                "entity_id": n + 1,
                "reference": f"K-{n + 1}",
                "title": title[:200],
                "theme": theme,
                "body": body,
                "title_stemmed": analyzer.index(title).stemmed,
                "folded": analyzer.index(f"{title}\n{body}").folded,
                "stemmed": analyzer.index(f"{title}\n{body}").stemmed,
                "updated_at": NOW,
            }
        )
    return rows


async def measure(database: Database, rows: list[dict[str, Any]], rounds: int) -> dict[str, Any]:
    """Load the cards, then time every query ``rounds`` times (milliseconds)."""
    analyzer = DutchAnalyzer(DEFAULT_SYNONYMS)
    await database.upgrade()
    started = time.perf_counter()
    async with database.session() as session, session.begin():
        for start in range(0, len(rows), 1000):
            await session.execute(insert(SearchDocumentRecord), rows[start : start + 1000])
    load_s = time.perf_counter() - started
    if database.backend == "postgresql":
        async with database.session() as session, session.begin():
            await session.execute(text("ANALYZE helpdesk_search_docs"))
    queries = [q for q, _, _ in RELEVANCE] + EXTRA_QUERIES
    timings: list[float] = []
    per_query: dict[str, float] = {}
    async with database.session() as session:
        for _ in range(rounds):
            for query in queries:
                t0 = time.perf_counter()
                await search_knowledge(session, analyzer, query, 10)
                elapsed = (time.perf_counter() - t0) * 1000
                timings.append(elapsed)
                per_query[query] = max(per_query.get(query, 0.0), elapsed)
    timings.sort()
    slowest = sorted(per_query.items(), key=lambda kv: -kv[1])[:3]
    return {
        "backend": database.backend,
        "cards": len(rows),
        "load_seconds": round(load_s, 2),
        "queries": len(timings),
        "p50_ms": round(statistics.median(timings), 2),
        "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 2),
        "max_ms": round(timings[-1], 2),
        "slowest": [(q, round(ms, 2)) for q, ms in slowest],
    }


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--postgres", default="postgresql+asyncpg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    rows = documents(args.count, DutchAnalyzer(DEFAULT_SYNONYMS))
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = Database(sqlite_url_for(Path(tmp) / "bench.sqlite3"))
        try:
            results.append(await measure(sqlite, rows, args.rounds))
        finally:
            await sqlite.dispose()
    if args.postgres:
        schema = f"avz_bench_{uuid.uuid4().hex[:12]}"
        admin = Database(args.postgres)
        async with admin.engine.begin() as connection:
            await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        pg = Database(args.postgres, schema=schema)
        try:
            results.append(await measure(pg, rows, args.rounds))
        finally:
            await pg.dispose()
            async with admin.engine.begin() as connection:
                await connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            await admin.dispose()
    for result in results:
        print(
            f"{result['backend']:>10}: {result['cards']} cards, {result['queries']} searches: "
            f"p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, max {result['max_ms']} ms "
            f"(load {result['load_seconds']} s; slowest {result['slowest']})"
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
