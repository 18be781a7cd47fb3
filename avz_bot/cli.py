"""The ``avz-bot`` command line: run, demo, check-config, db upgrade/status."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from avz_bot import __version__, backup_cli, privacy_cli, signal_keys
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
    sub.add_parser(
        "check",
        help="check-config, then the live homeserver: reachable, the bot's token, its rate limit",
    )
    partners = sub.add_parser("partners", help="the partner registry of the running bot")
    partners_sub = partners.add_subparsers(dest="partners_command", required=True, metavar="ACTION")
    partners_sub.add_parser(
        "reload",
        help="validate the partner file, then make the running bot apply it (SIGHUP)",
    )
    _add_store_parsers(sub)
    signal_keys.add_parser(sub)
    privacy_cli.add_parser(sub)
    backup_cli.add_parsers(sub)
    _global_options_everywhere(parser)
    return parser


def _add_store_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``db``, ``identity`` and ``report``: the commands about what the bot keeps."""
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
    _add_approval_wait(reset)
    report = sub.add_parser(
        "report", help="write the trend report (PNG charts, CSV tables, HTML) to a directory"
    )
    report.add_argument(
        "--period", default=None, help='e.g. 2026, 2026-Q3, 2026-11, "vorige maand" (default)'
    )
    report.add_argument("--municipality", default=None, help="only this municipality")
    report.add_argument("--out", required=True, type=Path, metavar="DIR", help="output directory")


def _global_options_everywhere(parser: argparse.ArgumentParser) -> None:
    """Accept ``--config`` after the subcommand too (``avz-bot db status --config x``),
    as people type it. ``SUPPRESS`` keeps a subcommand that was not given it from
    overwriting the value given before the subcommand."""
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        for child in action.choices.values():
            if "--config" not in child._option_string_actions:
                child.add_argument(
                    "--config",
                    metavar="PATH",
                    default=argparse.SUPPRESS,
                    help="configuration file (as before the command)",
                )
            _global_options_everywhere(child)


def _add_approval_wait(reset: argparse.ArgumentParser) -> None:
    reset.add_argument(
        "--wait",
        type=float,
        default=APPROVAL_WAIT_SECONDS,
        metavar="SECONDS",
        help="on a MAS homeserver: how long to wait for the approval in the browser",
    )


RESET_WARNING = (
    "This replaces the bot's cross-signing keys. Everyone who verified the bot will see it "
    "as unverified and must verify it again (compare the new fingerprint). Use it only when "
    "the keys are lost (data directory gone) or compromised. Stop the bot first."
)


#: How long ``identity reset`` waits for a person to approve the reset (MSC4312), and
#: how often it tries again meanwhile (seconds).
APPROVAL_WAIT_SECONDS = 900.0
APPROVAL_POLL_SECONDS = 5.0


def approval_waiter(
    wait: float, poll: float = APPROVAL_POLL_SECONDS
) -> Callable[[str], Awaitable[None]]:
    """The ``Approval`` of ``identity reset``: print the URL once, then let the upload be
    tried again every ``poll`` seconds until ``wait`` seconds have passed (then
    ``IdentityError``: nothing was replaced)."""
    from avz_bot.matrix.identity import IdentityError

    deadline: list[float] = []

    async def approve(url: str) -> None:
        loop = asyncio.get_running_loop()
        if not deadline:
            deadline.append(loop.time() + wait)
            print(
                "The homeserver asks a person to approve replacing the keys. Open\n"
                f"  {url}\nsign in as the bot's account and approve; waiting up to "
                f"{wait:.0f}s (nothing is replaced until then).",
                flush=True,
            )
        if loop.time() >= deadline[0]:
            raise IdentityError(f"not approved within {wait:.0f}s; the keys were not replaced")
        await asyncio.sleep(poll)

    return approve


async def _identity(
    settings: Settings, action: str, yes: bool, wait: float = APPROVAL_WAIT_SECONDS
) -> int:
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
    from avz_bot.private_files import make_private_dir

    make_private_dir(settings.storage.data_dir)
    with InstanceLock(settings.storage.data_dir):
        adapter = MatrixAdapter(
            settings.matrix, settings.storage.data_dir, SystemClock(), BotMetrics()
        )
        try:
            await adapter.connect()
            manager = adapter.identity_manager(
                path, settings.matrix.key_file_secret, approval_waiter(wait)
            )
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


def _check_config(config_path: Path) -> int:
    """Every problem at once (``avz_bot.config_check``); exit 2 if there is any."""
    from avz_bot.config_check import check

    result = check(config_path)
    for warning in result.warnings:
        print(f"avz-bot: warning: {warning}", file=sys.stderr)
    if result.problems:
        return _fail(ConfigError.of(result.problems).args[0])
    print(f"configuration OK: {result.summary}")
    return 0


async def _check_live(settings: Settings) -> int:
    """``avz-bot check``: the homeserver as the bot sees it (``avz_bot.homeserver_check``)."""
    from avz_bot.homeserver_check import check_homeserver

    result = await check_homeserver(settings)
    print("\n".join(result.lines))
    return 0 if result.ok else 1


async def _db(settings: Settings, action: str) -> int:
    from avz_bot.private_files import make_private_dir
    from storage.db import Database

    make_private_dir(settings.storage.data_dir)
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
            if current != head:
                return 1  # for scripts and deploy hooks: an upgrade is due
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
    from avz_bot.private_files import PRIVATE_UMASK

    # Whatever the operator's umask: what the bot creates is for the bot alone (0700/0600).
    os.umask(PRIVATE_UMASK)
    args = build_parser().parse_args(argv)
    if args.command == "demo":
        from avz_bot.demo import run_demo

        return asyncio.run(run_demo(keep=args.keep))
    if args.command in {"check-config", "check"}:
        code = _check_config(_config_path(args.config))
        if code != 0 or args.command == "check-config":
            return code
        return asyncio.run(_check_live(load_settings(_config_path(args.config))))
    try:
        # Commands that only read the database need no encryption-store key.
        store_key = args.command not in {"report", "db", "partners"}
        settings = load_settings(_config_path(args.config), store_key=store_key)
    except ConfigError as exc:
        return _fail(str(exc))
    from avz_bot.acting import LeaseLost
    from avz_bot.lock import AlreadyRunningError
    from avz_bot.logs import configure_logging
    from avz_bot.matrix.adapter import StartupError
    from avz_bot.private_files import NotPrivateError
    from storage.db import SchemaMismatchError

    configure_logging(settings.logging.level, settings.logging.format)
    try:
        return _command(settings, args)
    except ConfigError as exc:
        return _fail(str(exc))
    except (
        AlreadyRunningError,
        StartupError,
        SchemaMismatchError,
        NotPrivateError,
        LeaseLost,
    ) as exc:
        return _fail(str(exc), 1)
    except OSError as exc:
        return _fail(f"{type(exc).__name__}: {exc.strerror or exc}", 1)
    except Exception as exc:  # last resort: no message or traceback text (personal data)
        log_fatal(exc)
        return _fail(f"fatal error ({type(exc).__name__}); see the log", 1)


def _command(settings: Settings, args: argparse.Namespace) -> int:
    """Run the command that needs the loaded settings (errors go to ``main``)."""
    if args.command == "run":
        return asyncio.run(_run(settings))
    if args.command == "partners":
        return asyncio.run(_partners_reload(settings))
    if args.command == "report":
        return asyncio.run(_report(settings, args.period, args.municipality, args.out))
    if args.command in backup_cli.COMMANDS:
        return asyncio.run(backup_cli.run(settings, args))
    if args.command == "signals":
        return asyncio.run(signal_keys.run(settings, args.status, args.append_to))
    if args.command == "privacy":
        return asyncio.run(
            privacy_cli.run(settings, args.privacy_command, getattr(args, "out", None))
        )
    if args.command == "identity":
        return asyncio.run(
            _identity(
                settings,
                args.identity_command,
                getattr(args, "yes", False),
                getattr(args, "wait", APPROVAL_WAIT_SECONDS),
            )
        )
    return asyncio.run(_db(settings, args.db_command))


if __name__ == "__main__":
    sys.exit(main())
