"""The basic commands: help, ping, whoami.

``!help`` shows the few commands that make sense in the room where it is asked (a case
room, an intake/TVO room, the coordination room, a helpdesk room, a direct chat: see
:data:`ROOM_HELP`) and how to see all of them (``!help alles``); ``!help <commando>``
explains one, with "wie" from the permission table that decides
(``Registry.who``), the same words the README's generated reference shows.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field

from avz_bot.domain.signals import Place
from avz_bot.formatting import listing, paragraphs, text
from avz_bot.services.signals import SignalService
from commands.framework import (
    Audience,
    CommandArea,
    CommandContext,
    CommandSpec,
    HandlerResult,
    NoArguments,
)


class HelpArgs(BaseModel):
    """``!help [commando]``."""

    command: str | None = Field(
        default=None,
        alias="commando",
        max_length=60,
        json_schema_extra={"help": "cmd.help.arg.command"},
    )


class RoomKind(StrEnum):
    """The kinds of room ``!help`` fits its answer to."""

    CASE = "case"
    INTAKE = "intake"  # an intake room or a municipality's TVO room
    COORDINATION = "coordination"
    HELPDESK = "helpdesk"
    DIRECT = "direct"
    OTHER = "other"


#: The few commands that make sense in each kind of room, in the order shown.
ROOM_HELP: dict[RoomKind, tuple[str, ...]] = {
    RoomKind.CASE: (
        "casus",
        "regie",
        "regie claim",
        "actie",
        "acties",
        "actie klaar",
        "signaal",
        "opschalen",
        "overleg plan",
        "tijdlijn",
    ),
    RoomKind.INTAKE: ("casus nieuw", "tvo agenda", "tvo besluit", "herinner", "wie"),
    RoomKind.COORDINATION: (
        "opschalingen",
        "ontvangen",
        "besluit",
        "casus nieuw",
        "rapport",
        "herinner",
    ),
    RoomKind.HELPDESK: ("vraag", "vragen", "oppakken", "antwoord", "opgelost", "zoek"),
    RoomKind.DIRECT: (
        "mijn",
        "overzicht",
        "signaal",
        "signaal intrekken",
        "zoek",
        "herinner",
        "wie",
        "ping",
    ),
    RoomKind.OTHER: ("wie", "ping", "zoek"),
}
#: ``!help alles`` (``!help all``): every command the sender may use.
ALL_WORDS = frozenset({"alles", "all"})


async def room_kind(ctx: CommandContext) -> RoomKind:
    """What kind of room the command was sent in (the configured rooms, the case rooms)."""
    app = ctx.services.app
    room = ctx.command.room_id
    place = await ctx.services[SignalService].place_of(room, ctx.command.room_members)
    if place is Place.CASE_ROOM:
        return RoomKind.CASE
    if place is Place.TVO_ROOM or room in app.cases_settings.intake_rooms:
        return RoomKind.INTAKE
    if room == app.cases_settings.coordination_room:
        return RoomKind.COORDINATION
    if room in app.helpdesk_settings.rooms:
        return RoomKind.HELPDESK
    return RoomKind.DIRECT if place is Place.DIRECT_CHAT else RoomKind.OTHER


def _overview(ctx: CommandContext, kind: RoomKind | None) -> HandlerResult:
    """The commands for ``kind`` of room (None: all) that the sender may use."""
    t = ctx.messages.t
    visible = [spec for spec in ctx.registry.specs() if spec.audience.allows(ctx.member)]
    if kind is not None:
        order = ROOM_HELP[kind]
        visible = sorted(
            (spec for spec in visible if spec.name in order), key=lambda s: order.index(s.name)
        )
    items = [f"{ctx.prefix}{spec.name} — {t(spec.summary_key)}" for spec in visible]
    title = t("help.title") if kind is None else t(f"help.title.{kind.value}")
    footer = t("help.footer", prefix=ctx.prefix)
    if kind is not None:
        footer = paragraphs(t("help.all_hint", prefix=ctx.prefix), footer).plain
    return HandlerResult(listing(title, items, footer=footer))


async def help_command(ctx: CommandContext, args: HelpArgs) -> HandlerResult:
    """List the commands that fit this room (``alles``: all) that the sender may use,
    or explain one command."""
    t = ctx.messages.t
    if args.command and args.command.strip().casefold() in ALL_WORDS:
        return _overview(ctx, None)
    if args.command:
        words = args.command.removeprefix(ctx.prefix)
        spec = ctx.registry.lookup(words) or ctx.registry.lookup(words.split()[0])
        if spec is None:
            return HandlerResult(
                paragraphs(
                    t("help.unknown_topic", command=f"{ctx.prefix}{words}"),
                    t("error.help_hint", prefix=ctx.prefix),
                )
            )
        lines = [
            t(spec.summary_key),
            f"{t('help.usage')}: {spec.usage(ctx.prefix)}",
        ]
        if spec.aliases:
            aliases = ", ".join(f"{ctx.prefix}{alias}" for alias in spec.aliases)
            lines.append(t("help.aliases", aliases=aliases))
        lines.append(f"{t('help.who')}: {ctx.registry.who(spec, ctx.messages)}")
        arg_lines = spec.argument_help(ctx.messages)
        if arg_lines:
            lines.append(f"{t('help.arguments')}:")
            lines.extend(f"  {line}" for line in arg_lines)
        return HandlerResult(paragraphs(*lines))
    return _overview(ctx, await room_kind(ctx))


async def ping_command(ctx: CommandContext, args: NoArguments) -> HandlerResult:
    """Answer with the version and the time from receiving the event until now."""
    elapsed = ctx.services.now() - ctx.command.received_at
    millis = max(0, round(elapsed.total_seconds() * 1000))
    return HandlerResult(
        text(ctx.messages.t("cmd.ping.reply", version=ctx.services.version, millis=millis))
    )


async def whoami_command(ctx: CommandContext, args: NoArguments) -> HandlerResult:
    """Tell the sender how the bot knows them."""
    t = ctx.messages.t
    member = ctx.member
    roles = ", ".join(t(f"role.{role.value}") for role in sorted(member.roles)) or t("list.none")
    return HandlerResult(
        text(
            t(
                "cmd.wie.reply",
                name=member.display_name,
                user=member.matrix_id,
                organisation=member.organisation.name,
                domain=t(f"domain.{member.organisation.domain.value}"),
                roles=roles,
            )
        )
    )


SPECS: tuple[CommandSpec, ...] = (
    CommandSpec(
        name="help",
        aliases=("hulp",),
        summary_key="cmd.help.summary",
        handler=help_command,
        args=HelpArgs,
        rest="command",
        audience=Audience.MEMBER,
    ),
    CommandSpec(
        name="ping",
        aliases=(),
        summary_key="cmd.ping.summary",
        handler=ping_command,
    ),
    CommandSpec(
        name="wie",
        aliases=("whoami",),
        summary_key="cmd.wie.summary",
        handler=whoami_command,
    ),
)

AREA = CommandArea(SPECS, None)
