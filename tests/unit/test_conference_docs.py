"""The README's conference permission table is the domain's table."""

from __future__ import annotations

from pathlib import Path

from avz_bot.messages import Messages
from commands.conferences import CONFERENCE_COMMANDS, SPECS, permission_table

ROOT = Path(__file__).resolve().parents[2]


def test_readme_shows_the_permission_table_of_the_domain() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("## Case conferences\n")
    end = readme.index("\n## ", start + 1)
    assert permission_table(Messages("nl")) in readme[start:end]


def test_every_conference_command_has_a_row_in_the_table() -> None:
    assert {spec.name for spec in SPECS} == set(CONFERENCE_COMMANDS)
