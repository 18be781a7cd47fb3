"""The composition root: builds every part from the settings and owns start-up and shutdown.

Start-up order: lock the data directory → open the database and check its schema →
synchronise the partner registry → start the operations endpoint → log in to Matrix →
make sure the cross-signing identity exists and this device is signed → send what is
left in the outbox → sync. Shutdown runs in reverse, so the last sync
batch is finished (and its token stored) before the database goes away.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
from dataclasses import dataclass, field
from datetime import timedelta

from avz_bot import __version__
from avz_bot.acting import ActingGuard, LeaseLost
from avz_bot.board_web import BoardWeb, BoardWebConfig
from avz_bot.clock import Clock, SystemClock
from avz_bot.domain.dutch_search import DutchAnalyzer
from avz_bot.domain.partners import Member, Organisation
from avz_bot.http import OpsServer, Readiness
from avz_bot.intake_http import IntakeEndpoint, IntakeServer
from avz_bot.lease import Lease
from avz_bot.lock import InstanceLock
from avz_bot.logs import get_logger
from avz_bot.matrix.adapter import MatrixAdapter, StoppedError
from avz_bot.messages import Messages
from avz_bot.metrics import BotMetrics
from avz_bot.partners_config import load_intake_profiles, load_partners, scope_problems
from avz_bot.private_files import ensure_private, make_private_dir
from avz_bot.runtime.core import BotCore
from avz_bot.runtime.units import AppServices
from avz_bot.scheduling import Scheduler
from avz_bot.services.area import JobContext, JobHandler
from avz_bot.services.cases.jobs import CASE_SWEEP_KEY, JOB_CASE_SWEEP
from avz_bot.services.direct import DirectJobs
from avz_bot.services.operations.digest import DigestJobs
from avz_bot.services.operations.registry import synchronise_registry
from avz_bot.services.operations.retention import (
    FIRST_RUN_DELAY,
    RetentionJobs,
    arm_retention,
    replay_horizon,
)
from avz_bot.services.reports.jobs import arm_scheduled_report
from avz_bot.services.reports.metrics import GaugeRefresher
from avz_bot.services.signals.intake import IntakeProfile
from avz_bot.settings import ConfigError, Settings
from commands.framework import Dispatcher
from commands.registry import build_registry
from storage.db import Database, is_database_unavailable
from storage.report_area_repositories import EscalationReportLoader
from storage.schedule_repositories import JOB_PENDING, JOB_RUNNING, JobRepository

log = get_logger(__name__)

#: Written to the data directory after every registry reload (read by the CLI).
RELOAD_STATUS_FILE = "partners-reload.json"


@dataclass
class Application:
    """One running bot instance and everything it owns."""

    settings: Settings
    clock: Clock = field(default_factory=SystemClock)
    metrics: BotMetrics = field(default_factory=BotMetrics)
    #: The lease's renewal task while this process is active (warm standby only).
    _lease_task: asyncio.Task[None] | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        s = self.settings
        self.lock = InstanceLock(s.storage.data_dir)
        self.database = Database(s.database_url)
        # Lenient: a missing text is logged and degrades one reply (see Messages).
        self.messages = Messages(s.bot.locale, strict=False)
        self.registry = build_registry()
        self.dispatcher = self._dispatcher()
        self.calendar = s.calendar.build()
        self.acting, self.lease = self._standby()
        self.services = self._app_services()
        # Filled from the partner registry at start-up; read by the key-sharing policy.
        self.registered: set[str] = set()
        self.core = self._core()
        self.adapter = MatrixAdapter(
            s.matrix,
            s.storage.data_dir,
            self.clock,
            self.metrics,
            trust=s.trust,
            is_registered=self.registered.__contains__,
            is_temporary=is_database_unavailable,
        )
        self.core.attach_gateway(self.adapter)
        self.digest = DigestJobs(
            self.services.bind,
            self.calendar,
            s.cases.coordination_room,
            enabled=s.escalations.digest,
            at=s.escalations.digest_time,
            limit=s.escalations.list_limit,
        )
        self.scheduler = Scheduler(
            self.database,
            self.clock,
            self._wire_areas(),
            worker_id=f"{socket.gethostname()}:{os.getpid()}",
            on_done=self._after_jobs,
            acting=self.acting,
        )
        self.core.attach_jobs(self.scheduler)
        self.gauges = GaugeRefresher(
            self.database,
            self.metrics,
            self.clock,
            timedelta(seconds=s.reports.gauge_refresh_seconds),
            open_escalations=EscalationReportLoader(),
        )
        self.board_web = self._board_web()
        self.intake, self.intake_server = self._intake()
        self.ops = self._ops_server()
        self.stop_event = asyncio.Event()
        self.started = asyncio.Event()
        self._reload_lock = asyncio.Lock()
        self._reload_tasks: set[asyncio.Task[bool]] = set()

    def _dispatcher(self) -> Dispatcher:
        """The command dispatcher; it answers to the bot's names ("avz-bot: help"), its
        user id (a mention pill) and its localpart as well as to the prefix."""
        s = self.settings
        localpart = s.matrix.user_id[1:].split(":")[0]
        return Dispatcher(
            self.registry,
            self.messages,
            s.bot.command_prefix,
            refuse_unsigned_devices=s.trust.unsigned_devices == "refuse",
            addressed_as=[*s.bot.names, s.matrix.user_id, localpart],
        )

    def _board_web(self) -> BoardWeb | None:
        """The case board on the operations endpoint (``[board]``), or None when off."""
        if not self.settings.board.enabled:
            return None
        config = BoardWebConfig.of(self.settings)
        return BoardWeb(config, self.database, self.services.bind, self.clock)

    def _ops_server(self) -> OpsServer:
        """Health, readiness, metrics, the case board, and the intake endpoint when it has
        no own port."""
        s = self.settings
        shared_listener = self.intake is not None and self.intake_server is None
        return OpsServer(
            s.http.host,
            s.http.port,
            self.metrics,
            self.readiness,
            self.gauges.refresh,
            extra_routes=[
                *([self.board_web.routes] if self.board_web is not None else []),
                *([self.intake.add_routes] if self.intake and shared_listener else []),
            ],
        )

    def _intake(self) -> tuple[IntakeEndpoint | None, IntakeServer | None]:
        """The signed intake endpoint (``[intake]``, issue 23): None when off; its own
        server when it has its own port, else it shares the operations listener."""
        s = self.settings
        #: Organisations that may submit (partner registry), refreshed at every sync.
        self.intake_profiles: dict[str, IntakeProfile] = {}
        if not s.intake.enabled:
            return None, None
        if s.intake.port is None and not s.http.enabled:
            raise ConfigError("intake.port: needed when http.enabled is false")
        endpoint = IntakeEndpoint(
            s.intake,
            lambda: self.intake_profiles,
            self.database,
            self.services,
            self.clock,
            self._after_intake,
            self.metrics,
        )
        if s.intake.port is None:
            return endpoint, None
        return endpoint, IntakeServer(endpoint, s.intake.host or s.http.host, s.intake.port)

    async def _after_intake(self) -> None:
        """Send what an accepted submission queued (the outbox retries what fails)."""
        if self.started.is_set():
            try:
                await self.core.flush_outbox()
            except Exception as exc:
                if not is_database_unavailable(exc):
                    raise

    def _standby(self) -> tuple[ActingGuard, Lease | None]:
        """Whether this process may act, and the lease that decides it (warm standby)."""
        acting, standby = ActingGuard(), self.settings.standby
        if not standby.enabled:
            return acting, None
        return acting, Lease(self.database, standby, acting, self.clock, self.metrics)

    def _core(self) -> BotCore:
        """The inbound runtime: exactly-once commands, reactions, rooms, parked events."""
        s = self.settings
        return BotCore(
            database=self.database,
            dispatcher=self.dispatcher,
            messages=self.messages,
            services=self.services,
            clock=self.clock,
            metrics=self.metrics,
            allowed_servers=s.matrix.allowed_servers,
            undecryptable_grace=timedelta(seconds=s.matrix.undecryptable_grace_seconds),
            replay_horizon=replay_horizon(s.operations),
        )

    def _app_services(self) -> AppServices:
        """What every unit of work is built from (the areas build their services lazily)."""
        s = self.settings
        return AppServices(
            clock=self.clock,
            version=__version__,
            messages=self.messages,
            prefix=s.bot.command_prefix,
            cases_settings=s.cases,
            calendar=self.calendar,
            reminder_policy=s.reminders.policy(),
            late_after=timedelta(seconds=s.reminders.late_after_seconds),
            conference_settings=s.conferences,
            report_settings=s.reports,
            signal_settings=s.signals,
            escalation_settings=s.escalations,
            helpdesk_settings=s.helpdesk,
            board_settings=s.board.model_copy(
                update={"public_url": s.board.public_url or f"http://{s.http.host}:{s.http.port}"}
            ),
            analyzer=DutchAnalyzer(s.helpdesk.synonyms),
            limits=s.limits,
            privacy_settings=s.privacy,
            operations_settings=s.operations,
            acting=self.acting,
        )

    def _wire_areas(self) -> dict[str, JobHandler]:
        """Route every area's reactions to it (through the core) and return the job
        handlers: every area's, from its descriptor (``commands.areas``), and the
        operations core's (direct chats, retention, the digest)."""
        s = self.settings
        context = JobContext(self.services.bind, self.services, self.adapter)
        handlers: dict[str, JobHandler] = {}
        for area in self.services.areas:
            for kind, reaction in area.reactions.items():
                self.core.on_reaction(kind, reaction)
            if area.jobs is not None:
                handlers.update(area.jobs(context))
        handlers.update(DirectJobs(self.adapter, federate=s.cases.federate).handlers())
        handlers.update(RetentionJobs(s.operations, self.metrics).handlers())
        handlers.update(self.digest.handlers())
        return handlers

    async def readiness(self) -> Readiness:
        """Ready when the database answers and the sync loop is making progress.

        Progress is any sign of life of the loop (a sync response, an event handled, a
        homeserver answer — a rate limit included — to one of its requests) within
        ``http.ready_max_sync_age_seconds``: a long, rate-limited catch-up is busy, not
        unready. Not ready, with the reason, while the sync loop or the scheduler waits
        for the database.
        """
        checks: dict[str, str] = {}
        db_ok = await self.database.ping()
        checks["database"] = "ok" if db_ok else "unreachable"
        health = self.adapter.health
        last = health.last_progress
        max_age = self.settings.http.ready_max_sync_age_seconds
        if health.waiting_for is not None:
            checks["sync"] = f"waiting: {health.waiting_for}"
            sync_ok = False
        elif last is None:
            checks["sync"] = "no sync response yet"
            sync_ok = False
        else:
            age = (self.clock.now() - last).total_seconds()
            sync_ok = age <= max_age
            checks["sync"] = "ok" if sync_ok else f"no progress for {age:.0f}s"
        scheduler_ok = self.scheduler.waiting_for is None
        checks["scheduler"] = "ok" if scheduler_ok else f"waiting: {self.scheduler.waiting_for}"
        checks["role"] = self.acting.role
        return Readiness(ready=db_ok and sync_ok and scheduler_ok, checks=checks)

    async def sync_partners(self) -> tuple[list[Organisation], list[Member]]:
        """Load the partner registry file and apply it (one transaction).

        Used at start-up and by :meth:`reload_partners`: members who left the registry
        are taken off their cases and case rooms (see ``avz_bot.services.operations.registry``).
        Raises ``ConfigError`` for an invalid file (nothing changes).
        """
        orgs, members = load_partners(self.settings.partners.file)
        s = self.settings
        unknown = scope_problems(members, s.cases.municipalities, s.helpdesk.themes)
        if unknown:  # a misspelt municipality would silently give nobody the role
            raise ConfigError.of(unknown)
        profiles = load_intake_profiles(self.settings.partners.file)
        now = self.clock.now()
        try:
            async with self.database.session() as session, session.begin():
                outcome = await synchronise_registry(
                    session,
                    self.services.bind,
                    orgs,
                    members,
                    key=f"registry:{now.isoformat()}",
                    coordination_room=self.settings.cases.coordination_room,
                    max_items=self.settings.operations.list_max_items,
                )
        finally:
            # Senders and names are read from the registry as committed: the cache may
            # have been filled inside the transaction (rolled back or not).
            self.services.members.invalidate()
        self.registered.clear()
        self.registered.update(member.matrix_id for member in members)
        self.intake_profiles = profiles
        log.info(
            "partner registry synchronised",
            extra={
                "organisations": len(orgs),
                "members": len(members),
                "members_added": outcome.summary.members_added,
                "members_deactivated": outcome.summary.members_deactivated,
                "deregistered": len(outcome.deregistered),
                "cases_left": sum(len(d.cases) for d in outcome.deregistered),
            },
        )
        return orgs, members

    def request_reload(self) -> None:
        """Re-read the partner registry soon (the SIGHUP handler; returns at once)."""
        task = asyncio.get_running_loop().create_task(self.reload_partners())
        self._reload_tasks.add(task)
        task.add_done_callback(self._reload_tasks.discard)

    async def reload_partners(self) -> bool:
        """Validate and apply the partner registry file while running; True if applied.

        An invalid file (or an unavailable database) changes nothing; either way the
        result is logged in one line and written to :data:`RELOAD_STATUS_FILE` in the
        data directory for ``avz-bot partners reload``.
        """
        async with self._reload_lock:
            try:
                orgs, members = await self.sync_partners()
            except (ConfigError, ValueError) as exc:
                log.error(
                    "partner registry reload refused: invalid file, nothing changed",
                    extra={"error_type": type(exc).__name__},
                )
                self._write_reload_status(False, f"invalid partner registry: {exc}")
                return False
            except Exception as exc:
                if not is_database_unavailable(exc):
                    raise
                log.warning(
                    "partner registry reload failed: database unavailable, nothing changed",
                    extra={"error_type": type(exc).__name__},
                )
                self._write_reload_status(False, "database unavailable; try again")
                return False
            self.scheduler.wake()  # the kick jobs
            if self.started.is_set():
                try:
                    await self.core.flush_outbox()
                except Exception as exc:
                    if not is_database_unavailable(exc):
                        raise
            self._write_reload_status(
                True, f"applied: {len(orgs)} organisations, {len(members)} members"
            )
            return True

    def _write_reload_status(self, ok: bool, message: str) -> None:
        path = self.settings.storage.data_dir / RELOAD_STATUS_FILE
        payload = {"at": self.clock.now().isoformat(), "ok": ok, "message": message}
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(payload), encoding="utf-8")
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)

    async def run(self) -> None:
        """Run until ``stop()`` (or SIGTERM via the CLI); cleans up in reverse order.

        Refuses to start (``NotPrivateError``) while the data directory or a secret file
        is readable by other users.
        """
        make_private_dir(self.settings.storage.data_dir)
        ensure_private(self.settings.storage.data_dir, self.settings.secret_files)
        self.lock.acquire()
        try:
            await self.database.check_schema()
            await self.sync_partners()
            if self.settings.http.enabled:
                await self.ops.start()
            if self.intake_server is not None:
                await self.intake_server.start()
            try:
                try:
                    await self.adapter.connect(self.stop_event)
                except StoppedError:  # SIGTERM while the homeserver was away: a clean stop
                    log.info("stopped before the homeserver could be reached")
                    return
                try:
                    await self.adapter.ensure_identity(
                        self.settings.cross_signing_key_path, self.settings.matrix.key_file_secret
                    )
                    if not await self._become_active():
                        return
                    await self.core.flush_outbox()
                    await self._arm_case_sweep()
                    async with self.database.session() as session, session.begin():
                        now = self.clock.now()
                        await arm_retention(session, now, now + FIRST_RUN_DELAY)
                    await self.scheduler.start()
                    self.started.set()
                    log.info(
                        "avz-bot started",
                        extra={"version": __version__, "device_id": self.adapter.device_id},
                    )
                    await self.adapter.run(self.core, self.stop_event)
                    if self.lease is not None and self.lease.lost:
                        raise LeaseLost("lost the lease: stopped acting; restart as standby")
                finally:
                    await self._stop_lease()
                    await self.scheduler.stop()
                    await self.core.close()
                    await self.adapter.close()
            finally:
                if self.intake_server is not None:
                    await self.intake_server.stop()
                await self.ops.stop()
        finally:
            await self.database.dispose()
            self.lock.release()
            log.info("avz-bot stopped")

    async def _become_active(self) -> bool:
        """With a standby: sync as the standby (keys only) until this process holds the
        lease, then keep renewing it; False if stopped first. Without: True at once."""
        lease = self.lease
        if lease is None:
            return True
        standing_by = asyncio.Event()
        standby = asyncio.create_task(self.adapter.standby(standing_by))
        try:
            held = await lease.acquire(self.stop_event)
        finally:
            standing_by.set()
            await standby
        if held:
            self._lease_task = asyncio.create_task(lease.keep(self.stop_event))
            # Jobs still claimed were claimed by the previous holder, which has stopped
            # acting (avz_bot.lease): due again now, not after the scheduler's stale_after.
            async with self.database.session() as session, session.begin():
                await JobRepository(session).reclaim_stale(self.clock.now())
        return held

    async def _stop_lease(self) -> None:
        if self._lease_task is not None:
            self._lease_task.cancel()
            await asyncio.gather(self._lease_task, return_exceptions=True)
        if self.lease is not None:
            await self.lease.release()

    async def _after_jobs(self) -> None:
        await self.core.flush_outbox()

    async def _arm_case_sweep(self) -> None:
        """Make sure the periodic case sweep exists (it re-arms itself after each run)."""
        async with self.database.session() as session, session.begin():
            jobs = JobRepository(session)
            existing = await jobs.by_key(CASE_SWEEP_KEY)
            if existing is None or existing.status not in {JOB_PENDING, JOB_RUNNING}:
                now = self.clock.now()
                await jobs.schedule(JOB_CASE_SWEEP, now, {}, now, dedupe_key=CASE_SWEEP_KEY)
            await arm_scheduled_report(
                session, self.clock.now(), self.calendar, self.settings.reports
            )
            await self.digest.arm(session, self.clock.now())

    def stop(self) -> None:
        """Ask the bot to finish the current batch and shut down."""
        self.stop_event.set()
