"""The ``avz-bot`` command line, run as a real process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(
    *args: str, env: dict[str, str] | None = None, cwd: Path = ROOT
) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("AVZ_")}
    base.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "avz_bot", *args],
        capture_output=True,
        text=True,
        env=base,
        cwd=cwd,
        timeout=60,
    )


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["run"],
        ["demo"],
        ["check-config"],
        ["db"],
        ["db", "upgrade"],
        ["db", "status"],
        ["report"],
    ],
)
def test_help(args: list[str]) -> None:
    result = run(*args, "--help")
    assert result.returncode == 0
    assert "usage: avz-bot" in result.stdout


def test_check_config_ok(tmp_path: Path) -> None:
    config = tmp_path / "avz.toml"
    config.write_text(
        (ROOT / "config" / "avz-bot.example.toml")
        .read_text()
        .replace('file = "partners.toml"', f'file = "{ROOT / "config" / "partners.example.toml"}"')
    )
    env = {"AVZ_MATRIX__PICKLE_KEY": "x" * 20, "AVZ_MATRIX__PASSWORD": "first-start"}
    result = run("--config", str(config), "check-config", env=env)
    assert result.returncode == 0, result.stderr
    assert "configuration OK" in result.stdout
    assert "7 organisations, 4 members" in result.stdout


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "matrix: pickle_key is required"),
        (
            {"AVZ_MATRIX__PICKLE_KEY": "x" * 20},
            f"partners.file: file not found: {ROOT / 'config' / 'partners.toml'}",
        ),
    ],
)
def test_bad_config_lists_each_problem_on_its_own_line_without_traceback(
    tmp_path: Path, env: dict[str, str], expected: str
) -> None:
    result = run(
        "--config",
        str(ROOT / "config" / "avz-bot.example.toml"),
        "check-config",
        env=env,
        cwd=tmp_path,
    )
    assert result.returncode == 2
    lines = [line.removeprefix("  - ") for line in result.stderr.strip().splitlines()]
    assert any(line.startswith(expected) for line in lines), result.stderr
    assert "Traceback" not in result.stderr


def test_missing_config_file(tmp_path: Path) -> None:
    result = run("--config", str(tmp_path / "nope.toml"), "run")
    assert result.returncode == 2
    assert (
        result.stderr.strip() == f"avz-bot: configuration file not found: {tmp_path / 'nope.toml'}"
    )
