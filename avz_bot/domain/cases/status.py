"""The case status: which status may follow which, changing it and closing the case."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from types import MappingProxyType

from avz_bot.domain.cases.outcomes import (
    CaseEvent,
    EndCause,
    Outcome,
    Refusal,
    RefusalCode,
    StatusChanged,
    Transition,
)
from avz_bot.domain.cases.permissions import CaseAction, check
from avz_bot.domain.cases.regie import settle_proposal
from avz_bot.domain.cases.state import CaseState, CaseStatus, require_aware
from avz_bot.domain.partners import Member

ALLOWED_TRANSITIONS: Mapping[CaseStatus, frozenset[CaseStatus]] = MappingProxyType(
    {
        CaseStatus.AANGEMELD: frozenset({CaseStatus.ACTIEF, CaseStatus.GESLOTEN}),
        CaseStatus.ACTIEF: frozenset({CaseStatus.AFGESCHAALD, CaseStatus.GESLOTEN}),
        CaseStatus.AFGESCHAALD: frozenset({CaseStatus.ACTIEF, CaseStatus.GESLOTEN}),
        CaseStatus.GESLOTEN: frozenset(),
    }
)
"""Which status may follow which; ``gesloten`` is final."""


def change_status(
    state: CaseState, actor: Member, new_status: CaseStatus, reason: str, now: datetime
) -> Outcome:
    """Move the case to ``new_status`` for a (required) ``reason``.

    Changing to ``gesloten`` closes the case exactly like :func:`close`.
    """
    action = CaseAction.CLOSE if new_status is CaseStatus.GESLOTEN else CaseAction.CHANGE_STATUS
    return _set_status(state, actor, new_status, reason, now, action)


def close(state: CaseState, actor: Member, reason: str, now: datetime) -> Outcome:
    """Close the case for a (required) ``reason``; a pending regie proposal is cancelled.

    The last regiehouder stays recorded as holder.
    """
    return _set_status(state, actor, CaseStatus.GESLOTEN, reason, now, CaseAction.CLOSE)


def _set_status(
    state: CaseState,
    actor: Member,
    new_status: CaseStatus,
    reason: str,
    now: datetime,
    action: CaseAction,
) -> Outcome:
    require_aware(now)
    if (refusal := check(action, state, actor)) is not None:
        return refusal
    if new_status is state.status:
        return Refusal(RefusalCode.ALREADY_IN_STATUS, {"status": state.status})
    allowed = ALLOWED_TRANSITIONS[state.status]
    if new_status not in allowed:
        return Refusal(
            RefusalCode.TRANSITION_NOT_ALLOWED,
            {
                "status": state.status,
                "new_status": new_status,
                "allowed": ",".join(s for s in CaseStatus if s in allowed),
            },
        )
    if not (reason := reason.strip()):
        return Refusal(RefusalCode.REASON_REQUIRED)
    events: list[CaseEvent] = []
    if new_status is CaseStatus.GESLOTEN:
        state = settle_proposal(state, actor.matrix_id, now, EndCause.CLOSED, events)
    events.append(
        StatusChanged(state.reference, now, actor.matrix_id, state.status, new_status, reason)
    )
    return Transition(replace(state, status=new_status), tuple(events))
