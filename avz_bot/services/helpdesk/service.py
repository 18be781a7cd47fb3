"""The helpdesk (vraagbaak) and knowledge base: one unit of work per command or job.

Each method loads what it needs, applies the domain transition
(``avz_bot.domain.helpdesk.lifecycle``), persists the change and every job or notification it causes
in the caller's transaction, writes the audit trail, and returns an *outcome*; the replies
are worded in ``avz_bot.services.helpdesk.view``. Persisting follows one small function per
domain event (``HelpdeskEvents`` in ``avz_bot.services.helpdesk.persisting``, a
collaborator built once per service).

Jobs (dedupe keys; one pending job each, re-armed on every change):

* ``helpdesk.sla`` — ``helpdesk:q:<id>:sla``: the next step of the breach chain;
* ``helpdesk.autoclose`` — ``helpdesk:q:<id>:close``: the reminder to the asker, then the
  automatic close of an answered question;
* ``helpdesk.review`` — ``helpdesk:card:<id>:review``: a card's review date.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.domain import helpdesk as hd
from avz_bot.domain.dutch_search import DutchAnalyzer
from avz_bot.domain.inbound import Reply
from avz_bot.domain.partners import Member, Role, ScopedRoleKind
from avz_bot.domain.signals.identifiers import contains_bsn
from avz_bot.domain.workdays import WorkCalendar
from avz_bot.lists import Window, window
from avz_bot.services.area import SendDirect
from avz_bot.services.audit import BOT, Audit
from avz_bot.services.helpdesk.cards import (
    HelpdeskProblem,
    KnowledgeCards,
)
from avz_bot.services.helpdesk.persisting import HelpdeskEvents
from avz_bot.services.helpdesk.results import (
    CardOutcome,
    OpenList,
    QuestionEvent,
    QuestionOutcome,
)
from avz_bot.services.helpdesk.search import SearchResult, search_knowledge
from avz_bot.services.helpdesk.view import HelpdeskView
from avz_bot.services.refusal import Refused
from avz_bot.settings_sections.helpdesk import HelpdeskSettings
from storage.helpdesk_repositories import (
    CardRepository,
    CardRow,
    ExpertRepository,
    QuestionRepository,
    QuestionRow,
)
from storage.outbox_repositories import ReactionTargetRepository
from storage.registry_repositories import PartnerRepository
from storage.schedule_repositories import JobRepository

_QUESTION_REF = re.compile(r"^vr-(\d{4})-(\d{1,7})$", re.IGNORECASE)

Enqueue = Callable[[str, str, Reply], Awaitable[None]]
#: A question transition's result: the new state and its event, or the domain's refusal.
Step = tuple[hd.Question, Any] | hd.Refusal


def to_domain(row: QuestionRow) -> hd.Question:
    """The rules' view of a stored question."""
    return hd.Question(
        status=hd.QuestionStatus(row.status),
        asker=row.asker,
        theme=row.theme,
        asked_at=row.created_at,
        claimed_by=row.claimed_by,
        first_response_at=row.first_response_at,
        answered_at=row.answered_at,
        answered_by=row.answered_by,
        closed_at=row.closed_at,
        solution_from=row.solution_from,
    )


#: Reactions on a question's first message are routed to this handler kind (🙋 claims).
REACTION_KIND = "helpdesk"


class HelpdeskService:
    """Helpdesk and knowledge-base operations inside one transaction; the ``!kennis``
    operations are its ``knowledge`` (``KnowledgeCards``), reached by one-line delegations."""

    def __init__(
        self,
        session: AsyncSession,
        *,
        now: datetime,
        settings: HelpdeskSettings,
        calendar: WorkCalendar,
        analyzer: DutchAnalyzer,
        view: HelpdeskView,
        enqueue: Enqueue,
        direct: SendDirect,
        coordination_room: str | None,
        device_cross_signed: bool | None = True,
    ) -> None:
        self._session = session
        self.now = now
        self.settings = settings
        self.calendar = calendar
        self._analyzer = analyzer
        self.view = view
        self._enqueue = enqueue
        self._direct = direct
        self.coordination_room = coordination_room
        self._device_cross_signed = device_cross_signed
        self.questions = QuestionRepository(session)
        self.cards = CardRepository(session)
        self._jobs = JobRepository(session)
        self.events = HelpdeskEvents(
            session,
            self.questions,
            now=now,
            settings=settings,
            calendar=calendar,
            analyzer=analyzer,
        )
        self.knowledge = KnowledgeCards(
            session,
            self,
            now=now,
            settings=settings,
            calendar=calendar,
            analyzer=analyzer,
            cards=self.cards,
            jobs=self._jobs,
        )

    # ------------------------------------------------------------ helpers
    async def experts(self, theme: str, backup: bool = False) -> list[Member]:
        """The theme's experts (or backup experts), from the partner registry."""
        kind = ScopedRoleKind.BACKUP_THEME if backup else ScopedRoleKind.THEME
        members = await ExpertRepository(self._session).holding(f"{kind.value}:{theme}")
        return [m for m in members if m.has_role(Role.EXPERT)]

    async def names(self, users: list[str]) -> list[tuple[str, str]]:
        """(user, display name) for mentions."""
        partners = PartnerRepository(self._session)
        result = []
        for user in users:
            member = await partners.get_member(user)
            result.append((user, member.display_name if member else user))
        return result

    def relations(self, member: Member, row: QuestionRow) -> frozenset[hd.Relation]:
        """How ``member`` relates to the question (for the permission table)."""
        rel: set[hd.Relation] = set()
        if member.matrix_id == row.asker:
            rel.add(hd.Relation.ASKER)
        if member.matrix_id == row.claimed_by:
            rel.add(hd.Relation.CLAIMER)
        if member.has_role(Role.EXPERT) and member.holds(ScopedRoleKind.THEME, row.theme):
            rel.add(hd.Relation.THEME_EXPERT)
        if member.has_role(Role.EXPERT) and member.holds(ScopedRoleKind.BACKUP_THEME, row.theme):
            rel.add(hd.Relation.BACKUP_EXPERT)
        if member.has_role(Role.KETENMANAGER) or member.has_role(Role.ADMIN):
            rel.add(hd.Relation.KETENMANAGER)
        return frozenset(rel)

    def refused(
        self,
        key: hd.RefusalCode | HelpdeskProblem,
        *,
        status: hd.RefusalStatus | None = None,
        **values: object,
    ) -> Refused:
        """A refusal worded from ``helpdesk.refused.<key>`` (the key kept on
        ``Refused.key``); nothing is kept: the runtime rolls the command back."""
        return Refused(self.view.refusal(key, status=status, **values), key.value)

    def did_you_mean(self, typed: str, choices: Iterable[str]) -> str:
        """`` Bedoel je …?`` or ``""`` (``Messages.did_you_mean``)."""
        return self.view.did_you_mean(typed, choices)

    def lesson_title(self, reference: str) -> str:
        """The working title of a lesson draft from case ``reference``."""
        return self.view.t("helpdesk.card.lesson_title", reference=reference)

    async def audit(
        self, actor: str, action: str, room_id: str | None, entity: str, **details: Any
    ) -> None:
        """One audit entry (identifiers and codes only, never question or answer text)."""
        org = None
        if actor != BOT:
            member = await PartnerRepository(self._session).get_member(actor)
            org = member.organisation.code if member else None
        await Audit(self._session, self.now, self._device_cross_signed).record(
            f"helpdesk.{action}",
            actor=actor,
            actor_org=org,
            room_id=room_id,
            entity_type="card" if entity.startswith("K-") else "question",
            entity_id=entity,
            details=details,
        )

    async def question(self, reference: str) -> QuestionRow:
        """The question ``VR-<jaar>-<nr>``, or a refusal."""
        match = _QUESTION_REF.match(reference.strip())
        row = await self.questions.by_number(int(match[1]), int(match[2])) if match else None
        if row is None:
            raise self.refused(HelpdeskProblem.QUESTION_UNKNOWN, reference=reference.strip())
        return row

    # ------------------------------------------------------------ asking
    async def ask(
        self, member: Member, room_id: str, event_id: str, theme: str, text: str
    ) -> QuestionOutcome:
        """``!vraag <thema> <vraag>`` in a helpdesk room: the question, its thread, the
        theme's experts mentioned there and told by direct message."""
        if room_id not in self.settings.rooms:
            raise self.refused(HelpdeskProblem.NOT_HELPDESK_ROOM)
        code = theme.strip().lower()
        if code not in self.settings.themes:
            raise self.refused(
                HelpdeskProblem.THEME_UNKNOWN,
                theme=theme,
                themes=", ".join(self.settings.themes),
                suggestion=self.view.did_you_mean(theme, self.settings.themes),
            )
        if contains_bsn(text):
            raise self.refused(HelpdeskProblem.BSN_IN_QUESTION)
        row = await self.questions.create(
            year=self.calendar.local_date(self.now).year,
            room_id=room_id,
            thread_root=event_id,
            theme=code,
            text=text.strip(),
            asker=member.matrix_id,
            now=self.now,
        )
        await self.events.arm_sla(row, to_domain(row))
        # A 🙋 on the question claims it (see ``claim_by_reaction``).
        await ReactionTargetRepository(self._session).add_event(
            event_id, REACTION_KIND, row.reference, room_id, self.now
        )
        experts = [m.matrix_id for m in await self.experts(code) if m.matrix_id != member.matrix_id]
        for expert in experts:
            reply = self.view.expert_notice(row, room_id)
            await self._direct(expert, f"helpdesk:{row.reference}:new:{expert}", reply)
        await self.audit(member.matrix_id, QuestionEvent.ASKED, room_id, row.reference, theme=code)
        return QuestionOutcome(QuestionEvent.ASKED, row, member.matrix_id, tuple(experts))

    # ------------------------------------------------------------ transitions
    async def _transition(
        self,
        member: Member,
        reference: str,
        step: Callable[[hd.Question, frozenset[hd.Relation]], tuple[hd.Question, Any] | hd.Refusal],
        name: QuestionEvent,
    ) -> QuestionOutcome:
        row = await self.question(reference)
        outcome = step(to_domain(row), self.relations(member, row))
        if isinstance(outcome, hd.Refusal):
            raise self.refused(outcome.code, reference=row.reference, status=outcome.status)
        state, event = outcome
        fresh = await self.apply(row, state, event)
        await self.audit(member.matrix_id, name, row.room_id, row.reference)
        notify = self._notify_for(fresh, event, member.matrix_id)
        return QuestionOutcome(name, fresh, member.matrix_id, notify)

    @staticmethod
    def _notify_for(row: QuestionRow, event: object, actor: str) -> tuple[str, ...]:
        if isinstance(event, hd.Answered | hd.Claimed) and row.asker != actor:
            return (row.asker,)
        if isinstance(event, hd.Reopened) and row.claimed_by and row.claimed_by != actor:
            return (row.claimed_by,)
        return ()

    async def apply(self, row: QuestionRow, state: hd.Question, event: Any) -> QuestionRow:
        """Store the new state (if nobody changed the question meanwhile) and run the
        event's persisting function."""
        changed = await self.questions.update(
            row.id,
            row.status,
            status=state.status.value,
            claimed_by=state.claimed_by,
            first_response_at=state.first_response_at,
            answered_at=state.answered_at,
            answered_by=state.answered_by,
            closed_at=state.closed_at,
            solution_from=state.solution_from,
        )
        if not changed:
            raise self.refused(HelpdeskProblem.CHANGED_MEANWHILE, reference=row.reference)
        await self.events.apply(row, state, event)
        fresh = await self.questions.get(row.id)
        assert fresh is not None
        return fresh

    async def claim(self, member: Member, reference: str) -> QuestionOutcome:
        """``!oppakken VR-…`` (and 🙋 on the question)."""

        def step(q: hd.Question, rel: frozenset[hd.Relation]) -> Step:
            return hd.claim(q, member.matrix_id, rel, self.now)

        return await self._transition(member, reference, step, QuestionEvent.CLAIMED)

    async def answer(self, member: Member, reference: str, text: str) -> QuestionOutcome:
        """``!antwoord VR-… <tekst>``: refused when the text holds a BSN-valid number."""
        if contains_bsn(text):
            raise self.refused(HelpdeskProblem.BSN_IN_ANSWER)
        row = await self.question(reference)
        # Stored first: the persisting function of the Answered event indexes it.
        await self.questions.update(row.id, row.status, answer=text.strip())

        def step(q: hd.Question, rel: frozenset[hd.Relation]) -> Step:
            return hd.answer(q, member.matrix_id, rel, self.now)

        return await self._transition(member, reference, step, QuestionEvent.ANSWERED)

    async def confirm(self, member: Member, reference: str) -> QuestionOutcome:
        """``!opgelost VR-…``."""

        def step(q: hd.Question, rel: frozenset[hd.Relation]) -> Step:
            return hd.confirm(q, member.matrix_id, rel, self.now)

        return await self._transition(member, reference, step, QuestionEvent.CONFIRMED)

    async def reopen(self, member: Member, reference: str) -> QuestionOutcome:
        """``!heropen VR-…``."""

        def step(q: hd.Question, rel: frozenset[hd.Relation]) -> Step:
            return hd.reopen(q, member.matrix_id, rel, self.now)

        return await self._transition(member, reference, step, QuestionEvent.REOPENED)

    async def claim_by_reaction(self, member: Member, room_id: str, event_id: str) -> Reply | None:
        """A 🙋 on a question's first message: claim it, and queue the thread reply here
        (a reaction has no command reply). ``None`` when the event is no question or the
        claim is refused (a reaction is not answered with an error)."""
        row = await self.questions.by_thread_root(event_id)
        if row is None or row.room_id != room_id:
            return None
        try:
            outcome = await self.claim(member, row.reference)
        except Refused:
            return None
        reply = await self.reply_for(outcome, room_id)
        await self._enqueue(f"helpdesk:{row.reference}:claim:{event_id}", room_id, reply)
        return reply

    async def reply_for(self, outcome: QuestionOutcome, room_id: str) -> Reply:
        """The reply for ``outcome`` of a command sent in ``room_id``: into the question's
        thread when that is the question's room. A command sent elsewhere (say, in the
        expert's direct chat with the bot) is answered there, and the thread gets the same
        message (queued here), so everyone following the question sees it."""
        q = outcome.question
        mentions = await self.names(list(outcome.notify))
        claimer = (await self.names([q.claimed_by]))[0][1] if q.claimed_by else ""
        if room_id != q.room_id:
            in_thread = self.view.question_outcome(outcome, mentions, claimer, True)
            key = f"helpdesk:{q.reference}:{outcome.event}:{self.now.isoformat()}"
            await self._enqueue(key, q.room_id, in_thread)
        return self.view.question_outcome(outcome, mentions, claimer, room_id == q.room_id)

    # ------------------------------------------------------------ overviews
    def window(self, page: int) -> Window:
        """Page ``page`` of a helpdesk list (``!vragen``, ``!zoek``): ``list_limit`` items."""
        return window(page, self.settings.list_limit)

    async def open_list(self, room_id: str, win: Window) -> OpenList:
        """``!vragen [pagina=]`` in a helpdesk room: unanswered questions there, oldest
        first; the page ``win``."""
        if room_id not in self.settings.rooms:
            raise self.refused(HelpdeskProblem.NOT_HELPDESK_ROOM)
        rows, total = await self.questions.open_questions([room_id], win.limit, win.offset)
        claimers = sorted({q.claimed_by for q in rows if q.claimed_by})
        return OpenList(rows, total, dict(await self.names(claimers)))

    async def search(self, query: str, win: Window) -> SearchResult:
        """``!zoek <woorden> [pagina=]``: published cards and answered questions, best
        first; the page ``win``."""
        if not self._analyzer.query(query):
            raise self.refused(HelpdeskProblem.SEARCH_EMPTY)
        return await search_knowledge(
            self._session, self._analyzer, query, win.limit, offset=win.offset
        )

    async def plate_section(self, member: Member) -> tuple[str, list[str]]:
        """For ``!mijn``: questions waiting for the member and their cards due for review."""
        limit = self.settings.list_limit
        waiting = await self.questions.waiting_for(member.matrix_id, limit)
        due = await self.cards.due_for_review(member.matrix_id, self.now, limit)
        return self.view.plate(member.matrix_id, waiting, due)

    # ------------------------------------------------------------ knowledge cards
    async def card(self, reference: str) -> CardRow:
        """The card ``K-<nr>``, or a refusal (see ``KnowledgeCards.card``)."""
        return await self.knowledge.card(reference)

    async def card_new(
        self, member: Member, reference: str, theme: str | None = None
    ) -> CardOutcome:
        """``!kennis nieuw VR-…|AVZ-…`` (see ``KnowledgeCards.card_new``)."""
        return await self.knowledge.card_new(member, reference, theme)

    async def card_edit(
        self, member: Member, reference: str, title: str | None, body: str | None
    ) -> CardOutcome:
        """``!kennis bewerk K-…`` (see ``KnowledgeCards.card_edit``)."""
        return await self.knowledge.card_edit(member, reference, title, body)

    async def card_publish(self, member: Member, reference: str) -> CardOutcome:
        """``!kennis publiceer K-…`` (see ``KnowledgeCards.card_publish``)."""
        return await self.knowledge.card_publish(member, reference)

    async def card_confirm(self, member: Member, reference: str) -> CardOutcome:
        """``!kennis bevestig K-…`` (see ``KnowledgeCards.card_confirm``)."""
        return await self.knowledge.card_confirm(member, reference)

    async def card_retire(self, member: Member, reference: str) -> CardOutcome:
        """``!kennis vervallen K-…`` (see ``KnowledgeCards.card_retire``)."""
        return await self.knowledge.card_retire(member, reference)
