"""``!rapport`` through the real homeserver: summary, encrypted charts and CSV, refusals."""

from __future__ import annotations

import csv
import io
import struct

import aiohttp
import pytest

from avz_bot.demo_report import demo_report_step
from avz_bot.settings_sections.cases import CasesSettings
from avz_bot.testkit.report_fixture import seed_report_fixture
from avz_bot.testkit.world import BotWorld
from storage.audit_repositories import AuditRepository

pytestmark = pytest.mark.e2e


async def test_report_in_the_coordination_room(world: BotWorld) -> None:
    karin = await world.partner("karin", "avz", ("professional", "ketenmanager"))
    pieter = await world.partner("pieter", "politie")
    coordination = await karin.create_encrypted_room(name="coordinatie", invite=[pieter.user_id])
    bot = await world.start(cases=CasesSettings(coordination_room=coordination))
    async with bot.app.database.session() as session, session.begin():
        await seed_report_fixture(session)
    await karin.invite(coordination, world.bot_id)
    await karin.wait_for_join(coordination, world.bot_id, timeout=60)
    await pieter.join(coordination)
    await karin.wait_for_join(coordination, pieter.user_id, timeout=60)

    # A professional who is not a ketenmanager is refused, and gets no files.
    refusal = await pieter.send_and_wait(
        coordination, "!rapport periode=2026-10", reply_from=world.bot_id, timeout=60
    )
    assert "ketenmanagers" in refusal.body

    reply = await karin.send_and_wait(
        coordination, "!rapport periode=2026-10", reply_from=world.bot_id, timeout=120
    )
    assert reply.encrypted
    assert reply.body.startswith("Rapportage oktober 2026 – alle gemeenten")
    assert "Nieuwe casussen: 24 (+5 (+26%))" in reply.body
    assert "<5" in reply.body  # small numbers are suppressed in the room too
    # The bot registers every section: escalations, signals and the helpdesk too.
    assert "Opschalingen: 13 (+7 (+117%))" in reply.body
    assert "Matches: 11 (+6 (+120%)); 55% leidde tot een casus" in reply.body
    assert "Vragen: 13 (+7 (+117%))" in reply.body
    async with bot.app.database.session() as session:
        trail = await AuditRepository(session).list(entity_type="report", entity_id="2026-10")
    assert [(e.action, e.actor, e.details["municipality"]) for e in trail] == [
        ("report.requested", karin.user_id, None)
    ]

    image = await karin.wait_for_message(
        coordination,
        sender=world.bot_id,
        predicate=lambda body: body == "rapport-2026-10-caseload_bars.png",
        timeout=60,
    )
    assert image.encrypted and image.msgtype == "m.image"
    assert image.content is not None and "url" not in image.content
    assert image.content["info"]["mimetype"] == "image/png"
    png = await karin.download_attachment(image)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", png[16:24]) == (
        image.content["info"]["w"],
        image.content["info"]["h"],
    )

    table = await karin.wait_for_message(
        coordination,
        sender=world.bot_id,
        predicate=lambda body: body == "rapport-2026-10.csv",
        timeout=60,
    )
    assert table.encrypted and table.msgtype == "m.file"
    data = await karin.download_attachment(table)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [reply.body.splitlines()[0]]
    assert ["Totaal", "24", "19", "+5 (+26%)", "48", "24", "+24 (+100%)", "8", "0", "+8"] in rows

    # Outside the coordination room the report is refused, with the reason.
    other = await world.room_with_bot(karin)
    elsewhere = await karin.send_and_wait(other, "!rapport", reply_from=world.bot_id, timeout=60)
    assert "coördinatiekamer" in elsewhere.body
    bad = await karin.send_and_wait(
        coordination, "!rapport periode=morgen", reply_from=world.bot_id, timeout=60
    )
    assert "Deze periode ken ik niet" in bad.body

    # The running bot's /metrics (the application's wiring) has the open escalations per
    # municipality: Groningen 1 waiting + 3 acknowledged, Oldambt 2 waiting.
    url = f"http://127.0.0.1:{bot.app.ops.bound_port}/metrics"
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        metrics = await response.text()
    assert 'avz_open_escalations{municipality="groningen"} 4.0' in metrics
    assert 'avz_open_escalations{municipality="oldambt"} 2.0' in metrics

    # The demo's closing step (avz_bot.demo_report) shows the same report and its files.
    class Quiet:
        def __init__(self) -> None:
            self.lines: list[str] = []

        def note(self, text: str) -> None:
            self.lines.append(text)

        def say(self, who: str, body: str) -> None:
            self.lines.append(body)

        def bot(self, body: str) -> None:
            self.lines.append(body)

    quiet = Quiet()
    files = await demo_report_step(quiet, karin, world.bot_id, coordination, period="2026-10")
    assert [name for name, _ in files] == [
        "rapport-2026-10-caseload_bars.png",
        "rapport-2026-10-caseload_trend.png",
        "rapport-2026-10-regie_boxes.png",
        "rapport-2026-10-agreements_boxes.png",
        "rapport-2026-10-escalations_boxes.png",
        "rapport-2026-10.csv",
    ]
    assert all(size > 0 for _, size in files)
