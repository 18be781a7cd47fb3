"""Benchmark: sustained signed submissions to the intake endpoint (issue 23).

    python3 dev.py bench intake [--seconds 20] [--clients 8] [--database sqlite|postgresql|both]
                                [--json FILE]

The endpoint (its real aiohttp routes, signature check, signal service and repositories)
runs in a child process of its own (``--serve``) on a fresh SQLite file and/or a fresh
PostgreSQL schema (``AVZ_BENCH_POSTGRES``); this process is the partner systems: two
organisations, ``--clients`` concurrent senders, each signing and posting one signal after
another for ``--seconds``. Persons are drawn from a pool of 500 valid BSNs, so about half
of the submissions match (matches, TVO items and notices are written as in production).
Every tenth delivery is sent a second time at once with the same ``webhook-id`` (a retry).

Reported: accepted submissions per second, p50/p99 round trip (ms), the server process's
CPU ms per accepted submission (from ``/proc``), and the checks: every first delivery
answered 201 (none lost), every retry answered 409, and the database holds exactly one
signal per accepted delivery (none doubled). Round trips and rates are wall-clock figures:
on a loaded machine only the CPU figure compares between runs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import signal
import socket
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
from pydantic import SecretStr
from sqlalchemy import text

from avz_bot.clock import SystemClock
from avz_bot.domain.partners import Member, Organisation, OrgDomain, Role
from avz_bot.intake_http import IntakeEndpoint, IntakeServer
from avz_bot.logs import configure_logging
from avz_bot.messages import Messages
from avz_bot.runtime.units import AppServices
from avz_bot.services.signals.intake import IntakeProfile
from avz_bot.settings_sections.cases import CasesSettings
from avz_bot.settings_sections.intake import IntakeSettings
from avz_bot.settings_sections.signals import SignalSettings
from avz_bot.testkit.intake import PartnerSystem, new_secret, signed_headers
from storage.db import Database, sqlite_url_for
from storage.registry_repositories import PartnerRepository

POSTGRES_URL = os.environ.get(
    "AVZ_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test"
).replace("postgresql://", "postgresql+asyncpg://", 1)
TICKS = os.sysconf("SC_CLK_TCK")
ORGS = {
    "politie": Organisation("politie", "Politie", OrgDomain.VEILIGHEID),
    "ggz": Organisation("ggz", "Lentis GGZ", OrgDomain.ZORG),
}
MEMBERS = {
    code: Member(f"@{code}-systeem:avz.bench", code, org, frozenset({Role.PROFESSIONAL}))
    for code, org in ORGS.items()
}
TVO_ROOM = "!tvo:avz.bench"
CATEGORIES = ("overlast", "verslaving", "schulden", "huiselijk-geweld")


def valid_bsns(count: int, seed: int = 7) -> list[str]:
    """``count`` distinct nine-digit numbers that pass the elfproef."""
    rng = random.Random(seed)
    found: set[str] = set()
    while len(found) < count:
        digits = [rng.randrange(10) for _ in range(8)]
        total = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True))
        last = total % 11
        if last < 10 and digits[0] != 0:
            found.add("".join(map(str, digits)) + str(last))
    return sorted(found)


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


# ------------------------------------------------------------------ the server (child)
async def serve(url: str, schema: str | None, port: int, secrets_json: str) -> None:
    """Run the endpoint until SIGTERM (errors logged as JSON on stderr, no bodies)."""
    configure_logging("WARNING", "json")
    database = Database(url, schema=schema)
    await database.upgrade()
    async with database.session() as session, session.begin():
        await PartnerRepository(session).sync(list(ORGS.values()), list(MEMBERS.values()))
    clock = SystemClock()
    services = AppServices(
        clock=clock,
        version="bench",
        messages=Messages(),
        cases_settings=CasesSettings(intake_rooms=[TVO_ROOM]),
        signal_settings=SignalSettings(
            keys={"v1": SecretStr("b" * 48)}, tvo_rooms={"groningen": TVO_ROOM}
        ),
    )
    keys = json.loads(secrets_json)
    settings = IntakeSettings(
        enabled=True,
        rate_per_minute=60000,
        burst=10000,
        secrets={org: SecretStr(secret) for org, secret in keys.items()},
    )
    profiles = {
        code: IntakeProfile(code, MEMBERS[code].matrix_id, f"!{code}:avz.bench") for code in ORGS
    }
    endpoint = IntakeEndpoint(settings, lambda: profiles, database, services, clock)
    server = IntakeServer(endpoint, "127.0.0.1", port)
    await server.start()
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    print("ready", flush=True)
    await stop.wait()
    await server.stop()
    await database.dispose()


# ------------------------------------------------------------------ the load (parent)
@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    accepted: list[str] = field(default_factory=list)
    lost: int = 0
    retries: int = 0
    retry_not_409: int = 0


async def sender(
    http: aiohttp.ClientSession,
    system: PartnerSystem,
    persons: list[str],
    until: float,
    tally: Tally,
    rng: random.Random,
) -> None:
    number = 0
    while time.perf_counter() < until:
        number += 1
        fields = {
            "bsn": rng.choice(persons),
            "category": rng.choice(CATEGORIES),
            "municipality": "groningen",
        }
        body = json.dumps(fields).encode()
        headers = signed_headers(system.secret, body, f"msg_{secrets.token_hex(12)}")
        started = time.perf_counter()
        async with http.post(system.url, data=body, headers=headers) as response:
            answer = await response.json()
            status = response.status
        tally.latencies.append(time.perf_counter() - started)
        if status != 201:
            tally.lost += 1
            continue
        tally.accepted.append(answer["reference"])
        if number % 10 == 0:  # a retry of the same delivery, re-signed as a sender does
            retry = signed_headers(system.secret, body, headers["webhook-id"])
            async with http.post(system.url, data=body, headers=retry) as again:
                tally.retries += 1
                tally.retry_not_409 += again.status != 409


async def run_backend(backend: str, seconds: float, clients: int) -> dict[str, Any]:
    schema: str | None = None
    directory = tempfile.mkdtemp(prefix="bench-intake-")
    if backend == "sqlite":
        url = sqlite_url_for(Path(directory) / "bench.sqlite3")
    else:
        url, schema = POSTGRES_URL, f"bench_intake_{secrets.token_hex(4)}"
        admin = Database(url)
        async with admin.engine.begin() as connection:
            await connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
        await admin.dispose()
    keys = {code: new_secret() for code in ORGS}
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--serve",
        url,
        schema or "",
        str(port),
        json.dumps(keys),
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert child.stdout is not None
        await asyncio.wait_for(child.stdout.readline(), timeout=120)
        base = f"http://127.0.0.1:{port}"
        systems = [PartnerSystem(base, code, keys[code]) for code in ORGS]
        persons = valid_bsns(500)
        tally = Tally()
        connector = aiohttp.TCPConnector(limit=clients)
        async with aiohttp.ClientSession(connector=connector) as http:
            cpu_before = cpu_seconds(child.pid)
            started = time.perf_counter()
            until = started + seconds
            await asyncio.gather(
                *(
                    sender(http, systems[i % 2], persons, until, tally, random.Random(i))
                    for i in range(clients)
                )
            )
            elapsed = time.perf_counter() - started
            cpu = cpu_seconds(child.pid) - cpu_before
    finally:
        child.send_signal(signal.SIGTERM)
        await child.wait()
    stored = await _stored(url, schema)
    if schema is not None:
        admin = Database(url)
        async with admin.engine.begin() as connection:
            await connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        await admin.dispose()
    accepted = len(tally.accepted)
    ms = sorted(value * 1000 for value in tally.latencies)
    return {
        "backend": backend,
        "clients": clients,
        "seconds": round(elapsed, 1),
        "accepted": accepted,
        "per_second": round(accepted / elapsed, 1),
        "p50_ms": round(statistics.median(ms), 1),
        "p99_ms": round(ms[min(len(ms) - 1, int(0.99 * len(ms)))], 1),
        "server_cpu_ms_per_submission": round(cpu / max(accepted, 1) * 1000, 2),
        "lost": tally.lost,
        "retries": tally.retries,
        "retries_not_409": tally.retry_not_409,
        "stored_signals": stored["signals"],
        "stored_distinct_references": stored["distinct"],
        "doubled": stored["signals"] - accepted + (accepted - len(set(tally.accepted))),
    }


async def _stored(url: str, schema: str | None) -> dict[str, int]:
    database = Database(url, schema=schema)
    try:
        async with database.session() as session:
            signals = (await session.execute(text("SELECT count(*) FROM signals"))).scalar_one()
            distinct = (
                await session.execute(
                    text("SELECT count(DISTINCT year * 1000000 + number) FROM signals")
                )
            ).scalar_one()
    finally:
        await database.dispose()
    return {"signals": int(signals), "distinct": int(distinct)}


def main() -> int:
    if sys.argv[1:2] == ["--serve"]:
        url, schema, port, keys = sys.argv[2:6]
        asyncio.run(serve(url, schema or None, int(port), keys))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    results = []
    for backend in backends:
        result = asyncio.run(run_backend(backend, args.seconds, args.clients))
        results.append(result)
        print(json.dumps(result))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    bad = [r for r in results if r["lost"] or r["doubled"] or r["retries_not_409"]]
    print(f"at {datetime.now(UTC).isoformat(timespec='seconds')}: {'FAILED' if bad else 'ok'}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
