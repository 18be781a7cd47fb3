"""``avz-bot report`` as a real process: the same figures and files as ``!rapport``."""

from __future__ import annotations

import asyncio
import csv
import io
import os
import struct
import subprocess
import sys
from pathlib import Path

from avz_bot.domain.workdays import WorkCalendar
from avz_bot.messages import Messages
from avz_bot.services.reports.service import ReportService
from avz_bot.settings_sections.cases import CasesSettings
from avz_bot.settings_sections.reports import ReportSettings
from avz_bot.testkit.report_fixture import NOW, seed_report_fixture
from storage.db import Database, sqlite_url_for

ROOT = Path(__file__).resolve().parents[2]


async def _seed(path: Path) -> list[list[str]]:
    """Seed the fixture; return the caseload-per-municipality rows as ``!rapport`` shows them."""
    database = Database(sqlite_url_for(path))
    try:
        await database.upgrade()
        async with database.session() as session, session.begin():
            await seed_report_fixture(session)
        async with database.session() as session, session.begin():
            service = ReportService(
                session, NOW, WorkCalendar(), CasesSettings(), ReportSettings(), Messages()
            )
            report = await service.build(*service.resolve("2026-10", None))
            table = report.sections[0].tables[1]
            return service.view.rows(table)
    finally:
        await database.dispose()


def _run(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AVZ_")}
    env["AVZ_MATRIX__PICKLE_KEY"] = "x" * 20
    return subprocess.run(
        [sys.executable, "-m", "avz_bot", "--config", str(config), "report", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )


def test_report_command_writes_pngs_csvs_and_html(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    expected = asyncio.run(_seed(data / "avz-bot.sqlite3"))
    config = tmp_path / "avz.toml"
    config.write_text(
        (ROOT / "config" / "avz-bot.example.toml")
        .read_text()
        .replace('data_dir = "../data"', f'data_dir = "{data}"')
        .replace('file = "partners.toml"', f'file = "{ROOT / "config" / "partners.example.toml"}"')
    )
    out = tmp_path / "out"
    result = _run(config, "--period", "2026-10", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "Rapportage oktober 2026 – alle gemeenten" in result.stdout
    names = sorted(p.name for p in out.iterdir())
    assert "rapport-2026-10.html" in names and "rapport-2026-10.csv" in names
    assert "rapport-2026-10-caseload_bars.png" in names
    assert "rapport-2026-10-caseload_municipality.csv" in names
    png = (out / "rapport-2026-10-caseload_bars.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", png[16:24]) == (1000, 500)
    raw = (out / "rapport-2026-10-caseload_municipality.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    # The caseload does not depend on the moment of the report: same as !rapport.
    assert rows == expected
    html = (out / "rapport-2026-10.html").read_text(encoding="utf-8")
    # The CLI has every section (the same provider list as the bot): the escalations' box
    # plot is the fifth chart, and the signal and helpdesk tables have their own CSVs.
    assert html.count("data:image/png;base64,") == 5
    assert "rapport-2026-10-escalations_boxes.png" in names
    assert "rapport-2026-10-signals_matrix.csv" in names
    assert "rapport-2026-10-helpdesk_theme.csv" in names
    assert "Opschalingen: 13 (+7 (+117%))" in result.stdout

    bad = _run(config, "--period", "volgende week", "--out", str(out))
    assert bad.returncode == 2
    assert "Deze periode ken ik niet" in bad.stderr
    bad = _run(config, "--period", "2026", "--municipality", "Parijs", "--out", str(out))
    assert bad.returncode == 2 and "Parijs" in bad.stderr
