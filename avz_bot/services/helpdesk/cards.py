"""Knowledge cards: draft → published → due for review → confirmed or retired.

A collaborator of :class:`avz_bot.services.helpdesk.service.HelpdeskService` (built once
per service, given what it uses; the question side it needs comes in as a ``QuestionDesk``);
the same unit-of-work rules apply: load, apply the domain rule, persist with any job, audit,
return an outcome for the view.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.domain import helpdesk as hd
from avz_bot.domain.cases import CaseStatus
from avz_bot.domain.dutch_search import DutchAnalyzer
from avz_bot.domain.partners import Member, Role, ScopedRoleKind
from avz_bot.domain.signals.identifiers import contains_bsn
from avz_bot.domain.workdays import WorkCalendar
from avz_bot.services.helpdesk.results import CardEvent, CardOutcome
from avz_bot.services.helpdesk.search import put_document
from avz_bot.services.refusal import Refused
from avz_bot.settings_sections.helpdesk import HelpdeskSettings
from storage.case_repositories import CaseRepository
from storage.helpdesk_repositories import (
    KIND_CARD,
    CardRepository,
    CardRow,
    QuestionRow,
    SearchRepository,
)
from storage.schedule_repositories import JobRepository

JOB_REVIEW = "helpdesk.review"
_CASE_REF = re.compile(r"^avz-\d{4}-\d{1,7}$", re.IGNORECASE)
_CARD_REF = re.compile(r"^k-(\d{1,7})$", re.IGNORECASE)
#: Longest card title made from a question.
TITLE_LENGTH = 120


class HelpdeskProblem(StrEnum):
    """Why the service refused a helpdesk command (besides the domain's ``hd.RefusalCode``);
    catalogue ``helpdesk.refused.<value>``."""

    NOT_HELPDESK_ROOM = "not_helpdesk_room"
    THEME_UNKNOWN = "theme_unknown"
    BSN_IN_QUESTION = "bsn_in_question"
    BSN_IN_ANSWER = "bsn_in_answer"
    QUESTION_UNKNOWN = "question_unknown"
    CARD_UNKNOWN = "card_unknown"
    CASE_UNKNOWN = "case_unknown"
    CHANGED_MEANWHILE = "changed_meanwhile"
    SEARCH_EMPTY = "search_empty"
    EDIT_NOTHING = "edit_nothing"
    LESSON_WRONG_STATUS = "lesson_wrong_status"
    LESSON_NOT_ALLOWED = "lesson_not_allowed"
    CARD_NOT_ALLOWED = "card_not_allowed"


#: A lesson refused by the domain (``hd.check_lesson``), in the lesson's own words.
LESSON_PROBLEMS: dict[hd.RefusalCode, HelpdeskProblem] = {
    hd.RefusalCode.WRONG_STATUS: HelpdeskProblem.LESSON_WRONG_STATUS,
    hd.RefusalCode.NOT_ALLOWED: HelpdeskProblem.LESSON_NOT_ALLOWED,
}


def review_key(card_id: int) -> str:
    """Dedupe key of a card's review job."""
    return f"helpdesk:card:{card_id}:review"


class QuestionDesk(Protocol):
    """What the cards need from the question side of the helpdesk (``HelpdeskService``)."""

    async def question(self, reference: str) -> QuestionRow:
        """The question ``VR-<jaar>-<nr>``, or a refusal."""
        ...

    def relations(self, member: Member, row: QuestionRow) -> frozenset[hd.Relation]:
        """How ``member`` relates to the question."""
        ...

    async def audit(
        self, actor: str, action: str, room_id: str | None, entity: str, **details: Any
    ) -> None:
        """One audit entry."""
        ...

    def lesson_title(self, reference: str) -> str:
        """The working title of a lesson draft from case ``reference``."""
        ...

    def refused(
        self,
        key: hd.RefusalCode | HelpdeskProblem,
        *,
        status: hd.RefusalStatus | None = None,
        **values: object,
    ) -> Refused:
        """A refusal worded from ``helpdesk.refused.<key>`` (see ``HelpdeskService``)."""
        ...

    def did_you_mean(self, typed: str, choices: Iterable[str]) -> str:
        """`` Bedoel je …?`` or ``""`` (``Messages.did_you_mean``)."""
        ...


class KnowledgeCards:
    """The ``!kennis`` operations (a collaborator of ``HelpdeskService``)."""

    def __init__(
        self,
        session: AsyncSession,
        desk: QuestionDesk,
        *,
        now: datetime,
        settings: HelpdeskSettings,
        calendar: WorkCalendar,
        analyzer: DutchAnalyzer,
        cards: CardRepository,
        jobs: JobRepository,
    ) -> None:
        self._session = session
        self._desk = desk
        self._now = now
        self._settings = settings
        self._calendar = calendar
        self._analyzer = analyzer
        self._cards = cards
        self._jobs = jobs

    def card_relations(self, member: Member, card: CardRow) -> frozenset[hd.Relation]:
        """How ``member`` relates to the card."""
        rel: set[hd.Relation] = set()
        if member.matrix_id == card.owner:
            rel.add(hd.Relation.OWNER)
        if member.has_role(Role.EXPERT) and member.holds(ScopedRoleKind.THEME, card.theme):
            rel.add(hd.Relation.THEME_EXPERT)
        if member.has_role(Role.KETENMANAGER) or member.has_role(Role.ADMIN):
            rel.add(hd.Relation.KETENMANAGER)
        return frozenset(rel)

    async def card(self, reference: str) -> CardRow:
        """The card ``K-<nr>``, or a refusal."""
        match = _CARD_REF.match(reference.strip())
        row = await self._cards.by_number(int(match[1])) if match else None
        if row is None:
            raise self._desk.refused(HelpdeskProblem.CARD_UNKNOWN, reference=reference.strip())
        return row

    def _refuse(
        self, refusal: hd.Refusal, reference: str, action: hd.CardAction | None = None
    ) -> Refused:
        """The refusal of a domain rule, as the service raises it. A card action the
        member may not do names who may, from the one table (``hd.CARD_PERMISSIONS``)."""
        allowed = None
        if action is not None and refusal.code is hd.RefusalCode.NOT_ALLOWED:
            allowed = hd.CARD_PERMISSIONS.get((action, hd.CardState(refusal.status)))
        if allowed is not None:
            return self._desk.refused(
                HelpdeskProblem.CARD_NOT_ALLOWED,
                reference=reference,
                status=refusal.status,
                action=action,
                allowed=allowed,
            )
        return self._desk.refused(refusal.code, reference=reference, status=refusal.status)

    # ------------------------------------------------------------ cards
    async def _card_step(
        self, member: Member, card: CardRow, action: hd.CardAction
    ) -> hd.CardState:
        state = hd.card_state(hd.CardStatus(card.status), card.review_due, self._now)
        refusal = hd.check_card(action, state, self.card_relations(member, card))
        if refusal is not None:
            raise self._refuse(refusal, card.reference, action)
        return state

    async def card_new(
        self, member: Member, reference: str, theme: str | None = None
    ) -> CardOutcome:
        """``!kennis nieuw VR-…``: a draft card from an answered question;
        ``!kennis nieuw AVZ-… thema=…``: an empty lesson draft from a closed case."""
        if _CASE_REF.match(reference.strip()):
            return await self._lesson(member, reference.strip().upper(), theme)
        row = await self._desk.question(reference)
        refusal = hd.check_question(
            hd.QuestionAction.MAKE_CARD,
            hd.QuestionStatus(row.status),
            self._desk.relations(member, row),
        )
        if refusal is not None:
            raise self._refuse(refusal, row.reference)
        card = await self._cards.create(
            theme=row.theme,
            title=row.text[:TITLE_LENGTH],
            body=row.answer or "",
            owner=member.matrix_id,
            question_id=row.id,
            now=self._now,
        )
        await self._desk.audit(
            member.matrix_id, "card.created", None, card.reference, question=row.reference
        )
        return CardOutcome(CardEvent.CREATED, card)

    async def _lesson(self, member: Member, reference: str, theme: str | None) -> CardOutcome:
        """A draft for a lesson from a closed case: no text is copied from the case (it
        is about people); the owner writes the lesson, publishing checks it.

        Membership first, as for every case command (``avz_bot.domain.cases.check``), a
        ketenmanager included: a non-member gets the reply for an unknown case, so the
        command tells nobody outside the case whether it exists or what its status is.
        Then permission, then the case's status (``hd.check_lesson``).
        """
        cases = CaseRepository(self._session)
        case = await cases.by_reference(reference)
        membership = await cases.get_member(case.id, member.matrix_id) if case else None
        if case is None or membership is None or not membership.active:
            raise self._desk.refused(HelpdeskProblem.CASE_UNKNOWN, reference=reference)
        relations: set[hd.Relation] = set()
        if case.regie_holder == member.matrix_id:
            relations.add(hd.Relation.REGIEHOUDER)
        if member.has_role(Role.KETENMANAGER) or member.has_role(Role.ADMIN):
            relations.add(hd.Relation.KETENMANAGER)
        status = CaseStatus(case.status)
        refusal = hd.check_lesson(status, frozenset(relations))
        if refusal is not None:
            raise self._desk.refused(
                LESSON_PROBLEMS[refusal.code], reference=reference, status=status
            )
        code = (theme or "").strip().lower()
        if code not in self._settings.themes:
            raise self._desk.refused(
                HelpdeskProblem.THEME_UNKNOWN,
                theme=theme or "",
                themes=", ".join(self._settings.themes),
                suggestion=self._desk.did_you_mean(theme or "", self._settings.themes),
            )
        card = await self._cards.create(
            theme=code,
            title=self._desk.lesson_title(reference),
            body="",
            owner=member.matrix_id,
            question_id=None,
            now=self._now,
        )
        await self._desk.audit(
            member.matrix_id, "card.created", None, card.reference, case=reference
        )
        return CardOutcome(CardEvent.CREATED, card)

    async def card_edit(
        self, member: Member, reference: str, title: str | None, body: str | None
    ) -> CardOutcome:
        """``!kennis bewerk K-… titel=… tekst=…``: a published card stays published only
        while its text passes the BSN guard."""
        card = await self.card(reference)
        state = await self._card_step(member, card, hd.CardAction.EDIT)
        if not (title or body):
            raise self._desk.refused(HelpdeskProblem.EDIT_NOTHING, reference=card.reference)
        new_title, new_body = (title or card.title).strip(), (body or card.body).strip()
        if state is not hd.CardState.DRAFT and contains_bsn(f"{new_title}\n{new_body}"):
            raise self._desk.refused(hd.RefusalCode.BSN, reference=card.reference, status=state)
        await self._cards.update(
            card.id, card.status, title=new_title, body=new_body, updated_at=self._now
        )
        fresh = await self._cards.get(card.id)
        assert fresh is not None
        if fresh.status == hd.CardStatus.PUBLISHED.value:
            await self._index_card(fresh)
        await self._desk.audit(member.matrix_id, "card.edited", None, card.reference)
        return CardOutcome(CardEvent.EDITED, fresh)

    async def card_publish(self, member: Member, reference: str) -> CardOutcome:
        """``!kennis publiceer K-…``: refused with a BSN-valid number in the text."""
        card = await self.card(reference)
        state = hd.card_state(hd.CardStatus(card.status), card.review_due, self._now)
        refusal = hd.check_publish(state, self.card_relations(member, card), card.title, card.body)
        if refusal is not None:
            raise self._refuse(refusal, card.reference, hd.CardAction.PUBLISH)
        due = hd.review_due_from(self._now, self._settings.review_days, self._calendar)
        await self._cards.update(
            card.id,
            card.status,
            status=hd.CardStatus.PUBLISHED.value,
            published_at=self._now,
            review_due=due,
            updated_at=self._now,
        )
        fresh = await self._cards.get(card.id)
        assert fresh is not None
        await self._index_card(fresh)
        await self._arm_review(fresh)
        await self._desk.audit(member.matrix_id, "card.published", None, card.reference)
        return CardOutcome(CardEvent.PUBLISHED, fresh)

    async def card_confirm(self, member: Member, reference: str) -> CardOutcome:
        """``!kennis bevestig K-…``: still right; the next review is ``review_days`` away."""
        card = await self.card(reference)
        await self._card_step(member, card, hd.CardAction.CONFIRM)
        due = hd.review_due_from(self._now, self._settings.review_days, self._calendar)
        await self._cards.update(card.id, card.status, review_due=due, updated_at=self._now)
        fresh = await self._cards.get(card.id)
        assert fresh is not None
        await self._arm_review(fresh)
        await self._desk.audit(member.matrix_id, "card.confirmed", None, card.reference)
        return CardOutcome(CardEvent.CONFIRMED, fresh)

    async def card_retire(self, member: Member, reference: str) -> CardOutcome:
        """``!kennis vervallen K-…``: out of the search, no more reviews."""
        card = await self.card(reference)
        await self._card_step(member, card, hd.CardAction.RETIRE)
        await self._cards.update(
            card.id,
            card.status,
            status=hd.CardStatus.RETIRED.value,
            retired_at=self._now,
            updated_at=self._now,
        )
        await SearchRepository(self._session).remove(KIND_CARD, card.id)
        await self._jobs.cancel_key(review_key(card.id), self._now)
        fresh = await self._cards.get(card.id)
        assert fresh is not None
        await self._desk.audit(member.matrix_id, "card.retired", None, card.reference)
        return CardOutcome(CardEvent.RETIRED, fresh)

    async def _index_card(self, card: CardRow) -> None:
        await put_document(
            self._session,
            self._analyzer,
            kind=KIND_CARD,
            entity_id=card.id,
            reference=card.reference,
            title=card.title,
            theme=card.theme,
            body=card.body,
            now=self._now,
        )

    async def _arm_review(self, card: CardRow) -> None:
        assert card.review_due is not None
        await self._jobs.schedule(
            JOB_REVIEW,
            self._calendar.next_office_moment(card.review_due),
            {"card_id": card.id, "review_due": card.review_due.isoformat()},
            self._now,
            dedupe_key=review_key(card.id),
            entity_type="card",
            entity_id=card.reference,
        )
