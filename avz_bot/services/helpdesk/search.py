"""Searching the knowledge base (published cards and answered questions) in Dutch.

The database finds candidates (see ``storage.helpdesk_repositories.SearchRepository``);
:func:`avz_bot.domain.dutch_search.rank` orders them, identically on both backends. A query
whose words do not all occur in one document falls back to documents with *some* of the
words, still ranked by how many they have.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.domain.dutch_search import (
    Candidate,
    DutchAnalyzer,
    QueryGroup,
    fold,
    rank,
    snippet,
)
from storage.helpdesk_repositories import KIND_CARD, SearchHit, SearchRepository

#: How many candidates the database hands over for ranking at most.
CANDIDATE_LIMIT = 200


@dataclass(frozen=True, slots=True)
class Found:
    """One search result: the reference, title, theme and a snippet of the text."""

    kind: str
    entity_id: int
    reference: str
    title: str
    theme: str
    snippet: str


@dataclass(frozen=True, slots=True)
class SearchResult:
    """The best results (one page: at most the asked limit) and how many matched in all."""

    found: list[Found]
    total: int
    partial: bool
    #: ``total`` is a lower bound: more documents matched than were ranked.
    capped: bool = False


async def search_knowledge(
    session: AsyncSession, analyzer: DutchAnalyzer, query: str, limit: int, offset: int = 0
) -> SearchResult:
    """Search published cards and answered questions for ``query`` (Dutch words): the
    ``limit`` best results after the first ``offset`` (a page of the ranked list).

    ``partial`` is true when no document had every word and the result holds documents
    with some of them.
    """
    groups = analyzer.query(query)
    repo = SearchRepository(session)
    hits = await repo.search(groups, CANDIDATE_LIMIT)
    partial = False
    if not hits and len(groups) > 1:
        hits = await repo.search(groups, CANDIDATE_LIMIT, all_groups=False)
        partial = bool(hits)
    ordered = _ranked(groups, hits)
    found = [
        Found(h.kind, h.entity_id, h.reference, h.title, h.theme, snippet(h.body, groups))
        for h in ordered[offset : offset + limit]
    ]
    return SearchResult(found, len(hits), partial, len(hits) >= CANDIDATE_LIMIT)


def _ranked(groups: list[QueryGroup], hits: list[SearchHit]) -> list[SearchHit]:
    by_id = {h.id: h for h in hits}
    candidates = [
        Candidate(
            h.id,
            h.title_stemmed,
            h.stemmed,
            h.folded,
            1 if h.kind == KIND_CARD else 0,
            fold(h.title),
        )
        for h in hits
    ]
    return [by_id[c.doc_id] for c in rank(groups, candidates)]


async def put_document(
    session: AsyncSession,
    analyzer: DutchAnalyzer,
    *,
    kind: str,
    entity_id: int,
    reference: str,
    title: str,
    theme: str,
    body: str,
    now: datetime,
) -> None:
    """Make a card or question findable (or refresh it): title and text are analysed once,
    here, for both backends."""
    await SearchRepository(session).put(
        kind=kind,
        entity_id=entity_id,
        reference=reference,
        title=title,
        theme=theme,
        body=body,
        title_indexed=analyzer.index(title),
        indexed=analyzer.index(f"{title}\n{body}"),
        now=now,
    )
