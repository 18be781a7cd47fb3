"""Case, regie and role commands. Handlers only call the case service."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from pydantic import BaseModel, Field

from avz_bot.domain import cases as domain
from avz_bot.domain.cases import CaseStatus
from avz_bot.domain.inbound import Reply
from avz_bot.formatting import text
from avz_bot.lists import PageArgs
from avz_bot.messages import Messages
from avz_bot.services.cases import CaseService, LoadedCase
from avz_bot.services.cases.area import AREA as SERVICES
from avz_bot.services.outbox import txn_id_for
from avz_bot.services.refusal import Refused
from commands.arguments import help_text, person_help
from commands.framework import (
    CommandArea,
    CommandContext,
    CommandSpec,
    HandlerResult,
    NoArguments,
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


class CloseArgs(BaseModel):
    """``!casus sluiten reden=…`` or ``!casus sluiten bevestig``."""

    step: str = Field(
        default="", alias="stap", max_length=20, json_schema_extra=help_text("arg.close_step")
    )
    reason: str = Field(
        default="", alias="reden", max_length=200, json_schema_extra=help_text("arg.reason")
    )


#: The word that confirms a close request (``!casus sluiten bevestig``), and its aliases.
CONFIRM_WORDS = frozenset({"bevestig", "bevestigen", "confirm"})


class UserArgs(BaseModel):
    """One ``@gebruiker``."""

    user: str = Field(
        alias="gebruiker",
        pattern=USER_PATTERN,
        max_length=255,
        json_schema_extra=person_help("arg.user"),
    )


class UserReasonArgs(BaseModel):
    """``@gebruiker reden=…``."""

    user: str = Field(
        alias="gebruiker",
        pattern=USER_PATTERN,
        max_length=255,
        json_schema_extra=person_help("arg.user"),
    )
    reason: str = Field(
        alias="reden", min_length=1, max_length=200, json_schema_extra=help_text("arg.reason")
    )


class TimelineArgs(PageArgs):
    """``!tijdlijn [aantal] [pagina=]``."""

    count: int = Field(
        default=20, alias="aantal", ge=1, le=100, json_schema_extra=help_text("arg.count")
    )


CaseOperation = Callable[[CaseService, LoadedCase], Awaitable[Reply]]


async def _in_case(ctx: CommandContext, operation: CaseOperation) -> HandlerResult:
    """Run ``operation`` on the case of the current room (a refusal propagates: the
    dispatcher answers it)."""
    service = ctx.services[CaseService]
    loaded = await service.require_case(ctx.command.room_id)
    return HandlerResult(await operation(service, loaded))


# ---------------------------------------------------------------- case commands
async def open_case(ctx: CommandContext, args: OpenArgs) -> HandlerResult:
    """``!casus nieuw``."""
    partners = [p for p in args.partners.replace(";", ",").split(",") if p.strip()]
    reply = await ctx.services[CaseService].open_case(
        ctx.member,
        ctx.command.room_id,
        args.title,
        args.municipality,
        args.case_type,
        partners,
    )
    return HandlerResult(reply)


Decide = Callable[[CaseService, LoadedCase], domain.Outcome]


async def _change(ctx: CommandContext, decide: Decide) -> HandlerResult:
    """Let the domain decide on the case of this room, then persist (or explain) it."""

    async def op(service: CaseService, loaded: LoadedCase) -> Reply:
        outcome = decide(service, loaded)
        return await service.apply(loaded, outcome, ctx.command.room_id, ctx.command.event_id)

    return await _in_case(ctx, op)


async def _view(
    ctx: CommandContext, action: domain.CaseAction, render: CaseOperation
) -> HandlerResult:
    """A read-only command: the permission check, then ``render``."""

    async def op(service: CaseService, loaded: LoadedCase) -> Reply:
        refusal = domain.check(action, loaded.state, ctx.member)
        if refusal is not None:
            raise Refused(service.refusal_reply(refusal))
        service.note_read(loaded, ctx.member.matrix_id)
        return await render(service, loaded)

    return await _in_case(ctx, op)


async def show_case(ctx: CommandContext, args: NoArguments) -> HandlerResult:
    """``!casus``: the case card."""
    return await _view(ctx, domain.CaseAction.VIEW, lambda s, c: s.card(c))


async def change_status(ctx: CommandContext, args: StatusArgs) -> HandlerResult:
    """``!casus status <status> reden=…``."""
    try:
        status = CaseStatus(args.status.strip().lower())
    except ValueError:
        choices = ", ".join(s.value for s in CaseStatus)
        suggestion = ctx.messages.did_you_mean(args.status, [s.value for s in CaseStatus])
        message = ctx.messages.t(
            "case.unknown_status", value=args.status, choices=choices, suggestion=suggestion
        )
        raise Refused(text(message)) from None
    return await _change(
        ctx, lambda s, c: domain.change_status(c.state, ctx.member, status, args.reason, s.now)
    )


async def close_case(ctx: CommandContext, args: CloseArgs) -> HandlerResult:
    """``!casus sluiten reden=…`` (asks first when work is open); ``… bevestig`` confirms."""
    step = args.step.strip().lower()
    command = ctx.command
    if step and step not in CONFIRM_WORDS:
        raise Refused(text(ctx.messages.t("case.close.unknown_step", prefix=ctx.prefix)))

    async def op(service: CaseService, loaded: LoadedCase) -> Reply:
        if step:
            return await service.closing.confirm(
                loaded, ctx.member, command.room_id, command.event_id
            )
        # The question is the reply to this command: a 👍 on it confirms.
        reply_txn = txn_id_for("reply", command.claim_id)
        return await service.closing.close(
            loaded, ctx.member, args.reason, command.room_id, command.event_id, reply_txn
        )

    return await _in_case(ctx, op)


async def reopen_case(ctx: CommandContext, args: ReasonArgs) -> HandlerResult:
    """``!casus heropenen reden=…`` (a ketenmanager, within the configured period)."""

    async def op(service: CaseService, loaded: LoadedCase) -> Reply:
        command = ctx.command
        return await service.closing.reopen(
            loaded, ctx.member, args.reason, command.room_id, command.event_id
        )

    return await _in_case(ctx, op)


async def invite(ctx: CommandContext, args: UserArgs) -> HandlerResult:
    """``!casus uitnodigen @gebruiker``."""
    directory = await ctx.services[CaseService].directory()
    org = directory[args.user].organisation.code if args.user in directory else None
    return await _change(
        ctx, lambda s, c: domain.invite(c.state, ctx.member, args.user, org, s.now)
    )


async def remove(ctx: CommandContext, args: UserArgs) -> HandlerResult:
    """``!casus verwijderen @gebruiker``."""
    return await _change(ctx, lambda s, c: domain.remove(c.state, ctx.member, args.user, s.now))


# ---------------------------------------------------------------- regie
async def regie_show(ctx: CommandContext, args: NoArguments) -> HandlerResult:
    """``!regie``."""
    return await _view(ctx, domain.CaseAction.REGIE_VIEW, lambda s, c: s.regie_show(c))


async def regie_claim(ctx: CommandContext, args: NoArguments) -> HandlerResult:
    """``!regie claim``."""
    return await _change(
        ctx, lambda s, c: domain.regie_claim(c.state, ctx.member, s.now, s.expiry())
    )


async def regie_transfer(ctx: CommandContext, args: UserArgs) -> HandlerResult:
    """``!regie overdragen @gebruiker``."""
    return await _change(
        ctx,
        lambda s, c: domain.regie_transfer(c.state, ctx.member, args.user, s.now, s.expiry()),
    )


async def regie_accept(ctx: CommandContext, args: NoArguments) -> HandlerResult:
    """``!regie accepteren``."""
    return await _change(ctx, lambda s, c: domain.regie_accept(c.state, ctx.member, s.now))


async def regie_decline(ctx: CommandContext, args: NoArguments) -> HandlerResult:
    """``!regie weigeren``."""
    return await _change(ctx, lambda s, c: domain.regie_decline(c.state, ctx.member, s.now))


async def regie_release(ctx: CommandContext, args: ReasonArgs) -> HandlerResult:
    """``!regie loslaten reden=…``."""
    return await _change(
        ctx, lambda s, c: domain.regie_release(c.state, ctx.member, args.reason, s.now)
    )


async def regie_assign(ctx: CommandContext, args: UserReasonArgs) -> HandlerResult:
    """``!regie toewijzen @gebruiker reden=…``."""
    return await _change(
        ctx,
        lambda s, c: domain.regie_assign(c.state, ctx.member, args.user, args.reason, s.now),
    )


# ---------------------------------------------------------------- roles and timeline
async def show_roles(ctx: CommandContext, args: PageArgs) -> HandlerResult:
    """``!rollen [pagina=]``."""
    return await _view(ctx, domain.CaseAction.ROLES_VIEW, lambda s, c: s.roles(c, args.page))


async def take_casemanager(ctx: CommandContext, args: NoArguments) -> HandlerResult:
    """``!rol casemanager``."""
    return await _change(ctx, lambda s, c: domain.take_casemanager(c.state, ctx.member, s.now))


async def timeline(ctx: CommandContext, args: TimelineArgs) -> HandlerResult:
    """``!tijdlijn [aantal] [pagina=]``."""
    return await _view(
        ctx, domain.CaseAction.TIMELINE_VIEW, lambda s, c: s.timeline(c, args.count, args.page)
    )


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
        "casus sluiten",
        ("case close",),
        "cmd.casus_sluiten.summary",
        close_case,
        CloseArgs,
        ("step",),
    ),
    member_command(
        "casus heropenen",
        ("case reopen",),
        "cmd.casus_heropenen.summary",
        reopen_case,
        ReasonArgs,
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
    member_command("rollen", ("roles",), "cmd.rollen.summary", show_roles, PageArgs, changes=False),
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
    "casus heropenen": domain.CaseAction.REOPEN,
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


def who(name: str, messages: Messages) -> str | None:
    """The "wie" of a case command, from the case permission table (None: not ours)."""
    action = CASE_ACTIONS.get(name)
    if action is None:
        return None
    allowed = domain.PERMISSIONS[action]
    # In the enum's order: a frozenset's order changes between runs.
    return " of ".join(messages.t(f"case.actor.{a.value}") for a in domain.Actor if a in allowed)


AREA = CommandArea(SPECS, SERVICES, who)
