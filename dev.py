#!/usr/bin/env python3
"""Set everything up and run the demo, the tests, the linters or the benchmark.

Needs only Python 3.11+ and git: it creates ``.venv`` (the bot and its development
tools) and ``.venv-synapse`` (the local homeserver used by the demo and the tests),
installs into them from PyPI, and re-installs only when ``pyproject.toml`` or
``config/synapse-requirements.txt`` changed.

    python3 dev.py demo [--keep]     the demo: homeserver, bot and scripted partners
    python3 dev.py test [ARGS...]    the whole test suite (ARGS go to pytest)
    python3 dev.py lint              ruff, mypy and the import contracts (lint-imports)
    python3 dev.py bench [ARGS...]   !ping vs a bare nio echo bot, own processes (bench/run.py)
    python3 dev.py bench --smoke     a few rounds, as CI runs it
    python3 dev.py bench reminders [ARGS...]   10,000 reminders, a burst of 1,000
    python3 dev.py bench province [ARGS...]    a whole province, bot as deployed (bench/province.py)
    python3 dev.py bench core [ARGS...]        the core's CPU per command, in-process (bench/core.py)
    python3 dev.py bench tvo [ARGS...]         15 cases under Synapse's default rate limits
    python3 dev.py bench board [ARGS...]       the case board at province scale (bench/board.py)
    python3 dev.py bench access-log [ARGS...]  access log cost per command; the access export
    python3 dev.py bench standby [ARGS...]     takeover time and the lease's cost (bench/standby.py)
    python3 dev.py bench intake [ARGS...]      signed submissions per second (bench/intake.py)
    python3 dev.py lock              re-resolve requirements.lock and requirements-dev.lock
                                     (pinned, with hashes; run it after changing dependencies)

Installs are reproducible: ``.venv`` gets exactly the versions and files (sha256) in
``requirements-dev.lock`` (pip ``--require-hashes``), then the bot itself without
dependencies; the container image installs ``requirements.lock`` the same way.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
BOT_VENV = ROOT / ".venv"
SYNAPSE_VENV = ROOT / ".venv-synapse"
SYNAPSE_REQUIREMENTS = ROOT / "config" / "synapse-requirements.txt"
#: Runtime dependencies, pinned with hashes (the image installs these).
RUNTIME_LOCK = ROOT / "requirements.lock"
#: Runtime and development dependencies, pinned with hashes (``.venv``, the demo, CI).
DEV_LOCK = ROOT / "requirements-dev.lock"
#: The resolver ``dev.py lock`` uses (installed into ``.venv`` on demand).
UV_REQUIREMENT = "uv>=0.5"


def _python(env_dir: Path) -> Path:
    return env_dir / "bin" / "python"


def _fingerprint(*files: Path) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _ensure_venv(env_dir: Path, install_args: list[str], stamp_source: list[Path]) -> None:
    stamp = env_dir / ".avz-installed"
    wanted = _fingerprint(*stamp_source)
    if stamp.exists() and stamp.read_text() == wanted and _python(env_dir).exists():
        return
    if not _python(env_dir).exists():
        print(f"dev.py: creating {env_dir.name}", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
    print(f"dev.py: installing into {env_dir.name} (first run takes a few minutes)", flush=True)
    pip = [str(_python(env_dir)), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, *install_args], check=True, cwd=ROOT)
    if env_dir == BOT_VENV:
        # The bot itself, editable, without touching the locked dependencies.
        subprocess.run([*pip, "--no-deps", "-e", "."], check=True, cwd=ROOT)
    stamp.write_text(wanted)


#: The browser the board's end-to-end tests drive (Debian's packages; never a download of
#: Playwright's own browser build).
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")


def _ensure_chromium() -> None:
    """Install Debian's chromium and chromium-driver when missing (as root, with apt).

    Without root or apt the board's browser tests skip with the reason, except where
    ``AVZ_REQUIRE_E2E=1`` (CI), where they fail.
    """
    if CHROMIUM.exists() and CHROMEDRIVER.exists():
        return
    if os.geteuid() != 0 or not Path("/usr/bin/apt-get").exists():
        print("dev.py: chromium is missing (install chromium and chromium-driver)", flush=True)
        return
    print("dev.py: installing chromium and chromium-driver (apt-get)", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-q"], check=True, env=env)
    subprocess.run(
        ["apt-get", "install", "-y", "-q", "chromium", "chromium-driver"], check=True, env=env
    )


def setup() -> None:
    """Create or update both virtual environments, and install the test browser."""
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py may be run by an older python3
        sys.exit("dev.py: Python 3.11 or newer is required")
    _ensure_venv(
        BOT_VENV,
        ["--require-hashes", "-r", str(DEV_LOCK)],
        [ROOT / "pyproject.toml", DEV_LOCK],
    )
    _ensure_venv(SYNAPSE_VENV, ["-r", str(SYNAPSE_REQUIREMENTS)], [SYNAPSE_REQUIREMENTS])
    _ensure_chromium()


def lock(extra_args: list[str]) -> int:
    """Re-resolve both lockfiles from ``pyproject.toml`` (PyPI, hashes for every file).

    The development lock is constrained by the runtime lock, so the image and ``.venv``
    run the same versions of everything the bot imports.
    """
    py = str(_python(BOT_VENV))
    pip = [py, "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, UV_REQUIREMENT], check=True)
    # With -o, uv prefers the versions already in the file: only what pyproject.toml
    # now asks for changes (``--upgrade`` goes through ``dev.py lock --upgrade``).
    uv = [py, "-m", "uv", "pip", "compile", "--quiet", "--generate-hashes", "--universal"]
    uv += ["--python-version", "3.11", "--custom-compile-command", "python3 dev.py lock"]
    uv += extra_args
    for out, extra in ((RUNTIME_LOCK, []), (DEV_LOCK, ["--extra", "dev", "-c", str(RUNTIME_LOCK)])):
        subprocess.run([*uv, *extra, "-o", str(out), "pyproject.toml"], cwd=ROOT, check=True)
        print(f"dev.py: wrote {out.name}", flush=True)
    return 0


def _bootstrap_and_lock(extra_args: list[str]) -> int:
    """No lock and no ``.venv`` yet: create an empty one for the resolver."""
    venv.EnvBuilder(with_pip=True, clear=True).create(BOT_VENV)
    return lock(extra_args)


def _run(args: list[str]) -> int:
    env = dict(os.environ)
    env.setdefault("AVZ_SYNAPSE_PYTHON", str(_python(SYNAPSE_VENV)))
    return subprocess.run(args, cwd=ROOT, env=env).returncode


def main(argv: list[str]) -> int:
    """Dispatch ``dev.py <command> [args]``."""
    if not argv or argv[0] in {"-h", "--help"}:
        print(__doc__)
        return 0
    command, rest = argv[0], argv[1:]
    if command == "lock":  # needs only a Python with pip: no setup (it may be outdated)
        return lock(rest) if _python(BOT_VENV).exists() else _bootstrap_and_lock(rest)
    setup()
    py = str(_python(BOT_VENV))
    if command == "setup":
        return 0
    if command == "demo":
        return _run([py, "-m", "avz_bot", "demo", *rest])
    if command == "test":
        return _run([py, "-m", "pytest", *rest])
    if command == "lint":
        code = _run([py, "-m", "ruff", "check", "."])
        code |= _run([py, "-m", "ruff", "format", "--check", "."])
        code |= _run([py, "-m", "mypy"])
        return code | _run([str(BOT_VENV / "bin" / "lint-imports")])
    if command == "bench":
        if rest[:1] == ["reminders"]:
            return _run([py, "bench/reminders.py", *rest[1:]])
        if rest and rest[0] == "province":
            return _run([py, "bench/province.py", *rest[1:]])
        if rest[:1] == ["board"]:
            return _run([py, "bench/board.py", *rest[1:]])
        if rest[:1] == ["core"]:
            return _run([py, "bench/core.py", *rest[1:]])
        if rest[:1] == ["tvo"]:
            return _run([py, "bench/tvo_morning.py", *rest[1:]])
        if rest and rest[0] == "access-log":
            return _run([py, "bench/access_log.py", *rest[1:]])
        if rest[:1] == ["standby"]:
            return _run([py, "bench/standby.py", *rest[1:]])
        if rest[:1] == ["intake"]:
            return _run([py, "bench/intake.py", *rest[1:]])
        return _run([py, "bench/run.py", *rest])
    print(f"dev.py: unknown command {command!r}\n{__doc__}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
