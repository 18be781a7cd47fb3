"""The one registry of commands, built from the areas' specs (``commands.areas``)."""

from __future__ import annotations

from commands.areas import AREAS
from commands.framework import Registry


def build_registry() -> Registry:
    """All commands the bot understands, in help order."""
    return Registry(
        [spec for area in AREAS for spec in area.specs],
        who=[area.who for area in AREAS if area.who is not None],
    )
