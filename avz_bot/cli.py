"""The ``avz-bot`` command line: run, demo, check-config, db upgrade/status."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from avz_bot import __version__, signal_keys
from avz_bot.settings import ConfigError, Settings, load_settings

DEFAULT_CONFIG = Path("config/avz-bot.toml")


def _config_path(arg: str | None) -> Path:
    if arg:
        return Path(arg)
    env = os.environ.get("AVZ_CONFIG")
    return Path(env) if env else DEFAULT_CONFIG


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and the README)."""
    parser = argparse.ArgumentParser(
        prog="avz-bot",
        description="Matrix bot of the Actiecentrum Veiligheid & Zorg.",
    )
    parser.add_argument("--version", action="version", version=f"avz-bot {__version__}")
    parser.add_argument(
        "--config",
        metavar="PATH",
        help=f"configuration file (TOML); default: $AVZ_CONFIG or {DEFAULT_CONFIG}",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("run", help="run the bot against the configured homeserver")
    demo = sub.add_parser(
        "demo",
        help="start a throwaway local homeserver, the bot and scripted partners; print the transcript",
    )
    demo.add_argument(
        "--keep", action="store_true", help="leave the homeserver and bot running afterwards"
    )
    sub.add_parser(
        "check-config", help="validate the configuration and partner registry, then exit"
    )
    partners = sub.add_parser("partners", help="the partner registry of the running bot")
    partners_sub = partners.add_subparsers(dest="partners_command", required=True, metavar="ACTION")
    partners_sub.add_parser(
        "reload",
        help="validate the partner file, then make the running bot apply it (SIGHUP)",
    )
    db = sub.add_parser("db", help="database schema management")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_sub.add_parser("upgrade", help="apply all migrations (creates the database if needed)")
    db_sub.add_parser("status", help="show the schema revision of the database and of this code")
    identity = sub.add_parser("identity", help="the bot's cross-signing identity")
    identity_sub = identity.add_subparsers(dest="identity_command", required=True, metavar="ACTION")
    identity_sub.add_parser(
        "show", help="print the master key fingerprint to compare when verifying the bot"
    )
    reset = identity_sub.add_parser(
        "reset",
        help="replace the cross-signing keys (after losing them); everyone must verify again",
    )
    reset.add_argument("--yes", action="store_true", help="really replace the keys")
    report = sub.add_parser(
        "report", help="write the trend report (PNG charts, CSV tables, HTML) to a directory"
    )
    report.add_argument(
        "--period", default=None, help='e.g. 2026, 2026-Q3, 2026-11, "vorige maand" (default)'
    )
    report.add_argument("--municipality", default=None, help="only this municipality")
    report.add_argument("--out", required=True, type=Path, metavar="DIR", help="output directory")
    signal_keys.add_parser(sub)
    return parser


RESET_WARNING = (
    "This replaces the bot's cross-signing keys. Everyone who verified the bot will see it "
    "as unverified and must verify it again (compare the new fingerprint). Use it only when "
    "the keys are lost (data directory gone) or compromised. Stop the bot first."
)


async def _identity(settings: Settings, action: str, yes: bool) -> int:
    from avz_bot.matrix.signing import fingerprint, read_master_public

    path = settings.cross_signing_key_path
    if action == "show":
        master = read_master_public(path)
        if master is None:
            print(f"no cross-signing keys in {path}; the bot creates them at its first start")
            return 1
        print(f"bot:         {settings.matrix.user_id}")
        print(f"master key:  {master}")
        print(f"fingerprint: {fingerprint(master)}")
        return 0
    if not yes:
        return _fail(f"{RESET_WARNING} Add --yes to go ahead.")
    print(f"WARNING: {RESET_WARNING}", file=sys.stderr)
    import aiohttp

    from avz_bot.clock import SystemClock
    from avz_bot.lock import InstanceLock
    from avz_bot.matrix.adapter import MatrixAdapter
    from avz_bot.matrix.identity import IdentityError
    from avz_bot.metrics import BotMetrics

    settings.storage.data_dir.mkdir(parents=True, exist_ok=True)
    with InstanceLock(settings.storage.data_dir):
        adapter = MatrixAdapter(
            settings.matrix, settings.storage.data_dir, SystemClock(), BotMetrics()
        )
        try:
            await adapter.connect()
            manager = adapter.identity_manager(path, settings.matrix.key_file_secret)
            async with aiohttp.ClientSession() as http:
                status = await manager.reset(http)
        except IdentityError as exc:
            return _fail(str(exc), 1)
        finally:
            await adapter.close()
    print(f"new master key fingerprint: {fingerprint(status.master_public)}")
    return 0


def _fail(message: str, code: int = 2) -> int:
    print(f"avz-bot: {message}", file=sys.stderr)
    return code


async def _run(settings: Settings) -> int:
    from avz_bot.app import Application
    from avz_bot.clock import Clock, OffsetFileClock, SystemClock

    offset_file = settings.bot.clock_offset_file
    clock: Clock = OffsetFileClock(offset_file) if offset_file else SystemClock()
    app = Application(settings, clock)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, app.stop)
    loop.add_signal_handler(signal.SIGHUP, app.request_reload)
    await app.run()
    return 0


#: How long ``avz-bot partners reload`` waits for the running bot's answer (seconds).
RELOAD_WAIT_SECONDS = 60.0


async def _partners_reload(settings: Settings) -> int:
    """Validate the partner file here, then signal the running instance and wait for its
    one-line report. Exit codes: 0 applied, 1 not applied (bot not running, database
    away, timeout), 2 invalid file (nothing was signalled)."""
    import fcntl

    from avz_bot.app import RELOAD_STATUS_FILE
    from avz_bot.partners_config import load_partners

    orgs, members = load_partners(settings.partners.file)  # ConfigError: one line, exit 2
    data_dir = settings.storage.data_dir
    lock_path = data_dir / "avz-bot.lock"
    status_path = data_dir / RELOAD_STATUS_FILE
    try:
        fd = os.open(lock_path, os.O_RDONLY)
    except FileNotFoundError:
        return _fail(f"no running avz-bot for data directory {data_dir}", 1)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            pass  # held: a bot is running
        else:
            return _fail(f"no running avz-bot for data directory {data_dir}", 1)
        pid = int(os.read(fd, 32).decode() or 0)
    finally:
        os.close(fd)
    if pid <= 0:
        return _fail(f"cannot read the running bot's pid from {lock_path}", 1)
    before = status_path.stat().st_mtime_ns if status_path.exists() else 0
    os.kill(pid, signal.SIGHUP)
    print(
        f"partner file valid ({len(orgs)} organisations, {len(members)} members); "
        f"asked avz-bot (pid {pid}) to reload it"
    )
    loop = asyncio.get_running_loop()
    deadline = loop.time() + RELOAD_WAIT_SECONDS
    while loop.time() < deadline:
        await asyncio.sleep(0.2)
        if status_path.exists() and status_path.stat().st_mtime_ns != before:
            import json

            status = json.loads(status_path.read_text(encoding="utf-8"))
            if status.get("ok"):
                print(f"avz-bot: {status.get('message')}")
                return 0
            return _fail(str(status.get("message")), 1)
    return _fail(f"no answer from avz-bot (pid {pid}) within {RELOAD_WAIT_SECONDS:.0f}s", 1)


async def _check_config(settings: Settings) -> int:
    from avz_bot.partners_config import load_partners

    orgs, members = load_partners(settings.partners.file)
    settings.calendar.build()  # raises ConfigError with the setting named
    try:
        settings.reminders.policy()
    except ValueError as exc:
        raise ConfigError(f"reminders: {exc}") from None
    print(
        "configuration OK: "
        f"homeserver {settings.matrix.homeserver}, bot {settings.matrix.user_id}, "
        f"{len(orgs)} organisations, {len(members)} members, "
        f"database {settings.database_url.split('://', 1)[0]}"
    )
    return 0


async def _db(settings: Settings, action: str) -> int:
    from storage.db import Database

    settings.storage.data_dir.mkdir(parents=True, exist_ok=True)
    database = Database(settings.database_url)
    try:
        if action == "upgrade":
            await database.upgrade()
            print(f"database at revision {await database.current_revision()}")
        else:
            current = await database.current_revision()
            head = database.head_revision()
            state = "up to date" if current == head else "needs `avz-bot db upgrade`"
            print(f"database revision {current or '(empty)'}, code expects {head}: {state}")
    finally:
        await database.dispose()
    return 0


def log_fatal(exc: BaseException) -> None:
    """Log a crash at CRITICAL: exception type and every traceback frame (file, line,
    function), never the exception's message or local values (they can hold personal
    data). Enough for an operator to locate the crash from the log alone."""
    from avz_bot.logs import crash_fields, get_logger

    get_logger("avz_bot").critical("fatal error", extra=crash_fields(exc))


async def _report(settings: Settings, period: str | None, muni: str | None, out: Path) -> int:
    from avz_bot.report_cli import ReportCliError, write_report

    try:
        written = await write_report(settings, period, muni, out)
    except ReportCliError as exc:
        return _fail(str(exc))
    print(written.summary)
    print(f"{len(written.paths)} files written to {out}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``avz-bot`` console script."""
    args = build_parser().parse_args(argv)
    if args.command == "demo":
        from avz_bot.demo import run_demo

        return asyncio.run(run_demo(keep=args.keep))
    try:
        settings = load_settings(_config_path(args.config))
    except ConfigError as exc:
        return _fail(str(exc))
    from avz_bot.lock import AlreadyRunningError
    from avz_bot.logs import configure_logging
    from avz_bot.matrix.adapter import StartupError
    from storage.db import SchemaMismatchError

    configure_logging(settings.logging.level, settings.logging.format)
    try:
        if args.command == "run":
            return asyncio.run(_run(settings))
        if args.command == "check-config":
            return asyncio.run(_check_config(settings))
        if args.command == "partners":
            return asyncio.run(_partners_reload(settings))
        if args.command == "report":
            return asyncio.run(_report(settings, args.period, args.municipality, args.out))
        if args.command == "signals":
            return asyncio.run(signal_keys.run(settings, args.status, args.append_to))
        if args.command == "identity":
            return asyncio.run(
                _identity(settings, args.identity_command, getattr(args, "yes", False))
            )
        return asyncio.run(_db(settings, args.db_command))
    except ConfigError as exc:
        return _fail(str(exc))
    except (AlreadyRunningError, StartupError, SchemaMismatchError) as exc:
        return _fail(str(exc), 1)
    except OSError as exc:
        return _fail(f"{type(exc).__name__}: {exc.strerror or exc}", 1)
    except Exception as exc:  # last resort: no message or traceback text (personal data)
        log_fatal(exc)
        return _fail(f"fatal error ({type(exc).__name__}); see the log", 1)


if __name__ == "__main__":
    sys.exit(main())
