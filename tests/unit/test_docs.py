"""The README's command reference is the one generated from the registry."""

from __future__ import annotations

from pathlib import Path

from avz_bot.docs import render_block

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
