"""Cases, their status, case roles and procesregie: pure state transitions.

Nothing here does I/O, talks to Matrix or the database, or knows the calendar. Every
transition takes the current :class:`CaseState`, the acting :class:`Member` and an aware
``now``, and returns either a :class:`Transition` (the new state plus the domain events the
service persists and notifies about) or a :class:`Refusal` (a :class:`RefusalCode` plus
string parameters the command layer renders in Dutch).

Permissions live in exactly one place, :data:`PERMISSIONS`, and are enforced in exactly one
place, :func:`check`, which every transition calls first. Three rules come before the
table, in this order:

1. **Membership first.** Only members of the case may do anything with it, including a
   ketenmanager: the network role grants extra powers *inside* a case (status, invite,
   remove, assign regie), not access to cases the ketenmanager is not part of
   (data minimisation: only partners directly involved see a case).
2. **A closed case is final.** Every action that changes something is refused with
   :attr:`RefusalCode.CASE_CLOSED`; reading stays allowed for members.
3. **The table.** The member's relationships to the case (:func:`actors_for`) must meet
   the actors the table allows for the action.

Invariants of :class:`CaseState` (checked on construction):

- the regiehouder, and both parties of a pending proposal, are members of the case;
- a pending proposal exists only while someone holds regie: a TRANSFER comes from the
  holder, a REQUEST is addressed to the holder. Any change of holder settles it;
- ``regie_since`` is when the current regie situation began: since when the holder holds
  regie or, when nobody does, since when regie is vacant (case opening, release, leaving).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, timedelta
from enum import Enum, StrEnum
from types import MappingProxyType
from typing import ClassVar

from avz_bot.domain.partners import Member, Role

# --------------------------------------------------------------------------- enums


class CaseStatus(StrEnum):
    """The life-cycle status of a case (values are the Dutch words users type)."""

    AANGEMELD = "aangemeld"
    ACTIEF = "actief"
    AFGESCHAALD = "afgeschaald"
    GESLOTEN = "gesloten"


ALLOWED_TRANSITIONS: Mapping[CaseStatus, frozenset[CaseStatus]] = MappingProxyType(
    {
        CaseStatus.AANGEMELD: frozenset({CaseStatus.ACTIEF, CaseStatus.GESLOTEN}),
        CaseStatus.ACTIEF: frozenset({CaseStatus.AFGESCHAALD, CaseStatus.GESLOTEN}),
        CaseStatus.AFGESCHAALD: frozenset({CaseStatus.ACTIEF, CaseStatus.GESLOTEN}),
        CaseStatus.GESLOTEN: frozenset(),
    }
)
"""Which status may follow which; ``gesloten`` is final."""


class CaseRole(StrEnum):
    """A role a member holds within one case (shown by ``!rollen``)."""

    REGIEHOUDER = "regiehouder"
    CASEMANAGER = "casemanager"
    BETROKKEN = "betrokken"  # betrokken partner: every member without another role


class ProposalKind(StrEnum):
    """How a regie hand-over was proposed."""

    TRANSFER = "transfer"  # the holder proposes to hand regie to someone
    REQUEST = "request"  # someone asks the holder for regie


class CaseAction(StrEnum):
    """Everything a member can do with a case; the keys of :data:`PERMISSIONS`."""

    VIEW = "view"
    CHANGE_STATUS = "change_status"
    CLOSE = "close"
    INVITE = "invite"
    REMOVE = "remove"
    REGIE_VIEW = "regie_view"
    REGIE_CLAIM = "regie_claim"
    REGIE_TRANSFER = "regie_transfer"
    REGIE_ACCEPT = "regie_accept"
    REGIE_DECLINE = "regie_decline"
    REGIE_RELEASE = "regie_release"
    REGIE_ASSIGN = "regie_assign"
    ROLE_CASEMANAGER = "role_casemanager"
    ROLES_VIEW = "roles_view"
    TIMELINE_VIEW = "timeline_view"
    AGREEMENT_CREATE = "agreement_create"
    AGREEMENT_UPDATE = "agreement_update"


class Actor(StrEnum):
    """A relationship a member can have to a case (see :func:`actors_for`)."""

    MEMBER = "member"  # member of the case (and so of its room)
    REGIEHOUDER = "regiehouder"  # holds procesregie
    KETENMANAGER = "ketenmanager"  # network role Role.KETENMANAGER
    PROPOSAL_TARGET = "proposal_target"  # the pending regie proposal is addressed to them
    OWNER = "owner"  # owner of the agreement concerned


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


class EndCause(StrEnum):
    """Why a role or proposal ended without the person concerned acting on it."""

    RELEASED = "released"  # the holder released regie
    ASSIGNED = "assigned"  # a ketenmanager assigned regie
    CLOSED = "closed"  # the case was closed
    LEFT = "left"  # the person left the case room
    REMOVED = "removed"  # the person was removed from the case
    DEREGISTERED = "deregistered"  # the person left the partner registry (or their organisation)


# ---------------------------------------------------------------------- the table

PERMISSIONS: Mapping[CaseAction, frozenset[Actor]] = MappingProxyType(
    {
        CaseAction.VIEW: frozenset({Actor.MEMBER}),
        CaseAction.CHANGE_STATUS: frozenset({Actor.REGIEHOUDER, Actor.KETENMANAGER}),
        CaseAction.CLOSE: frozenset({Actor.REGIEHOUDER, Actor.KETENMANAGER}),
        CaseAction.INVITE: frozenset({Actor.REGIEHOUDER, Actor.KETENMANAGER}),
        CaseAction.REMOVE: frozenset({Actor.REGIEHOUDER, Actor.KETENMANAGER}),
        CaseAction.REGIE_VIEW: frozenset({Actor.MEMBER}),
        CaseAction.REGIE_CLAIM: frozenset({Actor.MEMBER}),
        CaseAction.REGIE_TRANSFER: frozenset({Actor.REGIEHOUDER}),
        CaseAction.REGIE_ACCEPT: frozenset({Actor.PROPOSAL_TARGET}),
        CaseAction.REGIE_DECLINE: frozenset({Actor.PROPOSAL_TARGET}),
        CaseAction.REGIE_RELEASE: frozenset({Actor.REGIEHOUDER}),
        CaseAction.REGIE_ASSIGN: frozenset({Actor.KETENMANAGER}),
        CaseAction.ROLE_CASEMANAGER: frozenset({Actor.MEMBER}),
        CaseAction.ROLES_VIEW: frozenset({Actor.MEMBER}),
        CaseAction.TIMELINE_VIEW: frozenset({Actor.MEMBER}),
        CaseAction.AGREEMENT_CREATE: frozenset({Actor.MEMBER}),
        CaseAction.AGREEMENT_UPDATE: frozenset(
            {Actor.OWNER, Actor.REGIEHOUDER, Actor.KETENMANAGER}
        ),
    }
)
"""Which relationships to a case allow which action: any one of them suffices.

Membership of the case is required for every action in addition (see :func:`check`).
"""

READ_ONLY_ACTIONS: frozenset[CaseAction] = frozenset(
    {CaseAction.VIEW, CaseAction.REGIE_VIEW, CaseAction.ROLES_VIEW, CaseAction.TIMELINE_VIEW}
)
"""Actions that change nothing, and so remain allowed on a closed case."""


def permission_table_rows() -> list[tuple[CaseAction, list[Actor]]]:
    """The permission table in declaration order, for generating documentation.

    Actors within a row are in :class:`Actor` declaration order.
    """
    return [
        (action, [actor for actor in Actor if actor in PERMISSIONS[action]])
        for action in CaseAction
    ]


# ---------------------------------------------------------------- value objects


@dataclass(frozen=True, slots=True)
class CaseMember:
    """A member of one case: who, for which organisation, since when, and as casemanager?"""

    matrix_id: str
    organisation_code: str
    joined_at: datetime
    casemanager: bool = False


@dataclass(frozen=True, slots=True)
class RegieProposal:
    """A pending hand-over of procesregie, waiting for ``to_user`` to accept or decline.

    TRANSFER: the holder (``from_user``) proposes regie to ``to_user``.
    REQUEST: ``from_user`` asks the holder (``to_user``) for regie.
    """

    kind: ProposalKind
    from_user: str
    to_user: str
    created_at: datetime
    expires_at: datetime

    @property
    def new_holder(self) -> str:
        """Who holds regie once the proposal is accepted."""
        return self.to_user if self.kind is ProposalKind.TRANSFER else self.from_user

    def is_expired(self, now: datetime) -> bool:
        """Whether the proposal has lapsed at ``now`` (the expiry moment itself counts)."""
        return now >= self.expires_at

    def involves(self, user: str) -> bool:
        """Whether ``user`` is one of the two parties."""
        return user in (self.from_user, self.to_user)


@dataclass(frozen=True, slots=True)
class CaseState:
    """What the domain needs to know about a case to decide on a command.

    ``members`` maps Matrix ids to :class:`CaseMember`; it is stored read-only.
    """

    reference: str
    status: CaseStatus
    regie_holder: str | None
    regie_since: datetime
    members: Mapping[str, CaseMember]
    pending_proposal: RegieProposal | None = None

    def __post_init__(self) -> None:
        members = MappingProxyType(dict(self.members))
        object.__setattr__(self, "members", members)
        for key, member in members.items():
            if key != member.matrix_id:
                raise ValueError(f"member key {key!r} does not match its matrix_id")
        if self.regie_holder is not None and self.regie_holder not in members:
            raise ValueError("the regiehouder must be a member of the case")
        proposal = self.pending_proposal
        if proposal is not None:
            if self.regie_holder is None:
                raise ValueError("a regie proposal needs a regiehouder")
            if not (proposal.from_user in members and proposal.to_user in members):
                raise ValueError("both parties of a regie proposal must be members")
            holder_side = (
                proposal.from_user if proposal.kind is ProposalKind.TRANSFER else proposal.to_user
            )
            if holder_side != self.regie_holder:
                raise ValueError("a regie proposal must involve the current regiehouder")

    def is_member(self, user: str) -> bool:
        """Whether ``user`` is a member of the case."""
        return user in self.members

    @property
    def is_closed(self) -> bool:
        """Whether the case is closed (and so accepts no more changes)."""
        return self.status is CaseStatus.GESLOTEN


def new_case(reference: str, opener: str, organisation_code: str, now: datetime) -> CaseState:
    """A freshly registered case: status ``aangemeld``, the opener its only member, regie vacant."""
    _require_aware(now)
    return CaseState(
        reference=reference,
        status=CaseStatus.AANGEMELD,
        regie_holder=None,
        regie_since=now,
        members={opener: CaseMember(opener, organisation_code, now)},
    )


@dataclass(frozen=True, slots=True)
class Refusal:
    """A refused transition: a code for the message catalogue and its parameters."""

    code: RefusalCode
    params: Mapping[str, str] = field(default_factory=dict)


# ------------------------------------------------------------------------ events


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


@dataclass(frozen=True, slots=True)
class Transition:
    """The outcome of an accepted transition: the new state and what happened."""

    state: CaseState
    events: tuple[CaseEvent, ...]


Outcome = Transition | Refusal
"""What every transition returns."""

Expiry = datetime | Callable[[datetime], datetime]
"""A proposal's expiry: a moment, or a function from ``now`` to it (the caller owns the calendar)."""


# ------------------------------------------------------------------ permissions


def actors_for(state: CaseState, member: Member, owner: str | None = None) -> frozenset[Actor]:
    """Every relationship ``member`` has to the case.

    ``owner`` is the owner of the agreement concerned, if the action is about one.
    KETENMANAGER follows the network role whether or not the member is in the case;
    :func:`check` requires membership separately.
    """
    user = member.matrix_id
    actors: set[Actor] = set()
    if state.is_member(user):
        actors.add(Actor.MEMBER)
    if state.regie_holder == user:
        actors.add(Actor.REGIEHOUDER)
    if member.has_role(Role.KETENMANAGER):
        actors.add(Actor.KETENMANAGER)
    if state.pending_proposal is not None and state.pending_proposal.to_user == user:
        actors.add(Actor.PROPOSAL_TARGET)
    if owner is not None and owner == user:
        actors.add(Actor.OWNER)
    return frozenset(actors)


def check(
    action: CaseAction, state: CaseState, member: Member, owner: str | None = None
) -> Refusal | None:
    """``None`` if ``member`` may perform ``action`` on the case now, else why not.

    The single place permissions are enforced: membership, then a closed case, then
    :data:`PERMISSIONS`. State rules (valid transition, reason given...) are the
    transition functions' business.
    """
    if not state.is_member(member.matrix_id):
        return Refusal(RefusalCode.NOT_A_MEMBER)
    if state.is_closed and action not in READ_ONLY_ACTIONS:
        return Refusal(RefusalCode.CASE_CLOSED)
    allowed = PERMISSIONS[action]
    if actors_for(state, member, owner) & allowed:
        return None
    if Actor.PROPOSAL_TARGET in allowed:
        proposal = state.pending_proposal
        if proposal is None:
            return Refusal(RefusalCode.NO_PENDING_PROPOSAL)
        return Refusal(RefusalCode.NOT_PROPOSAL_TARGET, {"to_user": proposal.to_user})
    params = {"allowed": ",".join(actor for actor in Actor if actor in allowed)}
    if state.regie_holder is not None:
        params["holder"] = state.regie_holder
    return Refusal(RefusalCode.NOT_PERMITTED, params)


# ------------------------------------------------------------------- status


def change_status(
    state: CaseState, actor: Member, new_status: CaseStatus, reason: str, now: datetime
) -> Outcome:
    """Move the case to ``new_status`` for a (required) ``reason``.

    Changing to ``gesloten`` closes the case exactly like :func:`close`.
    """
    action = CaseAction.CLOSE if new_status is CaseStatus.GESLOTEN else CaseAction.CHANGE_STATUS
    return _set_status(state, actor, new_status, reason, now, action)


def close(state: CaseState, actor: Member, reason: str, now: datetime) -> Outcome:
    """Close the case for a (required) ``reason``; a pending regie proposal is cancelled.

    The last regiehouder stays recorded as holder.
    """
    return _set_status(state, actor, CaseStatus.GESLOTEN, reason, now, CaseAction.CLOSE)


def _set_status(
    state: CaseState,
    actor: Member,
    new_status: CaseStatus,
    reason: str,
    now: datetime,
    action: CaseAction,
) -> Outcome:
    _require_aware(now)
    if (refusal := check(action, state, actor)) is not None:
        return refusal
    if new_status is state.status:
        return Refusal(RefusalCode.ALREADY_IN_STATUS, {"status": state.status})
    allowed = ALLOWED_TRANSITIONS[state.status]
    if new_status not in allowed:
        return Refusal(
            RefusalCode.TRANSITION_NOT_ALLOWED,
            {
                "status": state.status,
                "new_status": new_status,
                "allowed": ",".join(s for s in CaseStatus if s in allowed),
            },
        )
    if not (reason := reason.strip()):
        return Refusal(RefusalCode.REASON_REQUIRED)
    events: list[CaseEvent] = []
    if new_status is CaseStatus.GESLOTEN:
        state = _settle_proposal(state, actor.matrix_id, now, EndCause.CLOSED, events)
    events.append(
        StatusChanged(state.reference, now, actor.matrix_id, state.status, new_status, reason)
    )
    return Transition(replace(state, status=new_status), tuple(events))


# -------------------------------------------------------------------- regie


def regie_claim(state: CaseState, actor: Member, now: datetime, expires: Expiry) -> Outcome:
    """Take vacant regie, or ask the current holder for it.

    Vacant: the actor becomes holder (RegieTaken). Held by someone else: a REQUEST
    proposal to the holder, expiring at ``expires`` (RegieRequested), unless another
    proposal is still pending. An expired proposal is cleared first (ProposalExpired).
    """
    _require_aware(now)
    if (refusal := check(CaseAction.REGIE_CLAIM, state, actor)) is not None:
        return refusal
    user = actor.matrix_id
    holder = state.regie_holder
    if holder is None:
        new = replace(state, regie_holder=user, regie_since=now)
        return Transition(new, (RegieTaken(state.reference, now, user, user),))
    if holder == user:
        return Refusal(RefusalCode.ALREADY_HOLDER, {"holder": holder})
    events: list[CaseEvent] = []
    state, refusal = _clear_expired_or_refuse(state, now, events)
    if refusal is not None:
        return refusal
    expires_at = _expiry(expires, now)
    proposal = RegieProposal(ProposalKind.REQUEST, user, holder, now, expires_at)
    events.append(RegieRequested(state.reference, now, user, user, holder, expires_at))
    return Transition(replace(state, pending_proposal=proposal), tuple(events))


def regie_transfer(
    state: CaseState, actor: Member, to_user: str, now: datetime, expires: Expiry
) -> Outcome:
    """The holder proposes regie to another member; they keep it until it is accepted."""
    _require_aware(now)
    if (refusal := check(CaseAction.REGIE_TRANSFER, state, actor)) is not None:
        return refusal
    user = actor.matrix_id
    if to_user == user:
        return Refusal(RefusalCode.TARGET_IS_SELF)
    if not state.is_member(to_user):
        return Refusal(RefusalCode.TARGET_NOT_MEMBER, {"user": to_user})
    events: list[CaseEvent] = []
    state, refusal = _clear_expired_or_refuse(state, now, events)
    if refusal is not None:
        return refusal
    expires_at = _expiry(expires, now)
    proposal = RegieProposal(ProposalKind.TRANSFER, user, to_user, now, expires_at)
    events.append(RegieTransferProposed(state.reference, now, user, user, to_user, expires_at))
    return Transition(replace(state, pending_proposal=proposal), tuple(events))


def regie_accept(state: CaseState, actor: Member, now: datetime) -> Outcome:
    """The proposal's target accepts: regie goes to the proposed new holder.

    For a TRANSFER that is the actor; for a REQUEST the actor is the holder and regie
    goes to the requester.
    """
    _require_aware(now)
    proposal, refusal = _answerable_proposal(CaseAction.REGIE_ACCEPT, state, actor, now)
    if refusal is not None:
        return refusal
    assert proposal is not None and state.regie_holder is not None  # by invariant
    new_holder = proposal.new_holder
    event = RegieTransferred(
        state.reference, now, actor.matrix_id, state.regie_holder, new_holder, proposal.kind
    )
    new = replace(state, regie_holder=new_holder, regie_since=now, pending_proposal=None)
    return Transition(new, (event,))


def regie_decline(state: CaseState, actor: Member, now: datetime) -> Outcome:
    """The proposal's target declines: the proposal ends, regie stays where it was."""
    _require_aware(now)
    proposal, refusal = _answerable_proposal(CaseAction.REGIE_DECLINE, state, actor, now)
    if refusal is not None:
        return refusal
    assert proposal is not None
    event = RegieDeclined(
        state.reference, now, actor.matrix_id, proposal.kind, proposal.from_user, proposal.to_user
    )
    return Transition(replace(state, pending_proposal=None), (event,))


def expire_proposal(state: CaseState, now: datetime) -> Transition | None:
    """Clear a proposal that lapsed by ``now`` (ProposalExpired); ``None`` if there is none."""
    _require_aware(now)
    proposal = state.pending_proposal
    if proposal is None or not proposal.is_expired(now):
        return None
    event = ProposalExpired(
        state.reference, now, None, proposal.kind, proposal.from_user, proposal.to_user
    )
    return Transition(replace(state, pending_proposal=None), (event,))


def regie_release(state: CaseState, actor: Member, reason: str, now: datetime) -> Outcome:
    """The holder gives up regie for a (required) reason; regie becomes vacant.

    A pending proposal is cancelled. The service tells the coordination room.
    """
    _require_aware(now)
    if (refusal := check(CaseAction.REGIE_RELEASE, state, actor)) is not None:
        return refusal
    if not (reason := reason.strip()):
        return Refusal(RefusalCode.REASON_REQUIRED)
    user = actor.matrix_id
    events: list[CaseEvent] = []
    state = _settle_proposal(state, user, now, EndCause.RELEASED, events)
    events.append(RegieReleased(state.reference, now, user, user, reason, EndCause.RELEASED))
    new = replace(state, regie_holder=None, regie_since=now)
    return Transition(new, tuple(events))


def regie_assign(
    state: CaseState, actor: Member, to_user: str, reason: str, now: datetime
) -> Outcome:
    """A ketenmanager gives regie to a member for a (required) reason.

    Replaces any holder and cancels a pending proposal. Assigning to oneself is allowed.
    """
    _require_aware(now)
    if (refusal := check(CaseAction.REGIE_ASSIGN, state, actor)) is not None:
        return refusal
    if not (reason := reason.strip()):
        return Refusal(RefusalCode.REASON_REQUIRED)
    if not state.is_member(to_user):
        return Refusal(RefusalCode.TARGET_NOT_MEMBER, {"user": to_user})
    if state.regie_holder == to_user:
        return Refusal(RefusalCode.ALREADY_HOLDER, {"holder": to_user})
    user = actor.matrix_id
    events: list[CaseEvent] = []
    previous = state.regie_holder
    state = _settle_proposal(state, user, now, EndCause.ASSIGNED, events)
    events.append(RegieAssigned(state.reference, now, user, previous, to_user, reason))
    new = replace(state, regie_holder=to_user, regie_since=now)
    return Transition(new, tuple(events))


# ------------------------------------------------------------------ members


def invite(
    state: CaseState,
    actor: Member,
    user: str,
    organisation_code: str | None,
    now: datetime,
) -> Outcome:
    """Add ``user`` to the case.

    ``organisation_code`` is the user's organisation in the partner directory, or
    ``None`` when the user is not a registered member of the network (refused: only
    registered professionals may see a case).
    """
    _require_aware(now)
    if (refusal := check(CaseAction.INVITE, state, actor)) is not None:
        return refusal
    if organisation_code is None:
        return Refusal(RefusalCode.NOT_REGISTERED, {"user": user})
    if state.is_member(user):
        return Refusal(RefusalCode.ALREADY_MEMBER, {"user": user})
    members = dict(state.members)
    members[user] = CaseMember(user, organisation_code, now)
    event = MemberAdded(state.reference, now, actor.matrix_id, user, organisation_code)
    return Transition(replace(state, members=members), (event,))


def remove(state: CaseState, actor: Member, user: str, now: datetime) -> Outcome:
    """Remove ``user`` from the case; they lose every case role (see :func:`member_left`)."""
    _require_aware(now)
    if (refusal := check(CaseAction.REMOVE, state, actor)) is not None:
        return refusal
    if not state.is_member(user):
        return Refusal(RefusalCode.TARGET_NOT_MEMBER, {"user": user})
    return _drop_member(state, actor.matrix_id, user, now, EndCause.REMOVED)


def member_left(state: CaseState, user: str, now: datetime) -> Outcome:
    """Record that ``user`` left the case room: they lose every case role.

    Regie they held becomes vacant (RegieReleased, cause ``left``), a proposal involving
    them is cancelled and their casemanager role lapses. Refused for non-members and on
    a closed case (which accepts no changes; the service just ignores the refusal).
    """
    _require_aware(now)
    if not state.is_member(user):
        return Refusal(RefusalCode.NOT_A_MEMBER)
    if state.is_closed:
        return Refusal(RefusalCode.CASE_CLOSED)
    return _drop_member(state, user, user, now, EndCause.LEFT)


def member_deregistered(state: CaseState, user: str, now: datetime) -> Outcome:
    """``user`` is no longer a registered member (removed from the partner registry, or
    no longer with their organisation): they lose the case and every role in it.

    As :func:`member_left`, with the bot as actor and cause ``deregistered``; the service
    also removes them from the case room. Refused for non-members and closed cases.
    """
    _require_aware(now)
    if not state.is_member(user):
        return Refusal(RefusalCode.NOT_A_MEMBER)
    if state.is_closed:
        return Refusal(RefusalCode.CASE_CLOSED)
    return _drop_member(state, "bot", user, now, EndCause.DEREGISTERED)


def take_casemanager(state: CaseState, actor: Member, now: datetime) -> Outcome:
    """The actor becomes casemanager for their own organisation in this case.

    The organisation is the one recorded on the case membership. If a colleague of the
    same organisation held the role, it moves (CasemanagerTaken names them as previous).
    """
    _require_aware(now)
    if (refusal := check(CaseAction.ROLE_CASEMANAGER, state, actor)) is not None:
        return refusal
    user = actor.matrix_id
    me = state.members[user]
    if me.casemanager:
        return Refusal(RefusalCode.ALREADY_CASEMANAGER, {"organisation": me.organisation_code})
    members = dict(state.members)
    previous: str | None = None
    for other in state.members.values():
        if other.casemanager and other.organisation_code == me.organisation_code:
            previous = other.matrix_id
            members[other.matrix_id] = replace(other, casemanager=False)
    members[user] = replace(me, casemanager=True)
    event = CasemanagerTaken(state.reference, now, user, user, me.organisation_code, previous)
    return Transition(replace(state, members=members), (event,))


@dataclass(frozen=True, slots=True)
class RoleLine:
    """One member's line in ``!rollen``."""

    matrix_id: str
    organisation_code: str
    roles: tuple[CaseRole, ...]


def roles(state: CaseState) -> list[RoleLine]:
    """Every member with their case roles: the regiehouder first, then by organisation.

    A member with neither regie nor the casemanager role is listed as ``betrokken``.
    """

    def line(member: CaseMember) -> RoleLine:
        held: list[CaseRole] = []
        if member.matrix_id == state.regie_holder:
            held.append(CaseRole.REGIEHOUDER)
        if member.casemanager:
            held.append(CaseRole.CASEMANAGER)
        return RoleLine(
            member.matrix_id, member.organisation_code, tuple(held or [CaseRole.BETROKKEN])
        )

    ordered = sorted(
        state.members.values(),
        key=lambda m: (m.matrix_id != state.regie_holder, m.organisation_code, m.matrix_id),
    )
    return [line(member) for member in ordered]


# ----------------------------------------------------------- vacancy report


def unregie_report_due(
    vacant_since: date,
    last_reported_on: date | None,
    today: date,
    threshold_working_days: int,
    working_days_between: Callable[[date, date], int],
) -> bool:
    """Whether a case without regie should be reported to the coordination room today.

    ``working_days_between(start, end)`` must count the working days ``d`` with
    ``start < d <= end`` (so it is 0 for equal dates and 1 from a working day to the
    next). A report is due when today is a working day, regie has been vacant for at
    least ``threshold_working_days`` working days, and no report was made yet on a
    working day up to today's (at most one report per working day). Dates are local
    (Europe/Amsterdam) dates; the caller converts.
    """
    if threshold_working_days < 0:
        raise ValueError("threshold_working_days must not be negative")
    if working_days_between(today - timedelta(days=1), today) == 0:
        return False  # today is not a working day
    if working_days_between(vacant_since, today) < threshold_working_days:
        return False
    return last_reported_on is None or working_days_between(last_reported_on, today) >= 1


# ------------------------------------------------------------------ helpers


def _require_aware(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")


def _expiry(expires: Expiry, now: datetime) -> datetime:
    expires_at = expires(now) if callable(expires) else expires
    _require_aware(expires_at)
    if expires_at <= now:
        raise ValueError("a proposal must expire after it is made")
    return expires_at


def _plain(value: object) -> str | bool | None:
    if value is None or isinstance(value, bool | str):
        return value.value if isinstance(value, Enum) else value
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _proposal_params(proposal: RegieProposal) -> dict[str, str]:
    return {
        "kind": proposal.kind,
        "from_user": proposal.from_user,
        "to_user": proposal.to_user,
        "expires_at": proposal.expires_at.isoformat(),
    }


def _clear_expired_or_refuse(
    state: CaseState, now: datetime, events: list[CaseEvent]
) -> tuple[CaseState, Refusal | None]:
    """Before making a new proposal: clear an expired one, refuse over a live one."""
    proposal = state.pending_proposal
    if proposal is None:
        return state, None
    if not proposal.is_expired(now):
        return state, Refusal(RefusalCode.PROPOSAL_PENDING, _proposal_params(proposal))
    expired = expire_proposal(state, now)
    assert expired is not None
    events.extend(expired.events)
    return expired.state, None


def _settle_proposal(
    state: CaseState, actor: str | None, now: datetime, cause: EndCause, events: list[CaseEvent]
) -> CaseState:
    """End a pending proposal because something overtook it (expired ones as expired)."""
    proposal = state.pending_proposal
    if proposal is None:
        return state
    if proposal.is_expired(now):
        expired = expire_proposal(state, now)
        assert expired is not None
        events.extend(expired.events)
        return expired.state
    events.append(
        ProposalCancelled(
            state.reference,
            now,
            actor,
            proposal.kind,
            proposal.from_user,
            proposal.to_user,
            cause,
        )
    )
    return replace(state, pending_proposal=None)


def _answerable_proposal(
    action: CaseAction, state: CaseState, actor: Member, now: datetime
) -> tuple[RegieProposal | None, Refusal | None]:
    if (refusal := check(action, state, actor)) is not None:
        return None, refusal
    proposal = state.pending_proposal
    assert proposal is not None  # check() grants PROPOSAL_TARGET only with a proposal
    if proposal.is_expired(now):
        return None, Refusal(RefusalCode.PROPOSAL_EXPIRED, _proposal_params(proposal))
    return proposal, None


def _drop_member(
    state: CaseState, actor: str, user: str, now: datetime, cause: EndCause
) -> Transition:
    events: list[CaseEvent] = []
    proposal = state.pending_proposal
    if proposal is not None and proposal.involves(user):
        state = _settle_proposal(state, actor, now, cause, events)
    if state.regie_holder == user:
        events.append(RegieReleased(state.reference, now, actor, user, None, cause))
        state = replace(state, regie_holder=None, regie_since=now)
    gone = state.members[user]
    members = {key: value for key, value in state.members.items() if key != user}
    events.append(
        MemberRemoved(
            state.reference, now, actor, user, gone.organisation_code, cause, gone.casemanager
        )
    )
    return Transition(replace(state, members=members), tuple(events))
