"""Closing a case with work still open asks first; a ketenmanager may reopen (issue 25)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from avz_bot.domain.cases import (
    CaseState,
    CaseStatus,
    CloseRequest,
    OpenWork,
    Refusal,
    RefusalCode,
    StatusChanged,
    Transition,
    close_needs_confirmation,
    reopen,
)
from avz_bot.domain.cases.state import CaseMember
from avz_bot.domain.partners import Member, Organisation, OrgDomain, Role

NOW = datetime(2026, 12, 8, 10, 0, tzinfo=UTC)
POLITIE = Organisation("politie", "Politie", OrgDomain.VEILIGHEID)
KETEN = Member("@keten:avz.test", "Karin", POLITIE, frozenset({Role.KETENMANAGER}))
HOLDER = Member("@holder:avz.test", "Pieter", POLITIE, frozenset({Role.PROFESSIONAL}))
OUTSIDER = Member("@out:avz.test", "Otto", POLITIE, frozenset({Role.KETENMANAGER}))
WITHIN = timedelta(days=30)


def closed_case(status: CaseStatus = CaseStatus.GESLOTEN) -> CaseState:
    since = NOW - timedelta(days=60)
    members = {
        m.matrix_id: CaseMember(m.matrix_id, m.organisation.code, since) for m in (HOLDER, KETEN)
    }
    return CaseState("AVZ-2026-0001", status, HOLDER.matrix_id, since, members, None)


@pytest.mark.parametrize(
    ("work", "ask"),
    [
        (OpenWork(), False),
        (OpenWork(agreements=12), True),  # the case: twelve open agreements
        (OpenWork(escalations=1), True),
        (OpenWork(conferences=1), True),
        (OpenWork(1, 1, 1), True),
    ],
)
def test_closing_asks_only_when_something_is_open(work: OpenWork, ask: bool) -> None:
    assert close_needs_confirmation(work) is ask


def test_open_work_is_never_negative() -> None:
    with pytest.raises(ValueError):
        OpenWork(agreements=-1)


def test_only_the_asker_confirms_and_only_in_time() -> None:
    request = CloseRequest(HOLDER.matrix_id, "doelen bereikt", NOW, NOW + timedelta(minutes=10))
    assert request.confirmable_by(HOLDER.matrix_id, NOW + timedelta(minutes=9)) is None
    assert (
        request.confirmable_by(KETEN.matrix_id, NOW + timedelta(minutes=1))
        is RefusalCode.NOT_CLOSE_REQUESTER
    )
    assert (
        request.confirmable_by(HOLDER.matrix_id, NOW + timedelta(minutes=10))
        is RefusalCode.CLOSE_REQUEST_EXPIRED
    )


def test_a_ketenmanager_reopens_within_the_period_with_a_reason() -> None:
    state = closed_case()
    outcome = reopen(state, KETEN, "nieuwe melding", NOW, NOW - timedelta(days=29), WITHIN)
    assert isinstance(outcome, Transition)
    (event,) = outcome.events
    assert isinstance(event, StatusChanged)
    assert (event.old_status, event.new_status, event.reason) == (
        CaseStatus.GESLOTEN,
        CaseStatus.ACTIEF,
        "nieuwe melding",
    )
    assert outcome.state.status is CaseStatus.ACTIEF


@pytest.mark.parametrize(
    ("who", "closed_ago", "reason", "expected"),
    [
        (HOLDER, timedelta(days=1), "x", RefusalCode.NOT_PERMITTED),  # not a ketenmanager
        (OUTSIDER, timedelta(days=1), "x", RefusalCode.NOT_A_MEMBER),  # not in the case
        (KETEN, timedelta(days=30), "x", RefusalCode.REOPEN_TOO_LATE),  # exactly the period
        (KETEN, timedelta(days=400), "x", RefusalCode.REOPEN_TOO_LATE),
        (KETEN, None, "x", RefusalCode.REOPEN_TOO_LATE),  # unknown closing moment
        (KETEN, timedelta(days=1), "  ", RefusalCode.REASON_REQUIRED),
    ],
)
def test_reopen_refusals(
    who: Member, closed_ago: timedelta | None, reason: str, expected: RefusalCode
) -> None:
    closed_at = None if closed_ago is None else NOW - closed_ago
    outcome = reopen(closed_case(), who, reason, NOW, closed_at, WITHIN)
    assert isinstance(outcome, Refusal) and outcome.code is expected


def test_an_open_case_cannot_be_reopened() -> None:
    state = closed_case(CaseStatus.ACTIEF)
    outcome = reopen(state, KETEN, "x", NOW, None, WITHIN)
    assert isinstance(outcome, Refusal) and outcome.code is RefusalCode.NOT_CLOSED
