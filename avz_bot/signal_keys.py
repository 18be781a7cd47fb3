"""``avz-bot signals rotate-key``: the pseudonym-key rotation procedure, a fresh secret
for the next key version, and how many stored pseudonyms still use each version."""

from __future__ import annotations

import argparse
import os
import secrets
from pathlib import Path

from avz_bot.settings import Settings

PROCEDURE = """\
Rotating the signal pseudonym key (README, "Signals and TVO triage"):
  1. Add the new version's secret, keeping every old one:
       AVZ_SIGNALS__KEYS__{next_upper}=<secret>   or a line "{next}=<secret>" in signals.keys_file
  2. Set signals.current_key = "{next}" and restart the bot. New signals get {next}:
     pseudonyms; old ones still match (matching tries every version in force).
  3. Run `avz-bot signals rotate-key --status` now and then. When an old version has no
     stored pseudonyms left (at the latest after the active plus archive period), remove
     its secret. Stored pseudonyms cannot be re-keyed: the identifiers are not kept.
"""


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``signals rotate-key [--status] [--append-to FILE]``."""
    signals = sub.add_parser("signals", help="signals: pseudonym keys")
    signals_sub = signals.add_subparsers(dest="signals_command", required=True, metavar="ACTION")
    rotate = signals_sub.add_parser(
        "rotate-key", help="print the key rotation procedure and a new secret for the next version"
    )
    rotate.add_argument(
        "--status", action="store_true", help="count stored pseudonyms per key version"
    )
    rotate.add_argument(
        "--append-to",
        metavar="FILE",
        help="append the new version's secret to this keys file (mode 0600) instead of printing it",
    )


def next_version(versions: list[str]) -> str:
    """The version after the highest one in force (``v1`` when there is none)."""
    numbers = [int(v[1:]) for v in versions]
    return f"v{max(numbers, default=0) + 1}"


async def run(settings: Settings, status: bool, append_to: str | None) -> int:
    """Print the procedure (and a new secret, or append it to a file), or the status."""
    versions = sorted(settings.signals.keys, key=lambda v: int(v[1:]))
    print(
        f"key versions in force: {', '.join(versions) or '(none)'}; "
        f"current: {settings.signals.current_key if versions else '(none)'}"
    )
    if status:
        from storage.db import Database
        from storage.signal_repositories import SignalRepository

        database = Database(settings.database_url)
        try:
            async with database.session() as session:
                counts = await SignalRepository(session).count_by_key_version()
        finally:
            await database.dispose()
        for version in sorted(set(counts) | set(versions), key=lambda v: int(v[1:])):
            note = "" if version in versions else "  (NOT in force: these no longer match)"
            print(f"{version}: {counts.get(version, 0)} stored pseudonyms{note}")
        return 0
    upcoming = next_version(versions)
    print(PROCEDURE.format(next=upcoming, next_upper=upcoming.upper()))
    secret = secrets.token_hex(32)
    if append_to:
        path = Path(append_to)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(descriptor, "a", encoding="utf-8") as handle:
            handle.write(f"{upcoming}={secret}\n")
        print(f"appended a new secret for {upcoming} to {path}")
    else:
        print(f"new secret for {upcoming} (store it like a password):\n{secret}")
    return 0
