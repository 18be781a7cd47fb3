"""The board's other pages: one case, the sign-in step of a link, and the widget's start."""

from __future__ import annotations

from datetime import datetime

from avz_bot.messages import Messages
from avz_bot.services.board.layout import e, header, moment, page, section, table
from avz_bot.services.board.pages import conference_rows, escalation_rows, part
from avz_bot.services.board.service import CasePage
from avz_bot.settings_sections.cases import CasesSettings


def _details(messages: Messages, data: CasePage, cases: CasesSettings) -> str:
    t, names = messages.t, data.names
    row, state = data.loaded.row, data.loaded.state
    holder = state.regie_holder
    regie = (
        e(
            t(
                "board.case.regie_since",
                name=names.get(holder, holder),
                since=moment(state.regie_since),
            )
        )
        if holder
        else f'<strong class="alarm">⚠ {e(t("board.no_regie"))}</strong>'
    )
    details = (
        "<dl class=details>"
        f"<dt>{e(t('board.col.municipality'))}</dt>"
        f"<dd>{e(cases.municipalities.get(row.municipality, row.municipality))}</dd>"
        f"<dt>{e(t('board.col.type'))}</dt><dd>{e(cases.case_types.get(row.case_type, row.case_type))}</dd>"
        f"<dt>{e(t('board.col.status'))}</dt><dd>{e(row.status)}</dd>"
        f"<dt>{e(t('board.col.regie'))}</dt><dd>{regie}</dd>"
        f"<dt>{e(t('board.col.opened'))}</dt><dd>{e(moment(row.created_at))}</dd></dl>"
    )
    return details


def _open_items(messages: Messages, data: CasePage, now: datetime) -> str:
    """The case's open escalations (with their clock) and planned conferences."""
    escalation_cols = ("escalation", "reference", "route", "status", "level", "clock")
    escalations = escalation_rows(messages, data.escalations, now)
    conferences = conference_rows(data.conferences)
    return part(messages, "escalations", escalation_cols, escalations) + part(
        messages, "conferences", ("conference", "reference", "starts"), conferences
    )


def case_page(messages: Messages, data: CasePage, cases: CasesSettings, now: datetime) -> str:
    """One case for one of its members: details, members, open agreements, open
    escalations with their clock, planned conferences."""
    t, names = messages.t, data.names
    row, state = data.loaded.row, data.loaded.state
    details = _details(messages, data, cases)
    members = [
        [
            e(names.get(user, user)),
            e(data.organisations.get(m.organisation_code, m.organisation_code)),
        ]
        for user, m in sorted(state.members.items())
    ]
    agreements = [
        [str(a[0]), e(a[1]), e(names.get(a[2] or "", a[2] or a[3] or "")), e(moment(a[4]))]
        for a in data.agreements
    ]
    title = t("board.case.title", reference=row.reference)
    body = (
        f'<p><a href="/board?lang={messages.locale}">{e(t("board.case.back"))}</a></p>'
        f"<h1>{e(title)}</h1>"
        + section("details", t("board.case.details"), details)
        + section(
            "members",
            t("board.case.members"),
            table(
                t("board.case.members"),
                [t("board.col.member"), t("board.col.organisation")],
                members,
                empty="—",
            ),
        )
        + section(
            "case-agreements",
            t("board.case.agreements"),
            table(
                t("board.case.agreements"),
                [
                    t("board.col.number"),
                    t("board.col.description"),
                    t("board.col.owner"),
                    t("board.col.deadline"),
                ],
                agreements,
                empty=t("board.case.agreements.none"),
            ),
        )
        + _open_items(messages, data, now)
    )
    other = "en" if messages.locale == "nl" else "nl"
    switch = f"/board/casus/{row.reference}?lang={other}"
    return page(messages, title, body, header=header(messages, data.reader.display_name, switch))


def sign_in_page(messages: Messages, token: str) -> str:
    """The page a ``!overzicht`` link opens: one button that redeems the link (a POST, so
    a link preview or a prefetch cannot use it up)."""
    t = messages.t
    body = (
        f"<h1>{e(t('board.signin.title'))}</h1><p>{e(t('board.signin.text'))}</p>"
        '<form method="post" action="/board/in">'
        f'<input type="hidden" name="token" value="{e(token)}">'
        f'<button type="submit">{e(t("board.signin.button"))}</button></form>'
    )
    return page(messages, t("board.signin.title"), body)


def widget_page(messages: Messages) -> str:
    """The widget's start page: its script asks the client for an OpenID token and hands
    it to ``/board/widget/session`` (matrix-widget-api, served by the bot)."""
    t = messages.t
    body = (
        f"<h1>{e(t('board.widget.title'))}</h1>"
        f'<p id="widget-status" role="status">{e(t("board.widget.waiting"))}</p>'
        f'<p id="widget-failed" hidden role="alert">{e(t("board.widget.failed"))}</p>'
    )
    return page(
        messages, t("board.widget.title"), body, scripts=("matrix-widget-api.js", "widget.js")
    )
