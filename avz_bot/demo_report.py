"""The demo's last step: a ketenmanager asks for the trend report in the coordination room.

Self-contained so that the demo script can call it however it starts the bot:

    from avz_bot.demo_report import demo_report_step
    await demo_report_step(t, partners["m.visser"], bot_id, rooms.coordination)

at the end of ``avz_bot.demo._script`` (``t`` is the demo's ``Transcript``). The
ketenmanager sends ``!rapport periode="deze maand"``; the transcript shows the bot's
summary and then the files as they arrive — each downloaded and decrypted by the
ketenmanager's own client, as Element would.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from avz_bot.domain.workdays import WorkCalendar
from avz_bot.messages import Messages
from avz_bot.report_cli import ReportFiles, save_report
from avz_bot.services.reports.sections import report_providers
from avz_bot.services.reports.service import ReportService
from avz_bot.settings_sections.cases import CasesSettings
from avz_bot.settings_sections.helpdesk import HelpdeskSettings
from avz_bot.settings_sections.reports import ReportSettings
from avz_bot.testkit.partner import PartnerClient
from avz_bot.testkit.report_fixture import NOW, seed_report_fixture
from avz_bot.testkit.report_generated import seed_generated_network
from storage.db import Database, sqlite_url_for


class Narrator(Protocol):
    """What the step prints through (the demo's ``Transcript``)."""

    def note(self, text: str) -> None: ...

    def say(self, who: str, body: str) -> None: ...

    def bot(self, body: str) -> None: ...


async def demo_report_step(
    t: Narrator,
    ketenmanager: PartnerClient,
    bot_id: str,
    coordination: str,
    period: str = '"deze maand"',
    timeout: float = 120,
) -> list[tuple[str, int]]:
    """Ask for the report and show it; returns ``(file name, decrypted size)`` per file."""
    t.note(
        "Trendrapportage: de ketenmanager vraagt in de coördinatiekamer de cijfers op "
        "(kleine aantallen worden <5; grafieken en CSV komen versleuteld mee)"
    )
    body = f"!rapport periode={period}"
    t.say(ketenmanager.user_id, body)
    sent = await ketenmanager.send(coordination, body, timeout=timeout)
    reply = await ketenmanager.wait_for_message(
        coordination, sender=bot_id, in_reply_to=sent, timeout=timeout
    )
    t.bot(reply.body)
    files: list[tuple[str, int]] = []
    if not reply.body.startswith(("Rapportage", "Report")):
        return files  # refused: the reply says why
    csv_name = ""
    while not csv_name:
        message = await ketenmanager.wait_for_message(
            coordination,
            sender=bot_id,
            after_event_id=reply.event_id,
            predicate=lambda b: b.startswith("rapport-") and b not in {n for n, _ in files},
            timeout=timeout,
        )
        data = await ketenmanager.download_attachment(message)
        files.append((message.body, len(data)))
        t.bot(f"[{message.msgtype}] {message.body} ({len(data)} bytes, ontsleuteld)")
        if message.body.endswith(".csv"):
            csv_name = message.body
    return files


async def realistic_report(out: Path) -> ReportFiles:
    """The trend report on generated numbers of a whole network, saved as files in ``out``.

    The demo's own database holds a handful of cases, so its ``!rapport`` reads "<5"
    almost everywhere. This seeds a throwaway SQLite database in ``out`` with a year of
    generated cases and agreements in all ten municipalities
    (``avz_bot.testkit.report_generated``) on top of the report tests' fixture (regie
    changes, escalations, signals, helpdesk: ``avz_bot.testkit.report_fixture``), builds the report for October 2026 against
    September exactly as ``avz-bot report`` does, and writes the PNG charts, the CSV tables
    and the HTML page to ``out`` (an existing directory; the database is removed afterwards).
    """
    path = out / "gegenereerd.sqlite3"
    database = Database(sqlite_url_for(path))
    try:
        await database.upgrade()
        async with database.session() as session, session.begin():
            await seed_report_fixture(session)
            await seed_generated_network(session, NOW)
        async with database.session() as session, session.begin():
            calendar = WorkCalendar()
            helpdesk = HelpdeskSettings()
            service = ReportService(
                session,
                NOW,
                calendar,
                CasesSettings(),
                ReportSettings(),
                Messages(),
                providers=report_providers(helpdesk, calendar),
            )
            report = await service.build(*service.resolve("2026-10", None))
    finally:
        await database.dispose()
        path.unlink(missing_ok=True)
    return save_report(service, report, out)
