"""The README shows the privacy permission table as the domain has it."""

from __future__ import annotations

from pathlib import Path

from avz_bot.messages import Messages
from commands.privacy import permission_table

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_shows_the_privacy_permission_table() -> None:
    assert permission_table(Messages("nl")) in README.read_text(encoding="utf-8")
