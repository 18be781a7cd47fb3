"""Benchmark: the core's share of a command, in-process, without Matrix.

    python3 dev.py bench core [--commands 300] [--database sqlite|postgresql|both]

Runs ``!ping`` from a registered member through ``BotCore.message`` as the sync loop does
(claim, dispatch, queue the answer, commit, read what is ready, send, mark sent) with a
gateway that sends nothing, on a fresh SQLite file and/or a fresh PostgreSQL schema
(``AVZ_BENCH_POSTGRES``). Reports CPU seconds of the whole process (all threads, so
aiosqlite's included) and wall time per command, after 20 warm-up commands. This is the
part of avz-bot's CPU per command that the ``!ping`` benchmark (``bench/run.py``) cannot
separate from matrix-nio's work; the README's "Where avz-bot's time goes" quotes it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from avz_bot.clock import FakeClock
from avz_bot.domain.inbound import IncomingCommand
from avz_bot.domain.partners import Member, Organisation, OrgDomain, Role
from avz_bot.messages import Messages
from avz_bot.metrics import BotMetrics
from avz_bot.runtime.core import BotCore
from avz_bot.runtime.units import AppServices
from commands.framework import Dispatcher
from commands.registry import build_registry
from storage.db import Database, sqlite_url_for
from storage.registry_repositories import PartnerRepository

ROOM = "!bench:avz.bench"
SENDER = "@pieter:avz.bench"
WARM_UP = 20
POSTGRES_URL = os.environ.get(
    "AVZ_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test"
).replace("postgresql://", "postgresql+asyncpg://", 1)


class NullGateway:
    """Sends nothing; answers with an event id."""

    def __init__(self) -> None:
        self.sent = 0

    async def send(self, room_id: str, content: dict[str, Any], txn_id: str) -> str:
        self.sent += 1
        return f"$sent{self.sent}"


async def measure(database: Database, commands: int) -> tuple[float, float, int]:
    """(CPU ms per command, wall ms per command, answers sent) for ``commands`` pings."""
    await database.upgrade()
    clock = FakeClock(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    messages = Messages()
    core = BotCore(
        database=database,
        dispatcher=Dispatcher(build_registry(), messages, "!"),
        messages=messages,
        services=AppServices(clock=clock, version="bench", messages=messages),
        clock=clock,
        metrics=BotMetrics(),
        allowed_servers=["avz.bench"],
        undecryptable_grace=timedelta(seconds=20),
    )
    gateway = NullGateway()
    core.attach_gateway(gateway)
    await core.joined(ROOM, clock.now() - timedelta(days=1), True)
    org = Organisation("politie", "Politie", OrgDomain.VEILIGHEID)
    async with database.session() as session, session.begin():
        member = Member(SENDER, "Pieter", org, frozenset({Role.PROFESSIONAL}))
        await PartnerRepository(session).sync([org], [member])

    def ping(number: int) -> IncomingCommand:
        return IncomingCommand(
            event_id=f"$ping{number}",
            room_id=ROOM,
            sender=SENDER,
            body="!ping",
            sent_at=clock.now(),
            received_at=clock.now(),
            sender_device="DEVICE",
            device_verified=True,
        )

    for number in range(WARM_UP):
        await core.message(ping(number))
    cpu, wall = time.process_time(), time.perf_counter()
    for number in range(WARM_UP, WARM_UP + commands):
        await core.message(ping(number))
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    await core.close()
    return cpu / commands * 1000, wall / commands * 1000, gateway.sent


async def main_async(commands: int, backends: list[str]) -> None:
    for backend in backends:
        if backend == "sqlite":
            with tempfile.TemporaryDirectory() as directory:
                database = Database(sqlite_url_for(Path(directory) / "bench.sqlite3"))
                result = await measure(database, commands)
                await database.dispose()
        else:
            schema = f"bench_core_{secrets.token_hex(4)}"
            admin = Database(POSTGRES_URL)
            async with admin.engine.begin() as connection:
                await connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
            try:
                database = Database(POSTGRES_URL, schema=schema)
                result = await measure(database, commands)
                await database.dispose()
            finally:
                async with admin.engine.begin() as connection:
                    await connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
                await admin.dispose()
        cpu, wall, sent = result
        print(
            f"{backend:10s} {commands} x !ping through BotCore: CPU {cpu:.2f} ms/command "
            f"(all threads), wall {wall:.2f} ms/command, {sent} answers sent"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--commands", type=int, default=300)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    asyncio.run(main_async(args.commands, backends))
    return 0


if __name__ == "__main__":
    sys.exit(main())
