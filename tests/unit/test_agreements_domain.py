"""Who may do what with agreements and reminders: table-driven tests of the pure domain.

The matrices state today's behaviour of ``!actie``, ``!acties``, ``!actie klaar``,
``!actie uitstel``, ``!actie vervalt``, ``!herinner``, ``!herinneringen``,
``!herinnering annuleer`` and ``!mijn`` for every relationship one can have to them.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from avz_bot.domain.agreements import (
    PERMISSIONS,
    READ_ONLY_ACTIONS,
    Actor,
    AgreementAction,
    Ownership,
    Rule,
    Scope,
    actors_for,
    check,
    check_case,
    permission_table_rows,
)
from avz_bot.domain.cases import Actor as CaseActor
from avz_bot.domain.cases import (
    CaseAction,
    CaseMember,
    CaseState,
    CaseStatus,
    Refusal,
    RefusalCode,
)
from avz_bot.domain.partners import Member, Organisation, OrgDomain, Role
from avz_bot.messages import CATALOGUES

EARLIER = datetime(2024, 5, 5, 10, 0, tzinfo=UTC)
POLITIE = Organisation("politie", "Politie", OrgDomain.VEILIGHEID)
GGZ = Organisation("ggz", "GGZ", OrgDomain.ZORG)
JEUGD = Organisation("jeugd", "Jeugdzorg", OrgDomain.ZORG)


def person(name: str, org: Organisation = POLITIE, *roles: Role) -> Member:
    return Member(f"@{name}:avz.test", name.title(), org, frozenset(roles))


def case(
    *users: Member, holder: Member | None, status: CaseStatus = CaseStatus.ACTIEF
) -> CaseState:
    members = {u.matrix_id: CaseMember(u.matrix_id, u.organisation.code, EARLIER) for u in users}
    return CaseState(
        "AVZ-2024-0001", status, holder.matrix_id if holder else None, EARLIER, members
    )


# Everyone below but STRANGER and KETEN_OUTSIDE is a member of the case. OWNER owns the
# agreement (a person of GGZ); ORG_MATE is in OWNER's organisation; CREATOR made the
# agreement and planned the reminder; ADMIN is a beheerder.
PLAIN = person("plain", JEUGD)
HOLDER = person("holder", POLITIE)
OWNER = person("owner", GGZ)
ORG_MATE = person("orgmate", GGZ)
CREATOR = person("creator", JEUGD)
KETEN = person("keten", POLITIE, Role.KETENMANAGER)
KETEN_OUTSIDE = person("outsider", POLITIE, Role.KETENMANAGER)
ADMIN = person("admin", JEUGD, Role.ADMIN)
STRANGER = person("stranger", GGZ)

RELATIONSHIPS = {
    "non_member": STRANGER,
    "member": PLAIN,
    "regiehouder": HOLDER,
    "owner": OWNER,
    "owner_org_mate": ORG_MATE,
    "creator": CREATOR,
    "ketenmanager": KETEN,
    "ketenmanager_outside": KETEN_OUTSIDE,
    "admin": ADMIN,
}
STATE = case(PLAIN, HOLDER, OWNER, ORG_MATE, CREATOR, KETEN, ADMIN, holder=HOLDER)
AGREEMENT = Ownership(OWNER.matrix_id, GGZ.code)  # a person's agreement

OK = None
NM = RefusalCode.NOT_A_MEMBER
NP = RefusalCode.NOT_PERMITTED
CASE_MEMBERS = (NM, OK, OK, OK, OK, OK, OK, NM, OK)
STEERING = (NM, NP, OK, OK, NP, NP, OK, NM, NP)  # owner, regiehouder or ketenmanager
EVERYONE = (OK,) * len(RELATIONSHIPS)

# columns: non_member, member, regiehouder, owner, owner_org_mate, creator, ketenmanager,
#          ketenmanager_outside, admin
MATRIX: dict[AgreementAction, tuple[RefusalCode | None, ...]] = {
    AgreementAction.CREATE: CASE_MEMBERS,
    AgreementAction.VIEW: CASE_MEMBERS,
    AgreementAction.FINISH: STEERING,
    AgreementAction.POSTPONE: STEERING,
    AgreementAction.LAPSE: STEERING,
    AgreementAction.REMIND: EVERYONE,
    AgreementAction.REMINDERS_VIEW: EVERYONE,
    AgreementAction.REMINDER_CANCEL: (NP, NP, NP, NP, NP, OK, NP, NP, NP),
    AgreementAction.MINE: EVERYONE,
}


def code(refusal: Refusal | None) -> RefusalCode | None:
    return None if refusal is None else refusal.code


def test_the_matrix_covers_every_action_and_relationship() -> None:
    assert set(MATRIX) == set(AgreementAction) == set(PERMISSIONS)
    assert all(len(row) == len(RELATIONSHIPS) for row in MATRIX.values())


@pytest.mark.parametrize(
    ("action", "relationship", "expected"),
    [
        (action, relationship, row[i])
        for action, row in MATRIX.items()
        for i, relationship in enumerate(RELATIONSHIPS)
    ],
)
def test_permission_matrix(
    action: AgreementAction, relationship: str, expected: RefusalCode | None
) -> None:
    member = RELATIONSHIPS[relationship]
    refusal = check(action, member, case=STATE, agreement=AGREEMENT, reminder_by=CREATOR.matrix_id)
    assert code(refusal) == expected


# An organisation's agreement (no person): every member of that organisation owns it,
# but only inside the case.
ORG_AGREEMENT = Ownership(None, GGZ.code)
ORG_COLUMNS = (NM, NP, OK, OK, OK, NP, OK, NM, NP)


@pytest.mark.parametrize(
    "action", [AgreementAction.FINISH, AgreementAction.POSTPONE, AgreementAction.LAPSE]
)
@pytest.mark.parametrize(
    ("relationship", "expected"), list(zip(RELATIONSHIPS, ORG_COLUMNS, strict=True))
)
def test_an_organisations_agreement_is_owned_by_its_members_in_the_case(
    action: AgreementAction, relationship: str, expected: RefusalCode | None
) -> None:
    refusal = check(action, RELATIONSHIPS[relationship], case=STATE, agreement=ORG_AGREEMENT)
    assert code(refusal) == expected


def test_a_persons_agreement_is_not_owned_by_their_organisation() -> None:
    assert OWNER.organisation == ORG_MATE.organisation
    assert Actor.OWNER in actors_for(OWNER, case=STATE, agreement=AGREEMENT)
    assert Actor.OWNER not in actors_for(ORG_MATE, case=STATE, agreement=AGREEMENT)


@pytest.mark.parametrize("action", list(AgreementAction))
def test_a_closed_case_only_allows_reading_its_agreements(action: AgreementAction) -> None:
    closed = case(HOLDER, OWNER, KETEN, holder=HOLDER, status=CaseStatus.GESLOTEN)
    case_action = PERMISSIONS[action].scope is Scope.CASE
    for member in (HOLDER, OWNER, KETEN):
        refusal = check(action, member, case=closed, agreement=AGREEMENT)
        if case_action and action not in READ_ONLY_ACTIONS:
            assert code(refusal) == RefusalCode.CASE_CLOSED
        elif action is not AgreementAction.REMINDER_CANCEL:
            assert refusal is None
    if case_action:  # membership comes before the closed case
        assert code(check(action, STRANGER, case=closed)) == NM


@pytest.mark.parametrize(
    "action", [a for a in AgreementAction if PERMISSIONS[a].scope is Scope.CASE]
)
def test_the_case_gate_needs_no_agreement(action: AgreementAction) -> None:
    # What the service checks before it looks the agreement up: a non-member (even a
    # ketenmanager) is refused whether or not the agreement exists; a member passes
    # the gate and the table decides once the agreement is known.
    assert code(check_case(action, STATE, STRANGER)) == NM
    assert code(check_case(action, STATE, KETEN_OUTSIDE)) == NM
    assert check_case(action, STATE, PLAIN) is None
    with pytest.raises(ValueError, match="case"):
        check(action, PLAIN)


@pytest.mark.parametrize(
    "action", [a for a in AgreementAction if PERMISSIONS[a].scope is not Scope.CASE]
)
def test_actions_outside_a_case_have_no_case_gate(action: AgreementAction) -> None:
    assert check_case(action, STATE, STRANGER) is None


def test_refusal_params_are_the_ones_the_case_renderer_words() -> None:
    # Same code and parameters as the cases' table gave for these actions, so
    # "Dat mag alleen de regiehouder of een ketenmanager of de eigenaar van de afspraak."
    assert check(AgreementAction.FINISH, PLAIN, case=STATE, agreement=AGREEMENT) == Refusal(
        RefusalCode.NOT_PERMITTED,
        {"allowed": "regiehouder,ketenmanager,owner", "holder": HOLDER.matrix_id},
    )
    no_regie = case(PLAIN, OWNER, holder=None)
    assert check(AgreementAction.LAPSE, PLAIN, case=no_regie, agreement=AGREEMENT) == Refusal(
        RefusalCode.NOT_PERMITTED, {"allowed": "regiehouder,ketenmanager,owner"}
    )
    assert check(AgreementAction.REMINDER_CANCEL, PLAIN, reminder_by=CREATOR.matrix_id) == (
        Refusal(RefusalCode.NOT_PERMITTED, {"allowed": "creator"})
    )
    assert check(AgreementAction.REMINDER_CANCEL, CREATOR, reminder_by=CREATOR.matrix_id) is None


def test_actors_for_lists_every_relationship() -> None:
    state = case(KETEN, holder=KETEN)
    mine = Ownership(KETEN.matrix_id, KETEN.organisation.code)
    assert actors_for(KETEN, case=state, agreement=mine, reminder_by=KETEN.matrix_id) == set(Actor)
    assert actors_for(KETEN_OUTSIDE, case=state, agreement=mine) == {
        Actor.PARTNER,
        Actor.KETENMANAGER,
    }
    assert actors_for(STRANGER) == {Actor.PARTNER}


def test_permission_table_rows_follow_declaration_order() -> None:
    rows = permission_table_rows()
    assert [action for action, _, _ in rows] == list(AgreementAction)
    by_action = {action: (actors, scope) for action, actors, scope in rows}
    assert by_action[AgreementAction.FINISH] == (
        [Actor.REGIEHOUDER, Actor.KETENMANAGER, Actor.OWNER],
        Scope.CASE,
    )
    assert by_action[AgreementAction.MINE] == ([Actor.PARTNER], Scope.DIRECT_CHAT)
    assert all(isinstance(rule, Rule) for rule in PERMISSIONS.values())


def test_no_agreement_action_is_left_in_the_cases_table() -> None:
    assert not [a for a in CaseAction if a.value.startswith("agreement")]
    assert "owner" not in {a.value for a in CaseActor}


@pytest.mark.parametrize("locale", sorted(CATALOGUES))
def test_the_readme_and_the_refusals_name_the_case_actors_alike(locale: str) -> None:
    # Refusals word "allowed" with case.actor.*, the README with agreement.actor.*.
    texts = CATALOGUES[locale]
    for actor in Actor:
        assert f"agreement.actor.{actor.value}" in texts
    for actor in (Actor.MEMBER, Actor.REGIEHOUDER, Actor.KETENMANAGER, Actor.OWNER):
        assert texts[f"agreement.actor.{actor.value}"] == texts[f"case.actor.{actor.value}"]
