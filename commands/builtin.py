"""The basic commands: help, ping, whoami."""

from __future__ import annotations

from pydantic import BaseModel, Field

from avz_bot.formatting import listing, paragraphs, text
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


async def help_command(ctx: CommandContext, args: HelpArgs) -> HandlerResult:
    """List the commands the sender may use, or explain one command."""
    t = ctx.messages.t
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
        lines.append(f"{t('help.who')}: {t(f'permission.{spec.audience.value}')}")
        arg_lines = spec.argument_help(ctx.messages)
        if arg_lines:
            lines.append(f"{t('help.arguments')}:")
            lines.extend(f"  {line}" for line in arg_lines)
        return HandlerResult(paragraphs(*lines))
    visible = [spec for spec in ctx.registry.specs() if spec.audience.allows(ctx.member)]
    items = [f"{ctx.prefix}{spec.name} — {t(spec.summary_key)}" for spec in visible]
    return HandlerResult(
        listing(t("help.title"), items, footer=t("help.footer", prefix=ctx.prefix))
    )


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
