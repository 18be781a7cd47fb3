"""Issue 25: "wie" has one source. ``!help <commando>``, the README's generated command
reference and the permission tables that decide (``domain/*/permissions.py``) say the
same for every command."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from avz_bot.domain.partners import Member, Organisation, OrgDomain, Role
from avz_bot.messages import Messages
from commands.agreements import AGREEMENT_ACTIONS
from commands.builtin import HelpArgs, help_command
from commands.cases import CASE_ACTIONS
from commands.conferences import CONFERENCE_COMMANDS
from commands.escalations import CASE_GATED, ESCALATION_ACTIONS
from commands.framework import CommandContext, CommandSpec
from commands.helpdesk import HELPDESK_ACTIONS
from commands.privacy import PRIVACY_COMMANDS
from commands.registry import build_registry
from commands.signals import SIGNAL_ACTIONS

ROOT = Path(__file__).resolve().parents[2]
REGISTRY = build_registry()
MESSAGES = Messages("nl")
ADMIN = Member(
    "@a:avz.test",
    "Beheer",
    Organisation("avz", "AVZ", OrgDomain.VEILIGHEID),
    frozenset({Role.ADMIN}),
)
#: Commands that no area's permission table governs: open to every registered member
#: (or, for the report, the audience its table names: ``commands.reports.audience``).
UNGOVERNED = {
    "help",
    "ping",
    "wie",
    "casus nieuw",
    "vraag",
    "vragen",
    "zoek",
    "rapport",
    "overzicht",
}
GOVERNED: dict[str, Any] = {
    **CASE_ACTIONS,
    **AGREEMENT_ACTIONS,
    **SIGNAL_ACTIONS,
    **ESCALATION_ACTIONS,
    **CASE_GATED,
    **CONFERENCE_COMMANDS,
    **HELPDESK_ACTIONS,
    **PRIVACY_COMMANDS,
}


def _readme_who() -> dict[str, str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found: dict[str, str] = {}
    for line in readme.splitlines():
        match = re.match(r"^\| `!([^`]+)` \| [^|]+ \| ([^|]+) \|", line)
        if match:
            usage = match.group(1)
            spec = REGISTRY.lookup(usage.split(" <")[0].split(" [")[0].split(" ")[0])
            words = usage.split()
            two = REGISTRY.lookup(" ".join(words[:2])) if len(words) > 1 else None
            chosen = two or spec
            if chosen is not None:
                found.setdefault(chosen.name, match.group(2).strip())
    return found


async def _help_who(spec: CommandSpec) -> str:
    ctx = CommandContext(
        command=SimpleNamespace(),  # type: ignore[arg-type]
        member=ADMIN,
        messages=MESSAGES,
        registry=REGISTRY,
        prefix="!",
        services=SimpleNamespace(),  # type: ignore[arg-type]
    )
    result = await help_command(ctx, HelpArgs(commando=spec.name))
    [line] = [line for line in result.reply.plain.splitlines() if line.startswith("Wie: ")]
    return line.removeprefix("Wie: ")


def test_every_command_is_governed_by_a_table_or_declared_open() -> None:
    names = {spec.name for spec in REGISTRY.specs()}
    assert set(GOVERNED) <= names
    assert names - set(GOVERNED) == UNGOVERNED


@pytest.mark.parametrize("spec", REGISTRY.specs(), ids=lambda spec: spec.name)
async def test_help_readme_and_the_deciding_table_agree(spec: CommandSpec) -> None:
    said = await _help_who(spec)
    assert said == REGISTRY.who(spec, MESSAGES)
    assert _readme_who()[spec.name] == said, "run `python -m avz_bot.docs --write`"
    if spec.name in UNGOVERNED:
        assert said == MESSAGES.t(f"permission.{spec.audience.value}")
    else:
        from_tables = [w(spec.name, MESSAGES) for w in REGISTRY.who_sources]
        assert [found for found in from_tables if found is not None] == [said]


def test_actie_is_for_members_of_the_case_in_help_and_readme() -> None:
    """The issue's example: help said "geregistreerde ketenpartners", the README
    "leden van de casus"; the agreements' table decides."""
    spec = REGISTRY.lookup("actie")
    assert spec is not None
    assert REGISTRY.who(spec, MESSAGES) == "leden van de casus" == _readme_who()["actie"]
