"""The operator's path through the ``avz-bot`` command line, as real processes.

No homeserver is needed: the configuration checker, the database commands, the
privacy checks at start and a stop while the homeserver is unreachable all happen
before (or instead of) a Matrix login.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from avz_bot.metrics import BotMetrics

ROOT = Path(__file__).resolve().parents[2]
PICKLE_KEY = "p" * 24

PARTNERS = """
[[organisations]]
code = "politie"
name = "Politie"
domain = "veiligheid"

[[members]]
matrix_id = "@pieter:example.nl"
display_name = "Pieter"
organisation = "politie"
tvo = ["{tvo}"]
"""

CONFIG = """
[matrix]
{homeserver_key} = "{homeserver}"
user_id = "@avz-bot:example.nl"
max_backoff_seconds = 30

[storage]
data_dir = "data"

[http]
port = {port}

[partners]
file = "partners.toml"

[cases]
intake_rooms = ["!intake:example.nl"]
coordination_room = "{coordination}"
"""


def write_config(
    base: Path,
    *,
    homeserver_key: str = "homeserver",
    homeserver: str = "http://127.0.0.1:9",
    port: str = "0",
    coordination: str = "!coordinatie:example.nl",
    tvo: str = "groningen",
) -> Path:
    """A configuration in ``base/etc`` with paths relative to it (data in ``etc/data``)."""
    etc = base / "etc"
    etc.mkdir(parents=True, exist_ok=True)
    (etc / "partners.toml").write_text(PARTNERS.format(tvo=tvo), encoding="utf-8")
    config = etc / "avz-bot.toml"
    config.write_text(
        CONFIG.format(
            homeserver_key=homeserver_key,
            homeserver=homeserver,
            port=port,
            coordination=coordination,
        ),
        encoding="utf-8",
    )
    return config


def env(**extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("AVZ_")}
    base.update(extra)
    return base


def avz(
    *args: str, cwd: Path, environment: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "avz_bot", *args],
        capture_output=True,
        text=True,
        env=environment if environment is not None else env(AVZ_MATRIX__PICKLE_KEY=PICKLE_KEY),
        cwd=cwd,
        timeout=120,
        # The operator's usual umask: the bot must not rely on it.
        preexec_fn=lambda: os.umask(0o022),
    )


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_check_config_with_five_different_mistakes_lists_all_five(tmp_path: Path) -> None:
    config = write_config(
        tmp_path,
        homeserver_key="homesever",
        port='"abc"',
        coordination="#coordinatie:example.nl",
        tvo="groningn",
    )
    # No password and no credentials yet: the first start could not log in.
    result = avz("check-config", "--config", str(config), cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[0] == "avz-bot: 5 problems in the configuration:"
    problems = sorted(line.removeprefix("  - ") for line in lines[1:])
    assert len(problems) == 5, result.stderr
    expected = [
        "cases.coordination_room: #coordinatie:example.nl is a room alias; a room id is needed",
        "http.port: Input should be a valid integer",
        "matrix.homesever: unknown setting; did you mean homeserver?",
        "matrix.password: needed for the first start",
        "partners: @pieter:example.nl: tvo = ['groningn'] is not in cases.municipalities; "
        "did you mean 'groningen'?",
    ]
    for problem, start in zip(problems, expected, strict=True):
        assert problem.startswith(start), problem
    # The typo's consequence ("homeserver is required") is not a sixth problem.
    assert "homeserver: is required" not in result.stderr


def test_a_correct_configuration_found_from_another_directory_warns_about_signal_keys(
    tmp_path: Path,
) -> None:
    config = write_config(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = avz(
        "check-config",
        "--config",
        str(config),
        cwd=elsewhere,
        environment=env(AVZ_MATRIX__PICKLE_KEY=PICKLE_KEY, AVZ_MATRIX__PASSWORD="first"),
    )
    assert result.returncode == 0, result.stderr
    # partners.toml and the data directory were found beside the configuration file.
    assert "1 organisations, 1 members" in result.stdout
    assert "signals.keys: no pseudonym key" in result.stderr


def test_db_commands_need_no_store_key_take_config_after_the_subcommand_and_report_due_upgrades(
    tmp_path: Path,
) -> None:
    config = write_config(tmp_path)
    no_key = env()
    status = avz("db", "status", "--config", str(config), cwd=tmp_path, environment=no_key)
    assert status.returncode == 1, status.stderr
    assert "needs `avz-bot db upgrade`" in status.stdout
    upgrade = avz("--config", str(config), "db", "upgrade", cwd=tmp_path, environment=no_key)
    assert upgrade.returncode == 0, upgrade.stderr
    status = avz("db", "status", "--config", str(config), cwd=tmp_path, environment=no_key)
    assert status.returncode == 0 and "up to date" in status.stdout
    report = avz(
        "report",
        "--period",
        "2026-10",
        "--out",
        str(tmp_path / "out"),
        "--config",
        str(config),
        cwd=tmp_path,
        environment=no_key,
    )
    assert report.returncode == 0, report.stderr
    data = tmp_path / "etc" / "data"
    assert mode(data) == 0o700
    assert mode(data / "avz-bot.sqlite3") == 0o600


def test_the_bot_refuses_to_start_while_its_files_are_readable_by_others(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    assert avz("--config", str(config), "db", "upgrade", cwd=tmp_path).returncode == 0
    data = tmp_path / "etc" / "data"
    os.chmod(data, 0o755)
    os.chmod(data / "avz-bot.sqlite3", 0o644)
    key_file = tmp_path / "etc" / "pickle-key"
    key_file.write_text(PICKLE_KEY, encoding="utf-8")
    os.chmod(key_file, 0o644)
    text = config.read_text(encoding="utf-8").replace(
        "max_backoff_seconds = 30", 'max_backoff_seconds = 30\npickle_key_file = "pickle-key"'
    )
    config.write_text(text, encoding="utf-8")
    result = avz("--config", str(config), "run", cwd=tmp_path, environment=env())
    assert result.returncode == 1
    message = result.stderr.strip()
    assert message.startswith("avz-bot: refusing to start: readable by other users:")
    for path in (data, data / "avz-bot.sqlite3", key_file):
        assert str(path) in message
    assert f"chmod -R go-rwx {data}" in message
    assert len(message.splitlines()) == 1


def test_sigterm_while_the_homeserver_is_unreachable_exits_0_and_closes_everything(
    tmp_path: Path,
) -> None:
    config = write_config(tmp_path)  # homeserver: the discard port, nothing listens
    assert avz("--config", str(config), "db", "upgrade", cwd=tmp_path).returncode == 0
    log = tmp_path / "bot.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "avz_bot", "--config", str(config), "run"],
            stdout=out,
            stderr=out,
            env=env(AVZ_MATRIX__PICKLE_KEY=PICKLE_KEY, AVZ_MATRIX__PASSWORD="first"),
            cwd=tmp_path,
            preexec_fn=lambda: os.umask(0o022),
        )
        try:
            deadline = time.monotonic() + 60
            while "homeserver unreachable, retrying" not in log.read_text(encoding="utf-8"):
                assert process.poll() is None, log.read_text(encoding="utf-8")
                assert time.monotonic() < deadline, log.read_text(encoding="utf-8")
                time.sleep(0.2)
            time.sleep(1.5)  # inside a back-off wait now (max_backoff_seconds is 30)
            process.send_signal(signal.SIGTERM)
            code = process.wait(timeout=20)  # well before the next attempt
        finally:
            if process.poll() is None:
                process.kill()
    text = log.read_text(encoding="utf-8")
    assert code == 0, text
    assert "Unclosed client session" not in text and "Unclosed" not in text
    assert "Traceback" not in text
    assert "avz-bot stopped" in text


def test_metrics_show_the_process_and_the_build() -> None:
    from prometheus_client import generate_latest

    from avz_bot import __version__

    text = generate_latest(BotMetrics().registry).decode()
    for name in (
        "process_start_time_seconds",
        "process_resident_memory_bytes",
        "process_open_fds",
    ):
        assert f"\n{name} " in text, name
    assert f'version="{__version__}"' in text.split("avz_build_info")[-1]


@pytest.mark.parametrize("where", ["before", "after"])
def test_global_options_go_before_or_after_the_subcommand(tmp_path: Path, where: str) -> None:
    config = write_config(tmp_path)
    args = ["--config", str(config)]
    argv = [*args, "db", "status"] if where == "before" else ["db", "status", *args]
    result = avz(*argv, cwd=tmp_path, environment=env())
    assert "code expects" in result.stdout, result.stderr
