"""The one list of areas: adding an area is one line here (see the README, "A new area").

Each ``commands/<area>.py`` exports ``AREA``: its command specs and the descriptor of its
services (``avz_bot.services.<area>.area.AREA``). The command registry, the unit of work
and the composition root iterate this list; none of them names an area.
"""

from __future__ import annotations

from typing import Any

from avz_bot.services.area import Area
from commands import (
    agreements,
    board,
    builtin,
    cases,
    conferences,
    escalations,
    helpdesk,
    privacy,
    reports,
    signals,
)
from commands.framework import CommandArea

#: In help order; the services' order is that of ``!mijn``'s sections.
AREAS: tuple[CommandArea, ...] = (
    builtin.AREA,
    cases.AREA,
    agreements.AREA,
    signals.AREA,
    escalations.AREA,
    conferences.AREA,
    helpdesk.AREA,
    reports.AREA,
    board.AREA,
    privacy.AREA,
)


def service_areas() -> tuple[Area[Any], ...]:
    """The descriptors of the areas that have services, in list order."""
    return tuple(entry.services for entry in AREAS if entry.services is not None)
