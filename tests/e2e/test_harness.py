"""The real-homeserver harness itself: Synapse, encrypted partners, restart."""

from __future__ import annotations

import asyncio
import secrets
from pathlib import Path

import pytest

from avz_bot.testkit.partner import PartnerClient, PartnerFactory
from avz_bot.testkit.synapse import RegistrationError, SynapseServer

pytestmark = pytest.mark.e2e


async def _encrypted_pair(
    make_partner: PartnerFactory,
) -> tuple[PartnerClient, PartnerClient, str]:
    alice = await make_partner("alice")
    bob = await make_partner("bob")
    room = await alice.create_encrypted_room(name="harness", invite=[bob.user_id])
    await bob.join(room)
    await alice.wait_for_join(room, bob.user_id, timeout=30)
    return alice, bob, room


async def test_encrypted_message_exchange(make_partner: PartnerFactory) -> None:
    alice, bob, room = await _encrypted_pair(make_partner)
    assert any(inv.room_id == room and inv.inviter == alice.user_id for inv in bob.invitations)

    # The very first message after bob joined must be decryptable for him.
    sent = await alice.send(room, "hallo bob")
    received = await bob.wait_for_message(room, sender=alice.user_id, timeout=30)
    assert received.event_id == sent
    assert received.body == "hallo bob"
    assert received.encrypted is True
    assert received.room_id == room
    assert received.sender == alice.user_id

    reply_id = await bob.send(room, "hallo alice")
    reply = await alice.wait_for_message(room, sender=bob.user_id, after_event_id=sent, timeout=30)
    assert (reply.event_id, reply.body, reply.encrypted) == (reply_id, "hallo alice", True)

    # Messages that arrived before the call are found too, and are listed in order.
    again = await bob.wait_for_message(
        room, predicate=lambda body: body.startswith("hallo"), timeout=1
    )
    assert again == received
    assert [m.event_id for m in alice.messages(room)] == [sent, reply_id]


async def test_notice_with_formatted_body(make_partner: PartnerFactory) -> None:
    alice, bob, room = await _encrypted_pair(make_partner)
    sent = await alice.send(room, "vet", formatted_body="<b>vet</b>", msgtype="m.notice")
    got = await bob.wait_for_message(room, sender=alice.user_id, timeout=30)
    assert (got.event_id, got.msgtype, got.body, got.formatted_body) == (
        sent,
        "m.notice",
        "vet",
        "<b>vet</b>",
    )
    assert got.encrypted is True


async def test_send_and_wait_returns_the_reply_after_the_command(
    make_partner: PartnerFactory,
) -> None:
    alice, bob, room = await _encrypted_pair(make_partner)
    # An older message from alice must not count as the reply to bob's command, nor
    # anything alice says that does not answer it.
    await alice.send(room, "oud bericht")
    await bob.wait_for_message(room, sender=alice.user_id, timeout=30)

    async def echo_once() -> None:
        command = await alice.wait_for_message(
            room, sender=bob.user_id, predicate=lambda body: body == "!ping", timeout=30
        )
        await alice.send(room, f"pong {command.event_id}", in_reply_to=command.event_id)

    echo = asyncio.create_task(echo_once())
    reply = await bob.send_and_wait(room, "!ping", reply_from=alice.user_id, timeout=30)
    await echo
    assert reply.body.startswith("pong ")
    command = bob.messages(room)[-2]
    assert command.body == "!ping"
    assert reply.body == f"pong {command.event_id}"


async def test_late_joiner_can_decrypt_the_next_message(make_partner: PartnerFactory) -> None:
    alice, bob, room = await _encrypted_pair(make_partner)
    await alice.send(room, "eerste")
    await bob.wait_for_message(room, sender=alice.user_id, timeout=30)

    carol = await make_partner("carol")
    await alice.invite(room, carol.user_id)
    await carol.join(room)
    await alice.wait_for_join(room, carol.user_id, timeout=30)
    sent = await alice.send(room, "welkom carol")
    for partner in (bob, carol):
        got = await partner.wait_for_message(
            room, sender=alice.user_id, predicate=lambda body: body == "welkom carol", timeout=30
        )
        assert got.event_id == sent
        assert got.encrypted is True


async def test_room_state_contains_encryption(make_partner: PartnerFactory) -> None:
    alice, _bob, room = await _encrypted_pair(make_partner)
    state = await alice.room_state(room)
    encryption = [event for event in state if event["type"] == "m.room.encryption"]
    assert len(encryption) == 1
    assert encryption[0]["content"]["algorithm"] == "m.megolm.v1.aes-sha2"
    join_rules = [event for event in state if event["type"] == "m.room.join_rules"]
    assert join_rules[0]["content"]["join_rule"] == "invite"


async def test_plain_room_is_not_encrypted(make_partner: PartnerFactory) -> None:
    alice = await make_partner("alice")
    bob = await make_partner("bob")
    room = await alice.create_plain_room(invite=[bob.user_id])
    await bob.join(room)
    await alice.wait_for_join(room, bob.user_id, timeout=30)
    state = await bob.room_state(room)
    assert not any(event["type"] == "m.room.encryption" for event in state)
    sent = await alice.send(room, "onversleuteld")
    received = await bob.wait_for_message(room, sender=alice.user_id, timeout=30)
    assert (received.event_id, received.body, received.encrypted) == (
        sent,
        "onversleuteld",
        False,
    )


async def test_registering_a_taken_localpart_fails_clearly(synapse: SynapseServer) -> None:
    localpart = f"dubbel-{secrets.token_hex(4)}"
    user_id = await synapse.register_user(localpart, "wachtwoord-1")
    assert user_id == f"@{localpart}:{synapse.server_name}"
    with pytest.raises(RegistrationError, match="already registered") as info:
        await synapse.register_user(localpart, "wachtwoord-2")
    assert info.value.errcode == "M_USER_IN_USE"


async def test_wait_for_message_times_out_without_hanging(make_partner: PartnerFactory) -> None:
    alice, _bob, room = await _encrypted_pair(make_partner)
    with pytest.raises(TimeoutError, match="no matching message"):
        await alice.wait_for_message(room, sender="@niemand:avz.test", timeout=0.5)


async def test_partners_keep_talking_after_a_homeserver_restart(
    synapse: SynapseServer, make_partner: PartnerFactory
) -> None:
    alice, bob, room = await _encrypted_pair(make_partner)
    first = await alice.send(room, "voor de herstart")
    await bob.wait_for_message(room, sender=alice.user_id, timeout=30)
    url = synapse.url

    await synapse.restart()

    assert synapse.url == url
    after = await alice.send(room, "na de herstart")
    got = await bob.wait_for_message(room, sender=alice.user_id, after_event_id=first, timeout=30)
    assert (got.event_id, got.body, got.encrypted) == (after, "na de herstart", True)
    reply = await bob.send(room, "nog steeds hier")
    back = await alice.wait_for_message(room, sender=bob.user_id, timeout=30)
    assert (back.event_id, back.encrypted) == (reply, True)


async def test_partner_restores_its_device_from_the_store(
    synapse: SynapseServer, make_partner: PartnerFactory, tmp_path: Path
) -> None:
    alice = await make_partner("alice")
    password = secrets.token_urlsafe(12)
    bob_id = await synapse.register_user(f"bob-{secrets.token_hex(4)}", password)
    store = tmp_path / "bob-store"
    bob = await PartnerClient.create(synapse.url, bob_id, password, store)
    try:
        device = bob.device_id
        room = await alice.create_encrypted_room(invite=[bob_id])
        await bob.join(room)
        await alice.wait_for_join(room, bob_id)
        before = await alice.send(room, "voor het herstarten van bob")
        await bob.wait_for_message(room, sender=alice.user_id)
    finally:
        await bob.close()

    bob = await PartnerClient.create(synapse.url, bob_id, password, store)
    try:
        assert bob.device_id == device
        # Old messages are decrypted again from the stored keys; new ones arrive too.
        old = await bob.wait_for_message(room, sender=alice.user_id, timeout=30)
        assert (old.event_id, old.encrypted) == (before, True)
        after = await alice.send(room, "na het herstarten van bob")
        new = await bob.wait_for_message(room, after_event_id=before, timeout=30)
        assert (new.event_id, new.encrypted) == (after, True)
    finally:
        await bob.close()
