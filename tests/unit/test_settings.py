"""Configuration loading: TOML plus environment, secrets outside the file, one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from avz_bot.domain.partners import ScopedRole, ScopedRoleKind
from avz_bot.partners_config import load_partners
from avz_bot.settings import ConfigError, load_settings

ROOT = Path(__file__).resolve().parents[2]
KEY = "k" * 20

MINIMAL = """
[matrix]
homeserver = "https://matrix.example.nl/"
user_id = "@avz-bot:example.nl"
allowed_servers = ["example.nl"]
"""


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("AVZ_"):
            monkeypatch.delenv(name)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "avz-bot.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_config_is_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AVZ_MATRIX__PICKLE_KEY", KEY)
    settings = load_settings(ROOT / "config" / "avz-bot.example.toml")
    assert settings.matrix.user_id == "@avz-bot:avz-groningen.example"
    assert settings.http.port == 8480
    assert settings.database_url.startswith("sqlite+aiosqlite:///")


def test_example_partners_file_is_valid() -> None:
    orgs, members = load_partners(ROOT / "config" / "partners.example.toml")
    assert {o.code for o in orgs} >= {"politie", "ggz", "avz"}
    assert any("ketenmanager" in {r.value for r in m.roles} for m in members)


def test_partner_file_scoped_roles(tmp_path: Path) -> None:
    path = tmp_path / "partners.toml"
    path.write_text(
        '[[organisations]]\ncode = "ggz"\nname = "GGZ"\ndomain = "zorg"\n'
        '[[members]]\nmatrix_id = "@a:x.nl"\ndisplay_name = "A"\norganisation = "ggz"\n'
        'roles = ["professional", "expert"]\ntvo = ["groningen", "eemsdelta"]\n'
        'driehoek = ["regio"]\nwethouder = ["groningen"]\nbestuurder = true\n'
        'themes = ["jeugd"]\nbackup_themes = ["privacy"]\n',
        encoding="utf-8",
    )
    _, [member] = load_partners(path)
    assert member.scoped_roles == {
        ScopedRole(ScopedRoleKind.TVO, "groningen"),
        ScopedRole(ScopedRoleKind.TVO, "eemsdelta"),
        ScopedRole(ScopedRoleKind.DRIEHOEK, "regio"),
        ScopedRole(ScopedRoleKind.WETHOUDER, "groningen"),
        ScopedRole(ScopedRoleKind.BESTUURDER, "ggz"),
        ScopedRole(ScopedRoleKind.THEME, "jeugd"),
        ScopedRole(ScopedRoleKind.BACKUP_THEME, "privacy"),
    }
    assert member.holds(ScopedRoleKind.TVO, "eemsdelta")
    assert not member.holds(ScopedRoleKind.TVO, "groningen-stad")
    assert member.scopes(ScopedRoleKind.TVO) == {"groningen", "eemsdelta"}


def test_environment_overrides_toml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AVZ_MATRIX__PICKLE_KEY", KEY)
    monkeypatch.setenv("AVZ_HTTP__PORT", "9999")
    monkeypatch.setenv("AVZ_MATRIX__HOMESERVER", "http://127.0.0.1:8008")
    settings = load_settings(write(tmp_path, MINIMAL))
    assert settings.http.port == 9999
    assert settings.matrix.homeserver == "http://127.0.0.1:8008"
    assert settings.matrix.pickle_key is not None
    assert settings.matrix.pickle_key.get_secret_value() == KEY


def test_secrets_from_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pw").write_text("geheim\n")
    (tmp_path / "pk").write_text(KEY)
    text = MINIMAL + f'password_file = "{tmp_path / "pw"}"\npickle_key_file = "{tmp_path / "pk"}"\n'
    settings = load_settings(write(tmp_path, text))
    assert settings.matrix.password is not None
    assert settings.matrix.password.get_secret_value() == "geheim"
    assert "geheim" not in repr(settings)


@pytest.mark.parametrize(
    ("extra_toml", "env", "message"),
    [
        ("", {}, "matrix: pickle_key is required"),
        ("", {"AVZ_MATRIX__PICKLE_KEY": "DEFAULT_KEY"}, "must not be the library default"),
        ("", {"AVZ_MATRIX__PICKLE_KEY": "short"}, "at least 16 characters"),
        (
            'password = "x"\n',
            {"AVZ_MATRIX__PICKLE_KEY": KEY},
            "matrix.password: secrets may not be in the configuration file",
        ),
        ("", {"AVZ_MATRIX__PICKLE_KEY": KEY, "AVZ_HTTP__PORT": "zeventig"}, "http.port:"),
        (
            "",
            {"AVZ_MATRIX__PICKLE_KEY": KEY, "AVZ_MATRIX__HOMESERVER": "matrix.nl"},
            "matrix.homeserver: must start with http",
        ),
        (
            "",
            {"AVZ_MATRIX__PICKLE_KEY": KEY, "AVZ_BOT__LOCALE": "fr"},
            "bot.locale: must be one of: en, nl",
        ),
        (
            "",
            {"AVZ_MATRIX__PICKLE_KEY": KEY, "AVZ_STORAGE__DATABASE_URL": "mysql://x"},
            "storage.database_url",
        ),
        ("typo = 1\n", {"AVZ_MATRIX__PICKLE_KEY": KEY}, "matrix.typo"),
    ],
)
def test_invalid_settings_give_one_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    extra_toml: str,
    env: dict[str, str],
    message: str,
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as info:
        load_settings(write(tmp_path, MINIMAL + extra_toml))
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_and_broken_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nope.toml")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(write(tmp_path, "[matrix\n"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[[members]]\nmatrix_id = "@a:x.nl"\ndisplay_name = "A"\norganisation = "nope"\n',
            "unknown organisation 'nope'",
        ),
        (
            '[[organisations]]\ncode = "a"\nname = "A"\ndomain = "zorg"\n' * 2,
            "organisation code listed twice: a",
        ),
        (
            '[[organisations]]\ncode = "a"\nname = "A"\ndomain = "ruimtevaart"\n',
            "organisations.0.domain",
        ),
        (
            '[[organisations]]\ncode = "a"\nname = "A"\ndomain = "zorg"\n[[members]]\nmatrix_id = "geen-id"\ndisplay_name = "A"\norganisation = "a"\n',
            "members.0.matrix_id",
        ),
        (
            '[[organisations]]\ncode = "a"\nname = "A"\ndomain = "zorg"\n[[members]]\nmatrix_id = "@a:x.nl"\ndisplay_name = "A"\norganisation = "a"\nroles = ["baas"]\n',
            "members.0.roles.0",
        ),
        (
            '[[organisations]]\ncode = "a"\nname = "A"\ndomain = "zorg"\n[[members]]\nmatrix_id = "@a:x.nl"\ndisplay_name = "A"\norganisation = "a"\nthemes = ["jeugd"]\n',
            "themes and backup_themes need the role 'expert'",
        ),
        (
            '[[organisations]]\ncode = "a"\nname = "A"\ndomain = "zorg"\n[[members]]\nmatrix_id = "@a:x.nl"\ndisplay_name = "A"\norganisation = "a"\ntvo = ["Gr oningen"]\n',
            "members.0.tvo.0",
        ),
    ],
)
def test_invalid_partner_files(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "partners.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_partners(path)
    assert message in str(info.value)


def test_every_invalid_setting_is_listed_with_did_you_mean(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AVZ_MATRIX__PICKLE_KEY", KEY)
    text = MINIMAL.replace("homeserver =", "homesever =") + (
        '[htpp]\nport = 1\n[http]\nprot = 1\nhost = 5\n[cases]\ncoordination_room = "#c:example.nl"\n'
    )
    with pytest.raises(ConfigError) as info:
        load_settings(write(tmp_path, text))
    problems = info.value.problems
    assert "matrix.homesever: unknown setting; did you mean homeserver?" in problems
    assert "htpp: unknown setting; did you mean http?" in problems
    assert "http.prot: unknown setting; did you mean port?" in problems
    assert any(p.startswith("http.host: Input should be a valid string") for p in problems)
    assert any(
        p.startswith("cases.coordination_room: #c:example.nl is a room alias") for p in problems
    )
    assert not any("homeserver: is required" in p for p in problems)  # the typo's echo
    assert str(info.value).startswith(f"{len(problems)} problems in the configuration:\n  - ")


def test_a_room_alias_from_the_environment_is_refused_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AVZ_MATRIX__PICKLE_KEY", KEY)
    monkeypatch.setenv("AVZ_CASES__INTAKE_ROOMS", '["!ok:example.nl", "#intake:example.nl"]')
    with pytest.raises(ConfigError, match=r"cases\.intake_rooms: #intake:example\.nl is a room"):
        load_settings(write(tmp_path, MINIMAL))


def test_relative_paths_are_relative_to_the_configuration_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AVZ_MATRIX__PICKLE_KEY", KEY)
    etc = tmp_path / "etc"
    etc.mkdir()
    (etc / "pw").write_text("geheim\n")
    text = (
        MINIMAL
        + 'password_file = "pw"\n[storage]\ndata_dir = "../var"\n[partners]\nfile = "p.toml"\n'
    )
    monkeypatch.chdir(tmp_path)
    settings = load_settings(write(etc, text))
    assert settings.storage.data_dir == tmp_path / "var"
    assert settings.partners.file == etc / "p.toml"
    assert settings.matrix.password is not None
    # From the environment, a relative path stays relative to the working directory.
    monkeypatch.setenv("AVZ_PARTNERS__FILE", "q.toml")
    assert load_settings(write(etc, text)).partners.file == Path("q.toml")


def test_commands_that_only_read_the_database_need_no_store_key(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, MINIMAL), store_key=False)
    assert settings.matrix.pickle_key is None
    with pytest.raises(ConfigError, match="pickle_key is required"):
        load_settings(write(tmp_path, MINIMAL))  # and the next load requires it again
