"""The demo's signals and helpdesk parts (called from ``avz_bot.demo._script``).

Signals: two professionals of different organisations register a signal on the same BSN
in their direct chats with the bot (never in a shared room); both are told of the match,
the TVO room of the municipality gets it on its agenda, and the ketenmanager decides there
that it becomes a case. Helpdesk: a question in the helpdesk room, answered by the
theme's expert, confirmed by the asker and turned into a published knowledge card that
the search then finds.
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable
from typing import Protocol

from avz_bot.testkit.partner import PartnerClient

#: A BSN that passes the elfproef (a test number, nobody's).
DEMO_BSN = "123456782"
SIGNAL = re.compile(r"SIG-\d{4}-\d+")
QUESTION = re.compile(r"VR-\d{4}-\d+")
CARD = re.compile(r"K-\d+")

Ask = Callable[..., Awaitable[str]]


class Narrator(Protocol):
    """What the parts print through (the demo's ``Transcript``)."""

    def note(self, text: str) -> None: ...

    def say(self, who: str, body: str) -> None: ...

    def bot(self, body: str) -> None: ...


async def signals_script(
    t: Narrator,
    pieter: PartnerClient,
    anouk: PartnerClient,
    marloes: PartnerClient,
    bot_id: str,
    tvo_room: str,
    ask: Ask,
) -> None:
    """Two signals on one person match; the TVO decides on a case."""
    t.note(
        "Signalen. Pieter (politie) en Anouk (GGZ) maken zich los van elkaar zorgen om "
        "dezelfde persoon. Een BSN hoort niet in een gedeelde kamer: ze melden in hun "
        "privégesprek met de bot. De bot bewaart alleen een pseudoniem (een sleutel-HMAC)"
    )
    direct_pieter = await _direct(pieter, bot_id)
    direct_anouk = await _direct(anouk, bot_id)
    since = int(time.time() * 1000) - 5_000
    await ask(
        pieter,
        direct_pieter,
        f"!signaal bsn={DEMO_BSN} categorie=overlast gemeente=groningen",
    )
    t.note("Anouk meldt op hetzelfde BSN (anders geschreven): samenloop, en beiden horen het")
    matched = await ask(
        anouk,
        direct_anouk,
        "!signaal bsn=1234.56.782 categorie=verslaving gemeente=groningen",
    )
    told = await pieter.wait_for_message(
        direct_pieter,
        sender=bot_id,
        predicate=lambda body: "Samenloop" in body,
        since_ts=since,
        timeout=60,
    )
    t.note("Pieter krijgt in zijn privégesprek:")
    t.bot(told.body)
    item = await marloes.wait_for_message(
        tvo_room,
        sender=bot_id,
        predicate=lambda body: "Nieuwe samenloop" in body,
        since_ts=since,
        timeout=60,
    )
    t.note('In de TVO-kamer ("Intake TVO Groningen") komt het op de agenda, zonder BSN:')
    t.bot(item.body)
    found = SIGNAL.findall(matched)
    if not found:
        raise RuntimeError("the bot did not report the match with a signal reference")
    t.note("Marloes (ketenmanager) bekijkt de agenda en het TVO besluit: dit wordt een casus")
    await ask(marloes, tvo_room, "!tvo agenda")
    await ask(marloes, tvo_room, f"!tvo besluit {found[0]} casus reden=samenloop")


async def helpdesk_script(
    t: Narrator,
    asker: PartnerClient,
    expert: PartnerClient,
    bot_id: str,
    desk: str,
    ask: Ask,
) -> None:
    """A question, its answer, and a knowledge card the search finds."""
    t.note(
        'Vraagbaak. In de kamer "Vraagbaak AVZ" stelt Pieter een vraag over het thema '
        "jeugd; Anouk is daar expert (de bot noemt haar en stuurt haar een privébericht)"
    )
    await expert.invite(desk, bot_id)
    await expert.wait_for_join(desk, bot_id, timeout=60)
    await asker.wait_for_join(desk, bot_id, timeout=60)
    asked = await ask(
        asker,
        desk,
        "!vraag jeugd Hoe pakken we woonoverlast door jongeren in een portiekflat aan?",
    )
    found = QUESTION.search(asked)
    if found is None:
        raise RuntimeError("the bot did not answer with a question reference")
    reference = found.group(0)
    await ask(expert, desk, f"!oppakken {reference}")
    await ask(
        expert,
        desk,
        f"!antwoord {reference} Zet buurtbemiddeling in; bij aanhoudende overlast een "
        "gedragsaanwijzing via de gemeente.",
    )
    await ask(asker, desk, f"!opgelost {reference}")
    t.note("Anouk maakt er een kenniskaart van en publiceert die; daarna vindt iedereen hem")
    draft = await ask(expert, desk, f"!kennis nieuw {reference}")
    card = CARD.search(draft)
    if card is None:
        raise RuntimeError("the bot did not make a knowledge card")
    await ask(asker, desk, f"!kennis publiceer {card.group(0)}")
    await ask(expert, desk, f"!kennis publiceer {card.group(0)}")
    await ask(asker, desk, "!zoek overlast jongeren")


async def _direct(client: PartnerClient, bot_id: str) -> str:
    """A new encrypted direct chat of ``client`` with the bot."""
    room = await client.create_encrypted_room(invite=[bot_id])
    await client.wait_for_join(room, bot_id, timeout=60)
    return room
