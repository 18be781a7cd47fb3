"""Cases, status, permissions and procesregie: table-driven tests of the pure domain."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest

from avz_bot.domain.cases import (
    PERMISSIONS,
    Actor,
    CaseAction,
    CaseEvent,
    CasemanagerTaken,
    CaseMember,
    CaseRole,
    CaseState,
    CaseStatus,
    EndCause,
    MemberAdded,
    MemberRemoved,
    Outcome,
    ProposalCancelled,
    ProposalExpired,
    ProposalKind,
    Refusal,
    RefusalCode,
    RegieAssigned,
    RegieDeclined,
    RegieProposal,
    RegieReleased,
    RegieRequested,
    RegieTaken,
    RegieTransferProposed,
    RegieTransferred,
    RoleLine,
    StatusChanged,
    Transition,
    actors_for,
    change_status,
    check,
    close,
    expire_proposal,
    invite,
    member_left,
    new_case,
    permission_table_rows,
    regie_accept,
    regie_assign,
    regie_claim,
    regie_decline,
    regie_release,
    regie_transfer,
    remove,
    roles,
    take_casemanager,
    unregie_report_due,
)
from avz_bot.domain.partners import Member, Organisation, OrgDomain, Role

NOW = datetime(2024, 5, 6, 10, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=3)
EARLIER = NOW - timedelta(days=1)
POLITIE = Organisation("politie", "Politie", OrgDomain.VEILIGHEID)
GGZ = Organisation("ggz", "GGZ", OrgDomain.ZORG)


def person(name: str, org: Organisation = POLITIE, *roles: Role) -> Member:
    return Member(f"@{name}:avz.test", name.title(), org, frozenset(roles))


ALICE = person("alice", POLITIE, Role.KETENMANAGER)  # the actor in the regie matrix
BOB = person("bob", GGZ)
CAROL = person("carol", GGZ)


def case(
    *users: Member,
    status: CaseStatus = CaseStatus.ACTIEF,
    holder: Member | None = None,
    proposal: RegieProposal | None = None,
) -> CaseState:
    members = {u.matrix_id: CaseMember(u.matrix_id, u.organisation.code, EARLIER) for u in users}
    return CaseState(
        "AVZ-2024-0001",
        status,
        holder.matrix_id if holder else None,
        EARLIER,
        members,
        proposal,
    )


def proposal(
    kind: ProposalKind, from_user: Member, to_user: Member, expired: bool = False
) -> RegieProposal:
    expires_at = NOW - timedelta(minutes=1) if expired else LATER
    return RegieProposal(kind, from_user.matrix_id, to_user.matrix_id, EARLIER, expires_at)


def kinds(outcome: Outcome) -> list[type[CaseEvent]]:
    assert isinstance(outcome, Transition), outcome
    return [type(event) for event in outcome.events]


def code(outcome: Outcome | Refusal | None) -> RefusalCode | None:
    return outcome.code if isinstance(outcome, Refusal) else None


# ------------------------------------------------------------------- status

ALLOWED = {
    (CaseStatus.AANGEMELD, CaseStatus.ACTIEF),
    (CaseStatus.AANGEMELD, CaseStatus.GESLOTEN),
    (CaseStatus.ACTIEF, CaseStatus.AFGESCHAALD),
    (CaseStatus.ACTIEF, CaseStatus.GESLOTEN),
    (CaseStatus.AFGESCHAALD, CaseStatus.ACTIEF),
    (CaseStatus.AFGESCHAALD, CaseStatus.GESLOTEN),
}


def _status_expectation(old: CaseStatus, new: CaseStatus) -> RefusalCode | None:
    if old is CaseStatus.GESLOTEN:
        return RefusalCode.CASE_CLOSED
    if old is new:
        return RefusalCode.ALREADY_IN_STATUS
    return None if (old, new) in ALLOWED else RefusalCode.TRANSITION_NOT_ALLOWED


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [(o, n, _status_expectation(o, n)) for o in CaseStatus for n in CaseStatus],
)
def test_status_matrix(old: CaseStatus, new: CaseStatus, expected: RefusalCode | None) -> None:
    state = case(ALICE, status=old, holder=ALICE)
    outcome = change_status(state, ALICE, new, "overleg gehad", NOW)
    assert code(outcome) == expected
    if expected is None:
        assert isinstance(outcome, Transition)
        assert outcome.state.status is new
        assert outcome.events == (
            StatusChanged(state.reference, NOW, ALICE.matrix_id, old, new, "overleg gehad"),
        )


@pytest.mark.parametrize("reason", ["", "   "])
def test_status_change_needs_a_reason(reason: str) -> None:
    state = case(ALICE, holder=ALICE)
    assert code(change_status(state, ALICE, CaseStatus.AFGESCHAALD, reason, NOW)) == (
        RefusalCode.REASON_REQUIRED
    )
    assert code(close(state, ALICE, reason, NOW)) == RefusalCode.REASON_REQUIRED


def test_refusal_params_name_the_allowed_statuses() -> None:
    outcome = change_status(case(ALICE, holder=ALICE), ALICE, CaseStatus.AANGEMELD, "x", NOW)
    assert outcome == Refusal(
        RefusalCode.TRANSITION_NOT_ALLOWED,
        {"status": "actief", "new_status": "aangemeld", "allowed": "afgeschaald,gesloten"},
    )


def test_close_cancels_a_pending_proposal_and_keeps_the_holder() -> None:
    state = case(ALICE, BOB, holder=ALICE, proposal=proposal(ProposalKind.TRANSFER, ALICE, BOB))
    outcome = close(state, ALICE, "doelen bereikt", NOW)
    assert kinds(outcome) == [ProposalCancelled, StatusChanged]
    assert isinstance(outcome, Transition)
    assert outcome.state.status is CaseStatus.GESLOTEN
    assert outcome.state.regie_holder == ALICE.matrix_id
    assert outcome.state.pending_proposal is None
    assert isinstance(outcome.events[0], ProposalCancelled)
    assert outcome.events[0].cause is EndCause.CLOSED


# -------------------------------------------------------------- permissions

HOLDER = person("holder")
PLAIN = person("plain")
KETEN = person("keten", POLITIE, Role.KETENMANAGER)
KETEN_OUTSIDE = person("outsider", POLITIE, Role.KETENMANAGER)
TARGET = person("target", GGZ)
STRANGER = person("stranger")

RELATIONSHIPS = {
    "non_member": STRANGER,
    "member": PLAIN,
    "regiehouder": HOLDER,
    "ketenmanager": KETEN,
    "ketenmanager_outside": KETEN_OUTSIDE,
    "proposal_target": TARGET,
}
PERMISSION_STATE = case(
    HOLDER,
    PLAIN,
    KETEN,
    TARGET,
    holder=HOLDER,
    proposal=proposal(ProposalKind.TRANSFER, HOLDER, TARGET),
)

OK = None
NM = RefusalCode.NOT_A_MEMBER
NP = RefusalCode.NOT_PERMITTED
NT = RefusalCode.NOT_PROPOSAL_TARGET
_ANY_MEMBER = (NM, OK, OK, OK, NM, OK)
_STEERING = (NM, NP, OK, OK, NM, NP)  # regiehouder or ketenmanager
_HOLDER_ONLY = (NM, NP, OK, NP, NM, NP)
_TARGET_ONLY = (NM, NT, NT, NT, NM, OK)

# columns: non_member, member, regiehouder, ketenmanager, ketenmanager_outside,
#          proposal_target (the agreements' own table: tests/unit/test_agreements_domain.py)
PERMISSION_MATRIX: dict[CaseAction, tuple[RefusalCode | None, ...]] = {
    CaseAction.VIEW: _ANY_MEMBER,
    CaseAction.CHANGE_STATUS: _STEERING,
    CaseAction.CLOSE: _STEERING,
    CaseAction.INVITE: _STEERING,
    CaseAction.REMOVE: _STEERING,
    CaseAction.REGIE_VIEW: _ANY_MEMBER,
    CaseAction.REGIE_CLAIM: _ANY_MEMBER,
    CaseAction.REGIE_TRANSFER: _HOLDER_ONLY,
    CaseAction.REGIE_ACCEPT: _TARGET_ONLY,
    CaseAction.REGIE_DECLINE: _TARGET_ONLY,
    CaseAction.REGIE_RELEASE: _HOLDER_ONLY,
    CaseAction.REGIE_ASSIGN: (NM, NP, NP, OK, NM, NP),
    CaseAction.ROLE_CASEMANAGER: _ANY_MEMBER,
    CaseAction.ROLES_VIEW: _ANY_MEMBER,
    CaseAction.TIMELINE_VIEW: _ANY_MEMBER,
    CaseAction.REOPEN: (NM, NP, NP, OK, NM, NP),
}


def test_the_matrix_covers_every_action() -> None:
    assert set(PERMISSION_MATRIX) == set(CaseAction) == set(PERMISSIONS)


@pytest.mark.parametrize(
    ("action", "relationship", "expected"),
    [
        (action, relationship, row[i])
        for action, row in PERMISSION_MATRIX.items()
        for i, relationship in enumerate(RELATIONSHIPS)
    ],
)
def test_permission_matrix(
    action: CaseAction, relationship: str, expected: RefusalCode | None
) -> None:
    member = RELATIONSHIPS[relationship]
    refusal = check(action, PERMISSION_STATE, member)
    assert code(refusal) == expected


@pytest.mark.parametrize("action", list(CaseAction))
def test_a_closed_case_only_allows_reading_and_reopening(action: CaseAction) -> None:
    state = case(HOLDER, KETEN, status=CaseStatus.GESLOTEN, holder=HOLDER)
    reading = action in {
        CaseAction.VIEW,
        CaseAction.REGIE_VIEW,
        CaseAction.ROLES_VIEW,
        CaseAction.TIMELINE_VIEW,
    }
    for member in (HOLDER, KETEN):
        expected = None if reading else RefusalCode.CASE_CLOSED
        if action is CaseAction.REOPEN:  # the ketenmanager's alone, and only when closed
            expected = None if member is KETEN else RefusalCode.NOT_PERMITTED
        assert code(check(action, state, member)) == expected
    assert code(check(action, state, STRANGER)) == RefusalCode.NOT_A_MEMBER


def test_refusal_params_help_the_renderer() -> None:
    assert check(CaseAction.INVITE, PERMISSION_STATE, PLAIN) == Refusal(
        RefusalCode.NOT_PERMITTED,
        {"allowed": "regiehouder,ketenmanager", "holder": HOLDER.matrix_id},
    )
    free = case(PLAIN)
    assert check(CaseAction.REGIE_ACCEPT, free, PLAIN) == Refusal(RefusalCode.NO_PENDING_PROPOSAL)
    assert check(CaseAction.REGIE_RELEASE, free, PLAIN) == Refusal(
        RefusalCode.NOT_PERMITTED, {"allowed": "regiehouder"}
    )


def test_actors_for_lists_every_relationship() -> None:
    state = case(
        KETEN, TARGET, holder=KETEN, proposal=proposal(ProposalKind.REQUEST, TARGET, KETEN)
    )
    assert actors_for(state, KETEN) == {
        Actor.MEMBER,
        Actor.REGIEHOUDER,
        Actor.KETENMANAGER,
        Actor.PROPOSAL_TARGET,
    }
    assert actors_for(state, KETEN_OUTSIDE) == {Actor.KETENMANAGER}
    assert actors_for(state, STRANGER) == frozenset()


def test_permission_table_rows_follow_declaration_order() -> None:
    rows = permission_table_rows()
    assert [action for action, _ in rows] == list(CaseAction)
    assert dict(rows)[CaseAction.CHANGE_STATUS] == [Actor.REGIEHOUDER, Actor.KETENMANAGER]


# ------------------------------------------------------------------- regie

# The actor is ALICE, a case member who is also a ketenmanager (so REGIE_ASSIGN is hers
# to use); BOB and CAROL are ordinary members. Transfers and assignments go to CAROL.
T, R = ProposalKind.TRANSFER, ProposalKind.REQUEST
SITUATIONS: dict[str, tuple[Member | None, RegieProposal | None]] = {
    "free": (None, None),
    "held_by_actor": (ALICE, None),
    "held_by_other": (BOB, None),
    "transfer_to_actor": (BOB, proposal(T, BOB, ALICE)),
    "request_to_actor": (ALICE, proposal(R, CAROL, ALICE)),
    "transfer_to_other": (BOB, proposal(T, BOB, CAROL)),
    "request_by_actor": (BOB, proposal(R, ALICE, BOB)),
    "transfer_by_actor": (ALICE, proposal(T, ALICE, CAROL)),
    "expired_transfer_to_actor": (BOB, proposal(T, BOB, ALICE, expired=True)),
    "expired_request_to_actor": (ALICE, proposal(R, CAROL, ALICE, expired=True)),
}

Act = Callable[[CaseState], Outcome]
ACTIONS: dict[str, Act] = {
    "claim": lambda s: regie_claim(s, ALICE, NOW, LATER),
    "transfer": lambda s: regie_transfer(s, ALICE, CAROL.matrix_id, NOW, LATER),
    "accept": lambda s: regie_accept(s, ALICE, NOW),
    "decline": lambda s: regie_decline(s, ALICE, NOW),
    "release": lambda s: regie_release(s, ALICE, "met verlof", NOW),
    "assign": lambda s: regie_assign(s, ALICE, CAROL.matrix_id, "logischste partij", NOW),
}


def ok(
    holder: Member | None, pending: tuple[ProposalKind, Member, Member] | None, *events: type
) -> tuple[str | None, tuple[ProposalKind, str, str] | None, tuple[type, ...]]:
    """An expected accepted outcome: resulting holder, pending proposal, event types."""
    summary = None if pending is None else (pending[0], pending[1].matrix_id, pending[2].matrix_id)
    return (holder.matrix_id if holder else None, summary, events)


A, B, C = ALICE, BOB, CAROL
PP, AH = RefusalCode.PROPOSAL_PENDING, RefusalCode.ALREADY_HOLDER
NOP, EXP = RefusalCode.NO_PENDING_PROPOSAL, RefusalCode.PROPOSAL_EXPIRED
Expected = RefusalCode | tuple[str | None, tuple[ProposalKind, str, str] | None, tuple[type, ...]]
REGIE_MATRIX: dict[tuple[str, str], Expected] = {
    # claim
    ("claim", "free"): ok(A, None, RegieTaken),
    ("claim", "held_by_actor"): AH,
    ("claim", "held_by_other"): ok(B, (R, A, B), RegieRequested),
    ("claim", "transfer_to_actor"): PP,
    ("claim", "request_to_actor"): AH,
    ("claim", "transfer_to_other"): PP,
    ("claim", "request_by_actor"): PP,
    ("claim", "transfer_by_actor"): AH,
    ("claim", "expired_transfer_to_actor"): ok(B, (R, A, B), ProposalExpired, RegieRequested),
    ("claim", "expired_request_to_actor"): AH,
    # transfer to CAROL
    ("transfer", "free"): NP,
    ("transfer", "held_by_actor"): ok(A, (T, A, C), RegieTransferProposed),
    ("transfer", "held_by_other"): NP,
    ("transfer", "transfer_to_actor"): NP,
    # CAROL asked ALICE for regie; handing it to CAROL grants that request (issue 25).
    ("transfer", "request_to_actor"): ok(C, None, RegieTransferred),
    ("transfer", "transfer_to_other"): NP,
    ("transfer", "request_by_actor"): NP,
    ("transfer", "transfer_by_actor"): PP,
    ("transfer", "expired_transfer_to_actor"): NP,
    ("transfer", "expired_request_to_actor"): ok(
        A, (T, A, C), ProposalExpired, RegieTransferProposed
    ),
    # accept
    ("accept", "free"): NOP,
    ("accept", "held_by_actor"): NOP,
    ("accept", "held_by_other"): NOP,
    ("accept", "transfer_to_actor"): ok(A, None, RegieTransferred),
    ("accept", "request_to_actor"): ok(C, None, RegieTransferred),
    ("accept", "transfer_to_other"): NT,
    ("accept", "request_by_actor"): NT,
    ("accept", "transfer_by_actor"): NT,
    ("accept", "expired_transfer_to_actor"): EXP,
    ("accept", "expired_request_to_actor"): EXP,
    # decline
    ("decline", "free"): NOP,
    ("decline", "held_by_actor"): NOP,
    ("decline", "held_by_other"): NOP,
    ("decline", "transfer_to_actor"): ok(B, None, RegieDeclined),
    ("decline", "request_to_actor"): ok(A, None, RegieDeclined),
    ("decline", "transfer_to_other"): NT,
    ("decline", "request_by_actor"): NT,
    ("decline", "transfer_by_actor"): NT,
    ("decline", "expired_transfer_to_actor"): EXP,
    ("decline", "expired_request_to_actor"): EXP,
    # release
    ("release", "free"): NP,
    ("release", "held_by_actor"): ok(None, None, RegieReleased),
    ("release", "held_by_other"): NP,
    ("release", "transfer_to_actor"): NP,
    ("release", "request_to_actor"): ok(None, None, ProposalCancelled, RegieReleased),
    ("release", "transfer_to_other"): NP,
    ("release", "request_by_actor"): NP,
    ("release", "transfer_by_actor"): ok(None, None, ProposalCancelled, RegieReleased),
    ("release", "expired_transfer_to_actor"): NP,
    ("release", "expired_request_to_actor"): ok(None, None, ProposalExpired, RegieReleased),
    # assign to CAROL (ALICE is a ketenmanager)
    ("assign", "free"): ok(C, None, RegieAssigned),
    ("assign", "held_by_actor"): ok(C, None, RegieAssigned),
    ("assign", "held_by_other"): ok(C, None, RegieAssigned),
    ("assign", "transfer_to_actor"): ok(C, None, ProposalCancelled, RegieAssigned),
    ("assign", "request_to_actor"): ok(C, None, ProposalCancelled, RegieAssigned),
    ("assign", "transfer_to_other"): ok(C, None, ProposalCancelled, RegieAssigned),
    ("assign", "request_by_actor"): ok(C, None, ProposalCancelled, RegieAssigned),
    ("assign", "transfer_by_actor"): ok(C, None, ProposalCancelled, RegieAssigned),
    ("assign", "expired_transfer_to_actor"): ok(C, None, ProposalExpired, RegieAssigned),
    ("assign", "expired_request_to_actor"): ok(C, None, ProposalExpired, RegieAssigned),
}


def test_the_regie_matrix_is_complete() -> None:
    assert set(REGIE_MATRIX) == {(a, s) for a in ACTIONS for s in SITUATIONS}


@pytest.mark.parametrize(("action", "situation"), list(REGIE_MATRIX))
def test_regie_matrix(action: str, situation: str) -> None:
    holder, pending = SITUATIONS[situation]
    state = case(ALICE, BOB, CAROL, holder=holder, proposal=pending)
    outcome = ACTIONS[action](state)
    expected = REGIE_MATRIX[(action, situation)]
    if isinstance(expected, RefusalCode):
        assert code(outcome) == expected
        return
    want_holder, want_pending, want_events = expected
    assert isinstance(outcome, Transition), outcome
    assert tuple(kinds(outcome)) == want_events
    assert outcome.state.regie_holder == want_holder
    got = outcome.state.pending_proposal
    summary = None if got is None else (got.kind, got.from_user, got.to_user)
    assert summary == want_pending
    if want_holder != state.regie_holder:
        assert outcome.state.regie_since == NOW
    else:
        assert outcome.state.regie_since == EARLIER  # a proposal does not move regie


def test_transfer_to_the_requester_grants_the_request_like_accepting_it() -> None:
    # Two simultaneous claims: CAROL lost and her claim became a request to ALICE.
    state = case(ALICE, BOB, CAROL, holder=ALICE, proposal=proposal(R, CAROL, ALICE))
    transferred = regie_transfer(state, ALICE, CAROL.matrix_id, NOW, LATER)
    accepted = regie_accept(state, ALICE, NOW)
    assert isinstance(transferred, Transition) and isinstance(accepted, Transition)
    assert transferred == accepted
    (event,) = transferred.events
    assert isinstance(event, RegieTransferred) and event.proposal_kind is ProposalKind.REQUEST


def test_transfer_to_someone_else_while_a_request_is_open_is_refused_and_says_who_asked() -> None:
    state = case(ALICE, BOB, CAROL, holder=ALICE, proposal=proposal(R, BOB, ALICE))
    outcome = regie_transfer(state, ALICE, CAROL.matrix_id, NOW, LATER)
    assert isinstance(outcome, Refusal)
    assert outcome.code is RefusalCode.REQUEST_PENDING
    assert outcome.params["requester"] == BOB.matrix_id
    assert datetime.fromisoformat(outcome.params["expires_at"]) > NOW


def test_an_expired_request_does_not_block_a_transfer_to_someone_else() -> None:
    state = case(ALICE, BOB, CAROL, holder=ALICE, proposal=proposal(R, BOB, ALICE, expired=True))
    outcome = regie_transfer(state, ALICE, CAROL.matrix_id, NOW, LATER)
    assert kinds(outcome) == [ProposalExpired, RegieTransferProposed]


def test_a_new_proposal_expires_when_the_caller_says() -> None:
    state = case(ALICE, BOB, holder=ALICE)
    outcome = regie_transfer(state, ALICE, BOB.matrix_id, NOW, lambda now: now + timedelta(days=5))
    assert isinstance(outcome, Transition)
    assert outcome.state.pending_proposal is not None
    assert outcome.state.pending_proposal.expires_at == NOW + timedelta(days=5)
    with pytest.raises(ValueError):
        regie_transfer(state, ALICE, BOB.matrix_id, NOW, NOW)


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (lambda s: regie_transfer(s, ALICE, ALICE.matrix_id, NOW, LATER), RefusalCode.TARGET_IS_SELF),
        (lambda s: regie_transfer(s, ALICE, STRANGER.matrix_id, NOW, LATER), RefusalCode.TARGET_NOT_MEMBER),
        (lambda s: regie_release(s, ALICE, " ", NOW), RefusalCode.REASON_REQUIRED),
        (lambda s: regie_assign(s, ALICE, BOB.matrix_id, "", NOW), RefusalCode.REASON_REQUIRED),
        (lambda s: regie_assign(s, ALICE, STRANGER.matrix_id, "x", NOW), RefusalCode.TARGET_NOT_MEMBER),
        (lambda s: regie_assign(s, ALICE, ALICE.matrix_id, "x", NOW), RefusalCode.ALREADY_HOLDER),
        (lambda s: regie_assign(s, BOB, BOB.matrix_id, "x", NOW), RefusalCode.NOT_PERMITTED),
    ],
    ids=["self", "non-member", "release-no-reason", "assign-no-reason", "assign-non-member",
         "assign-holder", "assign-not-ketenmanager"],
)  # fmt: skip
def test_regie_argument_refusals(call: Act, expected: RefusalCode) -> None:
    assert code(call(case(ALICE, BOB, holder=ALICE))) == expected


@pytest.mark.parametrize(
    ("moment", "expires"),
    [(LATER - timedelta(seconds=1), False), (LATER, True), (LATER + timedelta(days=1), True)],
)
def test_expire_proposal(moment: datetime, expires: bool) -> None:
    state = case(ALICE, BOB, holder=ALICE, proposal=proposal(ProposalKind.TRANSFER, ALICE, BOB))
    outcome = expire_proposal(state, moment)
    if not expires:
        assert outcome is None
        return
    assert outcome is not None
    assert outcome.state.pending_proposal is None
    assert outcome.state.regie_holder == ALICE.matrix_id
    assert outcome.events == (
        ProposalExpired(
            state.reference, moment, None, ProposalKind.TRANSFER, ALICE.matrix_id, BOB.matrix_id
        ),
    )
    assert expire_proposal(case(ALICE), moment) is None


def test_accept_at_the_expiry_moment_is_too_late() -> None:
    state = case(ALICE, BOB, holder=ALICE, proposal=proposal(ProposalKind.TRANSFER, ALICE, BOB))
    assert code(regie_accept(state, BOB, LATER)) == RefusalCode.PROPOSAL_EXPIRED
    assert isinstance(regie_accept(state, BOB, LATER - timedelta(seconds=1)), Transition)


def test_naive_time_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        regie_claim(case(ALICE), ALICE, datetime(2024, 5, 6, 10, 0), LATER)


# ----------------------------------------------------------------- members


def test_invite() -> None:
    state = case(ALICE, holder=ALICE)
    outcome = invite(state, ALICE, BOB.matrix_id, "ggz", NOW)
    assert isinstance(outcome, Transition)
    assert outcome.state.members[BOB.matrix_id] == CaseMember(BOB.matrix_id, "ggz", NOW)
    assert outcome.events == (
        MemberAdded(state.reference, NOW, ALICE.matrix_id, BOB.matrix_id, "ggz"),
    )
    assert code(invite(state, ALICE, BOB.matrix_id, None, NOW)) == RefusalCode.NOT_REGISTERED
    assert code(invite(state, ALICE, ALICE.matrix_id, "politie", NOW)) == (
        RefusalCode.ALREADY_MEMBER
    )


def _leave(state: CaseState, user: Member) -> Outcome:
    return member_left(state, user.matrix_id, NOW)


def _removed_by_keten(state: CaseState, user: Member) -> Outcome:
    return remove(state, KETEN, user.matrix_id, NOW)


@pytest.mark.parametrize(
    ("drop", "cause"), [(_leave, EndCause.LEFT), (_removed_by_keten, EndCause.REMOVED)]
)
def test_leaving_or_removal_drops_every_role(
    drop: Callable[[CaseState, Member], Outcome], cause: EndCause
) -> None:
    members = {
        u.matrix_id: CaseMember(u.matrix_id, u.organisation.code, EARLIER, u is BOB)
        for u in (ALICE, BOB, KETEN)
    }
    pending = proposal(ProposalKind.TRANSFER, BOB, ALICE)
    state = CaseState("AVZ-1", CaseStatus.ACTIEF, BOB.matrix_id, EARLIER, members, pending)
    outcome = drop(state, BOB)
    assert kinds(outcome) == [ProposalCancelled, RegieReleased, MemberRemoved]
    assert isinstance(outcome, Transition)
    cancelled, released, removed = outcome.events
    assert isinstance(cancelled, ProposalCancelled) and cancelled.cause is cause
    assert isinstance(released, RegieReleased) and released.cause is cause
    assert released.previous == BOB.matrix_id
    assert isinstance(removed, MemberRemoved) and removed.was_casemanager
    new = outcome.state
    assert BOB.matrix_id not in new.members
    assert (new.regie_holder, new.regie_since, new.pending_proposal) == (None, NOW, None)


def test_a_proposal_ends_when_its_target_leaves_but_regie_stays() -> None:
    state = case(ALICE, BOB, holder=ALICE, proposal=proposal(ProposalKind.TRANSFER, ALICE, BOB))
    outcome = member_left(state, BOB.matrix_id, NOW)
    assert kinds(outcome) == [ProposalCancelled, MemberRemoved]
    assert isinstance(outcome, Transition)
    assert outcome.state.regie_holder == ALICE.matrix_id


@pytest.mark.parametrize(
    ("state", "user", "expected"),
    [
        (case(ALICE), BOB, RefusalCode.NOT_A_MEMBER),
        (case(ALICE, BOB, status=CaseStatus.GESLOTEN), BOB, RefusalCode.CASE_CLOSED),
    ],
)
def test_member_left_refusals(state: CaseState, user: Member, expected: RefusalCode) -> None:
    assert code(member_left(state, user.matrix_id, NOW)) == expected


def test_remove_a_non_member() -> None:
    assert code(remove(case(KETEN), KETEN, BOB.matrix_id, NOW)) == RefusalCode.TARGET_NOT_MEMBER


@pytest.mark.parametrize(
    ("previous_casemanager", "expected_previous"),
    [(None, None), (BOB, BOB.matrix_id), (ALICE, None)],  # ALICE is politie, not ggz
)
def test_take_casemanager_moves_within_the_organisation(
    previous_casemanager: Member | None, expected_previous: str | None
) -> None:
    members = {
        u.matrix_id: CaseMember(
            u.matrix_id, u.organisation.code, EARLIER, u is previous_casemanager
        )
        for u in (ALICE, BOB, CAROL)
    }
    state = CaseState("AVZ-1", CaseStatus.ACTIEF, None, EARLIER, members)
    outcome = take_casemanager(state, CAROL, NOW)
    assert isinstance(outcome, Transition)
    assert outcome.events == (
        CasemanagerTaken("AVZ-1", NOW, CAROL.matrix_id, CAROL.matrix_id, "ggz", expected_previous),
    )
    flags = {key: m.casemanager for key, m in outcome.state.members.items()}
    assert flags[CAROL.matrix_id] and not flags[BOB.matrix_id]
    assert flags[ALICE.matrix_id] is (previous_casemanager is ALICE)
    assert code(take_casemanager(outcome.state, CAROL, NOW)) == RefusalCode.ALREADY_CASEMANAGER


def test_roles() -> None:
    members = {
        u.matrix_id: CaseMember(u.matrix_id, u.organisation.code, EARLIER, u is not BOB)
        for u in (ALICE, BOB, CAROL, PLAIN)
    }
    members[PLAIN.matrix_id] = CaseMember(PLAIN.matrix_id, "politie", EARLIER)
    state = CaseState("AVZ-1", CaseStatus.ACTIEF, CAROL.matrix_id, EARLIER, members)
    assert roles(state) == [
        RoleLine(CAROL.matrix_id, "ggz", (CaseRole.REGIEHOUDER, CaseRole.CASEMANAGER)),
        RoleLine(BOB.matrix_id, "ggz", (CaseRole.BETROKKEN,)),
        RoleLine(ALICE.matrix_id, "politie", (CaseRole.CASEMANAGER,)),
        RoleLine(PLAIN.matrix_id, "politie", (CaseRole.BETROKKEN,)),
    ]


# ------------------------------------------------------------ state & events


def test_new_case() -> None:
    state = new_case("AVZ-1", ALICE.matrix_id, "politie", NOW)
    assert (state.status, state.regie_holder, state.regie_since) == (
        CaseStatus.AANGEMELD,
        None,
        NOW,
    )
    assert list(state.members) == [ALICE.matrix_id]


@pytest.mark.parametrize(
    ("holder", "pending"),
    [
        (STRANGER, None),
        (None, proposal(ProposalKind.TRANSFER, ALICE, BOB)),
        (ALICE, proposal(ProposalKind.TRANSFER, BOB, ALICE)),
        (ALICE, proposal(ProposalKind.REQUEST, ALICE, BOB)),
        (ALICE, proposal(ProposalKind.TRANSFER, ALICE, STRANGER)),
    ],
    ids=["holder-not-member", "proposal-without-holder", "transfer-not-from-holder",
         "request-not-to-holder", "party-not-member"],
)  # fmt: skip
def test_state_invariants(holder: Member | None, pending: RegieProposal | None) -> None:
    members = {u.matrix_id: CaseMember(u.matrix_id, "politie", EARLIER) for u in (ALICE, BOB)}
    with pytest.raises(ValueError):
        CaseState(
            "AVZ-1", CaseStatus.ACTIEF, holder.matrix_id if holder else None, NOW, members, pending
        )


def test_states_are_immutable_values() -> None:
    state = case(ALICE)
    with pytest.raises(TypeError):
        state.members[BOB.matrix_id] = CaseMember(BOB.matrix_id, "ggz", NOW)  # type: ignore[index]
    assert case(ALICE) == state


def test_event_payload_is_plain() -> None:
    event = RegieRequested("AVZ-1", NOW, "@a:x", "@a:x", "@b:x", LATER)
    assert event.kind == "regie_requested"
    assert event.payload() == {
        "requester": "@a:x",
        "holder": "@b:x",
        "expires_at": LATER.isoformat(),
    }
    dropped = MemberRemoved("AVZ-1", NOW, None, "@a:x", "ggz", EndCause.LEFT, True)
    assert dropped.payload() == {
        "user": "@a:x",
        "organisation_code": "ggz",
        "cause": "left",
        "was_casemanager": True,
    }
    assert type(dropped.payload()["cause"]) is str


# ----------------------------------------------------------- vacancy report

# Working days in a small calendar: Mon 6 .. Fri 10 May 2024, then weekend, Mon 13 May.
MON, TUE, WED, THU, FRI, SAT, SUN, MON2 = (date(2024, 5, d) for d in (6, 7, 8, 9, 10, 11, 12, 13))


def weekdays_between(start: date, end: date) -> int:
    """Working days d with start < d <= end (weekends only; holidays are the caller's)."""
    days = (start + timedelta(days=n) for n in range(1, (end - start).days + 1))
    return sum(1 for d in days if d.weekday() < 5)


@pytest.mark.parametrize(
    ("vacant_since", "last_reported", "today", "due"),
    [
        (MON, None, TUE, False),  # 1 working day vacant, threshold 2
        (MON, None, WED, True),  # 2 working days: report
        (MON, WED, WED, False),  # already reported today
        (MON, WED, THU, True),  # again the next working day
        (MON, FRI, SAT, False),  # not on a weekend day...
        (TUE, None, SUN, False),  # ...not even the first time
        (MON, FRI, MON2, True),  # Monday after the Friday report
        (THU, None, MON2, True),  # Fri + Mon = 2 working days
        (FRI, None, MON2, False),  # only Mon counts
    ],
)
def test_unregie_report_due(
    vacant_since: date, last_reported: date | None, today: date, due: bool
) -> None:
    assert unregie_report_due(vacant_since, last_reported, today, 2, weekdays_between) is due


def test_unregie_threshold_must_not_be_negative() -> None:
    with pytest.raises(ValueError):
        unregie_report_due(MON, None, TUE, -1, weekdays_between)
