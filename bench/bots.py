"""The two bots of the benchmark, each run as its own process by ``bench/run.py``.

    python bench/bots.py avz  CONFIG.json   the real avz-bot (Application, as in production)
    python bench/bots.py echo CONFIG.json   a bare matrix-nio echo bot: the floor

Each prints ``ready`` on stdout once it syncs and runs until SIGTERM. With
``AVZ_BENCH_PROFILE=FILE``, SIGUSR1/SIGUSR2 switch cProfile on/off and the stats are
written to FILE at exit.
"""

from __future__ import annotations

import asyncio
import cProfile
import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

from nio import AsyncClient, AsyncClientConfig, InviteMemberEvent, MatrixRoom, RoomMessageText

from avz_bot.logs import get_logger

log = get_logger("bench.echo")


class EchoBot:
    """The smallest useful encrypted nio bot: answers ``!echo`` with a rich reply ``echo``.

    It answers the way avz-bot does (an ``m.notice`` that is a rich reply to the command),
    so the partner recognises both answers alike. A failure inside a callback is logged
    and the bot goes on: nio's ``sync_forever`` would otherwise die silently with it.
    """

    def __init__(self, url: str, user_id: str, password: str, store: Path) -> None:
        store.mkdir(parents=True, exist_ok=True)
        self.password = password
        self.client = AsyncClient(
            url,
            user_id,
            store_path=str(store),
            config=AsyncClientConfig(encryption_enabled=True, pickle_key="bench-echo-pickle-key"),
        )

    async def run(self, stop: asyncio.Event, sync_timeout_ms: int) -> None:
        await self.client.login(self.password)
        self.client.add_event_callback(self._on_message, RoomMessageText)  # type: ignore[arg-type]
        self.client.add_event_callback(self._on_invite, InviteMemberEvent)  # type: ignore[arg-type]
        await self.client.sync(timeout=0, full_state=True)
        print("ready", flush=True)
        task = asyncio.create_task(self.client.sync_forever(timeout=sync_timeout_ms))
        await stop.wait()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await self.client.close()

    async def _on_invite(self, room: MatrixRoom, event: InviteMemberEvent) -> None:
        if event.state_key == self.client.user_id:
            await self.client.join(room.room_id)

    async def _on_message(self, room: MatrixRoom, event: RoomMessageText) -> None:
        if event.sender == self.client.user_id or not event.body.startswith("!echo"):
            return
        try:
            await self.client.room_send(
                room.room_id,
                "m.room.message",
                {
                    "msgtype": "m.notice",
                    "body": "echo",
                    "m.relates_to": {"m.in_reply_to": {"event_id": event.event_id}},
                },
                ignore_unverified_devices=True,
            )
        except Exception as exc:  # a benchmark bot must keep answering
            log.error("echo failed", extra={"error_type": type(exc).__name__})


def _count_statements(path: str) -> None:
    """Count the SQL statements the bot runs, by their first words (written at exit)."""
    import atexit
    from collections import Counter

    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    counts: Counter[str] = Counter()

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        counts[" ".join(statement.split())[:90]] += 1

    event.listen(Engine, "before_cursor_execute", count)
    atexit.register(lambda: Path(path).write_text(json.dumps(counts.most_common(), indent=1)))


async def run_avz(config: dict[str, Any], stop: asyncio.Event) -> None:
    from avz_bot.testkit.bot import bot_settings, start_bot

    if os.environ.get("AVZ_BENCH_SQL_COUNTS"):
        _count_statements(os.environ["AVZ_BENCH_SQL_COUNTS"])

    settings = bot_settings(
        homeserver=config["homeserver"],
        user_id=config["user_id"],
        password=config["password"],
        data_dir=Path(config["data_dir"]),
        partners_file=Path(config["partners_file"]),
        allowed_servers=[config["server_name"]],
        database_url=config.get("database_url", ""),
        sync_timeout_ms=config["sync_timeout_ms"],
    )
    running = await start_bot(settings)
    print("ready", flush=True)
    await stop.wait()
    await running.stop()


async def main_async(
    kind: str, config: dict[str, Any], profiler: cProfile.Profile | None = None
) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    if profiler is not None:
        # Only the measured rounds are profiled: the orchestrator switches it on and off.
        loop.add_signal_handler(signal.SIGUSR1, profiler.enable)
        loop.add_signal_handler(signal.SIGUSR2, profiler.disable)
    if kind == "avz":
        await run_avz(config, stop)
    else:
        echo = EchoBot(
            config["homeserver"], config["user_id"], config["password"], Path(config["data_dir"])
        )
        await echo.run(stop, config["sync_timeout_ms"])


def main() -> int:
    kind, config_path = sys.argv[1], Path(sys.argv[2])
    config = json.loads(config_path.read_text())
    from avz_bot.logs import configure_logging

    configure_logging("ERROR", "text")
    profile_to = os.environ.get("AVZ_BENCH_PROFILE")
    if not profile_to:
        asyncio.run(main_async(kind, config))
        return 0
    profiler = cProfile.Profile(time.thread_time)  # CPU of the event loop, not wall time
    try:
        asyncio.run(main_async(kind, config, profiler))
    finally:
        profiler.disable()
        profiler.dump_stats(profile_to)
    return 0


if __name__ == "__main__":
    sys.exit(main())
