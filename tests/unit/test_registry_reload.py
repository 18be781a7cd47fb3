"""A member leaving the partner registry: the case rule and the coordination notice."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from avz_bot.domain import cases as domain
from avz_bot.domain.cases import CaseStatus, EndCause, Refusal, Transition
from avz_bot.domain.partners import Member, Organisation, OrgDomain, Role
from avz_bot.messages import Messages
from avz_bot.services.operations.registry import _vanished
from avz_bot.services.operations.view import OpenAgreementLine, deregistered_notice

NOW = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
POLITIE = Organisation("politie", "Politie", OrgDomain.VEILIGHEID)
GGZ = Organisation("ggz", "GGZ", OrgDomain.ZORG)


def _member(user: str, org: Organisation = POLITIE) -> Member:
    return Member(user, user.strip("@"), org, frozenset({Role.PROFESSIONAL}))


def test_deregistered_regie_holder_loses_case_and_regie() -> None:
    anouk = _member("@anouk:x", GGZ)
    state = domain.new_case("AVZ-2026-0001", anouk.matrix_id, "ggz", NOW)
    state = replace(
        state,
        members={**state.members, "@pieter:x": domain.CaseMember("@pieter:x", "politie", NOW)},
    )
    claimed = domain.regie_claim(state, anouk, NOW, NOW + timedelta(days=3))
    assert isinstance(claimed, Transition)
    outcome = domain.member_deregistered(claimed.state, anouk.matrix_id, NOW)
    assert isinstance(outcome, Transition)
    assert outcome.state.regie_holder is None
    assert not outcome.state.is_member(anouk.matrix_id)
    kinds = [(type(e).__name__, getattr(e, "cause", None), e.actor) for e in outcome.events]
    assert kinds == [
        ("RegieReleased", EndCause.DEREGISTERED, "bot"),
        ("MemberRemoved", EndCause.DEREGISTERED, "bot"),
    ]


def test_deregistration_changes_no_closed_case_and_no_stranger() -> None:
    state = domain.new_case("AVZ-2026-0002", "@anouk:x", "ggz", NOW)
    assert isinstance(domain.member_deregistered(state, "@other:x", NOW), Refusal)
    closed = replace(state, status=CaseStatus.GESLOTEN)
    assert isinstance(domain.member_deregistered(closed, "@anouk:x", NOW), Refusal)


def test_vanished_members_are_the_removed_and_those_who_changed_organisation() -> None:
    before = {m.matrix_id: m for m in (_member("@a:x"), _member("@b:x"), _member("@c:x"))}
    after = [_member("@a:x"), _member("@b:x", GGZ), _member("@new:x")]
    assert _vanished(before, after) == {"@b:x": "organisation_changed", "@c:x": "removed"}


def test_notice_lists_most_urgent_first_and_is_bounded() -> None:
    messages = Messages("nl")
    lines = [
        OpenAgreementLine("AVZ-2026-0001", n, f"taak {n}", NOW + timedelta(days=20 - n))
        for n in range(1, 13)
    ]
    notice = deregistered_notice(
        messages.t, name="Anouk", cases=2, agreements=lines, max_items=10, when=lambda d: str(d)
    )
    body = notice.plain
    assert "Anouk" in body and "12" in body
    assert "taak 12" in body and "taak 1 " not in body  # the latest deadlines are cut
    assert body.index("taak 12") < body.index("taak 11")  # earliest deadline first
    assert "… en nog 2" in body
    assert "geannuleerd" in body  # says nothing was cancelled
