"""The overview page: totals, filters, the case table, the smaller parts and the charts.

All wording comes from the catalogue (``board.*``); every value is escaped
(:mod:`avz_bot.services.board.layout`). Links carry only filter codes, sort keys, page
numbers and case references: never a person's data.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from avz_bot.domain.cases.state import CaseStatus
from avz_bot.messages import Messages
from avz_bot.services.board.charts import bar_chart, summary
from avz_bot.services.board.layout import day, e, header, moment, page, section, table
from avz_bot.services.board.service import BoardQuery, Overview
from avz_bot.settings_sections.cases import CasesSettings
from storage.board_repositories import CaseLine

#: The case table's columns: (sort key or None, catalogue key), in order.
COLUMNS = (
    ("reference", "board.col.reference"),
    ("municipality", "board.col.municipality"),
    ("type", "board.col.type"),
    ("status", "board.col.status"),
    ("regie", "board.col.regie"),
    ("overdue", "board.col.overdue"),
    (None, "board.col.due_soon"),
    (None, "board.col.escalations"),
    ("opened", "board.col.opened"),
)


def query_string(query: BoardQuery, lang: str, **change: object) -> str:
    """The overview's URL query for ``query`` with ``change`` applied (codes only)."""
    f = query.filters
    values: dict[str, object] = {
        "gemeente": f.municipality or "",
        "type": f.case_type or "",
        "status": f.status or "",
        "geenregie": "1" if f.no_regie else "",
        "verlopen": "1" if f.overdue else "",
        "sort": query.sort,
        "af": "1" if query.descending else "",
        "pagina": query.page,
        "lang": lang,
    }
    values.update(change)
    return "?" + urlencode({k: v for k, v in values.items() if v not in ("", None)})


def _select(name: str, label: str, options: dict[str, str], chosen: str | None, any_: str) -> str:
    opts = f'<option value="">{e(any_)}</option>' + "".join(
        f'<option value="{e(code)}"{" selected" if code == chosen else ""}>{e(text)}</option>'
        for code, text in options.items()
    )
    return f'<label for="f-{name}">{e(label)}</label><select id="f-{name}" name="{name}">{opts}</select>'


def _check(name: str, label: str, on: bool) -> str:
    checked = " checked" if on else ""
    return (
        f'<span class="check"><input type="checkbox" id="f-{name}" name="{name}" value="1"'
        f'{checked}><label for="f-{name}">{e(label)}</label></span>'
    )


def filters(messages: Messages, cases: CasesSettings, query: BoardQuery) -> str:
    """The filter form (GET, so a filtered view can be bookmarked: codes only)."""
    t, f = messages.t, query.filters
    any_ = t("board.filter.any")
    sorts = {key: t(label) for key, label in COLUMNS if key is not None}
    statuses = {s.value: s.value for s in CaseStatus if s is not CaseStatus.GESLOTEN}
    return (
        f'<form method="get" action="/board" class="filters" aria-label="{e(t("board.filters"))}">'
        + _select(
            "gemeente", t("board.filter.municipality"), cases.municipalities, f.municipality, any_
        )
        + _select("type", t("board.filter.type"), cases.case_types, f.case_type, any_)
        + _select("status", t("board.filter.status"), statuses, f.status, any_)
        + _check("geenregie", t("board.filter.no_regie"), f.no_regie)
        + _check("verlopen", t("board.filter.overdue"), f.overdue)
        + f'<label for="f-sort">{e(t("board.filter.sort"))}</label><select id="f-sort" name="sort">'
        + "".join(
            f'<option value="{k}"{" selected" if k == query.sort else ""}>{e(v)}</option>'
            for k, v in sorts.items()
        )
        + "</select>"
        + _check("af", t("board.filter.descending"), query.descending)
        + f'<input type="hidden" name="lang" value="{e(messages.locale)}">'
        + f'<button type="submit">{e(t("board.filter.apply"))}</button>'
        + f' <a href="/board?lang={e(messages.locale)}">{e(t("board.filter.reset"))}</a></form>'
    )


def _regie(messages: Messages, holder: str | None, names: dict[str, str]) -> str:
    if holder is None:
        return f'<strong class="alarm">⚠ {e(messages.t("board.no_regie"))}</strong>'
    return e(names.get(holder, holder))


def _line(
    messages: Messages, line: CaseLine, names: dict[str, str], cases: CasesSettings
) -> list[str]:
    lang = messages.locale
    ref = (
        f'<a href="/board/casus/{e(line.reference)}?lang={lang}">{e(line.reference)}</a>'
        if line.is_member
        else e(line.reference)
    )
    overdue = f'<strong class="alarm">{line.overdue}</strong>' if line.overdue else "0"
    return [
        ref,
        e(cases.municipalities.get(line.municipality, line.municipality)),
        e(cases.case_types.get(line.case_type, line.case_type)),
        e(line.status),
        _regie(messages, line.regie_holder, names),
        overdue,
        str(line.due_soon),
        str(line.escalations),
        day(line.created_at),
    ]


def _sort_headers(messages: Messages, query: BoardQuery) -> list[str]:
    heads = []
    for key, label in COLUMNS:
        text = e(messages.t(label))
        if key is None:
            heads.append(text)
            continue
        descending = not query.descending if key == query.sort else key in {"overdue", "opened"}
        href = query_string(
            query, messages.locale, sort=key, af="1" if descending else "", pagina=1
        )
        current = ""
        if key == query.sort:
            current = ' aria-current="true"'
            text += " ▼" if query.descending else " ▲"
        heads.append(
            f'<a href="{e(href)}"{current} aria-label="{e(messages.t("board.sort.by", column=messages.t(label)))}">'
            f"{text}</a>"
        )
    return heads


def case_table(messages: Messages, overview: Overview, cases: CasesSettings) -> str:
    """The open cases: caption, sortable headers, one page of lines, and paging."""
    q = overview.query
    caption = messages.t(
        "board.cases.caption", total=overview.total, page=q.page, pages=overview.pages
    )
    rows = [_line(messages, line, overview.names, cases) for line in overview.lines]
    scope = "board.cases.scope_all" if overview.scope.all_cases else "board.cases.scope_own"
    body = table(
        caption,
        _sort_headers(messages, q),
        rows,
        empty=messages.t("board.cases.none"),
        numeric=frozenset({5, 6, 7}),
        raw_headers=True,
    )
    return f"<p>{e(messages.t(scope))}</p>{body}{paging(messages, overview)}"


def paging(messages: Messages, overview: Overview) -> str:
    """Previous / page n of m / next."""
    q, lang = overview.query, messages.locale
    parts = []
    if q.page > 1:
        href = query_string(q, lang, pagina=q.page - 1)
        parts.append(f'<a rel="prev" href="{e(href)}">{e(messages.t("board.page.previous"))}</a>')
    parts.append(
        f"<span>{e(messages.t('board.page.of', page=q.page, pages=overview.pages))}</span>"
    )
    if q.page < overview.pages:
        href = query_string(q, lang, pagina=q.page + 1)
        parts.append(f'<a rel="next" href="{e(href)}">{e(messages.t("board.page.next"))}</a>')
    return f'<nav aria-label="{e(messages.t("board.pages"))}" class="pages">{" ".join(parts)}</nav>'


def totals(messages: Messages, overview: Overview) -> str:
    """The four figures at the top."""
    t = overview.totals
    items = [
        ("board.total.open", t.open_cases, False),
        ("board.total.no_regie", t.no_regie, t.no_regie > 0),
        ("board.total.overdue", t.overdue_agreements, t.overdue_agreements > 0),
        ("board.total.due_soon", t.due_soon_agreements, False),
    ]
    tiles = "".join(
        f'<div class="tile{" warn" if warn else ""}"><dt>{e(messages.t(key))}</dt>'
        f"<dd>{value}</dd></div>"
        for key, value, warn in items
    )
    return f'<dl class="tiles">{tiles}</dl>'


#: The smaller parts of the overview (``board.<part>`` and ``board.<part>.none``).
PARTS = ("agreements", "escalations", "tvo", "conferences", "questions")
#: The columns of the smaller parts (``board.col.<column>``).
PART_COLUMNS = (
    "reference",
    "number",
    "description",
    "owner",
    "deadline",
    "escalation",
    "route",
    "status",
    "level",
    "clock",
    "municipality",
    "waiting",
    "oldest",
    "conference",
    "starts",
    "question",
    "theme",
    "since",
)


def _cols(messages: Messages, *keys: str) -> list[str]:
    return [messages.t(f"board.col.{k}") for k in keys]


def part(
    messages: Messages, key: str, columns: tuple[str, ...], rows: list[list[str]], numeric: int = -1
) -> str:
    """One titled part: heading ``board.<key>``, its table, or ``board.<key>.none``."""
    title = messages.t(f"board.{key}")
    figures = table(
        title,
        _cols(messages, *columns),
        rows,
        empty=messages.t(f"board.{key}.none"),
        numeric=frozenset({numeric}),
    )
    return section(key, title, figures)


def _alarm(messages: Messages, key: str, on: bool) -> str:
    return f' <strong class="alarm">{e(messages.t(key))}</strong>' if on else ""


def _agreement_rows(messages: Messages, overview: Overview, now: datetime) -> list[list[str]]:
    names = overview.names
    return [
        [
            e(r[0]),
            str(r[1]),
            e(r[2]),
            e(names.get(r[3] or "", r[3] or r[4] or "")),
            e(moment(r[5])) + _alarm(messages, "board.overdue_mark", r[5] < now),
        ]
        for r in overview.agreements
    ]


def escalation_rows(
    messages: Messages, escalations: list[tuple[Any, ...]], now: datetime
) -> list[list[str]]:
    """Open escalations as table cells, the clock running since the level started."""
    rows = []
    for r in escalations:
        hours = int((now - r[5]).total_seconds() // 3600)
        clock = e(messages.t("board.clock", since=moment(r[5]), hours=hours))
        if r[-1] is not None:
            clock += "<br>" + e(messages.t("board.due", due=moment(r[-1])))
            clock += _alarm(messages, "board.due_passed", r[-1] < now)
        rows.append(
            [
                e(r[0]),
                e(r[1]),
                e(r[2]),
                e(r[3]),
                str(r[4]),
                clock + _alarm(messages, "board.urgent", r[6]),
            ]
        )
    return rows


def conference_rows(rows: list[tuple[Any, ...]]) -> list[list[str]]:
    """Conferences as table cells: reference, case, start."""
    return [[e(f"OV-{r[0]}-{r[1]:04d}"), e(r[2]), e(moment(r[3]))] for r in rows]


def parts(messages: Messages, overview: Overview, now: datetime, cases: CasesSettings) -> str:
    """Agreements, escalations, TVO queue, conferences and questions."""
    names = cases.municipalities
    tvo = [[e(names.get(r[0], r[0])), str(r[1]), e(day(r[2]))] for r in overview.tvo]
    conferences = conference_rows(overview.conferences)
    questions = [
        [e(f"VR-{r[0]}-{r[1]}"), e(r[2]), e(r[3]), e(day(r[4]))] for r in overview.questions
    ]
    agreement_cols = ("reference", "number", "description", "owner", "deadline")
    escalation_cols = ("escalation", "reference", "route", "status", "level", "clock")
    return "".join(
        [
            part(messages, "agreements", agreement_cols, _agreement_rows(messages, overview, now)),
            part(
                messages,
                "escalations",
                escalation_cols,
                escalation_rows(messages, overview.escalations, now),
            ),
            part(messages, "tvo", ("municipality", "waiting", "oldest"), tvo, numeric=1),
            part(messages, "conferences", ("conference", "reference", "starts"), conferences),
            part(messages, "questions", ("question", "theme", "status", "since"), questions),
        ]
    )


def charts(messages: Messages, overview: Overview, cases: CasesSettings) -> str:
    """The trend charts, each with its figures as a table."""
    t = messages.t
    months = overview.per_month
    places = [(cases.municipalities.get(c, c), n) for c, n in overview.per_municipality]
    out = []
    for chart_id, key, data, first in (
        ("c-month", "board.chart.month", months, "board.col.period"),
        ("c-mun", "board.chart.municipality", places, "board.col.municipality"),
    ):
        svg = bar_chart(chart_id, t(key), t(f"{key}_desc", summary=summary(data)), data)
        figures = table(
            t(key),
            [t(first), t("board.col.count")],
            [[e(a), str(b)] for a, b in data],
            empty="—",
            numeric=frozenset({1}),
        )
        out.append(
            f"<figure>{svg}<figcaption>{e(t(key))}</figcaption></figure>"
            f"<details><summary>{e(t('board.chart.table'))}</summary>{figures}</details>"
        )
    return section("trends", t("board.trends"), "".join(out))


def overview_page(
    messages: Messages, overview: Overview, cases: CasesSettings, now: datetime
) -> str:
    """The whole overview document."""
    t = messages.t
    other = "en" if messages.locale == "nl" else "nl"
    switch = "/board" + query_string(overview.query, other)
    body = (
        f"<h1>{e(t('board.title'))}</h1>"
        + section("summary", t("board.summary"), totals(messages, overview))
        + filters(messages, cases, overview.query)
        + section("cases", t("board.cases"), case_table(messages, overview, cases))
        + parts(messages, overview, now, cases)
        + charts(messages, overview, cases)
    )
    name = overview.reader.display_name
    return page(messages, t("board.title"), body, header=header(messages, name, switch))
