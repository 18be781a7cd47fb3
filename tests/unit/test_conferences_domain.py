"""Case conferences: life cycle, who may do what, agenda, minutes and reminder moments."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from avz_bot.domain.cases import CaseMember, CaseState, CaseStatus
from avz_bot.domain.conferences.lifecycle import (
    Attendance,
    AttendanceGiven,
    Cancelled,
    Closed,
    ConferenceState,
    ConferenceStatus,
    DecisionRecorded,
    ItemAdded,
    Moved,
    Phase,
    Planned,
    Refusal,
    RefusalCode,
    Transition,
    add_item,
    answer,
    cancel,
    close,
    correct_attendance,
    decide,
    move,
    plan,
)
from avz_bot.domain.conferences.papers import (
    AgreementFact,
    Entry,
    ReminderKind,
    SectionName,
    assemble_agenda,
    assemble_minutes,
    reminder_moments,
)
from avz_bot.domain.conferences.permissions import (
    PERMISSIONS,
    ConferenceAction,
    ConferenceActor,
)
from avz_bot.domain.partners import Member, Organisation, OrgDomain, Role
from avz_bot.domain.workdays import WorkCalendar

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # Monday 10:00 in Amsterdam
START = datetime(2026, 12, 3, 13, 0, tzinfo=UTC)  # Thursday 14:00 in Amsterdam

POLITIE = Organisation("politie", "Politie", OrgDomain.VEILIGHEID)
GGZ = Organisation("ggz", "GGZ", OrgDomain.ZORG)
AVZ = Organisation("avz", "AVZ", OrgDomain.GEMEENTE)


def person(user: str, org: Organisation, *roles: Role) -> Member:
    return Member(f"@{user}:avz.test", user.title(), org, frozenset(roles))


PIETER = person("pieter", POLITIE)  # regiehouder
ANOUK = person("anouk", GGZ)  # casemanager for GGZ
BRAM = person("bram", GGZ)  # plain member
KIM = person("kim", AVZ, Role.KETENMANAGER)  # ketenmanager, member
OUTSIDER = person("olaf", POLITIE, Role.KETENMANAGER)  # ketenmanager, not a member


def case_state(status: CaseStatus = CaseStatus.ACTIEF) -> CaseState:
    members = {
        PIETER.matrix_id: CaseMember(PIETER.matrix_id, "politie", T0),
        ANOUK.matrix_id: CaseMember(ANOUK.matrix_id, "ggz", T0, casemanager=True),
        BRAM.matrix_id: CaseMember(BRAM.matrix_id, "ggz", T0),
        KIM.matrix_id: CaseMember(KIM.matrix_id, "avz", T0),
    }
    return CaseState("AVZ-2026-0001", status, PIETER.matrix_id, T0, members)


def planned(
    actor: Member = PIETER, participants: list[str] | None = None, at: datetime = START
) -> ConferenceState:
    outcome = plan(
        case_state(),
        actor,
        reference="OV-2026-0001",
        starts_at=at,
        has_time=True,
        duration_minutes=60,
        location="Stadhuis, kamer 2",
        participants=participants,
        now=T0,
    )
    assert isinstance(outcome, Transition), outcome
    return outcome.state


# ----------------------------------------------------------------- life cycle


def test_plan_invites_every_case_member_and_the_organiser_comes() -> None:
    outcome = plan(
        case_state(),
        PIETER,
        reference="OV-2026-0001",
        starts_at=START,
        has_time=True,
        duration_minutes=90,
        location="",
        participants=None,
        now=T0,
    )
    assert isinstance(outcome, Transition)
    state = outcome.state
    assert state.status is ConferenceStatus.GEPLAND and state.sequence == 0
    assert set(state.participants) == set(case_state().members)
    assert state.participants[PIETER.matrix_id].attendance is Attendance.KOMT
    assert state.participants[BRAM.matrix_id].attendance is Attendance.ONBEKEND
    assert state.ends_at == START + timedelta(minutes=90)
    assert outcome.events == (Planned("OV-2026-0001", T0, PIETER.matrix_id),)


def test_phase_follows_the_clock_until_closed() -> None:
    state = planned()
    assert state.phase(START - timedelta(seconds=1)) is Phase.PLANNED
    assert state.phase(START) is Phase.RUNNING
    assert state.phase(START + timedelta(days=3)) is Phase.RUNNING  # until closed
    closed = close(state, case_state(), PIETER, START + timedelta(minutes=50))
    assert isinstance(closed, Transition)
    assert closed.state.phase(START + timedelta(days=3)) is Phase.CLOSED
    assert closed.events == (
        Closed("OV-2026-0001", START + timedelta(minutes=50), PIETER.matrix_id),
    )


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"has_time": False}, RefusalCode.TIME_REQUIRED),
        ({"starts_at": T0 - timedelta(minutes=1)}, RefusalCode.NOT_IN_FUTURE),
        ({"duration_minutes": 0}, RefusalCode.BAD_DURATION),
        ({"duration_minutes": 481}, RefusalCode.BAD_DURATION),
        ({"participants": ["@vreemd:avz.test"]}, RefusalCode.NOT_A_CASE_MEMBER),
        ({"participants": []}, RefusalCode.NO_PARTICIPANTS),
    ],
)
def test_plan_refusals(kwargs: dict[str, object], code: RefusalCode) -> None:
    values: dict[str, object] = {
        "reference": "OV-2026-0001",
        "starts_at": START,
        "has_time": True,
        "duration_minutes": 60,
        "location": "",
        "participants": None,
        "now": T0,
    }
    values.update(kwargs)
    outcome = plan(case_state(), PIETER, **values)  # type: ignore[arg-type]
    assert isinstance(outcome, Refusal) and outcome.code is code


def test_move_raises_sequence_and_resets_answers() -> None:
    state = planned()
    said = answer(state, case_state(), BRAM, True, "", T0)
    assert isinstance(said, Transition)
    later = START + timedelta(days=1)
    moved = move(
        said.state, case_state(), ANOUK, starts_at=later, has_time=True, reason="ziek", now=T0
    )
    assert isinstance(moved, Transition)
    assert moved.state.sequence == 1 and moved.state.starts_at == later
    assert moved.state.participants[BRAM.matrix_id].attendance is Attendance.ONBEKEND
    assert moved.state.participants[ANOUK.matrix_id].attendance is Attendance.KOMT
    assert moved.events == (Moved("OV-2026-0001", T0, ANOUK.matrix_id, START, "ziek"),)
    again = move(
        moved.state, case_state(), ANOUK, starts_at=later, has_time=True, reason="x", now=T0
    )
    assert isinstance(again, Refusal) and again.code is RefusalCode.SAME_TIME
    no_reason = move(
        state, case_state(), PIETER, starts_at=later, has_time=True, reason=" ", now=T0
    )
    assert isinstance(no_reason, Refusal) and no_reason.code is RefusalCode.REASON_REQUIRED


def test_cancel_raises_sequence_and_is_final() -> None:
    state = planned()
    outcome = cancel(state, case_state(), KIM, "casus afgeschaald", T0)
    assert isinstance(outcome, Transition)
    assert outcome.state.status is ConferenceStatus.GEANNULEERD
    assert outcome.state.sequence == 1
    assert outcome.events == (Cancelled("OV-2026-0001", T0, KIM.matrix_id, "casus afgeschaald"),)
    for refused in (
        cancel(outcome.state, case_state(), KIM, "nogmaals", T0),
        move(outcome.state, case_state(), KIM, starts_at=START, has_time=True, reason="x", now=T0),
        answer(outcome.state, case_state(), BRAM, True, "", T0),
    ):
        assert isinstance(refused, Refusal) and refused.code is RefusalCode.WRONG_PHASE


def test_running_conference_cannot_be_moved_or_cancelled_and_planned_cannot_be_closed() -> None:
    state = planned()
    during = START + timedelta(minutes=5)
    for refused in (
        move(
            state,
            case_state(),
            PIETER,
            starts_at=START + timedelta(days=1),
            has_time=True,
            reason="x",
            now=during,
        ),
        cancel(state, case_state(), PIETER, "x", during),
        close(state, case_state(), PIETER, T0),
        decide(state, case_state(), PIETER, "te vroeg", T0),
    ):
        assert isinstance(refused, Refusal) and refused.code is RefusalCode.WRONG_PHASE


def test_answers_and_attendance_correction() -> None:
    state = planned()
    no_reason = answer(state, case_state(), BRAM, False, "", T0)
    assert isinstance(no_reason, Refusal) and no_reason.code is RefusalCode.REASON_REQUIRED
    off = answer(state, case_state(), BRAM, False, "zitting", T0)
    assert isinstance(off, Transition)
    assert off.state.participants[BRAM.matrix_id].attendance is Attendance.AFGEMELD
    assert off.events == (
        AttendanceGiven(
            "OV-2026-0001", T0, BRAM.matrix_id, BRAM.matrix_id, Attendance.AFGEMELD, "zitting"
        ),
    )
    during = START + timedelta(minutes=1)
    fixed = correct_attendance(off.state, case_state(), ANOUK, [ANOUK.matrix_id], during)
    assert isinstance(fixed, Transition)
    people = fixed.state.participants
    assert people[ANOUK.matrix_id].attendance is Attendance.AANWEZIG
    assert people[PIETER.matrix_id].attendance is Attendance.AFWEZIG  # said "komt", was not there
    assert people[BRAM.matrix_id].attendance is Attendance.AFGEMELD  # keeps the reason
    assert [p.matrix_id for p in fixed.state.attendees()] == [ANOUK.matrix_id]


# ----------------------------------------------------------------- who may do what


ORGANISER_ACTIONS = [
    ConferenceAction.MOVE,
    ConferenceAction.CANCEL,
    ConferenceAction.CLOSE,
    ConferenceAction.DECIDE,
    ConferenceAction.CORRECT_ATTENDANCE,
]


def test_the_permission_table() -> None:
    roles = {ConferenceActor.REGIEHOUDER, ConferenceActor.CASEMANAGER, ConferenceActor.KETENMANAGER}
    assert PERMISSIONS[ConferenceAction.PLAN] == roles
    for action in ORGANISER_ACTIONS:
        assert PERMISSIONS[action] == roles | {ConferenceActor.ORGANISER}
    assert PERMISSIONS[ConferenceAction.ADD_ITEM] == {ConferenceActor.MEMBER}
    assert PERMISSIONS[ConferenceAction.ATTEND] == {ConferenceActor.PARTICIPANT}
    assert PERMISSIONS[ConferenceAction.VIEW] == {ConferenceActor.MEMBER}


@pytest.mark.parametrize(
    ("who", "allowed"),
    [(PIETER, True), (ANOUK, True), (KIM, True), (BRAM, False)],
)
def test_who_may_plan(who: Member, allowed: bool) -> None:
    outcome = plan(
        case_state(),
        who,
        reference="OV-1",
        starts_at=START,
        has_time=True,
        duration_minutes=60,
        location="",
        participants=None,
        now=T0,
    )
    assert isinstance(outcome, Transition) is allowed
    if not allowed:
        assert isinstance(outcome, Refusal) and outcome.code is RefusalCode.NOT_PERMITTED
        assert outcome.params["allowed"] == "regiehouder,casemanager,ketenmanager"


def test_a_ketenmanager_outside_the_case_may_do_nothing() -> None:
    outcome = plan(
        case_state(),
        OUTSIDER,
        reference="OV-1",
        starts_at=START,
        has_time=True,
        duration_minutes=60,
        location="",
        participants=None,
        now=T0,
    )
    assert isinstance(outcome, Refusal) and outcome.code is RefusalCode.NOT_A_MEMBER


def test_the_organiser_keeps_the_power_to_close_without_a_case_role() -> None:
    state = planned(actor=ANOUK)
    case = case_state()
    members = dict(case.members)
    members[ANOUK.matrix_id] = CaseMember(ANOUK.matrix_id, "ggz", T0, casemanager=False)
    case = CaseState(case.reference, case.status, case.regie_holder, T0, members)
    outcome = close(state, case, ANOUK, START + timedelta(minutes=1))
    assert isinstance(outcome, Transition)
    refused = close(state, case, BRAM, START + timedelta(minutes=1))
    assert isinstance(refused, Refusal) and refused.code is RefusalCode.NOT_PERMITTED


def test_only_invited_participants_answer_and_members_add_items() -> None:
    state = planned(participants=[PIETER.matrix_id, ANOUK.matrix_id])
    refused = answer(state, case_state(), BRAM, True, "", T0)
    assert isinstance(refused, Refusal) and refused.code is RefusalCode.NOT_PERMITTED
    item = add_item(state, case_state(), BRAM, "  Schoolverzuim  ", T0)
    assert isinstance(item, Transition)
    assert item.events == (ItemAdded("OV-2026-0001", T0, BRAM.matrix_id, "Schoolverzuim"),)
    empty = add_item(state, case_state(), BRAM, " ", T0)
    assert isinstance(empty, Refusal) and empty.code is RefusalCode.TEXT_REQUIRED


def test_a_closed_case_accepts_no_conference_changes() -> None:
    state = planned()
    closed_case = case_state(CaseStatus.GESLOTEN)
    refused = add_item(state, closed_case, PIETER, "x", T0)
    assert isinstance(refused, Refusal) and refused.code is RefusalCode.CASE_CLOSED


def test_decisions_only_while_running_and_only_by_organisers() -> None:
    state = planned()
    during = START + timedelta(minutes=10)
    ok = decide(state, case_state(), PIETER, "Huisbezoek door wijkteam", during)
    assert isinstance(ok, Transition)
    assert ok.events == (
        DecisionRecorded("OV-2026-0001", during, PIETER.matrix_id, "Huisbezoek door wijkteam"),
    )
    refused = decide(state, case_state(), BRAM, "x", during)
    assert isinstance(refused, Refusal) and refused.code is RefusalCode.NOT_PERMITTED


# ----------------------------------------------------------------- agenda and minutes


def fact(number: int, deadline: datetime, status: str = "open", **kw: datetime) -> AgreementFact:
    return AgreementFact(
        number, f"Afspraak {number}", "Anouk", deadline, status, T0 - timedelta(days=30), **kw
    )


def test_agenda_from_a_seeded_case() -> None:
    state = planned()
    previous = T0 - timedelta(days=14)
    agreements = [
        fact(1, T0 - timedelta(days=2)),  # overdue
        fact(2, T0 - timedelta(days=5)),  # overdue, older
        fact(3, T0 + timedelta(days=1)),  # due before the conference
        fact(4, START + timedelta(days=10)),  # due later: not on the agenda
        fact(5, T0, "klaar", completed_at=T0 - timedelta(days=3)),  # finished since last one
        fact(6, T0, "klaar", completed_at=T0 - timedelta(days=20)),  # before the last one
        fact(7, T0, "vervallen", completed_at=T0 - timedelta(days=1)),
    ]
    items = [
        Entry("Schoolverzuim", "Bram", T0 + timedelta(minutes=2)),
        Entry("Huisvesting", "Anouk", T0 + timedelta(minutes=1)),
    ]
    agenda = assemble_agenda(
        state,
        regie_holder="Pieter",
        regie_since=T0 - timedelta(days=40),
        agreements=agreements,
        items=items,
        previous_at=previous,
        now=T0,
        limit=10,
    )
    sections = {s.name: s for s in agenda.sections}
    assert [s.name for s in agenda.sections] == [
        SectionName.OVERDUE,
        SectionName.DUE,
        SectionName.FINISHED,
        SectionName.ITEMS,
    ]
    assert [a.number for a in sections[SectionName.OVERDUE].items] == [2, 1]  # type: ignore[attr-defined]
    assert [a.number for a in sections[SectionName.DUE].items] == [3]  # type: ignore[attr-defined]
    assert [a.number for a in sections[SectionName.FINISHED].items] == [7, 5]  # type: ignore[attr-defined]
    assert [e.text for e in sections[SectionName.ITEMS].items] == ["Huisvesting", "Schoolverzuim"]  # type: ignore[attr-defined]
    assert agenda.regie_holder == "Pieter"


def test_agenda_sections_are_bounded_and_count_the_rest() -> None:
    state = planned()
    agreements = [fact(n, T0 - timedelta(days=n)) for n in range(1, 8)]
    agenda = assemble_agenda(
        state,
        regie_holder=None,
        regie_since=T0,
        agreements=agreements,
        items=[],
        previous_at=None,
        now=T0,
        limit=3,
        signals=["s1"],
        escalations=[],
    )
    overdue = agenda.sections[0]
    assert [a.number for a in overdue.items] == [7, 6, 5]  # type: ignore[attr-defined]
    assert overdue.more == 4
    assert [s.name for s in agenda.sections][3:5] == [SectionName.SIGNALS, SectionName.ESCALATIONS]


def test_minutes_content() -> None:
    state = planned()
    during = START + timedelta(minutes=5)
    off = answer(state, case_state(), BRAM, False, "zitting", T0)
    assert isinstance(off, Transition)
    came = answer(off.state, case_state(), ANOUK, True, "", T0)
    assert isinstance(came, Transition)
    linked = [fact(8, START + timedelta(days=7))]
    agreements = [
        fact(1, T0, "klaar", completed_at=during),  # finished during the conference
        fact(2, T0 + timedelta(days=2), changed_at=during),  # postponed during it
        fact(3, T0, "klaar", completed_at=T0),  # finished before: not in the minutes
        linked[0],
    ]
    minutes = assemble_minutes(
        came.state,
        decisions=[
            Entry("Tweede besluit", "Pieter", during + timedelta(minutes=1)),
            Entry("Eerste besluit", "Pieter", during),
        ],
        linked=linked,
        agreements=agreements,
        next_at=START + timedelta(days=14),
    )
    assert [p.matrix_id for p in minutes.attendees] == [ANOUK.matrix_id, PIETER.matrix_id]
    assert [(p.matrix_id, p.reason) for p in minutes.absentees] == [
        (KIM.matrix_id, None),
        (BRAM.matrix_id, "zitting"),
    ]
    assert [d.text for d in minutes.decisions] == ["Eerste besluit", "Tweede besluit"]
    assert [a.number for a in minutes.new_agreements] == [8]
    assert [a.number for a in minutes.changed_agreements] == [1, 2]
    assert minutes.next_at == START + timedelta(days=14)


# ----------------------------------------------------------------- reminders


CAL = WorkCalendar(observe_holidays=False)


def test_reminders_a_working_day_and_an_hour_before() -> None:
    monday_14 = datetime(2026, 12, 7, 13, 0, tzinfo=UTC)  # Monday 14:00 local
    moments = reminder_moments(monday_14, T0, CAL, day_before_at=time(9, 0), hour_before_minutes=60)
    assert moments == [
        (ReminderKind.DAY_BEFORE, datetime(2026, 12, 4, 8, 0, tzinfo=UTC)),  # Friday 9:00
        (ReminderKind.HOUR_BEFORE, datetime(2026, 12, 7, 12, 0, tzinfo=UTC)),
    ]


def test_no_hour_before_reminder_outside_office_hours_and_short_notice_goes_now() -> None:
    nine = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)  # Tuesday 9:00 local; 8:00 is before office
    moments = reminder_moments(nine, T0, CAL, day_before_at=time(9, 0), hour_before_minutes=60)
    assert moments == [(ReminderKind.DAY_BEFORE, T0)]  # Monday 9:00 local passed: at once
