"""Commands of the helpdesk rooms, themes, service levels and search area, declared once."""

from __future__ import annotations

from commands.framework import CommandSpec

SPECS: tuple[CommandSpec, ...] = ()
