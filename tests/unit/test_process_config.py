"""The configuration the entry-point tests and the demo give ``avz-bot run`` is the
example configuration, whatever sections the areas add to it (arrays of tables too)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from avz_bot.testkit.process import EXAMPLE_CONFIG, derive_config

ROOT = Path(__file__).resolve().parents[2]


def test_the_example_configuration_round_trips() -> None:
    example = tomllib.loads((ROOT / "config" / "avz-bot.example.toml").read_text("utf-8"))
    assert EXAMPLE_CONFIG.resolve() == (ROOT / "config" / "avz-bot.example.toml").resolve()
    assert tomllib.loads(derive_config({})) == example


def test_overrides_replace_single_settings_only() -> None:
    derived = tomllib.loads(derive_config({"http": {"port": 9999}, "new": {"x": [{"a": 1}]}}))
    assert derived["http"]["port"] == 9999
    assert derived["new"] == {"x": [{"a": 1}]}
    assert derived["matrix"] == tomllib.loads(EXAMPLE_CONFIG.read_text("utf-8"))["matrix"]
