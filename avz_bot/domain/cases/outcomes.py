"""What a transition returns (:data:`Outcome`): accepted or refused, and why.

A :class:`Transition` is the new :class:`~.state.CaseState` plus the domain events that
happened (:class:`CaseEvent` and its kinds below); the service persists them (case
tables, timeline, audit, pings) and notifies about them. A :class:`Refusal` is a
:class:`RefusalCode` plus string parameters the command layer renders in Dutch. Nothing
changes on a refusal.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from enum import Enum, StrEnum
from typing import ClassVar

from avz_bot.domain.cases.state import CaseState, CaseStatus, ProposalKind


class RefusalCode(StrEnum):
    """Why a transition was refused; the command layer maps each to a Dutch message."""

    NOT_A_MEMBER = "not_a_member"
    CASE_CLOSED = "case_closed"
    NOT_PERMITTED = "not_permitted"  # params: allowed (comma-separated Actor values), holder?
    NO_PENDING_PROPOSAL = "no_pending_proposal"
    NOT_PROPOSAL_TARGET = "not_proposal_target"  # params: to_user
    ALREADY_IN_STATUS = "already_in_status"  # params: status
    TRANSITION_NOT_ALLOWED = "transition_not_allowed"  # params: status, new_status, allowed
    REASON_REQUIRED = "reason_required"
    ALREADY_HOLDER = "already_holder"  # params: holder
    PROPOSAL_PENDING = "proposal_pending"  # params: kind, from_user, to_user, expires_at
    PROPOSAL_EXPIRED = "proposal_expired"  # params: kind, from_user, to_user, expires_at
    TARGET_NOT_MEMBER = "target_not_member"  # params: user
    TARGET_IS_SELF = "target_is_self"
    NOT_REGISTERED = "not_registered"  # params: user
    ALREADY_MEMBER = "already_member"  # params: user
    ALREADY_CASEMANAGER = "already_casemanager"  # params: organisation
    REQUEST_PENDING = "request_pending"  # params: requester, expires_at
    NOT_CLOSED = "not_closed"
    REOPEN_TOO_LATE = "reopen_too_late"  # params: closed_at?, until?
    NOT_CLOSE_REQUESTER = "not_close_requester"
    CLOSE_REQUEST_EXPIRED = "close_request_expired"


class EndCause(StrEnum):
    """Why a role or proposal ended without the person concerned acting on it."""

    RELEASED = "released"  # the holder released regie
    ASSIGNED = "assigned"  # a ketenmanager assigned regie
    CLOSED = "closed"  # the case was closed
    LEFT = "left"  # the person left the case room
    REMOVED = "removed"  # the person was removed from the case
    DEREGISTERED = "deregistered"  # the person left the partner registry (or their organisation)


@dataclass(frozen=True, slots=True)
class Refusal:
    """A refused transition: a code for the message catalogue and its parameters."""

    code: RefusalCode
    params: Mapping[str, str] = field(default_factory=dict)


# ------------------------------------------------------------------------------ events


@dataclass(frozen=True, slots=True)
class CaseEvent:
    """Something that happened to a case; the service persists it (timeline, audit, pings).

    ``actor`` is who caused it, or ``None`` when nobody did (e.g. a proposal expiring).
    ``kind`` is a stable name for storage.
    """

    kind: ClassVar[str] = "case_event"

    reference: str
    at: datetime
    actor: str | None

    def payload(self) -> dict[str, str | bool | None]:
        """The event-specific fields as strings (ISO datetimes, enum values) for storage."""
        skip = {"reference", "at", "actor"}
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self) if f.name not in skip}


@dataclass(frozen=True, slots=True)
class StatusChanged(CaseEvent):
    """The case status changed (closing is a change to ``gesloten``)."""

    kind: ClassVar[str] = "status_changed"

    old_status: CaseStatus
    new_status: CaseStatus
    reason: str


@dataclass(frozen=True, slots=True)
class RegieTaken(CaseEvent):
    """A member took vacant regie."""

    kind: ClassVar[str] = "regie_taken"

    holder: str


@dataclass(frozen=True, slots=True)
class RegieRequested(CaseEvent):
    """A member asked the holder for regie (a REQUEST proposal)."""

    kind: ClassVar[str] = "regie_requested"

    requester: str
    holder: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class RegieTransferProposed(CaseEvent):
    """The holder proposed regie to another member (a TRANSFER proposal)."""

    kind: ClassVar[str] = "regie_transfer_proposed"

    holder: str
    to_user: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class RegieTransferred(CaseEvent):
    """A proposal was accepted and regie changed hands."""

    kind: ClassVar[str] = "regie_transferred"

    previous: str
    new_holder: str
    proposal_kind: ProposalKind


@dataclass(frozen=True, slots=True)
class RegieDeclined(CaseEvent):
    """The target declined a proposal; regie stays where it was."""

    kind: ClassVar[str] = "regie_declined"

    proposal_kind: ProposalKind
    from_user: str
    to_user: str


@dataclass(frozen=True, slots=True)
class RegieReleased(CaseEvent):
    """Regie became vacant: released by its holder, or the holder left or was removed."""

    kind: ClassVar[str] = "regie_released"

    previous: str
    reason: str | None
    cause: EndCause


@dataclass(frozen=True, slots=True)
class RegieAssigned(CaseEvent):
    """A ketenmanager assigned regie, replacing any holder."""

    kind: ClassVar[str] = "regie_assigned"

    previous: str | None
    new_holder: str
    reason: str


@dataclass(frozen=True, slots=True)
class ProposalExpired(CaseEvent):
    """A proposal lapsed unanswered; regie stays where it was."""

    kind: ClassVar[str] = "proposal_expired"

    proposal_kind: ProposalKind
    from_user: str
    to_user: str


@dataclass(frozen=True, slots=True)
class ProposalCancelled(CaseEvent):
    """A pending proposal was overtaken (regie released/assigned, a party left, case closed)."""

    kind: ClassVar[str] = "proposal_cancelled"

    proposal_kind: ProposalKind
    from_user: str
    to_user: str
    cause: EndCause


@dataclass(frozen=True, slots=True)
class MemberAdded(CaseEvent):
    """A registered professional was added to the case."""

    kind: ClassVar[str] = "member_added"

    user: str
    organisation_code: str


@dataclass(frozen=True, slots=True)
class MemberRemoved(CaseEvent):
    """A member left or was removed; they lost every case role."""

    kind: ClassVar[str] = "member_removed"

    user: str
    organisation_code: str
    cause: EndCause
    was_casemanager: bool


@dataclass(frozen=True, slots=True)
class CasemanagerTaken(CaseEvent):
    """A member became casemanager for their organisation, replacing ``previous`` if any."""

    kind: ClassVar[str] = "casemanager_taken"

    user: str
    organisation_code: str
    previous: str | None


# ----------------------------------------------------------------------------- outcome


@dataclass(frozen=True, slots=True)
class Transition:
    """The outcome of an accepted transition: the new state and what happened."""

    state: CaseState
    events: tuple[CaseEvent, ...]


Outcome = Transition | Refusal
"""What every transition returns."""


# ----------------------------------------------------------------------------- helpers


def _plain(value: object) -> str | bool | None:
    if value is None or isinstance(value, bool | str):
        return value.value if isinstance(value, Enum) else value
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)
