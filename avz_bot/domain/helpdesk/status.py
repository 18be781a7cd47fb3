"""The statuses of helpdesk questions and knowledge cards, and why an action was refused (pure).

See :mod:`avz_bot.domain.helpdesk.lifecycle` for the life cycles and
:mod:`avz_bot.domain.helpdesk.permissions` for who may do what in which status.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from avz_bot.domain.cases.state import CaseStatus


class QuestionStatus(StrEnum):
    """Where a question is in its life cycle (stored as these Dutch words)."""

    OPEN = "open"
    CLAIMED = "opgepakt"
    ANSWERED = "beantwoord"
    CLOSED = "gesloten"


class CardStatus(StrEnum):
    """A knowledge card's stored status."""

    DRAFT = "concept"
    PUBLISHED = "gepubliceerd"
    RETIRED = "vervallen"


class CardState(StrEnum):
    """What the rules see: the stored status, or ``herziening`` when a review is due."""

    DRAFT = "concept"
    PUBLISHED = "gepubliceerd"
    REVIEW_DUE = "herziening"
    RETIRED = "vervallen"


#: The status a refusal names: a question's, a card's or, for a lesson, a case's (each
#: has its own words in the catalogue: ``helpdesk.status.*`` and ``case.status.*``).
RefusalStatus = QuestionStatus | CardState | CaseStatus


class RefusalCode(StrEnum):
    """Why a transition was refused (catalogue key ``helpdesk.refused.<code>``)."""

    WRONG_STATUS = "wrong_status"
    NOT_ALLOWED = "not_allowed"
    BSN = "bsn"
    EMPTY = "empty"


@dataclass(frozen=True, slots=True)
class Refusal:
    """A refused transition: the reason and the status it was refused in (an enum member,
    so the view can tell a question's ``gesloten`` from a case's)."""

    code: RefusalCode
    status: RefusalStatus
