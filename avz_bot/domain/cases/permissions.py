"""Who may do what with a case: one table, enforced in one place.

Permissions live in exactly one place, :data:`PERMISSIONS`, and are enforced in exactly one
place, :func:`check`, which every transition calls first. Three rules come before the
table, in this order:

1. **Membership first.** Only members of the case may do anything with it, including a
   ketenmanager: the network role grants extra powers *inside* a case (status, invite,
   remove, assign regie), not access to cases the ketenmanager is not part of
   (data minimisation: only partners directly involved see a case).
2. **A closed case is final.** Every action that changes something is refused with
   :attr:`RefusalCode.CASE_CLOSED`; reading stays allowed for members, and a ketenmanager
   may reopen it for a while (:data:`ON_CLOSED_ACTIONS`).
3. **The table.** The member's relationships to the case (:func:`actors_for`) must meet
   the actors the table allows for the action.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from avz_bot.domain.cases.outcomes import Refusal, RefusalCode
from avz_bot.domain.cases.state import CaseState
from avz_bot.domain.partners import Member, Role


class CaseAction(StrEnum):
    """Everything a member can do with a case; the keys of :data:`PERMISSIONS`."""

    VIEW = "view"
    CHANGE_STATUS = "change_status"
    CLOSE = "close"
    INVITE = "invite"
    REMOVE = "remove"
    REGIE_VIEW = "regie_view"
    REGIE_CLAIM = "regie_claim"
    REGIE_TRANSFER = "regie_transfer"
    REGIE_ACCEPT = "regie_accept"
    REGIE_DECLINE = "regie_decline"
    REGIE_RELEASE = "regie_release"
    REGIE_ASSIGN = "regie_assign"
    ROLE_CASEMANAGER = "role_casemanager"
    ROLES_VIEW = "roles_view"
    TIMELINE_VIEW = "timeline_view"
    REOPEN = "reopen"


class Actor(StrEnum):
    """A relationship a member can have to a case (see :func:`actors_for`)."""

    MEMBER = "member"  # member of the case (and so of its room)
    REGIEHOUDER = "regiehouder"  # holds procesregie
    KETENMANAGER = "ketenmanager"  # network role Role.KETENMANAGER
    PROPOSAL_TARGET = "proposal_target"  # the pending regie proposal is addressed to them


# --------------------------------------------------------------------------- the table


PERMISSIONS: Mapping[CaseAction, frozenset[Actor]] = MappingProxyType(
    {
        CaseAction.VIEW: frozenset({Actor.MEMBER}),
        CaseAction.CHANGE_STATUS: frozenset({Actor.REGIEHOUDER, Actor.KETENMANAGER}),
        CaseAction.CLOSE: frozenset({Actor.REGIEHOUDER, Actor.KETENMANAGER}),
        CaseAction.INVITE: frozenset({Actor.REGIEHOUDER, Actor.KETENMANAGER}),
        CaseAction.REMOVE: frozenset({Actor.REGIEHOUDER, Actor.KETENMANAGER}),
        CaseAction.REGIE_VIEW: frozenset({Actor.MEMBER}),
        CaseAction.REGIE_CLAIM: frozenset({Actor.MEMBER}),
        CaseAction.REGIE_TRANSFER: frozenset({Actor.REGIEHOUDER}),
        CaseAction.REGIE_ACCEPT: frozenset({Actor.PROPOSAL_TARGET}),
        CaseAction.REGIE_DECLINE: frozenset({Actor.PROPOSAL_TARGET}),
        CaseAction.REGIE_RELEASE: frozenset({Actor.REGIEHOUDER}),
        CaseAction.REGIE_ASSIGN: frozenset({Actor.KETENMANAGER}),
        CaseAction.ROLE_CASEMANAGER: frozenset({Actor.MEMBER}),
        CaseAction.ROLES_VIEW: frozenset({Actor.MEMBER}),
        CaseAction.TIMELINE_VIEW: frozenset({Actor.MEMBER}),
        CaseAction.REOPEN: frozenset({Actor.KETENMANAGER}),
    }
)
"""Which relationships to a case allow which action: any one of them suffices.

Membership of the case is required for every action in addition (see :func:`check`).
The agreements of a case have their own table, with the same gate first
(:mod:`avz_bot.domain.agreements.permissions`).
"""

READ_ONLY_ACTIONS: frozenset[CaseAction] = frozenset(
    {CaseAction.VIEW, CaseAction.REGIE_VIEW, CaseAction.ROLES_VIEW, CaseAction.TIMELINE_VIEW}
)
"""Actions that change nothing, and so remain allowed on a closed case."""

ON_CLOSED_ACTIONS: frozenset[CaseAction] = READ_ONLY_ACTIONS | {CaseAction.REOPEN}
"""Actions allowed on a closed case: reading, and reopening it (within the configured
period: :func:`avz_bot.domain.cases.closing.reopen`)."""


def permission_table_rows() -> list[tuple[CaseAction, list[Actor]]]:
    """The permission table in declaration order, for generating documentation.

    Actors within a row are in :class:`Actor` declaration order.
    """
    return [
        (action, [actor for actor in Actor if actor in PERMISSIONS[action]])
        for action in CaseAction
    ]


# ------------------------------------------------------------------------- enforcement


def actors_for(state: CaseState, member: Member) -> frozenset[Actor]:
    """Every relationship ``member`` has to the case.

    KETENMANAGER follows the network role whether or not the member is in the case;
    :func:`check` requires membership separately.
    """
    user = member.matrix_id
    actors: set[Actor] = set()
    if state.is_member(user):
        actors.add(Actor.MEMBER)
    if state.regie_holder == user:
        actors.add(Actor.REGIEHOUDER)
    if member.has_role(Role.KETENMANAGER):
        actors.add(Actor.KETENMANAGER)
    if state.pending_proposal is not None and state.pending_proposal.to_user == user:
        actors.add(Actor.PROPOSAL_TARGET)
    return frozenset(actors)


def check(action: CaseAction, state: CaseState, member: Member) -> Refusal | None:
    """``None`` if ``member`` may perform ``action`` on the case now, else why not.

    The single place permissions are enforced: membership, then a closed case, then
    :data:`PERMISSIONS`. State rules (valid transition, reason given...) are the
    transition functions' business.
    """
    if not state.is_member(member.matrix_id):
        return Refusal(RefusalCode.NOT_A_MEMBER)
    if state.is_closed and action not in ON_CLOSED_ACTIONS:
        return Refusal(RefusalCode.CASE_CLOSED)
    allowed = PERMISSIONS[action]
    if actors_for(state, member) & allowed:
        return None
    if Actor.PROPOSAL_TARGET in allowed:
        proposal = state.pending_proposal
        if proposal is None:
            return Refusal(RefusalCode.NO_PENDING_PROPOSAL)
        return Refusal(RefusalCode.NOT_PROPOSAL_TARGET, {"to_user": proposal.to_user})
    params = {"allowed": ",".join(actor for actor in Actor if actor in allowed)}
    if state.regie_holder is not None:
        params["holder"] = state.regie_holder
    return Refusal(RefusalCode.NOT_PERMITTED, params)
