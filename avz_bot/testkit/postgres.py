"""A private, throwaway PostgreSQL cluster for fault tests (stopped and started at will).

Never the shared server: the cluster lives in its own temporary directory, listens on
its own free loopback port and a private socket directory, and is removed afterwards.
``initdb`` and ``pg_ctl`` come from the system's PostgreSQL (``pg_config --bindir`` or
``/usr/lib/postgresql/<version>/bin``). PostgreSQL refuses to run as root, so when the
tests run as root the cluster's commands run as the ``postgres`` system user.
"""

from __future__ import annotations

import asyncio
import contextlib
import glob
import os
import pwd
import shutil
import socket
import tempfile
from pathlib import Path


class PostgresNotFoundError(Exception):
    """No usable PostgreSQL server binaries (or no non-root user to run them)."""


def find_postgres_bindir() -> Path:
    """The directory holding ``initdb`` and ``pg_ctl`` (the newest version found)."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2] or 0)
    )
    config = shutil.which("pg_config")
    paths = [Path(p) for p in reversed(candidates)]
    if config:
        paths.append(Path(config).parent)
    for path in paths:
        if (path / "initdb").exists() and (path / "pg_ctl").exists():
            return path
    raise PostgresNotFoundError("initdb/pg_ctl not found (install the PostgreSQL server)")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PrivatePostgres:
    """One PostgreSQL cluster on ``127.0.0.1:<port>`` with trust authentication."""

    def __init__(self) -> None:
        self._bindir = find_postgres_bindir()
        self._run_as: list[str] = []
        self._owner: pwd.struct_passwd | None = None
        if os.geteuid() == 0:
            try:
                self._owner = pwd.getpwnam("postgres")
            except KeyError:
                raise PostgresNotFoundError("running as root and no 'postgres' user") from None
            self._run_as = ["runuser", "-u", "postgres", "--"]
        self.base = Path(tempfile.mkdtemp(prefix="avz-pg-"))
        self.port = _free_port()
        self._initialised = False

    @property
    def data_dir(self) -> Path:
        """The cluster's data directory."""
        return self.base / "data"

    @property
    def url(self) -> str:
        """The SQLAlchemy URL of the cluster's ``postgres`` database (asyncpg)."""
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    @property
    def log_path(self) -> Path:
        """PostgreSQL's own log."""
        return self.base / "postgres.log"

    async def _run(self, *args: str) -> None:
        proc = await asyncio.create_subprocess_exec(
            *self._run_as,
            *args,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            cwd=str(self.base),
        )
        out, _ = await asyncio.wait_for(proc.communicate(), timeout=120)
        if proc.returncode != 0:
            raise RuntimeError(f"{Path(args[0]).name} failed: {out.decode(errors='replace')}")

    async def start(self) -> None:
        """Create the cluster (first time) and start it; returns when it accepts connections."""
        if not self._initialised:
            if self._owner is not None:
                os.chown(self.base, self._owner.pw_uid, self._owner.pw_gid)
            await self._run(
                str(self._bindir / "initdb"),
                "-D",
                str(self.data_dir),
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
            )
            self._initialised = True
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.base} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        await self._run(
            str(self._bindir / "pg_ctl"),
            "-D",
            str(self.data_dir),
            "-l",
            str(self.log_path),
            "-o",
            options,
            "-w",
            "start",
        )

    async def stop(self) -> None:
        """Stop the cluster (fast shutdown: open connections are cut, like an outage)."""
        await self._run(
            str(self._bindir / "pg_ctl"), "-D", str(self.data_dir), "-m", "fast", "-w", "stop"
        )

    async def destroy(self) -> None:
        """Stop (if running) and delete the cluster."""
        if self._initialised and (self.data_dir / "postmaster.pid").exists():
            with contextlib.suppress(RuntimeError):
                await self.stop()
        shutil.rmtree(self.base, ignore_errors=True)
