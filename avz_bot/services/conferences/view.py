"""Every reply of the case conferences area, rendered from outcomes (one place for wording).

The service resolves names (``Names``) and hands over domain values; nothing here reads
the database or decides anything.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape

from avz_bot.domain.conferences.calendar_files import CalendarEvent, Method, Person, render
from avz_bot.domain.conferences.lifecycle import ConferenceState, Participant, Refusal
from avz_bot.domain.conferences.papers import (
    Agenda,
    AgreementFact,
    Entry,
    Minutes,
    ReminderKind,
    Section,
)
from avz_bot.domain.date_names import format_when
from avz_bot.domain.inbound import Attachment, Reply
from avz_bot.domain.workdays import WorkCalendar
from avz_bot.formatting import listing, mentioning, text
from avz_bot.lists import MoreLine, Page, beyond, beyond_reply, page_sections
from avz_bot.messages import Messages

ICS_NAME = "overleg.ics"
ICS_TYPE = "text/calendar"
MINUTES_TYPE = "text/markdown"


@dataclass(frozen=True)
class Names:
    """Display names of people and organisations (ids/codes as fallback)."""

    people: Mapping[str, str]
    organisations: Mapping[str, str]

    def person(self, user: str) -> str:
        """A person's name."""
        return self.people.get(user, user)

    def org(self, code: str) -> str:
        """An organisation's name."""
        return self.organisations.get(code, code)


class ConferenceView:
    """Dutch (or English) replies for the conference commands and jobs."""

    def __init__(
        self, messages: Messages, calendar: WorkCalendar, prefix: str, uid_domain: str
    ) -> None:
        self._messages = messages
        self._calendar = calendar
        self._prefix = prefix
        self._uid_domain = uid_domain

    def t(self, key: str, /, **values: object) -> str:
        """A catalogue text."""
        return self._messages.t(key, **values)

    def when(self, instant: datetime) -> str:
        """Local date and time ("donderdag 3 december 2026, 14:00")."""
        return format_when(instant, self._calendar)

    def clock(self, instant: datetime) -> str:
        """Local time of day ("14:00")."""
        return f"{self._calendar.local(instant):%H:%M}"

    # ------------------------------------------------------------ refusals
    def refusal(self, refusal: Refusal) -> Reply:
        """The Dutch explanation of a refused conference action."""
        params: dict[str, object] = dict(refusal.params)
        if "allowed" in params:
            params["allowed"] = " of ".join(
                self.t(f"conference.actor.{a}") for a in str(params["allowed"]).split(",") if a
            )
        if "phase" in params:
            params["phase"] = self.t(f"conference.phase.{params['phase']}")
        return text(self._messages.t_lenient(f"conference.refusal.{refusal.code.value}", params))

    def problem(self, key: str, **values: object) -> Reply:
        """A refusal the service found (unknown reference, no running conference…)."""
        return text(self.t(key, prefix=self._prefix, **values))

    # ------------------------------------------------------------ calendar files
    def calendar_file(
        self, state: ConferenceState, method: Method, names: Names, stamp: datetime
    ) -> Attachment:
        """The ``.ics`` for ``state`` (see ``avz_bot.domain.conferences.calendar_files``)."""
        event = CalendarEvent(
            uid=f"{state.reference.lower()}@{self._uid_domain}",
            sequence=state.sequence,
            summary=self.t(
                "conference.ics.summary",
                reference=state.reference,
                case=state.case_reference,
            ),
            starts_at=state.starts_at,
            duration=timedelta(minutes=state.duration_minutes),
            location=state.location,
            organiser=Person(names.person(state.organiser), state.organiser),
            attendees=[Person(names.person(u), u) for u in sorted(state.participants)],
            stamp=stamp,
        )
        return Attachment(ICS_NAME, ICS_TYPE, render(event, method))

    def _mentioning(self, users: Sequence[str], names: Names, body: str) -> Reply:
        return mentioning([(u, names.person(u)) for u in users], body)

    def _place(self, state: ConferenceState) -> str:
        if not state.location:
            return ""
        return " " + self.t("conference.location", location=state.location)

    # ------------------------------------------------------------ life cycle
    def planned_ack(self, state: ConferenceState) -> Reply:
        """The answer to ``!overleg plan``: the invitation follows as its own message."""
        return text(
            self.t("conference.planned", reference=state.reference, when=self.when(state.starts_at))
        )

    def invitation(self, state: ConferenceState, names: Names, stamp: datetime) -> Reply:
        """The invitation in the case room: participants mentioned, the ``.ics`` attached."""
        body = self.t(
            "conference.invitation",
            reference=state.reference,
            when=self.when(state.starts_at),
            minutes=state.duration_minutes,
            place=self._place(state),
            organiser=names.person(state.organiser),
            prefix=self._prefix,
        )
        reply = self._mentioning(sorted(state.participants), names, body)
        attachment = self.calendar_file(state, Method.REQUEST, names, stamp)
        return Reply(reply.plain, reply.html, reply.mentions, (attachment,))

    def moved(
        self, state: ConferenceState, old: datetime, reason: str, names: Names, stamp: datetime
    ) -> Reply:
        """The changed invitation: same UID, higher SEQUENCE; everyone answers again."""
        body = self.t(
            "conference.moved",
            reference=state.reference,
            old=self.when(old),
            when=self.when(state.starts_at),
            place=self._place(state),
            reason=reason,
            prefix=self._prefix,
        )
        reply = self._mentioning(sorted(state.participants), names, body)
        attachment = self.calendar_file(state, Method.REQUEST, names, stamp)
        return Reply(reply.plain, reply.html, reply.mentions, (attachment,))

    def cancelled(
        self, state: ConferenceState, reason: str, names: Names, stamp: datetime
    ) -> Reply:
        """The cancellation: the ``.ics`` with METHOD:CANCEL removes the calendar entry."""
        body = self.t(
            "conference.cancelled",
            reference=state.reference,
            when=self.when(state.starts_at),
            reason=reason,
        )
        reply = self._mentioning(sorted(state.participants), names, body)
        attachment = self.calendar_file(state, Method.CANCEL, names, stamp)
        return Reply(reply.plain, reply.html, reply.mentions, (attachment,))

    def answered(self, state: ConferenceState, comes: bool, names: Names) -> Reply:
        """Confirmation of ``kom``/``afmelden`` with who comes so far (for the organiser)."""
        key = "conference.answer.comes" if comes else "conference.answer.declines"
        return text(
            self.t(key, reference=state.reference) + "\n" + self.attendance_line(state, names)
        )

    def attendance_line(self, state: ConferenceState, names: Names) -> str:
        """ "Komen: … · Afgemeld: … · Nog geen antwoord: …"."""
        groups: dict[str, list[str]] = {"komt": [], "afgemeld": [], "onbekend": []}
        for p in sorted(state.participants.values(), key=lambda p: p.matrix_id):
            group = "komt" if p.attendance.attends else p.attendance.value
            groups.setdefault(group, []).append(names.person(p.matrix_id))
        none = self.t("list.none")
        return self.t(
            "conference.attendance",
            comes=", ".join(groups["komt"]) or none,
            declined=", ".join(groups["afgemeld"]) or none,
            unknown=", ".join(groups["onbekend"] + groups.get("afwezig", [])) or none,
        )

    def item_added(self, state: ConferenceState, count: int) -> Reply:
        """Confirmation of ``!overleg punt``."""
        return text(self.t("conference.item_added", reference=state.reference, count=count))

    def decision_recorded(self, state: ConferenceState, count: int) -> Reply:
        """Confirmation of ``!overleg besluit``."""
        return text(self.t("conference.decision_recorded", reference=state.reference, count=count))

    def attendance_corrected(self, state: ConferenceState, names: Names) -> Reply:
        """Confirmation of ``!overleg aanwezig``."""
        present = ", ".join(names.person(p.matrix_id) for p in state.attendees())
        return text(
            self.t("conference.attendance_corrected", reference=state.reference, present=present)
        )

    # ------------------------------------------------------------ agenda
    def _agreement(self, a: AgreementFact) -> str:
        return self.t(
            "conference.agreement_line",
            number=a.number,
            description=a.description,
            owner=a.owner,
            deadline=self.when(a.deadline),
        )

    def _section_lines(self, section: Section) -> list[str]:
        lines: list[str] = []
        for item in section.items:
            if isinstance(item, AgreementFact):
                lines.append(self._agreement(item))
            elif isinstance(item, Entry):
                lines.append(self.t("conference.entry_line", text=item.text, author=item.author))
            else:
                lines.append(str(item))
        if section.more:
            lines.append(self.t("conference.more", count=section.more))
        return lines or [self.t("list.none")]

    def agenda(self, agenda: Agenda) -> Reply:
        """The agenda: regie first, then every section (bounded, "… en nog N")."""
        regie = (
            self.t(
                "conference.agenda.regie",
                holder=agenda.regie_holder,
                since=self.when(agenda.regie_since),
            )
            if agenda.regie_holder
            else self.t("conference.agenda.no_regie", since=self.when(agenda.regie_since))
        )
        title = self.t(
            "conference.agenda.title", reference=agenda.reference, when=self.when(agenda.starts_at)
        )
        plain = [title, regie]
        html = f"<strong>{escape(title)}</strong><br>{escape(regie)}"
        for section in agenda.sections:
            heading = self.t(f"conference.agenda.{section.name}")
            lines = self._section_lines(section)
            plain.append(heading)
            plain.extend(f"  • {line}" for line in lines)
            html += f"<p>{escape(heading)}</p><ul>"
            html += "".join(f"<li>{escape(line)}</li>" for line in lines) + "</ul>"
        return Reply("\n".join(plain), html)

    def reminder(
        self, state: ConferenceState, kind: ReminderKind, names: Names, late: bool
    ) -> Reply:
        """A reminder mentioning the participants who have not declined."""
        users = sorted(u for u, p in state.participants.items() if p.attendance.value != "afgemeld")
        body = self.t(
            f"conference.reminder.{kind.value}",
            reference=state.reference,
            when=self.when(state.starts_at),
            place=self._place(state),
        )
        if late:
            body += " " + self.t("conference.reminder.late")
        return self._mentioning(users, names, body)

    # ------------------------------------------------------------ minutes
    def _person(self, p: Participant, names: Names) -> str:
        who = self.t(
            "conference.minutes.person",
            name=names.person(p.matrix_id),
            organisation=names.org(p.organisation_code),
        )
        if p.reason:
            who += " " + self.t("conference.minutes.reason", reason=p.reason)
        return who

    def minutes_lines(self, minutes: Minutes, names: Names) -> list[tuple[str, list[str]]]:
        """The minutes as (heading, lines) in their order; the same for chat and file."""
        none = self.t("list.none")

        def agreements(rows: Sequence[AgreementFact]) -> list[str]:
            return [self._agreement(a) for a in rows] or [none]

        return [
            (
                self.t("conference.minutes.attendees"),
                [self._person(p, names) for p in minutes.attendees] or [none],
            ),
            (
                self.t("conference.minutes.absentees"),
                [self._person(p, names) for p in minutes.absentees] or [none],
            ),
            (
                self.t("conference.minutes.decisions"),
                [
                    self.t("conference.entry_line", text=d.text, author=d.author)
                    for d in minutes.decisions
                ]
                or [none],
            ),
            (self.t("conference.minutes.new_agreements"), agreements(minutes.new_agreements)),
            (
                self.t("conference.minutes.changed_agreements"),
                agreements(minutes.changed_agreements),
            ),
            (
                self.t("conference.minutes.next"),
                [
                    self.when(minutes.next_at)
                    if minutes.next_at
                    else self.t("conference.minutes.no_next")
                ],
            ),
        ]

    def _title(self, minutes: Minutes) -> str:
        return self.t(
            "conference.minutes.title",
            reference=minutes.reference,
            case=minutes.case_reference,
            when=self.when(minutes.starts_at),
        )

    def minutes_markdown(self, minutes: Minutes, names: Names) -> str:
        """The minutes as a Markdown document (the encrypted attachment)."""
        out = [f"# {self._title(minutes)}", ""]
        for heading, lines in self.minutes_lines(minutes, names):
            out += [f"## {heading}", "", *(f"- {line}" for line in lines), ""]
        return "\n".join(out)

    def minutes(self, minutes: Minutes, names: Names) -> Reply:
        """The minutes in the case room, with the Markdown file attached."""
        title = self._title(minutes)
        plain = [title]
        html = f"<strong>{escape(title)}</strong>"
        for heading, lines in self.minutes_lines(minutes, names):
            plain.append(heading)
            plain.extend(f"  • {line}" for line in lines)
            html += f"<p>{escape(heading)}</p><ul>"
            html += "".join(f"<li>{escape(line)}</li>" for line in lines) + "</ul>"
        data = self.minutes_markdown(minutes, names).encode("utf-8")
        filename = f"verslag-{minutes.reference.lower()}.md"
        return Reply("\n".join(plain), html, (), (Attachment(filename, MINUTES_TYPE, data),))

    # ------------------------------------------------------------ lists
    def conference_line(self, state: ConferenceState) -> str:
        """One conference in a list: reference, time, status."""
        return self.t(
            "conference.line",
            reference=state.reference,
            when=self.when(state.starts_at),
            status=self.t(f"conference.status.{state.status.value}"),
        )

    def overview(
        self,
        case_reference: str,
        upcoming: Page[ConferenceState],
        past: Page[ConferenceState],
        more_line: MoreLine,
        budget: int,
    ) -> Reply:
        """``!overleggen [pagina=]``: one page of the planned ones (soonest first), then of
        the earlier ones (latest first), within ``budget`` bytes."""
        if not upcoming.total and not past.total:
            return text(self.t("conference.none", reference=case_reference, prefix=self._prefix))
        if beyond(upcoming, past):
            return beyond_reply(self, f"{self._prefix}overleggen", upcoming, past)

        def lines(page: Page[ConferenceState]) -> Page[str]:
            return Page(tuple(self.conference_line(s) for s in page.items), page.total, page.window)

        return page_sections(
            self.t("conference.list.title", reference=case_reference),
            [
                (self.t("conference.list.upcoming"), lines(upcoming)),
                (self.t("conference.list.past"), lines(past)),
            ],
            more_line,
            self.t("list.none"),
            budget,
        )

    def plate_line(self, reference: str, case_reference: str, starts_at: datetime) -> str:
        """One upcoming conference in ``!mijn``."""
        return self.t(
            "conference.plate_line",
            reference=reference,
            case=case_reference,
            when=self.when(starts_at),
        )

    def digest_line(self, reference: str, case_reference: str, starts_at: datetime) -> str:
        """One of today's conferences in the daily digest: reference and time, no content."""
        return self.t(
            "conference.digest_line",
            reference=reference,
            case=case_reference,
            time=self.clock(starts_at),
        )

    def listing(self, title: str, items: list[str]) -> Reply:
        """A plain bulleted list."""
        return listing(title, items)
