"""A TVO morning under Synapse's default rate limits (the e2e test and ``bench/tvo_morning.py``).

Fifteen cases are opened in two minutes from one intake room by three requesters, each
naming the GGZ as partner, while the homeserver keeps Synapse's default limits for the
bot: ``rc_room_creation`` (a burst of 10, then one room per 62.5 s), ``rc_invites``,
``rc_message`` and ``rc_joins``. (Logins and registrations stay unlimited: that is the
test harness, not the bot.) The bot's account is not exempt (no ``override_ratelimit``).

What it records: every requester's answer, the "room follows" notices, every invitation
the GGZ member received, and the rooms the bot created (read with the admin API), with
the seconds from the first command to the moment the last room's invitation arrived.
"""

from __future__ import annotations

import asyncio
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from avz_bot.testkit.partner import PartnerClient
from avz_bot.testkit.process import (
    BotProcess,
    derive_partners,
    member_entry,
    new_bot_account,
    operator_overrides,
)
from avz_bot.testkit.synapse import SynapseServer

#: Synapse's limiters kept at their defaults for this scenario.
DEFAULT_LIMITS = ("rc_room_creation", "rc_invites", "rc_message", "rc_joins")
CASES = 15
#: Seconds between two cases: 15 cases in about two minutes.
SPACING = 8.0
REFERENCE = re.compile(r"AVZ-\d{4}-\d{4}")
DELAYED = "volgt vanzelf"


@dataclass
class TvoMorning:
    """What happened (see the module doc); times in seconds from the first command."""

    references: list[str] = field(default_factory=list)
    requesters: list[str] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)
    #: (reference, whole text) of every "room follows" notice in the intake room.
    notices: list[tuple[str, str]] = field(default_factory=list)
    #: Room ids of the GGZ member's invitations from the bot, in arrival order.
    invited_rooms: list[str] = field(default_factory=list)
    #: Room name → how many rooms of that name the bot created.
    rooms_by_name: dict[str, int] = field(default_factory=dict)
    last_room_seconds: float = 0.0
    opening_seconds: float = 0.0
    bot_exit_code: int | None = None
    bot_log: str = ""


async def _partner(
    synapse: SynapseServer, base: Path, name: str, *, exempt: bool
) -> tuple[PartnerClient, str]:
    password = secrets.token_urlsafe(16)
    user_id = await synapse.register_user(f"{name}-{secrets.token_hex(3)}", password)
    if exempt:
        await synapse.override_ratelimit(user_id)  # only the bot is limited
    client = await PartnerClient.create(
        synapse.url, user_id, password, base / name, auto_join=False
    )
    return client, user_id


async def _bot_rooms(synapse: SynapseServer, bot_id: str) -> dict[str, int]:
    listing = await synapse.admin_request("GET", "/_synapse/admin/v1/rooms?limit=500")
    names: dict[str, int] = {}
    for room in listing.get("rooms", []):
        if room.get("creator") == bot_id:
            name = str(room.get("name"))
            names[name] = names.get(name, 0) + 1
    return names


async def run_tvo_morning(synapse: SynapseServer, base: Path, timeout: float = 900) -> TvoMorning:
    """Run the morning against ``synapse`` (started with ``default_limits=DEFAULT_LIMITS``)."""
    result = TvoMorning()
    bot_id, password = await new_bot_account(synapse, rate_limited=True)
    names = ("pieter", "sanne", "karin")
    orgs = ("politie", "veiligthuis", "avz")
    requesters = [await _partner(synapse, base, n, exempt=True) for n in names]
    anouk, anouk_id = await _partner(synapse, base, "anouk", exempt=True)
    members = [
        member_entry(uid, org, n.title())
        for (_, uid), org, n in zip(requesters, orgs, names, strict=True)
    ]
    members.append(member_entry(anouk_id, "ggz", "Anouk"))
    (base / "partners.toml").write_text(derive_partners(members), encoding="utf-8")
    pieter = requesters[0][0]
    intake = await pieter.create_encrypted_room(
        name="Intake TVO", invite=[uid for _, uid in requesters[1:]]
    )
    for client, _ in requesters[1:]:
        await client.join(intake)
        await pieter.wait_for_join(intake, client.user_id, timeout=60)
    overrides = operator_overrides(
        synapse.url, synapse.server_name, bot_id, base, cases={"intake_rooms": [intake]}
    )
    bot = BotProcess(base, overrides, password)
    try:
        await bot.start()
        await pieter.invite(intake, bot_id)
        await pieter.wait_for_join(intake, bot_id, timeout=60)
        await _morning(result, requesters, anouk, intake, bot_id, timeout)
        result.rooms_by_name = await _bot_rooms(synapse, bot_id)
    finally:
        result.bot_exit_code = await bot.stop()
        result.bot_log = bot.log_text()
        for client, _ in requesters:
            await client.close()
        await anouk.close()
    return result


async def _morning(
    result: TvoMorning,
    requesters: list[tuple[PartnerClient, str]],
    anouk: PartnerClient,
    intake: str,
    bot_id: str,
    timeout: float,
) -> None:
    loop = asyncio.get_running_loop()
    start = loop.time()
    for number in range(CASES):
        client, user_id = requesters[number % len(requesters)]
        body = f'!casus nieuw "Casus {number + 1}" gemeente=groningen type=veelpleger partners=ggz'
        reply = await client.send_and_wait(intake, body, reply_from=bot_id, timeout=120)
        found = REFERENCE.search(reply.body)
        result.answers.append(reply.body)
        result.references.append(found.group(0) if found else "")
        result.requesters.append(user_id)
        await asyncio.sleep(max(0.0, start + SPACING * (number + 1) - loop.time()))
    result.opening_seconds = loop.time() - start
    deadline = start + timeout
    while len({i.room_id for i in anouk.invitations if i.inviter == bot_id}) < CASES:
        if loop.time() > deadline:
            break
        await asyncio.sleep(0.5)
    result.last_room_seconds = loop.time() - start
    result.invited_rooms = [i.room_id for i in anouk.invitations if i.inviter == bot_id]
    await asyncio.sleep(5)  # a duplicate notice or invitation would have arrived by now
    seen = requesters[0][0].messages(intake)
    for message in seen:
        if message.sender == bot_id and DELAYED in message.body:
            found = REFERENCE.search(message.body)
            result.notices.append((found.group(0) if found else "", message.body))
