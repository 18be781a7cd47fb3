"""Who sees what on the case board: the areas' tables, read (pure, table-driven)."""

from __future__ import annotations

import pytest

from avz_bot.domain.board.permissions import may_read_open_question, members_read_cases, scope_for
from avz_bot.domain.partners import (
    Member,
    Organisation,
    OrgDomain,
    Role,
    ScopedRole,
    ScopedRoleKind,
)

ORG = Organisation("politie", "Politie", OrgDomain.VEILIGHEID)
PLACES = ("groningen", "het-hogeland", "oldambt")


def _member(*roles: Role, scoped: tuple[ScopedRole, ...] = ()) -> Member:
    return Member("@x:avz.test", "X", ORG, frozenset(roles), frozenset(scoped))


@pytest.mark.parametrize(
    ("member", "all_cases", "tvo_all", "tvo", "helpdesk_all", "themes"),
    [
        (_member(Role.PROFESSIONAL), False, False, set(), False, set()),
        (_member(Role.KETENMANAGER), True, True, set(PLACES), True, set()),
        (
            _member(Role.PROFESSIONAL, scoped=(ScopedRole(ScopedRoleKind.TVO, "oldambt"),)),
            False,
            False,
            {"oldambt"},
            False,
            set(),
        ),
        (
            _member(
                Role.PROFESSIONAL,
                scoped=(
                    ScopedRole(ScopedRoleKind.THEME, "jeugd"),
                    ScopedRole(ScopedRoleKind.BACKUP_THEME, "zorg"),
                ),
            ),
            False,
            False,
            set(),
            False,
            {"jeugd", "zorg"},
        ),
    ],
    ids=["professional", "ketenmanager", "tvo-oldambt", "theme-expert"],
)
def test_scope_follows_the_areas_tables(
    member: Member,
    all_cases: bool,
    tvo_all: bool,
    tvo: set[str],
    helpdesk_all: bool,
    themes: set[str],
) -> None:
    scope = scope_for(member, PLACES)
    assert scope.all_cases is all_cases
    assert scope.tvo_all is tvo_all
    assert {m for m in PLACES if scope.sees_tvo(m)} == (set(PLACES) if tvo_all else tvo)
    assert scope.helpdesk_all is helpdesk_all
    assert scope.helpdesk_themes == themes


def test_a_tvo_role_elsewhere_shows_no_other_queue() -> None:
    member = _member(Role.PROFESSIONAL, scoped=(ScopedRole(ScopedRoleKind.TVO, "pekela"),))
    scope = scope_for(member, PLACES)
    assert not any(scope.sees_tvo(m) for m in PLACES)


def test_members_read_their_cases_and_only_experts_read_others_questions() -> None:
    assert members_read_cases()
    assert may_read_open_question(_member(Role.PROFESSIONAL), expert_of_theme=True)
    assert not may_read_open_question(_member(Role.PROFESSIONAL), expert_of_theme=False)
