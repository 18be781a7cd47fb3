"""A case conference from plan to minutes, through the real homeserver.

The calendar is opened up (every day a working day, office hours all day) and the
second reminder is put one minute before the start, so the conference can start a
couple of minutes after it is planned and the first reminder (with the agenda) goes out
at once, as it does for a conference planned at short notice.
"""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from avz_bot.domain.date_names import format_when
from avz_bot.domain.workdays import WorkCalendar
from avz_bot.settings import CalendarSettings
from avz_bot.settings_sections.cases import CasesSettings
from avz_bot.settings_sections.conferences import ConferenceSettings
from avz_bot.testkit.world import BotWorld
from storage.conference_repositories import ConferenceRepository
from storage.schedule_repositories import JOB_PENDING, JobRepository

pytestmark = pytest.mark.e2e

AMS = ZoneInfo("Europe/Amsterdam")
ALWAYS_OPEN = CalendarSettings(
    office_start=time(0, 0),
    office_end=time(23, 59, 59),
    working_weekdays=[0, 1, 2, 3, 4, 5, 6],
    observe_holidays=False,
)
SOON = ConferenceSettings(hour_before_minutes=1)


@pytest.fixture
def early_enough() -> None:
    local = datetime.now(AMS)
    if local.hour == 23 and local.minute >= 50:
        pytest.skip("the conference must start on the same local day it is planned")


@pytest.mark.usefixtures("early_enough")
async def test_a_conference_from_plan_to_minutes(world: BotWorld) -> None:
    pieter = await world.partner("pieter", "politie")
    anouk = await world.partner("anouk", "ggz")
    intake = await pieter.create_encrypted_room(name="intake")
    bot = await world.start(
        cases=CasesSettings(intake_rooms=[intake]), calendar=ALWAYS_OPEN, conferences=SOON
    )
    room = await world.case_room(pieter, anouk, intake, "Overleg")
    await pieter.send_and_wait(room, "!regie claim", reply_from=world.bot_id, timeout=60)

    # A start at least 100 s ahead, on a whole minute.
    start = (datetime.now(UTC) + timedelta(seconds=160)).replace(second=0, microsecond=0)
    local = start.astimezone(AMS)
    planned = await pieter.send_and_wait(
        room,
        f'!overleg plan {local:%Y-%m-%d %H:%M} duur=45 locatie="Stadhuis, kamer 2"',
        reply_from=world.bot_id,
        timeout=60,
    )
    found = re.search(r"OV-\d{4}-\d{4}", planned.body)
    assert found, planned.body
    reference = found.group(0)

    # The participant gets the invitation (mentioned) and decrypts the calendar file.
    invitation = await anouk.wait_for_message(
        room,
        sender=world.bot_id,
        predicate=lambda b: "uitnodiging voor casusoverleg" in b,
        timeout=60,
    )
    assert anouk.user_id in invitation.body
    file = await anouk.wait_for_message(
        room, sender=world.bot_id, predicate=lambda b: b == "overleg.ics", timeout=60
    )
    assert file.encrypted and file.msgtype == "m.file"
    assert file.content is not None and "url" not in file.content
    calendar = icalendar.Calendar.from_ical(await anouk.download_attachment(file))
    event = calendar.walk("VEVENT")[0]
    assert str(calendar["METHOD"]) == "REQUEST"
    assert event.decoded("DTSTART") == start
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(minutes=45)
    assert str(event["LOCATION"]) == "Stadhuis, kamer 2"
    assert str(event["UID"]) == f"{reference.lower()}@avz-bot"

    # Attendance: Anouk accepts with ✅ on the invitation; the organiser sees who comes.
    await anouk.react(room, invitation.event_id, "✅")
    came = await pieter.wait_for_message(
        room,
        sender=world.bot_id,
        predicate=lambda b: "Komen: Test ggz, Test politie" in b,
        timeout=60,
    )
    assert came.sender == world.bot_id

    # The agenda is posted by itself (first reminder), before the conference starts.
    agenda = await anouk.wait_for_message(
        room,
        sender=world.bot_id,
        predicate=lambda b: b.startswith(f"Agenda casusoverleg {reference}"),
        timeout=90,
    )
    assert agenda.origin_server_ts < start.timestamp() * 1000
    assert "Regie: Test politie" in agenda.body
    await anouk.send_and_wait(
        room, f'!overleg punt {reference} "Schoolverzuim"', reply_from=world.bot_id, timeout=60
    )
    shown = await anouk.send_and_wait(
        room, f"!overleg agenda {reference}", reply_from=world.bot_id, timeout=60
    )
    assert "Schoolverzuim (Test ggz)" in shown.body

    # The conference runs from its start time: decisions and an agreement.
    await asyncio.sleep(max(0.0, (start - datetime.now(UTC)).total_seconds()) + 1)
    decided = await pieter.send_and_wait(
        room, '!overleg besluit "Huisbezoek door wijkteam"', reply_from=world.bot_id, timeout=60
    )
    assert "Besluit 1 vastgelegd" in decided.body
    deadline = (start + timedelta(days=7)).astimezone(AMS).replace(hour=12, minute=0)
    made = await pieter.send_and_wait(
        room,
        f'!actie {anouk.user_id} "Zorgplan opstellen" deadline="{deadline:%Y-%m-%d %H:%M}"',
        reply_from=world.bot_id,
        timeout=60,
    )
    assert "Afspraak #1 vastgelegd" in made.body

    following = (start + timedelta(days=14)).astimezone(AMS).replace(hour=10, minute=0)
    minutes = await pieter.send_and_wait(
        room,
        f'!overleg afronden volgende="{following:%Y-%m-%d %H:%M}"',
        reply_from=world.bot_id,
        timeout=60,
    )
    lines = minutes.body.split("\n")
    assert lines[0].startswith(f"Verslag casusoverleg {reference}")
    assert lines[1:] == [
        "Aanwezig:",
        "  • Test ggz (Lentis GGZ)",
        "  • Test politie (Politie Noord-Nederland)",
        "Afwezig:",
        "  • geen",
        "Besluiten:",
        "  • Huisbezoek door wijkteam (Test politie)",
        "Nieuwe afspraken:",
        f"  • #1 Zorgplan opstellen — Test ggz, deadline {_dutch(deadline)}",
        "Gewijzigde afspraken:",
        "  • geen",
        "Volgend overleg:",
        f"  • {_dutch(following)}",
    ]
    report = await anouk.wait_for_message(
        room,
        sender=world.bot_id,
        predicate=lambda b: b == f"verslag-{reference.lower()}.md",
        timeout=60,
    )
    markdown = (await anouk.download_attachment(report)).decode()
    assert "## Besluiten:\n\n- Huisbezoek door wijkteam (Test politie)\n" in markdown

    # The next conference's reminders are durable jobs in the bot's database.
    async with bot.app.database.session() as session:
        conferences = ConferenceRepository(session)
        upcoming, total = await conferences.for_case(1, planned=True, limit=5)
        assert total == 1 and upcoming[0].starts_at == following.astimezone(UTC)
        jobs = await JobRepository(session).for_entity("conference", str(upcoming[0].id))
    assert {(j.kind, j.status) for j in jobs} == {
        ("conference.reminder", JOB_PENDING),
    }
    assert len(jobs) == 2


def _dutch(moment: datetime) -> str:
    return format_when(moment, WorkCalendar())


async def test_moving_and_cancelling_update_the_same_calendar_entry(world: BotWorld) -> None:
    pieter = await world.partner("pieter", "politie")
    anouk = await world.partner("anouk", "ggz")
    intake = await pieter.create_encrypted_room(name="intake")
    await world.start(cases=CasesSettings(intake_rooms=[intake]))
    room = await world.case_room(pieter, anouk, intake, "Overleg")
    await pieter.send_and_wait(room, "!regie claim", reply_from=world.bot_id, timeout=60)

    first_day = (datetime.now(AMS) + timedelta(days=7)).date()
    planned = await pieter.send_and_wait(
        room, f"!overleg plan {first_day:%Y-%m-%d} 10:00", reply_from=world.bot_id, timeout=60
    )
    found = re.search(r"OV-\d{4}-\d{4}", planned.body)
    assert found, planned.body
    reference = found.group(0)

    # Only the regiehouder, a casemanager, a ketenmanager or the organiser may move it.
    refused = await anouk.send_and_wait(
        room,
        f"!overleg verzetten {reference} {first_day:%Y-%m-%d} 11:00 reden=ziek",
        reply_from=world.bot_id,
        timeout=60,
    )
    assert refused.body.startswith("Dat mag alleen")
    await pieter.send_and_wait(
        room,
        f"!overleg verzetten {reference} {first_day:%Y-%m-%d} 15:30 reden=zitting",
        reply_from=world.bot_id,
        timeout=60,
    )
    await pieter.send_and_wait(
        room,
        f"!overleg annuleren {reference} reden=afgeschaald",
        reply_from=world.bot_id,
        timeout=60,
    )

    async def calendars() -> list[icalendar.Calendar]:
        files = [
            m for m in anouk.messages(room) if m.sender == world.bot_id and m.body == "overleg.ics"
        ]
        return [icalendar.Calendar.from_ical(await anouk.download_attachment(f)) for f in files]

    await anouk.wait_for_message(
        room,
        sender=world.bot_id,
        predicate=lambda b: "gaat niet door" in b,
        timeout=60,
    )
    for _ in range(60):
        received = await calendars()
        if len(received) == 3:
            break
        await asyncio.sleep(0.5)
    invited, moved, cancelled = received
    events = [c.walk("VEVENT")[0] for c in (invited, moved, cancelled)]
    assert [str(c["METHOD"]) for c in (invited, moved, cancelled)] == [
        "REQUEST",
        "REQUEST",
        "CANCEL",
    ]
    assert len({str(e["UID"]) for e in events}) == 1
    assert [int(e["SEQUENCE"]) for e in events] == [0, 1, 2]
    assert events[1].decoded("DTSTART").astimezone(AMS).hour == 15
    assert events[1].decoded("DTSTART").astimezone(AMS).minute == 30
    assert str(events[2]["STATUS"]) == "CANCELLED"
