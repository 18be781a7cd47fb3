"""The message catalogue is complete and consistent."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from avz_bot.messages import CATALOGUES, NL, Messages, placeholders

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("locale", sorted(CATALOGUES))
def test_every_locale_has_the_same_placeholders(locale: str) -> None:
    for key, template in CATALOGUES[locale].items():
        assert key in NL, f"{locale} has a key Dutch lacks: {key}"
        assert placeholders(template) == placeholders(NL[key]), key


def test_english_is_complete() -> None:
    assert set(CATALOGUES["en"]) == set(NL)


def test_every_literal_key_used_in_code_exists() -> None:
    pattern = re.compile(r"""(?:\.t\(|_key=|key=)\s*"([a-z_]+\.[a-z_.]+)\"""")
    used: set[str] = set()
    for folder in ("avz_bot", "commands"):
        for path in (ROOT / folder).rglob("*.py"):
            used.update(pattern.findall(path.read_text(encoding="utf-8")))
    assert used, "the scan found no keys at all"
    missing = sorted(key for key in used if key not in NL)
    assert missing == []


def test_fallback_to_dutch_and_unknown_locale() -> None:
    with pytest.raises(ValueError):
        Messages("fr")
    assert Messages("en").t("list.none") == "none"
    with pytest.raises(KeyError):
        Messages().t("bestaat.niet")


def test_a_missing_key_degrades_in_the_running_bot(caplog: pytest.LogCaptureFixture) -> None:
    # Strict (the default, as in every test): a missing key is an error that fails.
    with pytest.raises(KeyError):
        Messages().t_lenient("helpdesk.status.bestaat_niet", {})
    # Lenient (the bot): a neutral text, and an error that names the family only.
    with caplog.at_level(logging.ERROR, logger="avz_bot.messages"):
        assert Messages(strict=False).t("helpdesk.status.bestaat_niet") == "(tekst ontbreekt)"
        assert Messages("en", strict=False).t_lenient("x.y.geheim", {"a": 1}) == "(text missing)"
    families = [getattr(r, "key_family", None) for r in caplog.records]
    assert families == ["helpdesk.status", "x.y"]
    assert all("bestaat_niet" not in r.getMessage() + str(r.__dict__) for r in caplog.records)
    # Existing keys and placeholders behave as always.
    assert Messages(strict=False).t("error.usage", usage="!x") == "Gebruik: !x"
    with pytest.raises(KeyError):
        Messages(strict=False).t("error.usage", use="!x")  # a missing value still fails
