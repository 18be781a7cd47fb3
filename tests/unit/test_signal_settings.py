"""The [signals] settings: pseudonym keys only from the environment or a file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from avz_bot.domain.signals import IdentifierKind, PersonIdentifier, Purpose
from avz_bot.messages import Messages
from avz_bot.settings import ConfigError, load_settings
from commands.signals import permission_table

ROOT = Path(__file__).resolve().parents[2]
PICKLE = "k" * 20
SECRET1 = "a" * 40
SECRET2 = "b" * 40

MINIMAL = """
[matrix]
homeserver = "https://matrix.example.nl/"
user_id = "@avz-bot:example.nl"
"""


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("AVZ_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AVZ_MATRIX__PICKLE_KEY", PICKLE)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "avz-bot.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_keys_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AVZ_SIGNALS__KEYS__V1", SECRET1)
    monkeypatch.setenv("AVZ_SIGNALS__KEYS__V2", SECRET2)
    settings = load_settings(write(tmp_path, MINIMAL + '[signals]\ncurrent_key = "v2"\n'))
    pseudonyms = settings.signals.pseudonymiser()
    assert pseudonyms is not None and pseudonyms.versions == ("v1", "v2")
    person = PersonIdentifier(IdentifierKind.BSN, "123456782")
    assert pseudonyms.make(person, Purpose.SIGNAL_PERSON).startswith("v2:")
    assert SECRET1 not in repr(settings)


def test_keys_from_a_file(tmp_path: Path) -> None:
    keys = tmp_path / "signal-keys"
    keys.write_text(f"# rotated 2026\nv1={SECRET1}\nv2 = {SECRET2}\n", encoding="utf-8")
    text = MINIMAL + f'[signals]\nkeys_file = "{keys}"\ncurrent_key = "v2"\n'
    pseudonyms = load_settings(write(tmp_path, text)).signals.pseudonymiser()
    assert pseudonyms is not None and pseudonyms.current == "v2"


def test_without_keys_signals_are_off(tmp_path: Path) -> None:
    assert load_settings(write(tmp_path, MINIMAL)).signals.pseudonymiser() is None


@pytest.mark.parametrize(
    ("extra", "env", "message"),
    [
        (f'[signals.keys]\nv1 = "{SECRET1}"\n', {}, "signals.keys: secrets may not be in"),
        ("", {"AVZ_SIGNALS__KEYS__V1": "short"}, "at least 32 characters"),
        ("", {"AVZ_SIGNALS__KEYS__X1": SECRET1}, "must look like v1"),
        ('[signals]\ncurrent_key = "v3"\n', {"AVZ_SIGNALS__KEYS__V1": SECRET1}, "current_key"),
        ("[signals]\nactive_years = 0\n", {}, "signals.active_years"),
        ('[signals]\ntvo_rooms = { amsterdam = "!a:x" }\n', {}, "unknown municipality"),
        ('[signals]\ntvo_rooms = { groningen = "!a:x" }\n', {}, "also be in cases.intake_rooms"),
    ],
)
def test_bad_signal_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, extra: str, env: dict[str, str], message: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=message):
        load_settings(write(tmp_path, MINIMAL + extra))


def test_readme_shows_the_signal_permission_table() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert permission_table(Messages("nl")) in readme
