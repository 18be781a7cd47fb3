"""The message catalogue's parts, one module per area (Dutch ``NL`` and English ``EN``).

``avz_bot.messages`` merges them into the one catalogue; this split only keeps each
area's sentences next to each other.
"""

from __future__ import annotations

from types import ModuleType

from avz_bot.catalogue import (
    agreements,
    board,
    cases,
    conferences,
    escalations,
    helpdesk,
    inputs,
    lists,
    operations,
    privacy,
    reports,
    signals,
)

#: Every part, in the order they are merged after the core sentences.
AREAS: tuple[ModuleType, ...] = (
    cases,
    agreements,
    operations,
    lists,
    inputs,
    signals,
    escalations,
    helpdesk,
    conferences,
    reports,
    board,
    privacy,
)
