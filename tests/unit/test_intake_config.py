"""Configuration of the signed intake endpoint (issue 23): ``[intake]`` secrets from the
environment or a 0600 file, the registry's intake fields, the signature check and the
rate limiter on their own."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from avz_bot.intake_http import Problem, RateLimiter, check_signature
from avz_bot.partners_config import load_intake_profiles, load_partners
from avz_bot.services.signals.intake import IntakeProfile
from avz_bot.settings import ConfigError, load_settings
from avz_bot.testkit.intake import new_secret, signed_headers

MINIMAL = """
[matrix]
homeserver = "https://matrix.example.nl/"
user_id = "@avz-bot:example.nl"
"""
REGISTRY = """
[[organisations]]
code = "politie"
name = "Politie"
domain = "veiligheid"
{intake}

[[organisations]]
code = "ggz"
name = "GGZ"
domain = "zorg"

[[members]]
matrix_id = "@pieter:example.nl"
display_name = "Pieter"
organisation = "politie"

[[members]]
matrix_id = "@anouk:example.nl"
display_name = "Anouk"
organisation = "ggz"
"""


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("AVZ_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AVZ_MATRIX__PICKLE_KEY", "k" * 20)


def write(tmp_path: Path, text: str, name: str = "avz-bot.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_off_by_default(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, MINIMAL))
    assert settings.intake.enabled is False and settings.intake.secrets_of("politie") == []


def test_secrets_from_environment_and_file_for_rotation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    new, old, ggz = new_secret(), new_secret(), new_secret()
    monkeypatch.setenv("AVZ_INTAKE__SECRETS__POLITIE", f"{new} {old}")
    keys = write(tmp_path, f"# rotation\nggz={ggz}\npolitie={new_secret()}\n", "keys")
    keys.chmod(0o600)
    text = MINIMAL + f'[intake]\nenabled = true\nsecrets_file = "{keys}"\n'
    settings = load_settings(write(tmp_path, text))
    assert settings.intake.secrets_of("politie")[:2] == [new, old]
    assert len(settings.intake.secrets_of("politie")) == 3
    assert settings.intake.secrets_of("ggz") == [ggz]


@pytest.mark.parametrize(
    ("secret", "message"),
    [
        ("geheim-geheim-geheim-geheim-geheim", "must start with whsec_"),
        ("whsec_!!!", "base64"),
        ("whsec_c2hvcnQ=", "at least 24 random bytes"),
    ],
)
def test_bad_secrets_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, secret: str, message: str
) -> None:
    monkeypatch.setenv("AVZ_INTAKE__SECRETS__POLITIE", secret)
    with pytest.raises(ConfigError, match=message) as caught:
        load_settings(write(tmp_path, MINIMAL))
    assert secret not in str(caught.value)


def test_a_readable_secrets_file_and_secrets_in_the_toml_are_refused(tmp_path: Path) -> None:
    keys = write(tmp_path, f"politie={new_secret()}\n", "keys")
    keys.chmod(0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        load_settings(write(tmp_path, MINIMAL + f'[intake]\nsecrets_file = "{keys}"\n'))
    with pytest.raises(ConfigError, match="secrets may not be in the configuration file"):
        load_settings(write(tmp_path, MINIMAL + '[intake]\nsecrets = { politie = "x" }\n'))
    with pytest.raises(ConfigError, match="tolerance_seconds"):
        load_settings(write(tmp_path, MINIMAL + "[intake]\ntolerance_seconds = 600\n"))


def test_registry_intake_fields(tmp_path: Path) -> None:
    good = 'intake_professional = "@pieter:example.nl"\nintake_room = "!signalen:example.nl"'
    path = write(tmp_path, REGISTRY.format(intake=good), "partners.toml")
    assert load_intake_profiles(path) == {
        "politie": IntakeProfile("politie", "@pieter:example.nl", "!signalen:example.nl")
    }
    assert len(load_partners(path)[1]) == 2
    for intake, message in (
        ('intake_professional = "@pieter:example.nl"', "go together"),
        (
            'intake_professional = "@anouk:example.nl"\nintake_room = "!r:example.nl"',
            "must be a member of it",
        ),
        ('intake_professional = "@nobody:example.nl"\nintake_room = "!r"', "must be a member"),
    ):
        path = write(tmp_path, REGISTRY.format(intake=intake), "partners.toml")
        with pytest.raises(ConfigError, match=message):
            load_intake_profiles(path)


def test_signature_check() -> None:
    now = datetime.now(UTC)
    secret, other = new_secret(), new_secret()
    body = b'{"bsn": "123456782", "category": "overlast"}'
    headers = signed_headers(secret, body, "msg_1", now)
    assert check_signature([other, secret], body, headers, now, 300) == "msg_1"
    # Several signatures in one header (the sender rotating): one valid is enough.
    both = signed_headers(other, body, "msg_1", now)["webhook-signature"]
    rotated = headers | {"webhook-signature": f"{both} {headers['webhook-signature']}"}
    assert check_signature([secret], body, rotated, now, 300) == "msg_1"
    for secrets, sent, at, error in (
        ([other], headers, now, "signature_invalid"),
        ([], headers, now, "signature_invalid"),
        ([secret], headers | {"webhook-id": "msg_2"}, now, "signature_invalid"),
        ([secret], headers, now + timedelta(seconds=61), "timestamp_out_of_window"),
        ([secret], headers, now - timedelta(seconds=61), "timestamp_out_of_window"),
    ):
        with pytest.raises(Problem) as caught:
            check_signature(secrets, body, sent, at, 60)
        assert (caught.value.status, caught.value.error) == (401, error)


def test_rate_limiter_refills_per_organisation() -> None:
    clock = [0.0]
    limiter = RateLimiter(per_minute=60, burst=2, now=lambda: clock[0])
    assert [limiter.take("politie") for _ in range(3)] == [None, None, 1]
    assert limiter.take("ggz") is None
    clock[0] = 1.0
    assert limiter.take("politie") is None and limiter.take("politie") == 1
