"""Dutch search over the knowledge base: relevance table and SQLite/PostgreSQL parity."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from avz_bot.domain.dutch_search import DutchAnalyzer
from avz_bot.services.helpdesk.search import put_document, search_knowledge
from avz_bot.settings_sections.helpdesk import DEFAULT_SYNONYMS
from storage.db import Database
from storage.helpdesk_repositories import KIND_CARD, KIND_QUESTION, SearchRepository
from tests.storage.conftest import isolated_database
from tests.storage.helpdesk_cards import CARDS, RELEVANCE

NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)
ANALYZER = DutchAnalyzer(DEFAULT_SYNONYMS)


async def _load(database: Database) -> None:
    async with database.session() as session, session.begin():
        for number, (title, theme, body) in enumerate(CARDS, start=1):
            await put_document(
                session,
                ANALYZER,
                kind=KIND_CARD,
                entity_id=number,
                reference=f"K-{number}",
                title=title,
                theme=theme,
                body=body,
                now=NOW,
            )


async def _search(database: Database, query: str, limit: int = 5) -> list[str]:
    async with database.session() as session:
        result = await search_knowledge(session, ANALYZER, query, limit)
    return [found.reference for found in result.found]


@pytest.mark.parametrize(("query", "expected", "why"), RELEVANCE, ids=[q for q, _, _ in RELEVANCE])
async def test_relevance_table(database: Database, query: str, expected: int, why: str) -> None:
    await _load(database)
    hits = await _search(database, query)
    assert hits, f"{query!r} ({why}) found nothing"
    assert hits[0] == f"K-{expected}", f"{query!r} ({why}): {hits}"


async def test_compounds_diacritics_and_inflections(database: Database) -> None:
    await _load(database)
    assert "K-1" in await _search(database, "overlast")  # woonoverlast
    assert {"K-2", "K-3", "K-24"} <= set(await _search(database, "geweld", 10))  # partnergeweld
    assert await _search(database, "coordinatie") == await _search(database, "coördinatie")
    assert "K-4" in await _search(database, "schulden")
    assert await _search(database, "xyzzy") == []


async def test_update_and_remove_keep_the_index_in_step(database: Database) -> None:
    await _load(database)
    async with database.session() as session, session.begin():
        await put_document(
            session,
            ANALYZER,
            kind=KIND_QUESTION,
            entity_id=1,
            reference="VR-2026-1",
            title="Vraag over woonoverlast",
            theme="bestuurlijk",
            body="Antwoord: gedragsaanwijzing.",
            now=NOW,
        )
        await put_document(
            session,
            ANALYZER,
            kind=KIND_CARD,
            entity_id=38,
            reference="K-38",
            title="Buurtbemiddeling",
            theme="bestuurlijk",
            body="Alleen nog bemiddeling.",
            now=NOW,
        )
    assert "VR-2026-1" in await _search(database, "gedragsaanwijzing")
    assert "K-38" not in await _search(database, "burenruzies")
    async with database.session() as session, session.begin():
        await SearchRepository(session).remove(KIND_QUESTION, 1)
    assert await _search(database, "gedragsaanwijzing") == ["K-1"]


async def test_unmatched_words_fall_back_to_partial_hits(database: Database) -> None:
    await _load(database)
    async with database.session() as session:
        result = await search_knowledge(session, ANALYZER, "stalking bliksemafleider", 5)
    assert result.partial and result.found[0].reference == "K-25"


@pytest.mark.postgres
async def test_sqlite_and_postgresql_agree(postgres_url: str | None, tmp_path: Path) -> None:
    queries = [q for q, _, _ in RELEVANCE] + ["geweld", "overlast", "gemeente", "politie", "zorg"]
    results: dict[str, list[list[str]]] = {}
    for backend in ("sqlite", "postgresql"):
        async with isolated_database(backend, postgres_url, tmp_path, "parity") as db:
            await db.upgrade()
            await _load(db)
            results[backend] = [await _search(db, q, 10) for q in queries]
    assert results["sqlite"] == results["postgresql"]
    assert sum(len(r) for r in results["sqlite"]) > len(queries)  # not all empty


@pytest.mark.postgres
async def test_stems_equal_postgresql_dutch(postgres_url: str | None, tmp_path: Path) -> None:
    words = sorted({w for t, _, b in CARDS for w in ANALYZER.index(f"{t} {b}").folded.split()})
    sql = "SELECT w, (ts_lexize('dutch_stem', w))[1] FROM unnest(CAST(:words AS text[])) AS w"
    async with (
        isolated_database("postgresql", postgres_url, tmp_path, "stems") as db,
        db.session() as session,
    ):
        rows = await session.execute(text(sql), {"words": words})
        pg = {w: stem for w, stem in rows.all()}
    differ = {w: (ANALYZER.stem(w), pg[w]) for w in words if pg[w] and ANALYZER.stem(w) != pg[w]}
    assert len(words) > 300 and differ == {}
