"""Who is in a case and with which case role.

Inviting and removing members, a member leaving the case room or leaving the partner
registry (they lose every case role), the casemanager role per organisation, and the
roles overview of ``!rollen``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from avz_bot.domain.cases.outcomes import (
    CaseEvent,
    CasemanagerTaken,
    EndCause,
    MemberAdded,
    MemberRemoved,
    Outcome,
    Refusal,
    RefusalCode,
    RegieReleased,
    Transition,
)
from avz_bot.domain.cases.permissions import CaseAction, check
from avz_bot.domain.cases.regie import settle_proposal
from avz_bot.domain.cases.state import CaseMember, CaseState, require_aware
from avz_bot.domain.partners import Member


class CaseRole(StrEnum):
    """A role a member holds within one case (shown by ``!rollen``)."""

    REGIEHOUDER = "regiehouder"
    CASEMANAGER = "casemanager"
    BETROKKEN = "betrokken"  # betrokken partner: every member without another role


def invite(
    state: CaseState,
    actor: Member,
    user: str,
    organisation_code: str | None,
    now: datetime,
) -> Outcome:
    """Add ``user`` to the case.

    ``organisation_code`` is the user's organisation in the partner directory, or
    ``None`` when the user is not a registered member of the network (refused: only
    registered professionals may see a case).
    """
    require_aware(now)
    if (refusal := check(CaseAction.INVITE, state, actor)) is not None:
        return refusal
    if organisation_code is None:
        return Refusal(RefusalCode.NOT_REGISTERED, {"user": user})
    if state.is_member(user):
        return Refusal(RefusalCode.ALREADY_MEMBER, {"user": user})
    members = dict(state.members)
    members[user] = CaseMember(user, organisation_code, now)
    event = MemberAdded(state.reference, now, actor.matrix_id, user, organisation_code)
    return Transition(replace(state, members=members), (event,))


def join_to_handle_escalation(
    state: CaseState, user: str, organisation_code: str | None, now: datetime
) -> Outcome:
    """``user`` acknowledged an escalation of this case and joins it to handle it.

    Unlike :func:`invite` this is no member's action: the escalation domain decided that
    ``user`` handles the escalation (they acknowledged a level addressed to them), so the
    case's permission table, which governs what *members* may do, does not apply; the
    joiner is their own actor. ``organisation_code`` is ``None`` for someone who is not a
    registered member (refused, as for an invite); an existing member is refused with
    ``ALREADY_MEMBER`` (the caller then has nothing to do).
    """
    require_aware(now)
    if organisation_code is None:
        return Refusal(RefusalCode.NOT_REGISTERED, {"user": user})
    if state.is_member(user):
        return Refusal(RefusalCode.ALREADY_MEMBER, {"user": user})
    members = dict(state.members)
    members[user] = CaseMember(user, organisation_code, now)
    event = MemberAdded(state.reference, now, user, user, organisation_code)
    return Transition(replace(state, members=members), (event,))


def remove(state: CaseState, actor: Member, user: str, now: datetime) -> Outcome:
    """Remove ``user`` from the case; they lose every case role (see :func:`member_left`)."""
    require_aware(now)
    if (refusal := check(CaseAction.REMOVE, state, actor)) is not None:
        return refusal
    if not state.is_member(user):
        return Refusal(RefusalCode.TARGET_NOT_MEMBER, {"user": user})
    return _drop_member(state, actor.matrix_id, user, now, EndCause.REMOVED)


def member_left(state: CaseState, user: str, now: datetime) -> Outcome:
    """Record that ``user`` left the case room: they lose every case role.

    Regie they held becomes vacant (RegieReleased, cause ``left``), a proposal involving
    them is cancelled and their casemanager role lapses. Refused for non-members and on
    a closed case (which accepts no changes; the service just ignores the refusal).
    """
    require_aware(now)
    if not state.is_member(user):
        return Refusal(RefusalCode.NOT_A_MEMBER)
    if state.is_closed:
        return Refusal(RefusalCode.CASE_CLOSED)
    return _drop_member(state, user, user, now, EndCause.LEFT)


def member_deregistered(state: CaseState, user: str, now: datetime) -> Outcome:
    """``user`` is no longer a registered member (removed from the partner registry, or
    no longer with their organisation): they lose the case and every role in it.

    As :func:`member_left`, with the bot as actor and cause ``deregistered``; the service
    also removes them from the case room. Refused for non-members and closed cases.
    """
    require_aware(now)
    if not state.is_member(user):
        return Refusal(RefusalCode.NOT_A_MEMBER)
    if state.is_closed:
        return Refusal(RefusalCode.CASE_CLOSED)
    return _drop_member(state, "bot", user, now, EndCause.DEREGISTERED)


def take_casemanager(state: CaseState, actor: Member, now: datetime) -> Outcome:
    """The actor becomes casemanager for their own organisation in this case.

    The organisation is the one recorded on the case membership. If a colleague of the
    same organisation held the role, it moves (CasemanagerTaken names them as previous).
    """
    require_aware(now)
    if (refusal := check(CaseAction.ROLE_CASEMANAGER, state, actor)) is not None:
        return refusal
    user = actor.matrix_id
    me = state.members[user]
    if me.casemanager:
        return Refusal(RefusalCode.ALREADY_CASEMANAGER, {"organisation": me.organisation_code})
    members = dict(state.members)
    previous: str | None = None
    for other in state.members.values():
        if other.casemanager and other.organisation_code == me.organisation_code:
            previous = other.matrix_id
            members[other.matrix_id] = replace(other, casemanager=False)
    members[user] = replace(me, casemanager=True)
    event = CasemanagerTaken(state.reference, now, user, user, me.organisation_code, previous)
    return Transition(replace(state, members=members), (event,))


@dataclass(frozen=True, slots=True)
class RoleLine:
    """One member's line in ``!rollen``."""

    matrix_id: str
    organisation_code: str
    roles: tuple[CaseRole, ...]


def roles(state: CaseState) -> list[RoleLine]:
    """Every member with their case roles: the regiehouder first, then by organisation.

    A member with neither regie nor the casemanager role is listed as ``betrokken``.
    """

    def line(member: CaseMember) -> RoleLine:
        held: list[CaseRole] = []
        if member.matrix_id == state.regie_holder:
            held.append(CaseRole.REGIEHOUDER)
        if member.casemanager:
            held.append(CaseRole.CASEMANAGER)
        return RoleLine(
            member.matrix_id, member.organisation_code, tuple(held or [CaseRole.BETROKKEN])
        )

    ordered = sorted(
        state.members.values(),
        key=lambda m: (m.matrix_id != state.regie_holder, m.organisation_code, m.matrix_id),
    )
    return [line(member) for member in ordered]


# ----------------------------------------------------------------------------- helpers


def _drop_member(
    state: CaseState, actor: str, user: str, now: datetime, cause: EndCause
) -> Transition:
    events: list[CaseEvent] = []
    proposal = state.pending_proposal
    if proposal is not None and proposal.involves(user):
        state = settle_proposal(state, actor, now, cause, events)
    if state.regie_holder == user:
        events.append(RegieReleased(state.reference, now, actor, user, None, cause))
        state = replace(state, regie_holder=None, regie_since=now)
    gone = state.members[user]
    members = {key: value for key, value in state.members.items() if key != user}
    events.append(
        MemberRemoved(
            state.reference, now, actor, user, gone.organisation_code, cause, gone.casemanager
        )
    )
    return Transition(replace(state, members=members), tuple(events))
