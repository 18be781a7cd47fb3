"""Benchmark: round trip of ``!ping`` through avz-bot versus a bare nio echo bot.

Both bots run in one process against one local Synapse, in one encrypted room, with
the same partner client. The echo bot is the floor any matrix-nio bot can reach (sync,
decrypt, encrypt, send); the difference is what avz-bot adds (parsing, authorisation,
the exactly-once transaction and the outbox).

    python3 dev.py bench [--rounds N] [--json FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from nio import AsyncClient, AsyncClientConfig, InviteMemberEvent, MatrixRoom, RoomMessageText

from avz_bot.logs import configure_logging
from avz_bot.testkit.bot import bot_settings, start_bot
from avz_bot.testkit.partner import PartnerClient
from avz_bot.testkit.synapse import SynapseServer

SERVER = "avz.bench"
PARTNERS = """
[[organisations]]
code = "politie"
name = "Politie"
domain = "veiligheid"

[[members]]
matrix_id = "@partner:avz.bench"
display_name = "Partner"
organisation = "politie"
"""


class EchoBot:
    """The smallest useful encrypted nio bot: answers ``!echo`` with ``echo``."""

    def __init__(self, url: str, user_id: str, password: str, store: Path) -> None:
        store.mkdir(parents=True, exist_ok=True)
        self.password = password
        self.client = AsyncClient(
            url,
            user_id,
            store_path=str(store),
            config=AsyncClientConfig(encryption_enabled=True, pickle_key="bench-echo-pickle-key"),
        )
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.client.login(self.password)
        self.client.add_event_callback(self._on_message, RoomMessageText)
        self.client.add_event_callback(self._on_invite, InviteMemberEvent)
        await self.client.sync(timeout=0, full_state=True)
        self.task = asyncio.create_task(self.client.sync_forever(timeout=5000))

    async def _on_invite(self, room: MatrixRoom, event: object) -> None:
        await self.client.join(room.room_id)

    async def _on_message(self, room: MatrixRoom, event: RoomMessageText) -> None:
        if event.sender == self.client.user_id or not event.body.startswith("!echo"):
            return
        await self.client.room_send(
            room.room_id,
            "m.room.message",
            {"msgtype": "m.notice", "body": "echo"},
            ignore_unverified_devices=True,
        )

    async def stop(self) -> None:
        if self.task:
            self.task.cancel()
        await self.client.close()


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


async def bench(rounds: int) -> dict[str, object]:
    base = Path(tempfile.mkdtemp(prefix="avz-bench-"))
    synapse = SynapseServer(base / "synapse", server_name=SERVER)
    await synapse.start()
    running = None
    echo: EchoBot | None = None
    partner: PartnerClient | None = None
    try:
        bot_id = await synapse.register_user("avz-bot", "bot-pass")
        echo_id = await synapse.register_user("echo", "echo-pass")
        partner_id = await synapse.register_user("partner", "partner-pass")
        for user in (bot_id, echo_id, partner_id):
            await synapse.override_ratelimit(user)
        (base / "partners.toml").write_text(PARTNERS)
        settings = bot_settings(
            homeserver=synapse.url,
            user_id=bot_id,
            password="bot-pass",
            data_dir=base / "bot",
            partners_file=base / "partners.toml",
            allowed_servers=[SERVER],
            sync_timeout_ms=30_000,
        )
        running = await start_bot(settings)
        echo = EchoBot(synapse.url, echo_id, "echo-pass", base / "echo")
        await echo.start()
        partner = await PartnerClient.create(
            synapse.url, partner_id, "partner-pass", base / "partner"
        )
        room = await partner.create_encrypted_room(name="bench", invite=[bot_id, echo_id])
        await partner.wait_for_join(room, bot_id, timeout=60)
        await partner.wait_for_join(room, echo_id, timeout=60)
        # Warm-up: key sharing and first-message costs are not what we measure.
        for _ in range(3):
            await partner.send_and_wait(room, "!ping", reply_from=bot_id, timeout=60)
            await partner.send_and_wait(room, "!echo", reply_from=echo_id, timeout=60)
        ping: list[float] = []
        floor: list[float] = []
        for _ in range(rounds):
            started = time.perf_counter()
            await partner.send_and_wait(room, "!ping", reply_from=bot_id, timeout=60)
            ping.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            await partner.send_and_wait(room, "!echo", reply_from=echo_id, timeout=60)
            floor.append((time.perf_counter() - started) * 1000)
        result: dict[str, object] = {
            "rounds": rounds,
            "avz_ping_ms": {
                "p50": _pct(ping, 0.5),
                "p90": _pct(ping, 0.9),
                "mean": statistics.fmean(ping),
            },
            "nio_echo_ms": {
                "p50": _pct(floor, 0.5),
                "p90": _pct(floor, 0.9),
                "mean": statistics.fmean(floor),
            },
        }
        result["ratio_p50"] = _pct(ping, 0.5) / _pct(floor, 0.5)
        result["ratio_p90"] = _pct(ping, 0.9) / _pct(floor, 0.9)
        return result
    finally:
        if partner:
            await partner.close()
        if echo:
            await echo.stop()
        if running:
            await running.stop()
        await synapse.stop()
        shutil.rmtree(base, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    # Library warnings (e.g. about devices without sessions) would drown the figures.
    configure_logging("ERROR", "text")
    result = asyncio.run(bench(args.rounds))
    a, e = result["avz_ping_ms"], result["nio_echo_ms"]
    assert isinstance(a, dict) and isinstance(e, dict)
    print(f"rounds: {args.rounds} (after 3 warm-up rounds each)")
    print(f"avz-bot !ping   p50 {a['p50']:7.1f} ms   p90 {a['p90']:7.1f} ms")
    print(f"nio echo bot    p50 {e['p50']:7.1f} ms   p90 {e['p90']:7.1f} ms")
    print(f"ratio           p50 {result['ratio_p50']:7.2f}      p90 {result['ratio_p90']:7.2f}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
