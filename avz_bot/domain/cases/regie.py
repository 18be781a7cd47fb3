"""Procesregie: who holds it, and how it changes hands.

Claiming vacant regie or asking the holder for it, the holder proposing a transfer, the
proposal's target accepting or declining, a proposal expiring or being overtaken
(:func:`settle_proposal`), releasing, a ketenmanager assigning; and when a case without
regie is reported to the coordination room (:func:`unregie_report_due`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta

from avz_bot.domain.cases.outcomes import (
    CaseEvent,
    EndCause,
    Outcome,
    ProposalCancelled,
    ProposalExpired,
    Refusal,
    RefusalCode,
    RegieAssigned,
    RegieDeclined,
    RegieReleased,
    RegieRequested,
    RegieTaken,
    RegieTransferProposed,
    RegieTransferred,
    Transition,
)
from avz_bot.domain.cases.permissions import CaseAction, check
from avz_bot.domain.cases.state import CaseState, ProposalKind, RegieProposal, require_aware
from avz_bot.domain.partners import Member

Expiry = datetime | Callable[[datetime], datetime]
"""A proposal's expiry: a moment, or a function from ``now`` to it (the caller owns the calendar)."""


def regie_claim(state: CaseState, actor: Member, now: datetime, expires: Expiry) -> Outcome:
    """Take vacant regie, or ask the current holder for it.

    Vacant: the actor becomes holder (RegieTaken). Held by someone else: a REQUEST
    proposal to the holder, expiring at ``expires`` (RegieRequested), unless another
    proposal is still pending. An expired proposal is cleared first (ProposalExpired).
    """
    require_aware(now)
    if (refusal := check(CaseAction.REGIE_CLAIM, state, actor)) is not None:
        return refusal
    user = actor.matrix_id
    holder = state.regie_holder
    if holder is None:
        new = replace(state, regie_holder=user, regie_since=now)
        return Transition(new, (RegieTaken(state.reference, now, user, user),))
    if holder == user:
        return Refusal(RefusalCode.ALREADY_HOLDER, {"holder": holder})
    events: list[CaseEvent] = []
    state, refusal = _clear_expired_or_refuse(state, now, events)
    if refusal is not None:
        return refusal
    expires_at = _expiry(expires, now)
    proposal = RegieProposal(ProposalKind.REQUEST, user, holder, now, expires_at)
    events.append(RegieRequested(state.reference, now, user, user, holder, expires_at))
    return Transition(replace(state, pending_proposal=proposal), tuple(events))


def regie_transfer(
    state: CaseState, actor: Member, to_user: str, now: datetime, expires: Expiry
) -> Outcome:
    """The holder proposes regie to another member; they keep it until it is accepted.

    When ``to_user`` has themselves asked for regie (a live REQUEST to the holder, e.g. the
    loser of two simultaneous claims), handing it to them *is* granting that request:
    regie moves at once (RegieTransferred of kind REQUEST), as :func:`regie_accept` would.
    A live request from someone else is not silently dropped: the transfer is refused with
    REQUEST_PENDING (params: requester, expires_at) so the holder answers it first.
    """
    require_aware(now)
    if (refusal := check(CaseAction.REGIE_TRANSFER, state, actor)) is not None:
        return refusal
    user = actor.matrix_id
    if to_user == user:
        return Refusal(RefusalCode.TARGET_IS_SELF)
    if not state.is_member(to_user):
        return Refusal(RefusalCode.TARGET_NOT_MEMBER, {"user": to_user})
    pending = state.pending_proposal
    if pending is not None and pending.kind is ProposalKind.REQUEST and not pending.is_expired(now):
        if pending.from_user == to_user:
            return regie_accept(state, actor, now)
        return Refusal(
            RefusalCode.REQUEST_PENDING,
            {"requester": pending.from_user, "expires_at": pending.expires_at.isoformat()},
        )
    events: list[CaseEvent] = []
    state, refusal = _clear_expired_or_refuse(state, now, events)
    if refusal is not None:
        return refusal
    expires_at = _expiry(expires, now)
    proposal = RegieProposal(ProposalKind.TRANSFER, user, to_user, now, expires_at)
    events.append(RegieTransferProposed(state.reference, now, user, user, to_user, expires_at))
    return Transition(replace(state, pending_proposal=proposal), tuple(events))


def regie_accept(state: CaseState, actor: Member, now: datetime) -> Outcome:
    """The proposal's target accepts: regie goes to the proposed new holder.

    For a TRANSFER that is the actor; for a REQUEST the actor is the holder and regie
    goes to the requester.
    """
    require_aware(now)
    proposal, refusal = _answerable_proposal(CaseAction.REGIE_ACCEPT, state, actor, now)
    if refusal is not None:
        return refusal
    assert proposal is not None and state.regie_holder is not None  # by invariant
    new_holder = proposal.new_holder
    event = RegieTransferred(
        state.reference, now, actor.matrix_id, state.regie_holder, new_holder, proposal.kind
    )
    new = replace(state, regie_holder=new_holder, regie_since=now, pending_proposal=None)
    return Transition(new, (event,))


def regie_decline(state: CaseState, actor: Member, now: datetime) -> Outcome:
    """The proposal's target declines: the proposal ends, regie stays where it was."""
    require_aware(now)
    proposal, refusal = _answerable_proposal(CaseAction.REGIE_DECLINE, state, actor, now)
    if refusal is not None:
        return refusal
    assert proposal is not None
    event = RegieDeclined(
        state.reference, now, actor.matrix_id, proposal.kind, proposal.from_user, proposal.to_user
    )
    return Transition(replace(state, pending_proposal=None), (event,))


def expire_proposal(state: CaseState, now: datetime) -> Transition | None:
    """Clear a proposal that lapsed by ``now`` (ProposalExpired); ``None`` if there is none."""
    require_aware(now)
    proposal = state.pending_proposal
    if proposal is None or not proposal.is_expired(now):
        return None
    event = ProposalExpired(
        state.reference, now, None, proposal.kind, proposal.from_user, proposal.to_user
    )
    return Transition(replace(state, pending_proposal=None), (event,))


def regie_release(state: CaseState, actor: Member, reason: str, now: datetime) -> Outcome:
    """The holder gives up regie for a (required) reason; regie becomes vacant.

    A pending proposal is cancelled. The service tells the coordination room.
    """
    require_aware(now)
    if (refusal := check(CaseAction.REGIE_RELEASE, state, actor)) is not None:
        return refusal
    if not (reason := reason.strip()):
        return Refusal(RefusalCode.REASON_REQUIRED)
    user = actor.matrix_id
    events: list[CaseEvent] = []
    state = settle_proposal(state, user, now, EndCause.RELEASED, events)
    events.append(RegieReleased(state.reference, now, user, user, reason, EndCause.RELEASED))
    new = replace(state, regie_holder=None, regie_since=now)
    return Transition(new, tuple(events))


def regie_assign(
    state: CaseState, actor: Member, to_user: str, reason: str, now: datetime
) -> Outcome:
    """A ketenmanager gives regie to a member for a (required) reason.

    Replaces any holder and cancels a pending proposal. Assigning to oneself is allowed.
    """
    require_aware(now)
    if (refusal := check(CaseAction.REGIE_ASSIGN, state, actor)) is not None:
        return refusal
    if not (reason := reason.strip()):
        return Refusal(RefusalCode.REASON_REQUIRED)
    if not state.is_member(to_user):
        return Refusal(RefusalCode.TARGET_NOT_MEMBER, {"user": to_user})
    if state.regie_holder == to_user:
        return Refusal(RefusalCode.ALREADY_HOLDER, {"holder": to_user})
    user = actor.matrix_id
    events: list[CaseEvent] = []
    previous = state.regie_holder
    state = settle_proposal(state, user, now, EndCause.ASSIGNED, events)
    events.append(RegieAssigned(state.reference, now, user, previous, to_user, reason))
    new = replace(state, regie_holder=to_user, regie_since=now)
    return Transition(new, tuple(events))


# ---------------------------------------------------------------------- vacancy report


def unregie_report_due(
    vacant_since: date,
    last_reported_on: date | None,
    today: date,
    threshold_working_days: int,
    working_days_between: Callable[[date, date], int],
) -> bool:
    """Whether a case without regie should be reported to the coordination room today.

    ``working_days_between(start, end)`` must count the working days ``d`` with
    ``start < d <= end`` (so it is 0 for equal dates and 1 from a working day to the
    next). A report is due when today is a working day, regie has been vacant for at
    least ``threshold_working_days`` working days, and no report was made yet on a
    working day up to today's (at most one report per working day). Dates are local
    (Europe/Amsterdam) dates; the caller converts.
    """
    if threshold_working_days < 0:
        raise ValueError("threshold_working_days must not be negative")
    if working_days_between(today - timedelta(days=1), today) == 0:
        return False  # today is not a working day
    if working_days_between(vacant_since, today) < threshold_working_days:
        return False
    return last_reported_on is None or working_days_between(last_reported_on, today) >= 1


# ----------------------------------------------------------------------------- helpers


def _expiry(expires: Expiry, now: datetime) -> datetime:
    expires_at = expires(now) if callable(expires) else expires
    require_aware(expires_at)
    if expires_at <= now:
        raise ValueError("a proposal must expire after it is made")
    return expires_at


def _proposal_params(proposal: RegieProposal) -> dict[str, str]:
    return {
        "kind": proposal.kind,
        "from_user": proposal.from_user,
        "to_user": proposal.to_user,
        "expires_at": proposal.expires_at.isoformat(),
    }


def _clear_expired_or_refuse(
    state: CaseState, now: datetime, events: list[CaseEvent]
) -> tuple[CaseState, Refusal | None]:
    """Before making a new proposal: clear an expired one, refuse over a live one."""
    proposal = state.pending_proposal
    if proposal is None:
        return state, None
    if not proposal.is_expired(now):
        return state, Refusal(RefusalCode.PROPOSAL_PENDING, _proposal_params(proposal))
    expired = expire_proposal(state, now)
    assert expired is not None
    events.extend(expired.events)
    return expired.state, None


def settle_proposal(
    state: CaseState, actor: str | None, now: datetime, cause: EndCause, events: list[CaseEvent]
) -> CaseState:
    """End a pending proposal because something overtook it (expired ones as expired).

    Used by every transition that changes the holder, removes a party or closes the case.
    """
    proposal = state.pending_proposal
    if proposal is None:
        return state
    if proposal.is_expired(now):
        expired = expire_proposal(state, now)
        assert expired is not None
        events.extend(expired.events)
        return expired.state
    events.append(
        ProposalCancelled(
            state.reference,
            now,
            actor,
            proposal.kind,
            proposal.from_user,
            proposal.to_user,
            cause,
        )
    )
    return replace(state, pending_proposal=None)


def _answerable_proposal(
    action: CaseAction, state: CaseState, actor: Member, now: datetime
) -> tuple[RegieProposal | None, Refusal | None]:
    if (refusal := check(action, state, actor)) is not None:
        return None, refusal
    proposal = state.pending_proposal
    assert proposal is not None  # check() grants PROPOSAL_TARGET only with a proposal
    if proposal.is_expired(now):
        return None, Refusal(RefusalCode.PROPOSAL_EXPIRED, _proposal_params(proposal))
    return proposal, None
