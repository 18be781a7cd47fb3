"""Cases, case rooms and regie through the real homeserver with encrypted partners."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from typing import Any

import pytest

from avz_bot.settings_sections.cases import CasesSettings
from avz_bot.testkit.partner import PartnerClient
from avz_bot.testkit.world import BotWorld

pytestmark = pytest.mark.e2e

REFERENCE = re.compile(r"AVZ-\d{4}-\d{4}")


@dataclass
class CaseWorld:
    """A running bot with an intake room, a coordination room and three partners."""

    world: BotWorld
    pieter: PartnerClient  # politie
    anouk: PartnerClient  # ggz
    karin: PartnerClient  # ketenmanager (avz)
    intake: str
    coordination: str

    async def ask(self, who: PartnerClient, room: str, body: str) -> str:
        reply = await who.send_and_wait(room, body, reply_from=self.world.bot_id, timeout=60)
        return reply.body

    async def join_case(self, who: PartnerClient, room: str) -> None:
        """``who`` accepts the bot's invitation and has seen the bot welcome them."""
        await who.wait_for_invitation(self.world.bot_id, timeout=60)
        await who.join(room)
        await self.pieter.wait_for_message(
            room,
            sender=self.world.bot_id,
            predicate=lambda body: body.startswith("Welkom") and "Test ggz" in body,
            timeout=60,
        )

    async def open_case(self, body: str) -> tuple[str, str]:
        """Open a case from the intake room; returns (reference, case room id)."""
        seen = [i.room_id for i in self.pieter.invitations]
        answer = await self.ask(self.pieter, self.intake, body)
        found = REFERENCE.search(answer)
        assert found, answer
        invitation = await self.pieter.wait_for_invitation(
            self.world.bot_id, exclude=seen, timeout=60
        )
        await self.pieter.join(invitation.room_id)
        await self.pieter.wait_for_message(
            invitation.room_id,
            sender=self.world.bot_id,
            predicate=lambda body: body.startswith("Welkom"),
            timeout=60,
        )
        return found.group(0), invitation.room_id


@pytest.fixture
async def cases(world: BotWorld) -> CaseWorld:
    pieter = await world.partner("pieter", "politie")
    anouk = await world.partner("anouk", "ggz")
    karin = await world.partner("karin", "avz", ("professional", "ketenmanager"))
    intake = await pieter.create_encrypted_room(name="intake", invite=[anouk.user_id])
    coordination = await karin.create_encrypted_room(name="coordinatie")
    await world.start(cases=CasesSettings(intake_rooms=[intake], coordination_room=coordination))
    await pieter.invite(intake, world.bot_id)
    await pieter.wait_for_join(intake, world.bot_id, timeout=60)
    await karin.invite(coordination, world.bot_id)
    await karin.wait_for_join(coordination, world.bot_id, timeout=60)
    return CaseWorld(world, pieter, anouk, karin, intake, coordination)


def _state(events: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    found = [e for e in events if e.get("type") == kind and e.get("state_key", "") == ""]
    assert found, f"no {kind} in the room state"
    content: dict[str, Any] = found[0]["content"]
    return content


async def test_open_case_creates_a_secure_room(cases: CaseWorld) -> None:
    world = cases.world
    reference, room = await cases.open_case(
        '!casus nieuw "Test werktitel" gemeente=groningen type=veelpleger partners=ggz'
    )
    welcome = await cases.pieter.wait_for_message(room, sender=world.bot_id, timeout=60)
    assert reference in welcome.body
    assert "Test werktitel" in welcome.body
    assert welcome.encrypted

    state = await cases.pieter.room_state(room)
    assert _state(state, "m.room.encryption")["algorithm"] == "m.megolm.v1.aes-sha2"
    assert _state(state, "m.room.join_rules")["join_rule"] == "invite"
    assert _state(state, "m.room.history_visibility")["history_visibility"] == "joined"
    assert _state(state, "m.room.guest_access")["guest_access"] == "forbidden"
    assert _state(state, "m.room.name")["name"] == reference  # no personal data in state
    assert not [e for e in state if e.get("type") == "m.room.topic"]
    assert _state(state, "m.room.create").get("m.federate") is False
    power = _state(state, "m.room.power_levels")
    creation = next(e for e in state if e.get("type") == "m.room.create")
    assert creation["sender"] == world.bot_id  # the creator: all power (room v12)
    assert all(user == world.bot_id for user in power.get("users", {})), power["users"]
    for key in ("invite", "kick", "ban", "state_default"):
        assert power[key] == 100, key
    assert power["events"]["m.room.power_levels"] == 100
    assert power.get("users_default", 0) == 0

    # The named partner organisation's member was invited too.
    invitation = await cases.anouk.wait_for_invitation(world.bot_id, timeout=60)
    assert invitation.room_id == room
    # Nobody else was invited.
    members = {e["state_key"] for e in state if e.get("type") == "m.room.member"}
    assert members <= {world.bot_id, cases.pieter.user_id, cases.anouk.user_id}


async def test_unknown_values_get_the_valid_ones_and_change_nothing(cases: CaseWorld) -> None:
    answer = await cases.ask(
        cases.pieter, cases.intake, '!casus nieuw "X" gemeente=amsterdam type=veelpleger'
    )
    assert "Onbekende gemeente amsterdam" in answer
    assert "westerwolde" in answer
    answer = await cases.ask(cases.pieter, cases.intake, '!casus nieuw "X" gemeente=groningen')
    assert "Type ontbreekt" in answer  # with a capital (issue 25)
    assert "Gebruik: !casus nieuw" in answer
    # The first case that does get opened has number 1: the refusals used none.
    reference, _room = await cases.open_case('!casus nieuw "Y" gemeente=pekela type=jeugdgroep')
    assert reference.endswith("-0001")


async def test_regie_claim_transfer_accept_and_refusals(cases: CaseWorld) -> None:
    world = cases.world
    reference, room = await cases.open_case(
        '!casus nieuw "Regie" gemeente=oldambt type=multiprobleemgezin partners=ggz'
    )
    await cases.join_case(cases.anouk, room)

    assert "geen regiehouder" in await cases.ask(cases.pieter, room, "!regie")
    assert "heeft nu de regie" in await cases.ask(cases.pieter, room, "!regie claim")
    # A non-holder may not release or hand over regie.
    refused = await cases.ask(cases.anouk, room, "!regie loslaten reden=test")
    assert "Dat mag alleen de regiehouder" in refused
    # Handing over is a proposal; the old holder keeps regie until it is accepted.
    proposal = await cases.ask(cases.pieter, room, f"!regie overdragen {cases.anouk.user_id}")
    assert "accepteren" in proposal
    assert "Test politie" in await cases.ask(cases.anouk, room, "!regie")
    # Only the person it is addressed to can accept it.
    wrong = await cases.ask(cases.pieter, room, "!regie accepteren")
    assert "niet aan jou" in wrong
    accepted = await cases.ask(cases.anouk, room, "!regie accepteren")
    assert "overgegaan" in accepted
    assert "Test ggz" in await cases.ask(cases.pieter, room, "!regie")

    roles = await cases.ask(cases.pieter, room, "!rollen")
    assert "regiehouder" in roles
    assert "casemanager voor" in await cases.ask(cases.pieter, room, "!rol casemanager")

    # Releasing tells the coordination room.
    released = await cases.ask(cases.anouk, room, '!regie loslaten reden="ander werk"')
    assert "losgelaten" in released
    note = await cases.karin.wait_for_message(
        cases.coordination, sender=world.bot_id, predicate=lambda b: reference in b, timeout=60
    )
    assert "geen regiehouder meer" in note.body

    timeline = await cases.ask(cases.pieter, room, "!tijdlijn")
    for expected in ("casus geopend", "regie genomen", "regie van", "regie losgelaten"):
        assert expected in timeline, expected


async def test_simultaneous_claims_have_one_winner(cases: CaseWorld) -> None:
    world = cases.world
    _reference, room = await cases.open_case(
        '!casus nieuw "Race" gemeente=veendam type=jeugd partners=ggz'
    )
    await cases.join_case(cases.anouk, room)
    first, second = await asyncio.gather(
        cases.pieter.send(room, "!regie claim"), cases.anouk.send(room, "!regie claim")
    )
    replies = [
        await cases.pieter.wait_for_message(
            room, sender=world.bot_id, in_reply_to=first, timeout=60
        ),
        await cases.anouk.wait_for_message(
            room, sender=world.bot_id, in_reply_to=second, timeout=60
        ),
    ]
    await asyncio.sleep(2)
    bodies = [m.body for m in cases.pieter.messages(room) if m.sender == world.bot_id]
    winners = [b for b in bodies if "heeft nu de regie" in b]
    losers = [b for b in bodies if "Je verzoek is aan" in b]
    assert len(winners) == 1, bodies
    assert len(losers) == 1, bodies  # told who holds it, and asked to accept
    assert replies
    # The winner does the natural thing: hand regie to the one who asked. That grants the
    # request (it used to answer "Er staat al een regievoorstel open").
    pieter_won = any("heeft nu de regie" in r.body for r in replies[:1])
    winner, loser = (cases.pieter, cases.anouk) if pieter_won else (cases.anouk, cases.pieter)
    # Neighbour: handing regie to a third member while the request is open is refused and
    # says who asked and what to do; nothing changes.
    await cases.ask(winner, room, f"!casus uitnodigen {cases.karin.user_id}")
    await cases.karin.wait_for_invitation(world.bot_id, exclude=[cases.coordination], timeout=60)
    await cases.karin.join(room)
    elsewhere = await cases.ask(winner, room, f"!regie overdragen {cases.karin.user_id}")
    assert "heeft om de regie gevraagd" in elsewhere and "niets overgedragen" in elsewhere
    assert loser.user_id in elsewhere, elsewhere
    granted = await cases.ask(winner, room, f"!regie overdragen {loser.user_id}")
    assert "overgegaan" in granted, granted
    assert "regievoorstel open" not in granted
    loser_org = "Test ggz" if pieter_won else "Test politie"
    assert loser_org in await cases.ask(cases.pieter, room, "!regie")


async def test_closed_case_accepts_no_changes(cases: CaseWorld) -> None:
    _reference, room = await cases.open_case('!casus nieuw "Sluiten" gemeente=pekela type=nazorg')
    await cases.ask(cases.pieter, room, "!regie claim")
    assert "Geef een reden" in await cases.ask(cases.pieter, room, '!casus status actief reden=" "')
    assert "→ actief" in await cases.ask(cases.pieter, room, "!casus status actief reden=start")
    closed = await cases.ask(cases.pieter, room, '!casus sluiten reden="doelen bereikt"')
    assert "is gesloten" in closed
    refused = await cases.ask(cases.pieter, room, "!regie loslaten reden=x")
    assert "gesloten" in refused
    card = await cases.ask(cases.pieter, room, "!casus")
    assert "gesloten" in card


async def test_case_commands_outside_a_case_room_are_refused(cases: CaseWorld) -> None:
    answer = await cases.ask(cases.pieter, cases.intake, "!regie claim")
    assert "geen casuskamer" in answer
    # Opening a case is only possible in an intake or coordination room.
    dm = await cases.world.room_with_bot(cases.anouk)
    answer = await cases.ask(cases.anouk, dm, '!casus nieuw "X" gemeente=groningen type=jeugd')
    assert "intake" in answer


async def test_invite_remove_and_leave_change_membership_and_roles(cases: CaseWorld) -> None:
    world = cases.world
    reference, room = await cases.open_case('!casus nieuw "Leden" gemeente=stadskanaal type=pga')
    await cases.ask(cases.pieter, room, "!regie claim")
    refused = await cases.ask(cases.pieter, room, "!casus uitnodigen @niemand:avz.test")
    assert "geen geregistreerde ketenpartner" in refused
    added = await cases.ask(cases.pieter, room, f"!casus uitnodigen {cases.anouk.user_id}")
    assert "toegevoegd" in added
    await cases.join_case(cases.anouk, room)
    # Anouk is no regiehouder or ketenmanager: she may not remove anyone.
    assert "Dat mag alleen" in await cases.ask(
        cases.anouk, room, f"!casus verwijderen {cases.pieter.user_id}"
    )
    await cases.ask(cases.anouk, room, "!rol casemanager")
    removed = await cases.ask(cases.pieter, room, f"!casus verwijderen {cases.anouk.user_id}")
    assert "verwijderd" in removed

    async def membership(user: str) -> str | None:
        for event in await cases.pieter.room_state(room):
            if event.get("type") == "m.room.member" and event.get("state_key") == user:
                return str(event["content"]["membership"])
        return None

    for _ in range(100):
        if await membership(cases.anouk.user_id) == "leave":
            break
        await asyncio.sleep(0.2)
    assert await membership(cases.anouk.user_id) == "leave"  # the bot removed her
    assert "casemanager" not in await cases.ask(cases.pieter, room, "!rollen")

    # Someone who leaves by themselves loses every role too, regie included.
    await cases.ask(cases.pieter, room, f"!casus uitnodigen {cases.karin.user_id}")
    await cases.karin.wait_for_invitation(world.bot_id, exclude=[cases.coordination], timeout=60)
    await cases.karin.join(room)
    await cases.ask(cases.pieter, room, f"!regie overdragen {cases.karin.user_id}")
    await cases.ask(cases.karin, room, "!regie accepteren")
    await cases.karin.client.room_leave(room)
    notice = await cases.pieter.wait_for_message(
        room, sender=world.bot_id, predicate=lambda b: "verlaten" in b, timeout=60
    )
    assert "geen rol meer" in notice.body
    assert "geen regiehouder" in await cases.ask(cases.pieter, room, "!regie")
    timeline = await cases.ask(cases.pieter, room, "!tijdlijn")
    assert "verwijderd" in timeline and "kamer verlaten" in timeline
    assert reference in timeline


async def test_my_plate_only_in_a_direct_chat(cases: CaseWorld) -> None:
    reference, room = await cases.open_case('!casus nieuw "Bord" gemeente=veendam type=pga')
    await cases.ask(cases.pieter, room, "!regie claim")
    assert "direct gesprek" in await cases.ask(cases.pieter, room, "!mijn")
    direct = await cases.world.room_with_bot(cases.pieter)
    plate = await cases.ask(cases.pieter, direct, "!mijn")
    assert reference in plate
    assert "Casussen waarin jij de regie hebt" in plate


async def test_closing_with_open_work_asks_first_and_a_ketenmanager_can_reopen(
    cases: CaseWorld,
) -> None:
    world = cases.world
    reference, room = await cases.open_case(
        '!casus nieuw "Sluiten met werk" gemeente=midden-groningen type=jeugd partners=ggz'
    )
    await cases.join_case(cases.anouk, room)
    await cases.ask(cases.pieter, room, "!regie claim")
    await cases.ask(cases.pieter, room, f"!casus uitnodigen {cases.karin.user_id}")
    await cases.karin.wait_for_invitation(world.bot_id, exclude=[cases.coordination], timeout=60)
    await cases.karin.join(room)
    recorded = await cases.ask(
        cases.pieter, room, f'!actie {cases.anouk.user_id} "Zorgplan opstellen" deadline=morgen'
    )
    assert "#1" in recorded, recorded

    # The case: closing with an open agreement happened at once. Now it asks.
    asked = await cases.pieter.send_and_wait(
        room, '!casus sluiten reden="doelen bereikt"', reply_from=world.bot_id
    )
    assert "1 open afspraak" in asked.body, asked.body
    assert "herinneringen" in asked.body and "Nog niets gesloten" in asked.body
    assert "!casus sluiten bevestig" in asked.body and "👍" in asked.body
    assert "gesloten" not in (await cases.ask(cases.pieter, room, "!casus")).split("\n")[0]
    # Only the one who asked confirms; a wrong word changes nothing either.
    other = await cases.ask(cases.anouk, room, "!casus sluiten bevestig")
    assert "Alleen wie om het sluiten vroeg" in other
    odd = await cases.ask(cases.pieter, room, "!casus sluiten misschien")
    assert "bevestig" in odd
    closed = await cases.ask(cases.pieter, room, "!casus sluiten bevestig")
    assert "is gesloten" in closed, closed
    again = await cases.ask(cases.pieter, room, "!casus sluiten bevestig")
    assert "gesloten" in again  # nothing left to confirm: the case is closed

    # Reopening: a ketenmanager only, with a reason; it is in the timeline.
    refused = await cases.ask(cases.pieter, room, '!casus heropenen reden="nieuwe melding"')
    assert "ketenmanager" in refused
    reopened = await cases.ask(cases.karin, room, '!casus heropenen reden="nieuwe melding"')
    assert "heropend" in reopened, reopened
    timeline = await cases.ask(cases.pieter, room, "!tijdlijn")
    assert "sluiten gevraagd" in timeline and "gesloten → actief" in timeline, timeline

    # A 👍 on the question confirms as well.
    asked = await cases.pieter.send_and_wait(
        room, '!casus sluiten reden="echt klaar"', reply_from=world.bot_id
    )
    assert "Nog niets gesloten" in asked.body
    await cases.pieter.react(room, asked.event_id)
    done = await cases.pieter.wait_for_message(
        room,
        sender=world.bot_id,
        predicate=lambda b: "is gesloten" in b and "echt klaar" in b,
        timeout=60,
    )
    assert reference in done.body
