"""The helpdesk through the real homeserver: routing, claim, answer, knowledge, search, SLA.

The calendar is opened up (every day a working day, office hours all day) so short service
levels expire during the test whatever the date and time of the run.
"""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from avz_bot.settings import CalendarSettings
from avz_bot.settings_sections.helpdesk import HelpdeskSettings, ThemeServiceLevel
from avz_bot.testkit.partner import PartnerClient
from avz_bot.testkit.world import BotWorld

pytestmark = pytest.mark.e2e

AMS = ZoneInfo("Europe/Amsterdam")
ALWAYS_OPEN = CalendarSettings(
    office_start=time(0, 0),
    office_end=time(23, 59, 59),
    working_weekdays=[0, 1, 2, 3, 4, 5, 6],
    observe_holidays=False,
)


def _with_themes(world: BotWorld, themes: dict[str, str]) -> None:
    """Write the partner registry with ``themes = [...]`` lines (user id → TOML line)."""
    original = world.write_registry

    def write() -> None:
        original()
        text = world.partners_file.read_text(encoding="utf-8")
        for user_id, line in themes.items():
            text = text.replace(f'matrix_id = "{user_id}"\n', f'matrix_id = "{user_id}"\n{line}\n')
        world.partners_file.write_text(text, encoding="utf-8")

    world.write_registry = write  # type: ignore[method-assign]


async def _desk(world: BotWorld, owner: PartnerClient, *others: PartnerClient) -> str:
    """An encrypted helpdesk room with the bot invited (it joins when it starts)."""
    return await owner.create_encrypted_room(
        name="vraagbaak", invite=[world.bot_id, *(o.user_id for o in others)]
    )


async def _join_all(
    world: BotWorld, owner: PartnerClient, room: str, *others: PartnerClient
) -> None:
    await owner.wait_for_join(room, world.bot_id, timeout=60)
    for other in others:
        await other.join(room)
        await owner.wait_for_join(room, other.user_id, timeout=60)


async def _direct_chat(world: BotWorld, partner: PartnerClient, exclude: list[str]) -> str:
    invitation = await partner.wait_for_invitation(world.bot_id, exclude=exclude, timeout=90)
    await partner.join(invitation.room_id)
    return invitation.room_id


async def test_question_to_published_card_found_by_search(world: BotWorld) -> None:
    asker = await world.partner("asker", "gemeente-groningen")
    expert = await world.partner("expert", "ggz", ("professional", "expert"))
    _with_themes(world, {expert.user_id: 'themes = ["jeugd"]'})
    desk = await _desk(world, asker, expert)
    await world.start(helpdesk=HelpdeskSettings(rooms=[desk]), calendar=ALWAYS_OPEN)
    await _join_all(world, asker, desk, expert)
    year = datetime.now(AMS).year
    ref = f"VR-{year}-1"

    question = "Hoe pakken we woonoverlast door jongeren in een portiekflat aan?"
    asked_event = await asker.send(desk, f"!vraag jeugd {question}")
    asked = await asker.wait_for_message(
        desk, sender=world.bot_id, in_reply_to=asked_event, timeout=60
    )
    # The answer lives in the question's thread, mentions the theme's expert, warns about
    # personal data.
    assert asked.thread_root == asked_event
    assert ref in asked.body and "BSN" in asked.body
    assert asked.formatted_body and f"https://matrix.to/#/{expert.user_id}" in asked.formatted_body

    # The expert is told by direct message: reference and theme, not the question.
    dm = await _direct_chat(world, expert, [desk])
    notice = await expert.wait_for_message(
        dm, sender=world.bot_id, predicate=lambda b: ref in b, timeout=60
    )
    assert "jeugd" in notice.body and "portiekflat" not in notice.body

    waiting = await expert.send_and_wait(desk, "!vragen", reply_from=world.bot_id)
    assert ref in waiting.body and "nog niet opgepakt" in waiting.body
    # The expert claims it with 🙋 on the question, as Element sends a reaction.
    await expert.react(desk, asked_event, "🙋")
    claimed = await expert.wait_for_message(
        desk,
        sender=world.bot_id,
        predicate=lambda b: "opgepakt" in b,
        after_event_id=waiting.event_id,
        timeout=60,
    )
    assert claimed.thread_root == asked_event
    taken = await asker.send_and_wait(desk, "!vragen", reply_from=world.bot_id)
    assert "Test ggz" in taken.body  # others see who has it
    answer = "Zet buurtbemiddeling in en overweeg bij aanhoudende overlast een gedragsaanwijzing."
    answered = await expert.send_and_wait(
        desk, f"!antwoord {ref} {answer}", reply_from=world.bot_id
    )
    assert answer in answered.body and answered.thread_root == asked_event
    assert asker.user_id in answered.body  # the asker is mentioned
    solved = await asker.send_and_wait(desk, f"!opgelost {ref}", reply_from=world.bot_id)
    assert "opgelost en gesloten" in solved.body

    draft = await expert.send_and_wait(desk, f"!kennis nieuw {ref}", reply_from=world.bot_id)
    assert "Concept K-1" in draft.body
    # A BSN-valid number never reaches a card: the shared room's guard stops the command
    # before it runs (and publishing would refuse it too: tests/storage).
    bsn = await expert.send(desk, '!kennis bewerk K-1 tekst="Bel de wijkagent, dossier 111222333."')
    guard = await expert.wait_for_message(
        desk, sender=world.bot_id, predicate=lambda b: "BSN" in b, after_event_id=bsn, timeout=60
    )
    assert "111222333" not in guard.body
    nothing = await asker.send_and_wait(desk, "!zoek buurtbemiddeling", reply_from=world.bot_id)
    assert "K-1" not in nothing.body  # a draft is never found
    edited = await expert.send_and_wait(
        desk,
        f'!kennis bewerk K-1 titel="Woonoverlast door jongeren" tekst="{answer}"',
        reply_from=world.bot_id,
    )
    assert "gewijzigd" in edited.body
    # Who may not publish hears who may (issue 25: it used to explain who answers questions).
    not_yours = await asker.send_and_wait(desk, "!kennis publiceer K-1", reply_from=world.bot_id)
    assert "Publiceren van K-1" in not_yours.body, not_yours.body
    assert "expert van het thema van de kaart" in not_yours.body
    assert "pakken vragen op" not in not_yours.body
    published = await expert.send_and_wait(desk, "!kennis publiceer K-1", reply_from=world.bot_id)
    assert "gepubliceerd" in published.body
    # The review date is one a person would choose: at 09:00 on a working day (this test
    # bot counts every day as one; weekends and holidays: tests/unit, tests/storage).
    assert "09:00" in published.body, published.body

    # A part of a compound, and inflected words.
    for query in ("overlast", "jongere gedragsaanwijzingen"):
        found = await asker.send_and_wait(desk, f"!zoek {query}", reply_from=world.bot_id)
        first = found.body.splitlines()[1]
        assert "K-1" in first, (query, found.body)


async def test_missed_first_response_reaches_the_backup_expert(world: BotWorld) -> None:
    asker = await world.partner("asker", "gemeente-groningen")
    expert = await world.partner("expert", "ggz", ("professional", "expert"))
    backup = await world.partner("backup", "politie", ("professional", "expert"))
    _with_themes(
        world,
        {expert.user_id: 'themes = ["jeugd"]', backup.user_id: 'backup_themes = ["jeugd"]'},
    )
    desk = await _desk(world, asker, expert)
    # First response within ~9 s of (always open) office time, next step ~9 s later.
    levels = ThemeServiceLevel(first_response_days=0.0001, step_after_days=0.0001)
    await world.start(
        helpdesk=HelpdeskSettings(rooms=[desk], default_service_level=levels),
        calendar=ALWAYS_OPEN,
    )
    await _join_all(world, asker, desk, expert)
    year = datetime.now(AMS).year
    asked = await asker.send_and_wait(
        desk,
        "!vraag jeugd Wie is aanspreekpunt voor schoolverzuim?",
        reply_from=world.bot_id,
        timeout=60,
    )
    assert f"VR-{year}-1" in asked.body

    # Nobody claims: the expert is reminded in the thread, then the backup expert gets a
    # direct message.
    breach = await asker.wait_for_message(
        desk, sender=world.bot_id, predicate=lambda b: "verstreken" in b, timeout=90
    )
    assert breach.thread_root == asked.thread_root and expert.user_id in breach.body
    dm = await _direct_chat(world, backup, [desk])
    notice = await backup.wait_for_message(
        dm, sender=world.bot_id, predicate=lambda b: "verstreken" in b, timeout=90
    )
    assert f"VR-{year}-1" in notice.body and "schoolverzuim" not in notice.body
