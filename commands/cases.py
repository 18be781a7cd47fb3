"""Case, regie and role commands. Handlers only call the case service."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from pydantic import BaseModel, Field

from avz_bot.domain import cases as domain
from avz_bot.domain.cases import CaseStatus
from avz_bot.domain.inbound import Reply
from avz_bot.formatting import text
from avz_bot.services.cases import CaseCommandError, CaseService, LoadedCase
from commands.framework import (
    CommandContext,
    CommandSpec,
    HandlerResult,
    NoArguments,
    Outcome,
    help_text,
    member_command,
)

USER_PATTERN = r"^@[^:\s]+:[A-Za-z0-9.:-]+$"


class OpenArgs(BaseModel):
    """``!casus nieuw "<werktitel>" gemeente=… type=… [partners=…]``."""

    title: str = Field(
        alias="werktitel", min_length=1, max_length=120, json_schema_extra=help_text("arg.title")
    )
    municipality: str = Field(
        alias="gemeente", max_length=60, json_schema_extra=help_text("arg.municipality")
    )
    case_type: str = Field(
        alias="type", max_length=60, json_schema_extra=help_text("arg.case_type")
    )
    partners: str = Field(
        default="", alias="partners", max_length=500, json_schema_extra=help_text("arg.partners")
    )


class StatusArgs(BaseModel):
    """``!casus status <status> reden=…``."""

    status: str = Field(alias="status", max_length=30, json_schema_extra=help_text("arg.status"))
    reason: str = Field(
        alias="reden", min_length=1, max_length=200, json_schema_extra=help_text("arg.reason")
    )


class ReasonArgs(BaseModel):
    """A required ``reden=…``."""

    reason: str = Field(
        alias="reden", min_length=1, max_length=200, json_schema_extra=help_text("arg.reason")
    )


class UserArgs(BaseModel):
    """One ``@gebruiker``."""

    user: str = Field(
        alias="gebruiker",
        pattern=USER_PATTERN,
        max_length=255,
        json_schema_extra=help_text("arg.user"),
    )


class UserReasonArgs(BaseModel):
    """``@gebruiker reden=…``."""

    user: str = Field(
        alias="gebruiker",
        pattern=USER_PATTERN,
        max_length=255,
        json_schema_extra=help_text("arg.user"),
    )
    reason: str = Field(
        alias="reden", min_length=1, max_length=200, json_schema_extra=help_text("arg.reason")
    )


class TimelineArgs(BaseModel):
    """``!tijdlijn [aantal]``."""

    count: int = Field(
        default=20, alias="aantal", ge=1, le=100, json_schema_extra=help_text("arg.count")
    )


CaseOperation = Callable[[CaseService, LoadedCase], Awaitable[Reply]]


async def _in_case(ctx: CommandContext, operation: CaseOperation) -> HandlerResult:
    """Run ``operation`` on the case of the current room; refusals become replies."""
    service = ctx.services.cases
    try:
        loaded = await service.require_case(ctx.command.room_id)
        return HandlerResult(await operation(service, loaded))
    except CaseCommandError as exc:
        return HandlerResult(exc.reply, Outcome.REFUSED)


# ---------------------------------------------------------------- case commands
async def open_case(ctx: CommandContext, args: OpenArgs) -> HandlerResult:
    """``!casus nieuw``."""
    partners = [p for p in args.partners.replace(";", ",").split(",") if p.strip()]
    try:
        reply = await ctx.services.cases.open_case(
            ctx.member,
            ctx.command.room_id,
            ctx.command.event_id,
            args.title,
            args.municipality,
            args.case_type,
            partners,
        )
    except CaseCommandError as exc:
        return HandlerResult(exc.reply, Outcome.REFUSED)
    return HandlerResult(reply)


async def show_case(ctx: CommandContext, args: NoArguments) -> HandlerResult:
    """``!casus``: the case card."""

    async def op(service: CaseService, loaded: LoadedCase) -> Reply:
        refusal = domain.check(domain.CaseAction.VIEW, loaded.state, ctx.member)
        if refusal is not None:
            raise CaseCommandError(service.refusal_reply(refusal))
        return await service.card(loaded)

    return await _in_case(ctx, op)


async def change_status(ctx: CommandContext, args: StatusArgs) -> HandlerResult:
    """``!casus status <status> reden=…``."""

    async def op(service: CaseService, loaded: LoadedCase) -> Reply:
        try:
            status = CaseStatus(args.status.strip().lower())
        except ValueError:
            raise CaseCommandError(
                text(
                    service.t(
                        "case.unknown_status",
                        value=args.status,
                        choices=", ".join(s.value for s in CaseStatus),
                    )
                )
            ) from None
        outcome = domain.change_status(loaded.state, ctx.member, status, args.reason, service.now)
        return await service.apply(loaded, outcome, ctx.command.room_id, ctx.command.event_id)

    return await _in_case(ctx, op)


async def close_case(ctx: CommandContext, args: ReasonArgs) -> HandlerResult:
    """``!casus sluiten reden=…``."""

    async def op(service: CaseService, loaded: LoadedCase) -> Reply:
        outcome = domain.close(loaded.state, ctx.member, args.reason, service.now)
        return await service.apply(loaded, outcome, ctx.command.room_id, ctx.command.event_id)

    return await _in_case(ctx, op)


async def invite(ctx: CommandContext, args: UserArgs) -> HandlerResult:
    """``!casus uitnodigen @gebruiker``."""

    async def op(service: CaseService, loaded: LoadedCase) -> Reply:
        member = (await service.directory()).get(args.user)
        org = member.organisation.code if member else None
        outcome = domain.invite(loaded.state, ctx.member, args.user, org, service.now)
        return await service.apply(loaded, outcome, ctx.command.room_id, ctx.command.event_id)

    return await _in_case(ctx, op)


async def remove(ctx: CommandContext, args: UserArgs) -> HandlerResult:
    """``!casus verwijderen @gebruiker``."""

    async def op(service: CaseService, loaded: LoadedCase) -> Reply:
        outcome = domain.remove(loaded.state, ctx.member, args.user, service.now)
        return await service.apply(loaded, outcome, ctx.command.room_id, ctx.command.event_id)

    return await _in_case(ctx, op)


# ---------------------------------------------------------------- regie
async def regie_show(ctx: CommandContext, args: NoArguments) -> HandlerResult:
    """``!regie``."""

    async def op(service: CaseService, loaded: LoadedCase) -> Reply:
        refusal = domain.check(domain.CaseAction.REGIE_VIEW, loaded.state, ctx.member)
        if refusal is not None:
            raise CaseCommandError(service.refusal_reply(refusal))
        return await service.regie_show(loaded)

    return await _in_case(ctx, op)


async def regie_claim(ctx: CommandContext, args: NoArguments) -> HandlerResult:
    """``!regie claim``."""

    async def op(service: CaseService, loaded: LoadedCase) -> Reply:
        outcome = domain.regie_claim(loaded.state, ctx.member, service.now, service.expiry())
        return await service.apply(loaded, outcome, ctx.command.room_id, ctx.command.event_id)

    return await _in_case(ctx, op)


async def regie_transfer(ctx: CommandContext, args: UserArgs) -> HandlerResult:
    """``!regie overdragen @gebruiker``."""

    async def op(service: CaseService, loaded: LoadedCase) -> Reply:
        outcome = domain.regie_transfer(
            loaded.state, ctx.member, args.user, service.now, service.expiry()
        )
        return await service.apply(loaded, outcome, ctx.command.room_id, ctx.command.event_id)

    return await _in_case(ctx, op)


async def regie_accept(ctx: CommandContext, args: NoArguments) -> HandlerResult:
    """``!regie accepteren``."""

    async def op(service: CaseService, loaded: LoadedCase) -> Reply:
        outcome = domain.regie_accept(loaded.state, ctx.member, service.now)
        return await service.apply(loaded, outcome, ctx.command.room_id, ctx.command.event_id)

    return await _in_case(ctx, op)


async def regie_decline(ctx: CommandContext, args: NoArguments) -> HandlerResult:
    """``!regie weigeren``."""

    async def op(service: CaseService, loaded: LoadedCase) -> Reply:
        outcome = domain.regie_decline(loaded.state, ctx.member, service.now)
        return await service.apply(loaded, outcome, ctx.command.room_id, ctx.command.event_id)

    return await _in_case(ctx, op)


async def regie_release(ctx: CommandContext, args: ReasonArgs) -> HandlerResult:
    """``!regie loslaten reden=…``."""

    async def op(service: CaseService, loaded: LoadedCase) -> Reply:
        outcome = domain.regie_release(loaded.state, ctx.member, args.reason, service.now)
        return await service.apply(loaded, outcome, ctx.command.room_id, ctx.command.event_id)

    return await _in_case(ctx, op)


async def regie_assign(ctx: CommandContext, args: UserReasonArgs) -> HandlerResult:
    """``!regie toewijzen @gebruiker reden=…``."""

    async def op(service: CaseService, loaded: LoadedCase) -> Reply:
        outcome = domain.regie_assign(loaded.state, ctx.member, args.user, args.reason, service.now)
        return await service.apply(loaded, outcome, ctx.command.room_id, ctx.command.event_id)

    return await _in_case(ctx, op)


# ---------------------------------------------------------------- roles and timeline
async def show_roles(ctx: CommandContext, args: NoArguments) -> HandlerResult:
    """``!rollen``."""

    async def op(service: CaseService, loaded: LoadedCase) -> Reply:
        refusal = domain.check(domain.CaseAction.ROLES_VIEW, loaded.state, ctx.member)
        if refusal is not None:
            raise CaseCommandError(service.refusal_reply(refusal))
        return await service.roles(loaded)

    return await _in_case(ctx, op)


async def take_casemanager(ctx: CommandContext, args: NoArguments) -> HandlerResult:
    """``!rol casemanager``."""

    async def op(service: CaseService, loaded: LoadedCase) -> Reply:
        outcome = domain.take_casemanager(loaded.state, ctx.member, service.now)
        return await service.apply(loaded, outcome, ctx.command.room_id, ctx.command.event_id)

    return await _in_case(ctx, op)


async def timeline(ctx: CommandContext, args: TimelineArgs) -> HandlerResult:
    """``!tijdlijn [aantal]``."""

    async def op(service: CaseService, loaded: LoadedCase) -> Reply:
        refusal = domain.check(domain.CaseAction.TIMELINE_VIEW, loaded.state, ctx.member)
        if refusal is not None:
            raise CaseCommandError(service.refusal_reply(refusal))
        return await service.timeline(loaded, args.count)

    return await _in_case(ctx, op)


SPECS: tuple[CommandSpec, ...] = (
    member_command(
        "casus nieuw",
        ("case new",),
        "cmd.casus_nieuw.summary",
        open_case,
        OpenArgs,
        ("title",),
    ),
    member_command("casus", ("case",), "cmd.casus.summary", show_case, changes=False),
    member_command(
        "casus status",
        ("case status",),
        "cmd.casus_status.summary",
        change_status,
        StatusArgs,
        ("status",),
    ),
    member_command(
        "casus sluiten", ("case close",), "cmd.casus_sluiten.summary", close_case, ReasonArgs
    ),
    member_command(
        "casus uitnodigen",
        ("case invite",),
        "cmd.casus_uitnodigen.summary",
        invite,
        UserArgs,
        ("user",),
    ),
    member_command(
        "casus verwijderen",
        ("case remove",),
        "cmd.casus_verwijderen.summary",
        remove,
        UserArgs,
        ("user",),
    ),
    member_command("regie", ("lead",), "cmd.regie.summary", regie_show, changes=False),
    member_command("regie claim", ("lead claim",), "cmd.regie_claim.summary", regie_claim),
    member_command(
        "regie overdragen",
        ("lead transfer",),
        "cmd.regie_overdragen.summary",
        regie_transfer,
        UserArgs,
        ("user",),
    ),
    member_command(
        "regie accepteren", ("lead accept",), "cmd.regie_accepteren.summary", regie_accept
    ),
    member_command(
        "regie weigeren", ("lead decline",), "cmd.regie_weigeren.summary", regie_decline
    ),
    member_command(
        "regie loslaten",
        ("lead release",),
        "cmd.regie_loslaten.summary",
        regie_release,
        ReasonArgs,
    ),
    member_command(
        "regie toewijzen",
        ("lead assign",),
        "cmd.regie_toewijzen.summary",
        regie_assign,
        UserReasonArgs,
        ("user",),
    ),
    member_command("rollen", ("roles",), "cmd.rollen.summary", show_roles, changes=False),
    member_command(
        "rol casemanager", ("role casemanager",), "cmd.rol_casemanager.summary", take_casemanager
    ),
    member_command(
        "tijdlijn",
        ("timeline",),
        "cmd.tijdlijn.summary",
        timeline,
        TimelineArgs,
        ("count",),
        changes=False,
    ),
)


#: Which case action each command performs: the permission table enforces it
#: (``avz_bot.domain.cases.check``) and the README's permission table is built from it.
CASE_ACTIONS: dict[str, domain.CaseAction] = {
    "casus": domain.CaseAction.VIEW,
    "casus status": domain.CaseAction.CHANGE_STATUS,
    "casus sluiten": domain.CaseAction.CLOSE,
    "casus uitnodigen": domain.CaseAction.INVITE,
    "casus verwijderen": domain.CaseAction.REMOVE,
    "regie": domain.CaseAction.REGIE_VIEW,
    "regie claim": domain.CaseAction.REGIE_CLAIM,
    "regie overdragen": domain.CaseAction.REGIE_TRANSFER,
    "regie accepteren": domain.CaseAction.REGIE_ACCEPT,
    "regie weigeren": domain.CaseAction.REGIE_DECLINE,
    "regie loslaten": domain.CaseAction.REGIE_RELEASE,
    "regie toewijzen": domain.CaseAction.REGIE_ASSIGN,
    "rollen": domain.CaseAction.ROLES_VIEW,
    "rol casemanager": domain.CaseAction.ROLE_CASEMANAGER,
    "tijdlijn": domain.CaseAction.TIMELINE_VIEW,
}
