"""Commands of the privacy area (issue 22), declared once. Handlers only call
``ctx.services[PrivacyService]``. Fields that name a person are declared with
``identifier_help`` (exempt from the BSN refusal); the service pseudonymises them at once
and never stores, logs or echoes them. Every command works only in a direct chat."""

from __future__ import annotations

from pydantic import BaseModel, Field

from avz_bot.domain.privacy.permissions import PERMISSIONS, PrivacyAction, PrivacyActor
from avz_bot.domain.privacy.requests import RequestKind
from avz_bot.lists import PageArgs
from avz_bot.messages import Messages
from avz_bot.services.privacy.area import AREA as SERVICES
from avz_bot.services.privacy.service import Asker, PrivacyService
from avz_bot.services.signals import PersonArgs
from commands.arguments import help_text, identifier_help
from commands.framework import CommandArea, CommandContext, HandlerResult, member_command


class PeriodArgs(PageArgs):
    """``[van=<datum>] [tot=<datum>] [pagina=]``."""

    since: str = Field(
        default="", alias="van", max_length=10, json_schema_extra=help_text("arg.privacy_from")
    )
    until: str = Field(
        default="", alias="tot", max_length=10, json_schema_extra=help_text("arg.privacy_to")
    )


class CaseReadersArgs(PeriodArgs):
    """``!gelezen casus AVZ-… [van=] [tot=] [pagina=]``."""

    reference: str = Field(
        alias="casus", max_length=30, json_schema_extra=help_text("arg.case_reference")
    )


class PersonFields(BaseModel):
    """``bsn=…`` or ``naam=… geboortedatum=…``."""

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

    def person(self) -> PersonArgs:
        """The identifier arguments, for pseudonymisation."""
        return PersonArgs(self.bsn, self.name, self.birth_date)


class PersonReadersArgs(PeriodArgs, PersonFields):
    """``!gelezen persoon bsn=…|naam=… geboortedatum=… [van=] [tot=] [pagina=]``."""


class NewRequestArgs(PersonFields):
    """``!verzoek nieuw <soort> bsn=…|naam=… geboortedatum=… [ontvangen=]``."""

    kind: RequestKind = Field(alias="soort", json_schema_extra=help_text("arg.request_kind"))
    received: str = Field(
        default="", alias="ontvangen", max_length=10, json_schema_extra=help_text("arg.received")
    )


class RequestArgs(BaseModel):
    """``PV-…``."""

    reference: str = Field(
        alias="verzoek", max_length=30, json_schema_extra=help_text("arg.request_reference")
    )


class ExtendArgs(RequestArgs):
    """``PV-… tot=<datum> reden=…``."""

    until: str = Field(
        default="", alias="tot", max_length=10, json_schema_extra=help_text("arg.extend_to")
    )
    reason: str = Field(
        alias="reden", min_length=1, max_length=200, json_schema_extra=help_text("arg.reason")
    )


class RetentionArgs(BaseModel):
    """``!bewaartermijnen [dagen=30] [van=] [tot=]``."""

    days: int = Field(
        default=30, alias="dagen", ge=1, le=366, json_schema_extra=help_text("arg.days")
    )
    since: str = Field(
        default="", alias="van", max_length=10, json_schema_extra=help_text("arg.privacy_from")
    )
    until: str = Field(
        default="", alias="tot", max_length=10, json_schema_extra=help_text("arg.privacy_to")
    )


def _asker(ctx: CommandContext) -> Asker:
    return Asker(ctx.member, ctx.command.room_id, ctx.command.room_members)


def _service(ctx: CommandContext) -> PrivacyService:
    service: PrivacyService = ctx.services[PrivacyService]
    return service


async def case_readers(ctx: CommandContext, args: CaseReadersArgs) -> HandlerResult:
    """``!gelezen casus``."""
    core = _service(ctx).core
    period = core.period(args.since, args.until)
    return HandlerResult(await core.case_readers(_asker(ctx), args.reference, period, args.page))


async def person_readers(ctx: CommandContext, args: PersonReadersArgs) -> HandlerResult:
    """``!gelezen persoon``."""
    core = _service(ctx).core
    period = core.period(args.since, args.until)
    return HandlerResult(await core.person_readers(_asker(ctx), args.person(), period, args.page))


async def new_request(ctx: CommandContext, args: NewRequestArgs) -> HandlerResult:
    """``!verzoek nieuw``."""
    requests = _service(ctx).requests
    return HandlerResult(
        await requests.register(_asker(ctx), args.kind, args.person(), args.received)
    )


async def list_requests(ctx: CommandContext, args: PageArgs) -> HandlerResult:
    """``!verzoeken``."""
    return HandlerResult(await _service(ctx).requests.list_open(_asker(ctx), args.page))


async def extend(ctx: CommandContext, args: ExtendArgs) -> HandlerResult:
    """``!verzoek verlengen``."""
    requests = _service(ctx).requests
    return HandlerResult(
        await requests.extend(_asker(ctx), args.reference, args.until, args.reason)
    )


async def close(ctx: CommandContext, args: RequestArgs) -> HandlerResult:
    """``!verzoek afronden``."""
    return HandlerResult(await _service(ctx).requests.close(_asker(ctx), args.reference))


async def export(ctx: CommandContext, args: RequestArgs) -> HandlerResult:
    """``!verzoek inzage``."""
    return HandlerResult(await _service(ctx).requests.export(_asker(ctx), args.reference))


async def restrict(ctx: CommandContext, args: RequestArgs) -> HandlerResult:
    """``!verzoek beperken``."""
    return HandlerResult(await _service(ctx).requests.restrict(_asker(ctx), args.reference, False))


async def lift(ctx: CommandContext, args: RequestArgs) -> HandlerResult:
    """``!verzoek opheffen``."""
    return HandlerResult(await _service(ctx).requests.restrict(_asker(ctx), args.reference, True))


async def erase(ctx: CommandContext, args: RequestArgs) -> HandlerResult:
    """``!verzoek wissen``."""
    return HandlerResult(await _service(ctx).requests.erase(_asker(ctx), args.reference))


async def retention(ctx: CommandContext, args: RetentionArgs) -> HandlerResult:
    """``!bewaartermijnen``."""
    core = _service(ctx).core
    period = core.period(args.since, args.until)
    return HandlerResult(await core.retention(_asker(ctx), args.days, period))


SPECS = (
    member_command(
        "gelezen casus",
        ("read case",),
        "cmd.gelezen_casus.summary",
        case_readers,
        CaseReadersArgs,
        ("reference",),
        changes=False,
    ),
    member_command(
        "gelezen persoon",
        ("read person",),
        "cmd.gelezen_persoon.summary",
        person_readers,
        PersonReadersArgs,
        changes=False,
    ),
    member_command(
        "verzoek nieuw",
        ("request new",),
        "cmd.verzoek_nieuw.summary",
        new_request,
        NewRequestArgs,
        ("kind",),
    ),
    member_command(
        "verzoeken", ("requests",), "cmd.verzoeken.summary", list_requests, PageArgs, changes=False
    ),
    member_command(
        "verzoek verlengen",
        ("request extend",),
        "cmd.verzoek_verlengen.summary",
        extend,
        ExtendArgs,
        ("reference",),
    ),
    member_command(
        "verzoek afronden",
        ("request close",),
        "cmd.verzoek_afronden.summary",
        close,
        RequestArgs,
        ("reference",),
    ),
    member_command(
        "verzoek inzage",
        ("request export",),
        "cmd.verzoek_inzage.summary",
        export,
        RequestArgs,
        ("reference",),
        changes=False,
    ),
    member_command(
        "verzoek beperken",
        ("request restrict",),
        "cmd.verzoek_beperken.summary",
        restrict,
        RequestArgs,
        ("reference",),
    ),
    member_command(
        "verzoek opheffen",
        ("request lift",),
        "cmd.verzoek_opheffen.summary",
        lift,
        RequestArgs,
        ("reference",),
    ),
    member_command(
        "verzoek wissen",
        ("request erase",),
        "cmd.verzoek_wissen.summary",
        erase,
        RequestArgs,
        ("reference",),
    ),
    member_command(
        "bewaartermijnen",
        ("retention",),
        "cmd.bewaartermijnen.summary",
        retention,
        RetentionArgs,
        changes=False,
    ),
)

#: The privacy action of each command, for the README's permission table.
PRIVACY_COMMANDS: dict[str, PrivacyAction] = {
    "gelezen casus": PrivacyAction.CASE_READERS,
    "gelezen persoon": PrivacyAction.PERSON_READERS,
    "verzoek nieuw": PrivacyAction.REQUEST_REGISTER,
    "verzoeken": PrivacyAction.REQUEST_VIEW,
    "verzoek verlengen": PrivacyAction.REQUEST_EXTEND,
    "verzoek afronden": PrivacyAction.REQUEST_CLOSE,
    "verzoek inzage": PrivacyAction.REQUEST_EXPORT,
    "verzoek beperken": PrivacyAction.REQUEST_CLOSE,
    "verzoek opheffen": PrivacyAction.REQUEST_CLOSE,
    "verzoek wissen": PrivacyAction.REQUEST_CLOSE,
    "bewaartermijnen": PrivacyAction.RETENTION_VIEW,
}


def who(name: str, messages: Messages) -> str | None:
    """Who may run privacy command ``name`` (from the domain's table), or None."""
    action = PRIVACY_COMMANDS.get(name)
    if action is None:
        return None
    allowed = [a for a in PrivacyActor if a in PERMISSIONS[action]]
    return " of ".join(messages.t(f"privacy.actor.{a.value}") for a in allowed)


def permission_table(messages: Messages, prefix: str = "!") -> str:
    """Who may run which privacy command (all only in a direct chat), as Markdown."""
    lines = ["| commando | wie |", "|---|---|"]
    for name in PRIVACY_COMMANDS:
        lines.append(f"| `{prefix}{name}` | {who(name, messages)} |")
    return "\n".join(lines)


AREA = CommandArea(SPECS, SERVICES, who)
