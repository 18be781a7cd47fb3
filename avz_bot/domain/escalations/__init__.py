"""Escalations ("opschalingen"): routes, frozen levels, states, permissions and clocks (pure).

A package by concept: :mod:`.model` (routes, levels, freezing), :mod:`.events`,
:mod:`.permissions` (the one permission table), :mod:`.states` (the state machine) and
:mod:`.clocks`.
Everything is re-exported here.

An escalation climbs a **route** of levels. Routes are configuration, the same for every
municipality (BRIEF §1.3); at request the route is **frozen**: every level is stored with
the people it resolves to at that moment (:func:`freeze_route`), so later changes to the
configuration or the partner registry do not alter a running escalation (the snapshot
approach of Grafana OnCall and GitLab, see research/anchors.md §1.1). A level whose targets
are empty is skipped, not waited out (goalert#4548). The requester is never their own
target: you cannot acknowledge your own escalation.

States (values are the Dutch words shown to users)::

    aangevraagd --ack--> ontvangen --besluit--> besloten
        ^   |               |  \\--vrijgeven--> aangevraagd (same level, clock restarts)
        |   |               |
        +---+--doorzetten---+  (next level: aangevraagd again)
            +--afschalen / intrekken--> afgeschaald / ingetrokken

``besloten``, ``afgeschaald`` and ``ingetrokken`` are final: every action on a closed
escalation is refused (never a silent reopen, cf. oncall#3161).

Permissions live in :data:`PERMISSIONS` and are enforced by :func:`check`, which every
transition calls first: (1) a closed escalation refuses everything; (2) the actor's
relationships (:func:`actors_for`) must meet the table; (3) the state must allow it
(:data:`ALLOWED_STATES`).

Clocks (:func:`ack_deadline`, :func:`decision_deadline`): the acknowledgement timeout is in
working hours, the decision timeout in working days (:class:`WorkCalendar`); an ``urgent``
escalation uses the level's own shorter timeouts in real time, around the clock. Each clock
has two stages: at the timeout a reminder, after the same time again the next step (the
next level, or for a decision the coordination room).
"""

from __future__ import annotations

from avz_bot.domain.escalations.clocks import (
    ClockStage,
    ack_deadline,
    clock_fired,
    clock_plan,
    decision_deadline,
)
from avz_bot.domain.escalations.events import (
    Acknowledged,
    AckReminder,
    Closed,
    Decided,
    DecisionOverdue,
    DecisionReminder,
    EscalationEvent,
    LastLevelUnacknowledged,
    LevelStarted,
    Released,
)
from avz_bot.domain.escalations.model import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    EscalationState,
    EscalationStatus,
    FrozenLevel,
    LevelPolicy,
    Refusal,
    RefusalCode,
    RouteKind,
    TargetKind,
    format_reference,
    freeze_route,
    next_level,
    parse_reference,
    resolve_targets,
)
from avz_bot.domain.escalations.permissions import (
    ALLOWED_STATES,
    PERMISSIONS,
    Actor,
    EscalationAction,
    actors_for,
    check,
    permission_table_rows,
)
from avz_bot.domain.escalations.states import (
    Outcome,
    Transition,
    acknowledge,
    close,
    decide,
    forward,
    move_to,
    release,
    request,
)

__all__ = [
    "ALLOWED_STATES",
    "CLOSED_STATUSES",
    "OPEN_STATUSES",
    "PERMISSIONS",
    "AckReminder",
    "Acknowledged",
    "Actor",
    "ClockStage",
    "Closed",
    "Decided",
    "DecisionOverdue",
    "DecisionReminder",
    "EscalationAction",
    "EscalationEvent",
    "EscalationState",
    "EscalationStatus",
    "FrozenLevel",
    "LastLevelUnacknowledged",
    "LevelPolicy",
    "LevelStarted",
    "Outcome",
    "Refusal",
    "RefusalCode",
    "Released",
    "RouteKind",
    "TargetKind",
    "Transition",
    "ack_deadline",
    "acknowledge",
    "actors_for",
    "check",
    "clock_fired",
    "clock_plan",
    "close",
    "decide",
    "decision_deadline",
    "format_reference",
    "forward",
    "freeze_route",
    "move_to",
    "next_level",
    "parse_reference",
    "permission_table_rows",
    "release",
    "request",
    "resolve_targets",
]
