"""The case as the domain sees it: status, members, regiehouder, pending proposal.

:class:`CaseState` is what every transition (:mod:`.status`, :mod:`.regie`,
:mod:`.members`) takes and returns; :func:`new_case` makes a freshly registered one.

Invariants of :class:`CaseState` (checked on construction):

- the regiehouder, and both parties of a pending proposal, are members of the case;
- a pending proposal exists only while someone holds regie: a TRANSFER comes from the
  holder, a REQUEST is addressed to the holder. Any change of holder settles it;
- ``regie_since`` is when the current regie situation began: since when the holder holds
  regie or, when nobody does, since when regie is vacant (case opening, release, leaving).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType


class CaseStatus(StrEnum):
    """The life-cycle status of a case (values are the Dutch words users type)."""

    AANGEMELD = "aangemeld"
    ACTIEF = "actief"
    AFGESCHAALD = "afgeschaald"
    GESLOTEN = "gesloten"


class ProposalKind(StrEnum):
    """How a regie hand-over was proposed."""

    TRANSFER = "transfer"  # the holder proposes to hand regie to someone
    REQUEST = "request"  # someone asks the holder for regie


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
    require_aware(now)
    return CaseState(
        reference=reference,
        status=CaseStatus.AANGEMELD,
        regie_holder=None,
        regie_since=now,
        members={opener: CaseMember(opener, organisation_code, now)},
    )


def require_aware(now: datetime) -> None:
    """Refuse a naive ``now``: every transition works with timezone-aware instants."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
