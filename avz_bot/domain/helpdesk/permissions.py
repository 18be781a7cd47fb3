"""Who may do what with helpdesk questions and knowledge cards: the tables and their checks (pure).

A question's rule is :data:`QUESTION_PERMISSIONS`, a card's :data:`CARD_PERMISSIONS`: both
map (action, status) to the relations that may take the action; a missing entry means the
action is not possible in that status. Turning a closed case into a lesson card is
:data:`LESSON_PERMISSION`. The checks (:func:`check_question`, :func:`check_card`,
:func:`check_lesson`) are the one place these are enforced; the transitions of
:mod:`avz_bot.domain.helpdesk.lifecycle` call them first.
"""

from __future__ import annotations

from enum import StrEnum

from avz_bot.domain.cases.state import CaseStatus
from avz_bot.domain.helpdesk.status import CardState, QuestionStatus, Refusal, RefusalCode


class QuestionAction(StrEnum):
    """What someone can do to a question."""

    CLAIM = "claim"
    ANSWER = "answer"
    CONFIRM = "confirm"
    REOPEN = "reopen"
    MAKE_CARD = "make_card"


class Relation(StrEnum):
    """How a member relates to a question or card (a member can have several)."""

    ASKER = "asker"
    CLAIMER = "claimer"
    THEME_EXPERT = "theme_expert"
    BACKUP_EXPERT = "backup_expert"
    KETENMANAGER = "ketenmanager"
    OWNER = "owner"
    REGIEHOUDER = "regiehouder"


_EXPERTS = frozenset({Relation.THEME_EXPERT, Relation.BACKUP_EXPERT, Relation.KETENMANAGER})

#: The one rule table: (action, status) → who may. A missing entry: not in this status.
QUESTION_PERMISSIONS: dict[tuple[QuestionAction, QuestionStatus], frozenset[Relation]] = {
    (QuestionAction.CLAIM, QuestionStatus.OPEN): _EXPERTS,
    (QuestionAction.ANSWER, QuestionStatus.OPEN): _EXPERTS,
    (QuestionAction.ANSWER, QuestionStatus.CLAIMED): frozenset({Relation.CLAIMER}),
    (QuestionAction.ANSWER, QuestionStatus.ANSWERED): frozenset({Relation.CLAIMER}),
    (QuestionAction.CONFIRM, QuestionStatus.ANSWERED): frozenset(
        {Relation.ASKER, Relation.KETENMANAGER}
    ),
    (QuestionAction.REOPEN, QuestionStatus.ANSWERED): frozenset(
        {Relation.ASKER, Relation.KETENMANAGER}
    ),
    (QuestionAction.REOPEN, QuestionStatus.CLOSED): frozenset(
        {Relation.ASKER, Relation.CLAIMER, Relation.KETENMANAGER}
    ),
    (QuestionAction.MAKE_CARD, QuestionStatus.ANSWERED): frozenset(
        {Relation.CLAIMER, Relation.KETENMANAGER}
    ),
    (QuestionAction.MAKE_CARD, QuestionStatus.CLOSED): frozenset(
        {Relation.CLAIMER, Relation.KETENMANAGER}
    ),
}


def check_question(
    action: QuestionAction, status: QuestionStatus, relations: frozenset[Relation]
) -> Refusal | None:
    """``None`` if someone with ``relations`` may do ``action`` in ``status``."""
    allowed = QUESTION_PERMISSIONS.get((action, status))
    if allowed is None:
        return Refusal(RefusalCode.WRONG_STATUS, status)
    if not allowed & relations:
        return Refusal(RefusalCode.NOT_ALLOWED, status)
    return None


class CardAction(StrEnum):
    """What someone can do to a card."""

    EDIT = "edit"
    PUBLISH = "publish"
    CONFIRM = "confirm"
    RETIRE = "retire"


_CARD_KEEPERS = frozenset({Relation.OWNER, Relation.KETENMANAGER})

#: The one rule table for cards: (action, state) → who may.
CARD_PERMISSIONS: dict[tuple[CardAction, CardState], frozenset[Relation]] = {
    (CardAction.EDIT, CardState.DRAFT): _CARD_KEEPERS,
    (CardAction.EDIT, CardState.PUBLISHED): _CARD_KEEPERS,
    (CardAction.EDIT, CardState.REVIEW_DUE): _CARD_KEEPERS,
    (CardAction.PUBLISH, CardState.DRAFT): _CARD_KEEPERS | {Relation.THEME_EXPERT},
    (CardAction.CONFIRM, CardState.PUBLISHED): _CARD_KEEPERS,
    (CardAction.CONFIRM, CardState.REVIEW_DUE): _CARD_KEEPERS,
    (CardAction.RETIRE, CardState.DRAFT): _CARD_KEEPERS,
    (CardAction.RETIRE, CardState.PUBLISHED): _CARD_KEEPERS,
    (CardAction.RETIRE, CardState.REVIEW_DUE): _CARD_KEEPERS,
}


def check_card(
    action: CardAction, state: CardState, relations: frozenset[Relation]
) -> Refusal | None:
    """``None`` if someone with ``relations`` may do ``action`` to a card in ``state``."""
    allowed = CARD_PERMISSIONS.get((action, state))
    if allowed is None:
        return Refusal(RefusalCode.WRONG_STATUS, state)
    if not allowed & relations:
        return Refusal(RefusalCode.NOT_ALLOWED, state)
    return None


#: Who may turn a closed case into a lesson card (drafts only; publishing is reviewed).
LESSON_PERMISSION = frozenset({Relation.REGIEHOUDER, Relation.KETENMANAGER})
#: The case status a lesson can be drawn from (``avz_bot.domain.cases``: gesloten).
LESSON_CASE_STATUS = CaseStatus.GESLOTEN


def check_lesson(case_status: CaseStatus, relations: frozenset[Relation]) -> Refusal | None:
    """``!kennis nieuw <casus>``: only a closed case, by its regiehouder or a ketenmanager.

    Permission before state: who may not make a lesson of the case hears nothing about
    its status. (Whether the sender is a member of the case at all, the service checks
    before this: a non-member is told the case does not exist.)
    """
    if not LESSON_PERMISSION & relations:
        return Refusal(RefusalCode.NOT_ALLOWED, case_status)
    if case_status is not LESSON_CASE_STATUS:
        return Refusal(RefusalCode.WRONG_STATUS, case_status)
    return None
