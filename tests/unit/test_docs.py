"""The README's command reference and permission tables are generated from the code."""

from __future__ import annotations

from pathlib import Path

from avz_bot.docs import render_block
from avz_bot.domain.agreements import AgreementAction
from avz_bot.messages import Messages
from commands.agreements import AGREEMENT_ACTIONS, SPECS, permission_table

ROOT = Path(__file__).resolve().parents[2]


def test_readme_command_reference_is_current() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert render_block() in readme, "run `python -m avz_bot.docs --write`"


def test_readme_starts_with_the_two_commands() -> None:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    block = lines[lines.index("```sh") + 1 : lines.index("```")]
    assert [line.split("#")[0].strip() for line in block] == [
        "python3 dev.py demo",
        "python3 dev.py test",
    ]


def test_readme_shows_the_agreements_permission_table_of_the_domain() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("### Wie mag wat met een afspraak of herinnering\n")
    end = readme.index("\n### ", start + 1)
    assert permission_table(Messages("nl")) in readme[start:end]


def test_every_agreements_command_and_action_has_a_row_in_the_table() -> None:
    assert {spec.name for spec in SPECS} == set(AGREEMENT_ACTIONS)
    assert set(AGREEMENT_ACTIONS.values()) == set(AgreementAction)
