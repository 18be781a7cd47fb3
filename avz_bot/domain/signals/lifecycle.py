"""Life cycle, retention moments, match rules and the events the service persists."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol, TypeVar

from avz_bot.domain.partners import Member
from avz_bot.domain.signals.permissions import (
    Place,
    Refused,
    SignalAction,
    SignalRefusal,
    actors_for,
    check,
)

# --------------------------------------------------------------------------- life cycle


class SignalStatus(StrEnum):
    """A person signal's life cycle. ``actief`` signals match; the others never again."""

    ACTIEF = "actief"
    INGETROKKEN = "ingetrokken"  # withdrawn by its professional (unjustified, risk gone)
    VERLOPEN = "verlopen"  # the active period ended: archived for accountability only


class TriageStatus(StrEnum):
    """Where a signal stands in its municipality's TVO triage."""

    OPEN = "open"  # awaiting a decision (on the agenda)
    MONITOREN = "monitoren"  # decided to watch: back on the agenda at ``relist_at``
    CASUS = "casus"  # a case was opened
    GEEN_ACTIE = "geen-actie"  # decided: no action


class Decision(StrEnum):
    """What ``!tvo besluit`` may decide (the words users type)."""

    CASUS = "casus"
    MONITOREN = "monitoren"
    GEEN_ACTIE = "geen-actie"

    @property
    def triage_status(self) -> TriageStatus:
        """The triage status this decision leads to."""
        return TriageStatus(self.value)


class Severity(StrEnum):
    """The severity of a signal recorded inside a case (``ernst=``)."""

    LAAG = "laag"
    MIDDEN = "midden"
    HOOG = "hoog"


def add_years(instant: datetime, years: int) -> datetime:
    """The same wall-clock moment ``years`` later (29 February becomes 28 February)."""
    try:
        return instant.replace(year=instant.year + years)
    except ValueError:
        return instant.replace(year=instant.year + years, day=28)


@dataclass(frozen=True, slots=True)
class Retention:
    """How long signals match and are kept (years, as the Verwijsindex counted)."""

    active_years: int = 2
    archive_years: int = 5

    def expires_at(self, created_at: datetime) -> datetime:
        """When a signal stops matching."""
        return add_years(created_at, self.active_years)

    def delete_at(self, ended_at: datetime) -> datetime:
        """When a signal that stopped matching at ``ended_at`` is deleted."""
        return add_years(ended_at, self.archive_years)


class RetentionStep(StrEnum):
    """What is due for a signal at a given moment."""

    NONE = "none"
    EXPIRE = "expire"  # active → verlopen (stops matching)
    DELETE = "delete"  # the row goes; the audit trail keeps the reference


def retention_step(
    status: SignalStatus, expires_at: datetime, delete_at: datetime | None, now: datetime
) -> RetentionStep:
    """What the retention job must do now for a signal in ``status``.

    Deletion comes first: a signal past its deletion moment is deleted whatever its
    status (a bot that was down for years does not archive before deleting).
    """
    if delete_at is not None and now >= delete_at:
        return RetentionStep.DELETE
    if status is SignalStatus.ACTIEF and now >= expires_at:
        return RetentionStep.EXPIRE
    return RetentionStep.NONE


# --------------------------------------------------------------------------- matching


@dataclass(frozen=True, slots=True)
class StoredSignal:
    """What matching needs to know about a stored signal (no identifier)."""

    id: int
    reference: str
    organisation_code: str
    professional: str
    status: SignalStatus
    expires_at: datetime
    created_at: datetime


def is_active(signal: StoredSignal, now: datetime) -> bool:
    """Whether ``signal`` still matches: status actief and its active period not over
    (an expiry job that has not run yet does not keep a signal matching)."""
    return signal.status is SignalStatus.ACTIEF and now < signal.expires_at


def signal_matches(
    organisation_code: str, same_person: Iterable[StoredSignal], now: datetime
) -> list[StoredSignal]:
    """The stored signals a new signal of ``organisation_code`` matches, oldest first.

    ``same_person`` are the stored signals with one of the new signal's candidate
    pseudonyms. A match needs an active signal of **another** organisation: signals of
    the same organisation never match each other (they already know).
    """
    found = [
        s for s in same_person if is_active(s, now) and s.organisation_code != organisation_code
    ]
    return sorted(found, key=lambda s: (s.created_at, s.id))


class _Signalled(Protocol):
    @property
    def professional(self) -> str: ...


_S = TypeVar("_S", bound=_Signalled)


def one_per_professional(signals: Sequence[_S]) -> list[_S]:
    """The first (oldest, when sorted so) signal of each professional: one message each."""
    seen: set[str] = set()
    kept = []
    for signal in signals:
        if signal.professional not in seen:
            seen.add(signal.professional)
            kept.append(signal)
    return kept


# --------------------------------------------------------------------------- events


@dataclass(frozen=True, slots=True)
class SignalEvent:
    """Something that happened to a signal; the service persists each kind in one place."""


@dataclass(frozen=True, slots=True)
class MatchFound(SignalEvent):
    """A new signal matched an active signal of another organisation."""

    new: StoredSignal
    other: StoredSignal


@dataclass(frozen=True, slots=True)
class CaseMatchFound(SignalEvent):
    """A new signal is about the linked central person of an open case."""

    new: StoredSignal
    case_id: int


@dataclass(frozen=True, slots=True)
class SignalWithdrawn(SignalEvent):
    """The signalling professional withdrew the signal (it stops matching now)."""

    signal: StoredSignal
    reason: str
    delete_at: datetime


@dataclass(frozen=True, slots=True)
class SignalExpired(SignalEvent):
    """The active period ended: archived (kept, never matching) until ``delete_at``."""

    signal: StoredSignal
    delete_at: datetime


@dataclass(frozen=True, slots=True)
class SignalDeleted(SignalEvent):
    """The archive period ended: the signal is deleted (the audit keeps the reference)."""

    signal: StoredSignal


def matches_for(
    new: StoredSignal,
    same_person: Iterable[StoredSignal],
    open_case_ids: Iterable[int],
    now: datetime,
) -> list[SignalEvent]:
    """The match events of a newly stored signal: one per matching signal of another
    organisation (oldest first) and one per open case linked to the same person."""
    others = [s for s in same_person if s.id != new.id]
    events: list[SignalEvent] = [
        MatchFound(new, other) for other in signal_matches(new.organisation_code, others, now)
    ]
    events.extend(CaseMatchFound(new, case_id) for case_id in sorted(set(open_case_ids)))
    return events


def withdraw(
    signal: StoredSignal, actor: Member, reason: str, now: datetime, retention: Retention
) -> SignalWithdrawn | Refused:
    """``!signaal intrekken``: only its own professional, only while it is active."""
    actors = actors_for(actor, signaller=signal.professional)
    refused = check(SignalAction.WITHDRAW, actors, Place.DIRECT_CHAT)
    if refused is not None:
        return refused
    if signal.status is not SignalStatus.ACTIEF:
        return Refused(SignalRefusal.NOT_ACTIVE, {"status": signal.status.value})
    return SignalWithdrawn(signal, reason, retention.delete_at(now))


def retention_event(
    signal: StoredSignal, delete_at: datetime | None, now: datetime, retention: Retention
) -> SignalEvent | None:
    """What the retention job does now (see :func:`retention_step`)."""
    step = retention_step(signal.status, signal.expires_at, delete_at, now)
    if step is RetentionStep.DELETE:
        return SignalDeleted(signal)
    if step is RetentionStep.EXPIRE:
        return SignalExpired(signal, retention.delete_at(signal.expires_at))
    return None


__all__ = [
    "CaseMatchFound",
    "Decision",
    "MatchFound",
    "Retention",
    "RetentionStep",
    "Severity",
    "SignalDeleted",
    "SignalEvent",
    "SignalExpired",
    "SignalStatus",
    "SignalWithdrawn",
    "StoredSignal",
    "TriageStatus",
    "add_years",
    "is_active",
    "matches_for",
    "one_per_professional",
    "retention_event",
    "retention_step",
    "signal_matches",
    "withdraw",
]
