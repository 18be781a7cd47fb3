"""Commands of the case conferences area, declared once. Handlers only call the service."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from pydantic import BaseModel, Field

from avz_bot.domain.conferences.permissions import (
    PERMISSIONS,
    ConferenceAction,
    ConferenceActor,
    permission_table_rows,
)
from avz_bot.domain.inbound import Reply
from avz_bot.lists import PageArgs
from avz_bot.messages import Messages
from avz_bot.services.conferences.area import AREA as SERVICES
from avz_bot.services.conferences.service import ConferenceService
from commands.arguments import help_text
from commands.framework import (
    CommandArea,
    CommandContext,
    CommandSpec,
    HandlerResult,
    member_command,
)

_REFERENCE = r"^(?i:OV-\d{4}-\d{1,6})$"


def _reference() -> object:
    return Field(
        alias="overleg",
        pattern=_REFERENCE,
        max_length=20,
        json_schema_extra=help_text("arg.conference"),
    )


class PlanArgs(BaseModel):
    """``!overleg plan <wanneer> [duur=] [locatie=] [deelnemers=]``."""

    when: str = Field(
        alias="wanneer",
        min_length=1,
        max_length=100,
        json_schema_extra=help_text("arg.conference_when"),
    )
    duration: int | None = Field(
        default=None, alias="duur", ge=1, le=480, json_schema_extra=help_text("arg.duration")
    )
    location: str = Field(
        default="", alias="locatie", max_length=200, json_schema_extra=help_text("arg.location")
    )
    participants: str = Field(
        default="",
        alias="deelnemers",
        max_length=1000,
        json_schema_extra=help_text("arg.participants"),
    )


class MoveArgs(BaseModel):
    """``!overleg verzetten OV-… <wanneer> reden=…``."""

    reference: str = _reference()  # type: ignore[assignment]
    when: str = Field(
        alias="wanneer",
        min_length=1,
        max_length=100,
        json_schema_extra=help_text("arg.conference_when"),
    )
    reason: str = Field(
        alias="reden", min_length=1, max_length=200, json_schema_extra=help_text("arg.reason")
    )


class ReferenceReasonArgs(BaseModel):
    """``!overleg annuleren|afmelden OV-… reden=…``."""

    reference: str = _reference()  # type: ignore[assignment]
    reason: str = Field(
        alias="reden", min_length=1, max_length=200, json_schema_extra=help_text("arg.reason")
    )


class ReferenceArgs(BaseModel):
    """``!overleg kom|agenda OV-…``."""

    reference: str = _reference()  # type: ignore[assignment]


class ItemArgs(BaseModel):
    """``!overleg punt OV-… "<tekst>"``."""

    reference: str = _reference()  # type: ignore[assignment]
    text: str = Field(
        alias="tekst", min_length=1, max_length=500, json_schema_extra=help_text("arg.item")
    )


class DecisionArgs(BaseModel):
    """``!overleg besluit "<tekst>"``."""

    text: str = Field(
        alias="tekst", min_length=1, max_length=1000, json_schema_extra=help_text("arg.decision")
    )


class PresentArgs(BaseModel):
    """``!overleg aanwezig @… @…``."""

    users: str = Field(
        alias="aanwezigen",
        min_length=1,
        max_length=2000,
        json_schema_extra=help_text("arg.present"),
    )


class CloseArgs(BaseModel):
    """``!overleg afronden [volgende=<wanneer>]``."""

    next: str = Field(
        default="", alias="volgende", max_length=100, json_schema_extra=help_text("arg.next")
    )


async def _run(
    ctx: CommandContext, op: Callable[[ConferenceService], Awaitable[Reply]]
) -> HandlerResult:
    return HandlerResult(await op(ctx.services[ConferenceService]))


def _who(ctx: CommandContext) -> tuple[str, str]:
    return ctx.command.room_id, ctx.command.event_id


async def plan(ctx: CommandContext, args: PlanArgs) -> HandlerResult:
    """``!overleg plan``."""
    room, key = _who(ctx)
    return await _run(
        ctx,
        lambda s: s.plan(
            ctx.member, room, args.when, args.duration, args.location, args.participants, key
        ),
    )


async def move(ctx: CommandContext, args: MoveArgs) -> HandlerResult:
    """``!overleg verzetten``."""
    room, key = _who(ctx)
    return await _run(
        ctx, lambda s: s.move(ctx.member, room, args.reference, args.when, args.reason, key)
    )


async def cancel(ctx: CommandContext, args: ReferenceReasonArgs) -> HandlerResult:
    """``!overleg annuleren``."""
    room, key = _who(ctx)
    return await _run(ctx, lambda s: s.cancel(ctx.member, room, args.reference, args.reason, key))


async def come(ctx: CommandContext, args: ReferenceArgs) -> HandlerResult:
    """``!overleg kom``."""
    room, key = _who(ctx)
    return await _run(ctx, lambda s: s.answer(ctx.member, room, args.reference, True, "", key))


async def decline(ctx: CommandContext, args: ReferenceReasonArgs) -> HandlerResult:
    """``!overleg afmelden``."""
    room, key = _who(ctx)
    return await _run(
        ctx, lambda s: s.answer(ctx.member, room, args.reference, False, args.reason, key)
    )


async def agenda(ctx: CommandContext, args: ReferenceArgs) -> HandlerResult:
    """``!overleg agenda``."""
    room, _ = _who(ctx)
    return await _run(ctx, lambda s: s.agenda(ctx.member, room, args.reference))


async def item(ctx: CommandContext, args: ItemArgs) -> HandlerResult:
    """``!overleg punt``."""
    room, key = _who(ctx)
    return await _run(ctx, lambda s: s.add_item(ctx.member, room, args.reference, args.text, key))


async def decide(ctx: CommandContext, args: DecisionArgs) -> HandlerResult:
    """``!overleg besluit``."""
    room, key = _who(ctx)
    return await _run(ctx, lambda s: s.decide(ctx.member, room, args.text, key))


async def present(ctx: CommandContext, args: PresentArgs) -> HandlerResult:
    """``!overleg aanwezig``: Matrix ids (``@user:server``), separated by spaces or commas."""
    room, key = _who(ctx)
    users = [w.strip(",;") for w in args.users.replace(",", " ").split()]
    return await _run(ctx, lambda s: s.correct_attendance(ctx.member, room, users, key))


async def close(ctx: CommandContext, args: CloseArgs) -> HandlerResult:
    """``!overleg afronden``."""
    room, key = _who(ctx)
    return await _run(ctx, lambda s: s.close(ctx.member, room, args.next, key))


async def overview(ctx: CommandContext, args: PageArgs) -> HandlerResult:
    """``!overleggen [pagina=]``."""
    room, _ = _who(ctx)
    return await _run(ctx, lambda s: s.overview(ctx.member, room, args.page))


SPECS: tuple[CommandSpec, ...] = (
    member_command(
        "overleg plan",
        ("conference plan",),
        "cmd.overleg_plan.summary",
        plan,
        PlanArgs,
        (),
        "when",
    ),
    member_command(
        "overleg verzetten",
        ("conference move",),
        "cmd.overleg_verzetten.summary",
        move,
        MoveArgs,
        ("reference",),
        "when",
    ),
    member_command(
        "overleg annuleren",
        ("conference cancel",),
        "cmd.overleg_annuleren.summary",
        cancel,
        ReferenceReasonArgs,
        ("reference",),
    ),
    member_command(
        "overleg kom",
        ("conference attend",),
        "cmd.overleg_kom.summary",
        come,
        ReferenceArgs,
        ("reference",),
    ),
    member_command(
        "overleg afmelden",
        ("conference decline",),
        "cmd.overleg_afmelden.summary",
        decline,
        ReferenceReasonArgs,
        ("reference",),
    ),
    member_command(
        "overleg agenda",
        ("conference agenda",),
        "cmd.overleg_agenda.summary",
        agenda,
        ReferenceArgs,
        ("reference",),
        changes=False,
    ),
    member_command(
        "overleg punt",
        ("conference item",),
        "cmd.overleg_punt.summary",
        item,
        ItemArgs,
        ("reference",),
        "text",
    ),
    member_command(
        "overleg besluit",
        ("conference decision",),
        "cmd.overleg_besluit.summary",
        decide,
        DecisionArgs,
        (),
        "text",
    ),
    member_command(
        "overleg aanwezig",
        ("conference present",),
        "cmd.overleg_aanwezig.summary",
        present,
        PresentArgs,
        (),
        "users",
    ),
    member_command(
        "overleg afronden",
        ("conference close",),
        "cmd.overleg_afronden.summary",
        close,
        CloseArgs,
    ),
    member_command(
        "overleggen",
        ("conferences",),
        "cmd.overleggen.summary",
        overview,
        PageArgs,
        changes=False,
    ),
)

#: Conference actions of these commands, for the README's permission table.
CONFERENCE_COMMANDS: dict[str, str] = {
    "overleg plan": "plan",
    "overleg verzetten": "move",
    "overleg annuleren": "cancel",
    "overleg afronden": "close",
    "overleg besluit": "decide",
    "overleg aanwezig": "correct_attendance",
    "overleg punt": "add_item",
    "overleg kom": "attend",
    "overleg afmelden": "attend",
    "overleg agenda": "view",
    "overleggen": "view",
}


def who(name: str, messages: Messages) -> str | None:
    """Who may run conference command ``name`` (from the domain's table), or None."""
    action = CONFERENCE_COMMANDS.get(name)
    if action is None:
        return None
    allowed = PERMISSIONS[ConferenceAction(action)]
    return " of ".join(messages.t(f"conference.actor.{a.value}") for a in allowed_in_order(allowed))


def allowed_in_order(allowed: frozenset[ConferenceActor]) -> list[ConferenceActor]:
    """Actors in declaration order (a frozenset's order changes between runs)."""
    return [a for a in ConferenceActor if a in allowed]


def permission_table(messages: Messages, prefix: str = "!") -> str:
    """Who may do what with a conference, and when: the domain's table as Markdown."""
    by_action: dict[str, list[str]] = {}
    for name, action in CONFERENCE_COMMANDS.items():
        by_action.setdefault(action, []).append(f"`{prefix}{name}`")
    lines = ["| handeling | commando's | wie | wanneer |", "|---|---|---|---|"]
    for action, actors, phases in permission_table_rows():
        commands = ", ".join(by_action.get(action.value, []))
        allowed = " of ".join(messages.t(f"conference.actor.{a.value}") for a in actors)
        when = ", ".join(messages.t(f"conference.phase.{p.value}") for p in phases) or "—"
        lines.append(f"| {action.value} | {commands} | {allowed} | {when} |")
    return "\n".join(lines)


AREA = CommandArea(SPECS, SERVICES, who)
