"""The case board area: ``!overzicht`` answers with a sign-in link. Handlers only call services."""

from __future__ import annotations

from avz_bot.formatting import text
from avz_bot.services.board.area import AREA as SERVICES
from avz_bot.services.board.service import BoardService
from avz_bot.services.board.view import link_reply
from avz_bot.services.cases import CaseService
from avz_bot.services.refusal import Refused
from commands.framework import (
    AuditNote,
    CommandArea,
    CommandContext,
    CommandSpec,
    HandlerResult,
    member_command,
)

#: A direct chat: the sender and the bot.
DIRECT_CHAT_MEMBERS = 2


async def board_link(ctx: CommandContext, args: object) -> HandlerResult:
    """``!overzicht``: a single-use, short-lived link to the board, only in the sender's
    direct chat with the bot (the link signs in as the sender: nobody else may see it)."""
    in_case_room = await ctx.services[CaseService].load_for_room(ctx.command.room_id) is not None
    if ctx.command.room_members != DIRECT_CHAT_MEMBERS or in_case_room:
        raise Refused(text(ctx.messages.t("board.dm_only", prefix=ctx.prefix)))
    service: BoardService = ctx.services[BoardService]
    if not service.settings.enabled:
        raise Refused(text(ctx.messages.t("board.disabled")))
    token = await service.access.new_link(ctx.member.matrix_id)
    ctx.audit.append(AuditNote("board.link_issued", "board", "link", {}))
    return HandlerResult(link_reply(ctx.messages, service.settings, token))


SPECS: tuple[CommandSpec, ...] = (
    member_command("overzicht", ("board",), "cmd.overzicht.summary", board_link),
)

AREA = CommandArea(SPECS, SERVICES)
