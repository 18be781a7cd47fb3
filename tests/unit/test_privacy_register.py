"""``avz-bot privacy register`` and ``avz-bot privacy verify-log``, run as real processes."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from avz_bot.privacy_register import TABLES
from storage.base import Base

ROOT = Path(__file__).resolve().parents[2]
CONFIG = """
[matrix]
homeserver = "https://matrix.example.nl"
user_id = "@avz-bot:example.nl"
[storage]
data_dir = "{data}"
[partners]
file = "{partners}"
[signals]
keys_file = "{keys}"
current_key = "v1"
active_years = 3
"""
PARTNERS = """
[[organisations]]
code = "politie"
name = "Politie Noord-Nederland"
domain = "veiligheid"

[[members]]
matrix_id = "@p:example.nl"
display_name = "P"
organisation = "politie"
roles = ["privacy"]
"""


def run(*args: str, tmp: Path) -> subprocess.CompletedProcess[str]:
    keys = tmp / "keys"
    keys.write_text("v1=" + "a" * 64 + "\n")
    partners = tmp / "partners.toml"
    partners.write_text(PARTNERS)
    config = tmp / "avz.toml"
    config.write_text(CONFIG.format(data=tmp / "data", keys=keys, partners=partners))
    env = {k: v for k, v in os.environ.items() if not k.startswith("AVZ_")}
    env["AVZ_MATRIX__PICKLE_KEY"] = "x" * 20
    return subprocess.run(
        [sys.executable, "-m", "avz_bot", "--config", str(config), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )


def test_every_table_is_described() -> None:
    assert sorted(t.name for t in Base.metadata.sorted_tables if t.name not in TABLES) == []


def test_register_is_generated_from_config_and_schema(tmp_path: Path) -> None:
    result = run("privacy", "register", "--out", str(tmp_path / "out"), tmp=tmp_path)
    assert result.returncode == 0, result.stderr
    entry = json.loads((tmp_path / "out" / "verwerkingsregister.json").read_text())
    assert entry["verwerkingsverantwoordelijken"][0]["code"] == "politie"
    assert entry["contactpunt_privacy"] == ["politie"]
    assert entry["bewaartermijnen"]["signalen"].startswith("3 jaar actief")
    assert entry["sleutels"]["pseudoniemsleutels (HMAC)"] == ["v1"]
    assert set(entry["tabellen"]) == {t.name for t in Base.metadata.sorted_tables}
    markdown = (tmp_path / "out" / "verwerkingsregister.md").read_text()
    assert "| signals |" in markdown and "a" * 64 not in markdown  # no secret


def test_verify_log_finds_a_tampered_entry(tmp_path: Path) -> None:
    assert run("db", "upgrade", tmp=tmp_path).returncode == 0
    intact = run("privacy", "verify-log", tmp=tmp_path)
    assert intact.returncode == 0 and "intact: 0 entries" in intact.stdout
    database = tmp_path / "data" / "avz-bot.sqlite3"
    candidates = list((tmp_path / "data").glob("*.sqlite3")) or [database]
    with sqlite3.connect(candidates[0]) as db:
        for seq in (1, 2, 3):
            prev = "0" * 64 if seq == 1 else f"{seq - 1:064x}"
            db.execute(
                "INSERT INTO access_log (seq, occurred_at, reader, command, prev_hash, hash) "
                "VALUES (?, '2026-01-01 00:00:00.000000', '@a:x', 'casus', ?, ?)",
                (seq, prev, f"{seq:064x}"),
            )
        db.execute("UPDATE access_log_head SET seq = 3, hash = ?", (f"{3:064x}",))
    broken = run("privacy", "verify-log", tmp=tmp_path)
    assert broken.returncode == 3 and "BROKEN at entry 1" in broken.stdout
