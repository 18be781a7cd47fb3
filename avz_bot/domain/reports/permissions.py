"""Who may ask for a trend report: one table (pure).

The whole rule is small: ``!rapport`` is for ketenmanagers (and, as every command, for
admins), and only in the coordination room, because a report covers all cases. The table
below is the single source of the first half: the command's audience is read from it
(``commands/reports.py``). The room is checked where the rooms are known
(``ReportService.check_room``). The scheduled report is posted by the bot itself in the
coordination room; nobody asks for it, so it has no row.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType


class ReportAction(StrEnum):
    """Everything one can do with trend reports; the keys of :data:`PERMISSIONS`."""

    REQUEST = "request"  # !rapport


class ReportActor(StrEnum):
    """Who someone is, as far as reports are concerned."""

    KETENMANAGER = "ketenmanager"  # network role Role.KETENMANAGER


PERMISSIONS: Mapping[ReportAction, frozenset[ReportActor]] = MappingProxyType(
    {
        ReportAction.REQUEST: frozenset({ReportActor.KETENMANAGER}),
    }
)
"""Who may do what with trend reports: any one of the actors suffices."""
