"""The composition root: builds every part from the settings and owns start-up and shutdown.

Start-up order: lock the data directory → open the database and check its schema →
synchronise the partner registry → start the operations endpoint → log in to Matrix →
make sure the cross-signing identity exists and this device is signed → send what is
left in the outbox → sync. Shutdown runs in reverse, so the last sync
batch is finished (and its token stored) before the database goes away.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from dataclasses import dataclass, field
from datetime import timedelta

from avz_bot import __version__
from avz_bot.clock import Clock, SystemClock
from avz_bot.domain.partners import Member, Organisation
from avz_bot.http import OpsServer, Readiness
from avz_bot.lock import InstanceLock
from avz_bot.matrix.adapter import MatrixAdapter
from avz_bot.messages import Messages
from avz_bot.metrics import BotMetrics
from avz_bot.partners_config import load_partners
from avz_bot.scheduling import Scheduler
from avz_bot.services.core import AppServices, BotCore
from avz_bot.services.reminder_jobs import ReminderJobs
from avz_bot.services.room_jobs import CASE_SWEEP_KEY, JOB_CASE_SWEEP, RoomJobs
from avz_bot.settings import Settings
from commands.framework import Dispatcher
from commands.registry import build_registry
from storage.db import Database
from storage.repositories import PartnerRepository
from storage.schedule_repositories import JOB_PENDING, JOB_RUNNING, JobRepository

log = logging.getLogger(__name__)


@dataclass
class Application:
    """One running bot instance and everything it owns."""

    settings: Settings
    clock: Clock = field(default_factory=SystemClock)
    metrics: BotMetrics = field(default_factory=BotMetrics)

    def __post_init__(self) -> None:
        s = self.settings
        self.lock = InstanceLock(s.storage.data_dir)
        self.database = Database(s.database_url)
        self.messages = Messages(s.bot.locale)
        self.registry = build_registry()
        self.dispatcher = Dispatcher(
            self.registry,
            self.messages,
            s.bot.command_prefix,
            refuse_unsigned_devices=s.trust.unsigned_devices == "refuse",
        )
        self.calendar = s.calendar.build()
        self.services = AppServices(
            clock=self.clock,
            version=__version__,
            messages=self.messages,
            prefix=s.bot.command_prefix,
            cases_settings=s.cases,
            calendar=self.calendar,
            reminder_policy=s.reminders.policy(),
            late_after=timedelta(seconds=s.reminders.late_after_seconds),
            limits=s.limits,
        )
        # Filled from the partner registry at start-up; read by the key-sharing policy.
        self.registered: set[str] = set()
        self.core = BotCore(
            database=self.database,
            dispatcher=self.dispatcher,
            messages=self.messages,
            services=self.services,
            clock=self.clock,
            metrics=self.metrics,
            allowed_servers=s.matrix.allowed_servers,
            undecryptable_grace=timedelta(seconds=s.matrix.undecryptable_grace_seconds),
        )
        self.adapter = MatrixAdapter(
            s.matrix,
            s.storage.data_dir,
            self.clock,
            self.metrics,
            trust=s.trust,
            is_registered=self.registered.__contains__,
        )
        self.core.attach_gateway(self.adapter)
        room_jobs = RoomJobs(
            self.adapter,
            s.cases,
            lambda session: self.services.bind(session).cases,
        )
        self.scheduler = Scheduler(
            self.database,
            self.clock,
            {**room_jobs.handlers(), **ReminderJobs(self.services.bind).handlers()},
            worker_id=f"{socket.gethostname()}:{os.getpid()}",
            on_done=self._after_jobs,
        )
        self.core.attach_jobs(self.scheduler)
        self.ops = OpsServer(s.http.host, s.http.port, self.metrics, self.readiness)
        self.stop_event = asyncio.Event()
        self.started = asyncio.Event()

    async def readiness(self) -> Readiness:
        """Ready when the database answers and the last successful sync is recent."""
        checks: dict[str, str] = {}
        db_ok = await self.database.ping()
        checks["database"] = "ok" if db_ok else "unreachable"
        last = self.adapter.health.last_success
        max_age = self.settings.http.ready_max_sync_age_seconds
        if last is None:
            checks["sync"] = "no successful sync yet"
            sync_ok = False
        else:
            age = (self.clock.now() - last).total_seconds()
            sync_ok = age <= max_age
            checks["sync"] = "ok" if sync_ok else f"last successful sync {age:.0f}s ago"
        return Readiness(ready=db_ok and sync_ok, checks=checks)

    async def sync_partners(self) -> tuple[list[Organisation], list[Member]]:
        """Load the partner registry file into the database (one transaction)."""
        orgs, members = load_partners(self.settings.partners.file)
        async with self.database.session() as session, session.begin():
            await PartnerRepository(session).sync(orgs, members)
        self.services.members.invalidate()  # names are read from the new registry
        self.registered.clear()
        self.registered.update(member.matrix_id for member in members)
        log.info(
            "partner registry synchronised",
            extra={"organisations": len(orgs), "members": len(members)},
        )
        return orgs, members

    async def run(self) -> None:
        """Run until ``stop()`` (or SIGTERM via the CLI); cleans up in reverse order."""
        self.settings.storage.data_dir.mkdir(parents=True, exist_ok=True)
        self.lock.acquire()
        try:
            await self.database.check_schema()
            await self.sync_partners()
            if self.settings.http.enabled:
                await self.ops.start()
            try:
                await self.adapter.connect(self.stop_event)
                try:
                    await self.adapter.ensure_identity(
                        self.settings.cross_signing_key_path, self.settings.matrix.key_file_secret
                    )
                    await self.core.flush_outbox()
                    await self._arm_case_sweep()
                    await self.scheduler.start()
                    self.started.set()
                    log.info(
                        "avz-bot started",
                        extra={"version": __version__, "device_id": self.adapter.device_id},
                    )
                    await self.adapter.run(self.core, self.stop_event)
                finally:
                    await self.scheduler.stop()
                    await self.core.close()
                    await self.adapter.close()
            finally:
                await self.ops.stop()
        finally:
            await self.database.dispose()
            self.lock.release()
            log.info("avz-bot stopped")

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

    def stop(self) -> None:
        """Ask the bot to finish the current batch and shut down."""
        self.stop_event.set()
