"""Commands of the escalation routes and clocks area, declared once."""

from __future__ import annotations

from commands.framework import CommandSpec

SPECS: tuple[CommandSpec, ...] = ()
