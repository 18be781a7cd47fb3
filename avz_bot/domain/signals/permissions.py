"""Who may do what with signals, and where: the one permission table, and signal
references."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from avz_bot.domain.partners import Member, Role, ScopedRoleKind
from avz_bot.domain.signals.identifiers import normalise_name

# --------------------------------------------------------------------------- permissions


class SignalAction(StrEnum):
    """Everything one can do with signals; the keys of :data:`PERMISSIONS`."""

    REGISTER = "register"  # !signaal bsn=… / naam=…
    WITHDRAW = "withdraw"  # !signaal intrekken
    CASE_SIGNAL = "case_signal"  # !signaal in a case room
    CASE_SIGNALS_VIEW = "case_signals_view"  # !signalen
    LINK_PERSON = "link_person"  # !casus persoon
    TVO_AGENDA = "tvo_agenda"  # !tvo agenda
    TVO_DECIDE = "tvo_decide"  # !tvo besluit
    SYSTEM_REGISTER = "system_register"  # a signed submission from a partner system


class SignalActor(StrEnum):
    """A relationship someone can have to what the action is about."""

    PARTNER = "partner"  # any registered partner
    SIGNALLER = "signaller"  # registered the signal concerned
    CASE_MEMBER = "case_member"  # member of the case of this room
    REGIEHOUDER = "regiehouder"  # holds regie of the case concerned
    KETENMANAGER = "ketenmanager"  # network role ketenmanager
    TVO = "tvo"  # scoped role tvo for the municipality concerned


class Place(StrEnum):
    """Where an action may be taken."""

    DIRECT_CHAT = "direct_chat"  # encrypted, only the sender and the bot
    CASE_ROOM = "case_room"
    TVO_ROOM = "tvo_room"  # the municipality's intake/TVO room
    PARTNER_SYSTEM = "partner_system"  # the signed intake endpoint (issue 23)


@dataclass(frozen=True, slots=True)
class Rule:
    """Who may take an action, and where."""

    actors: frozenset[SignalActor]
    place: Place


PERMISSIONS: Mapping[SignalAction, Rule] = MappingProxyType(
    {
        SignalAction.REGISTER: Rule(frozenset({SignalActor.PARTNER}), Place.DIRECT_CHAT),
        SignalAction.WITHDRAW: Rule(frozenset({SignalActor.SIGNALLER}), Place.DIRECT_CHAT),
        SignalAction.CASE_SIGNAL: Rule(frozenset({SignalActor.CASE_MEMBER}), Place.CASE_ROOM),
        SignalAction.CASE_SIGNALS_VIEW: Rule(frozenset({SignalActor.CASE_MEMBER}), Place.CASE_ROOM),
        SignalAction.LINK_PERSON: Rule(frozenset({SignalActor.REGIEHOUDER}), Place.DIRECT_CHAT),
        SignalAction.TVO_AGENDA: Rule(
            frozenset({SignalActor.KETENMANAGER, SignalActor.TVO}), Place.TVO_ROOM
        ),
        SignalAction.TVO_DECIDE: Rule(
            frozenset({SignalActor.KETENMANAGER, SignalActor.TVO}), Place.TVO_ROOM
        ),
        # The organisation's system, on behalf of its registry-named responsible professional.
        SignalAction.SYSTEM_REGISTER: Rule(frozenset({SignalActor.PARTNER}), Place.PARTNER_SYSTEM),
    }
)
"""Who may do what with signals, and where. The README's table is rendered from it."""


def actors_for(
    member: Member,
    *,
    municipality: str | None = None,
    signaller: str | None = None,
    case_members: Iterable[str] = (),
    regie_holder: str | None = None,
) -> frozenset[SignalActor]:
    """The member's relationships to what an action concerns.

    ``municipality`` is the municipality of the TVO room (for the scoped ``tvo`` role),
    ``signaller`` who registered the signal concerned, ``case_members``/``regie_holder``
    describe the case concerned.
    """
    found = {SignalActor.PARTNER}
    if member.has_role(Role.KETENMANAGER):
        found.add(SignalActor.KETENMANAGER)
    if municipality is not None and member.holds(ScopedRoleKind.TVO, municipality):
        found.add(SignalActor.TVO)
    if signaller is not None and signaller == member.matrix_id:
        found.add(SignalActor.SIGNALLER)
    if member.matrix_id in set(case_members):
        found.add(SignalActor.CASE_MEMBER)
    if regie_holder is not None and regie_holder == member.matrix_id:
        found.add(SignalActor.REGIEHOUDER)
    return frozenset(found)


class SignalRefusal(StrEnum):
    """Why an action was refused (each has a Dutch explanation in the catalogue)."""

    WRONG_PLACE = "wrong_place"  # params: place
    NOT_PERMITTED = "not_permitted"  # params: allowed
    NOT_ACTIVE = "not_active"  # params: status


@dataclass(frozen=True, slots=True)
class Refused:
    """A refused action, with the parameters of its explanation."""

    code: SignalRefusal
    params: Mapping[str, str]


def check(
    action: SignalAction, actors: frozenset[SignalActor], place: Place | None
) -> Refused | None:
    """None when ``actors`` may take ``action`` in ``place``; else why not.

    The place is checked first: a BSN typed outside a direct chat must be refused before
    anything else is said about it.
    """
    rule = PERMISSIONS[action]
    if place is not rule.place:
        return Refused(SignalRefusal.WRONG_PLACE, {"place": rule.place.value})
    if not actors & rule.actors:
        allowed = ",".join(a.value for a in SignalActor if a in rule.actors)
        return Refused(SignalRefusal.NOT_PERMITTED, {"allowed": allowed})
    return None


def permission_rows() -> list[tuple[SignalAction, list[SignalActor], Place]]:
    """The permission table in a stable order (for the README)."""
    return [
        (action, [a for a in SignalActor if a in rule.actors], rule.place)
        for action, rule in PERMISSIONS.items()
    ]


# --------------------------------------------------------------------------- references

SIGNAL_REFERENCE = re.compile(r"^SIG-(\d{4})-(\d{1,6})$", re.IGNORECASE)


def format_signal_reference(year: int, number: int) -> str:
    """The reference users see: ``SIG-2026-0007``."""
    return f"SIG-{year}-{number:04d}"


def parse_signal_reference(text: str) -> tuple[int, int] | None:
    """(year, number) of a typed signal reference, or None."""
    found = SIGNAL_REFERENCE.match(text.strip())
    return (int(found.group(1)), int(found.group(2))) if found else None


def normalise_code(value: str) -> str:
    """A typed category or municipality as a configuration code (lower case, dashes)."""
    return "-".join(normalise_name(value).split())


__all__ = [
    "PERMISSIONS",
    "SIGNAL_REFERENCE",
    "Place",
    "Refused",
    "Rule",
    "SignalAction",
    "SignalActor",
    "SignalRefusal",
    "actors_for",
    "check",
    "format_signal_reference",
    "normalise_code",
    "parse_signal_reference",
    "permission_rows",
]
