"""Binding a command's words to its argument model: validation, person names, the BSN guard.

``bind_arguments`` turns the tokens after a command's name into its pydantic argument
model (positional words, ``name=value`` options, people named by pill, name or Matrix id),
refuses a BSN in any field not declared as an identifier field, and explains a validation
error in Dutch (``ArgumentError``). ``help_text``, ``person_help`` and ``identifier_help``
declare a field's catalogue help key and kind.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Protocol

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from avz_bot.domain.mentions import MAX_NAME_WORDS, USER_ID, Person, match_person
from avz_bot.domain.signals import contains_bsn
from avz_bot.domain.suggestions import closest
from avz_bot.formatting import sentence
from avz_bot.messages import Messages
from commands.parser import Token


class ArgumentSpec(Protocol):
    """What binding needs of a command's declaration (``commands.framework.CommandSpec``)."""

    @property
    def args(self) -> type[BaseModel]:
        """The argument model."""
        ...

    @property
    def positional(self) -> tuple[str, ...]:
        """Fields that take positional words, in order."""
        ...

    @property
    def rest(self) -> str | None:
        """The field that receives all remaining words."""
        ...

    def option_name(self, field_name: str) -> str:
        """The word users type for ``field_name``."""
        ...


def help_key(info: FieldInfo) -> str | None:
    extra = info.json_schema_extra
    if isinstance(extra, dict):
        value = extra.get("help")
        return value if isinstance(value, str) else None
    return None


class ArgumentError(Exception):
    """The arguments do not fit the command; ``lines`` are the Dutch explanations."""

    def __init__(self, lines: Sequence[str]) -> None:
        super().__init__("; ".join(lines))
        # Some catalogue sentences start with a field name ("werktitel ontbreekt.").
        self.lines = [sentence(line) for line in lines]


def _person_kind(info: FieldInfo) -> str | None:
    extra = info.json_schema_extra
    if isinstance(extra, dict):
        value = extra.get("person")
        return value if isinstance(value, str) else None
    return None


def _resolve_person(
    words: list[str], people: Sequence[Person], kind: str, messages: Messages
) -> tuple[str, int]:
    """The user id the leading words name, and how many words that took.

    ``@user:server`` (also what a pill becomes) is taken as is; otherwise the longest
    run of words that names exactly one of ``people`` (see ``match_person``). Several
    matches: ``ArgumentError`` listing them. None: for ``"user"`` fields an
    ``ArgumentError``; for ``"user_or_other"`` (e.g. an organisation) the first word.
    """
    first = words[0]
    if USER_ID.match(first):
        return first, 1
    for size in range(min(MAX_NAME_WORDS, len(words)), 0, -1):
        phrase = " ".join(words[:size])
        found = match_person(phrase, people)
        if len(found) == 1:
            return found[0].user_id, size
        if found:
            labels = ", ".join(sorted(p.label for p in found))
            raise ArgumentError(
                [messages.t("input.person_ambiguous", name=phrase, candidates=labels)]
            )
    if kind == "user":
        raise ArgumentError([messages.t("input.person_unknown", name=first)])
    return first, 1


def person_help(key: str, *, or_other: bool = False) -> Any:
    """``json_schema_extra`` for an argument that names a person: its help key, and the
    mark that makes the framework resolve pills, names and localparts to a user id
    (``or_other``: an unknown word is passed on as is, e.g. an organisation code)."""
    return {"help": key, "person": "user_or_other" if or_other else "user"}


def bind_arguments(
    spec: ArgumentSpec,
    tokens: Sequence[Token],
    messages: Messages,
    people: Sequence[Person] = (),
) -> BaseModel:
    """Map tokens onto the spec's argument model and validate them with pydantic.

    Person arguments (``person_help``) are resolved to user ids here, from
    ``people`` (the room's registered members), so every command gets it alike.
    """
    data: dict[str, object] = {}
    words: list[str] = []
    by_option = {spec.option_name(name): name for name in spec.args.model_fields}
    for token in tokens:
        if token.key is None:
            words.append(token.value)
            continue
        field_name = by_option.get(token.key)
        if field_name is None or field_name in spec.positional or field_name == spec.rest:
            raise ArgumentError([_unknown_option(spec, token.key, messages)])
        if token.key in data:
            raise ArgumentError([messages.t("error.args.duplicate_option", option=token.key)])
        info = spec.args.model_fields[field_name]
        kind = _person_kind(info)
        value = token.value
        if not kind and not _free_text(info) and len(value.split()) > 1:
            # A coded value (ernst=hoog) is one word: the words typed after it are the
            # command's text ("!signaal overlast ernst=hoog buren klagen").
            value, *after = value.split()
            words.extend(after)
        data[token.key] = _resolve_person([value], people, kind, messages)[0] if kind else value
    # Keyed by the option word (the field's alias): that is what pydantic validates.
    for index, name in enumerate(spec.positional):
        if words:
            info = spec.args.model_fields[name]
            kind = _person_kind(info)
            if kind:
                value, used = _resolve_person(words, people, kind, messages)
                data[spec.option_name(name)] = value
                del words[:used]
            elif spec.rest is None and index == len(spec.positional) - 1 and _free_text(info):
                # The last free-text argument takes the rest of the line: people do not
                # quote titles ("!casus nieuw Overlast Vinkhuizen gemeente=…").
                data[spec.option_name(name)] = " ".join(words)
                words.clear()
            else:
                data[spec.option_name(name)] = words.pop(0)
    if words:
        if spec.rest is None:
            raise ArgumentError([messages.t("error.args.too_many")])
        data[spec.option_name(spec.rest)] = " ".join(words)
    try:
        args = spec.args.model_validate(data)
    except ValidationError as exc:
        raise ArgumentError(_explain(spec, exc, messages)) from None
    _refuse_identifiers(spec, args, messages)
    return args


def _free_text(info: FieldInfo) -> bool:
    """Whether a field takes free text (a plain ``str`` without a pattern)."""
    patterned = any(getattr(m, "pattern", None) for m in info.metadata)
    return info.annotation in (str, str | None) and not patterned


def _unknown_option(spec: ArgumentSpec, key: str, messages: Messages) -> str:
    """ "Unknown option", with "did you mean …=?" when one of the command's options is close."""
    options = [
        spec.option_name(name)
        for name in spec.args.model_fields
        if name not in spec.positional and name != spec.rest
    ]
    close = closest(key, options)
    if close is None:
        return messages.t("error.args.unknown_option", option=key)
    return messages.t("error.args.unknown_option_suggest", option=key, suggestion=f"{close}=")


def _refuse_identifiers(spec: ArgumentSpec, args: BaseModel, messages: Messages) -> None:
    """Free text that contains a BSN-valid number is refused before anything is stored
    (titles, descriptions, agreements, reasons): one check for every command. Only
    fields declared with :func:`identifier_help` may carry an identifier (and their
    handlers pseudonymise it). The refusal never repeats the number."""
    for name, info in spec.args.model_fields.items():
        value = getattr(args, name)
        if isinstance(value, str) and not _is_identifier_field(info) and contains_bsn(value):
            raise ArgumentError([messages.t("error.args.bsn", field=spec.option_name(name))])


def _is_identifier_field(info: FieldInfo) -> bool:
    extra = info.json_schema_extra
    return isinstance(extra, dict) and extra.get("identifier") is True


def _explain(spec: ArgumentSpec, exc: ValidationError, messages: Messages) -> list[str]:
    lines: list[str] = []
    for error in exc.errors():
        loc = error.get("loc", ())
        label = str(loc[0]) if loc else ""
        ctx = error.get("ctx") or {}
        kind = error.get("type", "")
        if kind == "missing":
            lines.append(messages.t("error.args.missing", field=label))
        elif kind == "string_too_long":
            lines.append(
                messages.t("error.args.too_long", field=label, limit=ctx.get("max_length"))
            )
        elif kind in {"enum", "literal_error"}:
            expected = str(ctx.get("expected", ""))
            # pydantic says "'a', 'b' or 'c'" (English): the values alone read in any language.
            choices = re.findall(r"'([^']*)'", expected)
            shown = ", ".join(choices) or expected
            line = messages.t("error.args.choice", field=label, choices=shown)
            lines.append(line + messages.did_you_mean(str(error.get("input", "")), choices))
        else:
            lines.append(messages.t("error.args.invalid", field=label))
    return lines


def help_text(key: str) -> Any:
    """``json_schema_extra`` for an argument field: its catalogue help key."""
    return {"help": key}


def identifier_help(key: str) -> Any:
    """``json_schema_extra`` for a field that may hold a person's identifier (a BSN):
    exempt from the BSN refusal; its handler must pseudonymise it and never store it."""
    return {"help": key, "identifier": True}
