"""Who may do what in the privacy area: one table, enforced in one place (pure).

The access log and the requests of persons concerned are for the network's contact point
and privacy officer (network role ``privacy``, BGS art. 1.1 contactpunt). A ketenmanager
may see who read a case they are a member of (their scope: a ketenmanager's powers hold
inside their cases, ``avz_bot.domain.cases.permissions``), nothing about persons. Every
privacy command works only in a direct chat with the bot (checked by the service).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from avz_bot.domain.partners import Member, Role


class PrivacyAction(StrEnum):
    """Everything one can do in the privacy area; the keys of :data:`PERMISSIONS`."""

    CASE_READERS = "case_readers"
    PERSON_READERS = "person_readers"
    REQUEST_REGISTER = "request_register"
    REQUEST_VIEW = "request_view"
    REQUEST_EXTEND = "request_extend"
    REQUEST_CLOSE = "request_close"
    REQUEST_EXPORT = "request_export"
    RETENTION_VIEW = "retention_view"


class PrivacyActor(StrEnum):
    """A relationship that grants privacy actions (see :func:`actors_for`)."""

    PRIVACY = "privacy"
    KETENMANAGER_IN_CASE = "ketenmanager_in_case"


_PRIVACY = frozenset({PrivacyActor.PRIVACY})

PERMISSIONS: Mapping[PrivacyAction, frozenset[PrivacyActor]] = MappingProxyType(
    {
        PrivacyAction.CASE_READERS: frozenset(
            {PrivacyActor.PRIVACY, PrivacyActor.KETENMANAGER_IN_CASE}
        ),
        PrivacyAction.PERSON_READERS: _PRIVACY,
        PrivacyAction.REQUEST_REGISTER: _PRIVACY,
        PrivacyAction.REQUEST_VIEW: _PRIVACY,
        PrivacyAction.REQUEST_EXTEND: _PRIVACY,
        PrivacyAction.REQUEST_CLOSE: _PRIVACY,
        PrivacyAction.REQUEST_EXPORT: _PRIVACY,
        PrivacyAction.RETENTION_VIEW: _PRIVACY,
    }
)
"""Which relationships allow which action: any one of them suffices."""


def actors_for(member: Member, *, member_of_case: bool = False) -> frozenset[PrivacyActor]:
    """``member``'s relationships: the privacy role; a ketenmanager who is a member of
    the case in question. (The admin role grants nothing here: functional management
    does not read access logs.)"""
    actors: set[PrivacyActor] = set()
    if member.has_role(Role.PRIVACY):
        actors.add(PrivacyActor.PRIVACY)
    if member_of_case and member.has_role(Role.KETENMANAGER):
        actors.add(PrivacyActor.KETENMANAGER_IN_CASE)
    return frozenset(actors)


def allowed(action: PrivacyAction, actors: frozenset[PrivacyActor]) -> bool:
    """Whether any of ``actors`` may do ``action``."""
    return bool(PERMISSIONS[action] & actors)
