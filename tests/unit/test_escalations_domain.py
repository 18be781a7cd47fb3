"""Escalations: every state × action, the permission table, route freezing, clocks."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from avz_bot.domain import escalations as esc
from avz_bot.domain.escalations import (
    ClockStage,
    EscalationAction,
    EscalationState,
    EscalationStatus,
    LevelPolicy,
    RefusalCode,
    RouteKind,
    TargetKind,
)
from avz_bot.domain.partners import (
    Member,
    Organisation,
    OrgDomain,
    Role,
    ScopedRole,
    ScopedRoleKind,
)
from avz_bot.domain.workdays import WorkCalendar

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
CAL = WorkCalendar()

POLITIE = Organisation("politie", "Politie", OrgDomain.VEILIGHEID)
GGZ = Organisation("ggz", "GGZ", OrgDomain.ZORG)
GEMEENTE = Organisation("gemeente-groningen", "Gemeente Groningen", OrgDomain.GEMEENTE)
AVZ = Organisation("avz", "AVZ", OrgDomain.VEILIGHEID)


def _m(
    name: str, org: Organisation = POLITIE, *roles: Role, scoped: tuple[ScopedRole, ...] = ()
) -> Member:
    return Member(f"@{name}:test", name, org, frozenset(roles), frozenset(scoped))


REQUESTER = _m("requester")
HOLDER = _m("holder", GGZ)
MEMBER = _m("member")
KM1 = _m("km1", AVZ, Role.KETENMANAGER)
KM2 = _m("km2", AVZ, Role.KETENMANAGER)
DRIEHOEK = _m("dh", GEMEENTE, scoped=(ScopedRole(ScopedRoleKind.DRIEHOEK, "groningen"),))
DRIEHOEK_ELSEWHERE = _m("dh2", GEMEENTE, scoped=(ScopedRole(ScopedRoleKind.DRIEHOEK, "oldambt"),))
REGIO = _m("regio", GEMEENTE, scoped=(ScopedRole(ScopedRoleKind.DRIEHOEK, "regio"),))
BESTUURDER_GGZ = _m("bestuurder", GGZ, scoped=(ScopedRole(ScopedRoleKind.BESTUURDER, "ggz"),))
WETHOUDER = _m("wethouder", GEMEENTE, scoped=(ScopedRole(ScopedRoleKind.WETHOUDER, "groningen"),))
OUTSIDER = _m("outsider", GGZ)
EVERYONE = [
    REQUESTER,
    HOLDER,
    MEMBER,
    KM1,
    KM2,
    DRIEHOEK,
    DRIEHOEK_ELSEWHERE,
    REGIO,
    BESTUURDER_GGZ,
    WETHOUDER,
    OUTSIDER,
]


def _policy(kind: TargetKind) -> LevelPolicy:
    return LevelPolicy(
        kind,
        ack_working_hours=4,
        decision_working_days=2,
        urgent_ack_minutes=30,
        urgent_decision_hours=4,
    )


INHOUDELIJK = [
    _policy(TargetKind.KETENMANAGERS),
    _policy(TargetKind.DRIEHOEK),
    _policy(TargetKind.DRIEHOEK_REGIO),
]
SAMENWERKING = [_policy(TargetKind.KETENMANAGERS), _policy(TargetKind.BESTUURDER)]


def _state(
    status: EscalationStatus = EscalationStatus.AANGEVRAAGD, level: int = 1
) -> EscalationState:
    levels = esc.freeze_route(INHOUDELIJK, EVERYONE, "groningen", None, REQUESTER.matrix_id)
    return EscalationState(
        reference="ESC-2026-1",
        route=RouteKind.INHOUDELIJK,
        status=status,
        urgent=False,
        requester=REQUESTER.matrix_id,
        levels=levels,
        level=level,
        acknowledged_by=KM1.matrix_id if status is EscalationStatus.ONTVANGEN else None,
        regie_holder=HOLDER.matrix_id,
        case_members=frozenset({REQUESTER.matrix_id, HOLDER.matrix_id, MEMBER.matrix_id}),
    )


# -- route freezing and target resolution ---------------------------------------------------


def test_inhoudelijk_route_resolves_people_per_level() -> None:
    levels = esc.freeze_route(INHOUDELIJK, EVERYONE, "groningen", None, REQUESTER.matrix_id)
    assert [(lv.number, lv.scope, lv.targets) for lv in levels] == [
        (1, "", (KM1.matrix_id, KM2.matrix_id)),
        (2, "groningen", (DRIEHOEK.matrix_id,)),
        (3, "regio", (REGIO.matrix_id,)),
    ]


@pytest.mark.parametrize(
    ("partner", "scope", "target"),
    [
        (GGZ, "ggz", BESTUURDER_GGZ),  # a partner organisation: its bestuurder
        (GEMEENTE, "groningen", WETHOUDER),  # a municipal department: the wethouder
    ],
)
def test_samenwerking_level_two(partner: Organisation, scope: str, target: Member) -> None:
    levels = esc.freeze_route(SAMENWERKING, EVERYONE, "groningen", partner, REQUESTER.matrix_id)
    assert (levels[1].scope, levels[1].targets) == (scope, (target.matrix_id,))


def test_requester_is_never_their_own_target() -> None:
    levels = esc.freeze_route(INHOUDELIJK, EVERYONE, "groningen", None, KM1.matrix_id)
    assert levels[0].targets == (KM2.matrix_id,)


def test_frozen_route_ignores_later_registry_changes() -> None:
    state = _state()
    # KM2 loses the ketenmanager role after the request: still a target of this escalation
    demoted = replace(KM2, roles=frozenset())
    outcome = esc.acknowledge(state, demoted, NOW)
    assert isinstance(outcome, esc.Transition)
    # a new ketenmanager after the request is not a target
    newcomer = _m("km3", AVZ, Role.KETENMANAGER)
    refused = esc.acknowledge(state, newcomer, NOW)
    assert refused == esc.Refusal(RefusalCode.NOT_PERMITTED, {"allowed": "target"})


def test_empty_first_level_is_skipped_at_request() -> None:
    people = [p for p in EVERYONE if not p.has_role(Role.KETENMANAGER)]
    levels = esc.freeze_route(INHOUDELIJK, people, "groningen", None, REQUESTER.matrix_id)
    outcome = _request(levels)
    assert isinstance(outcome, esc.Transition)
    assert outcome.state.level == 2


def test_empty_middle_level_is_skipped_when_forwarding_and_by_the_clock() -> None:
    people = [p for p in EVERYONE if p is not DRIEHOEK]
    levels = esc.freeze_route(INHOUDELIJK, people, "groningen", None, REQUESTER.matrix_id)
    state = replace(_state(), levels=levels)
    forwarded = esc.forward(state, KM1, "vastgelopen", NOW)
    assert isinstance(forwarded, esc.Transition) and forwarded.state.level == 3
    timed = esc.clock_fired(state, ClockStage.ACK_ESCALATE, 1, NOW)
    assert timed is not None and timed.state.level == 3


def test_no_targets_anywhere_is_refused() -> None:
    levels = esc.freeze_route(INHOUDELIJK, [REQUESTER], "groningen", None, REQUESTER.matrix_id)
    assert _request(levels) == esc.Refusal(RefusalCode.NO_TARGETS)


def _request(levels: tuple[esc.FrozenLevel, ...], **overrides: object) -> esc.Outcome:
    values: dict[str, object] = {
        "reference": "ESC-2026-1",
        "route": RouteKind.INHOUDELIJK,
        "levels": levels,
        "requester": REQUESTER.matrix_id,
        "urgent": False,
        "partner": None,
        "reason": "vastgelopen",
        "decision_asked": "doorbraak",
        "regie_holder": None,
        "case_members": frozenset({REQUESTER.matrix_id}),
        "now": NOW,
    }
    values.update(overrides)
    return esc.request(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"reason": " "}, RefusalCode.REASON_REQUIRED),
        ({"decision_asked": ""}, RefusalCode.REASON_REQUIRED),
        ({"route": RouteKind.SAMENWERKING}, RefusalCode.PARTNER_REQUIRED),
        ({"partner": "ggz"}, RefusalCode.PARTNER_NOT_ALLOWED),
    ],
)
def test_request_refusals(overrides: dict[str, object], code: RefusalCode) -> None:
    levels = _state().levels
    outcome = _request(levels, **overrides)
    assert isinstance(outcome, esc.Refusal) and outcome.code is code


# -- every state × action ------------------------------------------------------------------

S = EscalationStatus
A = EscalationAction
OK = "ok"


def _act(action: EscalationAction, state: EscalationState, member: Member) -> esc.Outcome:
    if action is A.ACKNOWLEDGE:
        return esc.acknowledge(state, member, NOW)
    if action is A.RELEASE:
        return esc.release(state, member, NOW)
    if action is A.DECIDE:
        return esc.decide(state, member, "we doen het", NOW)
    if action is A.FORWARD:
        return esc.forward(state, member, "reden", NOW)
    if action is A.DEESCALATE:
        return esc.close(state, member, S.AFGESCHAALD, "reden", NOW)
    return esc.close(state, member, S.INGETROKKEN, "reden", NOW)


# Who tries each action: someone the table allows (KM1 is a target and, in state ontvangen,
# the acknowledger).
PERMITTED_ACTOR = {
    A.ACKNOWLEDGE: KM1,
    A.RELEASE: KM1,
    A.DECIDE: KM1,
    A.FORWARD: KM1,
    A.DEESCALATE: REQUESTER,
    A.WITHDRAW: REQUESTER,
}

EXPECTED: dict[tuple[EscalationStatus, EscalationAction], tuple[str, S | None]] = {
    (S.AANGEVRAAGD, A.ACKNOWLEDGE): (OK, S.ONTVANGEN),
    (S.AANGEVRAAGD, A.RELEASE): (RefusalCode.NOT_ACKNOWLEDGED, None),  # KM1 is a target
    (S.AANGEVRAAGD, A.DECIDE): (RefusalCode.NOT_ACKNOWLEDGED, None),
    (S.AANGEVRAAGD, A.FORWARD): (OK, S.AANGEVRAAGD),
    (S.AANGEVRAAGD, A.DEESCALATE): (OK, S.AFGESCHAALD),
    (S.AANGEVRAAGD, A.WITHDRAW): (OK, S.INGETROKKEN),
    (S.ONTVANGEN, A.ACKNOWLEDGE): (RefusalCode.ALREADY_ACKNOWLEDGED, None),
    (S.ONTVANGEN, A.RELEASE): (OK, S.AANGEVRAAGD),
    (S.ONTVANGEN, A.DECIDE): (OK, S.BESLOTEN),
    (S.ONTVANGEN, A.FORWARD): (OK, S.AANGEVRAAGD),
    (S.ONTVANGEN, A.DEESCALATE): (OK, S.AFGESCHAALD),
    (S.ONTVANGEN, A.WITHDRAW): (OK, S.INGETROKKEN),
}
for _closed in (S.BESLOTEN, S.AFGESCHAALD, S.INGETROKKEN):
    for _action in A:
        EXPECTED[(_closed, _action)] = (RefusalCode.CLOSED, None)


def test_the_table_covers_every_state_and_action() -> None:
    assert set(EXPECTED) == {(s, a) for s in S for a in A}


@pytest.mark.parametrize(("status", "action"), sorted(EXPECTED))
def test_state_action(status: EscalationStatus, action: EscalationAction) -> None:
    expected, new_status = EXPECTED[(status, action)]
    state = _state(status)
    outcome = _act(action, state, PERMITTED_ACTOR[action])
    if expected == OK:
        assert isinstance(outcome, esc.Transition)
        assert outcome.state.status is new_status
    else:
        assert isinstance(outcome, esc.Refusal)
        assert outcome.code is expected
        if expected is RefusalCode.CLOSED:
            assert outcome.params == {"status": status.value}
        if expected is RefusalCode.ALREADY_ACKNOWLEDGED:
            assert outcome.params == {"by": KM1.matrix_id}


def test_acknowledge_only_by_the_current_level() -> None:
    state = _state()
    for member in (REQUESTER, HOLDER, MEMBER, DRIEHOEK, OUTSIDER):
        assert esc.acknowledge(state, member, NOW) == esc.Refusal(
            RefusalCode.NOT_PERMITTED, {"allowed": "target"}
        )
    # at level 2 the ketenmanagers are no longer targets, the driehoek is
    level2 = _state(level=2)
    assert isinstance(esc.acknowledge(level2, DRIEHOEK, NOW), esc.Transition)
    assert isinstance(esc.acknowledge(level2, KM1, NOW), esc.Refusal)


@pytest.mark.parametrize(
    ("action", "member", "allowed"),
    [
        (A.RELEASE, KM2, "acknowledger"),  # another target, not the acknowledger
        (A.DECIDE, KM2, "acknowledger"),
        (A.DECIDE, REQUESTER, "acknowledger"),
        (A.FORWARD, MEMBER, "target,ketenmanager"),
        (A.DEESCALATE, OUTSIDER, "requester,regiehouder,target"),
        (A.WITHDRAW, KM1, "requester,regiehouder"),
        (A.WITHDRAW, MEMBER, "requester,regiehouder"),
    ],
)
def test_not_permitted(action: EscalationAction, member: Member, allowed: str) -> None:
    outcome = _act(action, _state(S.ONTVANGEN), member)
    assert outcome == esc.Refusal(RefusalCode.NOT_PERMITTED, {"allowed": allowed})


def test_deciding_before_acknowledging() -> None:
    # a target hears it is not acknowledged yet; anyone else that only the acknowledger may
    assert esc.decide(_state(), KM1, "x", NOW) == esc.Refusal(RefusalCode.NOT_ACKNOWLEDGED)
    assert esc.decide(_state(), REQUESTER, "x", NOW) == esc.Refusal(
        RefusalCode.NOT_PERMITTED, {"allowed": "acknowledger"}
    )


def test_regiehouder_may_withdraw_and_ketenmanager_may_forward_at_any_level() -> None:
    assert isinstance(esc.close(_state(), HOLDER, S.INGETROKKEN, "opgelost", NOW), esc.Transition)
    level2 = _state(level=2)
    outcome = esc.forward(level2, KM2, "spoed", NOW)
    assert isinstance(outcome, esc.Transition) and outcome.state.level == 3


def test_forward_from_the_last_level_is_refused() -> None:
    assert esc.forward(_state(level=3), REGIO, "x", NOW) == esc.Refusal(RefusalCode.NO_NEXT_LEVEL)


def test_decision_and_reasons_are_required() -> None:
    acked = _state(S.ONTVANGEN)
    assert esc.decide(acked, KM1, "  ", NOW) == esc.Refusal(RefusalCode.REASON_REQUIRED)
    assert esc.forward(acked, KM1, "", NOW) == esc.Refusal(RefusalCode.REASON_REQUIRED)
    assert esc.close(acked, REQUESTER, S.AFGESCHAALD, "", NOW) == esc.Refusal(
        RefusalCode.REASON_REQUIRED
    )


def test_events_of_a_full_path() -> None:
    state = _state()
    acked = esc.acknowledge(state, KM1, NOW, via_reaction=True)
    assert isinstance(acked, esc.Transition)
    assert acked.events == (esc.Acknowledged(NOW, KM1.matrix_id, 1, True),)
    decided = esc.decide(acked.state, KM1, "  we schalen op ", NOW)
    assert isinstance(decided, esc.Transition)
    assert decided.events == (esc.Decided(NOW, KM1.matrix_id, 1, "we schalen op"),)
    assert decided.state.is_closed


# -- clocks --------------------------------------------------------------------------------


def _l(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=AMS)


def test_ack_clock_counts_working_hours_from_friday_evening() -> None:
    state = _state()
    plan = esc.clock_plan(state, _l(2026, 11, 27, 17, 15), CAL)
    # 4 working hours: 15 minutes on Friday, then Monday 08:30 + 3:45 = 12:15; 4 more: 16:15
    assert plan == [
        (ClockStage.ACK_REMINDER, _l(2026, 11, 30, 12, 15)),
        (ClockStage.ACK_ESCALATE, _l(2026, 11, 30, 16, 15)),
    ]


def test_decision_clock_counts_working_days_across_the_autumn_dst_change() -> None:
    state = _state(S.ONTVANGEN)
    plan = esc.clock_plan(state, _l(2026, 10, 22, 10), CAL)
    assert plan == [
        (ClockStage.DECISION_REMINDER, _l(2026, 10, 26, 10)),  # Thu + 2 working days = Mon
        (ClockStage.DECISION_OVERDUE, _l(2026, 10, 28, 10)),
    ]


def test_urgent_clock_runs_around_the_clock_and_through_the_spring_dst_change() -> None:
    state = replace(_state(), urgent=True)
    # Sunday 29 March 2026, 01:45 CET: 30 real minutes = 02:15 CET = 03:15 CEST
    plan = esc.clock_plan(state, _l(2026, 3, 29, 1, 45), CAL)
    assert plan[0] == (ClockStage.ACK_REMINDER, _l(2026, 3, 29, 3, 15))
    assert plan[1][1] - plan[0][1] == timedelta(minutes=30)
    acked = replace(state, status=S.ONTVANGEN, acknowledged_by=KM1.matrix_id)
    start = _l(2026, 11, 28, 22)  # Saturday night
    assert esc.clock_plan(acked, start, CAL)[0][1] == start + timedelta(hours=4)


def test_closed_escalation_has_no_clocks() -> None:
    assert esc.clock_plan(_state(S.BESLOTEN), NOW, CAL) == []


@pytest.mark.parametrize(
    ("status", "stage", "level", "event"),
    [
        (S.AANGEVRAAGD, ClockStage.ACK_REMINDER, 1, esc.AckReminder),
        (S.AANGEVRAAGD, ClockStage.ACK_ESCALATE, 1, esc.LevelStarted),
        (S.AANGEVRAAGD, ClockStage.ACK_REMINDER, 2, None),  # armed for another level
        (S.ONTVANGEN, ClockStage.ACK_REMINDER, 1, None),  # acknowledged meanwhile
        (S.ONTVANGEN, ClockStage.ACK_ESCALATE, 1, None),
        (S.ONTVANGEN, ClockStage.DECISION_REMINDER, 1, esc.DecisionReminder),
        (S.ONTVANGEN, ClockStage.DECISION_OVERDUE, 1, esc.DecisionOverdue),
        (S.AANGEVRAAGD, ClockStage.DECISION_REMINDER, 1, None),  # released meanwhile
        (S.BESLOTEN, ClockStage.DECISION_OVERDUE, 1, None),
        (S.INGETROKKEN, ClockStage.ACK_ESCALATE, 1, None),
    ],
)
def test_clock_fired(
    status: EscalationStatus, stage: ClockStage, level: int, event: type | None
) -> None:
    outcome = esc.clock_fired(_state(status), stage, level, NOW)
    if event is None:
        assert outcome is None
    else:
        assert outcome is not None
        assert [type(e) for e in outcome.events] == [event]


def test_timeout_at_the_last_level_tells_the_coordination_room() -> None:
    outcome = esc.clock_fired(_state(level=3), ClockStage.ACK_ESCALATE, 3, NOW)
    assert outcome is not None
    assert outcome.events == (esc.LastLevelUnacknowledged(NOW, None, 3),)
    assert outcome.state.level == 3


def test_automatic_move_is_marked() -> None:
    outcome = esc.clock_fired(_state(), ClockStage.ACK_ESCALATE, 1, NOW)
    assert outcome is not None
    (event,) = outcome.events
    assert isinstance(event, esc.LevelStarted)
    assert event.automatic and event.actor is None and event.level.number == 2


@pytest.mark.parametrize(
    ("text", "reference"),
    [
        ("ESC-2026-12", "ESC-2026-12"),
        ("esc-2026-012", "ESC-2026-12"),
        ("ESC-26-1", None),
        ("CASE-2026-1", None),
        ("ESC-2026-x", None),
    ],
)
def test_parse_reference(text: str, reference: str | None) -> None:
    assert esc.parse_reference(text) == reference


def test_permission_rows_follow_declaration_order() -> None:
    rows = dict(esc.permission_table_rows())
    assert rows[A.WITHDRAW] == [esc.Actor.REQUESTER, esc.Actor.REGIEHOUDER]
    assert set(rows) == set(A)
