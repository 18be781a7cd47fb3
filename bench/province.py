"""Benchmark: avz-bot at the size of a whole province, as deployed (issue 14).

Seeds a generated province (``avz_bot.testkit.province``: 10,000 cases of which 3,000
open, 51,000 agreements of which 17,000 open, 10,000 pending reminder jobs, 300,000
audit rows, 500 registered members; no personal data) into SQLite or PostgreSQL,
starts ``avz-bot run`` as a separate process (its own TOML configuration, secrets from
the environment) against a local Synapse, and measures with real encrypted partners:

* per command: p50/p90 server time (from the bot's own ``avz_command_latency_seconds``
  histogram: commands run one at a time, so each ``_sum`` increase is one command),
  round trip as the partner sees it, reply size (bytes of the queued content), the
  bot process's CPU time per command;
* SQL statements per command, counted in-process on the same seeded database before
  the bot starts (the bot process cannot be instrumented from here);
* the bot's RSS after start-up and at the end;
* the 08:30 burst: ``--burst`` general reminders (across 20 rooms) fall due at once
  while a partner keeps sending commands; reported: how much slower the commands were
  answered than before the burst, how long until the last reminder arrived, and
  whether every reminder arrived exactly once.

    python3 dev.py bench province [--backend sqlite|postgresql] [--rounds 20]
                                  [--burst 2000] [--scale 1.0] [--json FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import secrets
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, insert, text, update

from avz_bot.clock import SystemClock
from avz_bot.domain.inbound import IncomingCommand
from avz_bot.lists import content_size
from avz_bot.messages import Messages
from avz_bot.metrics import BotMetrics
from avz_bot.runtime.core import BotCore
from avz_bot.runtime.units import AppServices
from avz_bot.services.outbox import txn_id_for
from avz_bot.testkit.deployed import BotProcess
from avz_bot.testkit.partner import PartnerClient
from avz_bot.testkit.province import ProvinceSize, registry_toml, seed_province
from avz_bot.testkit.synapse import SynapseServer
from commands.framework import Dispatcher
from commands.registry import build_registry
from storage.case_models import CaseRecord
from storage.db import Database
from storage.outbox_repositories import OutboxRepository
from storage.schedule_models import ReminderRecord, ScheduledJobRecord

SERVER = "avz.bench"
BOT_LOCALPART = "avz-bot"
PG_ADMIN_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
BURST_ROOMS = 20

#: (label, command, where): "dm" is the heavy person's direct chat, "busy" the case
#: with 300 members, "plain" an ordinary case of an ordinary member.
COMMANDS: list[tuple[str, str, str]] = [
    ("!mijn (heavy)", "!mijn", "dm"),
    ("!mijn pagina=2", "!mijn pagina=2", "dm"),
    ("!acties (busy)", "!acties", "busy"),
    ("!casus (busy)", "!casus", "busy"),
    ("!rollen (busy)", "!rollen", "busy"),
    ("!tijdlijn (busy)", "!tijdlijn", "busy"),
    ("!herinneringen (busy)", "!herinneringen", "busy"),
    ("!regie (busy)", "!regie", "busy"),
    ("!casus (plain)", "!casus", "plain"),
    ("!acties (plain)", "!acties", "plain"),
    ("!ping", "!ping", "plain"),
]


@dataclass
class CommandFigures:
    """What one command measured over the rounds."""

    label: str
    server_ms: list[float] = field(default_factory=list)
    round_trip_ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)
    reply_bytes: int = 0
    statements: int = 0

    def summary(self) -> dict[str, Any]:
        def q(values: list[float], p: float) -> float:
            if not values:
                return float("nan")
            ordered = sorted(values)
            return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))], 1)

        return {
            "command": self.label,
            "server_p50_ms": q(self.server_ms, 0.5),
            "server_p90_ms": q(self.server_ms, 0.9),
            "round_trip_p50_ms": q(self.round_trip_ms, 0.5),
            "round_trip_p90_ms": q(self.round_trip_ms, 0.9),
            # /proc counts CPU in ticks of 10 ms: the mean over the rounds is exact.
            "cpu_mean_ms": round(statistics.fmean(self.cpu_ms), 1) if self.cpu_ms else None,
            "reply_bytes": self.reply_bytes,
            "sql_statements": self.statements,
        }


# ----------------------------------------------------------------- phases
async def count_statements(
    database: Database, province: Any, rooms: dict[str, str], rounds: int
) -> tuple[dict[str, int], dict[str, dict[str, float]]]:
    """SQL statements per command through the real core (null homeserver), warm cache;
    and the core's CPU and wall time per command in this process over ``rounds`` runs
    (what the command costs the bot without sync, encryption and sending)."""
    clock = SystemClock()
    messages = Messages()
    services = AppServices(clock=clock, version="bench", messages=messages)
    core = BotCore(
        database=database,
        dispatcher=Dispatcher(build_registry(), messages, "!"),
        messages=messages,
        services=services,
        clock=clock,
        metrics=BotMetrics(),
        allowed_servers=[SERVER],
        undecryptable_grace=timedelta(minutes=5),
    )
    statements: list[str] = []

    def on_execute(*_args: Any) -> None:
        statements.append("x")

    for engine in database.engines:
        event.listen(engine.sync_engine, "before_cursor_execute", on_execute)
    async with database.session() as session:
        await services.members.rebuild(session)
    counts: dict[str, int] = {}
    costs: dict[str, dict[str, float]] = {}
    for label, body, where in COMMANDS:
        sender = province.plain_user if where == "plain" else province.heavy_user
        cpu: list[float] = []
        wall: list[float] = []
        for _ in range(max(rounds, 1)):
            now = datetime.now(UTC)
            incoming = IncomingCommand(
                event_id=f"$count-{uuid.uuid4().hex}",
                room_id=rooms[where],
                sender=sender,
                body=body,
                sent_at=now,
                received_at=now,
                device_verified=True,
                room_members=2 if where == "dm" else 40,
            )
            statements.clear()
            c0, t0 = time.process_time(), time.perf_counter()
            await core.message(incoming)
            cpu.append((time.process_time() - c0) * 1000)
            wall.append((time.perf_counter() - t0) * 1000)
            counts[label] = len(statements)
        cpu.sort()
        wall.sort()
        costs[label] = {
            "core_cpu_p50_ms": round(cpu[len(cpu) // 2], 1),
            "core_cpu_p90_ms": round(cpu[min(len(cpu) - 1, int(0.9 * len(cpu)))], 1),
            "core_wall_p50_ms": round(wall[len(wall) // 2], 1),
            "core_wall_p90_ms": round(wall[min(len(wall) - 1, int(0.9 * len(wall)))], 1),
        }
    for engine in database.engines:
        event.remove(engine.sync_engine, "before_cursor_execute", on_execute)
    await core.close()
    # The counting commands claimed their (made-up) event ids; drop their outbox rows.
    async with database.session() as session, session.begin():
        await session.execute(text("DELETE FROM outbox"))
    return counts, costs


async def reply_size(database: Database, event_id: str) -> int:
    async with database.session() as session:
        row = await OutboxRepository(session).get(txn_id_for("reply", event_id))
    return content_size(row.content) if row is not None else -1


async def run(args: argparse.Namespace) -> dict[str, Any]:
    base = Path(tempfile.mkdtemp(prefix="avz-bench-province-"))
    size = ProvinceSize()
    if args.scale != 1.0:
        size = replace(
            size,
            cases=int(size.cases * args.scale),
            open_cases=int(size.open_cases * args.scale),
            agreements=int(size.agreements * args.scale),
            open_agreements=int(size.open_agreements * args.scale),
            pending_jobs=int(size.pending_jobs * args.scale),
            audit_rows=int(size.audit_rows * args.scale),
        )
    synapse = SynapseServer(base / "synapse", server_name=SERVER)
    pg_database = f"avz_bench_{uuid.uuid4().hex[:8]}"
    if args.backend == "postgresql":
        admin = Database(PG_ADMIN_URL)
        async with admin.engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text(f'CREATE DATABASE "{pg_database}"'))
        await admin.dispose()
        url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{pg_database}"
    else:
        (base / "bot").mkdir(parents=True, mode=0o700)  # the bot refuses an open one
        url = f"sqlite+aiosqlite:///{base / 'bot' / 'avz-bot.sqlite3'}"
    database = Database(url)
    bot: BotProcess | None = None
    partners: list[PartnerClient] = []
    result: dict[str, Any] = {"backend": args.backend, "size": asdict(size)}
    try:
        await synapse.start()
        await database.upgrade()
        started = time.perf_counter()
        now = datetime.now(UTC)
        province = await seed_province(database, size, now - timedelta(minutes=5), server=SERVER)
        result["seed_seconds"] = round(time.perf_counter() - started, 1)
        (base / "partners.toml").write_text(
            registry_toml(province.organisations, province.members), encoding="utf-8"
        )
        bot_password = secrets.token_urlsafe(12)
        await synapse.register_user(BOT_LOCALPART, bot_password)
        bot_id = f"@{BOT_LOCALPART}:{SERVER}"
        users: list[PartnerClient] = []
        for localpart in ("m0", "m1"):
            password = secrets.token_urlsafe(12)
            user_id = await synapse.register_user(localpart, password)
            users.append(
                await PartnerClient.create(synapse.url, user_id, password, base / localpart)
            )
        partners.extend(users)
        heavy, plain = users

        bot = BotProcess(base, synapse, f"@{BOT_LOCALPART}:{SERVER}", url)
        bot.start(bot_password)
        result["startup_seconds"] = round(await bot.wait_ready(), 2)

        async def room_for(owner: PartnerClient, *others: PartnerClient) -> str:
            room = await owner.create_encrypted_room(
                name="bench", invite=[bot_id, *(o.user_id for o in others)]
            )
            await owner.wait_for_join(room, bot_id, timeout=60)
            for other in others:
                await other.join(room)
                await owner.wait_for_join(room, other.user_id, timeout=60)
            return room

        dm = await room_for(heavy)
        busy = await room_for(heavy, plain)
        plain_room = await room_for(plain)
        async with database.session() as session, session.begin():
            for case_id, room in (
                (province.busy_case_id, busy),
                (province.plain_case_id, plain_room),
            ):
                await session.execute(
                    update(CaseRecord).where(CaseRecord.id == case_id).values(room_id=room)
                )
            # The busy case's reminders live in its real room.
            await session.execute(
                update(ReminderRecord)
                .where(ReminderRecord.room_id == f"!case{province.busy_case_id}:{SERVER}")
                .values(room_id=busy)
            )
        rooms = {"dm": dm, "busy": busy, "plain": plain_room}
        result["rss_after_start_mb"] = round(bot.rss_mb(), 1)

        # The statement counts, in-process (the bot process is idle meanwhile).
        counts, costs = await count_statements(database, province, rooms, args.rounds)

        figures = {
            label: CommandFigures(label, statements=counts[label]) for label, _, _ in COMMANDS
        }
        for _ in range(args.rounds):
            for label, body, where in COMMANDS:
                client = plain if where == "plain" else heavy
                before_sum, _ = await bot.latency_sum()
                cpu_before = bot.cpu_seconds()
                t0 = time.perf_counter()
                event_id = await client.send(rooms[where], body)
                await client.wait_for_message(
                    rooms[where], sender=bot_id, in_reply_to=event_id, timeout=60
                )
                figures[label].round_trip_ms.append((time.perf_counter() - t0) * 1000)
                after_sum, _ = await bot.latency_sum()
                figures[label].server_ms.append((after_sum - before_sum) * 1000)
                figures[label].cpu_ms.append((bot.cpu_seconds() - cpu_before) * 1000)
                if not figures[label].reply_bytes:
                    figures[label].reply_bytes = await reply_size(database, event_id)
        result["commands"] = [f.summary() | costs[f.label] for f in figures.values()]
        result["rss_after_commands_mb"] = round(bot.rss_mb(), 1)

        if args.burst:
            result["burst"] = await burst(args, database, heavy, plain, bot, bot_id, busy, room_for)
        result["rss_end_mb"] = round(bot.rss_mb(), 1)
        result["load"] = " ".join(f"{x:.1f}" for x in os.getloadavg())
        return result
    finally:
        for partner in partners:
            await partner.close()
        if bot is not None:
            bot.stop()
        await database.dispose()
        await synapse.stop()
        if args.backend == "postgresql":
            admin = Database(PG_ADMIN_URL)
            async with admin.engine.connect() as conn:
                await conn.execution_options(isolation_level="AUTOCOMMIT")
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{pg_database}" WITH (FORCE)'))
            await admin.dispose()
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)


async def burst(
    args: argparse.Namespace,
    database: Database,
    heavy: PartnerClient,
    asker: PartnerClient,
    bot: BotProcess,
    bot_id: str,
    command_room: str,
    room_for: Any,
) -> dict[str, Any]:
    """``args.burst`` reminders due at one instant while commands keep coming.

    The reminders go to 20 rooms of ``heavy`` (who counts them); ``asker``, in none of
    those rooms, sends the commands, so the round trip is not the partner's own work of
    decrypting 2,000 reminders. Each command's server time comes from the bot's own
    histogram (reminders are not commands, so its sum grows by that command only).
    """
    rooms = [await room_for(heavy) for _ in range(BURST_ROOMS)]
    server: list[float] = []

    async def command_round_trip() -> float:
        before, _ = await bot.latency_sum()
        t0 = time.perf_counter()
        event_id = await asker.send(command_room, "!acties")
        await asker.wait_for_message(command_room, sender=bot_id, in_reply_to=event_id, timeout=120)
        trip = (time.perf_counter() - t0) * 1000
        after, _ = await bot.latency_sum()
        server.append((after - before) * 1000)
        return trip

    baseline = [await command_round_trip() for _ in range(10)]
    server_before = list(server)
    server.clear()
    due = datetime.now(UTC) + timedelta(seconds=20)
    reminder_rows = [
        {
            "room_id": rooms[n % BURST_ROOMS],
            "number": 1000 + n,
            "created_by": heavy.user_id,
            "target_user": None,
            "text": f"Burst {n}",
            "due_at": due,
            "created_at": due - timedelta(days=1),
            "cancelled_at": None,
            "sent_at": None,
        }
        for n in range(args.burst)
    ]
    async with database.session() as session, session.begin():
        ids = (
            (
                await session.execute(
                    insert(ReminderRecord).returning(ReminderRecord.id), reminder_rows
                )
            )
            .scalars()
            .all()
        )
        await session.execute(
            insert(ScheduledJobRecord),
            [
                {
                    "kind": "reminder.general",
                    "due_at": due,
                    "payload": {"reminder_id": rid},
                    "dedupe_key": f"reminder:{rid}",
                    "entity_type": "reminder",
                    "entity_id": str(rid),
                    "status": "pending",
                    "claimed_at": None,
                    "claimed_by": None,
                    "attempts": 0,
                    "done_at": None,
                    "created_at": due - timedelta(days=1),
                }
                for rid in ids
            ],
        )
    # Jobs inserted behind the scheduler's back: a state-changing command re-arms its
    # timer for the earliest pending job (as any new job from a command would).
    await heavy.send_and_wait(command_room, "!herinner morgen bench", reply_from=bot_id, timeout=60)
    await asyncio.sleep(max(0.0, (due - datetime.now(UTC)).total_seconds()))

    def received() -> list[str]:
        return [
            m.body
            for room in rooms
            for m in heavy.messages(room)
            if m.sender == bot_id and "Burst " in m.body
        ]

    during: list[float] = []
    started = time.perf_counter()
    first_seen: float | None = None
    while len(received()) < args.burst and time.perf_counter() - started < args.burst_timeout:
        during.append(await command_round_trip())
        if first_seen is None and received():
            first_seen = time.perf_counter() - started
        await asyncio.sleep(0.5)
    elapsed = time.perf_counter() - started
    await asyncio.sleep(5)  # duplicates would arrive meanwhile
    bodies = received()
    numbers = [int(re.search(r"Burst (\d+)", b).group(1)) for b in bodies]  # type: ignore[union-attr]
    return {
        "reminders": args.burst,
        "delivered": len(set(numbers)),
        "duplicates": len(numbers) - len(set(numbers)),
        "all_within_seconds": round(elapsed, 1),
        "first_after_seconds": round(first_seen, 1) if first_seen is not None else None,
        "command_round_trip_before_p50_ms": round(statistics.median(baseline), 1),
        "command_round_trip_during_p50_ms": round(statistics.median(during), 1) if during else None,
        "command_round_trip_during_max_ms": round(max(during), 1) if during else None,
        "commands_during_burst": len(during),
        "command_server_before_p50_ms": round(statistics.median(server_before), 1),
        "command_server_during_p50_ms": round(statistics.median(server), 1) if server else None,
        "command_server_during_max_ms": round(max(server), 1) if server else None,
    }


def print_report(result: dict[str, Any]) -> None:
    print(
        f"\nBackend: {result['backend']}  seed {result.get('seed_seconds')} s  "
        f"start-up {result.get('startup_seconds')} s  load average {result.get('load')}"
    )
    print(
        f"{'command':<24}{'server p50':>11}{'p90':>7}{'trip p50':>10}{'p90':>7}"
        f"{'CPU':>6}{'core CPU p50':>14}{'p90':>6}{'reply B':>9}{'SQL':>5}"
    )
    for row in result.get("commands", []):
        print(
            f"{row['command']:<24}{row['server_p50_ms']:>11}{row['server_p90_ms']:>7}"
            f"{row['round_trip_p50_ms']:>10}{row['round_trip_p90_ms']:>7}"
            f"{row['cpu_mean_ms']:>6}{row['core_cpu_p50_ms']:>14}{row['core_cpu_p90_ms']:>6}"
            f"{row['reply_bytes']:>9}{row['sql_statements']:>5}"
        )
    print(
        f"RSS: after start {result.get('rss_after_start_mb')} MB, after commands "
        f"{result.get('rss_after_commands_mb')} MB, end {result.get('rss_end_mb')} MB"
    )
    if "burst" in result:
        print("Burst:", json.dumps(result["burst"]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--burst", type=int, default=2000)
    parser.add_argument("--burst-timeout", type=float, default=600)
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the province")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    result = asyncio.run(run(args))
    print_report(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
