"""The bot as deployed: ``avz-bot run`` in its own process, configured by a TOML file
with its secrets in the environment (benchmarks; tests that need a real process).

Besides starting and stopping it, ``BotProcess`` reads what an operator can see: the
readiness endpoint, the command latency histogram on ``/metrics``, and the process's CPU
time and resident memory from ``/proc`` (Linux).
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

import aiohttp

from avz_bot.testkit.synapse import SynapseServer


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class BotProcess:
    """``avz-bot run`` in its own process, configured like a deployment."""

    def __init__(self, base: Path, synapse: SynapseServer, user_id: str, database_url: str) -> None:
        self.base = base
        self.port = _free_port()
        self.config = base / "avz-bot.toml"
        self.config.write_text(
            f"""
[matrix]
homeserver = "{synapse.url}"
user_id = "{user_id}"
allowed_servers = ["{synapse.server_name}"]
sync_timeout_ms = 5000

[storage]
data_dir = "{base / "bot"}"
database_url = "{database_url}"

[http]
host = "127.0.0.1"
port = {self.port}

[partners]
file = "{base / "partners.toml"}"

[calendar]
office_start = "00:00:00"
office_end = "23:59:59"
working_weekdays = [0, 1, 2, 3, 4, 5, 6]
observe_holidays = false

[logging]
level = "WARNING"
""",
            encoding="utf-8",
        )
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, password: str) -> None:
        env = dict(os.environ)
        env["AVZ_MATRIX__PASSWORD"] = password
        env["AVZ_MATRIX__PICKLE_KEY"] = "bench-pickle-key-" + secrets.token_hex(8)
        exe = Path(sys.executable).with_name("avz-bot")
        self.log: IO[bytes] = open(self.base / "bot.log", "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [str(exe), "--config", str(self.config), "run"],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    async def wait_ready(self, timeout: float = 120) -> float:
        started = time.perf_counter()
        async with aiohttp.ClientSession() as http:
            while time.perf_counter() - started < timeout:
                assert self.proc is not None
                if self.proc.poll() is not None:
                    raise RuntimeError(f"bot exited; see {self.base / 'bot.log'}")
                try:
                    async with http.get(f"http://127.0.0.1:{self.port}/readyz") as response:
                        if response.status == 200:
                            return time.perf_counter() - started
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.2)
        raise TimeoutError("bot not ready")

    async def latency_sum(self) -> tuple[float, float]:
        """(sum, count) of the bot's command latency histogram."""
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"http://127.0.0.1:{self.port}/metrics") as response,
        ):
            body = await response.text()
        total = count = 0.0
        for line in body.splitlines():
            if line.startswith("avz_command_latency_seconds_sum"):
                total = float(line.split()[-1])
            elif line.startswith("avz_command_latency_seconds_count"):
                count = float(line.split()[-1])
        return total, count

    def cpu_seconds(self) -> float:
        assert self.proc is not None
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        return (int(fields[11]) + int(fields[12])) / ticks

    def rss_mb(self) -> float:
        assert self.proc is not None
        status = Path(f"/proc/{self.proc.pid}/status").read_text()
        match = re.search(r"VmRSS:\s+(\d+) kB", status)
        return int(match.group(1)) / 1024 if match else float("nan")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()
