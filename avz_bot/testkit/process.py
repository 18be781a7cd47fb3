"""Running the bot exactly as an operator does: the ``avz-bot`` console script.

``BotProcess`` writes a configuration derived from ``config/avz-bot.example.toml`` (the
file an operator copies), passes the secrets through the documented environment
variables, runs ``avz-bot db upgrade`` and then ``avz-bot run`` as a subprocess with its
stderr (the log) in a file, waits until ``/readyz`` answers 200, and stops it with
SIGTERM. Used by the end-to-end tests of the entry point and by ``avz-bot demo``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import sys
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from avz_bot.testkit.bot import TEST_PICKLE_KEY
from avz_bot.testkit.synapse import SynapseServer

#: The repository's example configuration (what an operator starts from).
EXAMPLE_CONFIG = Path(__file__).resolve().parents[2] / "config" / "avz-bot.example.toml"


class BotProcessError(Exception):
    """The bot process did not start, or exited unexpectedly; the message has the log tail."""


def free_port() -> int:
    """A free TCP port on loopback (for the operations endpoint)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def console_script() -> list[str]:
    """How to start ``avz-bot``: the console script next to this Python, else on PATH.

    Falls back to ``python -m avz_bot`` only when no console script is installed.
    """
    beside = Path(sys.executable).with_name("avz-bot")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("avz-bot")
    return [found] if found else [sys.executable, "-m", "avz_bot"]


def _toml_key(key: str) -> str:
    bare = key.replace("_", "").replace("-", "").isalnum() and key.isascii()
    return key if bare else json.dumps(key, ensure_ascii=False)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a valid TOML basic string
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    if isinstance(value, Mapping):  # an inline table (e.g. an escalation route's level)
        items = ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items())
        return "{ " + items + " }"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def to_toml(data: Mapping[str, Any]) -> str:
    """Write a two-level mapping (sections of scalars, lists and sub-tables) as TOML."""
    lines: list[str] = []

    def table(prefix: str, values: Mapping[str, Any]) -> None:
        scalars = {k: v for k, v in values.items() if not isinstance(v, Mapping)}
        tables = {k: v for k, v in values.items() if isinstance(v, Mapping)}
        if prefix:
            lines.append(f"[{prefix}]")
        lines.extend(f"{key} = {_toml_value(value)}" for key, value in scalars.items())
        lines.append("")
        for key, sub in tables.items():
            table(f"{prefix}.{key}" if prefix else key, sub)

    table("", data)
    return "\n".join(lines)


def derive_config(
    overrides: Mapping[str, Mapping[str, Any]], example: Path = EXAMPLE_CONFIG
) -> str:
    """The example configuration with ``overrides`` (section → settings) applied, as TOML."""
    data: dict[str, Any] = tomllib.loads(example.read_text(encoding="utf-8"))
    for section, values in overrides.items():
        data.setdefault(section, {}).update(values)
    return to_toml(data)


@dataclass
class BotProcess:
    """One ``avz-bot run`` subprocess in ``base`` (config, data directory and log there).

    ``overrides`` is applied to the example configuration; ``secrets`` become the
    documented ``AVZ_MATRIX__*`` environment variables.
    """

    base: Path
    overrides: dict[str, dict[str, Any]]
    password: str
    pickle_key: str = TEST_PICKLE_KEY
    env: dict[str, str] = field(default_factory=dict)
    process: asyncio.subprocess.Process | None = None
    http_port: int = 0

    @property
    def config_path(self) -> Path:
        """The TOML file the bot runs with."""
        return self.base / "avz-bot.toml"

    @property
    def log_path(self) -> Path:
        """The bot's stderr: its log (and any last-resort error line)."""
        return self.base / "avz-bot.log"

    @property
    def pid_file(self) -> Path:
        """Where the single-instance lock (holding the pid) lives."""
        data_dir = Path(str(self.overrides.get("storage", {}).get("data_dir", "data")))
        return data_dir / "avz-bot.lock"

    def log_text(self) -> str:
        """Everything the bot has logged so far."""
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def write_config(self) -> None:
        """(Re)write the configuration file, with a fresh ops port the first time."""
        self.base.mkdir(parents=True, exist_ok=True)
        if not self.http_port:
            self.http_port = free_port()
        http = {"enabled": True, "host": "127.0.0.1", "port": self.http_port}
        merged = {**self.overrides, "http": {**http, **self.overrides.get("http", {})}}
        if "intake_rooms" in merged.get("cases", {}) and "tvo_rooms" not in merged.get(
            "signals", {}
        ):
            # The example's TVO room is the example intake room: with the intake rooms
            # replaced there is no TVO room unless the caller names one.
            merged["signals"] = {**merged.get("signals", {}), "tvo_rooms": {}}
        self.config_path.write_text(derive_config(merged), encoding="utf-8")

    def _environment(self) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith("AVZ_") or key == "AVZ_SYNAPSE_PYTHON"
        }
        if self.password:  # empty: a token-only login (no password in the environment)
            env["AVZ_MATRIX__PASSWORD"] = self.password
        env["AVZ_MATRIX__PICKLE_KEY"] = self.pickle_key
        env.update(self.env)
        return env

    async def cli(self, *args: str, timeout: float = 120) -> tuple[int, str]:
        """Run ``avz-bot --config <file> <args>`` to completion; (exit code, output)."""
        self.write_config()
        proc = await asyncio.create_subprocess_exec(
            *console_script(),
            "--config",
            str(self.config_path),
            *args,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            env=self._environment(),
        )
        out, _ = await asyncio.wait_for(proc.communicate(), timeout=timeout)
        return int(proc.returncode or 0), out.decode(errors="replace")

    async def start(self, *, upgrade: bool = True, timeout: float = 90) -> None:
        """``avz-bot db upgrade`` (optional), then ``avz-bot run``; wait until ready.

        Raises ``BotProcessError`` (with the log tail) if the process exits or does
        not become ready within ``timeout`` seconds.
        """
        if upgrade:
            code, out = await self.cli("db", "upgrade")
            if code != 0:
                raise BotProcessError(f"avz-bot db upgrade exited with {code}: {out[-2000:]}")
        self.write_config()
        log = self.log_path.open("ab")
        try:
            self.process = await asyncio.create_subprocess_exec(
                *console_script(),
                "--config",
                str(self.config_path),
                "run",
                stdout=log,
                stderr=log,
                env=self._environment(),
            )
        finally:
            log.close()
        await self.wait_ready(timeout)

    async def readyz(self) -> tuple[int, dict[str, Any]]:
        """``/readyz``: (HTTP status, body); raises ``aiohttp.ClientError`` if unreachable."""
        url = f"http://127.0.0.1:{self.http_port}/readyz"
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http,
            http.get(url) as response,
        ):
            return response.status, dict(await response.json())

    async def metrics(self) -> str:
        """The Prometheus text of ``/metrics``."""
        url = f"http://127.0.0.1:{self.http_port}/metrics"
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http,
            http.get(url) as response,
        ):
            return await response.text()

    async def wait_ready(self, timeout: float = 90) -> None:
        """Poll ``/readyz`` until it answers 200 (see ``start`` for errors)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            if self.process is None or self.process.returncode is not None:
                code = None if self.process is None else self.process.returncode
                raise BotProcessError(f"avz-bot run exited with {code}: {self.log_text()[-3000:]}")
            with contextlib.suppress(aiohttp.ClientError, OSError, ValueError):
                status, _ = await self.readyz()
                if status == 200:
                    return
            await asyncio.sleep(0.3)
        raise BotProcessError(f"avz-bot run not ready after {timeout}s: {self.log_text()[-3000:]}")

    def signal(self, sig: int) -> None:
        """Send ``sig`` to the running bot."""
        if self.process is None or self.process.returncode is not None:
            raise BotProcessError("the bot is not running")
        self.process.send_signal(sig)

    async def stop(self, timeout: float = 60) -> int:
        """SIGTERM, wait; return the exit code (SIGKILL and raise after ``timeout``)."""
        process = self.process
        if process is None:
            return 0
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), timeout=timeout)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                await process.wait()
                raise BotProcessError(
                    f"avz-bot did not stop within {timeout}s of SIGTERM"
                ) from None
        return int(process.returncode or 0)


#: The repository's example partner registry.
EXAMPLE_PARTNERS = EXAMPLE_CONFIG.with_name("partners.example.toml")


def derive_partners(members: list[dict[str, Any]], example: Path = EXAMPLE_PARTNERS) -> str:
    """The example registry's organisations with ``members`` instead of its members."""
    data = tomllib.loads(example.read_text(encoding="utf-8"))
    chunks: list[str] = []
    for kind, rows in (("organisations", data.get("organisations", [])), ("members", members)):
        for row in rows:
            body = "\n".join(f"{key} = {_toml_value(value)}" for key, value in row.items())
            chunks.append(f"[[{kind}]]\n{body}\n")
    return "\n".join(chunks)


def operator_overrides(
    homeserver: str,
    server_name: str,
    bot_id: str,
    base: Path,
    level: str = "INFO",
    **sections: dict[str, Any],
) -> dict[str, dict[str, Any]]:
    """The values of the example configuration an operator changes, plus ``sections``.

    Data directory and partner file under ``base``; SQLite unless ``storage`` says
    otherwise; JSON logs at ``level``.
    """
    overrides: dict[str, dict[str, Any]] = {
        "matrix": {
            "homeserver": homeserver,
            "user_id": bot_id,
            "allowed_servers": [server_name],
            "sync_timeout_ms": 5000,
            "max_backoff_seconds": 2,
        },
        "storage": {"data_dir": str(base / "data"), "database_url": ""},
        "partners": {"file": str(base / "partners.toml")},
        "logging": {"level": level, "format": "json"},
    }
    for section, values in sections.items():
        overrides.setdefault(section, {}).update(values)
    return overrides


def member_entry(
    matrix_id: str,
    organisation: str,
    display_name: str = "Test",
    roles: tuple[str, ...] = ("professional",),
) -> dict[str, Any]:
    """One ``[[members]]`` entry for :func:`derive_partners`."""
    return {
        "matrix_id": matrix_id,
        "display_name": display_name,
        "organisation": organisation,
        "roles": list(roles),
    }


async def new_bot_account(synapse: SynapseServer, *, rate_limited: bool = False) -> tuple[str, str]:
    """Register a bot account: (user id, password).

    Without rate limits for messages, as the README's deployment steps advise, unless
    ``rate_limited`` (then Synapse's limits for this account stay as configured).
    """
    password = secrets.token_urlsafe(16)
    bot_id = await synapse.register_user(f"avz-bot-{secrets.token_hex(4)}", password)
    if not rate_limited:
        await synapse.override_ratelimit(bot_id)
    return bot_id, password
