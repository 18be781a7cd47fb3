"""The one registry of commands, built from an explicit list of modules' specs."""

from __future__ import annotations

from commands import (
    agreements,
    builtin,
    cases,
    conferences,
    escalations,
    helpdesk,
    reports,
    signals,
)
from commands.framework import Registry


def build_registry() -> Registry:
    """All commands the bot understands, in help order."""
    return Registry(
        [
            *builtin.SPECS,
            *cases.SPECS,
            *agreements.SPECS,
            *signals.SPECS,
            *escalations.SPECS,
            *conferences.SPECS,
            *helpdesk.SPECS,
            *reports.SPECS,
        ]
    )
