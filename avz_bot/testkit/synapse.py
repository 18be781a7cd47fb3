"""A throw-away Synapse homeserver on loopback for the tests, the demo and the benchmarks.

``SynapseServer`` writes a minimal configuration (SQLite, one plain-HTTP listener on
127.0.0.1, registration closed except through the shared-secret admin API, every rate
limit raised out of the way), starts Synapse as a subprocess and waits until the client
API answers. Synapse runs from its own virtual environment (``.venv-synapse``) so that
its pinned dependencies never clash with the bot's.

The configuration is written as JSON, which is valid YAML: the bot's environment needs
no YAML library for it.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import importlib.util
import json
import os
import secrets
import signal
import socket
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import Any, Self
from urllib.parse import quote

import aiohttp

__all__ = [
    "RegistrationError",
    "SynapseError",
    "SynapseNotFoundError",
    "SynapseServer",
    "find_synapse_python",
]

#: The environment variable naming the Python interpreter that has Synapse installed.
SYNAPSE_PYTHON_ENV = "AVZ_SYNAPSE_PYTHON"

#: The repository root: the parent of the ``avz_bot`` package directory.
_REPO_ROOT = Path(__file__).resolve().parent.parent.parent

#: "As good as unlimited" for Synapse's token buckets.
_UNLIMITED: dict[str, float] = {"per_second": 100_000, "burst_count": 100_000}

#: Every client-facing rate limiter of Synapse 1.163 (see synapse/config/ratelimiting.py).
#: The defaults are far too strict for tests that create many rooms, log in many
#: devices and invite the same user again and again (``rc_invites.per_user`` allows
#: 5 invitations and then one every 5 minutes; ``rc_login.account`` 5 logins and then
#: one every 5 minutes; ``rc_room_creation`` 10 rooms and then one a minute).
_RATE_LIMITS: dict[str, Any] = {
    "rc_message": _UNLIMITED,
    "rc_registration": _UNLIMITED,
    "rc_registration_token_validity": _UNLIMITED,
    "rc_login": {
        "address": _UNLIMITED,
        "account": _UNLIMITED,
        "failed_attempts": _UNLIMITED,
    },
    "rc_admin_redaction": _UNLIMITED,
    "rc_joins": {"local": _UNLIMITED, "remote": _UNLIMITED},
    "rc_joins_per_room": _UNLIMITED,
    "rc_key_requests": _UNLIMITED,
    "rc_3pid_validation": _UNLIMITED,
    "rc_invites": {
        "per_room": _UNLIMITED,
        "per_user": _UNLIMITED,
        "per_issuer": _UNLIMITED,
    },
    "rc_third_party_invite": _UNLIMITED,
    "rc_media_create": _UNLIMITED,
    "rc_presence": {"per_user": _UNLIMITED},
    "rc_delayed_event_mgmt": _UNLIMITED,
    "rc_room_creation": _UNLIMITED,
    "rc_reports": _UNLIMITED,
    "rc_user_directory": _UNLIMITED,
    "rc_profile": _UNLIMITED,
}

_STARTUP_TIMEOUT = 60.0
_STOP_TIMEOUT = 15.0
_REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=30)


class SynapseError(RuntimeError):
    """The homeserver could not be found, started, stopped or used."""


class SynapseNotFoundError(SynapseError):
    """No Python interpreter with Synapse installed was found."""


class RegistrationError(SynapseError):
    """Synapse refused to register a user (``errcode`` says why, e.g. ``M_USER_IN_USE``)."""

    def __init__(self, message: str, errcode: str | None) -> None:
        super().__init__(message)
        self.errcode = errcode


def find_synapse_python(python: str | None = None) -> str:
    """Return the interpreter that runs Synapse.

    In order: ``python`` if given, else the environment variable ``AVZ_SYNAPSE_PYTHON``,
    else ``<repo>/.venv-synapse/bin/python``, else the current interpreter if it can
    import ``synapse``. Raises ``SynapseNotFoundError`` saying what was tried otherwise.
    """
    tried: list[str] = []
    for source, candidate in (
        ("argument", python),
        (SYNAPSE_PYTHON_ENV, os.environ.get(SYNAPSE_PYTHON_ENV) or None),
    ):
        if candidate is None:
            continue
        if os.access(candidate, os.X_OK) and Path(candidate).is_file():
            return candidate
        raise SynapseNotFoundError(
            f"the Synapse interpreter given by {source} ({candidate}) is not an executable file"
        )
    venv_python = _REPO_ROOT / ".venv-synapse" / "bin" / "python"
    tried.append(str(venv_python))
    if os.access(venv_python, os.X_OK):
        return str(venv_python)
    tried.append(f"{sys.executable} (import synapse)")
    if importlib.util.find_spec("synapse") is not None:
        return sys.executable
    raise SynapseNotFoundError(
        "no Python with Synapse installed was found (tried: "
        + ", ".join(tried)
        + f"); run `python3 dev.py setup` or set {SYNAPSE_PYTHON_ENV}"
    )


def _free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return f"({path.name} does not exist)"
    return "\n".join(text.splitlines()[-lines:]) or f"({path.name} is empty)"


def _signing_key_line() -> str:
    """A fresh ed25519 signing key in Synapse's file format (any 32 bytes are a seed)."""
    seed = base64.b64encode(secrets.token_bytes(32)).decode("ascii").rstrip("=")
    return f"ed25519 a_{secrets.token_hex(2)} {seed}\n"


class SynapseServer:
    """One Synapse homeserver on 127.0.0.1, its data kept in ``base_dir``.

    Use as ``async with SynapseServer(path) as hs:`` or call ``start``/``stop``. An
    internal admin user is registered on the first start (for the admin API).
    """

    def __init__(
        self,
        base_dir: Path,
        *,
        server_name: str = "avz.test",
        python: str | None = None,
        default_message_limits: bool = False,
        default_limits: tuple[str, ...] = (),
    ) -> None:
        self._base_dir = Path(base_dir)
        # Limiters kept at Synapse's defaults (keys of _RATE_LIMITS; rc_message with
        # default_message_limits), as deployed; exempt users get ``override_ratelimit``.
        self._default_limits = (*default_limits, *(("rc_message",) * default_message_limits))
        self._server_name = server_name
        self._explicit_python = python
        self._port: int | None = None
        self._process: asyncio.subprocess.Process | None = None
        self._shared_secret = secrets.token_urlsafe(32)
        self._admin_token: str | None = None
        self._admin_user_id: str | None = None
        self._config_written = False
        self.startup_seconds: float | None = None
        """How long the last ``start`` or ``restart`` took until the API answered."""

    # ------------------------------------------------------------------ properties
    @property
    def server_name(self) -> str:
        """The homeserver's name (the part after the colon in user ids)."""
        return self._server_name

    @property
    def port(self) -> int:
        """The loopback TCP port (known after ``start``)."""
        if self._port is None:
            raise SynapseError("SynapseServer.start() has not been called")
        return self._port

    @property
    def url(self) -> str:
        """The client-server API base URL, ``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_dir(self) -> Path:
        """The directory holding config, database, media and logs."""
        return self._base_dir

    @property
    def log_path(self) -> Path:
        """Synapse's own log file (WARNING and above)."""
        return self._base_dir / "homeserver.log"

    @property
    def running(self) -> bool:
        """Whether the Synapse process is alive."""
        return self._process is not None and self._process.returncode is None

    def user_id(self, localpart: str) -> str:
        """The full user id for ``localpart`` on this server."""
        return f"@{localpart}:{self._server_name}"

    # ------------------------------------------------------------------ lifecycle
    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def start(self) -> None:
        """Write the configuration (first time only), start Synapse and wait until ready.

        Raises ``SynapseError`` with the tail of Synapse's logs if it does not come up
        within 60 seconds.
        """
        if self.running:
            return
        python = find_synapse_python(self._explicit_python)
        if not self._config_written:
            self._port = _free_loopback_port()
            self._write_config()
            self._config_written = True
        await self._spawn(python)
        if self._admin_token is None:
            localpart = f"avz-testkit-admin-{secrets.token_hex(4)}"
            password = secrets.token_urlsafe(24)
            self._admin_user_id, self._admin_token = await self._register(
                localpart, password, admin=True
            )

    async def stop(self) -> None:
        """Stop Synapse: SIGTERM, then SIGKILL if it has not exited after 15 seconds."""
        process = self._process
        if process is None:
            return
        self._process = None
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), timeout=_STOP_TIMEOUT)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                await asyncio.wait_for(process.wait(), timeout=_STOP_TIMEOUT)

    async def kill(self) -> None:
        """Kill Synapse with SIGKILL, like a crash (``start`` brings it back)."""
        process = self._process
        if process is None:
            return
        self._process = None
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
        await asyncio.wait_for(process.wait(), timeout=_STOP_TIMEOUT)

    async def restart(self) -> None:
        """Stop and start again with the same data, configuration and port."""
        await self.stop()
        await self.start()

    # ------------------------------------------------------------------ admin API
    async def register_user(self, localpart: str, password: str, *, admin: bool = False) -> str:
        """Register ``localpart`` through the shared-secret admin API; return the user id.

        Raises ``RegistrationError`` (``errcode`` ``M_USER_IN_USE``) if it already exists.
        """
        user_id, _token = await self._register(localpart, password, admin=admin)
        return user_id

    @property
    def admin_token(self) -> str | None:
        """The internal admin user's access token (``None`` before ``start``)."""
        return self._admin_token

    async def override_ratelimit(self, user_id: str) -> None:
        """Exempt ``user_id`` from message rate limiting (admin API)."""
        await self.admin_request(
            "POST",
            f"/_synapse/admin/v1/users/{quote(user_id, safe='')}/override_ratelimit",
            {"messages_per_second": 0, "burst_count": 0},
        )

    async def admin_request(
        self, method: str, path: str, body: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Call the homeserver as the internal admin user; return the JSON response.

        Raises ``SynapseError`` on a non-2xx answer.
        """
        if self._admin_token is None:
            raise SynapseError("SynapseServer.start() has not been called")
        headers = {"Authorization": f"Bearer {self._admin_token}"}
        async with (
            aiohttp.ClientSession(timeout=_REQUEST_TIMEOUT) as session,
            session.request(method, self.url + path, json=body, headers=headers) as response,
        ):
            data = await _json_or_empty(response)
            if response.status >= 300:
                raise SynapseError(
                    f"{method} {path} failed: HTTP {response.status} "
                    f"{data.get('errcode')} {data.get('error')}"
                )
            return data

    async def _register(self, localpart: str, password: str, *, admin: bool) -> tuple[str, str]:
        endpoint = self.url + "/_synapse/admin/v1/register"
        async with aiohttp.ClientSession(timeout=_REQUEST_TIMEOUT) as session:
            async with session.get(endpoint) as response:
                data = await _json_or_empty(response)
                if response.status != 200 or "nonce" not in data:
                    raise RegistrationError(
                        f"cannot get a registration nonce: HTTP {response.status} "
                        f"{data.get('errcode')} {data.get('error')}",
                        data.get("errcode"),
                    )
                nonce = str(data["nonce"])
            mac = hmac.new(self._shared_secret.encode("utf-8"), digestmod=hashlib.sha1)
            for part in (nonce, localpart, password):
                mac.update(part.encode("utf-8"))
                mac.update(b"\x00")
            mac.update(b"admin" if admin else b"notadmin")
            body = {
                "nonce": nonce,
                "username": localpart,
                "password": password,
                "admin": admin,
                "mac": mac.hexdigest(),
            }
            async with session.post(endpoint, json=body) as response:
                data = await _json_or_empty(response)
                if response.status != 200:
                    errcode = data.get("errcode")
                    if errcode == "M_USER_IN_USE":
                        message = f"user {self.user_id(localpart)} is already registered"
                    else:
                        message = (
                            f"registering {self.user_id(localpart)} failed: "
                            f"HTTP {response.status} {errcode} {data.get('error')}"
                        )
                    raise RegistrationError(message, errcode)
                return str(data["user_id"]), str(data["access_token"])

    # ------------------------------------------------------------------ internals
    def _write_config(self) -> None:
        base = self._base_dir
        base.mkdir(parents=True, exist_ok=True)
        (base / "media").mkdir(exist_ok=True)
        signing_key = base / "signing.key"
        if not signing_key.exists():
            signing_key.write_text(_signing_key_line(), encoding="ascii")
        log_config = {
            "version": 1,
            "formatters": {"precise": {"format": "%(asctime)s %(name)s %(levelname)s %(message)s"}},
            "handlers": {
                "file": {
                    "class": "logging.FileHandler",
                    "formatter": "precise",
                    "filename": str(self.log_path),
                    "encoding": "utf8",
                }
            },
            "root": {"level": "WARNING", "handlers": ["file"]},
            "disable_existing_loggers": False,
        }
        (base / "log_config.yaml").write_text(json.dumps(log_config, indent=2), encoding="utf-8")
        config: dict[str, Any] = {
            "server_name": self._server_name,
            "public_baseurl": f"http://127.0.0.1:{self._port}/",
            "pid_file": str(base / "homeserver.pid"),
            "listeners": [
                {
                    "port": self._port,
                    "bind_addresses": ["127.0.0.1"],
                    "type": "http",
                    "tls": False,
                    "x_forwarded": False,
                    "resources": [{"names": ["client", "openid"], "compress": False}],
                }
            ],
            "database": {
                "name": "sqlite3",
                "args": {"database": str(base / "homeserver.db")},
            },
            "log_config": str(base / "log_config.yaml"),
            "media_store_path": str(base / "media"),
            "signing_key_path": str(signing_key),
            "enable_registration": False,
            "registration_shared_secret": self._shared_secret,
            "macaroon_secret_key": secrets.token_urlsafe(32),
            "form_secret": secrets.token_urlsafe(32),
            "report_stats": False,
            "enable_metrics": False,
            "suppress_key_server_warning": True,
            "trusted_key_servers": [],
            # Nothing leaves loopback: no federation with anyone.
            "federation_domain_whitelist": [],
            # Cheap password hashing: registering and logging in many test users.
            "bcrypt_rounds": 4,
            # Presence only adds sync traffic; the bot does not use it.
            "presence": {"enabled": False},
            "url_preview_enabled": False,
            **_RATE_LIMITS,
        }
        for key in self._default_limits:
            config.pop(key, None)
        (base / "homeserver.yaml").write_text(json.dumps(config, indent=2), encoding="utf-8")

    async def _spawn(self, python: str) -> None:
        base = self._base_dir
        stdout_path = base / "synapse.stdout.log"
        started = time.perf_counter()
        with stdout_path.open("ab") as stdout:
            self._process = await asyncio.create_subprocess_exec(
                python,
                "-m",
                "synapse.app.homeserver",
                "--config-path",
                str(base / "homeserver.yaml"),
                cwd=str(base),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=stdout,
                stderr=asyncio.subprocess.STDOUT,
                # Its own process group: a Ctrl-C in a terminal reaches only us, and we
                # stop Synapse in order.
                start_new_session=True,
            )
        try:
            await self._wait_ready(stdout_path)
        except BaseException:
            await self.stop()
            raise
        self.startup_seconds = time.perf_counter() - started

    async def _wait_ready(self, stdout_path: Path) -> None:
        process = self._process
        assert process is not None
        deadline = time.monotonic() + _STARTUP_TIMEOUT
        probe = f"{self.url}/_matrix/client/versions"
        timeout = aiohttp.ClientTimeout(total=2)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            while True:
                if process.returncode is not None:
                    raise SynapseError(
                        f"Synapse exited with code {process.returncode} during start-up.\n"
                        f"--- {stdout_path}:\n{_tail(stdout_path)}\n"
                        f"--- {self.log_path}:\n{_tail(self.log_path)}"
                    )
                with contextlib.suppress(aiohttp.ClientError, TimeoutError, OSError):
                    async with session.get(probe) as response:
                        if response.status == 200:
                            return
                if time.monotonic() > deadline:
                    raise SynapseError(
                        f"Synapse did not answer on {probe} within {_STARTUP_TIMEOUT:.0f} s.\n"
                        f"--- {stdout_path}:\n{_tail(stdout_path)}\n"
                        f"--- {self.log_path}:\n{_tail(self.log_path)}"
                    )
                await asyncio.sleep(0.05)


async def _json_or_empty(response: aiohttp.ClientResponse) -> dict[str, Any]:
    try:
        data = await response.json(content_type=None)
    except (ValueError, aiohttp.ContentTypeError):
        return {}
    return data if isinstance(data, dict) else {}
