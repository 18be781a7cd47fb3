"""Commands of the helpdesk (vraagbaak) and the knowledge base, declared once.

Handlers only call ``HelpdeskService`` and render its outcome with its view; a refusal
(``Refused``, raised by the service) becomes its Dutch explanation in the dispatcher and
rolls everything back.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import BaseModel, Field

from avz_bot.domain.helpdesk.permissions import (
    CARD_PERMISSIONS,
    LESSON_PERMISSION,
    QUESTION_PERMISSIONS,
    CardAction,
    QuestionAction,
    Relation,
)
from avz_bot.domain.inbound import Reply
from avz_bot.domain.privacy.reading import lessons_shown
from avz_bot.lists import PageArgs
from avz_bot.messages import Messages
from avz_bot.services.cases import CaseService
from avz_bot.services.helpdesk.area import AREA as SERVICES
from avz_bot.services.helpdesk.service import HelpdeskService
from commands.arguments import help_text
from commands.framework import (
    CommandArea,
    CommandContext,
    CommandSpec,
    HandlerResult,
    member_command,
)

_REF = r"^[A-Za-z]{1,2}-[0-9-]{1,14}$"


class AskArgs(BaseModel):
    """``!vraag <thema> <vraag>``."""

    theme: str = Field(
        alias="thema", max_length=64, json_schema_extra=help_text("arg.helpdesk.theme")
    )
    text: str = Field(
        alias="vraag",
        min_length=3,
        max_length=2000,
        json_schema_extra=help_text("arg.helpdesk.question_text"),
    )


class QuestionArgs(BaseModel):
    """``<VR-jaar-nr>``."""

    reference: str = Field(
        alias="vraag", pattern=_REF, json_schema_extra=help_text("arg.helpdesk.question_ref")
    )


class AnswerArgs(QuestionArgs):
    """``!antwoord <VR-…> <tekst>``."""

    text: str = Field(
        alias="antwoord",
        min_length=1,
        max_length=4000,
        json_schema_extra=help_text("arg.helpdesk.answer_text"),
    )


class CardNewArgs(BaseModel):
    """``!kennis nieuw <VR-…|AVZ-…> [thema=…]``."""

    reference: str = Field(
        alias="bron",
        pattern=r"^[A-Za-z]{1,3}-[0-9-]{1,14}$",
        json_schema_extra=help_text("arg.helpdesk.source_ref"),
    )
    theme: str | None = Field(
        default=None,
        alias="thema",
        max_length=64,
        json_schema_extra=help_text("arg.helpdesk.card_theme"),
    )


class CardArgs(BaseModel):
    """``<K-nr>``."""

    reference: str = Field(
        alias="kaart", pattern=_REF, json_schema_extra=help_text("arg.helpdesk.card_ref")
    )


class CardEditArgs(CardArgs):
    """``!kennis bewerk <K-nr> titel=… tekst=…``."""

    title: str | None = Field(
        default=None,
        alias="titel",
        min_length=1,
        max_length=200,
        json_schema_extra=help_text("arg.helpdesk.card_title"),
    )
    text: str | None = Field(
        default=None,
        alias="tekst",
        min_length=1,
        max_length=4000,
        json_schema_extra=help_text("arg.helpdesk.card_text"),
    )


class SearchArgs(PageArgs):
    """``!zoek <woorden> [pagina=]``."""

    words: str = Field(
        alias="woorden",
        min_length=1,
        max_length=200,
        json_schema_extra=help_text("arg.helpdesk.search_words"),
    )


async def _run(
    ctx: CommandContext, op: Callable[[HelpdeskService], Awaitable[Reply]]
) -> HandlerResult:
    service: HelpdeskService = ctx.services[HelpdeskService]
    return HandlerResult(await op(service))


async def ask(ctx: CommandContext, args: AskArgs) -> HandlerResult:
    """``!vraag``: the reply goes into the new question's thread."""

    async def op(s: HelpdeskService) -> Reply:
        outcome = await s.ask(
            ctx.member, ctx.command.room_id, ctx.command.event_id, args.theme, args.text
        )
        return await s.reply_for(outcome, ctx.command.room_id)

    return await _run(ctx, op)


def _question_command(method: str) -> Callable[[CommandContext, Any], Awaitable[HandlerResult]]:
    async def handler(ctx: CommandContext, args: Any) -> HandlerResult:
        async def op(s: HelpdeskService) -> Reply:
            call = getattr(s, method)
            extra = (args.text,) if isinstance(args, AnswerArgs) else ()
            outcome = await call(ctx.member, args.reference, *extra)
            return await s.reply_for(outcome, ctx.command.room_id)

        return await _run(ctx, op)

    handler.__doc__ = f"``HelpdeskService.{method}``."
    return handler


def _card_command(method: str) -> Callable[[CommandContext, Any], Awaitable[HandlerResult]]:
    async def handler(ctx: CommandContext, args: Any) -> HandlerResult:
        async def op(s: HelpdeskService) -> Reply:
            call = getattr(s, method)
            if isinstance(args, CardEditArgs):
                outcome = await call(ctx.member, args.reference, args.title, args.text)
            elif isinstance(args, CardNewArgs):
                outcome = await call(ctx.member, args.reference, args.theme)
            else:
                outcome = await call(ctx.member, args.reference)
            return s.view.card_outcome(outcome)

        return await _run(ctx, op)

    handler.__doc__ = f"``HelpdeskService.{method}``."
    return handler


async def open_questions(ctx: CommandContext, args: PageArgs) -> HandlerResult:
    """``!vragen [pagina=]``."""

    async def op(s: HelpdeskService) -> Reply:
        win = s.window(args.page)
        found = await s.open_list(ctx.command.room_id, win)
        return s.view.open_list(found, win, s.now, ctx.services[CaseService].budget)

    return await _run(ctx, op)


async def search(ctx: CommandContext, args: SearchArgs) -> HandlerResult:
    """``!zoek <woorden> [pagina=]``."""

    async def op(s: HelpdeskService) -> Reply:
        win = s.window(args.page)
        found = await s.search(args.words, win)
        ctx.services.reads.note(*lessons_shown((hit.reference, hit.title) for hit in found.found))
        return s.view.search(args.words, found, win, ctx.services[CaseService].budget)

    return await _run(ctx, op)


SPECS: tuple[CommandSpec, ...] = (
    member_command("vraag", ("ask",), "cmd.helpdesk.ask", ask, AskArgs, ("theme",), "text"),
    member_command(
        "oppakken",
        ("claim",),
        "cmd.helpdesk.claim",
        _question_command("claim"),
        QuestionArgs,
        ("reference",),
    ),
    member_command(
        "antwoord",
        ("answer",),
        "cmd.helpdesk.answer",
        _question_command("answer"),
        AnswerArgs,
        ("reference",),
        "text",
    ),
    member_command(
        "opgelost",
        ("solved",),
        "cmd.helpdesk.solved",
        _question_command("confirm"),
        QuestionArgs,
        ("reference",),
    ),
    member_command(
        "heropen",
        ("reopen",),
        "cmd.helpdesk.reopen",
        _question_command("reopen"),
        QuestionArgs,
        ("reference",),
    ),
    member_command(
        "vragen",
        ("questions",),
        "cmd.helpdesk.questions",
        open_questions,
        PageArgs,
        changes=False,
    ),
    member_command(
        "kennis nieuw",
        ("knowledge new",),
        "cmd.helpdesk.card_new",
        _card_command("card_new"),
        CardNewArgs,
        ("reference",),
    ),
    member_command(
        "kennis bewerk",
        ("knowledge edit",),
        "cmd.helpdesk.card_edit",
        _card_command("card_edit"),
        CardEditArgs,
        ("reference",),
    ),
    member_command(
        "kennis publiceer",
        ("knowledge publish",),
        "cmd.helpdesk.card_publish",
        _card_command("card_publish"),
        CardArgs,
        ("reference",),
    ),
    member_command(
        "kennis bevestig",
        ("knowledge confirm",),
        "cmd.helpdesk.card_confirm",
        _card_command("card_confirm"),
        CardArgs,
        ("reference",),
    ),
    member_command(
        "kennis vervallen",
        ("knowledge retire",),
        "cmd.helpdesk.card_retire",
        _card_command("card_retire"),
        CardArgs,
        ("reference",),
    ),
    member_command(
        "zoek", ("search",), "cmd.helpdesk.search", search, SearchArgs, (), "words", changes=False
    ),
)

#: Which helpdesk actions each command performs (``avz_bot.domain.helpdesk.permissions``
#: decides them); commands not here are open to every registered member.
HELPDESK_ACTIONS: dict[str, tuple[QuestionAction | CardAction, ...]] = {
    "oppakken": (QuestionAction.CLAIM,),
    "antwoord": (QuestionAction.ANSWER,),
    "opgelost": (QuestionAction.CONFIRM,),
    "heropen": (QuestionAction.REOPEN,),
    "kennis nieuw": (QuestionAction.MAKE_CARD,),
    "kennis bewerk": (CardAction.EDIT,),
    "kennis publiceer": (CardAction.PUBLISH,),
    "kennis bevestig": (CardAction.CONFIRM,),
    "kennis vervallen": (CardAction.RETIRE,),
}


def relations(name: str) -> frozenset[Relation] | None:
    """Everyone the helpdesk tables let run command ``name`` in some status (None: the
    tables do not govern it). ``!kennis nieuw`` also makes lessons of closed cases."""
    actions = HELPDESK_ACTIONS.get(name)
    if actions is None:
        return None
    found: set[Relation] = set(LESSON_PERMISSION) if name == "kennis nieuw" else set()
    for action in actions:
        table = QUESTION_PERMISSIONS if isinstance(action, QuestionAction) else CARD_PERMISSIONS
        for (row_action, _), allowed in table.items():
            if row_action is action:
                found |= allowed
    return frozenset(found)


def who(name: str, messages: Messages) -> str | None:
    """The "wie" of a helpdesk command, from the helpdesk permission tables."""
    allowed = relations(name)
    if allowed is None:
        return None
    return " of ".join(messages.t(f"helpdesk.relation.{r.value}") for r in Relation if r in allowed)


AREA = CommandArea(SPECS, SERVICES, who)
