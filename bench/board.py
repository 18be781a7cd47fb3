"""Benchmark: the case board at province scale — server render and full page load.

    python3 dev.py bench board [--rounds 30] [--database-url URL] [--screenshots docs/]

Seeds a generated province (``avz_bot.testkit.province``: 10,000 cases of which 3,000
open, 51,000 agreements, plus escalations, conferences, TVO signals and questions), then
for a ketenmanager (a line of every open case):

- **server**: the overview through the real service, queries and HTML rendering in one
  transaction (``BoardService.overview`` + ``overview_page``), as the web handler does;
  CPU of the whole process (``process_time``: aiosqlite's thread included) and wall time per page;
- **HTTP**: ``GET /board`` on the bot's aiohttp application (``BoardWeb``) with a
  session cookie, wall time until the whole body is read;
- **page load**: the same page in Debian's headless Chromium (Playwright), from
  navigation start to the ``load`` event (Navigation Timing), CSS and all.

Wall-clock figures on a loaded machine include other processes' time; CPU does not.
``--screenshots DIR`` saves ``board-province.png`` (the overview, whole page) and
``board-case.png`` (one case) there.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiohttp import web
from sqlalchemy import select, update

from avz_bot.board_web import COOKIE, BoardWeb, BoardWebConfig
from avz_bot.clock import FakeClock
from avz_bot.messages import Messages
from avz_bot.runtime.units import AppServices
from avz_bot.services.board.access import ORIGIN_LINK
from avz_bot.services.board.pages import overview_page
from avz_bot.services.board.service import BoardQuery, BoardService
from avz_bot.settings_sections.board import BoardSettings
from avz_bot.settings_sections.cases import CasesSettings
from avz_bot.testkit.province import ProvinceSize, seed_province
from avz_bot.testkit.province_areas import AreaCounts
from storage.case_models import CaseMemberRecord, CaseRecord
from storage.db import Database, sqlite_url_for

NOW = datetime(2026, 12, 8, 9, 30, tzinfo=UTC)
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SIZE = ProvinceSize(
    audit_rows=1_000,
    pending_jobs=1_000,
    areas=AreaCounts(agenda_signals=400, escalations=120, conferences=300, questions=80),
)


def percentiles(samples: list[float]) -> tuple[float, float]:
    """(p50, p90) in milliseconds of ``samples`` in seconds."""
    ordered = sorted(samples)
    p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p90 * 1000


def report(name: str, samples: list[float]) -> None:
    """Print one measured figure."""
    p50, p90 = percentiles(samples)
    print(f"{name:<44} p50 {p50:8.1f} ms   p90 {p90:8.1f} ms   (n={len(samples)})", flush=True)


async def timed(
    rounds: int, work: Callable[[], Awaitable[object]]
) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds of ``rounds`` runs of ``work`` after three warm-up runs."""
    for _ in range(3):
        await work()
    wall, cpu = [], []
    for _ in range(rounds):
        started, started_cpu = time.perf_counter(), time.process_time()
        await work()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return wall, cpu


def services() -> AppServices:
    """The application's services at ``NOW``."""
    return AppServices(clock=FakeClock(NOW), version="bench", messages=Messages())


async def server_render(database: Database, user: str, rounds: int) -> None:
    """The overview as the web handler builds it, in one transaction."""
    app, messages, cases = services(), Messages(), CasesSettings()

    async def once() -> str:
        async with database.session() as session, session.begin():
            service = app.bind(session)[BoardService]
            member = await service.member(user)
            assert member is not None
            overview = await service.overview(member, BoardQuery())
            return overview_page(messages, overview, cases, service.now)

    wall, cpu = await timed(rounds, once)
    report("server render, ketenmanager (wall)", wall)
    report("server render, ketenmanager (CPU)", cpu)


async def serve(database: Database, port: int) -> web.AppRunner:
    """The board's routes on an aiohttp server, as the bot serves them."""
    app_services = services()
    config = BoardWebConfig(BoardSettings(), CasesSettings(), {}, "nl")
    board = BoardWeb(config, database, app_services.bind, app_services.clock)
    application = web.Application()
    board.routes(application)
    runner = web.AppRunner(application, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner


async def session_for(database: Database, user: str) -> str:
    """A board session for ``user`` (as a redeemed link would open)."""
    async with database.session() as session, session.begin():
        return await services().bind(session)[BoardService].access.open_session(user, ORIGIN_LINK)


async def member_case(database: Database, user: str) -> str:
    """A case reference ``user`` is a member of (for the case screenshot)."""
    async with database.session() as session:
        reference = await session.scalar(
            select(CaseRecord.reference)
            .join(CaseMemberRecord, CaseMemberRecord.case_id == CaseRecord.id)
            .where(CaseMemberRecord.matrix_id == user, CaseRecord.status != "gesloten")
            .limit(1)
        )
    return str(reference)


async def http_and_browser(database: Database, user: str, rounds: int, shots: Path | None) -> None:
    """``GET /board`` over HTTP, then the full page load in Chromium."""
    import aiohttp

    from avz_bot.testkit.process import free_port

    port = free_port()
    runner = await serve(database, port)
    base = f"http://127.0.0.1:{port}"
    cookie = await session_for(database, user)
    try:
        async with aiohttp.ClientSession(cookies={COOKIE: cookie}) as http:

            async def get() -> None:
                async with http.get(f"{base}/board") as response:
                    assert response.status == 200
                    await response.read()

            wall, _ = await timed(rounds, get)
            report("GET /board over HTTP (wall)", wall)
        await browser_load(base, cookie, rounds, shots, await member_case(database, user))
    finally:
        await runner.cleanup()


def have_chromium() -> bool:
    """Whether Debian's chromium is installed (``python3 dev.py setup`` installs it)."""
    return os.path.exists(CHROMIUM)


async def browser_load(base: str, cookie: str, rounds: int, shots: Path | None, case: str) -> None:
    """Navigation start → load event in headless Chromium; screenshots if asked."""
    if not have_chromium():
        print(f"page load: skipped ({CHROMIUM} missing; python3 dev.py setup installs it)")
        return
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = await browser.new_context(viewport={"width": 1400, "height": 900})
        await context.add_cookies([{"name": COOKIE, "value": cookie, "url": base}])
        page = await context.new_page()
        samples = []
        for index in range(rounds + 3):
            await page.goto(f"{base}/board", wait_until="load")
            took = await page.evaluate(
                "(() => { const n = performance.getEntriesByType('navigation')[0];"
                " return n.loadEventEnd - n.startTime; })()"
            )
            if index >= 3:
                samples.append(float(took) / 1000)
        report("full page load in Chromium (wall)", samples)
        if shots is not None:
            os.makedirs(shots, exist_ok=True)
            await page.screenshot(path=str(shots / "board-province.png"))
            trends = page.locator("section[aria-labelledby=trends-h]")
            await trends.screenshot(path=str(shots / "board-trends.png"))
            await page.goto(f"{base}/board/casus/{case}", wait_until="load")
            await page.screenshot(path=str(shots / "board-case.png"))
            print(f"screenshots in {shots}: board-province.png, board-trends.png, board-case.png")
        await browser.close()


async def spread(database: Database) -> None:
    """The generator puts every case in one municipality and type, all with regie: spread
    the cases over the configured municipalities and types, and take regie from every
    23rd open case, so the filters, the alarm and the charts have something to show."""
    cases = CasesSettings()
    places, types = sorted(cases.municipalities), sorted(cases.case_types)
    async with database.session() as session, session.begin():
        for index, place in enumerate(places):
            await session.execute(
                update(CaseRecord)
                .where(CaseRecord.id % len(places) == index)
                .values(municipality=place, case_type=types[index % len(types)])
            )
        await session.execute(
            update(CaseRecord)
            .where(CaseRecord.id % 23 == 0, CaseRecord.status != "gesloten")
            .values(regie_holder=None, regie_org=None)
        )


async def run(database: Database, rounds: int, shots: Path | None) -> None:
    """Seed, then measure."""
    await database.upgrade()
    started = time.perf_counter()
    province = await seed_province(database, SIZE, NOW - timedelta(days=1))
    print(
        f"seeded a province in {time.perf_counter() - started:.0f} s "
        f"({SIZE.open_cases} open cases of {SIZE.cases})",
        flush=True,
    )
    await spread(database)
    await server_render(database, province.ketenmanager, rounds)
    await http_and_browser(database, province.ketenmanager, rounds, shots)


async def main(argv: list[str]) -> int:
    """Parse the arguments and run on the chosen database."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument(
        "--database-url", default="", help="an empty database (default: a fresh SQLite file)"
    )
    parser.add_argument("--screenshots", type=Path, default=None)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as directory:
        url = args.database_url or sqlite_url_for(Path(directory) / "board.sqlite3")
        database = Database(url)
        try:
            await run(database, args.rounds, args.screenshots)
        finally:
            await database.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
