"""The command tokenizer: table-driven cases and property-based robustness."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commands.parser import (
    MAX_COMMAND_LENGTH,
    ParseError,
    Token,
    is_command,
    parse_command,
)


@pytest.mark.parametrize(
    ("body", "name", "tokens"),
    [
        ("!help", "help", ()),
        ("  !HELP  ", "help", ()),
        ("!help ping", "help", (Token("ping"),)),
        (
            '!casus nieuw "Jan de V." gemeente=groningen',
            "casus",
            (Token("nieuw"), Token("Jan de V."), Token("groningen", "gemeente")),
        ),
        ('!x reden="geen tijd meer"', "x", (Token("geen tijd meer", "reden"),)),
        ("!x reden=“curly quotes”", "x", (Token("curly quotes", "reden"),)),
        ("!x “hallo wereld”", "x", (Token("hallo wereld"),)),
        ("!x „hallo wereld”", "x", (Token("hallo wereld"),)),
        ("!x commando's zijn leuk", "x", (Token("commando's"), Token("zijn"), Token("leuk"))),
        ('!x "a=b"', "x", (Token("a=b"),)),
        ("!x k=v=w", "x", (Token("v=w", "k"),)),
        ("!x Reden=hoofdletter", "x", (Token("Reden=hoofdletter"),)),
        ("!x =waarde", "x", (Token("=waarde"),)),
        ("!x reden=", "x", (Token("", "reden"),)),
        ("!x ''", "x", (Token(""),)),
        ("!x\ttab\nnieuwe regel", "x", (Token("tab"), Token("nieuwe"), Token("regel"))),
    ],
)
def test_parses(body: str, name: str, tokens: tuple[Token, ...]) -> None:
    parsed = parse_command(body, "!")
    assert parsed is not None
    assert parsed.name == name
    assert parsed.tokens == tokens


@pytest.mark.parametrize(
    "body", ["hallo", "! hoi", "!!!", "!", "", "?help", "!5 dingen", "tekst !help"]
)
def test_not_a_command(body: str) -> None:
    assert parse_command(body, "!") is None
    assert not is_command(body, "!")


@pytest.mark.parametrize("body", ['!x "open', "!x reden='open", "!x “nooit dicht"])
def test_unclosed_quote(body: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_command(body, "!")
    assert info.value.key == "error.parse.unclosed_quote"


def test_too_long() -> None:
    with pytest.raises(ParseError) as info:
        parse_command("!x " + "a" * MAX_COMMAND_LENGTH, "!")
    assert info.value.key == "error.parse.too_long"


def test_other_prefix() -> None:
    parsed = parse_command(".ping", ".")
    assert parsed is not None and parsed.name == "ping"


@given(st.text(max_size=300))
def test_any_input_parses_or_raises_parse_error(body: str) -> None:
    """No input can crash the parser: it returns None, a command, or a ParseError."""
    try:
        parsed = parse_command(body, "!")
    except ParseError as exc:
        assert exc.key.startswith("error.parse.")
        return
    if parsed is not None:
        assert parsed.name and parsed.name == parsed.name.lower()
        for token in parsed.tokens:
            assert token.key is None or token.key.isidentifier()


@given(
    st.lists(
        st.text(
            alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\"“”„'‘’"),
            min_size=1,
            max_size=20,
        ).filter(lambda s: s.strip() == s and s and not any(c.isspace() for c in s)),
        min_size=1,
        max_size=6,
    )
)
def test_quoted_words_round_trip(words: list[str]) -> None:
    """Any word, quoted, comes back as exactly that positional word."""
    body = "!x " + " ".join(f'"{w}"' for w in words)
    parsed = parse_command(body, "!")
    assert parsed is not None
    assert [t.value for t in parsed.tokens] == words
    assert all(t.key is None for t in parsed.tokens)


@given(
    st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True),
    st.text(
        # Not '"', '“' or '”': each of them closes a straight quote (see _QUOTES: phones turn
        # the closing quote curly), so a value containing one cannot round-trip by design.
        alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters='"“”'),
        max_size=30,
    ),
)
def test_quoted_option_value_round_trip(key: str, value: str) -> None:
    """Any value without a closing quote, quoted after ``key=``, comes back exactly."""
    parsed = parse_command(f'!x {key}="{value}"', "!")
    assert parsed is not None
    assert parsed.tokens == (Token(value, key),)


@pytest.mark.parametrize("closer", ['"', "”", "“"])
def test_straight_quote_closes_on_any_double_quote(closer: str) -> None:
    """The rule the round-trip generator respects: ``reden="geen tijd”`` (a phone made the
    closing quote curly) is one value, so a curly quote inside straight quotes ends it."""
    parsed = parse_command(f'!x reden="geen tijd{closer}', "!")
    assert parsed is not None
    assert parsed.tokens == (Token("geen tijd", "reden"),)


_VALUE_WORD = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp"), blacklist_characters="="
    ),
    min_size=1,
    max_size=12,
)


@given(
    words=st.lists(_VALUE_WORD, min_size=1, max_size=6),
    before=st.lists(_VALUE_WORD.filter(lambda w: w[0] not in "\"“„”'‘’"), max_size=3),
)
def test_an_unquoted_option_value_without_equals_survives(
    words: list[str], before: list[str]
) -> None:
    """Any option value without ``=`` in it, typed unquoted, comes back as typed,
    up to the next option (issue 25: people do not quote)."""
    value = " ".join(words)
    if value[0] in "\"“„”'‘’":
        value = "x" + value  # a value that starts with a quote is a quoted value
    body = f"!x {' '.join(before)} reden={value} aantal=3"
    parsed = parse_command(body, "!")
    assert parsed is not None
    assert parsed.tokens[-2:] == (Token(value, "reden"), Token("3", "aantal"))


@pytest.mark.parametrize(
    ("body", "options"),
    [
        (
            "!actie @a.bakker:avz.demo bel de huisarts deadline=vrijdag 14:00",
            [("deadline", "vrijdag 14:00")],
        ),
        ("!casus sluiten reden=geen tijd meer", [("reden", "geen tijd meer")]),
        (
            "!casus nieuw Overlast Vinkhuizen gemeente=groningen type=pga partners=ggz politie",
            [("gemeente", "groningen"), ("type", "pga"), ("partners", "ggz politie")],
        ),
        ("!x reden=zie https://x.nl/?a=b", [("reden", "zie https://x.nl/?a=b")]),
        ('!x reden="geen tijd" meer', [("reden", "geen tijd")]),
        ("!x reden=“a b” c=d e", [("reden", "a b"), ("c", "d e")]),
    ],
)
def test_option_values_run_to_the_next_option(body: str, options: list[tuple[str, str]]) -> None:
    parsed = parse_command(body, "!")
    assert parsed is not None
    assert [(t.key, t.value) for t in parsed.tokens if t.key] == options
