"""Persisting helpdesk events: one small function per domain event type.

:meth:`HelpdeskEvents.apply` looks each event of a question's transition up in one table
(event type → function); each function writes what its event means — the breach-chain and
auto-close jobs, the search index — inside the caller's transaction, after the service
stored the question's new state. Replies are worded in ``avz_bot.services.helpdesk.view``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.domain import helpdesk as hd
from avz_bot.domain.dutch_search import DutchAnalyzer
from avz_bot.domain.workdays import WorkCalendar
from avz_bot.services.helpdesk.cards import TITLE_LENGTH
from avz_bot.services.helpdesk.search import put_document
from avz_bot.settings_sections.helpdesk import HelpdeskSettings
from storage.helpdesk_repositories import (
    KIND_QUESTION,
    QuestionRepository,
    QuestionRow,
    SearchRepository,
)
from storage.schedule_repositories import JobRepository

JOB_SLA = "helpdesk.sla"
JOB_AUTOCLOSE = "helpdesk.autoclose"


def sla_key(question_id: int) -> str:
    """Dedupe key of a question's breach-chain job."""
    return f"helpdesk:q:{question_id}:sla"


def close_key(question_id: int) -> str:
    """Dedupe key of a question's auto-close job."""
    return f"helpdesk:q:{question_id}:close"


class HelpdeskEvents:
    """The persisting functions, one per event type, inside one transaction."""

    def __init__(
        self,
        session: AsyncSession,
        questions: QuestionRepository,
        *,
        now: datetime,
        settings: HelpdeskSettings,
        calendar: WorkCalendar,
        analyzer: DutchAnalyzer,
    ) -> None:
        self._session = session
        self.questions = questions
        self.now = now
        self.settings = settings
        self.calendar = calendar
        self._analyzer = analyzer
        self._jobs = JobRepository(session)
        self._table: Mapping[type, Callable[[QuestionRow, hd.Question, Any], Awaitable[None]]] = {
            hd.Claimed: self._on_claimed,
            hd.Answered: self._on_answered,
            hd.Closed: self._on_closed,
            hd.Reopened: self._on_reopened,
        }

    async def apply(self, row: QuestionRow, state: hd.Question, event: Any) -> None:
        """Persist ``event`` with its function (the question's new state is stored)."""
        await self._table[type(event)](row, state, event)

    async def arm_sla(self, row: QuestionRow, state: hd.Question) -> None:
        """(Re-)schedule the question's next breach-chain step, or cancel it."""
        after = None
        if row.sla_notified:
            clock, _, step = row.sla_notified.partition(":")
            after = (hd.Clock(clock), hd.BreachStep(step))
        due = hd.next_breach(state, self.settings.level_for(row.theme), self.calendar, after)
        if due is None:
            await self._jobs.cancel_key(sla_key(row.id), self.now)
            return
        await self._jobs.schedule(
            JOB_SLA,
            due.due_at,
            {"question_id": row.id, "clock": due.clock.value, "step": due.step.value},
            self.now,
            dedupe_key=sla_key(row.id),
            entity_type="question",
            entity_id=row.reference,
        )

    async def _on_claimed(self, row: QuestionRow, state: hd.Question, event: hd.Claimed) -> None:
        await self.arm_sla(row, state)

    async def _on_answered(self, row: QuestionRow, state: hd.Question, event: hd.Answered) -> None:
        await self.arm_sla(row, state)
        fresh = await self.questions.get(row.id)
        assert fresh is not None and state.answered_at is not None
        await self._index_question(fresh)
        plan = hd.auto_close_plan(
            state.answered_at, self.settings.auto_close_working_days, self.calendar
        )
        await self._jobs.schedule(
            JOB_AUTOCLOSE,
            plan.remind_at,
            {"question_id": row.id, "step": "remind", "answered_at": state.answered_at.isoformat()},
            self.now,
            dedupe_key=close_key(row.id),
            entity_type="question",
            entity_id=row.reference,
        )

    async def _on_closed(self, row: QuestionRow, state: hd.Question, event: hd.Closed) -> None:
        await self.questions.update(row.id, state.status.value, closed_automatic=event.automatic)
        await self._jobs.cancel_key(close_key(row.id), self.now)

    async def _on_reopened(self, row: QuestionRow, state: hd.Question, event: hd.Reopened) -> None:
        await self._jobs.cancel_key(close_key(row.id), self.now)
        await SearchRepository(self._session).remove(KIND_QUESTION, row.id)
        await self.questions.update(row.id, state.status.value, sla_notified=None)
        fresh = await self.questions.get(row.id)
        assert fresh is not None
        await self.arm_sla(fresh, state)

    async def _index_question(self, row: QuestionRow) -> None:
        await put_document(
            self._session,
            self._analyzer,
            kind=KIND_QUESTION,
            entity_id=row.id,
            reference=row.reference,
            title=row.text[:TITLE_LENGTH],
            theme=row.theme,
            body=f"{row.text}\n{row.answer or ''}",
            now=self.now,
        )
