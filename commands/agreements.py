"""Agreements (acties/afspraken), reminders and "my plate". Handlers only call services."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from avz_bot.domain.agreements import (
    PERMISSIONS,
    READ_ONLY_ACTIONS,
    Actor,
    AgreementAction,
    Scope,
    permission_table_rows,
)
from avz_bot.domain.inbound import Reply
from avz_bot.formatting import text
from avz_bot.lists import PageArgs
from avz_bot.messages import Messages
from avz_bot.services.agreements.area import AREA as SERVICES
from avz_bot.services.agreements.service import AgreementService
from avz_bot.services.cases import CaseService, LoadedCase
from avz_bot.services.refusal import Refused
from commands.arguments import help_text, person_help
from commands.framework import (
    CommandArea,
    CommandContext,
    CommandSpec,
    HandlerResult,
    member_command,
)

#: A direct chat: the sender and the bot.
DIRECT_CHAT_MEMBERS = 2


class CreateArgs(BaseModel):
    """``!actie <@gebruiker|organisatie> <omschrijving> deadline=<wanneer>``."""

    owner: str = Field(
        alias="eigenaar", max_length=255, json_schema_extra=person_help("arg.owner", or_other=True)
    )
    description: str = Field(
        alias="omschrijving",
        min_length=1,
        max_length=300,
        json_schema_extra=help_text("arg.description"),
    )
    deadline: str = Field(
        alias="deadline", max_length=100, json_schema_extra=help_text("arg.deadline")
    )


class NumberNoteArgs(BaseModel):
    """``!actie klaar <nr> [toelichting]``."""

    number: int = Field(alias="nr", ge=1, json_schema_extra=help_text("arg.number"))
    note: str = Field(
        default="", alias="toelichting", max_length=300, json_schema_extra=help_text("arg.note")
    )


class PostponeArgs(BaseModel):
    """``!actie uitstel <nr> <wanneer> reden=…``."""

    number: int = Field(alias="nr", ge=1, json_schema_extra=help_text("arg.number"))
    when: str = Field(
        alias="wanneer", min_length=1, max_length=100, json_schema_extra=help_text("arg.deadline")
    )
    reason: str = Field(
        alias="reden", min_length=1, max_length=200, json_schema_extra=help_text("arg.reason")
    )


class NumberReasonArgs(BaseModel):
    """``!actie vervalt <nr> reden=…``."""

    number: int = Field(alias="nr", ge=1, json_schema_extra=help_text("arg.number"))
    reason: str = Field(
        alias="reden", min_length=1, max_length=200, json_schema_extra=help_text("arg.reason")
    )


class RemindArgs(BaseModel):
    """``!herinner <wanneer> <tekst> [voor=mij|kamer]``."""

    words: str = Field(
        alias="wanneer en tekst",
        min_length=1,
        max_length=500,
        json_schema_extra=help_text("arg.remind"),
    )
    target: str = Field(
        default="mij",
        alias="voor",
        pattern="^(mij|kamer)$",
        json_schema_extra=help_text("arg.target"),
    )


class NumberArgs(BaseModel):
    """``<nr>``."""

    number: int = Field(alias="nr", ge=1, json_schema_extra=help_text("arg.number"))


async def _in_case(ctx: CommandContext, op: Any) -> HandlerResult:
    service: AgreementService = ctx.services[AgreementService]
    loaded = await ctx.services[CaseService].require_case(ctx.command.room_id)
    reply: Reply = await op(service, loaded)
    return HandlerResult(reply)


async def create(ctx: CommandContext, args: CreateArgs) -> HandlerResult:
    """``!actie``."""

    async def op(service: AgreementService, loaded: LoadedCase) -> Reply:
        return await service.create(ctx.member, loaded, args.owner, args.description, args.deadline)

    return await _in_case(ctx, op)


async def list_open(ctx: CommandContext, args: PageArgs) -> HandlerResult:
    """``!acties [pagina=]``."""

    async def op(service: AgreementService, loaded: LoadedCase) -> Reply:
        return await service.list_open(ctx.member, loaded, args.page)

    return await _in_case(ctx, op)


async def finish(ctx: CommandContext, args: NumberNoteArgs) -> HandlerResult:
    """``!actie klaar``."""

    async def op(service: AgreementService, loaded: LoadedCase) -> Reply:
        return await service.finish(ctx.member, loaded, args.number, args.note)

    return await _in_case(ctx, op)


async def postpone(ctx: CommandContext, args: PostponeArgs) -> HandlerResult:
    """``!actie uitstel``."""

    async def op(service: AgreementService, loaded: LoadedCase) -> Reply:
        return await service.postpone(ctx.member, loaded, args.number, args.when, args.reason)

    return await _in_case(ctx, op)


async def lapse(ctx: CommandContext, args: NumberReasonArgs) -> HandlerResult:
    """``!actie vervalt``."""

    async def op(service: AgreementService, loaded: LoadedCase) -> Reply:
        return await service.lapse(ctx.member, loaded, args.number, args.reason)

    return await _in_case(ctx, op)


async def remind(ctx: CommandContext, args: RemindArgs) -> HandlerResult:
    """``!herinner``: works in any room the bot serves."""
    reply = await ctx.services[AgreementService].remind(
        ctx.member, ctx.command.room_id, args.words, args.target == "kamer"
    )
    return HandlerResult(reply)


async def list_reminders(ctx: CommandContext, args: PageArgs) -> HandlerResult:
    """``!herinneringen [pagina=]``."""
    return HandlerResult(
        await ctx.services[AgreementService].list_reminders(ctx.command.room_id, args.page)
    )


async def cancel_reminder(ctx: CommandContext, args: NumberArgs) -> HandlerResult:
    """``!herinnering annuleer <nr>``."""
    reply = await ctx.services[AgreementService].cancel_reminder(
        ctx.member, ctx.command.room_id, args.number
    )
    return HandlerResult(reply)


async def my_plate(ctx: CommandContext, args: PageArgs) -> HandlerResult:
    """``!mijn``: only in a direct chat, because it shows data from all the sender's cases."""
    in_case_room = await ctx.services[CaseService].load_for_room(ctx.command.room_id) is not None
    if ctx.command.room_members != DIRECT_CHAT_MEMBERS or in_case_room:
        # A case room may briefly hold only its opener and the bot: still not private.
        raise Refused(text(ctx.messages.t("mine.dm_only", prefix=ctx.prefix)))
    return HandlerResult(await ctx.services[AgreementService].my_plate(ctx.member, args.page))


SPECS: tuple[CommandSpec, ...] = (
    member_command(
        "actie",
        ("afspraak", "action"),
        "cmd.actie.summary",
        create,
        CreateArgs,
        ("owner",),
        "description",
    ),
    member_command(
        "acties", ("afspraken", "actions"), "cmd.acties.summary", list_open, PageArgs, changes=False
    ),
    member_command(
        "actie klaar",
        ("afspraak klaar", "action done"),
        "cmd.actie_klaar.summary",
        finish,
        NumberNoteArgs,
        ("number",),
        "note",
    ),
    member_command(
        "actie uitstel",
        ("afspraak uitstel", "action postpone"),
        "cmd.actie_uitstel.summary",
        postpone,
        PostponeArgs,
        ("number",),
        "when",
    ),
    member_command(
        "actie vervalt",
        ("afspraak vervalt", "action drop"),
        "cmd.actie_vervalt.summary",
        lapse,
        NumberReasonArgs,
        ("number",),
    ),
    member_command(
        "herinner", ("remind",), "cmd.herinner.summary", remind, RemindArgs, (), "words"
    ),
    member_command(
        "herinneringen",
        ("reminders",),
        "cmd.herinneringen.summary",
        list_reminders,
        PageArgs,
        changes=False,
    ),
    member_command(
        "herinnering annuleer",
        ("reminder cancel",),
        "cmd.herinnering_annuleer.summary",
        cancel_reminder,
        NumberArgs,
        ("number",),
    ),
    member_command("mijn", ("mine",), "cmd.mijn.summary", my_plate, PageArgs, changes=False),
)

#: The action of each command in the agreements' permission table, for the README.
AGREEMENT_ACTIONS: dict[str, AgreementAction] = {
    "actie": AgreementAction.CREATE,
    "acties": AgreementAction.VIEW,
    "actie klaar": AgreementAction.FINISH,
    "actie uitstel": AgreementAction.POSTPONE,
    "actie vervalt": AgreementAction.LAPSE,
    "herinner": AgreementAction.REMIND,
    "herinneringen": AgreementAction.REMINDERS_VIEW,
    "herinnering annuleer": AgreementAction.REMINDER_CANCEL,
    "mijn": AgreementAction.MINE,
}


def _actors(actors: list[Actor], messages: Messages) -> str:
    return " of ".join(messages.t(f"agreement.actor.{a.value}") for a in actors)


def who(name: str, messages: Messages) -> str | None:
    """The "wie" of a command of this area, from the permission table (None: not ours)."""
    action = AGREEMENT_ACTIONS.get(name)
    if action is None:
        return None
    return _actors([a for a in Actor if a in PERMISSIONS[action].actors], messages)


def permission_table(messages: Messages, prefix: str = "!") -> str:
    """Who may do what with agreements and reminders: the domain's table, as Markdown."""
    by_action: dict[AgreementAction, list[str]] = {}
    for name, action in AGREEMENT_ACTIONS.items():
        by_action.setdefault(action, []).append(f"`{prefix}{name}`")
    lines = [
        "| handeling | commando | wie | waar | ook in een gesloten casus |",
        "|---|---|---|---|---|",
    ]
    for action, actors, scope in permission_table_rows():
        closed = "—" if scope is not Scope.CASE else "ja" if action in READ_ONLY_ACTIONS else "nee"
        lines.append(
            f"| {action.value} | {', '.join(by_action.get(action, []))} "
            f"| {_actors(actors, messages)} | {messages.t(f'agreement.scope.{scope.value}')} "
            f"| {closed} |"
        )
    return "\n".join(lines)


AREA = CommandArea(SPECS, SERVICES, who)
