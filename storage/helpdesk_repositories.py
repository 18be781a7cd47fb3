"""Repositories of the helpdesk: questions, knowledge cards, the search index, experts and
direct chats. They never commit: the service's unit of work owns the transaction.

Search (see ``avz_bot.domain.dutch_search``) runs one statement per query on both backends:
a document matches when every query group matches the stemmed words (SQLite FTS5
``hd_fts_stem`` / PostgreSQL's stored ``hd_fts_vector`` with a GIN index) or occurs inside the
folded text (SQLite FTS5 ``trigram`` ``hd_fts_tri`` / PostgreSQL ``LIKE`` on a ``pg_trgm``
GIN index). At most ``limit`` candidates (newest first) come back with the stored forms
needed to rank them in Python, so both backends give the same hits in the same order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, func, or_, select, text, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.domain.dutch_search import IndexedText, QueryGroup
from avz_bot.domain.helpdesk.status import CardStatus, QuestionStatus
from avz_bot.domain.partners import Member
from storage.helpdesk_models import (
    HelpdeskQuestionRecord,
    KnowledgeCardRecord,
    SearchDocumentRecord,
)
from storage.registry_models import MemberRecord, MemberRoleRecord
from storage.registry_repositories import PartnerRepository
from storage.sql import _dialect_name, _fetch_rows, _insert_numbered, _rowcount, _upsert

KIND_CARD = "kaart"
KIND_QUESTION = "vraag"


def question_reference(year: int, number: int) -> str:
    """``VR-<year>-<number>``."""
    return f"VR-{year}-{number}"


def card_reference(number: int) -> str:
    """``K-<number>``."""
    return f"K-{number}"


@dataclass(frozen=True, slots=True)
class QuestionRow:
    """One helpdesk question as stored."""

    id: int
    year: int
    number: int
    room_id: str
    thread_root: str
    theme: str
    text: str
    asker: str
    status: str
    claimed_by: str | None
    first_response_at: datetime | None
    answer: str | None
    answered_by: str | None
    answered_at: datetime | None
    closed_at: datetime | None
    closed_automatic: bool | None
    solution_from: datetime | None
    sla_notified: str | None
    created_at: datetime

    @property
    def reference(self) -> str:
        """``VR-<year>-<number>``."""
        return question_reference(self.year, self.number)


@dataclass(frozen=True, slots=True)
class CardRow:
    """One knowledge card as stored."""

    id: int
    number: int
    theme: str
    title: str
    body: str
    owner: str
    status: str
    question_id: int | None
    created_by: str
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None
    review_due: datetime | None
    retired_at: datetime | None

    @property
    def reference(self) -> str:
        """``K-<number>``."""
        return card_reference(self.number)


@dataclass(frozen=True, slots=True)
class SearchHit:
    """A search candidate with what is needed to rank and show it."""

    id: int
    kind: str
    entity_id: int
    reference: str
    title: str
    theme: str
    body: str
    title_stemmed: str
    folded: str
    stemmed: str


class QuestionRepository:
    """Helpdesk questions."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def create(
        self,
        *,
        year: int,
        room_id: str,
        thread_root: str,
        theme: str,
        text: str,
        asker: str,
        now: datetime,
    ) -> QuestionRow:
        """A new open question with the next number of ``year``."""
        new_id = await _insert_numbered(
            self._session,
            HelpdeskQuestionRecord,
            {
                "year": year,
                "room_id": room_id,
                "thread_root": thread_root,
                "theme": theme,
                "text": text,
                "asker": asker,
                "status": QuestionStatus.OPEN,
                "created_at": now,
            },
            scope=HelpdeskQuestionRecord.year == year,
            number=HelpdeskQuestionRecord.number,
            constraint="uq_helpdesk_questions_year_number",
        )
        row = await self.get(new_id)
        assert row is not None
        return row

    async def _one(self, *conditions: ColumnElement[bool]) -> QuestionRow | None:
        rows = await _fetch_rows(
            self._session, QuestionRow, select(HelpdeskQuestionRecord).where(*conditions)
        )
        return rows[0] if rows else None

    async def get(self, question_id: int) -> QuestionRow | None:
        """The question with this id."""
        return await self._one(HelpdeskQuestionRecord.id == question_id)

    async def by_number(self, year: int, number: int) -> QuestionRow | None:
        """The question ``VR-<year>-<number>``."""
        return await self._one(
            HelpdeskQuestionRecord.year == year, HelpdeskQuestionRecord.number == number
        )

    async def by_thread_root(self, event_id: str) -> QuestionRow | None:
        """The question whose thread starts at ``event_id`` (for a 🙋 on the question)."""
        return await self._one(HelpdeskQuestionRecord.thread_root == event_id)

    async def update(self, question_id: int, expected_status: str, **values: Any) -> bool:
        """Change the question if it is still in ``expected_status`` (optimistic check)."""
        stmt = (
            update(HelpdeskQuestionRecord)
            .where(
                HelpdeskQuestionRecord.id == question_id,
                HelpdeskQuestionRecord.status == expected_status,
            )
            .values(**values)
        )
        return await _rowcount(self._session, stmt) == 1

    async def open_questions(
        self, room_ids: Sequence[str], limit: int, offset: int = 0
    ) -> tuple[list[QuestionRow], int]:
        """Not yet answered questions of these rooms, oldest first (``limit`` of them after
        the first ``offset``), and how many in all."""
        where = (
            HelpdeskQuestionRecord.status.in_([QuestionStatus.OPEN, QuestionStatus.CLAIMED]),
            HelpdeskQuestionRecord.room_id.in_(list(room_ids)),
        )
        rows = await _fetch_rows(
            self._session,
            QuestionRow,
            select(HelpdeskQuestionRecord)
            .where(*where)
            .order_by(HelpdeskQuestionRecord.created_at, HelpdeskQuestionRecord.id)
            .limit(limit)
            .offset(offset),
        )
        total = await self._session.scalar(
            select(func.count()).select_from(HelpdeskQuestionRecord).where(*where)
        )
        return rows, int(total or 0)

    async def waiting_for(self, user: str, limit: int) -> list[QuestionRow]:
        """Questions waiting for ``user``: answered ones they asked, claimed ones they hold."""
        stmt = (
            select(HelpdeskQuestionRecord)
            .where(
                or_(
                    and_(
                        HelpdeskQuestionRecord.asker == user,
                        HelpdeskQuestionRecord.status == QuestionStatus.ANSWERED,
                    ),
                    and_(
                        HelpdeskQuestionRecord.claimed_by == user,
                        HelpdeskQuestionRecord.status == QuestionStatus.CLAIMED,
                    ),
                )
            )
            .order_by(HelpdeskQuestionRecord.created_at)
            .limit(limit)
        )
        return await _fetch_rows(self._session, QuestionRow, stmt)


class CardRepository:
    """Knowledge cards."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def create(
        self,
        *,
        theme: str,
        title: str,
        body: str,
        owner: str,
        question_id: int | None,
        now: datetime,
    ) -> CardRow:
        """A new draft card with the next number."""
        new_id = await _insert_numbered(
            self._session,
            KnowledgeCardRecord,
            {
                "theme": theme,
                "title": title,
                "body": body,
                "owner": owner,
                "status": CardStatus.DRAFT,
                "question_id": question_id,
                "created_by": owner,
                "created_at": now,
                "updated_at": now,
            },
            scope=true(),
            number=KnowledgeCardRecord.number,
            constraint="uq_knowledge_cards_number",
        )
        row = await self.get(new_id)
        assert row is not None
        return row

    async def _one(self, *conditions: ColumnElement[bool]) -> CardRow | None:
        rows = await _fetch_rows(
            self._session, CardRow, select(KnowledgeCardRecord).where(*conditions)
        )
        return rows[0] if rows else None

    async def get(self, card_id: int) -> CardRow | None:
        """The card with this id."""
        return await self._one(KnowledgeCardRecord.id == card_id)

    async def by_number(self, number: int) -> CardRow | None:
        """The card ``K-<number>``."""
        return await self._one(KnowledgeCardRecord.number == number)

    async def update(self, card_id: int, expected_status: str, **values: Any) -> bool:
        """Change the card if it is still in ``expected_status``."""
        stmt = (
            update(KnowledgeCardRecord)
            .where(KnowledgeCardRecord.id == card_id, KnowledgeCardRecord.status == expected_status)
            .values(**values)
        )
        return await _rowcount(self._session, stmt) == 1

    async def due_for_review(self, owner: str, now: datetime, limit: int) -> list[CardRow]:
        """Published cards of ``owner`` whose review date has passed, most overdue first."""
        stmt = (
            select(KnowledgeCardRecord)
            .where(
                KnowledgeCardRecord.owner == owner,
                KnowledgeCardRecord.status == CardStatus.PUBLISHED,
                KnowledgeCardRecord.review_due <= now,
            )
            .order_by(KnowledgeCardRecord.review_due)
            .limit(limit)
        )
        return await _fetch_rows(self._session, CardRow, stmt)


class SearchRepository:
    """The search documents and the two-channel Dutch search over them."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def put(
        self,
        *,
        kind: str,
        entity_id: int,
        reference: str,
        title: str,
        theme: str,
        body: str,
        title_indexed: IndexedText,
        indexed: IndexedText,
        now: datetime,
    ) -> None:
        """Add or replace the searchable text of one card or question."""
        values = {
            "kind": kind,
            "entity_id": entity_id,
            "reference": reference,
            "title": title,
            "theme": theme,
            "body": body,
            "title_stemmed": title_indexed.stemmed,
            "folded": indexed.folded,
            "stemmed": indexed.stemmed,
            "updated_at": now,
        }
        keep = ("title", "theme", "body", "title_stemmed", "folded", "stemmed", "updated_at")
        stmt = _upsert(
            self._session,
            SearchDocumentRecord,
            values,
            ["kind", "entity_id"],
            lambda excluded: {name: excluded[name] for name in keep},
        )
        await self._session.execute(stmt)

    async def remove(self, kind: str, entity_id: int) -> None:
        """Take a card or question out of the search (retired, re-opened)."""
        await self._session.execute(
            delete(SearchDocumentRecord).where(
                SearchDocumentRecord.kind == kind, SearchDocumentRecord.entity_id == entity_id
            )
        )

    @staticmethod
    def _channels(group: QueryGroup, sqlite: bool) -> tuple[str | None, list[str]]:
        """The group's stem query (FTS5 or ``to_tsquery`` syntax) and its phrases."""
        stem_alts = [
            "("
            + (" AND " if sqlite else " & ").join(f'"{x}"' if sqlite else x for x in a.stems)
            + ")"
            for a in group.alternatives
            if a.stems
        ]
        stems = (" OR " if sqlite else " | ").join(stem_alts) if stem_alts else None
        return stems, [a.phrase for a in group.alternatives if a.phrase]

    def _sqlite_ids(self, group: QueryGroup, n: int, params: dict[str, Any]) -> str:
        """The ids matching one group, as a compound SELECT over the two FTS5 tables."""
        stems, phrases = self._channels(group, sqlite=True)
        selects = []
        if stems:
            params[f"s{n}"] = stems
            selects.append(f"SELECT rowid AS id FROM hd_fts_stem WHERE hd_fts_stem MATCH :s{n}")
        if phrases:
            params[f"t{n}"] = " OR ".join(f'"{p}"' for p in phrases)
            selects.append(f"SELECT rowid AS id FROM hd_fts_tri WHERE hd_fts_tri MATCH :t{n}")
        return " UNION ".join(selects) or "SELECT 0 AS id WHERE 0"

    def _postgres_condition(self, group: QueryGroup, n: int, params: dict[str, Any]) -> str:
        """The row condition of one group: the stored vector (GIN) or ``LIKE`` on the folded
        text (``pg_trgm`` GIN). The planner walks the newest rows when the words are common
        and uses the GIN indexes when they are rare."""
        stems, phrases = self._channels(group, sqlite=False)
        parts = []
        if stems:
            params[f"s{n}"] = stems
            parts.append(f"d.hd_fts_vector @@ to_tsquery('simple', :s{n})")
        for i, phrase in enumerate(phrases):
            params[f"t{n}_{i}"] = f"%{phrase}%"
            parts.append(f"d.folded LIKE :t{n}_{i}")
        return "(" + " OR ".join(parts) + ")" if parts else "(1 = 0)"

    async def search(
        self, groups: Sequence[QueryGroup], limit: int, *, all_groups: bool = True
    ) -> list[SearchHit]:
        """Documents matching every group (or any, with ``all_groups=False``), newest first,
        at most ``limit``. Query words are ``[a-z0-9]`` only (the analyser folds them), so
        they are safe inside FTS5 quotes and ``to_tsquery`` operands.

        SQLite: per group the union of the two FTS5 channels' row ids, intersected (or
        united) across groups; the newest ``limit`` of those are read. PostgreSQL: one row
        condition per group (see :meth:`_postgres_condition`), newest first.
        """
        if not groups:
            return []
        params: dict[str, Any] = {"limit": limit}
        columns = (
            "d.id, d.kind, d.entity_id, d.reference, d.title, d.theme, d.body, "
            "d.title_stemmed, d.folded, d.stemmed"
        )
        if _dialect_name(self._session) == "sqlite":
            ctes = ", ".join(
                f"g{n} AS ({self._sqlite_ids(g, n, params)})" for n, g in enumerate(groups)
            )
            combine = " INTERSECT " if all_groups else " UNION "
            ids = combine.join(f"SELECT id FROM g{n}" for n in range(len(groups)))
            sql = (
                f"WITH {ctes}, ids AS ({ids}) SELECT {columns} FROM helpdesk_search_docs d "
                "WHERE d.id IN (SELECT id FROM ids ORDER BY id DESC LIMIT :limit) "
                "ORDER BY d.id DESC"
            )
        else:
            conditions = [self._postgres_condition(g, n, params) for n, g in enumerate(groups)]
            where = (" AND " if all_groups else " OR ").join(conditions)
            sql = (
                f"SELECT {columns} FROM helpdesk_search_docs d "
                f"WHERE {where} ORDER BY d.id DESC LIMIT :limit"
            )
        result = await self._session.execute(text(sql), params)
        return [SearchHit(*row) for row in result.all()]


class ExpertRepository:
    """Who answers which theme (from the partner registry's scoped roles)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def holding(self, role: str) -> list[Member]:
        """Active members holding the stored role ``role`` (e.g. ``theme:jeugd``)."""
        holders = select(MemberRoleRecord.matrix_id).where(MemberRoleRecord.role == role)
        partners = PartnerRepository(self._session)
        return await partners._active_members(MemberRecord.matrix_id.in_(holders))
