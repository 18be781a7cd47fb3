"""Declaring, looking up and dispatching commands (arguments: ``commands.arguments``).

A command is declared once, as a ``CommandSpec``: its name, English alias, pydantic
argument model, audience and the catalogue keys of its help text. Usage lines, the
``!help`` output, "did you mean" suggestions and argument errors are all derived
from those declarations, so the help can never drift from what the parser accepts.
"""

from __future__ import annotations

import difflib
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pydantic import BaseModel

from avz_bot.domain.inbound import IncomingCommand, Reply
from avz_bot.domain.partners import Member, Role
from avz_bot.domain.suggestions import closest
from avz_bot.formatting import capitalised, paragraphs
from avz_bot.messages import Messages
from avz_bot.services.area import Area, Unit
from avz_bot.services.refusal import Refused
from commands.addressing import as_command, bot_names
from commands.arguments import ArgumentError, bind_arguments, help_key
from commands.parser import ParsedCommand, ParseError, Token, parse_command


class Audience(StrEnum):
    """Who may run a command. Unregistered senders may run nothing."""

    MEMBER = "member"
    KETENMANAGER = "ketenmanager"
    ADMIN = "admin"

    def allows(self, member: Member) -> bool:
        """Whether ``member`` belongs to this audience (admins may do everything)."""
        if member.has_role(Role.ADMIN):
            return True
        if self is Audience.MEMBER:
            return True
        if self is Audience.KETENMANAGER:
            return member.has_role(Role.KETENMANAGER)
        return False


class Outcome(StrEnum):
    """How processing a message ended; used for metrics and the processed-events log."""

    OK = "ok"
    IGNORED = "ignored"
    UNREGISTERED = "unregistered"
    FORBIDDEN = "forbidden"
    UNKNOWN = "unknown"
    BAD_ARGUMENTS = "bad_arguments"
    REFUSED = "refused"
    ERROR = "error"


class NoArguments(BaseModel):
    """Argument model of commands that take none."""


#: ``who(command name, messages)``: who may run it, in words (None: not this area's).
Who = Callable[[str, "Messages"], "str | None"]

#: What command handlers may use: the unit of work (``ctx.services[CaseService]`` is the
#: cases area's service in the command's transaction; see ``avz_bot.services.area``).
Services = Unit


@dataclass(frozen=True)
class CommandArea:
    """One entry of ``commands.areas.AREAS``: an area's command specs and the
    descriptor of its services (None for the built-in commands)."""

    specs: Sequence[CommandSpec]
    services: Area[Any] | None
    #: The "wie" of each of the area's commands, read from the area's permission table
    #: (``domain/<area>/permissions.py``, the table that decides): ``None`` for a command
    #: the table does not govern (then its audience says who).
    who: Who | None = None


@dataclass
class CommandContext:
    """Everything a handler needs for one command."""

    command: IncomingCommand
    member: Member
    messages: Messages
    registry: Registry
    prefix: str
    services: Services
    #: Entries for the audit trail, written in the same transaction as the state change.
    audit: list[AuditNote] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class AuditNote:
    """A state change a handler made, for the audit trail (never message bodies)."""

    action: str
    entity_type: str | None = None
    entity_id: str | None = None
    details: dict[str, str | int | bool | None] | None = None


@dataclass(frozen=True, slots=True)
class HandlerResult:
    """A handler's answer: the reply and how it ended."""

    reply: Reply
    outcome: Outcome = Outcome.OK


Handler = Callable[[CommandContext, Any], Awaitable[HandlerResult]]


@dataclass(frozen=True)
class CommandSpec:
    """The one declaration of a command.

    ``name`` may have two words (``"casus nieuw"``) for sub-commands. ``positional``
    names the argument-model fields that take positional words, in order; ``rest``
    names the field that receives all remaining words joined by spaces.
    """

    name: str
    aliases: tuple[str, ...]
    summary_key: str
    handler: Handler
    args: type[BaseModel] = NoArguments
    positional: tuple[str, ...] = ()
    rest: str | None = None
    audience: Audience = Audience.MEMBER
    #: Whether the command changes state (used by the device trust policy and audit).
    changes_state: bool = False

    def __post_init__(self) -> None:
        fields = self.args.model_fields
        for name in (*self.positional, *((self.rest,) if self.rest else ())):
            if name not in fields:
                raise ValueError(f"{self.name}: {name!r} is not a field of {self.args.__name__}")

    def option_name(self, field_name: str) -> str:
        """The word users type for ``field_name`` (its alias, which is Dutch)."""
        info = self.args.model_fields[field_name]
        return info.alias or field_name

    def usage(self, prefix: str) -> str:
        """The usage line, generated from the argument model."""
        parts = [f"{prefix}{self.name}"]
        fields = self.args.model_fields
        for name in (*self.positional, *((self.rest,) if self.rest else ())):
            label = f"<{self.option_name(name)}>"
            parts.append(label if fields[name].is_required() else f"[{label}]")
        for name, info in fields.items():
            if name in self.positional or name == self.rest:
                continue
            word = f"{self.option_name(name)}=<{self.option_name(name)}>"
            parts.append(word if info.is_required() else f"[{word}]")
        return " ".join(parts)

    def argument_help(self, messages: Messages) -> list[str]:
        """One line per argument: its name and catalogue description."""
        lines = []
        for name, info in self.args.model_fields.items():
            key = help_key(info)
            if key:
                lines.append(f"{self.option_name(name)}: {messages.t(key)}")
        return lines


class Registry:
    """The commands, built once from an explicit list of specs."""

    def __init__(self, specs: Iterable[CommandSpec], who: Sequence[Who] = ()) -> None:
        self._who = tuple(who)
        self._specs: list[CommandSpec] = []
        self._by_word: dict[str, CommandSpec] = {}
        for spec in specs:
            for word in (spec.name, *spec.aliases):
                if word in self._by_word:
                    raise ValueError(f"command name {word!r} declared twice")
                self._by_word[word] = spec
            self._specs.append(spec)

    def __iter__(self) -> Any:
        return iter(self._specs)

    def specs(self) -> list[CommandSpec]:
        """All specs, in declaration order."""
        return list(self._specs)

    def resolve(self, parsed: ParsedCommand) -> tuple[CommandSpec, tuple[Token, ...]] | None:
        """The spec ``parsed`` addresses and its remaining tokens (two-word names first)."""
        tokens = parsed.tokens
        if tokens and tokens[0].key is None:
            two = f"{parsed.name} {tokens[0].value.lower()}"
            if two in self._by_word:
                return self._by_word[two], tokens[1:]
        spec = self._by_word.get(parsed.name)
        return (spec, tokens) if spec else None

    @property
    def who_sources(self) -> tuple[Who, ...]:
        """The areas' ``who`` functions this registry consults, in area order."""
        return self._who

    def who(self, spec: CommandSpec, messages: Messages) -> str:
        """Who may run ``spec``, in words: from the permission table that decides
        (the areas' ``who``), else its audience. ``!help`` and the README both say this."""
        for area_who in self._who:
            said = area_who(spec.name, messages)
            if said is not None:
                return said
        return messages.t(f"permission.{spec.audience.value}")

    def is_command_word(self, text: str) -> bool:
        """Whether ``text`` starts with the (first) word of a command name or alias."""
        words = text.split(maxsplit=1)
        return bool(words) and any(word.split()[0] == words[0].casefold() for word in self._by_word)

    def lookup(self, words: str) -> CommandSpec | None:
        """The spec named ``words`` (name or alias, case-insensitive, prefix optional)."""
        return self._by_word.get(" ".join(words.lower().split()))

    def suggest_subcommand(self, spec: CommandSpec, tokens: Sequence[Token]) -> str | None:
        """``"regie claim"`` for ``!regie claimen``: the sub-command of ``spec`` whose
        second word is close to the first word typed after it (None: none is)."""
        if not tokens or tokens[0].key is not None:
            return None
        head = spec.name.split()[0]
        seconds = {
            word.split()[1]: self._by_word[word].name
            for word in self._by_word
            if len(word.split()) == 2 and word.split()[0] == head
        }
        close = closest(tokens[0].value, seconds)
        return None if close is None else seconds[close]

    def suggest(self, word: str) -> str | None:
        """The closest known command, if any is close enough (names before aliases)."""
        names = [spec.name for spec in self._specs]
        for candidates in (names, list(self._by_word)):
            matches = difflib.get_close_matches(word.lower(), candidates, n=1, cutoff=0.6)
            if matches:
                return self._by_word[matches[0]].name
        return None


@dataclass(frozen=True, slots=True)
class DispatchResult:
    """The result of handling one message: reply (if any), command name and outcome."""

    reply: Reply | None
    command: str | None
    outcome: Outcome
    audit: tuple[AuditNote, ...] = ()


@dataclass(frozen=True, slots=True)
class Reading:
    """One message body read once: parsed (None: not for the bot) or the parse error,
    and the command it resolves to with its remaining tokens (None: unknown)."""

    body: str
    parsed: ParsedCommand | None
    error: ParseError | None
    resolved: tuple[CommandSpec, tuple[Token, ...]] | None


class Dispatcher:
    """Turns an incoming message into a handler call, or a clear refusal."""

    def __init__(
        self,
        registry: Registry,
        messages: Messages,
        prefix: str,
        *,
        refuse_unsigned_devices: bool = False,
        addressed_as: Sequence[str] = (),
    ) -> None:
        self.registry = registry
        self.messages = messages
        self.prefix = prefix
        #: What people call the bot ("avz-bot", its user id, its localpart), longest first.
        self.addressed_as = bot_names(addressed_as)
        #: Strict trust policy: refuse state-changing commands from devices that are not
        #: cross-signed by their owner.
        self.refuse_unsigned_devices = refuse_unsigned_devices
        self._last: Reading | None = None

    def read(self, body: str) -> Reading:
        """``body`` parsed and its command resolved, once: the adapter's ``is_command``,
        the claim's ``command_name`` and ``dispatch`` all ask for the same message in a
        row, so the last reading is kept and handed out again for the same body."""
        last = self._last
        if last is not None and last.body == body:
            return last
        try:
            parsed = parse_command(
                as_command(body, self.prefix, self.addressed_as, self.registry.is_command_word),
                self.prefix,
            )
        except ParseError as exc:
            reading = Reading(body, None, exc, None)
        else:
            resolved = None if parsed is None else self.registry.resolve(parsed)
            reading = Reading(body, parsed, None, resolved)
        self._last = reading
        return reading

    def is_command(self, body: str) -> bool:
        """Whether ``body`` is addressed to the bot at all."""
        reading = self.read(body)
        return reading.error is not None or reading.parsed is not None

    def command_name(self, body: str) -> str | None:
        """The name of the command ``body`` invokes (what a dispatch that gets as far as
        the handler records), or None when it cannot be parsed or is unknown. The core
        writes it with the claim, so the usual outcome needs no second statement."""
        resolved = self.read(body).resolved
        return None if resolved is None else resolved[0].name

    def _usage(self, spec: CommandSpec) -> str:
        return self.messages.t("error.usage", usage=spec.usage(self.prefix))

    async def dispatch(
        self, incoming: IncomingCommand, member: Member | None, services: Services
    ) -> DispatchResult:
        """Handle ``incoming`` for ``member`` (``None``: sender not registered).

        A refusal (:class:`~avz_bot.services.refusal.Refused`, raised by a handler or
        the service it calls) is caught here, and only here: its reply with
        ``Outcome.REFUSED``, on which the caller rolls the command's transaction back.
        Other handler exceptions propagate: the caller rolls the transaction back and
        sends the generic error reply, so no exception text ever reaches a room.
        """
        reading = self.read(incoming.body)
        early = self._before_resolving(reading, incoming, member)
        if early is not None or member is None:
            return early or DispatchResult(None, None, Outcome.IGNORED)
        if reading.resolved is None:
            return self._unknown(reading)
        spec, tokens = reading.resolved
        refused = self._gate(spec, incoming, member)
        if refused is not None:
            return refused
        try:
            args = bind_arguments(spec, tokens, self.messages, incoming.people)
        except ArgumentError as exc:
            sub = self.registry.suggest_subcommand(spec, tokens)
            reply = (
                paragraphs(
                    self.messages.t("input.subcommand_suggest", suggestion=f"{self.prefix}{sub}"),
                    self.messages.t("error.help_hint", prefix=self.prefix),
                )
                if sub is not None
                else paragraphs(*exc.lines, self._usage(spec))
            )
            return DispatchResult(reply, spec.name, Outcome.BAD_ARGUMENTS)
        ctx = CommandContext(
            command=incoming,
            member=member,
            messages=self.messages,
            registry=self.registry,
            prefix=self.prefix,
            services=services,
        )
        try:
            result = await spec.handler(ctx, args)
        except Refused as refused_by:
            reply = capitalised(refused_by.reply)
            return DispatchResult(reply, spec.name, Outcome.REFUSED, tuple(ctx.audit))
        return DispatchResult(result.reply, spec.name, result.outcome, tuple(ctx.audit))

    def _before_resolving(
        self, reading: Reading, incoming: IncomingCommand, member: Member | None
    ) -> DispatchResult | None:
        """The endings before a command is looked up: unparseable, not for the bot, an
        unregistered sender, an edit (None: go on)."""
        t = self.messages.t
        if reading.error is not None:
            if member is None:
                return DispatchResult(
                    paragraphs(t("error.not_registered")), None, Outcome.UNREGISTERED
                )
            hint = t("error.help_hint", prefix=self.prefix)
            error = t(reading.error.key, **reading.error.values)
            return DispatchResult(paragraphs(error, hint), None, Outcome.BAD_ARGUMENTS)
        if reading.parsed is None:
            return DispatchResult(None, None, Outcome.IGNORED)
        if member is None:
            return DispatchResult(paragraphs(t("error.not_registered")), None, Outcome.UNREGISTERED)
        if incoming.edit_of is not None:
            # Running an edit would surprise whoever already acted on the first answer.
            return DispatchResult(
                paragraphs(t("input.edit_not_rerun", prefix=self.prefix)), None, Outcome.IGNORED
            )
        return None

    def _unknown(self, reading: Reading) -> DispatchResult:
        """An unknown command: "did you mean …?" when one is close."""
        t = self.messages.t
        assert reading.parsed is not None
        name = reading.parsed.name
        shown = f"{self.prefix}{name}"
        suggestion = self.registry.suggest(name)
        first = (
            t(
                "error.unknown_command_suggest",
                command=shown,
                suggestion=f"{self.prefix}{suggestion}",
            )
            if suggestion
            else t("error.unknown_command", command=shown)
        )
        return DispatchResult(
            paragraphs(first, t("error.help_hint", prefix=self.prefix)), None, Outcome.UNKNOWN
        )

    def _gate(
        self, spec: CommandSpec, incoming: IncomingCommand, member: Member
    ) -> DispatchResult | None:
        """The command's audience and the device trust policy (None: allowed)."""
        t = self.messages.t
        if not spec.audience.allows(member):
            audience = t(f"permission.{spec.audience.value}")
            return DispatchResult(
                paragraphs(t("error.permission", roles=audience)), spec.name, Outcome.FORBIDDEN
            )
        if spec.changes_state and self.refuse_unsigned_devices and not incoming.device_verified:
            # Strict trust policy: a change needs a device its owner has cross-signed
            # (unknown counts as not signed: the policy is there to be strict).
            return DispatchResult(
                paragraphs(t("error.unsigned_device")), spec.name, Outcome.FORBIDDEN
            )
        return None


def member_command(
    name: str,
    aliases: tuple[str, ...],
    summary_key: str,
    handler: Callable[[CommandContext, Any], Awaitable[HandlerResult]],
    args: type[BaseModel] = NoArguments,
    positional: tuple[str, ...] = (),
    rest: str | None = None,
    *,
    changes: bool = True,
) -> CommandSpec:
    """A command for registered members; finer permissions are the domain's business."""
    return CommandSpec(
        name=name,
        aliases=aliases,
        summary_key=summary_key,
        handler=handler,
        args=args,
        positional=positional,
        rest=rest,
        audience=Audience.MEMBER,
        changes_state=changes,
    )
