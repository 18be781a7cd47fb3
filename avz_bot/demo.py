"""``avz-bot demo``: a throwaway homeserver, the bot and scripted partners, as a transcript.

Everything runs on loopback in a temporary directory: a real Synapse, the real bot
(the same ``Application`` as ``avz-bot run``) and real encrypted Matrix clients that
play the partners. The transcript shows what each person typed and what the bot
answered.
"""

from __future__ import annotations

import asyncio
import secrets
import shutil
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

from avz_bot.app import Application
from avz_bot.logs import configure_logging
from avz_bot.settings import Settings
from avz_bot.testkit.bot import RunningBot, bot_settings, start_bot
from avz_bot.testkit.partner import PartnerClient
from avz_bot.testkit.synapse import SynapseServer

SERVER_NAME = "avz.demo"


@dataclass(frozen=True)
class DemoPerson:
    """A scripted partner in the demo."""

    localpart: str
    display_name: str
    organisation: str | None
    roles: tuple[str, ...] = ("professional",)


PEOPLE = (
    DemoPerson("p.devries", "Pieter de Vries", "politie"),
    DemoPerson("a.bakker", "Anouk Bakker", "ggz"),
    DemoPerson("m.visser", "Marloes Visser", "avz", ("professional", "ketenmanager")),
    DemoPerson("onbekend", "Iemand Onbekends", None),
)

PARTNERS_TOML = """
[[organisations]]
code = "politie"
name = "Politie Noord-Nederland"
domain = "veiligheid"

[[organisations]]
code = "ggz"
name = "Lentis GGZ"
domain = "zorg"

[[organisations]]
code = "avz"
name = "Actiecentrum Veiligheid & Zorg"
domain = "veiligheid"
"""


def _partners_file(people: tuple[DemoPerson, ...]) -> str:
    text = PARTNERS_TOML
    for person in people:
        if person.organisation is None:
            continue
        roles = ", ".join(f'"{r}"' for r in person.roles)
        text += (
            f'\n[[members]]\nmatrix_id = "@{person.localpart}:{SERVER_NAME}"\n'
            f'display_name = "{person.display_name}"\norganisation = "{person.organisation}"\n'
            f"roles = [{roles}]\n"
        )
    return text


class Transcript:
    """Prints the conversation as it happens."""

    def __init__(self, names: dict[str, str]) -> None:
        self._names = names
        self._start = time.monotonic()

    def _stamp(self) -> str:
        return f"{time.monotonic() - self._start:6.1f}s"

    def say(self, who: str, body: str) -> None:
        """A person's message."""
        print(f"{self._stamp()}  {self._names.get(who, who)}: {body}", flush=True)

    def bot(self, body: str) -> None:
        """The bot's reply, indented."""
        lines = body.splitlines() or [""]
        print(f"{self._stamp()}  avz-bot: {lines[0]}")
        for line in lines[1:]:
            print(textwrap.indent(line, " " * 17))
        print(flush=True)

    def note(self, text: str) -> None:
        """A narrator's line."""
        print(f"\n--- {text}", flush=True)


async def run_demo(keep: bool = False) -> int:
    """Run the scripted demo; with ``keep`` leave everything running until Ctrl-C."""
    base = Path(tempfile.mkdtemp(prefix="avz-demo-"))
    # The transcript is the demo's output; warnings of the bot and of the partner
    # clients (e.g. a newcomer cannot decrypt older history) go to a log file.
    configure_logging("WARNING", "text", file=base / "demo.log")
    synapse = SynapseServer(base / "synapse", server_name=SERVER_NAME)
    print("avz-bot demo: starting a local Synapse homeserver on loopback …", flush=True)
    await synapse.start()
    app: Application | None = None
    running: RunningBot | None = None
    partners: dict[str, PartnerClient] = {}
    passwords: dict[str, str] = {}
    try:
        bot_password = secrets.token_urlsafe(16)
        bot_id = await synapse.register_user("avz-bot", bot_password)
        for person in PEOPLE:
            passwords[person.localpart] = secrets.token_urlsafe(12)
            await synapse.register_user(person.localpart, passwords[person.localpart])
        (base / "partners.toml").write_text(_partners_file(PEOPLE), encoding="utf-8")
        settings = bot_settings(
            homeserver=synapse.url,
            user_id=bot_id,
            password=bot_password,
            data_dir=base / "bot",
            partners_file=base / "partners.toml",
            allowed_servers=[SERVER_NAME],
            pickle_key=secrets.token_urlsafe(24),
        )
        running = await start_bot(settings)
        app = running.app
        print(f"avz-bot demo: bot {bot_id} is running; partners log in …\n", flush=True)

        for person in PEOPLE:
            partners[person.localpart] = await PartnerClient.create(
                synapse.url,
                f"@{person.localpart}:{SERVER_NAME}",
                passwords[person.localpart],
                base / "partners" / person.localpart,
            )
        names = {f"@{p.localpart}:{SERVER_NAME}": p.display_name for p in PEOPLE}
        await _script(Transcript(names), partners, bot_id)
        if keep:
            _print_login_help(synapse.url, bot_id, passwords, settings, app)
            await asyncio.Event().wait()
        return 0
    except (KeyboardInterrupt, asyncio.CancelledError):
        return 0
    finally:
        for client in partners.values():
            await client.close()
        if running is not None:
            await running.stop()
        await synapse.stop()
        if not keep:
            shutil.rmtree(base, ignore_errors=True)


async def _script(t: Transcript, partners: dict[str, PartnerClient], bot_id: str) -> None:
    pieter, anouk, marloes, outsider = (
        partners["p.devries"],
        partners["a.bakker"],
        partners["m.visser"],
        partners["onbekend"],
    )

    async def ask(
        client: PartnerClient, room: str, body: str, seen_by: PartnerClient | None = None
    ) -> None:
        t.say(client.user_id, body)
        sent = await client.send(room, body, timeout=60)
        reader = seen_by or client
        reply = await reader.wait_for_message(room, sender=bot_id, in_reply_to=sent, timeout=60)
        t.bot(reply.body)

    t.note(
        "Pieter (politie) opent een versleutelde overlegkamer en nodigt de bot en Anouk (GGZ) uit"
    )
    room = await pieter.create_encrypted_room(name="Demo-overleg", invite=[bot_id, anouk.user_id])
    await pieter.wait_for_join(room, bot_id, timeout=60)
    await anouk.join(room)
    await pieter.wait_for_join(room, anouk.user_id, timeout=60)

    await ask(pieter, room, "!help")
    await ask(anouk, room, "!wie")
    await ask(pieter, room, "!ping")
    await ask(anouk, room, "!help ping")

    t.note("Fouten worden vriendelijk uitgelegd en veranderen niets")
    await ask(anouk, room, "!hlep")
    await ask(pieter, room, "!ping nu meteen")
    await ask(pieter, room, '!help "ping')

    t.note(
        "Iemand die niet als ketenpartner is geregistreerd, krijgt niets gedaan "
        "(en kan de berichten van de bot niet ontsleutelen; Pieter ziet de weigering)"
    )
    await pieter.invite(room, outsider.user_id)
    await outsider.join(room)
    await pieter.wait_for_join(room, outsider.user_id, timeout=60)
    await ask(outsider, room, "!wie", seen_by=pieter)

    t.note("In een kamer zonder versleuteling werkt de bot niet, en zegt dat één keer")
    plain = await marloes.create_plain_room(invite=[bot_id])
    await marloes.wait_for_join(plain, bot_id, timeout=60)
    await ask(marloes, plain, "!ping")


def _print_login_help(
    url: str, bot_id: str, passwords: dict[str, str], settings: Settings, app: Application
) -> None:
    print(
        "\n=== Alles blijft draaien (Ctrl-C stopt). Log in met een Matrix-client (bijv. Element):"
    )
    print(f"    homeserver: {url}")
    for localpart, password in passwords.items():
        print(f"    @{localpart}:{SERVER_NAME}  wachtwoord: {password}")
    print(f"    bot: {bot_id}; ops-endpoint: http://127.0.0.1:{app.ops.bound_port}/metrics")
    print(
        f"    data: {settings.storage.data_dir}; log: {settings.storage.data_dir.parent / 'demo.log'}"
    )
    sys.stdout.flush()
