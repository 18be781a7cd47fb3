"""Case conferences (casusoverleg): life cycle and who may do what (pure).

A conference belongs to one case and goes through::

    gepland ──(verzetten)──> gepland (SEQUENCE + 1)
       │ └───(annuleren)──> geannuleerd           (final)
       └──(start time passes)──> loopt ──(afronden)──> afgerond   (final)

"Loopt" (running) is not stored: a planned conference runs from its start time until it
is closed (:meth:`ConferenceState.phase`). Nothing here does I/O; every transition takes
the current :class:`ConferenceState` (or ``None`` when planning), the case as the case
domain sees it (:class:`~avz_bot.domain.cases.CaseState`), the acting member and an aware
``now``, and returns a :class:`Transition` or a :class:`Refusal`.

Permissions live in one place, :data:`PERMISSIONS`, enforced in one place, :func:`check`.
The case's own rules come first, exactly as in :func:`avz_bot.domain.cases.check`:
only members of the case may do anything, and a closed case accepts no changes.
The actors reuse the case's concepts (member, regiehouder, ketenmanager, the case's
casemanager role) plus two relationships to the conference itself: its organiser (who
planned it) and its participants (who were invited).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType

from avz_bot.domain.cases import CaseState
from avz_bot.domain.conferences.state import (
    Attendance,
    AttendanceGiven,
    Cancelled,
    Closed,
    ConferenceEvent,
    ConferenceState,
    ConferenceStatus,
    DecisionRecorded,
    ItemAdded,
    Moved,
    Participant,
    Phase,
    Planned,
    Transition,
)
from avz_bot.domain.partners import Member, Role

#: Longest conference one can plan (minutes): a whole working day.
MAX_DURATION_MINUTES = 8 * 60

__all__ = [
    "MAX_DURATION_MINUTES",
    "PERMISSIONS",
    "PHASES",
    "Attendance",
    "AttendanceGiven",
    "Cancelled",
    "Closed",
    "ConferenceAction",
    "ConferenceActor",
    "ConferenceEvent",
    "ConferenceState",
    "ConferenceStatus",
    "DecisionRecorded",
    "ItemAdded",
    "Moved",
    "Outcome",
    "Participant",
    "Phase",
    "Planned",
    "Refusal",
    "RefusalCode",
    "Transition",
    "actors_for",
    "add_item",
    "answer",
    "cancel",
    "check",
    "close",
    "correct_attendance",
    "decide",
    "move",
    "permission_table_rows",
    "plan",
]


class ConferenceAction(StrEnum):
    """Everything one can do with a conference; the keys of :data:`PERMISSIONS`."""

    PLAN = "plan"
    MOVE = "move"
    CANCEL = "cancel"
    CLOSE = "close"
    DECIDE = "decide"
    CORRECT_ATTENDANCE = "correct_attendance"
    ADD_ITEM = "add_item"
    ATTEND = "attend"
    VIEW = "view"


class ConferenceActor(StrEnum):
    """A relationship to the case or the conference (see :func:`actors_for`).

    The first four are the case's concepts (``avz_bot.domain.cases.Actor`` and the
    casemanager role of ``CaseMember``); the last two are about the conference.
    """

    MEMBER = "member"
    REGIEHOUDER = "regiehouder"
    CASEMANAGER = "casemanager"
    KETENMANAGER = "ketenmanager"
    ORGANISER = "organiser"
    PARTICIPANT = "participant"


_ORGANISERS = frozenset(
    {
        ConferenceActor.REGIEHOUDER,
        ConferenceActor.CASEMANAGER,
        ConferenceActor.KETENMANAGER,
        ConferenceActor.ORGANISER,
    }
)

PERMISSIONS: Mapping[ConferenceAction, frozenset[ConferenceActor]] = MappingProxyType(
    {
        # Planning needs a case role: the organiser does not exist yet.
        ConferenceAction.PLAN: _ORGANISERS - {ConferenceActor.ORGANISER},
        ConferenceAction.MOVE: _ORGANISERS,
        ConferenceAction.CANCEL: _ORGANISERS,
        ConferenceAction.CLOSE: _ORGANISERS,
        ConferenceAction.DECIDE: _ORGANISERS,
        ConferenceAction.CORRECT_ATTENDANCE: _ORGANISERS,
        ConferenceAction.ADD_ITEM: frozenset({ConferenceActor.MEMBER}),
        # Only invited participants answer (also a ✅/❌ reaction counts only from them).
        ConferenceAction.ATTEND: frozenset({ConferenceActor.PARTICIPANT}),
        ConferenceAction.VIEW: frozenset({ConferenceActor.MEMBER}),
    }
)
"""Which relationships allow which action: any one of them suffices.

Membership of the case is required for every action in addition (see :func:`check`).
"""

#: In which phases each action is possible (checked after the permission).
PHASES: Mapping[ConferenceAction, frozenset[Phase]] = MappingProxyType(
    {
        ConferenceAction.PLAN: frozenset(),  # no conference yet
        ConferenceAction.MOVE: frozenset({Phase.PLANNED}),
        ConferenceAction.CANCEL: frozenset({Phase.PLANNED}),
        ConferenceAction.CLOSE: frozenset({Phase.RUNNING}),
        ConferenceAction.DECIDE: frozenset({Phase.RUNNING}),
        ConferenceAction.CORRECT_ATTENDANCE: frozenset({Phase.RUNNING}),
        ConferenceAction.ADD_ITEM: frozenset({Phase.PLANNED, Phase.RUNNING}),
        ConferenceAction.ATTEND: frozenset({Phase.PLANNED, Phase.RUNNING}),
        ConferenceAction.VIEW: frozenset(Phase),
    }
)


def permission_table_rows() -> list[tuple[ConferenceAction, list[ConferenceActor], list[Phase]]]:
    """The permission table in declaration order (for the README)."""
    return [
        (
            action,
            [a for a in ConferenceActor if a in PERMISSIONS[action]],
            [p for p in Phase if p in PHASES[action]],
        )
        for action in ConferenceAction
    ]


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


Outcome = Transition | Refusal


# ----------------------------------------------------------------- permission


def actors_for(
    case: CaseState, member: Member, conference: ConferenceState | None
) -> frozenset[ConferenceActor]:
    """Every relationship ``member`` has to the case and the conference."""
    user = member.matrix_id
    actors: set[ConferenceActor] = set()
    in_case = case.members.get(user)
    if in_case is not None:
        actors.add(ConferenceActor.MEMBER)
        if in_case.casemanager:
            actors.add(ConferenceActor.CASEMANAGER)
    if case.regie_holder == user:
        actors.add(ConferenceActor.REGIEHOUDER)
    if member.has_role(Role.KETENMANAGER):
        actors.add(ConferenceActor.KETENMANAGER)
    if conference is not None:
        if conference.organiser == user:
            actors.add(ConferenceActor.ORGANISER)
        if user in conference.participants:
            actors.add(ConferenceActor.PARTICIPANT)
    return frozenset(actors)


def check(
    action: ConferenceAction,
    case: CaseState,
    member: Member,
    conference: ConferenceState | None,
    now: datetime,
) -> Refusal | None:
    """``None`` if ``member`` may do ``action`` now, else why not.

    Order: membership of the case, a closed case (only VIEW stays), the table, then the
    conference's phase (:data:`PHASES`).
    """
    if not case.is_member(member.matrix_id):
        return Refusal(RefusalCode.NOT_A_MEMBER)
    if case.is_closed and action is not ConferenceAction.VIEW:
        return Refusal(RefusalCode.CASE_CLOSED)
    allowed = PERMISSIONS[action]
    if not actors_for(case, member, conference) & allowed:
        names = ",".join(a for a in ConferenceActor if a in allowed)
        return Refusal(RefusalCode.NOT_PERMITTED, {"allowed": names})
    if conference is not None and conference.phase(now) not in PHASES[action]:
        return Refusal(
            RefusalCode.WRONG_PHASE,
            {"reference": conference.reference, "phase": conference.phase(now).value},
        )
    return None


# ----------------------------------------------------------------- transitions


def plan(
    case: CaseState,
    actor: Member,
    *,
    reference: str,
    starts_at: datetime,
    has_time: bool,
    duration_minutes: int,
    location: str,
    participants: Iterable[str] | None,
    now: datetime,
) -> Outcome:
    """Plan a conference; ``participants`` ``None`` means every member of the case.

    Refused without a time of day (a conference is a meeting, not a deadline), in the
    past, with a duration outside 1..:data:`MAX_DURATION_MINUTES`, or with a participant
    who is not a member of the case (only partners in the case may see it).
    """
    _require_aware(now)
    if (refusal := check(ConferenceAction.PLAN, case, actor, None, now)) is not None:
        return refusal
    if not has_time:
        return Refusal(RefusalCode.TIME_REQUIRED)
    if starts_at <= now:
        return Refusal(RefusalCode.NOT_IN_FUTURE)
    if not 0 < duration_minutes <= MAX_DURATION_MINUTES:
        return Refusal(RefusalCode.BAD_DURATION, {"max": str(MAX_DURATION_MINUTES)})
    chosen = list(case.members) if participants is None else list(dict.fromkeys(participants))
    for user in chosen:
        if not case.is_member(user):
            return Refusal(RefusalCode.NOT_A_CASE_MEMBER, {"user": user})
    if not chosen:
        return Refusal(RefusalCode.NO_PARTICIPANTS)
    people = {
        user: Participant(user, case.members[user].organisation_code) for user in sorted(chosen)
    }
    # The organiser plans it, so they come (they can still say otherwise).
    if actor.matrix_id in people:
        people[actor.matrix_id] = replace(people[actor.matrix_id], attendance=Attendance.KOMT)
    state = ConferenceState(
        reference=reference,
        case_reference=case.reference,
        status=ConferenceStatus.GEPLAND,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        location=location.strip(),
        organiser=actor.matrix_id,
        participants=people,
    )
    return Transition(state, (Planned(reference, now, actor.matrix_id),))


def move(
    conference: ConferenceState,
    case: CaseState,
    actor: Member,
    *,
    starts_at: datetime,
    has_time: bool,
    reason: str,
    now: datetime,
    duration_minutes: int | None = None,
) -> Outcome:
    """Move a planned conference (before it starts); SEQUENCE goes up by one.

    Participants' answers start over: the new time may not suit them.
    """
    _require_aware(now)
    if (refusal := check(ConferenceAction.MOVE, case, actor, conference, now)) is not None:
        return refusal
    if not has_time:
        return Refusal(RefusalCode.TIME_REQUIRED)
    if starts_at <= now:
        return Refusal(RefusalCode.NOT_IN_FUTURE)
    if not (reason := reason.strip()):
        return Refusal(RefusalCode.REASON_REQUIRED)
    duration = conference.duration_minutes if duration_minutes is None else duration_minutes
    if not 0 < duration <= MAX_DURATION_MINUTES:
        return Refusal(RefusalCode.BAD_DURATION, {"max": str(MAX_DURATION_MINUTES)})
    if starts_at == conference.starts_at and duration == conference.duration_minutes:
        return Refusal(RefusalCode.SAME_TIME)
    people = {
        user: replace(
            p,
            attendance=Attendance.KOMT if user == actor.matrix_id else Attendance.ONBEKEND,
            reason=None,
        )
        for user, p in conference.participants.items()
    }
    new = replace(
        conference,
        starts_at=starts_at,
        duration_minutes=duration,
        participants=people,
        sequence=conference.sequence + 1,
    )
    event = Moved(conference.reference, now, actor.matrix_id, conference.starts_at, reason)
    return Transition(new, (event,))


def cancel(
    conference: ConferenceState, case: CaseState, actor: Member, reason: str, now: datetime
) -> Outcome:
    """Cancel a planned conference for a (required) reason; SEQUENCE goes up by one."""
    _require_aware(now)
    if (refusal := check(ConferenceAction.CANCEL, case, actor, conference, now)) is not None:
        return refusal
    if not (reason := reason.strip()):
        return Refusal(RefusalCode.REASON_REQUIRED)
    new = replace(conference, status=ConferenceStatus.GEANNULEERD, sequence=conference.sequence + 1)
    return Transition(new, (Cancelled(conference.reference, now, actor.matrix_id, reason),))


def answer(
    conference: ConferenceState,
    case: CaseState,
    actor: Member,
    comes: bool,
    reason: str,
    now: datetime,
) -> Outcome:
    """A participant says they come, or cannot come (with a required reason)."""
    _require_aware(now)
    if (refusal := check(ConferenceAction.ATTEND, case, actor, conference, now)) is not None:
        return refusal
    reason = reason.strip()
    if not comes and not reason:
        return Refusal(RefusalCode.REASON_REQUIRED)
    user = actor.matrix_id
    attendance = Attendance.KOMT if comes else Attendance.AFGEMELD
    people = dict(conference.participants)
    people[user] = replace(people[user], attendance=attendance, reason=reason or None)
    event = AttendanceGiven(conference.reference, now, user, user, attendance, reason or None)
    return Transition(replace(conference, participants=people), (event,))


def correct_attendance(
    conference: ConferenceState,
    case: CaseState,
    actor: Member,
    present: Iterable[str],
    now: datetime,
) -> Outcome:
    """During the conference: exactly ``present`` were there.

    Listed case members become AANWEZIG (added as participants if they were not
    invited); every other participant becomes AFWEZIG, except who cancelled with a
    reason (their AFGEMELD stays, with the reason, for the minutes).
    """
    _require_aware(now)
    refusal = check(ConferenceAction.CORRECT_ATTENDANCE, case, actor, conference, now)
    if refusal is not None:
        return refusal
    there = list(dict.fromkeys(present))
    if not there:
        return Refusal(RefusalCode.NO_PARTICIPANTS)
    for user in there:
        if not case.is_member(user):
            return Refusal(RefusalCode.NOT_A_CASE_MEMBER, {"user": user})
    people = dict(conference.participants)
    events: list[ConferenceEvent] = []
    for user in there:
        old = people.get(user) or Participant(user, case.members[user].organisation_code)
        if old.attendance is not Attendance.AANWEZIG:
            events.append(
                AttendanceGiven(
                    conference.reference, now, actor.matrix_id, user, Attendance.AANWEZIG, None
                )
            )
        people[user] = replace(old, attendance=Attendance.AANWEZIG, reason=None)
    for user, old in conference.participants.items():
        if user in there or old.attendance in {Attendance.AFGEMELD, Attendance.AFWEZIG}:
            continue
        people[user] = replace(old, attendance=Attendance.AFWEZIG)
        events.append(
            AttendanceGiven(
                conference.reference, now, actor.matrix_id, user, Attendance.AFWEZIG, None
            )
        )
    return Transition(replace(conference, participants=people), tuple(events))


def add_item(
    conference: ConferenceState, case: CaseState, actor: Member, text: str, now: datetime
) -> Outcome:
    """A member puts an item on the agenda (before or during the conference)."""
    return _entry(ConferenceAction.ADD_ITEM, ItemAdded, conference, case, actor, text, now)


def decide(
    conference: ConferenceState, case: CaseState, actor: Member, text: str, now: datetime
) -> Outcome:
    """Record a decision while the conference runs. Decisions are never edited: a
    correction is a new decision (both stay in the minutes and the audit trail)."""
    return _entry(ConferenceAction.DECIDE, DecisionRecorded, conference, case, actor, text, now)


def close(conference: ConferenceState, case: CaseState, actor: Member, now: datetime) -> Outcome:
    """Close a running conference: the minutes are final."""
    _require_aware(now)
    if (refusal := check(ConferenceAction.CLOSE, case, actor, conference, now)) is not None:
        return refusal
    new = replace(conference, status=ConferenceStatus.AFGEROND)
    return Transition(new, (Closed(conference.reference, now, actor.matrix_id),))


def _entry(
    action: ConferenceAction,
    event_type: type[ItemAdded] | type[DecisionRecorded],
    conference: ConferenceState,
    case: CaseState,
    actor: Member,
    text: str,
    now: datetime,
) -> Outcome:
    _require_aware(now)
    if (refusal := check(action, case, actor, conference, now)) is not None:
        return refusal
    if not (text := text.strip()):
        return Refusal(RefusalCode.TEXT_REQUIRED)
    return Transition(conference, (event_type(conference.reference, now, actor.matrix_id, text),))


def _require_aware(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("datetimes must be timezone-aware")
