"""The bot through a real homeserver, with real encrypted partner clients.

Every test gets a fresh bot account, data directory and database (``world``), so
tests cannot see each other's rooms or commands.
"""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from avz_bot import __version__
from avz_bot.app import Application
from avz_bot.lock import AlreadyRunningError
from avz_bot.testkit.partner import PartnerClient
from avz_bot.testkit.world import BotWorld
from storage.audit_repositories import AuditRepository
from storage.db import Database

pytestmark = pytest.mark.e2e


def _from(client: PartnerClient, room: str, sender: str) -> list[str]:
    """Bodies of the messages ``sender`` sent in ``room``, as ``client`` received them."""
    return [m.body for m in client.messages(room) if m.sender == sender]


async def _audit_actions(world: BotWorld) -> list[str]:
    database = Database(world.settings().database_url)
    try:
        async with database.session() as session:
            return [entry.action for entry in await AuditRepository(session).list(limit=1000)]
    finally:
        await database.dispose()


async def _quiet_period(client: PartnerClient, room: str, sender: str, seconds: float) -> None:
    """Wait so that an unwanted extra message from ``sender`` would have arrived."""
    await asyncio.sleep(seconds)


async def test_help_ping_and_whoami(world: BotWorld) -> None:
    pieter = await world.partner("pieter", "politie")
    await world.start()
    room = await world.room_with_bot(pieter)

    help_reply = await pieter.send_and_wait(room, "!help", reply_from=world.bot_id)
    assert help_reply.msgtype == "m.notice"
    assert help_reply.encrypted
    for command in ("!help alles", "!mijn", "!wie"):  # the few that fit a direct chat
        assert command in help_reply.body
    everything = await pieter.send_and_wait(room, "!help alles", reply_from=world.bot_id)
    for command in ("!help", "!ping", "!wie", "!casus nieuw", "!acties"):
        assert command in everything.body
    assert help_reply.formatted_body and "<" in help_reply.formatted_body

    ping = await pieter.send_and_wait(room, "!ping", reply_from=world.bot_id)
    assert __version__ in ping.body
    assert "ms" in ping.body

    detail = await pieter.send_and_wait(room, "!help wie", reply_from=world.bot_id)
    assert "!whoami" in detail.body  # the English alias is listed

    who = await pieter.send_and_wait(room, "!whoami", reply_from=world.bot_id)
    assert "Politie Noord-Nederland" in who.body
    assert pieter.user_id in who.body


async def test_unregistered_user_is_refused_and_changes_nothing(world: BotWorld) -> None:
    pieter = await world.partner("pieter", "politie")
    outsider = await world.partner("outsider", org=None)
    await world.start()
    room = await world.room_with_bot(pieter, outsider)

    for command in ("!wie", "!help"):
        sent = await outsider.send(room, command)
        # The registered member sees the refusal; the outsider's devices get no room
        # keys from the bot (trust policy), so the bot's messages stay unreadable to them.
        reply = await pieter.wait_for_message(
            room, sender=world.bot_id, in_reply_to=sent, timeout=30
        )
        assert "niet geregistreerd" in reply.body
    for _ in range(100):  # until the outsider's client has both (encrypted) answers
        if outsider.undecryptable_count(room) >= 2:
            break
        await asyncio.sleep(0.1)
    assert outsider.undecryptable_count(room) >= 2
    assert not any(m.sender == world.bot_id for m in outsider.messages(room))
    # The refusals are in the audit trail, and nothing else happened.
    actions = await _audit_actions(world)
    assert actions.count("access.refused") == 2


async def test_invitation_from_unregistered_user_is_declined(world: BotWorld) -> None:
    outsider = await world.partner("outsider", org=None)
    pieter = await world.partner("pieter", "politie")
    await world.start()
    room = await outsider.create_encrypted_room(name="niet-toegestaan", invite=[world.bot_id])

    async def bot_membership() -> str | None:
        for event in await outsider.room_state(room):
            if event.get("type") == "m.room.member" and event.get("state_key") == world.bot_id:
                return str(event["content"]["membership"])
        return None

    for _ in range(100):
        if await bot_membership() == "leave":
            break
        await asyncio.sleep(0.2)
    assert await bot_membership() == "leave"
    # A registered partner's invitation, on the other hand, is accepted.
    await world.room_with_bot(pieter)


async def test_unencrypted_room_is_refused_once(world: BotWorld) -> None:
    pieter = await world.partner("pieter", "politie")
    await world.start()
    room = await pieter.create_plain_room(invite=[world.bot_id])
    await pieter.wait_for_join(room, world.bot_id, timeout=60)

    first = await pieter.send_and_wait(room, "!ping", reply_from=world.bot_id)
    assert "niet end-to-end versleuteld" in first.body
    assert not first.encrypted
    await pieter.send(room, "!ping")
    marker = await pieter.send(room, "!help")
    await _quiet_period(pieter, room, world.bot_id, 4)
    bodies = _from(pieter, room, world.bot_id)
    assert len(bodies) == 1, bodies  # explained once, never executed
    assert marker


async def test_bad_command_gets_usage_and_changes_nothing(world: BotWorld) -> None:
    pieter = await world.partner("pieter", "politie")
    await world.start()
    room = await world.room_with_bot(pieter)
    # The bot records its join in the audit trail right after joining, which the
    # partner may see first: an answered !ping (which changes nothing) shows that the
    # join is behind us (this test used to fail now and then on exactly that).
    await pieter.send_and_wait(room, "!ping", reply_from=world.bot_id)
    before = await _audit_actions(world)

    typo = await pieter.send_and_wait(room, "!pign", reply_from=world.bot_id)
    assert "Bedoel je !ping?" in typo.body
    extra = await pieter.send_and_wait(room, "!ping nu meteen", reply_from=world.bot_id)
    assert "Te veel argumenten" in extra.body
    assert "Gebruik: !ping" in extra.body
    quote = await pieter.send_and_wait(room, '!help "ping', reply_from=world.bot_id)
    assert "aanhalingsteken" in quote.body
    for reply in (typo, extra, quote):
        assert "Traceback" not in reply.body
    assert await _audit_actions(world) == before


async def test_restart_does_not_answer_old_commands_again(world: BotWorld) -> None:
    pieter = await world.partner("pieter", "politie")
    bot = await world.start()
    room = await world.room_with_bot(pieter)
    await pieter.send_and_wait(room, "!ping", reply_from=world.bot_id)
    await pieter.send_and_wait(room, "!wie", reply_from=world.bot_id)
    await bot.stop()

    await world.start()
    reply = await pieter.send_and_wait(room, "!help", reply_from=world.bot_id, timeout=60)
    assert "!ping" in reply.body
    await _quiet_period(pieter, room, world.bot_id, 3)
    assert len(_from(pieter, room, world.bot_id)) == 3


@pytest.mark.parametrize("how", ["stop", "kill"])
async def test_command_sent_while_bot_down_is_answered_once(world: BotWorld, how: str) -> None:
    pieter = await world.partner("pieter", "politie")
    bot = await world.start()
    room = await world.room_with_bot(pieter)
    await pieter.send_and_wait(room, "!ping", reply_from=world.bot_id)
    if how == "kill":
        await bot.kill()  # no graceful end: like a crash
    else:
        await bot.stop()

    sent = await pieter.send(room, "!wie")
    await world.start()
    reply = await pieter.wait_for_message(room, sender=world.bot_id, in_reply_to=sent, timeout=60)
    assert "Politie Noord-Nederland" in reply.body
    # Another restart must not answer it again either.
    await world.running[-1].stop()
    await world.start()
    await pieter.send_and_wait(room, "!ping", reply_from=world.bot_id, timeout=60)
    await _quiet_period(pieter, room, world.bot_id, 3)
    bodies = _from(pieter, room, world.bot_id)
    assert sum("Politie Noord-Nederland" in body for body in bodies) == 1, bodies
    assert len(bodies) == 3


async def test_commands_from_before_the_bot_joined_are_not_executed(world: BotWorld) -> None:
    pieter = await world.partner("pieter", "politie")
    await world.start()
    room = await pieter.create_encrypted_room(name="eerst-praten")
    early = await pieter.send(room, "!ping")
    await pieter.invite(room, world.bot_id)
    await pieter.wait_for_join(room, world.bot_id, timeout=60)
    reply = await pieter.send_and_wait(room, "!wie", reply_from=world.bot_id)
    assert "Politie" in reply.body
    await _quiet_period(pieter, room, world.bot_id, 3)
    assert early
    assert len(_from(pieter, room, world.bot_id)) == 1


async def test_second_instance_on_the_same_store_refuses_to_start(world: BotWorld) -> None:
    await world.partner("pieter", "politie")
    await world.start()
    second = Application(world.settings())
    with pytest.raises(AlreadyRunningError):
        await second.run()


async def test_operations_endpoint(world: BotWorld) -> None:
    pieter = await world.partner("pieter", "politie")
    bot = await world.start()
    room = await world.room_with_bot(pieter)
    await pieter.send_and_wait(room, "!ping", reply_from=world.bot_id)
    base = f"http://127.0.0.1:{bot.app.ops.bound_port}"
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{base}/healthz") as response:
            assert response.status == 200
        for _ in range(50):
            async with http.get(f"{base}/readyz") as response:
                if response.status == 200:
                    break
            await asyncio.sleep(0.2)
        assert response.status == 200
        async with http.get(f"{base}/metrics") as response:
            metrics = await response.text()
    assert 'avz_commands_total{command="ping",outcome="ok"} 1.0' in metrics
    assert "avz_command_latency_seconds_bucket" in metrics
    assert pieter.user_id not in metrics  # no personal data in metrics


async def test_bot_survives_a_homeserver_restart(world: BotWorld) -> None:
    pieter = await world.partner("pieter", "politie")
    bot = await world.start()
    room = await world.room_with_bot(pieter)
    await pieter.send_and_wait(room, "!ping", reply_from=world.bot_id)

    await world.synapse.restart()
    reply = await pieter.send_and_wait(room, "!wie", reply_from=world.bot_id, timeout=90)
    assert "Politie" in reply.body
    assert not bot.task.done()


async def test_undecryptable_command_is_explained_once_after_the_grace_period(
    world: BotWorld,
) -> None:
    pieter = await world.partner("pieter", "politie")
    bot = await world.start(undecryptable_grace_seconds=2)
    room = await world.room_with_bot(pieter)
    await pieter.send_and_wait(room, "!ping", reply_from=world.bot_id)
    # Pieter's client withholds the room key from the bot's device from now on.
    device = pieter.client.device_store[world.bot_id][bot.app.adapter.device_id]
    pieter.client.blacklist_device(device)
    first = await pieter.send(room, "!wie")
    await pieter.send(room, "!help")
    explanation = await pieter.wait_for_message(
        room,
        sender=world.bot_id,
        predicate=lambda body: "niet ontsleutelen" in body,
        timeout=60,
    )
    assert "niet uitgevoerd" in explanation.body
    await asyncio.sleep(4)
    bodies = _from(pieter, room, world.bot_id)
    # One explanation for both messages (per sender and room), and nothing executed.
    assert sum("niet ontsleutelen" in body for body in bodies) == 1, bodies
    assert not any("Politie Noord-Nederland" in body for body in bodies)
    assert first


async def test_command_in_a_long_gap_while_down_is_still_answered(world: BotWorld) -> None:
    pieter = await world.partner("pieter", "politie")
    bot = await world.start()
    room = await world.room_with_bot(pieter)
    await pieter.send_and_wait(room, "!ping", reply_from=world.bot_id)
    await bot.stop()
    # More happens than one sync returns (the filter keeps 200 timeline events): the
    # command is at the start of the gap, followed by a busy conversation.
    command = await pieter.send(room, "!wie")
    for n in range(230):
        await pieter.send(room, f"overleg {n}")
    await world.start()
    reply = await pieter.wait_for_message(
        room, sender=world.bot_id, in_reply_to=command, timeout=90
    )
    assert "Politie Noord-Nederland" in reply.body
    await asyncio.sleep(2)
    answers = [m for m in pieter.messages(room) if m.in_reply_to == command]
    assert len(answers) == 1
