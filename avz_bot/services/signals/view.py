"""Every sentence the signals area says, rendered from outcomes (one view for the area).

Nothing here persists or decides; it only words what the service found, in Dutch from
the catalogue. No identifier ever reaches this module: outcomes carry references,
categories, organisations and dates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from avz_bot.domain import signals as domain
from avz_bot.domain.inbound import Reply
from avz_bot.domain.workdays import WorkCalendar
from avz_bot.formatting import listing, paragraphs, text
from avz_bot.lists import Page as ListPage
from avz_bot.lists import Window, beyond_reply, page_listing
from avz_bot.messages import Messages
from avz_bot.services.cases import CaseService
from avz_bot.settings_sections.signals import SignalSettings
from storage.signal_repositories import CaseSignalRow, Page, SignalRow


@dataclass(frozen=True)
class Registered:
    """``!signaal`` about a person: what was stored and whom it matched."""

    signal: SignalRow
    matched: list[SignalRow] = field(default_factory=list)
    #: (case reference, regiehouder or None) of open cases on the same person.
    cases: list[tuple[str, str | None]] = field(default_factory=list)


class SignalView:
    """Renders the area's replies and notifications."""

    def __init__(
        self,
        messages: Messages,
        cases: CaseService,
        settings: SignalSettings,
        calendar: WorkCalendar,
    ) -> None:
        self._messages = messages
        self._cases = cases
        self._settings = settings
        self._calendar = calendar

    def t(self, key: str, /, **values: object) -> str:
        """A catalogue text."""
        return self._messages.t(key, **values)

    def day(self, instant: datetime) -> str:
        """A date as people here read it (``30-11-2026``, Europe/Amsterdam)."""
        return self._calendar.local_date(instant).strftime("%d-%m-%Y")

    def category(self, code: str) -> str:
        """The configured name of a category code."""
        return self._settings.categories.get(code, code)

    def municipality(self, code: str | None) -> str:
        """The configured name of a municipality (``—`` for none)."""
        return self._cases.municipality_name(code) if code else self.t("signal.no_municipality")

    # ------------------------------------------------------------ refusals
    def refused(self, refusal: domain.Refused, prefix: str) -> Reply:
        """The Dutch explanation of a domain refusal."""
        params = dict(refusal.params)
        if "allowed" in params:
            params["allowed"] = " of ".join(
                self.t(f"signal.actor.{a}") for a in params["allowed"].split(",") if a
            )
        if "place" in params:
            params["place"] = self.t(f"signal.place.{params['place']}")
        if "status" in params:
            params["status"] = self.t(f"signal.status.{params['status']}")
        return text(
            self._messages.t_lenient(
                f"signal.refusal.{refusal.code.value}", {**params, "prefix": prefix}
            )
        )

    # ------------------------------------------------------------ person signals
    async def registered(self, outcome: Registered) -> Reply:
        """The reply to the professional who registered a signal."""
        row = outcome.signal
        parts = [
            self.t(
                "signal.registered",
                reference=row.reference,
                category=self.category(row.category),
                municipality=self.municipality(row.municipality),
                expires=self.day(row.expires_at),
            )
        ]
        if row.weak_key:
            parts.append(self.t("signal.weak_key"))
        for other in outcome.matched:
            parts.append(await self.match_line(other))
        for reference, holder in outcome.cases:
            if holder is None:
                parts.append(self.t("signal.case_match_you_no_holder", reference=reference))
            elif holder == row.professional:
                parts.append(self.t("signal.case_match_own", reference=reference))
            else:
                parts.append(
                    self.t(
                        "signal.case_match_you",
                        reference=reference,
                        holder=await self._cases.name(holder),
                        contact=holder,
                    )
                )
        if not outcome.matched and not outcome.cases:
            parts.append(self.t("signal.no_match"))
        parts.append(self.t("signal.delete_your_message"))
        return paragraphs(*parts)

    async def match_line(self, other: SignalRow) -> str:
        """Who else signals this person: name, organisation, contact, category, date."""
        return self.t(
            "signal.match_line",
            name=await self._cases.name(other.professional),
            organisation=await self._cases.org_name(other.organisation_code),
            contact=other.professional,
            category=self.category(other.category),
            date=self.day(other.created_at),
            reference=other.reference,
        )

    async def match_notice(self, mine: SignalRow, new: SignalRow) -> Reply:
        """Direct message to an earlier signaller about a new matching signal."""
        line = await self.match_line(new)
        return paragraphs(self.t("signal.match_notice", reference=mine.reference), line)

    async def case_match_notice(self, new: SignalRow, case_reference: str) -> Reply:
        """To the regiehouder: a new signal on the person of their case."""
        return paragraphs(
            self.t("signal.case_match_notice", reference=case_reference),
            await self.match_line(new),
        )

    def case_match_coordination(self, new: SignalRow, case_reference: str) -> Reply:
        """To the coordination room when the case has no regiehouder (no names needed)."""
        return text(
            self.t(
                "signal.case_match_coordination",
                reference=case_reference,
                signal=new.reference,
                category=self.category(new.category),
            )
        )

    async def agenda_item(self, new: SignalRow, matched: Sequence[SignalRow], prefix: str) -> Reply:
        """The pseudonymous agenda item for the TVO room: references, categories and
        organisations; never a name of the person or an identifier."""
        items = [new, *matched]
        lines = [
            self.t(
                "signal.agenda_item_line",
                reference=s.reference,
                category=self.category(s.category),
                organisation=await self._cases.org_name(s.organisation_code),
                date=self.day(s.created_at),
            )
            for s in items
        ]
        return listing(
            self.t("signal.agenda_item_title", reference=new.reference),
            lines,
            self.t("signal.agenda_item_footer", prefix=prefix, reference=new.reference),
        )

    def not_found(self, reference: str, prefix: str) -> Reply:
        """The signal is not (or no longer) the sender's to change."""
        return text(self.t("signal.not_found", prefix=prefix, reference=reference))

    def withdrawn(self, reference: str, delete_at: datetime) -> Reply:
        """``!signaal intrekken``."""
        return text(self.t("signal.withdrawn", reference=reference, delete=self.day(delete_at)))

    def linked(self, case_reference: str, weak: bool) -> Reply:
        """``!casus persoon``."""
        parts = [self.t("signal.person_linked", reference=case_reference)]
        if weak:
            parts.append(self.t("signal.weak_key"))
        parts.append(self.t("signal.delete_your_message"))
        return paragraphs(*parts)

    # ------------------------------------------------------------ signals in cases
    async def case_signal_recorded(
        self, row: CaseSignalRow, case_reference: str, holder: str | None
    ) -> Reply:
        """``!signaal`` in a case room (mentions the regiehouder)."""
        message = self.t(
            "signal.case_recorded",
            number=row.number,
            reference=case_reference,
            category=self.category(row.category),
            severity=self.t(f"signal.severity.{row.severity}"),
        )
        if holder:
            message += " " + self.t("signal.case_recorded_holder", holder=holder)
        else:
            message += " " + self.t("signal.case_recorded_no_holder")
        reply = text(message)
        return Reply(reply.plain, reply.html, (holder,) if holder else ())

    def case_signal_coordination(self, row: CaseSignalRow, case_reference: str) -> Reply:
        """A ``hoog`` signal in a case without regie, for the coordination room."""
        return text(
            self.t(
                "signal.case_high_coordination",
                reference=case_reference,
                category=self.category(row.category),
            )
        )

    async def case_signals(
        self, found: Page[CaseSignalRow], win: Window, case_reference: str, prefix: str
    ) -> Reply:
        """``!signalen [pagina=]``: newest first, one page."""
        if not found.total:
            return text(self.t("signal.case_list_empty", reference=case_reference))
        lines = [
            self.t(
                "signal.case_list_line",
                number=row.number,
                category=self.category(row.category),
                severity=self.t(f"signal.severity.{row.severity}"),
                description=row.description,
                name=await self._cases.name(row.created_by),
                organisation=await self._cases.org_name(row.organisation_code),
                date=self.day(row.created_at),
            )
            for row in found.rows
        ]
        page = ListPage(tuple(lines), found.total, win)
        if page.beyond:
            return beyond_reply(self, f"{prefix}signalen", page)
        return page_listing(
            self.t("signal.case_list_title", reference=case_reference, count=found.total),
            page,
            self._cases.more_line("signalen"),
            self._cases.budget,
        )

    def more(self, page: Page[Any]) -> str:
        """``… en nog N`` when the list was cut."""
        hidden = page.total - len(page.rows)
        return self.t("signal.more", count=hidden) if hidden > 0 else ""

    # ------------------------------------------------------------ TVO
    async def agenda(
        self,
        found: Page[SignalRow],
        win: Window,
        matched: dict[int, list[SignalRow]],
        municipality: str,
        prefix: str,
    ) -> Reply:
        """``!tvo agenda [pagina=]``: oldest first, pseudonymous, one page."""
        name = self.municipality(municipality)
        if not found.total:
            return text(self.t("tvo.agenda_empty", municipality=name))
        lines = []
        for row in found.rows:
            line = self.t(
                "tvo.agenda_line",
                reference=row.reference,
                category=self.category(row.category),
                organisation=await self._cases.org_name(row.organisation_code),
                date=self.day(row.created_at),
            )
            others = matched.get(row.id, [])
            if others:
                line += " " + self.t(
                    "tvo.agenda_matched",
                    references=", ".join(o.reference for o in others),
                )
            if row.triage == domain.TriageStatus.MONITOREN.value:
                line += " " + self.t("tvo.agenda_relisted")
            lines.append(line)
        page = ListPage(tuple(lines), found.total, win)
        if page.beyond:
            return beyond_reply(self, f"{prefix}tvo agenda", page)
        return page_listing(
            self.t("tvo.agenda_title", municipality=name, count=found.total),
            page,
            self._cases.more_line("tvo agenda"),
            self._cases.budget,
            note=self.t("tvo.agenda_footer", prefix=prefix),
        )

    async def decided(
        self,
        decision: domain.Decision,
        references: Sequence[str],
        relist_at: datetime | None,
        case_reply: Reply | None,
        invited: Sequence[str],
    ) -> Reply:
        """``!tvo besluit``: the decision as recorded."""
        parts = [
            self.t(
                f"tvo.decided_{decision.value.replace('-', '_')}",
                references=", ".join(references),
                relist=self.day(relist_at) if relist_at else "",
            )
        ]
        if case_reply is not None:
            parts.append(case_reply.plain)
            names = [await self._cases.name(u) for u in invited]
            parts.append(
                self.t("tvo.invited", names=", ".join(names) if names else self.t("signal.nobody"))
            )
        return paragraphs(*parts)

    def relisted(self, row: SignalRow, prefix: str) -> Reply:
        """A monitored item is back on the agenda."""
        return text(
            self.t(
                "tvo.relisted",
                reference=row.reference,
                category=self.category(row.category),
                prefix=prefix,
            )
        )

    # ------------------------------------------------------------ my plate
    def plate_lines(self, page: Page[SignalRow]) -> list[str]:
        """The ``!mijn`` lines: the sender's active signals, expiring soonest first."""
        lines = [
            self.t(
                "signal.mine_line",
                reference=row.reference,
                category=self.category(row.category),
                municipality=self.municipality(row.municipality),
                expires=self.day(row.expires_at),
            )
            for row in page.rows
        ]
        more = self.more(page)
        return [*lines, more] if more else lines

    # ------------------------------------------------------------ BSN guard
    def guard_notice(self, sender: str, redacted: bool, *, command: bool = False) -> Reply:
        """Why a message was (or must be) removed, without repeating the number; for a
        command, first that it was not carried out."""
        if command:
            removal = "guard.command_redacted" if redacted else "guard.command_remove_please"
            reply = text(self.t("guard.command_not_run", removal=self.t(removal)))
        else:
            key = "guard.redacted" if redacted else "guard.remove_please"
            reply = text(self.t(key, sender=sender))
        return Reply(reply.plain, reply.html, (sender,))
