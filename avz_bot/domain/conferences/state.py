"""A case conference's state, the events that happen to it and a refused action (pure values).

Split from :mod:`avz_bot.domain.conferences.lifecycle` (which holds the rules and re-exports these)
to keep each module about one concept; the permission table
(:mod:`avz_bot.domain.conferences.permissions`) refuses with :class:`Refusal` too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import ClassVar


class ConferenceStatus(StrEnum):
    """The stored status (values are Dutch: they are shown)."""

    GEPLAND = "gepland"
    AFGEROND = "afgerond"
    GEANNULEERD = "geannuleerd"


class Phase(StrEnum):
    """Where a conference is at a moment: the stored status plus the clock."""

    PLANNED = "gepland"
    RUNNING = "loopt"
    CLOSED = "afgerond"
    CANCELLED = "geannuleerd"


class Attendance(StrEnum):
    """A participant's answer, or (during the conference) their corrected presence."""

    ONBEKEND = "onbekend"
    KOMT = "komt"
    AFGEMELD = "afgemeld"
    AANWEZIG = "aanwezig"
    AFWEZIG = "afwezig"

    @property
    def attends(self) -> bool:
        """Whether this counts as present in the minutes."""
        return self in {Attendance.KOMT, Attendance.AANWEZIG}


# ----------------------------------------------------------------- state


@dataclass(frozen=True, slots=True)
class Participant:
    """An invited participant and their answer (``reason`` with ``afgemeld``)."""

    matrix_id: str
    organisation_code: str
    attendance: Attendance = Attendance.ONBEKEND
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class ConferenceState:
    """What the domain needs to decide on a conference command.

    ``starts_at`` is aware UTC; ``duration_minutes`` in minutes; ``sequence`` is the
    iCalendar SEQUENCE (RFC 5545 §3.8.7.4), raised by every move and by cancelling.
    """

    reference: str
    case_reference: str
    status: ConferenceStatus
    starts_at: datetime
    duration_minutes: int
    location: str
    organiser: str
    participants: Mapping[str, Participant]
    sequence: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "participants", MappingProxyType(dict(self.participants)))
        _require_aware(self.starts_at)

    @property
    def ends_at(self) -> datetime:
        """Planned end (start plus duration)."""
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    def phase(self, now: datetime) -> Phase:
        """Planned until its start time, then running until closed."""
        if self.status is ConferenceStatus.AFGEROND:
            return Phase.CLOSED
        if self.status is ConferenceStatus.GEANNULEERD:
            return Phase.CANCELLED
        return Phase.RUNNING if now >= self.starts_at else Phase.PLANNED

    def attendees(self) -> list[Participant]:
        """Participants who (said they) attend, by organisation then id."""
        return _ordered(p for p in self.participants.values() if p.attendance.attends)

    def absentees(self) -> list[Participant]:
        """Everyone else invited, by organisation then id."""
        return _ordered(p for p in self.participants.values() if not p.attendance.attends)


def _ordered(people: Iterable[Participant]) -> list[Participant]:
    return sorted(people, key=lambda p: (p.organisation_code, p.matrix_id))


# ----------------------------------------------------------------- events


@dataclass(frozen=True, slots=True)
class ConferenceEvent:
    """Something that happened to a conference; ``kind`` names its persisting handler."""

    kind: ClassVar[str] = "conference_event"

    reference: str
    at: datetime
    actor: str


@dataclass(frozen=True, slots=True)
class Planned(ConferenceEvent):
    """A conference was planned (the state is the new conference)."""

    kind: ClassVar[str] = "planned"


@dataclass(frozen=True, slots=True)
class Moved(ConferenceEvent):
    """A conference moved to a new start (and duration)."""

    kind: ClassVar[str] = "moved"

    old_start: datetime
    reason: str


@dataclass(frozen=True, slots=True)
class Cancelled(ConferenceEvent):
    """A conference was cancelled."""

    kind: ClassVar[str] = "cancelled"

    reason: str


@dataclass(frozen=True, slots=True)
class AttendanceGiven(ConferenceEvent):
    """A participant answered (komt / afgemeld), or an organiser corrected presence."""

    kind: ClassVar[str] = "attendance"

    user: str
    attendance: Attendance
    reason: str | None


@dataclass(frozen=True, slots=True)
class ItemAdded(ConferenceEvent):
    """A member put an item on the agenda."""

    kind: ClassVar[str] = "item"

    text: str


@dataclass(frozen=True, slots=True)
class DecisionRecorded(ConferenceEvent):
    """A decision for the minutes (corrections are new decisions, never edits)."""

    kind: ClassVar[str] = "decision"

    text: str


@dataclass(frozen=True, slots=True)
class Closed(ConferenceEvent):
    """The conference was closed; the minutes are final."""

    kind: ClassVar[str] = "closed"


@dataclass(frozen=True, slots=True)
class Transition:
    """An accepted change: the new state and what happened."""

    state: ConferenceState
    events: tuple[ConferenceEvent, ...]


def _require_aware(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("datetimes must be timezone-aware")


class RefusalCode(StrEnum):
    """Why a conference transition was refused (catalogue ``conference.refusal.<code>``)."""

    NOT_A_MEMBER = "not_a_member"
    CASE_CLOSED = "case_closed"
    NOT_PERMITTED = "not_permitted"  # params: allowed (comma-separated actors)
    WRONG_PHASE = "wrong_phase"  # params: reference, phase
    TIME_REQUIRED = "time_required"
    NOT_IN_FUTURE = "not_in_future"
    BAD_DURATION = "bad_duration"  # params: max
    REASON_REQUIRED = "reason_required"
    TEXT_REQUIRED = "text_required"
    NOT_A_CASE_MEMBER = "not_a_case_member"  # params: user
    NO_PARTICIPANTS = "no_participants"
    SAME_TIME = "same_time"


@dataclass(frozen=True, slots=True)
class Refusal:
    """A refused transition: a code for the catalogue and its parameters."""

    code: RefusalCode
    params: Mapping[str, str] = field(default_factory=dict)
