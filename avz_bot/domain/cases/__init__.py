"""Cases, their status, case roles and procesregie: pure state transitions.

Nothing here does I/O, talks to Matrix or the database, or knows the calendar. Every
transition takes the current :class:`CaseState`, the acting :class:`Member` and an aware
``now``, and returns either a :class:`Transition` (the new state plus the domain events the
service persists and notifies about) or a :class:`Refusal` (a :class:`RefusalCode` plus
string parameters the command layer renders in Dutch).

Import from here (``from avz_bot.domain.cases import CaseState``); each rule lives in one
module of this package:

- :mod:`.state`: :class:`CaseState` and its invariants, members, regie proposals;
- :mod:`.permissions`: who may do what, the table :data:`PERMISSIONS` and the one place
  it is enforced, :func:`check` (membership first, a closed case is final, then the table);
- :mod:`.status`: status changes and closing (:data:`ALLOWED_TRANSITIONS`);
- :mod:`.closing`: confirming a close with work still open, and reopening;
- :mod:`.regie`: claiming, requesting, transferring, accepting, declining, expiring,
  releasing and assigning procesregie; when a case without regie is reported;
- :mod:`.members`: inviting, removing, leaving, deregistration, the casemanager role and
  the ``!rollen`` overview;
- :mod:`.outcomes`: the events, :class:`Transition`, :class:`Refusal` and its codes.
"""

from __future__ import annotations

from avz_bot.domain.cases.closing import (
    REOPENED_STATUS,
    CloseRequest,
    OpenWork,
    close_needs_confirmation,
    reopen,
)
from avz_bot.domain.cases.members import (
    CaseRole,
    RoleLine,
    invite,
    join_to_handle_escalation,
    member_deregistered,
    member_left,
    remove,
    roles,
    take_casemanager,
)
from avz_bot.domain.cases.outcomes import (
    CaseEvent,
    CasemanagerTaken,
    EndCause,
    MemberAdded,
    MemberRemoved,
    Outcome,
    ProposalCancelled,
    ProposalExpired,
    Refusal,
    RefusalCode,
    RegieAssigned,
    RegieDeclined,
    RegieReleased,
    RegieRequested,
    RegieTaken,
    RegieTransferProposed,
    RegieTransferred,
    StatusChanged,
    Transition,
)
from avz_bot.domain.cases.permissions import (
    PERMISSIONS,
    READ_ONLY_ACTIONS,
    Actor,
    CaseAction,
    actors_for,
    check,
    permission_table_rows,
)
from avz_bot.domain.cases.regie import (
    Expiry,
    expire_proposal,
    regie_accept,
    regie_assign,
    regie_claim,
    regie_decline,
    regie_release,
    regie_transfer,
    unregie_report_due,
)
from avz_bot.domain.cases.state import (
    CaseMember,
    CaseState,
    CaseStatus,
    ProposalKind,
    RegieProposal,
    new_case,
)
from avz_bot.domain.cases.status import (
    ALLOWED_TRANSITIONS,
    change_status,
    close,
)

__all__ = [
    "ALLOWED_TRANSITIONS",
    "PERMISSIONS",
    "READ_ONLY_ACTIONS",
    "REOPENED_STATUS",
    "Actor",
    "CaseAction",
    "CaseEvent",
    "CaseMember",
    "CaseRole",
    "CaseState",
    "CaseStatus",
    "CasemanagerTaken",
    "CloseRequest",
    "EndCause",
    "Expiry",
    "MemberAdded",
    "MemberRemoved",
    "OpenWork",
    "Outcome",
    "ProposalCancelled",
    "ProposalExpired",
    "ProposalKind",
    "Refusal",
    "RefusalCode",
    "RegieAssigned",
    "RegieDeclined",
    "RegieProposal",
    "RegieReleased",
    "RegieRequested",
    "RegieTaken",
    "RegieTransferProposed",
    "RegieTransferred",
    "RoleLine",
    "StatusChanged",
    "Transition",
    "actors_for",
    "change_status",
    "check",
    "close",
    "close_needs_confirmation",
    "expire_proposal",
    "invite",
    "join_to_handle_escalation",
    "member_deregistered",
    "member_left",
    "new_case",
    "permission_table_rows",
    "regie_accept",
    "regie_assign",
    "regie_claim",
    "regie_decline",
    "regie_release",
    "regie_transfer",
    "remove",
    "reopen",
    "roles",
    "take_casemanager",
    "unregie_report_due",
]
