"""Benchmark: a TVO morning under Synapse's default rate limits (wall-clock).

Starts a throwaway Synapse that keeps its default ``rc_room_creation``, ``rc_invites``,
``rc_message`` and ``rc_joins`` for the bot, runs the scenario of
``avz_bot.testkit.tvo_morning`` (15 cases opened in two minutes by three requesters,
each room inviting the GGZ member) with the bot as deployed (``avz-bot run``), and
reports how long until the last case room was ready (its invitation arrived), counted
from the first command. The figure is bounded below by the homeserver, not the bot:
after a burst of 10, one room per 62.5 s.

    .venv/bin/python bench/tvo_morning.py [--json FILE]

Wall-clock on purpose: the wait is the homeserver's rate limit, not CPU.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from avz_bot.testkit.synapse import SynapseServer  # noqa: E402
from avz_bot.testkit.tvo_morning import CASES, DEFAULT_LIMITS, run_tvo_morning  # noqa: E402


async def measure() -> dict[str, float | int | None]:
    with tempfile.TemporaryDirectory(prefix="avz-bench-tvo-") as tmp:
        base = Path(tmp)
        synapse = SynapseServer(base / "synapse", default_limits=DEFAULT_LIMITS)
        await synapse.start()
        try:
            morning = await run_tvo_morning(synapse, base / "run")
        finally:
            await synapse.stop()
    figures = {
        "cases": CASES,
        "opening_seconds": round(morning.opening_seconds, 1),
        "last_room_ready_seconds": round(morning.last_room_seconds, 1),
        "rooms_created": sum(morning.rooms_by_name.values()),
        "requesters_told_room_follows": len(morning.notices),
        "bot_exit_code": morning.bot_exit_code,
    }
    print(
        f"TVO morning: {CASES} cases opened in {figures['opening_seconds']}s; the last room "
        f"was ready after {figures['last_room_ready_seconds']}s (wall clock); "
        f"{figures['rooms_created']} rooms; {figures['requesters_told_room_follows']} "
        "requesters told their room follows"
    )
    return figures


def main(json_out: Path | None) -> int:
    figures = asyncio.run(measure())
    if json_out is not None:
        json_out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    ok = figures["rooms_created"] == CASES and figures["bot_exit_code"] == 0
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    sys.exit(main(parser.parse_args().json))
