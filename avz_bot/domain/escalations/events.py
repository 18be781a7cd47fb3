"""What happens to an escalation: the domain events the service persists, one kind each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from avz_bot.domain.escalations.model import EscalationStatus, FrozenLevel

# ------------------------------------------------------------------------ events


@dataclass(frozen=True, slots=True)
class EscalationEvent:
    """Something that happened to an escalation; ``actor`` is None for the clocks."""

    at: datetime
    actor: str | None


@dataclass(frozen=True, slots=True)
class LevelStarted(EscalationEvent):
    """The escalation now waits at ``level`` for an acknowledgement (ping its targets)."""

    level: FrozenLevel
    reason: str | None  # why it moved here (None for the first level)
    automatic: bool  # moved by the clock rather than by a person


@dataclass(frozen=True, slots=True)
class Acknowledged(EscalationEvent):
    """A target acknowledged the current level (``actor``)."""

    level: int
    via_reaction: bool


@dataclass(frozen=True, slots=True)
class Released(EscalationEvent):
    """The acknowledger released it: the level waits again, its clock restarts."""

    level: int


@dataclass(frozen=True, slots=True)
class Decided(EscalationEvent):
    """The acknowledger recorded the decision; the escalation is closed as decided."""

    level: int
    decision: str


@dataclass(frozen=True, slots=True)
class Closed(EscalationEvent):
    """Closed otherwise: de-escalated or withdrawn, with the reason."""

    status: EscalationStatus
    reason: str


@dataclass(frozen=True, slots=True)
class AckReminder(EscalationEvent):
    """The acknowledgement timeout passed once: remind the level's targets."""

    level: int


@dataclass(frozen=True, slots=True)
class LastLevelUnacknowledged(EscalationEvent):
    """The last level did not acknowledge either: tell the coordination room."""

    level: int


@dataclass(frozen=True, slots=True)
class DecisionReminder(EscalationEvent):
    """The decision timeout passed once: remind the acknowledger."""

    level: int
    acknowledger: str


@dataclass(frozen=True, slots=True)
class DecisionOverdue(EscalationEvent):
    """The decision timeout passed twice: tell the coordination room."""

    level: int
    acknowledger: str
