"""The scheduled report (durable job) and the /metrics gauges, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from aiohttp.test_utils import TestClient, TestServer

from avz_bot.clock import FakeClock
from avz_bot.domain.workdays import WorkCalendar
from avz_bot.http import OpsServer, Readiness
from avz_bot.messages import Messages
from avz_bot.metrics import BotMetrics
from avz_bot.runtime.units import AppServices
from avz_bot.scheduling import Scheduler
from avz_bot.services.reports.jobs import (
    SCHEDULED_REPORT_KEY,
    ReportJobs,
    arm_scheduled_report,
    next_due,
    periods_due,
)
from avz_bot.services.reports.metrics import GaugeRefresher
from avz_bot.settings_sections.cases import CasesSettings
from avz_bot.settings_sections.reports import ReportSettings
from avz_bot.testkit.report_fixture import NOW, seed_report_fixture
from storage.db import Database
from storage.outbox_repositories import LANE_BULK, OutboxRepository
from storage.report_area_repositories import EscalationReportLoader
from storage.schedule_repositories import JobRepository

COORDINATION = "!coord:avz.test"
CAL = WorkCalendar()
SETTINGS = ReportSettings(scheduled_time=time(8, 0))


def test_due_on_the_first_working_day_and_what_is_reported() -> None:
    # 1 January 2027 is a holiday, 2-3 are the weekend: Monday 4 January, 08:00 CET.
    due, month = next_due(CAL, SETTINGS, datetime(2026, 12, 15, tzinfo=UTC))
    assert (due, month) == (datetime(2027, 1, 4, 7, 0, tzinfo=UTC), date(2027, 1, 1))
    # 1 December 2026 is a Tuesday; just after it, the next one is in January.
    due, _ = next_due(CAL, SETTINGS, datetime(2026, 11, 30, tzinfo=UTC))
    assert due == datetime(2026, 12, 1, 7, 0, tzinfo=UTC)
    assert next_due(CAL, SETTINGS, due)[1] == date(2027, 1, 1)
    assert [p.label for p in periods_due(date(2027, 1, 1))] == ["2026-12", "2026-Q4"]
    assert [p.label for p in periods_due(date(2026, 12, 1))] == ["2026-11"]


class World:
    def __init__(self, database: Database, start: datetime) -> None:
        self.database = database
        self.clock = FakeClock(start)
        self.services = AppServices(
            clock=self.clock,
            version="test",
            messages=Messages(),
            cases_settings=CasesSettings(coordination_room=COORDINATION),
            calendar=CAL,
            report_settings=SETTINGS,
        )
        handlers = ReportJobs(self.services.bind, CAL, SETTINGS, COORDINATION).handlers()
        self.scheduler = Scheduler(database, self.clock, handlers, worker_id="test")
        self.lanes: set[int] = set()

    async def arm(self) -> None:
        async with self.database.session() as session, session.begin():
            await arm_scheduled_report(session, self.clock.now(), CAL, SETTINGS)

    async def outbox(self) -> list[dict[str, object]]:
        async with self.database.session() as session, session.begin():
            rows = await OutboxRepository(session).pending()
        self.lanes = {row.lane for row in rows}  # of the contents just returned
        return [row.content for row in rows]

    async def job_due(self) -> datetime:
        async with self.database.session() as session, session.begin():
            job = await JobRepository(session).by_key(SCHEDULED_REPORT_KEY)
        assert job is not None
        return job.due_at


async def test_scheduled_report_is_posted_once_and_rearmed(database: Database) -> None:
    async with database.session() as session, session.begin():
        await seed_report_fixture(session)
    world = World(database, datetime(2026, 10, 20, 10, 0, tzinfo=UTC))
    await world.arm()
    assert await world.job_due() == datetime(2026, 11, 2, 7, 0, tzinfo=UTC)  # Mon 08:00 CET
    assert await world.scheduler.run_due() == 0
    assert await world.outbox() == []
    # The bot was down over the due moment; at the restart (arming again changes
    # nothing) the report is posted once, marked late.
    world.clock.set(datetime(2026, 11, 3, 12, 0, tzinfo=UTC))
    await world.arm()
    assert await world.scheduler.run_due() == 1
    assert await world.scheduler.run_due() == 0
    messages = await world.outbox()
    text = messages[0]
    assert str(text["body"]).startswith(
        "Maandelijkse rapportage (automatisch). Later dan gepland: de bot was niet bereikbaar.\n"
        "Rapportage oktober 2026 – alle gemeenten (vergeleken met september 2026)"
    )
    assert "Nieuwe casussen: 24 (+5 (+26%))" in str(text["body"])
    # The scheduled report has every section (the one provider list): escalations too,
    # with their box plot as the fifth chart.
    assert "Opschalingen: 13 (+7 (+117%))" in str(text["body"])
    assert "Signalen: 21 (+12 (+133%))" in str(text["body"])
    kinds = [m["msgtype"] for m in messages]
    assert kinds == ["m.notice", *["m.image"] * 5, "m.file"]
    assert world.lanes == {LANE_BULK}  # a scheduled report, attachments included
    assert messages[-1]["body"] == "rapport-2026-10.csv"
    # Re-armed for the first working day of December.
    assert await world.job_due() == datetime(2026, 12, 1, 7, 0, tzinfo=UTC)


async def test_quarter_report_in_january(database: Database) -> None:
    world = World(database, datetime(2026, 12, 31, 10, 0, tzinfo=UTC))
    await world.arm()
    world.clock.set(datetime(2027, 1, 4, 7, 0, tzinfo=UTC))
    assert await world.scheduler.run_due() == 1
    bodies = [str(m["body"]) for m in await world.outbox() if m["msgtype"] == "m.notice"]
    assert len(bodies) == 2
    assert "Rapportage december 2026" in bodies[0] and "Later dan gepland" not in bodies[0]
    assert "Rapportage 2026 Q4" in bodies[1]


async def test_metrics_gauges_per_municipality(database: Database) -> None:
    async with database.session() as session, session.begin():
        await seed_report_fixture(session)
    metrics = BotMetrics()
    clock = FakeClock(NOW)
    # Wired as in avz_bot/app.py: the escalations' loader is the open-escalations hook.
    refresher = GaugeRefresher(
        database,
        metrics,
        clock,
        timedelta(seconds=30),
        open_escalations=EscalationReportLoader(),
    )

    async def ready() -> Readiness:
        return Readiness(True, {})

    server = OpsServer("127.0.0.1", 0, metrics, ready, refresher.refresh)
    async with TestClient(TestServer(server.build_app())) as client:
        body = await (await client.get("/metrics")).text()
    assert 'avz_open_cases{municipality="groningen"} 20.0' in body
    assert 'avz_cases_without_regie{municipality="oldambt"} 3.0' in body
    assert 'avz_overdue_agreements{municipality="westerkwartier"} 2.0' in body
    # Open escalations (requested or acknowledged, of open cases): Groningen 1 waiting +
    # 3 acknowledged, Oldambt 2 waiting; none elsewhere (the one on a closed case is not
    # open for anybody).
    assert 'avz_open_escalations{municipality="groningen"} 4.0' in body
    assert 'avz_open_escalations{municipality="oldambt"} 2.0' in body
    assert 'avz_open_escalations{municipality="westerkwartier"}' not in body
    assert "@" not in body.split("avz_open_cases")[1]  # no identifiers
