"""``avz-bot demo``: a throwaway homeserver, the bot and scripted partners, as a transcript.

Everything runs on loopback in a temporary directory: a real Synapse, the real bot
(``avz-bot db upgrade`` and ``avz-bot run`` as a subprocess, with a configuration derived
from ``config/avz-bot.example.toml``, exactly as an operator starts it) and real
encrypted Matrix clients that play the partners. The transcript shows what each person typed and what the bot
answered.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import shutil
import signal
import sys
import tempfile
import textwrap
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from avz_bot.demo_areas import helpdesk_script, signals_script
from avz_bot.demo_report import demo_report_step, realistic_report
from avz_bot.logs import configure_logging
from avz_bot.settings import CalendarSettings
from avz_bot.settings_sections.agreements import ReminderSettings
from avz_bot.testkit.partner import PartnerClient
from avz_bot.testkit.process import BotProcess
from avz_bot.testkit.synapse import SynapseServer

SERVER_NAME = "avz.demo"
REFERENCE = re.compile(r"AVZ-\d{4}-\d{4}")
CONFERENCE_REFERENCE = re.compile(r"OV-\d{4}-\d{4}")
AMS = ZoneInfo("Europe/Amsterdam")
AGREEMENT_NUMBER = re.compile(r"#(\d+)")
#: How long after the bot starts the demo's "deadline today" reminder falls due (on the
#: bot's clock, which the demo then moves forward: nobody waits for it).
REMINDER_DELAY = timedelta(minutes=5)
#: Its agreement's deadline is this much after the reminder (rounded up to the minute).
DEADLINE_AFTER_REMINDER = timedelta(minutes=2)
#: From this local time on the reminder and its deadline could fall on different days.
TOO_LATE_FOR_REMINDER = clock_time(23, 45)


@dataclass(frozen=True)
class CaseRooms:
    """The rooms the bot's ``[cases]`` configuration names (they exist before the bot)."""

    intake: str
    coordination: str
    #: The helpdesk room (Anouk's, with Pieter).
    desk: str = ""


@dataclass(frozen=True)
class OpenedCase:
    """The case the demo opens: its room and reference."""

    room: str
    reference: str


@dataclass(frozen=True)
class DemoPerson:
    """A scripted partner in the demo."""

    localpart: str
    display_name: str
    organisation: str | None
    roles: tuple[str, ...] = ("professional",)
    #: Helpdesk themes answered as expert (needs the role "expert").
    themes: tuple[str, ...] = ()


PEOPLE = (
    DemoPerson("p.devries", "Pieter de Vries", "politie"),
    DemoPerson("a.bakker", "Anouk Bakker", "ggz", ("professional", "expert"), ("jeugd",)),
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
        if person.themes:
            text += "themes = [" + ", ".join(f'"{x}"' for x in person.themes) + "]\n"
    return text


@dataclass(frozen=True)
class ReminderDemo:
    """How the demo bot reminds, so that one reminder fires while the demo runs.

    ``fire_at`` is ``None`` when the demo runs too close to midnight: then the bot keeps
    its normal calendar and policy and the transcript skips that part.
    """

    calendar: CalendarSettings
    reminders: ReminderSettings
    fire_at: datetime | None = None
    #: ``fire_at`` as local wall-clock time ("17:46:05").
    fire_time: str = ""
    #: The agreement's deadline as typed ("vandaag 17:49").
    deadline: str = ""


def _reminder_demo(now: datetime) -> ReminderDemo:
    """Office hours all day (today a working day) and a "deadline today" reminder soon."""
    normal = CalendarSettings()
    work = normal.build()
    local = work.local(now)
    if local.time() >= TOO_LATE_FOR_REMINDER:
        return ReminderDemo(normal, ReminderSettings())
    today = local.date()
    calendar = CalendarSettings(
        office_start=clock_time(0, 0),
        office_end=clock_time(23, 59, 59),
        working_weekdays=sorted({*normal.working_weekdays, today.weekday()}),
        observe_holidays=not work.is_holiday(today),
    )
    fire_at = (now + REMINDER_DELAY).replace(microsecond=0)
    fire_local = work.local(fire_at)
    reminders = ReminderSettings(
        before_working_days=0,
        deadline_morning=fire_local.time().replace(tzinfo=None),
        overdue_every_working_day=False,
        max_overdue_reminders=0,
        notify_regie_after_working_days=0,
        notify_coordination_after_working_days=0,
    )
    deadline = work.local(fire_at + DEADLINE_AFTER_REMINDER + timedelta(seconds=59))
    return ReminderDemo(
        calendar, reminders, fire_at, f"{fire_local:%H:%M:%S}", f"vandaag {deadline:%H:%M}"
    )


#: The file in the demo's directory that holds the bot's clock offset (seconds).
CLOCK_OFFSET_FILE = "clock-offset"


class DemoClock:
    """The bot's simulated clock as the demo sees it: the system time plus an offset it
    writes to the file the bot reads (``avz_bot.clock.OffsetFileClock``)."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._offset = timedelta(0)

    def now(self) -> datetime:
        """The bot's current time (aware UTC)."""
        return datetime.now(UTC) + self._offset

    def advance(self, delta: timedelta) -> None:
        """Move the bot's clock forward by ``delta`` (atomically: write, then rename)."""
        self._offset += delta
        temporary = self._path.with_suffix(".tmp")
        temporary.write_text(f"{self._offset.total_seconds():.3f}", encoding="utf-8")
        temporary.replace(self._path)


def _print_report_files(paths: list[Path], directory: Path) -> None:
    """The saved report files, named, at the very end of the transcript."""
    print(
        f"\n--- Rapportage op gegenereerde cijfers (oktober 2026, hele netwerk) opgeslagen in "
        f"{directory}:",
        flush=True,
    )
    for path in paths:
        if path.suffix in (".png", ".html") or path.name.count("-") == 2:
            print(f"    {path.name} ({path.stat().st_size} bytes)", flush=True)
    print(f"    … en {len(paths)} bestanden in totaal (één CSV per tabel)", flush=True)


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
    # Kept after the demo (the temporary directory above is removed).
    report_dir = Path(tempfile.mkdtemp(prefix="avz-demo-rapport-"))
    # The transcript is the demo's output; warnings of the bot and of the partner
    # clients (e.g. a newcomer cannot decrypt older history) go to a log file.
    configure_logging("WARNING", "text", file=base / "demo.log")
    synapse = SynapseServer(base / "synapse", server_name=SERVER_NAME)
    print("avz-bot demo: starting a local Synapse homeserver on loopback …", flush=True)
    running: BotProcess | None = None
    partners: dict[str, PartnerClient] = {}
    passwords: dict[str, str] = {}
    _cancel_on_signals()
    try:
        await synapse.start()
        bot_password = secrets.token_urlsafe(16)
        bot_id = await synapse.register_user("avz-bot", bot_password)
        for person in PEOPLE:
            passwords[person.localpart] = secrets.token_urlsafe(12)
            await synapse.register_user(person.localpart, passwords[person.localpart])
        (base / "partners.toml").write_text(_partners_file(PEOPLE), encoding="utf-8")
        print("avz-bot demo: partners log in …", flush=True)
        for person in PEOPLE:
            partners[person.localpart] = await PartnerClient.create(
                synapse.url,
                f"@{person.localpart}:{SERVER_NAME}",
                passwords[person.localpart],
                base / "partners" / person.localpart,
                auto_join=False,  # everyone accepts invitations explicitly, in script order
            )
        # The intake and coordination rooms are configuration: they exist before the bot.
        rooms = await _case_rooms(partners)
        reminder_demo = _reminder_demo(datetime.now(UTC))
        running = BotProcess(
            base,
            {
                "matrix": {
                    "homeserver": synapse.url,
                    "user_id": bot_id,
                    "allowed_servers": [SERVER_NAME],
                    "sync_timeout_ms": 5000,
                    "max_backoff_seconds": 2,
                    "undecryptable_grace_seconds": 20,
                },
                "storage": {"data_dir": str(base / "bot"), "database_url": ""},
                "partners": {"file": str(base / "partners.toml")},
                "cases": {"intake_rooms": [rooms.intake], "coordination_room": rooms.coordination},
                # The intake room is also Groningen's TVO room (triage of signals).
                "signals": {"tvo_rooms": {"groningen": rooms.intake}},
                "helpdesk": {"rooms": [rooms.desk]},
                # A simulated clock: the demo moves it forward instead of waiting idle.
                "bot": {"clock_offset_file": str(base / CLOCK_OFFSET_FILE)},
                "calendar": reminder_demo.calendar.model_dump(mode="json"),
                "reminders": reminder_demo.reminders.model_dump(mode="json"),
                "logging": {"level": "INFO", "format": "json"},
            },
            bot_password,
            pickle_key=secrets.token_urlsafe(24),
            # The pseudonym key of signals (a secret: environment, never the TOML file).
            env={"AVZ_SIGNALS__KEYS__V1": secrets.token_urlsafe(48)},
        )
        await running.start()
        print(f"avz-bot demo: bot {bot_id} is running.\n", flush=True)
        names = {f"@{p.localpart}:{SERVER_NAME}": p.display_name for p in PEOPLE}
        clock = DemoClock(base / CLOCK_OFFSET_FILE)
        await _script(Transcript(names), partners, bot_id, rooms, reminder_demo, clock)
        saved = await realistic_report(report_dir)
        _print_report_files(saved.paths, report_dir)
        if keep:
            _print_login_help(synapse.url, bot_id, passwords, running)
            await asyncio.Event().wait()
        code = await running.stop()
        if code != 0 or "Traceback" in running.log_text():
            print(f"avz-bot demo: the bot exited with code {code}; see {running.log_path}")
            keep = True  # leave the log for inspection
            return 1
        print("avz-bot demo: bot stopped cleanly (SIGTERM, exit code 0).", flush=True)
        return 0
    except (KeyboardInterrupt, asyncio.CancelledError):
        keep = False  # stopped by Ctrl-C or SIGTERM: nothing is left running or on disk
        print("avz-bot demo: stopping the bot and the homeserver …", flush=True)
        return 0
    finally:
        for client in partners.values():
            await client.close()
        if running is not None:
            await running.stop()
        await synapse.stop()
        if not keep:
            shutil.rmtree(base, ignore_errors=True)


def _cancel_on_signals() -> None:
    """SIGTERM and SIGINT cancel the demo (once), so that its ``finally`` stops the bot
    and the homeserver it started; the default SIGTERM would leave both running."""
    task = asyncio.current_task()
    assert task is not None
    loop = asyncio.get_running_loop()

    def cancel() -> None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)  # a second signal must not cut the cleanup short
        task.cancel()

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, cancel)


async def _case_rooms(partners: dict[str, PartnerClient]) -> CaseRooms:
    """Marloes's coordination room and Pieter's intake room (with Anouk), bot not yet in."""
    pieter, anouk, marloes = partners["p.devries"], partners["a.bakker"], partners["m.visser"]
    coordination = await marloes.create_encrypted_room(name="Coördinatie AVZ")
    intake = await pieter.create_encrypted_room(name="Intake TVO Groningen", invite=[anouk.user_id])
    await anouk.join(intake)
    await pieter.wait_for_join(intake, anouk.user_id, timeout=60)
    # The intake room is also Groningen's TVO room: Marloes decides there on signals.
    await pieter.invite(intake, marloes.user_id)
    await marloes.join(intake)
    await pieter.wait_for_join(intake, marloes.user_id, timeout=60)
    desk = await anouk.create_encrypted_room(name="Vraagbaak AVZ", invite=[pieter.user_id])
    await pieter.join(desk)
    await anouk.wait_for_join(desk, pieter.user_id, timeout=60)
    return CaseRooms(intake=intake, coordination=coordination, desk=desk)


async def _script(
    t: Transcript,
    partners: dict[str, PartnerClient],
    bot_id: str,
    rooms: CaseRooms,
    reminder_demo: ReminderDemo,
    clock: DemoClock,
) -> None:
    pieter, anouk, marloes, outsider = (
        partners["p.devries"],
        partners["a.bakker"],
        partners["m.visser"],
        partners["onbekend"],
    )

    async def ask(
        client: PartnerClient, room: str, body: str, seen_by: PartnerClient | None = None
    ) -> str:
        t.say(client.user_id, body)
        sent = await client.send(room, body, timeout=60)
        reader = seen_by or client
        reply = await reader.wait_for_message(room, sender=bot_id, in_reply_to=sent, timeout=60)
        t.bot(reply.body)
        return reply.body

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

    case = await _cases_script(t, partners, bot_id, rooms, ask)
    await _agreements_script(t, partners, bot_id, case, ask, reminder_demo, clock)
    await conference_script(t, anouk, pieter, bot_id, case.room, ask, clock)
    await _escalation_script(t, partners, bot_id, rooms, case, ask)
    await signals_script(t, pieter, anouk, marloes, bot_id, rooms.intake, ask)
    await helpdesk_script(t, pieter, anouk, bot_id, rooms.desk, ask)
    await _closing_script(t, partners, bot_id, rooms, case, ask)
    await demo_report_step(t, marloes, bot_id, rooms.coordination)


async def _cases_script(
    t: Transcript,
    partners: dict[str, PartnerClient],
    bot_id: str,
    rooms: CaseRooms,
    ask: Callable[..., Awaitable[str]],
) -> OpenedCase:
    """Open a case; regie changes hands (to Anouk)."""
    pieter, anouk, marloes = partners["p.devries"], partners["a.bakker"], partners["m.visser"]

    t.note(
        'Casussen. Marloes (ketenmanager) heeft de coördinatiekamer "Coördinatie AVZ", '
        'Pieter de intakekamer "Intake TVO Groningen" met Anouk. Beide kamers staan in '
        "de configuratie van de bot; de eigenaren nodigen de bot uit"
    )
    await marloes.invite(rooms.coordination, bot_id)
    await marloes.wait_for_join(rooms.coordination, bot_id, timeout=60)
    await pieter.invite(rooms.intake, bot_id)
    await pieter.wait_for_join(rooms.intake, bot_id, timeout=60)
    await anouk.wait_for_join(rooms.intake, bot_id, timeout=60)

    t.note("In de intakekamer opent Pieter een casus")
    seen_pieter = [i.room_id for i in pieter.invitations]
    seen_anouk = [i.room_id for i in anouk.invitations]
    answer = await ask(
        pieter,
        rooms.intake,
        '!casus nieuw "Zorgen om jongere Oosterpark" gemeente=groningen type=jeugd partners=ggz',
    )
    found = REFERENCE.search(answer)
    if found is None:
        raise RuntimeError("the bot did not answer with a case reference")
    reference = found.group(0)

    invitation = await pieter.wait_for_invitation(bot_id, exclude=seen_pieter, timeout=60)
    case_room = invitation.room_id
    await pieter.join(case_room)
    state = await pieter.room_state(case_room)
    room_name = _state_content(state, "m.room.name").get("name")
    join_rule = _state_content(state, "m.room.join_rules").get("join_rule")
    encrypted = bool(_state_content(state, "m.room.encryption").get("algorithm"))
    t.note(
        f"De bot maakt een casuskamer en nodigt Pieter en Anouk uit. De kamer heet alleen "
        f"{room_name!s} (de werktitel staat niet in de kamergegevens), is "
        f"{'versleuteld' if encrypted else 'NIET versleuteld'} en alleen op uitnodiging "
        f"(join_rule={join_rule}). Pieter neemt de uitnodiging aan; de bot heet hem "
        f"welkom met de casuskaart"
    )
    welcome = await pieter.wait_for_message(
        case_room,
        sender=bot_id,
        predicate=lambda body: (
            body.startswith("Welkom") and _first_line(body).endswith("Pieter de Vries.")
        ),
        timeout=60,
    )
    t.bot(welcome.body)

    t.note("Anouk neemt de uitnodiging ook aan (de bot heet haar met dezelfde kaart welkom)")
    await anouk.wait_for_invitation(bot_id, exclude=seen_anouk, timeout=60)
    await anouk.join(case_room)
    welcome = await pieter.wait_for_message(
        case_room,
        sender=bot_id,
        predicate=lambda body: (
            body.startswith("Welkom") and _first_line(body).endswith("Anouk Bakker.")
        ),
        timeout=60,
    )
    t.bot(_first_line(welcome.body) + " …")

    t.note(f"In de casuskamer van {reference}: de regie gaat van hand tot hand")
    await ask(pieter, case_room, "!regie claim")
    await ask(pieter, case_room, f"!regie overdragen {anouk.user_id}")
    await ask(anouk, case_room, "!regie accepteren")
    await ask(pieter, case_room, "!regie")
    await ask(anouk, case_room, "!rol casemanager")

    t.note("De status wijzigen mag alleen de regiehouder (of een ketenmanager)")
    await ask(pieter, case_room, '!casus status actief reden="casusoverleg gepland"')
    await ask(anouk, case_room, '!casus status actief reden="casusoverleg gepland"')
    await ask(anouk, case_room, "!rollen")
    return OpenedCase(room=case_room, reference=reference)


async def _agreements_script(
    t: Transcript,
    partners: dict[str, PartnerClient],
    bot_id: str,
    case: OpenedCase,
    ask: Callable[..., Awaitable[str]],
    reminder_demo: ReminderDemo,
    clock: DemoClock,
) -> None:
    """Agreements with deadlines, reminders and "my plate", while Anouk has regie."""
    pieter, anouk = partners["p.devries"], partners["a.bakker"]
    room = case.room

    t.note(
        "Afspraken. Anouk (regiehouder) legt vast wie wat doet en voor wanneer; de bot "
        "schrijft elke deadline voluit, zodat iedereen ziet hoe hij de datum heeft begrepen"
    )
    await ask(
        anouk,
        room,
        f'!actie {pieter.user_id} "Contact opnemen met school" deadline="vrijdag 12:00"',
    )
    await ask(anouk, room, '!actie ggz "Zorgplan opstellen" deadline="over 3 werkdagen"')

    t.note("Een deadline die niet kan, wordt geweigerd, met voorbeelden; er wordt niets vastgelegd")
    await ask(anouk, room, '!actie ggz "Verslag rondsturen" deadline=gisteren')
    await ask(pieter, room, "!acties")

    t.note("Pieter krijgt de school pas later te pakken en stelt zijn afspraak uit, met reden")
    await ask(
        pieter, room, '!actie uitstel 1 "volgende week dinsdag" reden="school pas dan bereikbaar"'
    )

    t.note(
        "Afvinken mag de eigenaar, de regiehouder of een ketenmanager. #2 is van de GGZ: "
        "Pieter mag het niet, Anouk wel"
    )
    await ask(pieter, room, "!actie klaar 2")
    await ask(anouk, room, "!actie klaar 2")

    fire_at = reminder_demo.fire_at
    number = ""
    if fire_at is None:
        t.note(
            "Het is bijna middernacht: het deel met een herinnering die tijdens de demo "
            "afgaat, slaan we over"
        )
    else:
        t.note(
            "Herinneringen. Normaal herinnert de bot op de dag van de deadline om 9:00; de "
            f"demo-bot doet dat om {reminder_demo.fire_time}. "
            "Anouk legt een afspraak vast die vandaag afloopt"
        )
        made = await ask(
            anouk,
            room,
            f'!actie {pieter.user_id} "Moeder terugbellen" deadline="{reminder_demo.deadline}"',
        )
        found = AGREEMENT_NUMBER.search(made)
        if found is None:
            raise RuntimeError("the bot did not record the agreement")
        number = found.group(1)
        # Instead of waiting until then, the bot's clock jumps just past the reminder's
        # moment; the next command that changes something re-arms the bot's scheduler.
        clock.advance(fire_at - clock.now() + timedelta(seconds=1))
        t.note(
            f"In plaats van te wachten zet de demo de klok van de bot vooruit tot "
            f"{reminder_demo.fire_time}"
        )

    t.note("Met !herinner plant iemand een losse herinnering, voor zichzelf of voor de hele kamer")
    await ask(anouk, room, "!herinner morgen 9:00 casusoverleg voorbereiden voor=kamer")
    await ask(pieter, room, "!herinneringen")

    t.note(
        "!mijn toont je afspraken en regie uit al je casussen, en werkt daarom alleen in een "
        "direct gesprek met de bot"
    )
    await ask(pieter, room, "!mijn")
    t.note("Pieter begint een versleuteld privégesprek met de bot en vraagt het daar")
    direct = await pieter.create_encrypted_room(invite=[bot_id])
    await pieter.wait_for_join(direct, bot_id, timeout=60)
    await ask(pieter, direct, "!mijn")

    if fire_at is not None and number:
        t.note(f"De herinnering van {reminder_demo.fire_time} is intussen verstuurd")
        reminder = await pieter.wait_for_message(
            room,
            sender=bot_id,
            predicate=lambda body: (
                "Vandaag is de deadline" in body and f"afspraak #{number} " in body
            ),
            timeout=60,
        )
        t.note("In de casuskamer noemt de bot de eigenaar (Pieter krijgt een melding):")
        t.bot(reminder.body)


async def conference_script(
    t: Transcript,
    organiser: PartnerClient,
    participant: PartnerClient,
    bot_id: str,
    room: str,
    ask: Callable[..., Awaitable[str]],
    clock: DemoClock,
) -> None:
    """A short case conference from plan to minutes, in an existing case room.

    ``organiser`` must be the regiehouder or a casemanager (or a ketenmanager) there;
    ``ask(client, room, body)`` sends a command and prints the bot's answer. The
    conference starts one to two minutes after it is planned; instead of waiting, the
    demo moves the bot's clock forward to its start (``clock``).
    """
    t.note(
        "Casusoverleg. Anouk (regiehouder) plant een overleg dat zo meteen begint; de bot "
        "nodigt iedereen uit met een versleuteld agendabestand (.ics)"
    )
    now = clock.now()
    start = (now + timedelta(seconds=90)).replace(second=0, microsecond=0)
    local = start.astimezone(AMS)
    if local.date() != now.astimezone(AMS).date():
        t.note("Het is bijna middernacht: het overleg slaan we over")
        return
    planned = await ask(organiser, room, f'!overleg plan vandaag {local:%H:%M} locatie="Stadhuis"')
    found = CONFERENCE_REFERENCE.search(planned)
    if found is None:
        raise RuntimeError("the bot did not plan the conference")
    reference = found.group(0)
    invitation = await participant.wait_for_message(
        room, sender=bot_id, predicate=lambda b: "uitnodiging voor casusoverleg" in b, timeout=60
    )
    t.bot(invitation.body)
    ics = await participant.wait_for_message(
        room, sender=bot_id, predicate=lambda b: b == "overleg.ics", timeout=60
    )
    data = await participant.download_attachment(ics)
    t.note(f"Pieter ontsleutelt het bestand overleg.ics ({len(data)} bytes) en zegt dat hij komt")
    await ask(participant, room, f"!overleg kom {reference}")
    await ask(participant, room, f'!overleg punt {reference} "Schoolverzuim bespreken"')
    t.note("De bot stelt de agenda samen uit wat hij van de casus weet")
    await ask(organiser, room, f"!overleg agenda {reference}")
    left = max(0.0, (start - clock.now()).total_seconds()) + 1
    clock.advance(timedelta(seconds=left))
    t.note(
        f"In plaats van {left:.0f} s te wachten zet de demo de klok van de bot vooruit tot "
        f"{local:%H:%M}: het overleg is begonnen"
    )
    await ask(organiser, room, '!overleg besluit "Wijkteam legt samen met GGZ een huisbezoek af"')
    await ask(
        organiser, room, f'!actie {participant.user_id} "School bellen" deadline="over 2 werkdagen"'
    )
    t.note("Anouk rondt af: het verslag komt in de kamer (en als versleuteld bestand)")
    await ask(organiser, room, '!overleg afronden volgende="over 10 werkdagen 14:00"')
    await ask(participant, room, "!overleggen")


async def _escalation_script(
    t: Transcript,
    partners: dict[str, PartnerClient],
    bot_id: str,
    rooms: CaseRooms,
    case: OpenedCase,
    ask: Callable[..., Awaitable[str]],
) -> None:
    """Pieter escalates; Marloes (ketenmanager) acknowledges with 👍 and decides."""
    pieter, marloes = partners["p.devries"], partners["m.visser"]
    t.note(
        "Opschalen: de casus loopt vast. Pieter schaalt inhoudelijk op; de route gaat naar de "
        "ketenmanagers, dan de driehoek van Groningen, dan de regionale driehoek"
    )
    since = int(time.time() * 1000) - 5_000
    answer = await ask(
        pieter,
        case.room,
        '!opschalen inhoudelijk reden="geen passende plek, wachtlijst" '
        'besluit="doorbraak voor plaatsing"',
    )
    found = re.search(r"ESC-\d{4}-\d+", answer)
    if found is None:
        raise RuntimeError("the bot did not answer with an escalation reference")
    reference = found.group(0)
    ping = await marloes.wait_for_message(
        rooms.coordination,
        sender=bot_id,
        predicate=lambda body: f"Opschaling {reference}" in body,
        since_ts=since,
        timeout=60,
    )
    t.note('In "Coördinatie AVZ" noemt de bot Marloes (zonder inhoud uit de casus):')
    t.bot(ping.body)
    t.note("Marloes reageert met 👍 op dat bericht: ontvangen, en ze wordt aan de casus toegevoegd")
    t.say(marloes.user_id, "👍 (reactie)")
    await marloes.react(rooms.coordination, ping.event_id)
    noted = await marloes.wait_for_message(
        rooms.coordination,
        sender=bot_id,
        predicate=lambda body: reference in body and "ontvangen door" in body,
        since_ts=since,
        timeout=60,
    )
    t.bot(noted.body)
    t.note("Marloes legt het besluit vast; de casuskamer ziet het")
    await ask(marloes, rooms.coordination, f'!besluit {reference} "plaatsing via de wethouder"')
    decided = await pieter.wait_for_message(
        case.room,
        sender=bot_id,
        predicate=lambda body: body.startswith(f"Besluit over {reference}"),
        since_ts=since,
        timeout=60,
    )
    t.note("In de casuskamer:")
    t.bot(decided.body)


async def _closing_script(
    t: Transcript,
    partners: dict[str, PartnerClient],
    bot_id: str,
    rooms: CaseRooms,
    case: OpenedCase,
    ask: Callable[..., Awaitable[str]],
) -> None:
    """Anouk lets regie go (the coordination room hears of it); the timeline."""
    pieter, anouk, marloes = partners["p.devries"], partners["a.bakker"], partners["m.visser"]
    case_room, reference = case.room, case.reference

    t.note("Anouk laat de regie los; de bot meldt dat in de coördinatiekamer")
    since = int(time.time() * 1000) - 5_000
    await ask(anouk, case_room, '!regie loslaten reden="langdurig afwezig"')
    notice = await marloes.wait_for_message(
        rooms.coordination,
        sender=bot_id,
        predicate=lambda body: reference in body,
        since_ts=since,
        timeout=60,
    )
    t.note('In "Coördinatie AVZ" ziet Marloes:')
    t.bot(notice.body)

    t.note(
        "Marloes (sinds de opschaling lid van de casus) wil de casus sluiten. Er staan nog "
        "afspraken en een gepland overleg open: de bot vraagt eerst en zegt wat er gebeurt"
    )
    await marloes.join(case_room)
    await pieter.wait_for_join(case_room, marloes.user_id, timeout=60)
    await ask(marloes, case_room, '!casus sluiten reden="zorg loopt via de wijkteams"', pieter)
    await ask(marloes, case_room, "!casus sluiten bevestig", pieter)
    t.note("Het blijkt te vroeg: een ketenmanager mag een casus binnen 30 dagen heropenen")
    await ask(marloes, case_room, '!casus heropenen reden="nieuwe melding van school"', pieter)

    t.note("Terug in de casuskamer")
    await ask(pieter, case_room, "!tijdlijn")


def _first_line(body: str) -> str:
    return body.split("\n", 1)[0]


def _state_content(events: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    """The content of the room's ``kind`` state event (empty when it has none)."""
    for event in events:
        if event.get("type") == kind and event.get("state_key", "") == "":
            content = event.get("content")
            return dict(content) if isinstance(content, dict) else {}
    return {}


def _print_login_help(url: str, bot_id: str, passwords: dict[str, str], bot: BotProcess) -> None:
    print(
        "\n=== Alles blijft draaien (Ctrl-C stopt). Log in met een Matrix-client (bijv. Element):"
    )
    print(f"    homeserver: {url}")
    for localpart, password in passwords.items():
        print(f"    @{localpart}:{SERVER_NAME}  wachtwoord: {password}")
    print(f"    bot: {bot_id}; ops-endpoint: http://127.0.0.1:{bot.http_port}/metrics")
    print(f"    configuratie: {bot.config_path}; log van de bot: {bot.log_path}")
    sys.stdout.flush()
