"""Bounded lists and bounded replies: the one mechanism every listing command uses.

Rules (README, "Lists, paging and the outbox"): a list shows the most urgent items
first, at most ``[limits] list_items`` of them, and ends with how many more there are
and the command that shows them ("… en nog 12 — typ !mijn pagina=2"). No reply may
exceed ``[limits] reply_max_bytes``; :func:`fit_content` is the final guard applied
where every message is queued (``AppServices.queue``), so even a list that forgot
these rules cannot produce an event the homeserver refuses.

How an area adopts it (signals, escalations, helpdesk, conferences, reports…):

1. Give the command a page argument: ``class MyArgs(PageArgs)`` (``pagina=``).
2. In the service, read only that page from the database, most urgent first, with a
   count of the whole list: ``rows = await repo.list(..., limit=w.limit, offset=w.offset)``
   and ``total = await repo.count(...)`` where ``w = window(args.page, limits)``.
   (A list that is already small and in memory may use :func:`page_of` instead.)
3. Render: ``Page(tuple(lines), total, w)`` → :func:`page_listing` (one list) or
   :func:`page_sections` (several headed lists, as ``!mijn``) with ``command`` the
   text that shows the next page, e.g. ``f"{prefix}mijn"``.
4. A page past the end (``pagina=9`` of a list of two pages) shows nothing of the list:
   answer :func:`beyond_reply` when :func:`beyond` holds (after the empty-list reply,
   which stays the answer for a list without items).

Everything here is pure: no I/O, no clock. Sizes are bytes of UTF-8 JSON (what the
homeserver counts), for plain text and HTML together.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any, Generic, Protocol, TypeVar

from pydantic import BaseModel, Field

from avz_bot.domain.inbound import Reply
from avz_bot.formatting import listing, text

T = TypeVar("T")

#: Room left for the envelope (``m.relates_to``, ``m.mentions``, msgtype) and the
#: "more" line when a list is cut to its byte budget.
ENVELOPE_BYTES = 1_000
#: The highest page number accepted (a bound on OFFSET; nobody pages this far).
MAX_PAGE = 1_000


class PageArgs(BaseModel):
    """``[pagina=<n>]``: which page of a list (1 is the most urgent items)."""

    page: int = Field(
        default=1,
        alias="pagina",
        ge=1,
        le=MAX_PAGE,
        json_schema_extra={"help": "arg.page"},  # as commands.framework.help_text
    )


@dataclass(frozen=True, slots=True)
class Window:
    """Which slice of a list to read: page ``page`` (1-based) of ``size`` items."""

    page: int
    size: int

    @property
    def offset(self) -> int:
        """Rows to skip (SQL ``OFFSET``)."""
        return (self.page - 1) * self.size

    @property
    def limit(self) -> int:
        """Rows to read (SQL ``LIMIT``)."""
        return self.size


def window(page: int, size: int) -> Window:
    """The window of page ``page`` (clamped to 1…``MAX_PAGE``) of ``size`` items."""
    return Window(min(max(page, 1), MAX_PAGE), max(size, 1))


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """The items of one window and the size of the whole list."""

    items: tuple[T, ...]
    total: int
    window: Window

    @property
    def more(self) -> int:
        """Items after this page."""
        return max(0, self.total - self.window.offset - len(self.items))

    @property
    def next_page(self) -> int:
        """The page number that continues this one."""
        return self.window.page + 1

    @property
    def last_page(self) -> int:
        """The number of the list's last page (1 for an empty list)."""
        return max(1, -(-self.total // self.window.size))

    @property
    def beyond(self) -> bool:
        """Whether this page lies past the end of the list (nothing of it is on it)."""
        return self.window.page > 1 and self.window.offset >= self.total


def page_of(items: Sequence[T], win: Window) -> Page[T]:
    """One page of an in-memory list that is already sorted most urgent first."""
    return Page(tuple(items[win.offset : win.offset + win.limit]), len(items), win)


def content_size(content: Mapping[str, Any]) -> int:
    """Bytes of ``content`` as JSON in UTF-8 (how the homeserver measures an event)."""
    return len(json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode())


def reply_size(reply: Reply) -> int:
    """Bytes of a reply's content (plain text plus HTML, as queued)."""
    return content_size(reply.to_content())


class Texts(Protocol):
    """Something that words catalogue keys (a service or view's ``t``)."""

    def t(self, key: str, /, **values: object) -> str:
        """The catalogue text of ``key`` with ``values`` filled in."""
        ...


def beyond(*pages: Page[Any]) -> bool:
    """Whether every list of a reply (one page of each) is past its end."""
    return bool(pages) and all(page.beyond for page in pages)


def beyond_reply(texts: Texts, command: str, *pages: Page[Any]) -> Reply:
    """The reply to a page number past the end: which page is the last, and how to start
    again (``command`` is what shows the first page, e.g. ``"!signalen"``)."""
    return text(
        texts.t(
            "list.beyond",
            page=pages[0].window.page,
            last=max(page.last_page for page in pages),
            command=command,
        )
    )


#: Renders the "more" line: (count of items not shown, next page number) → text ("" if 0).
MoreLine = Callable[[int, int], str]


def page_listing(
    title: str,
    page: Page[str],
    more_line: MoreLine,
    budget: int,
    *,
    least_urgent_first: bool = False,
    note: str = "",
) -> Reply:
    """A bold title, the page's items and, if any are not shown, the "more" line;
    then ``note`` (a line every page ends with, such as what to do with the items).

    The least urgent items are dropped (and counted as more) until the reply fits in
    ``budget`` bytes, so even very long items never make an oversized reply: those at
    the end, or at the start when the list is shown ``least_urgent_first`` (a timeline
    with the newest entry last).
    """
    items = list(page.items)
    cut = 0
    while True:
        more = more_line(page.more + cut, page.next_page) if page.more + cut else ""
        reply = listing(title, items, "\n".join(part for part in (more, note) if part))
        if not items or reply_size(reply) <= budget:
            return reply
        items.pop(0 if least_urgent_first else -1)
        cut += 1


def page_sections(
    title: str,
    parts: Sequence[tuple[str, Page[str]]],
    more_line: MoreLine,
    empty: str,
    budget: int,
) -> Reply:
    """Several headed lists (each a page), each with its own "more" line; within
    ``budget`` bytes (the longest list is shortened first)."""
    kept = [list(page.items) for _, page in parts]
    cut = [0 for _ in parts]
    while True:
        reply = _sections(title, parts, kept, cut, more_line, empty)
        if reply_size(reply) <= budget or not any(kept):
            return reply
        longest = max(range(len(kept)), key=lambda i: len(kept[i]))
        kept[longest].pop()
        cut[longest] += 1


def _sections(
    title: str,
    parts: Sequence[tuple[str, Page[str]]],
    kept: list[list[str]],
    cut: list[int],
    more_line: MoreLine,
    empty: str,
) -> Reply:
    plain = [title]
    html = f"<strong>{escape(title)}</strong>"
    for (heading, page), items, dropped in zip(parts, kept, cut, strict=True):
        rows = items or ([empty] if not page.more + dropped else [])
        plain.append(heading)
        plain.extend(f"  • {item}" for item in rows)
        html += f"<p>{escape(heading)}</p><ul>"
        html += "".join(f"<li>{escape(item)}</li>" for item in rows) + "</ul>"
        hidden = page.more + dropped
        if hidden:
            line = more_line(hidden, page.next_page)
            plain.append(f"  {line}")
            html += f"<p>{escape(line)}</p>"
    return Reply(plain="\n".join(plain), html=html)


def fit_reply(reply: Reply, max_bytes: int, cut_note: str) -> Reply:
    """``reply`` unchanged if its content fits in ``max_bytes``, else shortened.

    The final guard: the plain text is cut (on a line boundary where possible) and
    ends with ``cut_note``; the HTML becomes the escaped shortened text, because
    cutting markup could leave broken tags. Mentions are kept.
    """
    if reply_size(reply) <= max_bytes:
        return reply
    allowed = max(0, (max_bytes - ENVELOPE_BYTES) // 2)
    while True:
        plain = _shortened(reply.plain, allowed, cut_note)
        shortened = Reply(plain, escape(plain).replace("\n", "<br>"), reply.mentions)
        if reply_size(shortened) <= max_bytes or allowed == 0:
            return shortened
        allowed = allowed * 3 // 4


def fit_content(content: dict[str, Any], max_bytes: int, cut_note: str) -> dict[str, Any]:
    """Message ``content`` within ``max_bytes``: ``body`` and ``formatted_body``
    shortened like :func:`fit_reply` if needed (the other fields are kept).

    Raises ``ValueError`` if even without text the content is too large.
    """
    if content_size(content) <= max_bytes:
        return content
    fitted = dict(content)
    allowed = max(0, (max_bytes - ENVELOPE_BYTES) // 2)
    while True:
        plain = _shortened(str(content.get("body", "")), allowed, cut_note)
        fitted["body"] = plain
        if "formatted_body" in content:
            fitted["formatted_body"] = escape(plain).replace("\n", "<br>")
        if content_size(fitted) <= max_bytes:
            return fitted
        if allowed == 0:
            raise ValueError("message content does not fit even without its text")
        allowed = allowed * 3 // 4


def _shortened(value: str, max_bytes: int, cut_note: str) -> str:
    """The start of ``value`` (at most ``max_bytes`` of UTF-8, cut after a whole line
    where there is one) followed by ``cut_note`` on its own line."""
    cut = value.encode()[:max_bytes].decode(errors="ignore")
    if "\n" in cut:
        cut = cut[: cut.rfind("\n")]
    return f"{cut}\n{cut_note}" if cut else cut_note
