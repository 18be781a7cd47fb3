"""Commands of the signals, tvo triage and matching area, declared once.

Handlers only call ``ctx.services[SignalService]``. Fields that may carry a person's identifier
are declared with ``identifier_help`` (the one exemption from the framework's BSN
refusal); the service pseudonymises them and never stores them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from pydantic import BaseModel, Field

from avz_bot.domain.inbound import Reply
from avz_bot.domain.signals import (
    PERMISSIONS,
    Decision,
    SignalAction,
    SignalActor,
    permission_rows,
)
from avz_bot.lists import PageArgs
from avz_bot.messages import Messages
from avz_bot.services.cases import CaseService
from avz_bot.services.signals import PersonArgs, SignalService
from avz_bot.services.signals.area import AREA as SERVICES
from commands.arguments import help_text, identifier_help
from commands.framework import (
    CommandArea,
    CommandContext,
    CommandSpec,
    HandlerResult,
    member_command,
)


class SignalArgs(BaseModel):
    """``!signaal bsn=…|naam=… categorie=… [geboortedatum=…] [gemeente=…]`` in a direct
    chat, or ``!signaal <categorie> [ernst=…] <omschrijving>`` in a case room."""

    words: str = Field(
        default="",
        alias="categorie en omschrijving",
        max_length=1000,
        json_schema_extra=help_text("arg.signal_words"),
    )
    bsn: str = Field(
        default="", alias="bsn", max_length=20, json_schema_extra=identifier_help("arg.bsn")
    )
    name: str = Field(
        default="",
        alias="naam",
        max_length=200,
        json_schema_extra=identifier_help("arg.person_name"),
    )
    birth_date: str = Field(
        default="",
        alias="geboortedatum",
        max_length=10,
        json_schema_extra=identifier_help("arg.birth_date"),
    )
    category: str = Field(
        default="", alias="categorie", max_length=60, json_schema_extra=help_text("arg.category")
    )
    municipality: str = Field(
        default="", alias="gemeente", max_length=60, json_schema_extra=help_text("arg.municipality")
    )
    severity: str = Field(
        default="midden",
        alias="ernst",
        pattern="^(laag|midden|hoog)$",
        json_schema_extra=help_text("arg.severity"),
    )


class WithdrawArgs(BaseModel):
    """``!signaal intrekken SIG-… reden=…``."""

    reference: str = Field(
        alias="referentie", max_length=30, json_schema_extra=help_text("arg.signal_reference")
    )
    reason: str = Field(
        alias="reden", min_length=1, max_length=200, json_schema_extra=help_text("arg.reason")
    )


class PersonLinkArgs(BaseModel):
    """``!casus persoon AVZ-… bsn=…`` (or ``naam=… geboortedatum=…``)."""

    case: str = Field(
        alias="casus", max_length=30, json_schema_extra=help_text("arg.case_reference")
    )
    bsn: str = Field(
        default="", alias="bsn", max_length=20, json_schema_extra=identifier_help("arg.bsn")
    )
    name: str = Field(
        default="",
        alias="naam",
        max_length=200,
        json_schema_extra=identifier_help("arg.person_name"),
    )
    birth_date: str = Field(
        default="",
        alias="geboortedatum",
        max_length=10,
        json_schema_extra=identifier_help("arg.birth_date"),
    )


class DecideArgs(BaseModel):
    """``!tvo besluit SIG-… casus|monitoren|geen-actie reden=… [type=…]``."""

    reference: str = Field(
        alias="referentie", max_length=30, json_schema_extra=help_text("arg.signal_reference")
    )
    decision: Decision = Field(alias="besluit", json_schema_extra=help_text("arg.tvo_decision"))
    reason: str = Field(
        alias="reden", min_length=1, max_length=200, json_schema_extra=help_text("arg.reason")
    )
    case_type: str = Field(
        default="", alias="type", max_length=60, json_schema_extra=help_text("arg.case_type")
    )


Operation = Callable[[SignalService], Awaitable[Reply]]


async def _run(ctx: CommandContext, operation: Operation) -> HandlerResult:
    return HandlerResult(await operation(ctx.services[SignalService]))


async def signal(ctx: CommandContext, args: SignalArgs) -> HandlerResult:
    """``!signaal``: about a person (direct chat) or inside a case (case room)."""
    command = ctx.command
    if args.bsn.strip() or args.name.strip():
        person = PersonArgs(args.bsn, args.name, args.birth_date)
        category = args.category or args.words

        async def register(service: SignalService) -> Reply:
            return await service.register(
                ctx.member,
                command.room_id,
                command.room_members,
                person,
                category,
                args.municipality,
                command.event_id,
            )

        return await _run(ctx, register)

    async def in_case(service: SignalService) -> Reply:
        loaded = await ctx.services[CaseService].load_for_room(command.room_id)
        if loaded is None:
            # Not a case room: a signal about a person, which then explains what it needs.
            return await service.register(
                ctx.member,
                command.room_id,
                command.room_members,
                PersonArgs(),
                args.category or args.words,
                args.municipality,
                command.event_id,
            )
        words = args.words.split(maxsplit=1)
        category = args.category or (words[0] if words else "")
        description = args.words if args.category else (words[1] if len(words) > 1 else "")
        return await service.record_in_case(
            ctx.member, loaded, category, args.severity, description, command.event_id
        )

    return await _run(ctx, in_case)


async def withdraw(ctx: CommandContext, args: WithdrawArgs) -> HandlerResult:
    """``!signaal intrekken``."""
    command = ctx.command
    return await _run(
        ctx,
        lambda service: service.withdraw(
            ctx.member,
            command.room_id,
            command.room_members,
            args.reference,
            args.reason,
            command.event_id,
        ),
    )


async def list_case_signals(ctx: CommandContext, args: PageArgs) -> HandlerResult:
    """``!signalen [pagina=]``."""

    async def op(service: SignalService) -> Reply:
        loaded = await ctx.services[CaseService].require_case(ctx.command.room_id)
        return await service.list_in_case(ctx.member, loaded, args.page)

    return await _run(ctx, op)


async def link_person(ctx: CommandContext, args: PersonLinkArgs) -> HandlerResult:
    """``!casus persoon``."""
    command = ctx.command
    person = PersonArgs(args.bsn, args.name, args.birth_date)
    return await _run(
        ctx,
        lambda service: service.link_person(
            ctx.member, command.room_id, command.room_members, args.case, person
        ),
    )


async def tvo_agenda(ctx: CommandContext, args: PageArgs) -> HandlerResult:
    """``!tvo agenda [pagina=]``."""
    return await _run(
        ctx, lambda service: service.tvo_agenda(ctx.member, ctx.command.room_id, args.page)
    )


async def tvo_decide(ctx: CommandContext, args: DecideArgs) -> HandlerResult:
    """``!tvo besluit``."""
    command = ctx.command
    return await _run(
        ctx,
        lambda service: service.tvo_decide(
            ctx.member,
            command.room_id,
            args.reference,
            args.decision,
            args.reason,
            args.case_type,
            command.event_id,
        ),
    )


SPECS: tuple[CommandSpec, ...] = (
    member_command("signaal", ("signal",), "cmd.signaal.summary", signal, SignalArgs, (), "words"),
    member_command(
        "signaal intrekken",
        ("signal withdraw",),
        "cmd.signaal_intrekken.summary",
        withdraw,
        WithdrawArgs,
        ("reference",),
    ),
    member_command(
        "signalen",
        ("signals",),
        "cmd.signalen.summary",
        list_case_signals,
        PageArgs,
        changes=False,
    ),
    member_command(
        "casus persoon",
        ("case person",),
        "cmd.casus_persoon.summary",
        link_person,
        PersonLinkArgs,
        ("case",),
    ),
    member_command(
        "tvo agenda",
        ("triage agenda",),
        "cmd.tvo_agenda.summary",
        tvo_agenda,
        PageArgs,
        changes=False,
    ),
    member_command(
        "tvo besluit",
        ("triage decide",),
        "cmd.tvo_besluit.summary",
        tvo_decide,
        DecideArgs,
        ("reference", "decision"),
    ),
)

#: The signals permission table's actions of these commands (for the README).
SIGNAL_ACTIONS: dict[str, tuple[SignalAction, ...]] = {
    "signaal": (SignalAction.REGISTER, SignalAction.CASE_SIGNAL),
    "signaal intrekken": (SignalAction.WITHDRAW,),
    "signalen": (SignalAction.CASE_SIGNALS_VIEW,),
    "casus persoon": (SignalAction.LINK_PERSON,),
    "tvo agenda": (SignalAction.TVO_AGENDA,),
    "tvo besluit": (SignalAction.TVO_DECIDE,),
}


def who(name: str, messages: Messages) -> str | None:
    """The "wie" of a command of this area, from the permission table (None: not ours)."""
    actions = SIGNAL_ACTIONS.get(name)
    if actions is None:
        return None
    actors: list[SignalActor] = []
    for action in actions:
        actors.extend(a for a in PERMISSIONS[action].actors if a not in actors)
    ordered = [a for a in SignalActor if a in actors]
    return " of ".join(messages.t(f"signal.actor.{a.value}") for a in ordered)


def permission_table(messages: Messages, prefix: str = "!") -> str:
    """Who may do what with signals, and where: the domain's table, as Markdown."""
    by_action: dict[SignalAction, list[str]] = {}
    for name, actions in SIGNAL_ACTIONS.items():
        for action in actions:
            by_action.setdefault(action, []).append(f"`{prefix}{name}`")
    lines = ["| handeling | commando | wie | waar |", "|---|---|---|---|"]
    for action, actors, place in permission_rows():
        who_text = " of ".join(messages.t(f"signal.actor.{a.value}") for a in actors)
        lines.append(
            f"| {action.value} | {', '.join(by_action.get(action, []))} | {who_text} "
            f"| {messages.t(f'signal.place.{place.value}')} |"
        )
    return "\n".join(lines)


AREA = CommandArea(SPECS, SERVICES, who)
