"""Private by default: the data directory and the secret files are for the bot alone.

The data directory holds the encryption store, the bot's credentials and cross-signing
keys and (by default) the SQLite database with case data. The command line sets the
process umask to :data:`PRIVATE_UMASK` before anything is created, so whatever the
operator's umask, new directories are 0700 and new files 0600. A data directory from
before (or copied in by hand) is checked at start: :func:`exposures` lists what other
users can reach, and the bot refuses to start until it is fixed.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

#: No access for group and others on anything the bot creates.
PRIVATE_UMASK = 0o077

#: Show at most this many paths in the refusal (the fix covers them all).
MAX_LISTED = 10


class NotPrivateError(Exception):
    """Files the bot keeps secret are open to other users; the message names them and
    the command that fixes them."""


def make_private_dir(path: Path) -> None:
    """Create ``path`` (and missing parents) as 0700 if it does not exist yet.

    An existing directory is left as it is: :func:`exposures` reports it if it is open.
    """
    if path.exists():
        return
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path, 0o700)  # mkdir's mode is filtered through the umask


def _mode(path: Path) -> int | None:
    try:
        return stat.S_IMODE(path.lstat().st_mode)
    except FileNotFoundError:
        return None


def exposures(data_dir: Path, secret_files: Iterable[Path]) -> list[str]:
    """Everything other users may read: ``"<path> (mode 0755)"`` per offender.

    The data directory counts when it grants group or others any access; then so does
    everything under it with such bits (symlinks not followed), so that one ``chmod -R``
    fixes all that is listed. Behind a 0700 directory the modes of the files inside do
    not matter (nobody else can reach them); the bot creates them 0600 anyway. A secret
    file named in the configuration (password, pickle key, signal keys) may be
    group-readable (root-owned, group of the bot) but not readable by others.
    """
    found: list[str] = []
    mode = _mode(data_dir)
    if mode is not None and mode & 0o077:
        found.append(f"{data_dir} (mode {mode:04o})")
        for root, dirs, files in os.walk(data_dir):
            for name in sorted(dirs) + sorted(files):
                path = Path(root) / name
                entry = _mode(path)
                if entry is not None and entry & 0o077 and not path.is_symlink():
                    found.append(f"{path} (mode {entry:04o})")
    for secret in secret_files:
        entry = _mode(secret)
        if entry is not None and entry & 0o007:
            found.append(f"{secret} (mode {entry:04o})")
    return found


def ensure_private(data_dir: Path, secret_files: Iterable[Path]) -> None:
    """Raise :class:`NotPrivateError` if :func:`exposures` finds anything."""
    secrets = list(secret_files)
    found = exposures(data_dir, secrets)
    if not found:
        return
    listed = ", ".join(found[:MAX_LISTED])
    more = f" and {len(found) - MAX_LISTED} more" if len(found) > MAX_LISTED else ""
    fix = f"chmod -R go-rwx {data_dir}"
    if any(str(secret) in item for secret in secrets for item in found):
        fix += " and chmod o-rwx on the secret files"
    raise NotPrivateError(
        f"refusing to start: readable by other users: {listed}{more}. "
        f"They hold case data and keys; fix with: {fix}"
    )
