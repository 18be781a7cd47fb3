"""Escalation commands (opschalen), declared once. Handlers only call the escalation service."""

from __future__ import annotations

from pydantic import BaseModel, Field

from avz_bot.domain import cases as case_domain
from avz_bot.domain import escalations
from avz_bot.domain.escalations import EscalationAction, RouteKind
from avz_bot.formatting import text
from avz_bot.lists import PageArgs
from avz_bot.messages import Messages
from avz_bot.services.escalations import EscalationService
from avz_bot.services.escalations.area import AREA as SERVICES
from avz_bot.services.refusal import Refused
from commands.arguments import help_text
from commands.framework import (
    CommandArea,
    CommandContext,
    CommandSpec,
    HandlerResult,
    member_command,
)

URGENT_WORD = "urgent"

#: Which domain action each command performs (for the generated permission table).
ESCALATION_ACTIONS: dict[str, EscalationAction] = {
    "ontvangen": EscalationAction.ACKNOWLEDGE,
    "vrijgeven": EscalationAction.RELEASE,
    "besluit": EscalationAction.DECIDE,
    "doorzetten": EscalationAction.FORWARD,
    "afschalen": EscalationAction.DEESCALATE,
    "opschaling intrekken": EscalationAction.WITHDRAW,
}


class RequestArgs(BaseModel):
    """``!opschalen <inhoudelijk|samenwerking> [urgent] reden="…" besluit="…" [partner=…]``."""

    route: str = Field(alias="route", max_length=30, json_schema_extra=help_text("arg.route"))
    urgent: str = Field(
        default="", alias="urgent", max_length=30, json_schema_extra=help_text("arg.urgent")
    )
    reason: str = Field(
        alias="reden",
        min_length=1,
        max_length=1000,
        json_schema_extra=help_text("arg.escalation_reason"),
    )
    decision_asked: str = Field(
        alias="besluit",
        min_length=1,
        max_length=1000,
        json_schema_extra=help_text("arg.decision_asked"),
    )
    partner: str = Field(
        default="", alias="partner", max_length=60, json_schema_extra=help_text("arg.partner")
    )


class ReferenceArgs(BaseModel):
    """``ESC-…``."""

    reference: str = Field(
        alias="kenmerk", max_length=40, json_schema_extra=help_text("arg.escalation")
    )


class DecisionArgs(BaseModel):
    """``ESC-… "<besluit>"``."""

    reference: str = Field(
        alias="kenmerk", max_length=40, json_schema_extra=help_text("arg.escalation")
    )
    decision: str = Field(
        alias="besluit", min_length=1, max_length=2000, json_schema_extra=help_text("arg.decision")
    )


class ReasonArgs(BaseModel):
    """``ESC-… reden=…``."""

    reference: str = Field(
        alias="kenmerk", max_length=40, json_schema_extra=help_text("arg.escalation")
    )
    reason: str = Field(
        alias="reden", min_length=1, max_length=1000, json_schema_extra=help_text("arg.reason")
    )


async def request(ctx: CommandContext, args: RequestArgs) -> HandlerResult:
    """``!opschalen``."""
    try:
        route = RouteKind(args.route.strip().lower())
    except ValueError:
        suggestion = ctx.messages.did_you_mean(args.route, [r.value for r in RouteKind])
        message = ctx.messages.t("esc.unknown_route", value=args.route, suggestion=suggestion)
        raise Refused(text(message)) from None
    flag = args.urgent.strip().lower()
    if flag not in {"", URGENT_WORD}:
        raise Refused(text(ctx.messages.t("esc.unknown_flag", value=args.urgent)))
    reply = await ctx.services[EscalationService].request(
        ctx.member,
        ctx.command.room_id,
        route=route,
        reason=args.reason,
        decision_asked=args.decision_asked,
        partner=args.partner.strip() or None,
        urgent=flag == URGENT_WORD,
        key=ctx.command.event_id,
    )
    return HandlerResult(reply)


async def _act(
    ctx: CommandContext, reference: str, action: EscalationAction, words: str = ""
) -> HandlerResult:
    reply = await ctx.services[EscalationService].act(
        ctx.member, reference, action, ctx.command.room_id, ctx.command.event_id, words
    )
    return HandlerResult(reply)


async def acknowledge(ctx: CommandContext, args: ReferenceArgs) -> HandlerResult:
    """``!ontvangen ESC-…``."""
    return await _act(ctx, args.reference, EscalationAction.ACKNOWLEDGE)


async def release(ctx: CommandContext, args: ReferenceArgs) -> HandlerResult:
    """``!vrijgeven ESC-…``."""
    return await _act(ctx, args.reference, EscalationAction.RELEASE)


async def decide(ctx: CommandContext, args: DecisionArgs) -> HandlerResult:
    """``!besluit ESC-… "<besluit>"``."""
    return await _act(ctx, args.reference, EscalationAction.DECIDE, args.decision)


async def forward(ctx: CommandContext, args: ReasonArgs) -> HandlerResult:
    """``!doorzetten ESC-… reden=…``."""
    return await _act(ctx, args.reference, EscalationAction.FORWARD, args.reason)


async def deescalate(ctx: CommandContext, args: ReasonArgs) -> HandlerResult:
    """``!afschalen ESC-… reden=…``."""
    return await _act(ctx, args.reference, EscalationAction.DEESCALATE, args.reason)


async def withdraw(ctx: CommandContext, args: ReasonArgs) -> HandlerResult:
    """``!opschaling intrekken ESC-… reden=…``."""
    return await _act(ctx, args.reference, EscalationAction.WITHDRAW, args.reason)


async def overview(ctx: CommandContext, args: PageArgs) -> HandlerResult:
    """``!opschalingen [pagina=]``."""
    reply = await ctx.services[EscalationService].overview(
        ctx.member, ctx.command.room_id, args.page
    )
    return HandlerResult(reply)


SPECS: tuple[CommandSpec, ...] = (
    member_command(
        "opschalen",
        ("escalate",),
        "cmd.opschalen.summary",
        request,
        RequestArgs,
        ("route", "urgent"),
    ),
    member_command(
        "ontvangen",
        ("acknowledge",),
        "cmd.ontvangen.summary",
        acknowledge,
        ReferenceArgs,
        ("reference",),
    ),
    member_command(
        "vrijgeven",
        ("unacknowledge",),
        "cmd.vrijgeven.summary",
        release,
        ReferenceArgs,
        ("reference",),
    ),
    member_command(
        "besluit",
        ("decide",),
        "cmd.besluit.summary",
        decide,
        DecisionArgs,
        ("reference",),
        "decision",
    ),
    member_command(
        "doorzetten",
        ("forward",),
        "cmd.doorzetten.summary",
        forward,
        ReasonArgs,
        ("reference",),
    ),
    member_command(
        "afschalen",
        ("deescalate",),
        "cmd.afschalen.summary",
        deescalate,
        ReasonArgs,
        ("reference",),
    ),
    member_command(
        "opschaling intrekken",
        ("escalation withdraw",),
        "cmd.opschaling_intrekken.summary",
        withdraw,
        ReasonArgs,
        ("reference",),
    ),
    member_command(
        "opschalingen",
        ("escalations",),
        "cmd.opschalingen.summary",
        overview,
        PageArgs,
        changes=False,
    ),
)

#: Escalation commands that the case's permission table decides (the sender must be a
#: member of the case: ``avz_bot.domain.cases.check``), with the words for their "wie".
CASE_GATED: dict[str, str] = {
    "opschalen": "esc.who.request",
    "opschalingen": "esc.who.overview",
}


def who(name: str, messages: Messages) -> str | None:
    """The "wie" of an escalation command, from the escalation permission table."""
    if name in CASE_GATED:
        # Decided by the case's table: only members of the case (``CaseAction.VIEW``).
        members = case_domain.PERMISSIONS[case_domain.CaseAction.VIEW]
        said = " of ".join(
            messages.t(f"case.actor.{a.value}") for a in case_domain.Actor if a in members
        )
        return messages.t(CASE_GATED[name], members=said)
    action = ESCALATION_ACTIONS.get(name)
    if action is None:
        return None
    allowed = escalations.PERMISSIONS[action]
    actors = [a for a in escalations.Actor if a in allowed]
    return " of ".join(messages.t(f"esc.actor.{a.value}") for a in actors)


AREA = CommandArea(SPECS, SERVICES, who)
