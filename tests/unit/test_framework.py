"""Command declarations, argument binding, help generation and dispatch outcomes."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from pydantic import BaseModel, Field

from avz_bot.domain.inbound import IncomingCommand
from avz_bot.domain.partners import Member, Organisation, OrgDomain, Role
from avz_bot.domain.signals import Place
from avz_bot.formatting import text
from avz_bot.messages import Messages
from avz_bot.services.refusal import Refused
from avz_bot.services.signals import SignalService
from avz_bot.settings_sections.cases import CasesSettings
from commands.arguments import ArgumentError, bind_arguments
from commands.framework import (
    Audience,
    AuditNote,
    CommandContext,
    CommandSpec,
    Dispatcher,
    HandlerResult,
    Outcome,
    Registry,
)
from commands.parser import Token
from commands.registry import build_registry

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ORG = Organisation("politie", "Politie Noord-Nederland", OrgDomain.VEILIGHEID)
PRO = Member("@p:avz.test", "Pieter", ORG, frozenset({Role.PROFESSIONAL}))
KM = Member("@k:avz.test", "Karin", ORG, frozenset({Role.KETENMANAGER}))


class FakePlaces:
    """What ``!help`` asks of the signals service: the kind of room (cases, TVO, DM)."""

    def __init__(self, place: Place | None) -> None:
        self.place = place

    async def place_of(self, room_id: str, room_members: int | None) -> Place | None:
        return self.place


class FakeServices:
    version = "9.9.9"

    def __init__(self, now: datetime = NOW, place: Place | None = None) -> None:
        self._now = now
        self._places = FakePlaces(place)
        self.app = SimpleNamespace(
            cases_settings=CasesSettings(intake_rooms=["!intake:avz.test"]),
            helpdesk_settings=SimpleNamespace(rooms=["!desk:avz.test"]),
        )

    def now(self) -> datetime:
        return self._now

    def __getitem__(self, service: type) -> Any:
        assert service is SignalService
        return self._places


class EchoArgs(BaseModel):
    title: str = Field(
        alias="titel", max_length=20, json_schema_extra={"help": "cmd.help.arg.command"}
    )
    reason: str | None = Field(default=None, alias="reden")
    count: int = Field(default=1, alias="aantal", ge=1, le=5)


calls: list[Any] = []


async def echo(ctx: CommandContext, args: EchoArgs) -> HandlerResult:
    calls.append(args)
    return HandlerResult(text(f"{args.title}|{args.reason}|{args.count}"))


async def boom(ctx: CommandContext, args: Any) -> HandlerResult:
    raise RuntimeError("handler bug with secret data")


ECHO = CommandSpec(
    name="echo nu",
    aliases=("echo now",),
    summary_key="cmd.ping.summary",
    handler=echo,
    args=EchoArgs,
    positional=("title",),
)
KM_ONLY = CommandSpec(
    name="geheim",
    aliases=("secret",),
    summary_key="cmd.ping.summary",
    handler=echo,
    args=EchoArgs,
    positional=("title",),
    audience=Audience.KETENMANAGER,
)


def incoming(body: str, *, received: datetime = NOW) -> IncomingCommand:
    return IncomingCommand("$e", "!r:avz.test", PRO.matrix_id, body, received, received)


def test_usage_is_generated_from_the_model() -> None:
    assert ECHO.usage("!") == "!echo nu <titel> [reden=<reden>] [aantal=<aantal>]"


def test_binding_positionals_and_options() -> None:
    messages = Messages()
    args = bind_arguments(
        ECHO, [Token("Hallo"), Token("omdat", "reden"), Token("3", "aantal")], messages
    )
    assert isinstance(args, EchoArgs)
    assert (args.title, args.reason, args.count) == ("Hallo", "omdat", 3)


@pytest.mark.parametrize(
    ("tokens", "expected"),
    [
        ([], "Titel ontbreekt."),
        ([Token("a"), Token("x", "onzin")], "Onbekende optie onzin."),
        ([Token("a"), Token("x", "reen")], "Onbekende optie reen. Bedoel je reden=?"),
        (
            [Token("a"), Token("x", "reden"), Token("y", "reden")],
            "De optie reden staat er meer dan één keer in.",
        ),
        ([Token("a"), Token("zes", "aantal")], "Ongeldige waarde voor aantal."),
        ([Token("a" * 21)], "Titel is te lang (maximaal 20 tekens)."),
        ([Token("x", "titel")], "Onbekende optie titel."),
    ],
)
def test_binding_errors_are_dutch(tokens: list[Token], expected: str) -> None:
    with pytest.raises(ArgumentError) as info:
        bind_arguments(ECHO, tokens, Messages())
    assert info.value.lines == [expected]


def test_registry_rejects_duplicate_names() -> None:
    with pytest.raises(ValueError, match="declared twice"):
        Registry([ECHO, ECHO])


def test_spec_rejects_unknown_positional_field() -> None:
    with pytest.raises(ValueError, match="not a field"):
        CommandSpec(
            name="x", aliases=(), summary_key="k", handler=echo, args=EchoArgs, positional=("nope",)
        )


async def dispatch(  # type: ignore[no-untyped-def]
    body: str,
    member: Member | None = PRO,
    specs: list[CommandSpec] | None = None,
    *,
    room: str = "!r:avz.test",
    place: Place | None = None,
):
    base = build_registry()
    registry = (
        Registry(specs)
        if specs is not None
        else Registry([*base.specs(), ECHO, KM_ONLY], who=base.who_sources)
    )
    command = replace(incoming(body), room_id=room)
    return await Dispatcher(registry, Messages(), "!").dispatch(
        command, member, FakeServices(place=place)
    )


async def test_two_word_command_and_alias() -> None:
    result = await dispatch('!echo nu "Hallo daar" reden=test')
    assert result.outcome is Outcome.OK and result.command == "echo nu"
    assert result.reply is not None and result.reply.plain == "Hallo daar|test|1"
    result = await dispatch("!echo now Hi")
    assert result.reply is not None and result.reply.plain == "Hi|None|1"


async def test_not_a_command_is_ignored() -> None:
    result = await dispatch("gewoon een bericht")
    assert result.outcome is Outcome.IGNORED and result.reply is None


async def test_unregistered_sender_is_refused_for_everything() -> None:
    for body in ("!help", "!ping", "!bestaatniet", '!x "open'):
        result = await dispatch(body, member=None)
        assert result.outcome is Outcome.UNREGISTERED
        assert result.reply is not None and "niet geregistreerd" in result.reply.plain


async def test_unknown_command_suggests() -> None:
    result = await dispatch("!hlep")
    assert result.outcome is Outcome.UNKNOWN
    assert result.reply is not None
    assert "Bedoel je !help?" in result.reply.plain


async def test_unknown_command_without_suggestion() -> None:
    result = await dispatch("!zzzzzzzz")
    assert result.reply is not None
    assert result.reply.plain.startswith("Onbekend commando !zzzzzzzz.")
    assert "Bedoel" not in result.reply.plain


async def test_bad_arguments_get_usage_and_do_not_run_handler() -> None:
    calls.clear()
    result = await dispatch("!echo nu a aantal=zes")
    assert result.outcome is Outcome.BAD_ARGUMENTS
    assert result.reply is not None
    assert "Gebruik: !echo nu <titel> [reden=<reden>] [aantal=<aantal>]" in result.reply.plain
    assert calls == []


async def test_audience_is_enforced() -> None:
    calls.clear()
    result = await dispatch("!geheim x")
    assert result.outcome is Outcome.FORBIDDEN and calls == []
    assert result.reply is not None and "ketenmanagers" in result.reply.plain
    ok = await dispatch("!geheim x", member=KM)
    assert ok.outcome is Outcome.OK


async def test_help_lists_only_visible_commands() -> None:
    result = await dispatch("!help alles")
    assert result.reply is not None
    assert "!ping" in result.reply.plain and "!echo nu" in result.reply.plain
    assert "!geheim" not in result.reply.plain
    km = await dispatch("!help all", member=KM)
    assert km.reply is not None and "!geheim" in km.reply.plain


async def test_help_on_one_command() -> None:
    result = await dispatch("!help echo nu")
    assert result.reply is not None
    assert "Gebruik: !echo nu <titel>" in result.reply.plain
    assert "Ook: !echo now" in result.reply.plain
    result = await dispatch("!help !wie")
    assert result.reply is not None and "Ook: !whoami" in result.reply.plain
    result = await dispatch("!help bestaatniet")
    assert result.reply is not None and "Er is geen commando !bestaatniet." in result.reply.plain


async def test_ping_reports_version_and_processing_time() -> None:
    registry = build_registry()
    result = await Dispatcher(registry, Messages(), "!").dispatch(
        incoming("!ping", received=NOW - timedelta(milliseconds=42)), PRO, FakeServices()
    )
    assert result.reply is not None
    assert result.reply.plain == "pong — avz-bot 9.9.9, verwerkt in 42 ms."


async def test_whoami() -> None:
    result = await dispatch("!whoami")
    assert result.reply is not None
    assert result.reply.plain == (
        "Je bent Pieter (@p:avz.test), namens Politie Noord-Nederland (veiligheid). Rollen: professional."
    )


async def test_handler_errors_propagate_to_the_caller() -> None:
    spec = CommandSpec(name="boem", aliases=(), summary_key="cmd.ping.summary", handler=boom)
    with pytest.raises(RuntimeError):
        await dispatch("!boem", specs=[spec])


async def refuse(ctx: CommandContext, args: Any) -> HandlerResult:
    ctx.audit.append(AuditNote("begun", "case", "AVZ-2026-0001"))
    raise Refused(text("Dat mag alleen de regiehouder."), "not_allowed")


async def test_a_refusal_is_answered_by_the_dispatcher() -> None:
    # Raised by a handler (or the service it calls), caught once: its reply, REFUSED (on
    # which the runtime rolls the command's transaction back and records it anew).
    spec = CommandSpec(name="weiger", aliases=(), summary_key="cmd.ping.summary", handler=refuse)
    result = await dispatch("!weiger", specs=[spec])
    assert result.outcome is Outcome.REFUSED and result.command == "weiger"
    assert result.reply is not None and result.reply.plain == "Dat mag alleen de regiehouder."
    assert result.audit == (AuditNote("begun", "case", "AVZ-2026-0001"),)


def test_a_refusal_never_carries_its_reply_into_a_log() -> None:
    refused = Refused(text("Over Jan de Vries: dat mag niet."), "not_allowed")
    assert "Jan" not in str(refused) and "Jan" not in repr(refused)
    assert refused.key == "not_allowed" and refused.reply.plain.startswith("Over Jan")
    assert "Jan" not in str(Refused(text("Over Jan de Vries.")))


async def test_replies_escape_html() -> None:
    result = await dispatch('!echo nu "<b>x</b>"')
    assert result.reply is not None
    assert "<b>" not in result.reply.html and "&lt;b&gt;" in result.reply.html


async def test_english_locale() -> None:
    registry = build_registry()
    result = await Dispatcher(registry, Messages("en"), "!").dispatch(
        incoming("!hlep"), PRO, FakeServices()
    )
    assert result.reply is not None and "Did you mean !help?" in result.reply.plain


CHANGE = CommandSpec(
    name="wijzig",
    aliases=(),
    summary_key="cmd.ping.summary",
    handler=echo,
    args=EchoArgs,
    positional=("title",),
    changes_state=True,
)


@pytest.mark.parametrize(
    ("strict", "spec_name", "cross_signed", "outcome"),
    [
        (True, "wijzig", False, Outcome.FORBIDDEN),
        (True, "wijzig", None, Outcome.FORBIDDEN),  # unknown counts as not signed
        (True, "wijzig", True, Outcome.OK),
        (True, "echo nu", False, Outcome.OK),  # reading is always allowed
        (False, "wijzig", False, Outcome.OK),  # default policy: accepted (and marked)
    ],
)
async def test_strict_trust_policy_refuses_changes_from_unsigned_devices(
    strict: bool, spec_name: str, cross_signed: bool | None, outcome: Outcome
) -> None:
    calls.clear()
    dispatcher = Dispatcher(
        Registry([ECHO, CHANGE]), Messages(), "!", refuse_unsigned_devices=strict
    )
    command = IncomingCommand(
        "$e", "!r:avz.test", PRO.matrix_id, f"!{spec_name} Hallo", NOW, NOW, "DEV", cross_signed
    )
    result = await dispatcher.dispatch(command, PRO, FakeServices())
    assert result.outcome is outcome
    if outcome is Outcome.FORBIDDEN:
        assert result.reply is not None
        assert "cross-signing" in result.reply.plain
        assert calls == []  # the handler never ran
    else:
        assert len(calls) == 1


# ---------------------------------------------------------------- one catch of a refusal
# A refusal is answered in one place: ``Dispatcher.dispatch`` (``commands/framework.py``).
#
# Twelve handlers once caught a refusal each (four exception classes; escalations,
# conferences and signals caught the cases area's) and turned it into a reply. Now every
# service raises ``avz_bot.services.refusal.Refused`` and only the dispatcher catches it:
# this source scan keeps it so. No module under ``commands/`` may catch a refusal, by name or by catching
# everything (a bare ``except``, ``Exception``, ``BaseException``), except the dispatcher.
ROOT = Path(__file__).resolve().parents[2]
COMMANDS = ROOT / "commands"
#: The one place that catches a refusal: (module, function).
DISPATCHER = ("commands/framework.py", "dispatch")
#: Exception names that catch a refusal: the class and what it derives from.
CATCHES_REFUSAL = {"Refused", "Exception", "BaseException"}


def _names(node: ast.expr | None) -> Iterator[str | None]:
    """The class names an ``except`` clause catches (None: a bare ``except``)."""
    if node is None:
        yield None
    elif isinstance(node, ast.Tuple):
        for element in node.elts:
            yield from _names(element)
    elif isinstance(node, ast.Name):
        yield node.id
    elif isinstance(node, ast.Attribute):
        yield node.attr  # refusal.Refused
    else:
        yield ast.unparse(node)


def _catches(path: Path) -> list[tuple[str, int, str]]:
    """(enclosing function, line, caught name) of every clause in ``path`` that catches a
    refusal."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[str, int, str]] = []

    def visit(node: ast.AST, function: str) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            function = node.name
        if isinstance(node, ast.ExceptHandler):
            for name in _names(node.type):
                if name is None or name in CATCHES_REFUSAL:
                    found.append((function, node.lineno, name or "<bare>"))
        for child in ast.iter_child_nodes(node):
            visit(child, function)

    visit(tree, "<module>")
    return found


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else path.name


def test_only_the_dispatcher_catches_a_refusal() -> None:
    problems = [
        f"{_rel(path)}:{line}: {function} catches {name}"
        for path in sorted(COMMANDS.rglob("*.py"))
        for function, line, name in _catches(path)
        if (_rel(path), function) != DISPATCHER
    ]
    assert problems == []


def test_the_dispatcher_catches_it_once() -> None:
    # The allowance must still apply: the dispatcher catches Refused, exactly once.
    module, function = DISPATCHER
    catches = _catches(ROOT / module)
    assert [(f, name) for f, _, name in catches] == [(function, "Refused")]


def test_the_scan_catches_every_way_of_writing_it(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text(
        "async def handler(ctx, args):\n"
        "    try:\n"
        "        pass\n"
        "    except Refused as exc:\n"
        "        pass\n"
        "    except (ValueError, refusal.Refused):\n"
        "        pass\n"
        "    except Exception:\n"
        "        pass\n"
        "    except:\n"
        "        pass\n"
        "    try:\n"
        "        pass\n"
        "    except ValueError:\n"  # a narrower catch is fine
        "        pass\n",
        encoding="utf-8",
    )
    assert [line for _, line, _ in _catches(probe)] == [4, 6, 8, 10]


@pytest.mark.parametrize(
    ("body", "suggestion"),
    [
        ("!regie claimen", "Bedoel je !regie claim?"),
        ("!regie overdragn @a:avz.test", "Bedoel je !regie overdragen?"),
        ("!casus sluten reden=klaar", "Bedoel je !casus sluiten?"),
        ("!lead clam", "Bedoel je !regie claim?"),
    ],
)
async def test_a_mistyped_sub_command_gets_did_you_mean(body: str, suggestion: str) -> None:
    result = await dispatch(body)
    assert result.outcome is Outcome.BAD_ARGUMENTS
    assert result.reply is not None
    assert result.reply.plain.splitlines()[0] == suggestion


async def test_refusals_start_with_a_capital() -> None:
    result = await dispatch("!echo nu")
    assert result.reply is not None
    assert result.reply.plain.startswith("Titel ontbreekt.")


@pytest.mark.parametrize(
    ("room", "place", "title", "shown", "hidden"),
    [
        ("!c:avz.test", Place.CASE_ROOM, "casuskamer", ["!actie ", "!regie claim"], ["!vraag"]),
        ("!t:avz.test", Place.TVO_ROOM, "TVO", ["!tvo besluit", "!casus nieuw"], ["!acties"]),
        ("!intake:avz.test", None, "intake", ["!casus nieuw"], ["!regie "]),
        ("!desk:avz.test", None, "vraagbaak", ["!vraag ", "!zoek"], ["!casus nieuw"]),
        ("!dm:avz.test", Place.DIRECT_CHAT, "privégesprek", ["!mijn", "!signaal "], ["!acties"]),
    ],
)
async def test_help_shows_the_few_commands_that_fit_the_room(
    room: str, place: Place | None, title: str, shown: list[str], hidden: list[str]
) -> None:
    result = await dispatch("!help", room=room, place=place)
    assert result.reply is not None
    said = result.reply.plain
    assert title in said.splitlines()[0]
    assert all(command in said for command in shown), said
    assert not any(command in said for command in hidden), said
    assert "!help alles" in said
    assert len(said.splitlines()) < 16  # a few, not all 66


def test_every_command_help_lists_for_a_room_exists() -> None:
    from commands.builtin import ROOM_HELP, RoomKind

    names = {spec.name for spec in build_registry().specs()}
    assert set(ROOM_HELP) == set(RoomKind)
    for commands in ROOM_HELP.values():
        assert set(commands) <= names


BOT_NAMES = ("avz-bot", "@avz-bot-1:avz.test", "avz-bot-1")


@pytest.mark.parametrize(
    ("body", "reads_as"),
    [
        ("avz-bot: help", "!help"),
        ("AVZ-bot, help actie", "!help actie"),
        ("avz-bot help", "!help"),
        ("avz-bot:", "!help"),
        ("! help", "!help"),
        ("!  regie claim", "!regie claim"),
        ("@avz-bot-1:avz.test: help", "!help"),  # a mention pill (Element)
        ("@avz-bot-1:avz.test help", "!help"),
        ("avz-bot-1: !acties", "!acties"),
        ("@avz-bot: wie", "!wie"),
    ],
)
def test_the_bot_answers_when_addressed_by_name_or_mention(body: str, reads_as: str) -> None:
    dispatcher = Dispatcher(build_registry(), Messages(), "!", addressed_as=BOT_NAMES)
    assert dispatcher.is_command(body)
    expected = dispatcher.read(reads_as).parsed
    assert dispatcher.read(body).parsed == expected


@pytest.mark.parametrize(
    "body",
    ["! hoi", "avz-bot is handig", "avz-botje: help", "over avz-bot: help", "!!!", "hallo"],
)
def test_chat_about_the_bot_is_not_a_command(body: str) -> None:
    dispatcher = Dispatcher(build_registry(), Messages(), "!", addressed_as=BOT_NAMES)
    assert not dispatcher.is_command(body)


async def test_words_after_a_coded_option_value_are_the_commands_text() -> None:
    """``!signaal overlast ernst=hoog buren klagen``: a coded value (a pattern, a number,
    a choice) is one word; a free-text option takes everything up to the next option."""
    result = await dispatch("!echo nu Hallo aantal=3 daar reden=geen tijd meer")
    assert result.reply is not None and result.reply.plain == "Hallo daar|geen tijd meer|3"
