"""``avz-bot backup --out FILE`` and ``avz-bot restore FILE [--new-device]``.

The passphrase comes from ``AVZ_BACKUP_PASSPHRASE`` or ``--passphrase-file`` (never the
command line, where other users of the host could read it). See ``avz_bot.backup``.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from avz_bot.backup import BackupError, restore_backup, write_backup
from avz_bot.lock import InstanceLock
from avz_bot.settings import Settings

COMMANDS = frozenset({"backup", "restore"})
PASSPHRASE_ENV = "AVZ_BACKUP_PASSPHRASE"


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``backup --out FILE`` and ``restore FILE [--new-device]``."""
    backup = sub.add_parser(
        "backup",
        help="write the identity, encryption store and login to one encrypted archive",
    )
    backup.add_argument("--out", required=True, type=Path, metavar="FILE", help="the archive")
    restore = sub.add_parser(
        "restore", help="restore an archive into a fresh data directory (bot stopped)"
    )
    restore.add_argument("archive", type=Path, metavar="FILE")
    restore.add_argument(
        "--new-device",
        action="store_true",
        help="restore only the cross-signing keys: the bot starts as a new, signed device "
        "(when the old device was deleted on the homeserver)",
    )
    for parser in (backup, restore):
        parser.add_argument(
            "--passphrase-file",
            type=Path,
            metavar="FILE",
            help=f"file with the passphrase (default: ${PASSPHRASE_ENV})",
        )


def _passphrase(path: Path | None) -> str:
    if path is not None:
        try:
            return path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise BackupError(f"cannot read {path}: {exc.strerror}") from None
    value = os.environ.get(PASSPHRASE_ENV)
    if not value:
        raise BackupError(f"set {PASSPHRASE_ENV} or --passphrase-file")
    return value


async def run(settings: Settings, args: argparse.Namespace) -> int:
    """Run ``backup`` or ``restore``; exit code 0, or 1 with one line on stderr."""
    data_dir = settings.storage.data_dir
    user_id = settings.matrix.user_id
    try:
        passphrase = _passphrase(args.passphrase_file)
        if args.command == "backup":
            names = write_backup(data_dir, user_id, passphrase, args.out)
            print(f"backup of {user_id} written to {args.out} ({len(names)} files)")
            return 0
        with InstanceLock(data_dir):
            restored = restore_backup(
                args.archive, data_dir, user_id, passphrase, new_device=args.new_device
            )
    except BackupError as exc:
        import sys

        print(f"avz-bot: {exc}", file=sys.stderr)
        return 1
    what = (
        "cross-signing keys only (new device at next start)"
        if restored.new_device
        else ("identity, encryption store and login")
    )
    print(f"restored {what} of {user_id} from the backup of {restored.created} into {data_dir}")
    return 0
