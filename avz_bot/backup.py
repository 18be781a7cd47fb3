"""``avz-bot backup`` and ``avz-bot restore``: the bot's identity and encryption store.

One encrypted archive holds what a restore needs to bring the bot back with the same
identity: the encrypted cross-signing key file (``cross-signing.json``), the end-to-end
encryption store (``crypto/``, SQLite copied with SQLite's online backup, so the bot may
be running) and the login (``credentials.json``, absent with a configured access token).
Not the database: it has its own backup (README, "Backup and recovery").

Format (version 1): ``AVZBACKUP1\\n``, one JSON header line (``user_id``, ``created``,
``salt``), then a tar archive encrypted with XSalsa20-Poly1305 (libsodium's secretbox,
PyNaCl) under a key derived from the passphrase with scrypt (n=2**15, r=8, p=1) and the
header's random salt. The header is authenticated: it is checked against the decrypted
archive's own copy.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from nacl.exceptions import CryptoError
from nacl.secret import SecretBox
from nacl.utils import random

MAGIC = b"AVZBACKUP1\n"
#: What a restore writes into the data directory (and nothing else).
IDENTITY_FILE = "cross-signing.json"
CREDENTIALS_FILE = "credentials.json"
STORE_DIR = "crypto"
MIN_PASSPHRASE_LENGTH = 16
_HEADER_MEMBER = "avz-backup.json"


class BackupError(Exception):
    """The archive cannot be written or restored; the message says why (one line)."""


@dataclass(frozen=True)
class Restored:
    """What ``restore`` wrote."""

    user_id: str
    created: str
    files: tuple[str, ...]
    new_device: bool


def _box(passphrase: str, salt: bytes) -> SecretBox:
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        raise BackupError(f"the passphrase must be at least {MIN_PASSPHRASE_LENGTH} characters")
    key = hashlib.scrypt(
        passphrase.encode("utf-8"), salt=salt, n=2**15, r=8, p=1, dklen=32, maxmem=2**26
    )
    return SecretBox(key)


def _add_store(tar: tarfile.TarFile, store: Path) -> None:
    """Add ``crypto/``: SQLite files through the online backup API, others as they are."""
    with tempfile.TemporaryDirectory() as tmp:
        for path in sorted(store.iterdir()):
            if path.suffix in {".db-wal", ".db-shm", ".db-journal"} or not path.is_file():
                continue
            if path.suffix == ".db":
                copy = Path(tmp) / path.name
                source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
                target = sqlite3.connect(copy)
                try:
                    source.backup(target)
                finally:
                    source.close()
                    target.close()
                tar.add(copy, arcname=f"{STORE_DIR}/{path.name}")
            else:
                tar.add(path, arcname=f"{STORE_DIR}/{path.name}")


def write_backup(data_dir: Path, user_id: str, passphrase: str, out: Path) -> list[str]:
    """Write the archive of ``data_dir`` to ``out`` (mode 0600); return the files in it.

    Raises ``BackupError`` when there is no identity to back up or ``out`` exists.
    """
    if not (data_dir / IDENTITY_FILE).exists():
        raise BackupError(f"no {IDENTITY_FILE} in {data_dir}; start the bot once first")
    if out.exists():
        raise BackupError(f"{out} already exists")
    salt = random(16)
    header = {
        "version": 1,
        "user_id": user_id,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "salt": salt.hex(),
    }
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        info = tarfile.TarInfo(_HEADER_MEMBER)
        raw = json.dumps(header).encode()
        info.size = len(raw)
        tar.addfile(info, io.BytesIO(raw))
        for name in (IDENTITY_FILE, CREDENTIALS_FILE):
            if (data_dir / name).exists():
                tar.add(data_dir / name, arcname=name)
        if (data_dir / STORE_DIR).is_dir():
            _add_store(tar, data_dir / STORE_DIR)
        names = [m.name for m in tar.getmembers() if m.name != _HEADER_MEMBER]
    sealed = _box(passphrase, salt).encrypt(buffer.getvalue())
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(MAGIC + json.dumps(header).encode() + b"\n" + bytes(sealed))
    return names


def _open(archive: Path, passphrase: str) -> tuple[dict[str, Any], bytes]:
    """(header, the decrypted tar archive); ``BackupError`` if either is not right."""
    try:
        raw = archive.read_bytes()
    except OSError as exc:
        raise BackupError(f"cannot read {archive}: {exc.strerror}") from None
    if not raw.startswith(MAGIC):
        raise BackupError(f"{archive} is not an avz-bot backup")
    header_line, _, sealed = raw[len(MAGIC) :].partition(b"\n")
    try:
        header = json.loads(header_line)
        salt = bytes.fromhex(header["salt"])
    except (ValueError, KeyError, TypeError):
        raise BackupError(f"{archive} has a damaged header") from None
    try:
        plain = _box(passphrase, salt).decrypt(sealed)
    except CryptoError:
        raise BackupError("wrong passphrase, or the archive was changed") from None
    with tarfile.open(fileobj=io.BytesIO(plain), mode="r") as tar:
        member = tar.extractfile(_HEADER_MEMBER)
        if member is None or json.loads(member.read()) != header:
            raise BackupError(f"{archive} has a header that does not match its contents")
    return header, bytes(plain)


def _allowed(name: str) -> bool:
    """Only the known files and plain files directly under ``crypto/``."""
    if name in {IDENTITY_FILE, CREDENTIALS_FILE}:
        return True
    parts = name.split("/")
    return len(parts) == 2 and parts[0] == STORE_DIR and parts[1] not in {"", ".", ".."}


def restore_backup(
    archive: Path, data_dir: Path, user_id: str, passphrase: str, *, new_device: bool = False
) -> Restored:
    """Restore ``archive`` into ``data_dir``, which must hold no identity or store yet.

    ``new_device``: restore only the cross-signing keys; the next start logs in as a new
    device, signed with the same keys (for when the old device was deleted on the
    homeserver). Raises ``BackupError``; writes nothing unless everything checks out.
    """
    present = [n for n in (IDENTITY_FILE, CREDENTIALS_FILE, STORE_DIR) if (data_dir / n).exists()]
    if present:
        raise BackupError(
            f"{data_dir} already holds {', '.join(present)}; restore into a fresh data "
            "directory (move the old one aside)"
        )
    header, plain = _open(archive, passphrase)
    if header.get("user_id") != user_id:
        raise BackupError(f"the archive belongs to {header.get('user_id')}, not {user_id}")
    with tarfile.open(fileobj=io.BytesIO(plain), mode="r") as tar:
        names = _extract(tar, data_dir, new_device, archive)
    return Restored(
        user_id=user_id, created=str(header.get("created")), files=names, new_device=new_device
    )


def _extract(
    tar: tarfile.TarFile, data_dir: Path, new_device: bool, archive: Path
) -> tuple[str, ...]:
    """Write the archive's files through a staging directory (0700/0600); their names."""
    members = [m for m in tar.getmembers() if m.name != _HEADER_MEMBER]
    if not all(m.isfile() and _allowed(m.name) for m in members):
        raise BackupError(f"{archive} holds unexpected entries; nothing restored")
    if new_device:
        members = [m for m in members if m.name == IDENTITY_FILE]
    data_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=data_dir))
    try:
        os.chmod(staging, 0o700)
        for member in members:
            source = tar.extractfile(member)
            assert source is not None  # a regular file (checked above)
            target = staging / member.name
            target.parent.mkdir(mode=0o700, exist_ok=True)
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                shutil.copyfileobj(source, handle)
        for entry in sorted(staging.iterdir()):
            os.replace(entry, data_dir / entry.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return tuple(m.name for m in members)
