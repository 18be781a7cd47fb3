"""Every catalogue key composed at run time exists, in Dutch and in English.

A key built from a value (``f"case.status.{row.status}"``) is only as good as the set of
values it is built from. :data:`FAMILIES` names, for every such key family (the literal
part of the f-string before the value), that set: the enum of the domain it comes from,
or for data-driven keys (reports, the case timeline) what the code can produce. Every
resulting key must exist in both locales. A missing one used to fail the command that
reached it ("er ging iets mis", see ``!kennis nieuw`` on a case that is not closed); the
running bot now logs it and shows a neutral text (``Messages(strict=False)``), but that is
a last resort: this file is what catches it.

``test_every_composed_key_has_a_family`` scans the code, so a new composed key whose
family is not listed here fails too. When it does: add the family with the values it is
built from — an enum, not a list of literals.
"""

from __future__ import annotations

import ast
import re
import typing
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from pathlib import Path

import pytest

from avz_bot.domain import cases as case_domain
from avz_bot.domain import escalations as esc
from avz_bot.domain import helpdesk as hd
from avz_bot.domain.agreements.permissions import Actor as AgreementActor
from avz_bot.domain.agreements.permissions import Scope as AgreementScope
from avz_bot.domain.agreements.reminders import ReminderKind
from avz_bot.domain.conferences.lifecycle import RefusalCode as ConferenceRefusalCode
from avz_bot.domain.conferences.papers import ReminderKind as ConferenceReminderKind
from avz_bot.domain.conferences.papers import SectionName
from avz_bot.domain.conferences.permissions import ConferenceActor
from avz_bot.domain.conferences.state import ConferenceStatus, Phase
from avz_bot.domain.dates import WhenErrorCode
from avz_bot.domain.partners import OrgDomain, Role
from avz_bot.domain.privacy.permissions import PrivacyActor
from avz_bot.domain.privacy.requests import RequestKind
from avz_bot.domain.reports.agreements import AgreementCounts, AgreementFacts, LateAgreement
from avz_bot.domain.reports.agreements import agreements as agreement_section
from avz_bot.domain.reports.areas import (
    CardFacts,
    EscalationFacts,
    MatchFacts,
    QuestionFacts,
    SignalFacts,
)
from avz_bot.domain.reports.areas import escalations as escalation_section
from avz_bot.domain.reports.areas import helpdesk as helpdesk_section
from avz_bot.domain.reports.areas import signals as signal_section
from avz_bot.domain.reports.figures import Bars, Boxes, Section, Trend
from avz_bot.domain.reports.periods import PeriodError, Unit, WorkingTime
from avz_bot.domain.reports.sections import (
    CaseCounts,
    CaseloadFacts,
    Labels,
    OpenedCase,
    RegieFacts,
    VacantCase,
    caseload,
    procesregie,
)
from avz_bot.domain.signals import (
    Decision,
    Place,
    Severity,
    SignalActor,
    SignalRefusal,
    SignalStatus,
)
from avz_bot.domain.signals.identifiers import IdentifierProblem
from avz_bot.domain.workdays import WorkCalendar
from avz_bot.messages import CATALOGUES, Messages
from avz_bot.services.board import pages as board_pages
from avz_bot.services.helpdesk.cards import HelpdeskProblem
from avz_bot.services.helpdesk.results import CardEvent, QuestionEvent
from avz_bot.services.helpdesk.view import status_key
from commands.builtin import RoomKind
from commands.framework import Audience

ROOT = Path(__file__).resolve().parents[2]


def values(*enums: type[Enum]) -> list[str]:
    """The values of every member of ``enums``."""
    return [str(member.value) for enum in enums for member in enum]


# --------------------------------------------------------------------------- scanning the code

#: Calls whose first argument is a catalogue key (``t`` and the areas' wrappers of it).
KEY_CALLS = frozenset({"t", "t_lenient", "has", "_refuse", "problem", "line", "coordination"})
#: The literal head of a composed key: dotted lower-case words, ending where the value
#: starts (``case.status.``, ``mine.waiting_``); dedupe keys (``helpdesk:q:…``) are not.
KEY_HEAD = re.compile(r"^[a-z][a-z_]*(\.[a-z_]+)*[._]$")


def _calls(path: Path) -> Iterator[ast.Call]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            yield node


def _callee(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return call.func.id if isinstance(call.func, ast.Name) else None


def _head(node: ast.AST) -> str | None:
    """The literal start of an f-string that builds a key, or None."""
    if not isinstance(node, ast.JoinedStr) or not node.values:
        return None
    first = node.values[0]
    if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
        return None
    return first.value if KEY_HEAD.match(first.value) else None


def composed_keys(path: Path) -> Iterator[tuple[int, str]]:
    """(line, head) of every key ``path`` composes at run time: an f-string passed as the
    key to ``KEY_CALLS``, or assigned to or returned from a name ending in ``key``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        candidates: list[ast.AST] = []
        if isinstance(node, ast.Call) and _callee(node) in KEY_CALLS and node.args:
            candidates.append(node.args[0])
        elif isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id.endswith("key") for t in targets):
                candidates.append(node.value)
        elif isinstance(node, ast.FunctionDef) and node.name.endswith("key"):
            candidates += [r.value for r in ast.walk(node) if isinstance(r, ast.Return) and r.value]
        for candidate in candidates:
            head = _head(candidate)
            if head is not None:
                yield getattr(candidate, "lineno", node.lineno), head


# --------------------------------------------------------------------------- reports


def _report_sections() -> list[Section]:
    """Every report section, computed from a little data of every kind and threshold 1,
    so every table, line, chart and label the domain can produce is in it."""
    t0 = datetime(2026, 10, 5, 9, tzinfo=UTC)
    t1, t2, now = t0 + timedelta(days=1), t0 + timedelta(days=3), t0 + timedelta(days=30)
    work = WorkingTime(WorkCalendar(), date(2026, 9, 1), date(2026, 12, 31))
    labels = Labels({"groningen": "Groningen", "oldambt": "Oldambt"}, {"jeugd": "Jeugd"})
    counts = {("groningen", "jeugd"): CaseCounts(2, 3, 1), ("oldambt", "jeugd"): CaseCounts(1)}
    opened = [OpenedCase("jeugd", "groningen", t0, t1), OpenedCase("jeugd", "oldambt", t0, None)]
    late = [LateAgreement("groningen", t0, t1), LateAgreement("oldambt", t0, None)]
    agreement_counts = {"groningen": AgreementCounts(2, 1, 1)}
    escalated = [EscalationFacts("inhoudelijk", "1", "groningen", t0, t1, t2, "1")]
    questions = [QuestionFacts("jeugd", t0, t1, t2), QuestionFacts("jeugd", t0, None, None)]
    return [
        caseload(CaseloadFacts(counts, counts, [date(2026, 10, 1)], {"jeugd": [3]}), labels, 1),
        procesregie(
            RegieFacts(opened, opened, [0, 2], [1], [VacantCase("groningen", t0)], now),
            labels,
            work,
            1,
        ),
        agreement_section(
            AgreementFacts(agreement_counts, agreement_counts, late, late, 1, 0, now),
            labels,
            work,
            1,
        ),
        escalation_section(escalated, escalated, work, 1),
        signal_section(
            # One without a known municipality: the column of its own.
            [SignalFacts("overlast", "groningen"), SignalFacts("overlast", "elders")],
            [SignalFacts("overlast", "groningen")],
            [MatchFacts(True), MatchFacts(False)],
            [MatchFacts(True)],
            {"groningen": "Groningen"},
            1,
        ),
        helpdesk_section(
            questions, questions, [CardFacts(t0, t1)], (t0, now), now, lambda _: 8.0, work, 1
        ),
    ]


def _report_keys() -> dict[str, set[str]]:
    sections = _report_sections()
    found: dict[str, set[str]] = {
        "section": set(),
        "table": set(),
        "col": set(),
        "line": set(),
        "chart": set(),
        "label": set(),
    }
    labels: list[object] = []
    for section in sections:
        found["section"].add(section.key)
        found["line"].update(line.key for line in section.lines)
        for table in section.tables:
            found["table"].add(table.key)
            # Case types and municipalities are names from the configuration.
            found["col"].update(
                c for c in table.columns if not c.startswith(("type:", "municipality:"))
            )
            labels.extend(cell for row in table.rows for cell in row)
        for chart in section.charts:
            found["chart"].add(chart.key)
            if isinstance(chart, Bars):
                labels.extend(chart.labels)
            elif isinstance(chart, Trend):
                labels.extend(name for name, _ in chart.series)
            elif isinstance(chart, Boxes):
                labels.extend(name for name, _ in chart.groups)
    found["label"] = {c[1:] for c in labels if isinstance(c, str) and c.startswith("@")}
    return found


REPORT = _report_keys()


# --------------------------------------------------------------------------- the case timeline


def _timeline_kinds() -> tuple[set[str], list[str]]:
    """What ``!tijdlijn`` can meet as ``case.event.<kind>``: the audit actions written for
    a case, without their ``case.`` prefix. The case's own come from its domain events;
    the other areas' (agreements, conferences, escalations) and the few written directly
    are found in the code, the same way the services write them. Also: where a kind is
    written that this cannot enumerate."""
    kinds = {cls.kind for cls in _subclasses(case_domain.CaseEvent)}
    unknown: list[str] = []
    for path in (ROOT / "avz_bot" / "services").rglob("*.py"):
        rel = path.relative_to(ROOT / "avz_bot" / "services").as_posix()
        prefix = next((p for word, p in _AUDIT_AREAS if word in rel), None)
        for call in _calls(path):
            name = _callee(call)
            keywords = {k.arg: k.value for k in call.keywords}
            entity, action = keywords.get("entity_type"), keywords.get("action")
            if name == "record" and call.args and action is None:
                action = call.args[0]  # Audit.record("case.…", ..., entity_type="case")
            if (  # the action of an entry about a case
                isinstance(entity, ast.Constant)
                and entity.value == "case"
                and isinstance(action, ast.Constant)
            ):
                kinds.add(str(action.value).removeprefix("case."))
            elif name == "record_audit" and len(call.args) > 2:
                action = call.args[2]
                if isinstance(action, ast.Constant) and str(action.value).startswith("case."):
                    kinds.add(str(action.value).removeprefix("case."))
            elif (
                name in {"_audit", "_record", "record"}
                and prefix is not None
                and len(call.args) > 2
            ):
                kind = call.args[2]
                if isinstance(kind, ast.Constant):
                    kinds.add(prefix + str(kind.value))
                elif ast.unparse(kind) == "event.status.value" and prefix == "escalation.":
                    # ``Closed`` events: de-escalated or withdrawn (besloten is "decided").
                    kinds.update(prefix + s.value for s in _closed_by_close())
                elif ast.unparse(kind) != "event.kind":  # the case's events, above
                    unknown.append(f"{rel}:{call.lineno}: {ast.unparse(kind)}")
    return kinds, unknown


#: Where the services write audit entries on a case: (word in the module path, the
#: prefix their wrapper adds; "" for the case's own).
_AUDIT_AREAS = (("escalation", "escalation."), ("conference", "conference."))
_AUDIT_AREAS += (("agreement", "agreement."), ("cases/", ""))


def _closed_by_close() -> set[esc.EscalationStatus]:
    return set(esc.CLOSED_STATUSES) - {esc.EscalationStatus.BESLOTEN}


def _subclasses(cls: type) -> Iterator[type[case_domain.CaseEvent]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


TIMELINE_KINDS, TIMELINE_UNKNOWN = _timeline_kinds()


# --------------------------------------------------------------------------- the families

#: Every key family composed at run time → the values it is built from.
FAMILIES: dict[str, Iterable[str]] = {
    # closing with open work (avz_bot.services.cases.view.close_question)
    "case.close.": [
        f"{k}_{n}" for k in ("agreement", "escalation", "conference") for n in ("one", "many")
    ],
    "case.close.effect.": ["agreement", "escalation", "conference"],
    "case.close.done.": ["escalation", "conference"],
    # core, commands
    "permission.": values(Audience),
    "role.": values(Role),
    "domain.": values(OrgDomain),
    "help.title.": values(RoomKind),
    "helpdesk.relation.": values(hd.Relation),
    # cases and agreements
    "case.status.": values(case_domain.CaseStatus),
    "case.actor.": values(case_domain.Actor),
    "case.role.": values(case_domain.CaseRole),
    "case.cause.": values(case_domain.EndCause),
    "case.refusal.": values(case_domain.RefusalCode),
    "case.event.": TIMELINE_KINDS,
    "mine.waiting_": values(case_domain.ProposalKind),
    "dates.error.": [code.lower() for code in values(WhenErrorCode)],
    "reminder.": values(ReminderKind),
    # escalations
    "esc.target.": values(esc.TargetKind),
    "esc.actor.": values(esc.Actor),
    "esc.status.": values(esc.EscalationStatus),
    "esc.refusal.": values(esc.RefusalCode),
    "esc.route.": values(esc.RouteKind),
    "esc.closed.": [s.value for s in _closed_by_close()],
    # agreements
    "agreement.actor.": values(AgreementActor),
    "agreement.scope.": values(AgreementScope),
    # conferences
    "conference.actor.": values(ConferenceActor),
    "conference.phase.": values(Phase),
    "conference.refusal.": values(ConferenceRefusalCode),
    "conference.agenda.": values(SectionName),
    "conference.status.": values(ConferenceStatus),
    "conference.reminder.": values(ConferenceReminderKind),
    # signals and TVO
    "signal.actor.": values(SignalActor),
    "signal.place.": values(Place),
    "signal.status.": values(SignalStatus),
    "signal.refusal.": values(SignalRefusal),
    "signal.severity.": values(Severity),
    "signal.identifier.": values(IdentifierProblem),
    "tvo.decided_": [d.replace("-", "_") for d in values(Decision)],
    # helpdesk (a refusal's status: see test_every_refused_in_status_has_its_word)
    "helpdesk.": values(QuestionEvent),
    "helpdesk.card.": values(CardEvent),
    "helpdesk.refused.": values(HelpdeskProblem, hd.RefusalCode),
    "helpdesk.card_action.": values(hd.CardAction),
    "helpdesk.card_actor.": values(hd.Relation),
    "helpdesk.status.": values(
        *(e for e in typing.get_args(hd.RefusalStatus) if e is not case_domain.CaseStatus)
    ),
    "helpdesk.breach.": values(hd.BreachStep),
    "helpdesk.clock.": values(hd.Clock),
    # reports
    **{f"report.{kind}.": sorted(keys) for kind, keys in REPORT.items()},
    "report.period.": values(PeriodError),
    "report.axis.": values(Unit),
    # the outbox: the one reason with its own words, and every other
    "outbox.reason.": ["M_TOO_LARGE", "other"],
    # the case board's parts and their columns
    "board.": [*board_pages.PARTS, *(f"{part}.none" for part in board_pages.PARTS)],
    "board.col.": list(board_pages.PART_COLUMNS),
    # privacy
    "privacy.actor.": values(PrivacyActor),
    "privacy.request.kind.": values(RequestKind),
}


@pytest.mark.parametrize("locale", sorted(CATALOGUES))
@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_every_key_of_a_family_exists(family: str, locale: str) -> None:
    built = [family + value for value in FAMILIES[family]]
    assert built, f"{family}: no values to build keys from"
    assert [key for key in built if key not in CATALOGUES[locale]] == []


def test_every_refused_in_status_has_its_word() -> None:
    """A helpdesk refusal names the status it was refused in: a question's or card's in
    the helpdesk's words, a case's (``!kennis nieuw AVZ-…``) in the cases' words."""
    statuses = [s for enum in typing.get_args(hd.RefusalStatus) for s in enum]
    assert case_domain.CaseStatus.ACTIEF in statuses
    keys = {status_key(status) for status in statuses}
    for locale, catalogue in CATALOGUES.items():
        assert sorted(keys - set(catalogue)) == [], locale
    assert status_key(case_domain.CaseStatus.GESLOTEN) == "case.status.gesloten"
    assert status_key(hd.QuestionStatus.CLOSED) == "helpdesk.status.gesloten"


def test_every_timeline_kind_is_known() -> None:
    assert TIMELINE_UNKNOWN == []
    assert {"status_changed", "room_created", "agreement.created", "escalation.ingetrokken"} <= (
        TIMELINE_KINDS
    )


def test_the_report_keys_were_found() -> None:
    # The sections above must produce what the view looks up, or the families are empty.
    assert {"caseload", "regie", "agreements", "escalations", "signals", "helpdesk"} <= (
        REPORT["section"]
    )
    assert {"total", "city", "other", "now", "prev"} <= REPORT["label"]
    assert "no_municipality" in REPORT["col"]


def _product_files() -> Iterator[Path]:
    for folder in ("avz_bot", "commands"):
        yield from (ROOT / folder).rglob("*.py")


def test_every_composed_key_has_a_family() -> None:
    found: dict[str, list[str]] = {}
    for path in _product_files():
        for line, head in composed_keys(path):
            found.setdefault(head, []).append(f"{path.relative_to(ROOT)}:{line}")
    assert len(found) > 30, "the scan found (almost) nothing"
    missing = {head: where for head, where in found.items() if head not in FAMILIES}
    assert missing == {}, "composed keys without a family in FAMILIES"
    assert sorted(set(FAMILIES) - set(found)) == [], "families no code composes any more"


def test_the_scan_finds_a_composed_key(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text(
        "def f(view, row, event):\n"
        "    view.t(f'thing.status.{row.status}', x=1)\n"
        "    dedupe_key = f'thing:{row.id}'\n"
        "    event_key = f'thing.event.{event}'\n",
        encoding="utf-8",
    )
    assert sorted(head for _, head in composed_keys(probe)) == ["thing.event.", "thing.status."]


def test_a_missing_key_fails_in_tests_and_not_in_the_bot() -> None:
    with pytest.raises(KeyError):
        Messages().t("helpdesk.status.actief")
    assert Messages(strict=False).t("helpdesk.status.actief") == "(tekst ontbreekt)"
