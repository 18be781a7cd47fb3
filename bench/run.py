"""Benchmark: avz-bot against a bare nio echo bot, each in its own process and room.

One local Synapse; avz-bot (the real ``Application``) and a bare matrix-nio echo bot (sync,
decrypt, encrypt, send: the floor any nio bot can reach) each run as their own process
(``bench/bots.py``), each in its own encrypted room with the same partner client. Rounds
alternate ``!ping`` (avz-bot) and ``!echo`` (echo bot), so both see the same load on the
machine. Reported per bot: the round trip as the partner sees it (send -> answer received
and decrypted; p50/p90) and the CPU seconds per command of the bot's process, from the
kernel's accounting of that process (``/proc/<pid>/stat`` utime + stime over the measured
rounds, idle syncs included).

The throughput run (avz-bot only) lets 20 partner clients, each in its own encrypted room
with the bot, send ``!ping`` as fast as it is answered for 60 s: commands per second
sustained, p90 round trip, and how many were lost (no answer) or doubled (two answers).

    python3 dev.py bench [--rounds 200] [--database sqlite|postgresql|both]
                         [--clients 20 --seconds 60 | --seconds 0] [--json FILE]
    python3 dev.py bench --smoke          a few rounds on SQLite, no throughput (CI)
    python3 dev.py bench --profile DIR    also write cProfile stats of both bot processes
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from avz_bot.logs import configure_logging
from avz_bot.testkit.partner import PartnerClient
from avz_bot.testkit.synapse import SynapseServer

SERVER = "avz.bench"
ROOT = Path(__file__).resolve().parent.parent
POSTGRES_ADMIN_URL = os.environ.get(
    "AVZ_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test"
)
#: Long-poll timeout of both bots (ms): what a production bot uses.
SYNC_TIMEOUT_MS = 30_000
WARM_UP = 3
TICKS = os.sysconf("SC_CLK_TCK")


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def _summary(values: list[float]) -> dict[str, float]:
    return {"p50": _pct(values, 0.5), "p90": _pct(values, 0.9), "mean": statistics.fmean(values)}


def _own_cpu() -> float:
    """CPU seconds of this process (the partner clients), all threads."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main_thread_cpu_seconds(pid: int) -> float:
    """CPU seconds of the process's main thread alone (its event loop); the rest of
    ``cpu_seconds`` is other threads (aiosqlite's, for one)."""
    fields = Path(f"/proc/{pid}/task/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds the process ``pid`` has used so far (its own threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    # After the ")" of the command name: state is field 3, utime 14 and stime 15 (1-based).
    return (int(fields[11]) + int(fields[12])) / TICKS


@dataclass
class BotProcess:
    """A bot running as a child process (``bench/bots.py``)."""

    kind: str
    user_id: str
    process: asyncio.subprocess.Process
    log: Path

    @classmethod
    async def start(
        cls, kind: str, config: dict[str, Any], base: Path, profile: Path | None
    ) -> BotProcess:
        config_path = base / f"{kind}.json"
        config_path.write_text(json.dumps(config))
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        if profile is not None:
            env["AVZ_BENCH_PROFILE"] = str(profile / f"{kind}.prof")
        log = base / f"{kind}.log"
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            str(ROOT / "bench" / "bots.py"),
            kind,
            str(config_path),
            stdout=asyncio.subprocess.PIPE,
            stderr=log.open("wb"),
            env=env,
        )
        assert process.stdout is not None
        try:
            line = await asyncio.wait_for(process.stdout.readline(), timeout=120)
        except TimeoutError:
            line = b""
        if line.strip() != b"ready":
            process.kill()
            raise RuntimeError(f"{kind} bot did not start: {log.read_text()[-2000:]}")
        return cls(kind, config["user_id"], process, log)

    def cpu(self) -> float:
        return cpu_seconds(self.process.pid)

    def loop_cpu(self) -> float:
        return main_thread_cpu_seconds(self.process.pid)

    def profile(self, on: bool) -> None:
        """Switch the child's profiler on or off (only measured phases are profiled)."""
        import signal

        self.process.send_signal(signal.SIGUSR1 if on else signal.SIGUSR2)

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), timeout=60)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()


@dataclass
class World:
    """Synapse, the two bot processes and the partner client of one database run."""

    base: Path
    synapse: SynapseServer
    avz: BotProcess
    echo: BotProcess
    partner: PartnerClient
    partners_file: Path
    members: list[str] = field(default_factory=list)


def _partners_toml(members: list[str]) -> str:
    lines = ['[[organisations]]\ncode = "politie"\nname = "Politie"\ndomain = "veiligheid"\n']
    for index, user in enumerate(members):
        lines.append(
            f'[[members]]\nmatrix_id = "{user}"\ndisplay_name = "Partner {index}"\n'
            'organisation = "politie"\n'
        )
    return "\n".join(lines)


@contextlib.asynccontextmanager
async def postgres_database() -> Any:
    """A new, empty PostgreSQL database for one run (dropped afterwards)."""
    import asyncpg

    name = f"avz_bench_{secrets.token_hex(6)}"
    admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        base, _, _ = POSTGRES_ADMIN_URL.rpartition("/")
        yield f"{base.replace('postgresql://', 'postgresql+asyncpg://', 1)}/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def ask(partner: PartnerClient, room: str, body: str, bot: str) -> float:
    """Send ``body`` and wait for ``bot``'s answer to it; the round trip in ms."""
    started = time.perf_counter()
    await partner.send_and_wait(room, body, reply_from=bot, timeout=60)
    return (time.perf_counter() - started) * 1000


async def round_trips(world: World, rounds: int, profile: bool) -> dict[str, Any]:
    """Alternate ``!ping`` and ``!echo`` rounds; round trips and CPU per command."""
    partner = world.partner
    avz_room = await partner.create_encrypted_room(name="bench-avz", invite=[world.avz.user_id])
    echo_room = await partner.create_encrypted_room(name="bench-echo", invite=[world.echo.user_id])
    await partner.wait_for_join(avz_room, world.avz.user_id, timeout=60)
    await partner.wait_for_join(echo_room, world.echo.user_id, timeout=60)
    # Warm-up: key sharing and first-message costs are not what we measure.
    for _ in range(WARM_UP):
        await ask(partner, avz_room, "!ping", world.avz.user_id)
        await ask(partner, echo_room, "!echo", world.echo.user_id)
    ping: list[float] = []
    floor: list[float] = []
    if profile:
        world.avz.profile(True)
        world.echo.profile(True)
    cpu_avz, cpu_echo = world.avz.cpu(), world.echo.cpu()
    loop_avz = world.avz.loop_cpu()
    for _ in range(rounds):
        ping.append(await ask(partner, avz_room, "!ping", world.avz.user_id))
        floor.append(await ask(partner, echo_room, "!echo", world.echo.user_id))
    cpu_avz, cpu_echo = world.avz.cpu() - cpu_avz, world.echo.cpu() - cpu_echo
    loop_avz = world.avz.loop_cpu() - loop_avz
    if profile:
        world.avz.profile(False)
        world.echo.profile(False)
    avz_ms, echo_ms = _summary(ping), _summary(floor)
    return {
        "rounds": rounds,
        "avz_ping_ms": avz_ms,
        "nio_echo_ms": echo_ms,
        "ratio_p50": avz_ms["p50"] / echo_ms["p50"],
        "ratio_p90": avz_ms["p90"] / echo_ms["p90"],
        "avz_cpu_ms_per_command": cpu_avz / rounds * 1000,
        "avz_loop_cpu_ms_per_command": loop_avz / rounds * 1000,
        "echo_cpu_ms_per_command": cpu_echo / rounds * 1000,
        "cpu_ratio": cpu_avz / cpu_echo if cpu_echo else float("inf"),
    }


async def throughput(world: World, clients: int, seconds: float) -> dict[str, Any]:
    """``clients`` partners in their own rooms send ``!ping`` as fast as answered."""
    bot = world.avz.user_id
    partners: list[PartnerClient] = []
    rooms: list[str] = []
    try:
        for index in range(clients):
            user = world.members[index + 1]
            partner = await PartnerClient.create(
                world.synapse.url, user, "pass", world.base / f"tp{index}"
            )
            partners.append(partner)
            rooms.append(await partner.create_encrypted_room(name=f"tp{index}", invite=[bot]))
        for partner, room in zip(partners, rooms, strict=True):
            await partner.wait_for_join(room, bot, timeout=120)
            await ask(partner, room, "!ping", bot)  # warm-up: room keys shared
        latencies: list[float] = []
        sent: list[tuple[PartnerClient, str, str]] = []
        timeouts = 0
        deadline = time.monotonic() + seconds

        async def drive(partner: PartnerClient, room: str) -> None:
            nonlocal timeouts
            while time.monotonic() < deadline:
                started = time.perf_counter()
                event_id = await partner.send(room, "!ping")
                sent.append((partner, room, event_id))
                try:
                    await partner.wait_for_message(
                        room, sender=bot, in_reply_to=event_id, timeout=60
                    )
                except TimeoutError:
                    timeouts += 1
                    continue
                latencies.append((time.perf_counter() - started) * 1000)

        synapse_pid = world.synapse._process.pid if world.synapse._process else None
        cpu_before = world.avz.cpu()
        synapse_before = cpu_seconds(synapse_pid) if synapse_pid else 0.0
        partners_before = _own_cpu()
        started = time.monotonic()
        await asyncio.gather(*(drive(p, r) for p, r in zip(partners, rooms, strict=True)))
        elapsed = time.monotonic() - started
        cpu_used = world.avz.cpu() - cpu_before
        synapse_used = (cpu_seconds(synapse_pid) if synapse_pid else 0.0) - synapse_before
        partners_used = _own_cpu() - partners_before
        await asyncio.sleep(5)  # late or doubled answers would arrive meanwhile
        answers: Counter[str] = Counter()
        for partner, room in zip(partners, rooms, strict=True):
            for message in partner.messages(room):
                if message.sender == bot and message.in_reply_to is not None:
                    answers[message.in_reply_to] += 1
        sent_ids = [event_id for _, _, event_id in sent]
        lost = sum(1 for event_id in sent_ids if answers[event_id] == 0)
        doubled = sum(1 for event_id in sent_ids if answers[event_id] > 1)
        return {
            "clients": clients,
            "seconds": elapsed,
            "commands": len(sent_ids),
            "answered": len(latencies),
            "commands_per_second": len(latencies) / elapsed,
            "round_trip_ms": _summary(latencies) if latencies else None,
            "avz_cpu_ms_per_command": cpu_used / max(1, len(latencies)) * 1000,
            "avz_cpu_share": cpu_used / elapsed,
            # Where the limit is: CPU share (1.0 = one core) of each process meanwhile.
            "synapse_cpu_share": synapse_used / elapsed,
            "partners_cpu_share": partners_used / elapsed,
            "timeouts": timeouts,
            "lost": lost,
            "doubled": doubled,
        }
    finally:
        for partner in partners:
            await partner.close()


async def bench_one(
    database: str, rounds: int, clients: int, seconds: float, profile: Path | None
) -> dict[str, Any]:
    base = Path(tempfile.mkdtemp(prefix=f"avz-bench-{database}-"))
    synapse = SynapseServer(base / "synapse", server_name=SERVER)
    await synapse.start()
    processes: list[BotProcess] = []
    partner: PartnerClient | None = None
    try:
        async with contextlib.AsyncExitStack() as stack:
            database_url = ""
            if database == "postgresql":
                database_url = await stack.enter_async_context(postgres_database())
            bot_id = await synapse.register_user("avz-bot", "bot-pass")
            echo_id = await synapse.register_user("echo", "echo-pass")
            members = [await synapse.register_user("partner", "partner-pass")]
            for index in range(clients if seconds > 0 else 0):
                members.append(await synapse.register_user(f"tp{index}", "pass"))
            for user in (bot_id, echo_id, *members):
                await synapse.override_ratelimit(user)
            partners_file = base / "partners.toml"
            partners_file.write_text(_partners_toml(members))
            common = {
                "homeserver": synapse.url,
                "server_name": SERVER,
                "sync_timeout_ms": SYNC_TIMEOUT_MS,
            }
            avz = await BotProcess.start(
                "avz",
                {
                    **common,
                    "user_id": bot_id,
                    "password": "bot-pass",
                    "data_dir": str(base / "avz"),
                    "partners_file": str(partners_file),
                    "database_url": database_url,
                },
                base,
                profile,
            )
            processes.append(avz)
            echo = await BotProcess.start(
                "echo",
                {
                    **common,
                    "user_id": echo_id,
                    "password": "echo-pass",
                    "data_dir": str(base / "echo"),
                },
                base,
                profile,
            )
            processes.append(echo)
            partner = await PartnerClient.create(
                synapse.url, members[0], "partner-pass", base / "partner"
            )
            world = World(base, synapse, avz, echo, partner, partners_file, members)
            result: dict[str, Any] = {"database": database}
            result.update(await round_trips(world, rounds, profile is not None))
            if seconds > 0:
                result["throughput"] = await throughput(world, clients, seconds)
            return result
    finally:
        if partner:
            await partner.close()
        for process in processes:
            await process.stop()
        await synapse.stop()
        shutil.rmtree(base, ignore_errors=True)


def _print(result: dict[str, Any]) -> None:
    a, e = result["avz_ping_ms"], result["nio_echo_ms"]
    print(f"\n== {result['database']}: {result['rounds']} rounds (after {WARM_UP} warm-up each)")
    print(
        f"avz-bot !ping   p50 {a['p50']:7.1f} ms   p90 {a['p90']:7.1f} ms   "
        f"CPU {result['avz_cpu_ms_per_command']:6.2f} ms/command"
    )
    print(
        f"nio echo bot    p50 {e['p50']:7.1f} ms   p90 {e['p90']:7.1f} ms   "
        f"CPU {result['echo_cpu_ms_per_command']:6.2f} ms/command"
    )
    print(
        f"ratio           p50 {result['ratio_p50']:7.2f}      p90 {result['ratio_p90']:7.2f}"
        f"      CPU {result['cpu_ratio']:6.2f}"
    )
    loop = result["avz_loop_cpu_ms_per_command"]
    print(
        f"avz-bot CPU per command: {loop:.2f} ms on its event loop (main thread), "
        f"{max(0.0, result['avz_cpu_ms_per_command'] - loop):.2f} ms on other threads "
        "(the database's)"
    )
    tp = result.get("throughput")
    if tp:
        rt = tp["round_trip_ms"] or {"p50": float("nan"), "p90": float("nan")}
        print(
            f"throughput      {tp['clients']} clients, {tp['seconds']:.0f} s: "
            f"{tp['commands_per_second']:.1f} commands/s, p50 {rt['p50']:.0f} ms, "
            f"p90 {rt['p90']:.0f} ms, CPU {tp['avz_cpu_ms_per_command']:.2f} ms/command "
            f"({tp['avz_cpu_share']:.0%} of a core); {tp['commands']} sent, "
            f"{tp['lost']} lost, {tp['doubled']} doubled"
        )
        print(
            f"                CPU meanwhile: avz-bot {tp['avz_cpu_share']:.0%}, Synapse "
            f"{tp['synapse_cpu_share']:.0%}, the {tp['clients']} partner clients "
            f"{tp['partners_cpu_share']:.0%} of a core (machine: {os.cpu_count()} cores)"
        )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60, help="throughput run; 0: none")
    parser.add_argument("--smoke", action="store_true", help="5 rounds on SQLite, no throughput")
    parser.add_argument("--profile", type=Path, help="write cProfile stats of both bots here")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    if args.smoke:
        args.rounds, args.database, args.seconds = 5, "sqlite", 0
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    # Library warnings (e.g. about devices without sessions) would drown the figures.
    configure_logging("ERROR", "text")
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    results = []
    for database in databases:
        result = asyncio.run(
            bench_one(database, args.rounds, args.clients, args.seconds, args.profile)
        )
        _print(result)
        results.append(result)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    if args.smoke:
        # The smoke run checks that the benchmark works, not how fast: every round answered.
        print("bench smoke: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
