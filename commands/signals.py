"""Commands of the signals, tvo triage and matching area, declared once."""

from __future__ import annotations

from commands.framework import CommandSpec

SPECS: tuple[CommandSpec, ...] = ()
