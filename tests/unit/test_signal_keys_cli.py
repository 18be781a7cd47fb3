"""``avz-bot signals rotate-key``, run as a real process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONFIG = """
[matrix]
homeserver = "https://matrix.example.nl"
user_id = "@avz-bot:example.nl"
[storage]
data_dir = "{data}"
[signals]
keys_file = "{keys}"
current_key = "v1"
"""


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("AVZ_")}
    base.update(env)
    return subprocess.run(
        [sys.executable, "-m", "avz_bot", *args],
        capture_output=True,
        text=True,
        env=base,
        cwd=ROOT,
        timeout=60,
    )


def test_rotate_key_prints_procedure_and_appends_the_next_version(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    keys.write_text("v1=" + "a" * 64 + "\n")
    config = tmp_path / "avz.toml"
    config.write_text(CONFIG.format(data=tmp_path / "data", keys=keys))
    env = {"AVZ_MATRIX__PICKLE_KEY": "x" * 20}
    result = run(
        "--config", str(config), "signals", "rotate-key", "--append-to", str(keys), env=env
    )
    assert result.returncode == 0, result.stderr
    assert "current: v1" in result.stdout and 'signals.current_key = "v2"' in result.stdout
    lines = keys.read_text().splitlines()
    assert lines[1].startswith("v2=") and len(lines[1]) == 3 + 64
    assert lines[1][3:] not in result.stdout  # the secret went to the file only
    upgrade = run("--config", str(config), "db", "upgrade", env=env)
    assert upgrade.returncode == 0, upgrade.stderr
    status = run("--config", str(config), "signals", "rotate-key", "--status", env=env)
    assert status.returncode == 0, status.stderr
    assert "v1: 0 stored pseudonyms" in status.stdout and "v2: 0" in status.stdout
