"""Issue 25: ``@room`` in text the bot repeats never reaches a message body as ``@room``.

The bot holds power 100 in case rooms; clients that read the body instead of
``m.mentions`` would notify the whole room. One place defuses it: the building of every
message the bot sends (``Reply.to_content``)."""

from __future__ import annotations

import pytest

from avz_bot.domain.inbound import WORD_JOINER, Reply, without_room_mention
from avz_bot.formatting import listing, mentioning, paragraphs, sections, text


@pytest.mark.parametrize(
    "typed", ["@room let op", "LET OP @Room!", "zie @room.", "(@ROOM)", "a@room b @room"]
)
def test_room_mentions_are_defused_in_body_and_html(typed: str) -> None:
    for reply in (
        text(typed),
        paragraphs("Afspraken", typed),
        listing("Open afspraken", [f"1. {typed} — deadline morgen"]),
        sections("Agenda", [("Punt", [typed])], "geen"),
        mentioning([("@a:avz.test", "Anouk")], typed),
    ):
        content = reply.to_content()
        for field in ("body", "formatted_body"):
            assert "@room" not in content[field].casefold(), (field, content[field])
            assert f"@{WORD_JOINER}" in content[field]
        assert content["m.mentions"] == {"user_ids": list(reply.mentions)}


@pytest.mark.parametrize("typed", ["@roommate", "bel @anouk:avz.test", "room@ne", "e-mail a@b.nl"])
def test_other_text_is_left_alone(typed: str) -> None:
    assert without_room_mention(typed) == typed
    assert Reply(typed, typed).to_content()["body"] == typed
