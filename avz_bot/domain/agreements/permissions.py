"""Who may do what with agreements and reminders: one table, enforced in one place (pure).

Permissions live in exactly one place, :data:`PERMISSIONS`, and are enforced in exactly one
place, :func:`check`. Each action has a :class:`Scope`:

- :attr:`Scope.CASE`, an agreement in a case room. The case comes first, as in the cases'
  own table (:mod:`avz_bot.domain.cases.permissions`): only members of the case may do
  anything with its agreements, a ketenmanager included (:attr:`RefusalCode.NOT_A_MEMBER`);
  a closed case only allows reading (:attr:`RefusalCode.CASE_CLOSED`). :func:`check_case`
  is that gate on its own, so a service can apply it *before* it looks anything up: a
  non-member learns nothing about the case, not even whether an agreement exists.
- :attr:`Scope.ROOM`, ``!herinner`` and its reminders, in any room the bot serves.
- :attr:`Scope.DIRECT_CHAT`, ``!mijn``, which shows data from all one's cases.

Then the member's relationships (:func:`actors_for`) must meet the actors the table allows
for the action. Refusals are the cases' :class:`Refusal` values, so they are worded by the
same catalogue keys (``case.refusal.*``); a refused ``REMINDER_CANCEL`` is worded
``reminder.not_yours`` by the service.

``PARTNER`` (every registered partner) is what the command layer already guarantees for
every command of this area (``member_command``); the ``DIRECT_CHAT`` place of ``!mijn``
needs the room's facts and is enforced where they are known (``commands/agreements.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from avz_bot.domain.cases.outcomes import Refusal, RefusalCode
from avz_bot.domain.cases.state import CaseState
from avz_bot.domain.partners import Member, Role


class AgreementAction(StrEnum):
    """Everything one can do with agreements and reminders; the keys of :data:`PERMISSIONS`."""

    CREATE = "agreement_create"  # !actie
    VIEW = "agreements_view"  # !acties
    FINISH = "agreement_finish"  # !actie klaar
    POSTPONE = "agreement_postpone"  # !actie uitstel
    LAPSE = "agreement_lapse"  # !actie vervalt
    REMIND = "reminder_create"  # !herinner
    REMINDERS_VIEW = "reminders_view"  # !herinneringen
    REMINDER_CANCEL = "reminder_cancel"  # !herinnering annuleer
    MINE = "mine"  # !mijn


class Actor(StrEnum):
    """A relationship someone can have to what the action concerns (see :func:`actors_for`).

    The values of the case relationships are the cases' own (``case.actor.*`` words them
    in a refusal), and their order is the order a refusal lists them in.
    """

    PARTNER = "partner"  # any registered partner
    MEMBER = "member"  # member of the case (and so of its room)
    REGIEHOUDER = "regiehouder"  # holds procesregie of the case
    KETENMANAGER = "ketenmanager"  # network role Role.KETENMANAGER
    OWNER = "owner"  # owner of the agreement: the person, or a member of its organisation
    CREATOR = "creator"  # planned the reminder concerned


class Scope(StrEnum):
    """Where an action is taken, and so which gate comes before the table."""

    CASE = "case"  # a case room: membership first, a closed case only allows reading
    ROOM = "room"  # any room the bot serves
    DIRECT_CHAT = "direct_chat"  # only the sender and the bot


@dataclass(frozen=True, slots=True)
class Rule:
    """Who may take an action (any one of the actors suffices), and where."""

    actors: frozenset[Actor]
    scope: Scope


_STEERING = frozenset({Actor.OWNER, Actor.REGIEHOUDER, Actor.KETENMANAGER})

PERMISSIONS: Mapping[AgreementAction, Rule] = MappingProxyType(
    {
        AgreementAction.CREATE: Rule(frozenset({Actor.MEMBER}), Scope.CASE),
        AgreementAction.VIEW: Rule(frozenset({Actor.MEMBER}), Scope.CASE),
        AgreementAction.FINISH: Rule(_STEERING, Scope.CASE),
        AgreementAction.POSTPONE: Rule(_STEERING, Scope.CASE),
        AgreementAction.LAPSE: Rule(_STEERING, Scope.CASE),
        AgreementAction.REMIND: Rule(frozenset({Actor.PARTNER}), Scope.ROOM),
        AgreementAction.REMINDERS_VIEW: Rule(frozenset({Actor.PARTNER}), Scope.ROOM),
        AgreementAction.REMINDER_CANCEL: Rule(frozenset({Actor.CREATOR}), Scope.ROOM),
        AgreementAction.MINE: Rule(frozenset({Actor.PARTNER}), Scope.DIRECT_CHAT),
    }
)
"""Who may do what with agreements and reminders. The README's table is rendered from it."""

READ_ONLY_ACTIONS: frozenset[AgreementAction] = frozenset(
    {AgreementAction.VIEW, AgreementAction.REMINDERS_VIEW, AgreementAction.MINE}
)
"""Actions that change nothing; of the case actions, the ones a closed case still allows."""


def permission_table_rows() -> list[tuple[AgreementAction, list[Actor], Scope]]:
    """The permission table in declaration order, actors in :class:`Actor` order."""
    return [
        (action, [a for a in Actor if a in PERMISSIONS[action].actors], PERMISSIONS[action].scope)
        for action in AgreementAction
    ]


# ------------------------------------------------------------------------- enforcement


@dataclass(frozen=True, slots=True)
class Ownership:
    """Whom an agreement is for: a person (with their organisation), or an organisation."""

    user: str | None
    org: str | None


def actors_for(
    member: Member,
    *,
    case: CaseState | None = None,
    agreement: Ownership | None = None,
    reminder_by: str | None = None,
) -> frozenset[Actor]:
    """Every relationship ``member`` has to what an action concerns.

    ``case`` is the case of the room, ``agreement`` the agreement concerned,
    ``reminder_by`` who planned the reminder concerned. The owner of an agreement is its
    person; an organisation's agreement (no person) is owned by every member of that
    organisation. KETENMANAGER follows the network role whether or not the member is in
    the case; :func:`check_case` requires membership separately.
    """
    user = member.matrix_id
    actors = {Actor.PARTNER}
    if case is not None and case.is_member(user):
        actors.add(Actor.MEMBER)
    if case is not None and case.regie_holder == user:
        actors.add(Actor.REGIEHOUDER)
    if member.has_role(Role.KETENMANAGER):
        actors.add(Actor.KETENMANAGER)
    if agreement is not None and (
        agreement.user == user
        if agreement.user is not None
        else agreement.org == member.organisation.code
    ):
        actors.add(Actor.OWNER)
    if reminder_by is not None and reminder_by == user:
        actors.add(Actor.CREATOR)
    return frozenset(actors)


def check_case(action: AgreementAction, case: CaseState, member: Member) -> Refusal | None:
    """The case's gate, which needs nothing but the case: membership, then a closed case.

    ``None`` for an action that is not about a case.
    """
    if PERMISSIONS[action].scope is not Scope.CASE:
        return None
    if not case.is_member(member.matrix_id):
        return Refusal(RefusalCode.NOT_A_MEMBER)
    if case.is_closed and action not in READ_ONLY_ACTIONS:
        return Refusal(RefusalCode.CASE_CLOSED)
    return None


def check(
    action: AgreementAction,
    member: Member,
    *,
    case: CaseState | None = None,
    agreement: Ownership | None = None,
    reminder_by: str | None = None,
) -> Refusal | None:
    """``None`` if ``member`` may take ``action`` now, else why not.

    The single place these permissions are enforced: the case's gate (:func:`check_case`)
    for a case action, then :data:`PERMISSIONS`. A case action needs ``case``; whether the
    agreement or reminder exists is the caller's business, after :func:`check_case`.
    """
    rule = PERMISSIONS[action]
    if rule.scope is Scope.CASE:
        if case is None:
            raise ValueError(f"{action} is about a case: pass the case")
        if (refusal := check_case(action, case, member)) is not None:
            return refusal
    if actors_for(member, case=case, agreement=agreement, reminder_by=reminder_by) & rule.actors:
        return None
    params = {"allowed": ",".join(a for a in Actor if a in rule.actors)}
    if case is not None and case.regie_holder is not None:
        params["holder"] = case.regie_holder
    return Refusal(RefusalCode.NOT_PERMITTED, params)
