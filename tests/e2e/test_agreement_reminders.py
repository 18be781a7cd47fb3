"""Agreement reminders through the real homeserver, including a bot that was down.

The calendar is opened up (every day a working day, office hours all day) and the
policy's "morning of the deadline" reminder is put a few seconds ahead, so a real
reminder fires during the test whatever the date and time of the run.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from avz_bot.settings import CalendarSettings
from avz_bot.settings_sections.agreements import ReminderSettings
from avz_bot.settings_sections.cases import CasesSettings
from avz_bot.testkit.world import BotWorld

pytestmark = pytest.mark.e2e

AMS = ZoneInfo("Europe/Amsterdam")
ALWAYS_OPEN = CalendarSettings(
    office_start=time(0, 0),
    office_end=time(23, 59, 59),
    working_weekdays=[0, 1, 2, 3, 4, 5, 6],
    observe_holidays=False,
)


def _policy(fire_at: datetime) -> ReminderSettings:
    """Only one reminder: on the deadline's day at ``fire_at``'s local time."""
    return ReminderSettings(
        before_working_days=0,
        deadline_morning=fire_at.astimezone(AMS).time().replace(microsecond=0),
        overdue_every_working_day=False,
        max_overdue_reminders=0,
        notify_regie_after_working_days=0,
        notify_coordination_after_working_days=0,
        late_after_seconds=2,
    )


def _deadline_text(now: datetime) -> str:
    """A deadline later today (local time), a few minutes after the reminder."""
    deadline = (now + timedelta(minutes=5)).astimezone(AMS)
    return f"{deadline:%Y-%m-%d %H:%M}"


@pytest.fixture
def early_enough() -> None:
    local = datetime.now(AMS)
    if local.hour == 23 and local.minute >= 50:
        pytest.skip("the reminder and its deadline must fall on the same local day")


@pytest.mark.usefixtures("early_enough")
async def test_reminder_arrives_in_the_case_room_mentioning_the_owner(world: BotWorld) -> None:
    pieter = await world.partner("pieter", "politie")
    anouk = await world.partner("anouk", "ggz")
    intake = await pieter.create_encrypted_room(name="intake")
    fire_at = datetime.now(UTC) + timedelta(seconds=25)
    await world.start(
        cases=CasesSettings(intake_rooms=[intake]), calendar=ALWAYS_OPEN, reminders=_policy(fire_at)
    )
    room = await world.case_room(pieter, anouk, intake, "Herinneringen")

    made = await pieter.send_and_wait(
        room,
        f'!actie {anouk.user_id} "Huisbezoek plannen" deadline="{_deadline_text(fire_at)}"',
        reply_from=world.bot_id,
        timeout=60,
    )
    assert "Afspraak #1 vastgelegd" in made.body
    listing = await pieter.send_and_wait(room, "!acties", reply_from=world.bot_id)
    assert "Huisbezoek plannen" in listing.body

    reminder = await anouk.wait_for_message(
        room,
        sender=world.bot_id,
        predicate=lambda body: "Vandaag is de deadline" in body,
        timeout=90,
    )
    assert anouk.user_id in reminder.body  # the owner is mentioned
    assert reminder.formatted_body and f"https://matrix.to/#/{anouk.user_id}" in (
        reminder.formatted_body
    )
    assert "Verlaat" not in reminder.body


@pytest.mark.usefixtures("early_enough")
async def test_reminder_due_while_the_bot_was_down_arrives_once_marked_late(
    world: BotWorld,
) -> None:
    pieter = await world.partner("pieter", "politie")
    anouk = await world.partner("anouk", "ggz")
    intake = await pieter.create_encrypted_room(name="intake")
    fire_at = datetime.now(UTC) + timedelta(seconds=25)
    settings = {
        "cases": CasesSettings(intake_rooms=[intake]),
        "calendar": ALWAYS_OPEN,
        "reminders": _policy(fire_at),
    }
    bot = await world.start(**settings)
    room = await world.case_room(pieter, anouk, intake, "Herinneringen")
    made = await pieter.send_and_wait(
        room,
        f'!actie ggz "Zorgplan opstellen" deadline="{_deadline_text(fire_at)}"',
        reply_from=world.bot_id,
        timeout=60,
    )
    assert "Afspraak #1" in made.body
    await bot.stop()

    # The due moment passes while the bot is down.
    await asyncio.sleep(max(0.0, (fire_at - datetime.now(UTC)).total_seconds()) + 4)
    await world.start(**settings)
    reminder = await anouk.wait_for_message(
        room,
        sender=world.bot_id,
        predicate=lambda body: "Vandaag is de deadline" in body,
        timeout=90,
    )
    assert "Verlaat" in reminder.body
    assert anouk.user_id in reminder.body  # the owning organisation's member is mentioned
    # Exactly once: nothing more arrives, also not after another restart.
    await world.running[-1].stop()
    await world.start(**settings)
    await pieter.send_and_wait(room, "!ping", reply_from=world.bot_id, timeout=60)
    await asyncio.sleep(2)
    reminders = [
        m for m in anouk.messages(room) if m.sender == world.bot_id and "deadline van" in m.body
    ]
    assert len(reminders) == 1
