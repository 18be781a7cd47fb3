"""Closing a case with work still open, and reopening a closed one (pure).

Closing is final for every other action (:mod:`.permissions`), so it is not done by
accident: when the case still has open agreements, open escalations or planned
conferences, the first ``!casus sluiten`` only *asks* (:func:`close_needs_confirmation`)
and says what closing will do to them; the same member confirms within a short, configured
time (:class:`CloseRequest`), by a second command or a 👍 on the question. A case with
nothing open closes at once, as before.

A ketenmanager who is a member of the case can reopen it within a configured period after
closing (:func:`reopen`), for a reason; it becomes ``actief`` again.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from avz_bot.domain.cases.outcomes import Outcome, Refusal, RefusalCode, StatusChanged, Transition
from avz_bot.domain.cases.permissions import CaseAction, check
from avz_bot.domain.cases.state import CaseState, CaseStatus, require_aware
from avz_bot.domain.partners import Member

#: The status a reopened case gets.
REOPENED_STATUS = CaseStatus.ACTIEF


@dataclass(frozen=True, slots=True)
class OpenWork:
    """What of a case is still under way when someone closes it (counts, never negative)."""

    agreements: int = 0
    escalations: int = 0
    conferences: int = 0

    def __post_init__(self) -> None:
        if min(self.agreements, self.escalations, self.conferences) < 0:
            raise ValueError("counts of open work must not be negative")

    def kinds(self) -> tuple[int, int, int]:
        """The counts in a fixed order: agreements, escalations, conferences."""
        return (self.agreements, self.escalations, self.conferences)


def close_needs_confirmation(work: OpenWork) -> bool:
    """Whether closing must be confirmed: anything at all is still open or planned."""
    return bool(work.agreements or work.escalations or work.conferences)


@dataclass(frozen=True, slots=True)
class CloseRequest:
    """An unconfirmed ``!casus sluiten``: who asked, for which reason, until when."""

    actor: str
    reason: str
    asked_at: datetime
    expires_at: datetime

    def confirmable_by(self, user: str, now: datetime) -> RefusalCode | None:
        """``None`` if ``user`` may confirm it at ``now``; else NOT_CLOSE_REQUESTER (someone
        else asked: only they confirm their own reason) or CLOSE_REQUEST_EXPIRED (at or
        after ``expires_at``)."""
        require_aware(now)
        if user != self.actor:
            return RefusalCode.NOT_CLOSE_REQUESTER
        if now >= self.expires_at:
            return RefusalCode.CLOSE_REQUEST_EXPIRED
        return None


def reopen(
    state: CaseState,
    actor: Member,
    reason: str,
    now: datetime,
    closed_at: datetime | None,
    within: timedelta,
) -> Outcome:
    """A ketenmanager reopens a closed case (status ``actief``) for a (required) reason.

    Refusals: the usual permission check (member, ketenmanager); NOT_CLOSED when the case
    is open; REOPEN_TOO_LATE (params: ``closed_at``, ``until`` as ISO instants) when
    ``now`` is ``within`` or more after ``closed_at`` (an unknown ``closed_at`` counts as
    too late: nothing can show it is recent); REASON_REQUIRED for an empty reason.
    Regie stays as it was when closed (the last holder is recorded as holder).
    """
    require_aware(now)
    if (refusal := check(CaseAction.REOPEN, state, actor)) is not None:
        return refusal
    if not state.is_closed:
        return Refusal(RefusalCode.NOT_CLOSED)
    if closed_at is None or now >= closed_at + within:
        params = {}
        if closed_at is not None:
            params = {"closed_at": closed_at.isoformat(), "until": (closed_at + within).isoformat()}
        return Refusal(RefusalCode.REOPEN_TOO_LATE, params)
    if not (reason := reason.strip()):
        return Refusal(RefusalCode.REASON_REQUIRED)
    event = StatusChanged(
        state.reference, now, actor.matrix_id, state.status, REOPENED_STATUS, reason
    )
    return Transition(replace(state, status=REOPENED_STATUS), (event,))
