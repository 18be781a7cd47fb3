"""The backup archive: what goes in, what a restore writes, and what it refuses."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import tarfile
from pathlib import Path

import pytest

from avz_bot.backup import MAGIC, BackupError, _box, restore_backup, write_backup

USER = "@avz-bot:example.nl"
PASS = "a passphrase of some length"


def _data_dir(base: Path) -> Path:
    data = base / "data"
    (data / "crypto").mkdir(parents=True)
    (data / "cross-signing.json").write_text('{"master_public": "M"}', encoding="utf-8")
    (data / "credentials.json").write_text('{"device_id": "D"}', encoding="utf-8")
    db = sqlite3.connect(data / "crypto" / "store.db")
    db.execute("create table accounts (pickle text)")
    db.execute("insert into accounts values ('olm')")
    db.commit()
    db.close()
    (data / "avz-bot.sqlite3").write_text("the database", encoding="utf-8")
    return data


def test_round_trip_restores_identity_store_and_login_but_not_the_database(
    tmp_path: Path,
) -> None:
    archive = tmp_path / "b.avz"
    names = write_backup(_data_dir(tmp_path), USER, PASS, archive)
    assert sorted(names) == ["credentials.json", "cross-signing.json", "crypto/store.db"]
    assert archive.stat().st_mode & 0o777 == 0o600
    assert b"olm" not in archive.read_bytes()  # encrypted
    fresh = tmp_path / "fresh"
    restored = restore_backup(archive, fresh, USER, PASS)
    assert set(restored.files) == set(names)
    assert not (fresh / "avz-bot.sqlite3").exists()
    rows = sqlite3.connect(fresh / "crypto" / "store.db").execute("select * from accounts")
    assert list(rows) == [("olm",)]
    assert (fresh / "cross-signing.json").stat().st_mode & 0o777 == 0o600
    assert (fresh / "crypto").stat().st_mode & 0o777 == 0o700
    assert not [p for p in fresh.iterdir() if p.name.startswith(".restore-")]


def test_new_device_restores_only_the_cross_signing_keys(tmp_path: Path) -> None:
    archive = tmp_path / "b.avz"
    write_backup(_data_dir(tmp_path), USER, PASS, archive)
    restored = restore_backup(archive, tmp_path / "fresh", USER, PASS, new_device=True)
    assert restored.files == ("cross-signing.json",)
    assert sorted(p.name for p in (tmp_path / "fresh").iterdir()) == ["cross-signing.json"]


@pytest.mark.parametrize(
    ("passphrase", "user", "message"),
    [
        ("another passphrase, long", USER, "wrong passphrase"),
        ("short", USER, "at least 16"),
        (PASS, "@other:example.nl", "belongs to @avz-bot"),
    ],
)
def test_refusals_write_nothing(tmp_path: Path, passphrase: str, user: str, message: str) -> None:
    archive = tmp_path / "b.avz"
    write_backup(_data_dir(tmp_path), USER, PASS, archive)
    with pytest.raises(BackupError, match=message):
        restore_backup(archive, tmp_path / "fresh", user, passphrase)
    assert not (tmp_path / "fresh").exists()


def test_never_over_an_existing_identity_or_store(tmp_path: Path) -> None:
    data = _data_dir(tmp_path)
    archive = tmp_path / "b.avz"
    write_backup(data, USER, PASS, archive)
    with pytest.raises(BackupError, match="fresh data directory"):
        restore_backup(archive, data, USER, PASS)
    with pytest.raises(BackupError, match="already exists"):
        write_backup(data, USER, PASS, archive)
    with pytest.raises(BackupError, match="start the bot once"):
        write_backup(tmp_path / "empty", USER, PASS, tmp_path / "other.avz")


def test_a_changed_archive_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "b.avz"
    write_backup(_data_dir(tmp_path), USER, PASS, archive)
    raw = bytearray(archive.read_bytes())
    raw[-5] ^= 0x01
    archive.write_bytes(bytes(raw))
    with pytest.raises(BackupError, match="changed"):
        restore_backup(archive, tmp_path / "fresh", USER, PASS)
    archive.write_bytes(b"not a backup")
    with pytest.raises(BackupError, match="not an avz-bot backup"):
        restore_backup(archive, tmp_path / "fresh", USER, PASS)


@pytest.mark.parametrize(
    "name", ["../escape", "crypto/../../escape", "/etc/passwd", "crypto/sub/x", "other.json"]
)
def test_entries_outside_the_known_files_are_refused(tmp_path: Path, name: str) -> None:
    """An archive made with the right passphrase but holding a path outside the data
    directory (or any unknown file) restores nothing."""
    header = {"version": 1, "user_id": USER, "created": "x", "salt": os.urandom(16).hex()}
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for member, data in (("avz-backup.json", json.dumps(header).encode()), (name, b"x")):
            info = tarfile.TarInfo(member)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    sealed = _box(PASS, bytes.fromhex(header["salt"])).encrypt(buffer.getvalue())
    archive = tmp_path / "evil.avz"
    archive.write_bytes(MAGIC + json.dumps(header).encode() + b"\n" + bytes(sealed))
    with pytest.raises(BackupError, match="unexpected entries"):
        restore_backup(archive, tmp_path / "fresh", USER, PASS)
    assert not (tmp_path / "escape").exists()
