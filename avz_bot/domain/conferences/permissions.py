"""Who may do what with a case conference: one table, enforced in one place (pure).

Permissions live in one place, :data:`PERMISSIONS`, enforced in one place, :func:`check`,
which every transition (:mod:`avz_bot.domain.conferences.lifecycle`) calls first.
The case's own rules come first, exactly as in :func:`avz_bot.domain.cases.check`:
only members of the case may do anything, and a closed case accepts no changes.
The actors reuse the case's concepts (member, regiehouder, ketenmanager, the case's
casemanager role) plus two relationships to the conference itself: its organiser (who
planned it) and its participants (who were invited).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType

from avz_bot.domain.cases import CaseState
from avz_bot.domain.conferences.state import ConferenceState, Phase, Refusal, RefusalCode
from avz_bot.domain.partners import Member, Role


class ConferenceAction(StrEnum):
    """Everything one can do with a conference; the keys of :data:`PERMISSIONS`."""

    PLAN = "plan"
    MOVE = "move"
    CANCEL = "cancel"
    CLOSE = "close"
    DECIDE = "decide"
    CORRECT_ATTENDANCE = "correct_attendance"
    ADD_ITEM = "add_item"
    ATTEND = "attend"
    VIEW = "view"


class ConferenceActor(StrEnum):
    """A relationship to the case or the conference (see :func:`actors_for`).

    The first four are the case's concepts (``avz_bot.domain.cases.Actor`` and the
    casemanager role of ``CaseMember``); the last two are about the conference.
    """

    MEMBER = "member"
    REGIEHOUDER = "regiehouder"
    CASEMANAGER = "casemanager"
    KETENMANAGER = "ketenmanager"
    ORGANISER = "organiser"
    PARTICIPANT = "participant"


_ORGANISERS = frozenset(
    {
        ConferenceActor.REGIEHOUDER,
        ConferenceActor.CASEMANAGER,
        ConferenceActor.KETENMANAGER,
        ConferenceActor.ORGANISER,
    }
)

PERMISSIONS: Mapping[ConferenceAction, frozenset[ConferenceActor]] = MappingProxyType(
    {
        # Planning needs a case role: the organiser does not exist yet.
        ConferenceAction.PLAN: _ORGANISERS - {ConferenceActor.ORGANISER},
        ConferenceAction.MOVE: _ORGANISERS,
        ConferenceAction.CANCEL: _ORGANISERS,
        ConferenceAction.CLOSE: _ORGANISERS,
        ConferenceAction.DECIDE: _ORGANISERS,
        ConferenceAction.CORRECT_ATTENDANCE: _ORGANISERS,
        ConferenceAction.ADD_ITEM: frozenset({ConferenceActor.MEMBER}),
        # Only invited participants answer (also a ✅/❌ reaction counts only from them).
        ConferenceAction.ATTEND: frozenset({ConferenceActor.PARTICIPANT}),
        ConferenceAction.VIEW: frozenset({ConferenceActor.MEMBER}),
    }
)
"""Which relationships allow which action: any one of them suffices.

Membership of the case is required for every action in addition (see :func:`check`).
"""

#: In which phases each action is possible (checked after the permission).
PHASES: Mapping[ConferenceAction, frozenset[Phase]] = MappingProxyType(
    {
        ConferenceAction.PLAN: frozenset(),  # no conference yet
        ConferenceAction.MOVE: frozenset({Phase.PLANNED}),
        ConferenceAction.CANCEL: frozenset({Phase.PLANNED}),
        ConferenceAction.CLOSE: frozenset({Phase.RUNNING}),
        ConferenceAction.DECIDE: frozenset({Phase.RUNNING}),
        ConferenceAction.CORRECT_ATTENDANCE: frozenset({Phase.RUNNING}),
        ConferenceAction.ADD_ITEM: frozenset({Phase.PLANNED, Phase.RUNNING}),
        ConferenceAction.ATTEND: frozenset({Phase.PLANNED, Phase.RUNNING}),
        ConferenceAction.VIEW: frozenset(Phase),
    }
)


def permission_table_rows() -> list[tuple[ConferenceAction, list[ConferenceActor], list[Phase]]]:
    """The permission table in declaration order (for the README)."""
    return [
        (
            action,
            [a for a in ConferenceActor if a in PERMISSIONS[action]],
            [p for p in Phase if p in PHASES[action]],
        )
        for action in ConferenceAction
    ]


def actors_for(
    case: CaseState, member: Member, conference: ConferenceState | None
) -> frozenset[ConferenceActor]:
    """Every relationship ``member`` has to the case and the conference."""
    user = member.matrix_id
    actors: set[ConferenceActor] = set()
    in_case = case.members.get(user)
    if in_case is not None:
        actors.add(ConferenceActor.MEMBER)
        if in_case.casemanager:
            actors.add(ConferenceActor.CASEMANAGER)
    if case.regie_holder == user:
        actors.add(ConferenceActor.REGIEHOUDER)
    if member.has_role(Role.KETENMANAGER):
        actors.add(ConferenceActor.KETENMANAGER)
    if conference is not None:
        if conference.organiser == user:
            actors.add(ConferenceActor.ORGANISER)
        if user in conference.participants:
            actors.add(ConferenceActor.PARTICIPANT)
    return frozenset(actors)


def check(
    action: ConferenceAction,
    case: CaseState,
    member: Member,
    conference: ConferenceState | None,
    now: datetime,
) -> Refusal | None:
    """``None`` if ``member`` may do ``action`` now, else why not.

    Order: membership of the case, a closed case (only VIEW stays), the table, then the
    conference's phase (:data:`PHASES`).
    """
    if not case.is_member(member.matrix_id):
        return Refusal(RefusalCode.NOT_A_MEMBER)
    if case.is_closed and action is not ConferenceAction.VIEW:
        return Refusal(RefusalCode.CASE_CLOSED)
    allowed = PERMISSIONS[action]
    if not actors_for(case, member, conference) & allowed:
        names = ",".join(a for a in ConferenceActor if a in allowed)
        return Refusal(RefusalCode.NOT_PERMITTED, {"allowed": names})
    if conference is not None and conference.phase(now) not in PHASES[action]:
        return Refusal(
            RefusalCode.WRONG_PHASE,
            {"reference": conference.reference, "phase": conference.phase(now).value},
        )
    return None
