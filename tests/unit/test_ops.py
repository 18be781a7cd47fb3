"""Single-instance lock, structured logs and the operations endpoint."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest

from avz_bot.http import OpsServer, Readiness
from avz_bot.lock import AlreadyRunningError, InstanceLock
from avz_bot.logs import JsonFormatter
from avz_bot.metrics import BotMetrics


def test_second_lock_in_another_process_is_refused(tmp_path: Path) -> None:
    with InstanceLock(tmp_path):
        code = (
            "import sys; from pathlib import Path; from avz_bot.lock import InstanceLock, AlreadyRunningError\n"
            f"try:\n    InstanceLock(Path({str(tmp_path)!r})).acquire()\nexcept AlreadyRunningError:\n    sys.exit(3)\n"
        )
        result = subprocess.run([sys.executable, "-c", code], check=False)
        assert result.returncode == 3
    # Released: a new holder gets it.
    lock = InstanceLock(tmp_path)
    lock.acquire()
    lock.release()


def test_second_lock_in_same_process_is_refused(tmp_path: Path) -> None:
    with InstanceLock(tmp_path), pytest.raises(AlreadyRunningError, match="already running"):
        InstanceLock(tmp_path).acquire()


def test_json_log_lines_carry_extras_but_not_exception_messages() -> None:
    record = logging.LogRecord("avz", logging.ERROR, __file__, 1, "command failed", None, None)
    record.event_id = "$abc"
    try:
        raise ValueError("persoonsgegevens van Jan")
    except ValueError:
        record.exc_info = sys.exc_info()
    line = JsonFormatter().format(record)
    payload = json.loads(line)
    assert payload["event"] == "command failed"
    assert payload["event_id"] == "$abc"
    assert payload["error_type"] == "ValueError"
    assert "Jan" not in line


async def test_ops_endpoints() -> None:
    metrics = BotMetrics()
    metrics.commands.labels("ping", "ok").inc()
    state = {"ready": True}

    async def readiness() -> Readiness:
        return Readiness(state["ready"], {"database": "ok" if state["ready"] else "unreachable"})

    server = OpsServer("127.0.0.1", 0, metrics, readiness)
    await server.start()
    try:
        base = f"http://127.0.0.1:{server.bound_port}"
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{base}/healthz") as resp:
                assert resp.status == 200
            async with http.get(f"{base}/readyz") as resp:
                assert resp.status == 200
            state["ready"] = False
            async with http.get(f"{base}/readyz") as resp:
                assert resp.status == 503
                assert (await resp.json())["checks"]["database"] == "unreachable"
            async with http.get(f"{base}/metrics") as resp:
                body = await resp.text()
                assert 'avz_commands_total{command="ping",outcome="ok"} 1.0' in body
                assert "avz_command_latency_seconds_bucket" in body
    finally:
        await server.stop()
