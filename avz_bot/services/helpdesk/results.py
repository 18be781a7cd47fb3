"""What the helpdesk services hand to their view: the outcomes of questions and cards.

Below ``service``, ``cards`` and ``view``: the services return these and the view words
them (``avz_bot.services.helpdesk.view``) without knowing the services.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from storage.helpdesk_repositories import CardRow, QuestionRow


@dataclass(frozen=True, slots=True)
class QuestionOutcome:
    """A question changed (or was asked): ``event`` names what happened."""

    event: str
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
    """A knowledge card changed: ``event`` is ``created``, ``edited``, ``published`` ..."""

    event: str
    card: CardRow
