"""Issue 25: every reply starts with a capital, also when a catalogue sentence starts with
a placeholder ("{field} ontbreekt." → "Werktitel ontbreekt."). The mechanism is where
refusals are rendered: ``ArgumentError`` lines and ``Dispatcher`` for ``Refused``, both
through ``avz_bot.formatting.capitalised``/``sentence``."""

from __future__ import annotations

import string
from datetime import UTC, datetime
from typing import Any

import pytest

from avz_bot.domain.inbound import IncomingCommand
from avz_bot.domain.partners import Member, Organisation, OrgDomain, Role
from avz_bot.formatting import capitalised, paragraphs, sentence, text
from avz_bot.messages import CATALOGUES, Messages
from avz_bot.services.refusal import Refused
from commands.framework import CommandSpec, Dispatcher, HandlerResult, Outcome, Registry

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
PRO = Member(
    "@p:avz.test",
    "Pieter",
    Organisation("politie", "Politie", OrgDomain.VEILIGHEID),
    frozenset({Role.PROFESSIONAL}),
)


class _Lower(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return "werktitel"


def _rendered(template: str) -> str:
    return string.Formatter().vformat(template, (), _Lower())


def _refusal_keys(locale: str) -> list[str]:
    catalogue = CATALOGUES[locale]
    return sorted(
        k for k in catalogue if k.startswith("error.") or ".refused" in k or "unknown" in k
    )


@pytest.mark.parametrize("locale", sorted(CATALOGUES))
def test_every_catalogue_refusal_renders_with_a_capital(locale: str) -> None:
    keys = _refusal_keys(locale)
    assert len(keys) > 30
    for key in keys:
        reply = capitalised(text(_rendered(CATALOGUES[locale][key])))
        first = next(ch for ch in reply.plain if not ch.isspace())
        assert not first.islower(), (key, reply.plain)
        html_first = (
            reply.html.lstrip("<").split(">")[-1] if reply.html.startswith("<") else reply.html
        )
        assert not html_first[:1].islower(), (key, reply.html)


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("werktitel ontbreekt.", "Werktitel ontbreekt."),
        ("„werktitel” ontbreekt.", "„Werktitel” ontbreekt."),
        ("!casus nieuw ontbreekt", "!casus nieuw ontbreekt"),
        ("@anouk:avz.test is geen lid", "@anouk:avz.test is geen lid"),
        ("3 afspraken", "3 afspraken"),
        ("Al een hoofdletter", "Al een hoofdletter"),
        ("", ""),
    ],
)
def test_sentence(said: str, expected: str) -> None:
    assert sentence(said) == expected


async def _refuse(ctx: Any, args: Any) -> HandlerResult:
    raise Refused(paragraphs("anouk is geen lid van deze casus.", "Er is niets gewijzigd."))


async def test_a_service_refusal_reaches_the_room_with_a_capital() -> None:
    spec = CommandSpec(name="weiger", aliases=(), summary_key="cmd.ping.summary", handler=_refuse)
    incoming = IncomingCommand("$e", "!r:avz.test", PRO.matrix_id, "!weiger", NOW, NOW)
    result = await Dispatcher(Registry([spec]), Messages(), "!").dispatch(
        incoming,
        PRO,
        object(),  # type: ignore[arg-type]
    )
    assert result.outcome is Outcome.REFUSED and result.reply is not None
    assert result.reply.plain.startswith("Anouk is geen lid")
    assert result.reply.html.startswith("Anouk is geen lid")
