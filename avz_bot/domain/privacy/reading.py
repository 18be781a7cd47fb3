"""The reader's role recorded in the access log (pure)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from avz_bot.domain.cases.state import CaseState
from avz_bot.domain.privacy.chain import Shown

#: A case reference inside a text (a lesson card's title names its case).
_CASE_IN_TEXT = re.compile(r"\bAVZ-\d{4}-\d{1,7}\b", re.IGNORECASE)

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


def lessons_shown(hits: Iterable[tuple[str, str]]) -> list[Shown]:
    """What search hits (reference, title) show of cases: every lesson drawn from a case
    (its title names the case, ``helpdesk.card.lesson_title``) as the card and the case."""
    shown: list[Shown] = []
    for reference, title in hits:
        for case in _CASE_IN_TEXT.findall(title):
            shown += [Shown("question", reference), Shown("case", case.upper())]
    return shown
