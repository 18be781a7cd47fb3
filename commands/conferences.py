"""Commands of the case conferences area, declared once."""

from __future__ import annotations

from commands.framework import CommandSpec

SPECS: tuple[CommandSpec, ...] = ()
