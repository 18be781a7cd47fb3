"""What the helpdesk services hand to their view: the outcomes of questions and cards.

Below ``service``, ``cards`` and ``view``: the services return these and the view words
them (``avz_bot.services.helpdesk.view``) without knowing the services.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from storage.helpdesk_repositories import CardRow, QuestionRow


class QuestionEvent(StrEnum):
    """What happened to a question (catalogue ``helpdesk.<value>``, audit ``helpdesk.<value>``)."""

    ASKED = "asked"
    CLAIMED = "claimed"
    ANSWERED = "answered"
    CONFIRMED = "confirmed"
    REOPENED = "reopened"


class CardEvent(StrEnum):
    """What a ``!kennis`` command did (catalogue ``helpdesk.card.<value>``)."""

    CREATED = "created"
    EDITED = "edited"
    PUBLISHED = "published"
    CONFIRMED = "confirmed"
    RETIRED = "retired"


@dataclass(frozen=True, slots=True)
class QuestionOutcome:
    """A question changed (or was asked): ``event`` names what happened."""

    event: QuestionEvent
    question: QuestionRow
    actor: str
    #: Users the reply mentions (the theme's experts for a new question, the asker ...).
    notify: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class OpenList:
    """``!vragen``: open questions (oldest first), how many in all."""

    questions: list[QuestionRow]
    total: int
    #: Display names of who took them.
    names: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CardOutcome:
    """A knowledge card changed: ``event`` says how."""

    event: CardEvent
    card: CardRow
