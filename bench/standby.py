"""Warm standby: takeover time after kill -9, and what the lease costs per command.

    python3 dev.py bench standby [--runs 10] [--commands 30] [--lease 6]

Everything real and on loopback: a throwaway Synapse, a private PostgreSQL cluster, the
bots as ``avz-bot run`` processes (README, "Warm standby"; the standby prepared with
``avz-bot restore --new-device``). Prints:

* takeover: ``--runs`` times, SIGKILL the active process and time from the kill to the
  answer of a ``!ping`` sent right after it (the killed process is restarted as the new
  standby between runs); p50 and max;
* lease cost: ``--commands`` ``!ping`` round trips, one at a time, (a) one process with
  no standby, (b) the active process of a pair, same database, same run: median round
  trip (wall clock: unreliable on a loaded machine) and the bot process's CPU per command
  (utime + stime from /proc: usable on a loaded machine).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from avz_bot.testkit.partner.client import PartnerClient
from avz_bot.testkit.postgres import PrivatePostgres
from avz_bot.testkit.process import (
    BotProcess,
    derive_partners,
    member_entry,
    new_bot_account,
    operator_overrides,
)
from avz_bot.testkit.synapse import SynapseServer

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """utime + stime of ``pid`` (seconds)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def bot(
    base: Path, hs: SynapseServer, bot_id: str, pw: str, url: str, lease: float | None, name: str
) -> BotProcess:
    sections: dict[str, dict[str, Any]] = {"storage": {"database_url": url}}
    if lease is not None:
        sections["standby"] = {"enabled": True, "lease_seconds": lease, "instance_name": name}
    overrides = operator_overrides(hs.url, hs.server_name, bot_id, base, "WARNING", **sections)
    overrides["partners"] = {"file": str(base.parent / "partners.toml")}
    return BotProcess(base, overrides, pw, env={"AVZ_BACKUP_PASSPHRASE": "bench passphrase 123"})


async def round_trips(
    proc: BotProcess, partner: PartnerClient, room: str, bot_id: str, n: int
) -> tuple[float, float]:
    """(median round trip ms, CPU ms per command of the bot process)."""
    assert proc.process is not None
    await partner.send_and_wait(room, "!ping", reply_from=bot_id, timeout=60)  # warm
    cpu = cpu_seconds(proc.process.pid)
    times = []
    for _ in range(n):
        started = time.perf_counter()
        await partner.send_and_wait(room, "!ping", reply_from=bot_id, timeout=60)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), (cpu_seconds(proc.process.pid) - cpu) * 1000 / n


async def role(proc: BotProcess) -> str:
    _, body = await proc.readyz()
    return str(body["checks"].get("role"))


async def main(runs: int, commands: int, lease: float) -> None:
    base = Path(tempfile.mkdtemp(prefix="avz-bench-standby-"))
    async with SynapseServer(base / "synapse") as hs:
        pg = PrivatePostgres()
        await pg.start()
        try:
            bot_id, pw = await new_bot_account(hs)
            partner_pw = secrets.token_urlsafe(12)
            partner_id = await hs.register_user(f"bench-{secrets.token_hex(3)}", partner_pw)
            partner = await PartnerClient.create(hs.url, partner_id, partner_pw, base / "p")
            (base / "partners.toml").write_text(
                derive_partners([member_entry(partner_id, "politie")]), encoding="utf-8"
            )
            single = bot(base / "single", hs, bot_id, pw, pg.url, None, "single")
            await single.start()
            room = await partner.create_encrypted_room(name="bench", invite=[bot_id])
            await partner.wait_for_join(room, bot_id, timeout=60)
            plain = await round_trips(single, partner, room, bot_id, commands)
            await single.stop()

            a = bot(base / "single", hs, bot_id, pw, pg.url, lease, "host-a")  # same device
            await a.start(upgrade=False)
            archive = base / "identity.backup"
            assert (await a.cli("backup", "--out", str(archive)))[0] == 0
            b = bot(base / "b", hs, bot_id, pw, pg.url, lease, "host-b")
            assert (await b.cli("restore", str(archive), "--new-device"))[0] == 0
            await b.start(upgrade=False)
            leased = await round_trips(a, partner, room, bot_id, commands)

            takeovers = []
            active, standby = a, b
            for _ in range(runs):
                assert await role(active) == "active" and await role(standby) == "standby"
                assert active.process is not None
                killed = time.perf_counter()
                active.process.kill()
                await partner.send_and_wait(room, "!ping", reply_from=bot_id, timeout=300)
                takeovers.append(time.perf_counter() - killed)
                await active.process.wait()
                await active.start(upgrade=False)  # back as the standby
                active, standby = standby, active
            await active.stop()
            await standby.stop()
            await partner.close()
        finally:
            await pg.destroy()
    takeovers.sort()
    print(
        f"takeover after kill -9 (lease {lease:.0f} s, {runs} runs): "
        f"p50 {statistics.median(takeovers):.1f} s, max {takeovers[-1]:.1f} s "
        f"(kill to the answer of a !ping sent right after it)"
    )
    print(f"!ping, {commands} one at a time   round trip median   bot CPU per command")
    print(f"  single process (no lease)     {plain[0]:8.0f} ms        {plain[1]:6.1f} ms")
    print(f"  active of a pair (lease)      {leased[0]:8.0f} ms        {leased[1]:6.1f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--commands", type=int, default=30)
    parser.add_argument("--lease", type=float, default=6.0)
    args = parser.parse_args()
    asyncio.run(main(args.runs, args.commands, args.lease))
