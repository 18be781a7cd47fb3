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

from typing import Protocol

from avz_bot.testkit.partner import PartnerClient


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
