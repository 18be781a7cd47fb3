"""Who may do what with an escalation: one table, enforced in one place (pure).

Permissions live in :data:`PERMISSIONS` and are enforced by :func:`check`, which every
transition of the state machine (:mod:`avz_bot.domain.escalations.states`) calls first:
(1) a closed escalation refuses everything; (2) the actor's relationships
(:func:`actors_for`) must meet the table; (3) the state must allow it
(:data:`ALLOWED_STATES`).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from avz_bot.domain.escalations.model import (
    OPEN_STATUSES,
    EscalationState,
    EscalationStatus,
    Refusal,
    RefusalCode,
)
from avz_bot.domain.partners import Member, Role


class EscalationAction(StrEnum):
    """Everything a person can do with an escalation; the keys of :data:`PERMISSIONS`."""

    ACKNOWLEDGE = "acknowledge"  # !ontvangen or 👍
    RELEASE = "release"  # !vrijgeven
    DECIDE = "decide"  # !besluit
    FORWARD = "forward"  # !doorzetten
    DEESCALATE = "deescalate"  # !afschalen
    WITHDRAW = "withdraw"  # !opschaling intrekken


class Actor(StrEnum):
    """A relationship a person can have to an escalation (see :func:`actors_for`)."""

    REQUESTER = "requester"
    REGIEHOUDER = "regiehouder"  # holds regie of the case
    CASE_MEMBER = "case_member"  # member of the case (cannot change an escalation as such)
    TARGET = "target"  # a target of the current level
    ACKNOWLEDGER = "acknowledger"  # acknowledged the current level
    KETENMANAGER = "ketenmanager"


# ---------------------------------------------------------------------- the table

PERMISSIONS: Mapping[EscalationAction, frozenset[Actor]] = MappingProxyType(
    {
        EscalationAction.ACKNOWLEDGE: frozenset({Actor.TARGET}),
        EscalationAction.RELEASE: frozenset({Actor.ACKNOWLEDGER}),
        EscalationAction.DECIDE: frozenset({Actor.ACKNOWLEDGER}),
        EscalationAction.FORWARD: frozenset({Actor.TARGET, Actor.KETENMANAGER}),
        EscalationAction.DEESCALATE: frozenset({Actor.REQUESTER, Actor.REGIEHOUDER, Actor.TARGET}),
        EscalationAction.WITHDRAW: frozenset({Actor.REQUESTER, Actor.REGIEHOUDER}),
    }
)
"""Who may change an escalation: any one of the relationships suffices.

Requesting is open to every member of the case, and ``!opschalingen`` shows a case's
escalations to its members (both checked with the case's own rules); the coordination
room's overview is for whoever is in that room. ``TARGET`` means a target of the
*current* level, frozen at request.
"""

ALLOWED_STATES: Mapping[EscalationAction, frozenset[EscalationStatus]] = MappingProxyType(
    {
        EscalationAction.ACKNOWLEDGE: frozenset({EscalationStatus.AANGEVRAAGD}),
        EscalationAction.RELEASE: frozenset({EscalationStatus.ONTVANGEN}),
        EscalationAction.DECIDE: frozenset({EscalationStatus.ONTVANGEN}),
        EscalationAction.FORWARD: OPEN_STATUSES,
        EscalationAction.DEESCALATE: OPEN_STATUSES,
        EscalationAction.WITHDRAW: OPEN_STATUSES,
    }
)
"""In which states an action is possible (closed states allow none)."""


def permission_table_rows() -> list[tuple[EscalationAction, list[Actor]]]:
    """The permission table in declaration order, for the README."""
    return [
        (action, [actor for actor in Actor if actor in PERMISSIONS[action]])
        for action in EscalationAction
    ]


# ---------------------------------------------------------------- checking


def actors_for(state: EscalationState, member: Member) -> frozenset[Actor]:
    """Every relationship ``member`` has to the escalation."""
    user = member.matrix_id
    actors: set[Actor] = set()
    if user == state.requester:
        actors.add(Actor.REQUESTER)
    if user == state.regie_holder:
        actors.add(Actor.REGIEHOUDER)
    if user in state.case_members:
        actors.add(Actor.CASE_MEMBER)
    if user in state.current.targets:
        actors.add(Actor.TARGET)
    if user == state.acknowledged_by:
        actors.add(Actor.ACKNOWLEDGER)
    if member.has_role(Role.KETENMANAGER):
        actors.add(Actor.KETENMANAGER)
    return frozenset(actors)


def check(action: EscalationAction, state: EscalationState, member: Member) -> Refusal | None:
    """Why ``member`` may not do ``action`` now, or None: closed → permission → state.

    One refinement: a target of a level that is still waiting who tries what only the
    acknowledger may do hears that it has not been acknowledged yet.
    """
    if state.is_closed:
        return Refusal(RefusalCode.CLOSED, {"status": state.status.value})
    allowed = PERMISSIONS[action]
    actors = actors_for(state, member)
    if (
        Actor.ACKNOWLEDGER in allowed
        and state.status is EscalationStatus.AANGEVRAAGD
        and Actor.TARGET in actors
    ):
        # A target who has not acknowledged yet: tell them that, not "only the acknowledger".
        return Refusal(RefusalCode.NOT_ACKNOWLEDGED)
    if not allowed & actors:
        ordered = [a.value for a in Actor if a in allowed]
        return Refusal(RefusalCode.NOT_PERMITTED, {"allowed": ",".join(ordered)})
    if state.status not in ALLOWED_STATES[action]:
        if state.status is EscalationStatus.ONTVANGEN:
            return Refusal(RefusalCode.ALREADY_ACKNOWLEDGED, {"by": state.acknowledged_by or ""})
        return Refusal(RefusalCode.NOT_ACKNOWLEDGED)
    return None
