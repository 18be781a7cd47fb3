"""The reader's role recorded in the access log (pure)."""

from __future__ import annotations

from avz_bot.domain.cases.state import CaseState

#: Roles in a case, as the access log records them.
REGIEHOUDER = "regiehouder"
CASEMANAGER = "casemanager"
DEELNEMER = "deelnemer"
#: Read by someone who is not a member of the case (a ketenmanager, the privacy role).
BUITEN_CASUS = "buiten-casus"


def case_role(state: CaseState, reader: str) -> str:
    """``reader``'s role in the case: regiehouder, casemanager, deelnemer, or
    buiten-casus for a reader who is not a member (e.g. a ketenmanager)."""
    if state.regie_holder == reader:
        return REGIEHOUDER
    member = state.members.get(reader)
    if member is None:
        return BUITEN_CASUS
    return CASEMANAGER if member.casemanager else DEELNEMER
