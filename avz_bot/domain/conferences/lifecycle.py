"""Case conferences (casusoverleg): the life cycle and its transitions (pure).

A conference belongs to one case and goes through::

    gepland ──(verzetten)──> gepland (SEQUENCE + 1)
       │ └───(annuleren)──> geannuleerd           (final)
       └──(start time passes)──> loopt ──(afronden)──> afgerond   (final)

"Loopt" (running) is not stored: a planned conference runs from its start time until it
is closed (:meth:`ConferenceState.phase`). Nothing here does I/O; every transition takes
the current :class:`ConferenceState` (or ``None`` when planning), the case as the case
domain sees it (:class:`~avz_bot.domain.cases.CaseState`), the acting member and an aware
``now``, and returns a :class:`Transition` or a :class:`Refusal`.

Every transition first asks the one permission table
(:mod:`avz_bot.domain.conferences.permissions`) whether the member may act.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

from avz_bot.domain.cases import CaseState
from avz_bot.domain.conferences.permissions import ConferenceAction, check
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
    Refusal,
    RefusalCode,
    Transition,
)
from avz_bot.domain.partners import Member

#: Longest conference one can plan (minutes): a whole working day.
MAX_DURATION_MINUTES = 8 * 60

__all__ = [
    "MAX_DURATION_MINUTES",
    "Attendance",
    "AttendanceGiven",
    "Cancelled",
    "Closed",
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
    "add_item",
    "answer",
    "cancel",
    "close",
    "correct_attendance",
    "decide",
    "move",
    "plan",
]


Outcome = Transition | Refusal


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
