"""The bounded-list mechanism (``avz_bot.lists``): pages, "more" lines, the size guard."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from avz_bot.domain.inbound import Reply
from avz_bot.lists import (
    Page,
    beyond,
    beyond_reply,
    content_size,
    fit_content,
    fit_reply,
    page_listing,
    page_of,
    page_sections,
    reply_size,
    window,
)


def more(count: int, page: int) -> str:
    return f"… en nog {count}. Meer zien: !x pagina={page}"


def test_pages_cover_the_list_once_in_order() -> None:
    items = [f"item {n}" for n in range(23)]
    seen: list[str] = []
    for number in (1, 2, 3):
        page = page_of(items, window(number, 10))
        seen.extend(page.items)
        assert page.more == max(0, 23 - number * 10)
    assert seen == items
    assert page_of(items, window(9, 10)).items == ()


def test_the_more_line_names_the_count_and_the_next_page() -> None:
    page = page_of([f"item {n}" for n in range(40)], window(1, 15))
    reply = page_listing("Titel", page, more, 16_000)
    assert reply.plain.splitlines()[-1] == "… en nog 25. Meer zien: !x pagina=2"
    assert reply.plain.count("• ") == 15
    last = page_of([f"item {n}" for n in range(40)], window(3, 15))
    assert "en nog" not in page_listing("Titel", last, more, 16_000).plain


def test_long_items_are_dropped_into_the_count_to_stay_within_budget() -> None:
    page = Page(tuple("x" * 2_000 for _ in range(15)), 100, window(1, 15))
    reply = page_listing("Titel", page, more, 8_000)
    assert reply_size(reply) <= 8_000
    shown = reply.plain.count("• ")
    assert 0 < shown < 15
    assert f"en nog {100 - shown}." in reply.plain


def test_sections_each_say_what_is_left() -> None:
    a = page_of([f"a{n}" for n in range(30)], window(1, 10))
    b = page_of(["b1"], window(1, 10))
    c = page_of([], window(1, 10))
    reply = page_sections("Bord", [("A:", a), ("B:", b), ("C:", c)], more, "geen", 16_000)
    assert "… en nog 20. Meer zien: !x pagina=2" in reply.plain
    assert "  • geen" in reply.plain  # the empty section says so
    assert reply.plain.count("en nog") == 1


def test_a_page_past_the_end_is_recognised_and_names_the_last_page() -> None:
    items = [f"item {n}" for n in range(23)]
    assert [page_of(items, window(n, 10)).last_page for n in (1, 3)] == [3, 3]
    assert not page_of(items, window(3, 10)).beyond
    assert page_of(items, window(4, 10)).beyond
    assert page_of([], window(1, 10)).last_page == 1 and not page_of([], window(1, 10)).beyond
    # Several lists in one reply: past the end only when every one of them is.
    short, long = page_of(items[:5], window(2, 10)), page_of(items, window(2, 10))
    assert not beyond(short, long) and beyond(short, page_of(items, window(4, 10)))

    class Texts:
        def t(self, key: str, /, **values: object) -> str:
            assert key == "list.beyond"
            return (
                f"Pagina {values['page']} bestaat niet; tot {values['last']}: {values['command']}"
            )

    reply = beyond_reply(Texts(), "!x", short, page_of(items, window(4, 10)))
    assert reply.plain == "Pagina 2 bestaat niet; tot 3: !x"


def test_a_note_ends_every_page_after_the_more_line() -> None:
    items = [f"item {n}" for n in range(12)]
    first = page_listing("Titel", page_of(items, window(1, 10)), more, 16_000, note="Besluit")
    assert first.plain.splitlines()[-2:] == ["… en nog 2. Meer zien: !x pagina=2", "Besluit"]
    assert first.html.endswith("pagina=2<br>Besluit")
    last = page_listing("Titel", page_of(items, window(2, 10)), more, 16_000, note="Besluit")
    assert last.plain.splitlines()[-1] == "Besluit" and "en nog" not in last.plain


@given(st.text(min_size=0, max_size=60_000), st.integers(min_value=2_000, max_value=40_000))
def test_fit_reply_never_exceeds_the_bound(body: str, limit: int) -> None:
    reply = Reply(plain=body, html=body.replace("<", "&lt;") * 2, mentions=("@a:x",))
    fitted = fit_reply(reply, limit, "(ingekort)")
    assert reply_size(fitted) <= limit
    if reply_size(reply) <= limit:
        assert fitted == reply
    else:
        assert fitted.plain.endswith("(ingekort)") and fitted.mentions == ("@a:x",)


def test_fit_content_keeps_the_envelope() -> None:
    content = {
        "msgtype": "m.notice",
        "body": "é" * 50_000,
        "formatted_body": "<b>x</b>" * 10_000,
        "m.relates_to": {"m.in_reply_to": {"event_id": "$e"}},
    }
    fitted = fit_content(content, 16_000, "(ingekort)")
    assert content_size(fitted) <= 16_000
    assert fitted["m.relates_to"] == content["m.relates_to"]
    assert fitted["body"].endswith("(ingekort)")
