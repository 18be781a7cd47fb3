"""Reading commands as clients send them: pills, reply fallbacks, threads, edits, names."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from avz_bot.domain.inbound import IncomingCommand, Reply
from avz_bot.domain.mentions import MessageText, Person, match_person, message_text
from avz_bot.domain.partners import Member, Organisation, OrgDomain, Role
from avz_bot.messages import Messages
from commands.arguments import ArgumentError, bind_arguments
from commands.framework import Dispatcher, Outcome
from commands.parser import parse_command
from commands.registry import build_registry

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
PIETER = Person("@pieter:avz.test", "Pieter de Vries")
PIET = Person("@piet.b:avz.test", "Pieter Bakker")
ANOUK = Person("@anouk:avz.test", "Anouk")
PEOPLE = (PIETER, PIET, ANOUK)


def pill_content(body: str, html: str, users: list[str]) -> dict[str, Any]:
    """An ``m.room.message`` content exactly as Element Web sends a pill."""
    return {
        "msgtype": "m.text",
        "body": body,
        "format": "org.matrix.custom.html",
        "formatted_body": html,
        "m.mentions": {"user_ids": users},
    }


def test_element_pill_becomes_the_user_id() -> None:
    content = pill_content(
        "!regie overdragen Pieter de Vries",
        '!regie overdragen <a href="https://matrix.to/#/@pieter:avz.test">Pieter de Vries</a>',
        ["@pieter:avz.test"],
    )
    assert message_text(content) == MessageText("!regie overdragen @pieter:avz.test")


def test_percent_encoded_pill_and_html_entities() -> None:
    content = pill_content(
        "!actie Anne & Co bellen deadline=morgen",
        '!actie <a href="https://matrix.to/#/%40anne%3Aavz.test">Anne &amp; Co</a> bellen '
        "deadline=morgen",
        ["@anne:avz.test"],
    )
    assert message_text(content).body == "!actie @anne:avz.test bellen deadline=morgen"


def test_pill_with_at_sign_in_the_body() -> None:
    content = pill_content(
        "!regie overdragen @Pieter de Vries",
        '!regie overdragen <a href="https://matrix.to/#/@pieter:avz.test">Pieter de Vries</a>',
        ["@pieter:avz.test"],
    )
    assert message_text(content).body == "!regie overdragen @pieter:avz.test"


def test_room_links_are_not_people() -> None:
    content = pill_content(
        "!casus uitnodigen Intake",
        '!casus uitnodigen <a href="https://matrix.to/#/!room:avz.test">Intake</a>',
        [],
    )
    assert message_text(content).body == "!casus uitnodigen Intake"


def test_legacy_reply_fallback_is_removed_and_quoted_pills_ignored() -> None:
    content = {
        "msgtype": "m.text",
        "body": "> <@anouk:avz.test> kan iemand dit oppakken?\n\n!regie overdragen Anouk",
        "format": "org.matrix.custom.html",
        "formatted_body": (
            '<mx-reply><blockquote><a href="https://matrix.to/#/!r:avz.test/$q">In reply to</a>'
            ' <a href="https://matrix.to/#/@anouk:avz.test">@anouk:avz.test</a><br>kan iemand'
            "</blockquote></mx-reply>!regie overdragen "
            '<a href="https://matrix.to/#/@anouk:avz.test">Anouk</a>'
        ),
        "m.relates_to": {"m.in_reply_to": {"event_id": "$q"}},
    }
    assert message_text(content) == MessageText("!regie overdragen @anouk:avz.test")


def test_reply_without_fallback_and_a_quote_without_reply_are_left_alone() -> None:
    reply = {"body": "!acties", "m.relates_to": {"m.in_reply_to": {"event_id": "$q"}}}
    assert message_text(reply).body == "!acties"
    # Not a reply: a message that begins with ">" is the user's own text.
    assert message_text({"body": "> citaat\n\n!acties"}).body == "> citaat\n\n!acties"


def test_thread_message_names_its_root() -> None:
    content = {
        "msgtype": "m.text",
        "body": "!acties",
        "m.relates_to": {
            "rel_type": "m.thread",
            "event_id": "$root",
            "is_falling_back": True,
            "m.in_reply_to": {"event_id": "$last"},
        },
    }
    assert message_text(content) == MessageText("!acties", thread_root="$root")


def test_edit_reads_the_new_content_and_names_the_original() -> None:
    content = {
        "msgtype": "m.text",
        "body": "* !regie overdragen Anouk",
        "m.new_content": {"msgtype": "m.text", "body": "!regie overdragen Anouk"},
        "m.relates_to": {"rel_type": "m.replace", "event_id": "$orig"},
    }
    assert message_text(content) == MessageText("!regie overdragen Anouk", edit_of="$orig")


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("Pieter de Vries", ["@pieter:avz.test"]),
        ("pieter DE vries", ["@pieter:avz.test"]),
        ("pieter", ["@pieter:avz.test"]),  # a localpart beats first names
        ("@anouk", ["@anouk:avz.test"]),
        ("Anouk", ["@anouk:avz.test"]),
        ("Bakker", []),  # only leading words of a name count
        ("Pie", []),  # no partial words
    ],
)
def test_match_person(phrase: str, expected: list[str]) -> None:
    assert [p.user_id for p in match_person(phrase, PEOPLE)] == expected


def test_first_name_shared_by_two_is_ambiguous() -> None:
    people = (Person("@a:x", "Pieter de Vries"), Person("@b:x", "Pieter Bakker"))
    assert len(match_person("Pieter", people)) == 2


def test_reply_in_thread_content() -> None:
    content = Reply("ok", "ok").to_content("$cmd", "$root")
    assert content["m.relates_to"] == {
        "rel_type": "m.thread",
        "event_id": "$root",
        "is_falling_back": False,
        "m.in_reply_to": {"event_id": "$cmd"},
    }


# ---------------------------------------------------------- the framework resolves people
REGISTRY = build_registry()
ORG = Organisation("politie", "Politie Noord-Nederland", OrgDomain.VEILIGHEID)
PRO = Member("@p:avz.test", "Pieter", ORG, frozenset({Role.PROFESSIONAL}))


def bind(body: str, people: tuple[Person, ...] = PEOPLE) -> Any:
    parsed = parse_command(body, "!")
    assert parsed is not None
    resolved = REGISTRY.resolve(parsed)
    assert resolved is not None
    spec, tokens = resolved
    return bind_arguments(spec, tokens, Messages(), people)


@pytest.mark.parametrize(
    "body",
    [
        "!regie overdragen @anouk:avz.test",
        "!regie overdragen Anouk",
        "!regie overdragen anouk",
        "!regie overdragen @anouk",
        "!casus uitnodigen Anouk",
    ],
)
def test_user_arguments_accept_ids_names_and_localparts(body: str) -> None:
    assert bind(body).user == "@anouk:avz.test"


def test_multi_word_name_then_reason_option() -> None:
    args = bind("!regie toewijzen Pieter de Vries reden=vakantie")
    assert (args.user, args.reason) == ("@pieter:avz.test", "vakantie")


def test_action_owner_takes_a_name_and_leaves_the_description() -> None:
    args = bind("!actie Pieter de Vries bel de school deadline=morgen")
    assert (args.owner, args.description) == ("@pieter:avz.test", "bel de school")
    org = bind("!actie politie bel de school deadline=morgen")
    assert (org.owner, org.description) == ("politie", "bel de school")


def test_ambiguous_name_lists_the_candidates() -> None:
    people = (Person("@a:x", "Pieter de Vries"), Person("@b:x", "Pieter Bakker"))
    with pytest.raises(ArgumentError) as caught:
        bind("!regie overdragen Pieter", people)
    (line,) = caught.value.lines
    assert "Pieter Bakker (@b:x)" in line and "Pieter de Vries (@a:x)" in line


def test_unknown_name_is_refused_clearly() -> None:
    with pytest.raises(ArgumentError) as caught:
        bind("!regie overdragen Klaas")
    assert "Klaas" in caught.value.lines[0]


class NoServices:
    version = "0"

    def now(self) -> datetime:
        return NOW


async def test_ambiguous_name_changes_nothing_and_says_why() -> None:
    people = (Person("@a:x", "Pieter de Vries"), Person("@b:x", "Pieter Bakker"))
    command = IncomingCommand(
        "$e", "!r:x", PRO.matrix_id, "!regie overdragen Pieter", NOW, NOW, people=people
    )
    # NoServices has no case service: reaching the handler would raise.
    result = await Dispatcher(REGISTRY, Messages(), "!").dispatch(command, PRO, NoServices())  # type: ignore[arg-type]
    assert result.outcome is Outcome.BAD_ARGUMENTS
    assert result.reply is not None and "@b:x" in result.reply.plain


async def test_an_edit_is_not_run_again() -> None:
    command = IncomingCommand(
        "$edit", "!r:x", PRO.matrix_id, "!regie overdragen Anouk", NOW, NOW, edit_of="$orig"
    )
    result = await Dispatcher(REGISTRY, Messages(), "!").dispatch(command, PRO, NoServices())  # type: ignore[arg-type]
    assert result.outcome is Outcome.IGNORED and result.command is None
    assert result.reply is not None and "bewerkt" in result.reply.plain
    assert command.claim_id == "$orig#edit"


#: As the bot sees them: Matrix display names as set (or not), the registry's names added.
REGISTERED = (
    Person("@a.bakker:avz.demo", None, ("Anouk Bakker",)),
    Person("@p.devries:avz.demo", "Pieter (politie)", ("Pieter de Vries",)),
    Person("@m.visser:avz.demo", "Marloes Visser", ("Marloes Visser",)),
)


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("Anouk", ["@a.bakker:avz.demo"]),  # the registry's first name (issue 25)
        ("Anouk Bakker", ["@a.bakker:avz.demo"]),
        ("anouk bakker", ["@a.bakker:avz.demo"]),
        ("Pieter de Vries", ["@p.devries:avz.demo"]),  # registry name beside a display name
        ("Pieter", ["@p.devries:avz.demo"]),
        ("Pieter (politie)", ["@p.devries:avz.demo"]),
        ("Marloes", ["@m.visser:avz.demo"]),
        ("a.bakker", ["@a.bakker:avz.demo"]),
        ("Bakker", []),
    ],
)
def test_people_are_found_by_every_name_the_bot_shows(phrase: str, expected: list[str]) -> None:
    assert [p.user_id for p in match_person(phrase, REGISTERED)] == expected


def test_a_registry_first_name_shared_with_a_display_name_is_ambiguous() -> None:
    people = (*REGISTERED, Person("@x:avz.demo", "Anouk Smit"))
    assert {p.user_id for p in match_person("Anouk", people)} == {
        "@a.bakker:avz.demo",
        "@x:avz.demo",
    }
    assert Person("@a.bakker:avz.demo", None, ("Anouk Bakker",)).label == (
        "Anouk Bakker (@a.bakker:avz.demo)"
    )
