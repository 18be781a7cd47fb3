"""``avz-bot privacy verify-log``: check the access log's hash chain from its first entry
and report the first broken link (exit code 0 whole, 3 broken). ``avz-bot privacy
register --out DIR``: the processing register (``avz_bot.privacy_register``)."""

from __future__ import annotations

import argparse
from pathlib import Path

from avz_bot.settings import Settings

#: Exit code when the chain is broken (distinct from 1 errors and 2 usage).
BROKEN = 3

REASONS = {
    "hash": "its content does not match its hash (changed)",
    "link": "it does not point at the previous entry's hash (changed or inserted)",
    "gap": "entries before it are missing (removed)",
    "head": "the log ends before the recorded last entry (entries removed at the end)",
}


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``privacy verify-log`` and ``privacy register --out DIR``."""
    privacy = sub.add_parser("privacy", help="privacy officer tools: the access log")
    privacy_sub = privacy.add_subparsers(dest="privacy_command", required=True, metavar="ACTION")
    privacy_sub.add_parser(
        "verify-log", help="check the access log's hash chain; report the first broken link"
    )
    reg = privacy_sub.add_parser(
        "register",
        help="write the processing register and data flows (Markdown and JSON) from the config",
    )
    reg.add_argument("--out", required=True, type=Path, metavar="DIR", help="output directory")


async def run(settings: Settings, action: str, out: Path | None = None) -> int:
    """Run ``privacy <action>``."""
    if action == "register":
        from avz_bot.privacy_register import write

        assert out is not None
        for path in write(settings, out):
            print(f"written: {path}")
        return 0
    from avz_bot.services.access_log import verify
    from storage.db import Database

    database = Database(settings.database_url)
    try:
        async with database.session() as session:
            outcome = await verify(session)
    finally:
        await database.dispose()
    if outcome.broken is None:
        print(f"access log intact: {outcome.checked} entries, chain head at {outcome.head_seq}")
        return 0
    broken = outcome.broken
    print(
        f"access log BROKEN at entry {broken.seq}: {REASONS[broken.reason]}; "
        f"{outcome.checked} entries before it are intact"
    )
    return BROKEN
