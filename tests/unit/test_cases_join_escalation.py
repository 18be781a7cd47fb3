"""The cases domain's transition for someone joining a case to handle its escalation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from avz_bot.domain.cases import (
    CaseMember,
    CaseState,
    CaseStatus,
    MemberAdded,
    Refusal,
    RefusalCode,
    Transition,
    join_to_handle_escalation,
)

NOW = datetime(2024, 5, 6, 10, 0, tzinfo=UTC)
ALICE = "@alice:avz.test"
BOB = "@bob:avz.test"


def _case() -> CaseState:
    members = {ALICE: CaseMember(ALICE, "politie", NOW - timedelta(days=1))}
    return CaseState("AVZ-2024-0001", CaseStatus.ACTIEF, ALICE, NOW, members, None)


def test_the_acknowledger_joins_as_their_own_actor() -> None:
    state = _case()
    outcome = join_to_handle_escalation(state, BOB, "ggz", NOW)
    assert isinstance(outcome, Transition)
    assert outcome.state.members[BOB] == CaseMember(BOB, "ggz", NOW)
    assert outcome.events == (MemberAdded(state.reference, NOW, BOB, BOB, "ggz"),)


def test_members_and_unregistered_people_are_refused() -> None:
    state = _case()
    member = join_to_handle_escalation(state, ALICE, "politie", NOW)
    unknown = join_to_handle_escalation(state, BOB, None, NOW)
    assert isinstance(member, Refusal) and member.code is RefusalCode.ALREADY_MEMBER
    assert isinstance(unknown, Refusal) and unknown.code is RefusalCode.NOT_REGISTERED
