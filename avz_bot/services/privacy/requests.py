"""Requests of persons concerned at the contact point (BGS art. 1.1; AVG art. 12, 15–21):
register, list, extend, close; the access export; restriction and erasure.

A request holds the person's pseudonyms (every key version), never the identifier. At
registration every partner organisation whose data is involved (the organisations of the
person's signals and of the members of the person's cases) is told through its members
with the ``privacy`` role, by the reference only; organisations without such a member
are named to the officer, who tells them another way.
"""

from __future__ import annotations

import re
from datetime import date

from avz_bot.domain.inbound import Reply
from avz_bot.domain.partners import Role
from avz_bot.domain.privacy import requests as rules
from avz_bot.domain.privacy.chain import Shown
from avz_bot.domain.privacy.permissions import PrivacyAction
from avz_bot.lists import Page, beyond_reply, page_listing
from avz_bot.services.area import SendDirect
from avz_bot.services.privacy.base import Asker, PrivacyCore
from avz_bot.services.privacy.erasure import erase_person
from avz_bot.services.privacy.export import assemble
from avz_bot.services.privacy.persisting import cancel_reminders, schedule_reminders
from avz_bot.services.refusal import Refused
from avz_bot.services.signals import PersonArgs
from storage.privacy_repositories import (
    PersonData,
    PersonLinks,
    PrivacyRequestRepository,
    PrivacyRequestRow,
    RestrictionRepository,
)
from storage.schedule_repositories import JobRepository

_REFERENCE = re.compile(r"^PV-(\d{4})-(\d{1,7})$", re.IGNORECASE)


class PrivacyRequests:
    """Requests inside one transaction (a part of the privacy service)."""

    def __init__(self, service: PrivacyCore, direct: SendDirect) -> None:
        self._s = service
        self._direct = direct
        self._repo = PrivacyRequestRepository(service.session)
        self._jobs = JobRepository(service.session)

    async def _audit(
        self, asker: Asker, action: str, row: PrivacyRequestRow, **details: str | int
    ) -> None:
        await self._s.audit.record(
            action,
            actor=asker.member.matrix_id,
            actor_org=asker.member.organisation.code,
            entity_type="privacy_request",
            entity_id=row.reference,
            details={"kind": row.kind, **details},
        )

    async def find(self, reference: str) -> PrivacyRequestRow:
        """The request ``PV-…`` (refused when unknown)."""
        match = _REFERENCE.match(reference.strip())
        row = await self._repo.by_reference(int(match[1]), int(match[2])) if match else None
        if row is None:
            raise Refused(self._s.view.refused("privacy.request.unknown", reference=reference))
        return row

    def _day(self, typed: str, default: date) -> date:
        if not typed.strip():
            return default
        try:
            return date.fromisoformat(typed.strip())
        except ValueError:
            raise Refused(self._s.view.refused("privacy.bad_date", value=typed[:20])) from None

    # ------------------------------------------------------------ register
    async def register(
        self, asker: Asker, kind: rules.RequestKind, person: PersonArgs, received: str
    ) -> Reply:
        """``!verzoek nieuw <soort> bsn=…|naam=… geboortedatum=… [ontvangen=]``."""
        s = self._s
        await s.require(asker, PrivacyAction.REQUEST_REGISTER)
        today = s.calendar.local_date(s.now)
        received_on = self._day(received, today)
        if received_on > today:
            raise Refused(s.view.refused("privacy.request.future"))
        pseudonyms = s.signals.person_pseudonyms(person)
        row = await self._repo.create(
            year=received_on.year,
            kind=kind.value,
            status=rules.RequestStatus.OPEN.value,
            pseudonyms={"all": list(pseudonyms)},
            received_on=received_on,
            due_on=rules.answer_due(received_on),
            extension_reason=None,
            registered_by=asker.member.matrix_id,
            created_at=s.now,
            closed_at=None,
            told={},
        )
        told, untold = await self._tell(row, asker.member.matrix_id)
        await self._repo.update(row.id, told={"organisations": told, "without_contact": untold})
        await schedule_reminders(self._jobs, row, s.calendar, s.settings, s.now)
        await self._audit(asker, "privacy.request_registered", row, organisations=len(told))
        return s.view.registered(row, told, untold)

    async def involved(self, pseudonyms: tuple[str, ...]) -> list[str]:
        """Codes of the organisations whose data about the person the bot holds."""
        data, links = PersonData(self._s.session), PersonLinks(self._s.session)
        codes = {
            r["organisation_code"] for r in await data.rows("signals", "pseudonym", pseudonyms)
        }
        case_ids = [c.id for c in await links.cases(pseudonyms)]
        codes |= {
            r["organisation_code"] for r in await data.rows("case_members", "case_id", case_ids)
        }
        return sorted(codes)

    async def _tell(self, row: PrivacyRequestRow, officer: str) -> tuple[list[str], list[str]]:
        """Tell each involved organisation's privacy contacts (reference only); the
        officer who registered the request knows already."""
        directory = await self._s.cases.directory()
        told: list[str] = []
        untold: list[str] = []
        for code in await self.involved(row.person):
            contacts = [
                m
                for m in directory.values()
                if m.organisation.code == code and m.has_role(Role.PRIVACY)
            ]
            name = await self._s.cases.org_name(code)
            for contact in (c for c in contacts if c.matrix_id != officer):
                await self._direct(
                    contact.matrix_id,
                    f"privacy-request:{row.id}:{contact.matrix_id}",
                    self._s.view.partner_notice(row, name),
                )
            (told if contacts else untold).append(name)
        return told, untold

    # ------------------------------------------------------------ follow-up
    async def list_open(self, asker: Asker, page: int) -> Reply:
        """``!verzoeken [pagina=]``: open requests, earliest deadline first."""
        s = self._s
        await s.require(asker, PrivacyAction.REQUEST_VIEW)
        win = s.cases.window(page, s.settings.list_limit)
        rows, total = await self._repo.list_open(win.limit, win.offset)
        shown = Page(tuple(s.view.request_line(r) for r in rows), total, win)
        if not total:
            return s.view.simple("privacy.request.none")
        if shown.beyond:
            return beyond_reply(s.view, "verzoeken", shown)
        return page_listing(
            s.view.t("privacy.request.list_title"),
            shown,
            s.cases.more_line("verzoeken"),
            s.cases.budget,
        )

    async def extend(self, asker: Asker, reference: str, until: str, reason: str) -> Reply:
        """``!verzoek verlengen PV-… tot=<datum> reden=…`` (AVG art. 12(3): at most two
        further months, decided and told within the first month)."""
        s = self._s
        await s.require(asker, PrivacyAction.REQUEST_EXTEND)
        row = await self.find(reference)
        new_due = self._day(until, rules.latest_extension(row.received_on))
        refusal = rules.check_extension(
            row.received_on,
            row.due_on,
            new_due,
            s.calendar.local_date(s.now),
            rules.RequestStatus(row.status),
        )
        if refusal is not None:
            raise Refused(
                s.view.refused(
                    f"privacy.extension.{refusal.code}",
                    reference=row.reference,
                    latest=s.view.day(rules.latest_extension(row.received_on)),
                )
            )
        await self._repo.update(row.id, due_on=new_due, extension_reason=reason)
        updated = await self._repo.get(row.id)
        assert updated is not None
        await schedule_reminders(self._jobs, updated, s.calendar, s.settings, s.now)
        await self._audit(asker, "privacy.request_extended", updated, due=new_due.isoformat())
        return s.view.simple(
            "privacy.request.extended_to", reference=row.reference, due=s.view.day(new_due)
        )

    async def close(self, asker: Asker, reference: str) -> Reply:
        """``!verzoek afronden PV-…``: answered; no more reminders."""
        s = self._s
        await s.require(asker, PrivacyAction.REQUEST_CLOSE)
        row = await self.find(reference)
        if row.status != rules.RequestStatus.OPEN:
            raise Refused(s.view.refused("privacy.request.closed", reference=row.reference))
        await self._repo.update(row.id, status=rules.RequestStatus.AFGEROND.value, closed_at=s.now)
        await cancel_reminders(self._jobs, row, s.now)
        late = s.calendar.local_date(s.now) > row.due_on
        await self._audit(asker, "privacy.request_closed", row, late=int(late))
        return s.view.simple("privacy.request.closed_now", reference=row.reference)

    # ------------------------------------------------------------ access, restriction, erasure
    async def export(self, asker: Asker, reference: str) -> Reply:
        """``!verzoek inzage PV-…``: the access export, as two encrypted files in this
        direct chat; the export is in the access log and the audit trail."""
        s = self._s
        await s.require(asker, PrivacyAction.REQUEST_EXPORT)
        row = await self.find(reference)
        if not row.person:
            raise Refused(s.view.refused("privacy.request.erased", reference=row.reference))
        export = await assemble(s.session, row.person, row.reference, s.now)
        data = export.data
        counts = s.view.t(
            "privacy.export.counts",
            signals=len(data["signalen"]),
            cases=len(data["casussen"]),
            reads=len(data["toegangslog"]),
        )
        s.cases.reads.note(
            Shown("request", row.reference),
            *(Shown("person", p) for p in row.person),
            *(Shown("case", c["casus"]["reference"]) for c in data["casussen"]),
            role="privacy",
        )
        json_bytes = export.json_bytes()
        await self._audit(asker, "privacy.export", row, bytes=len(json_bytes))
        return s.view.export(
            row.reference,
            json_bytes,
            export.text_bytes(s.view.t("privacy.export.title", reference=row.reference)),
            counts,
        )

    async def restrict(self, asker: Asker, reference: str, lift: bool) -> Reply:
        """``!verzoek beperken|opheffen PV-…`` (AVG art. 18): no matching and no new
        signal or case link for the person until lifted."""
        s = self._s
        await s.require(asker, PrivacyAction.REQUEST_CLOSE)
        row = await self.find(reference)
        restrictions = RestrictionRepository(s.session)
        if lift:
            await restrictions.lift(row.person)
        else:
            await restrictions.restrict(row.person, row.id, s.now)
        await self._audit(
            asker, "privacy.restriction_lifted" if lift else "privacy.restricted", row
        )
        key = "privacy.restriction.lifted" if lift else "privacy.restriction.set"
        return s.view.simple(key, reference=row.reference)

    async def erase(self, asker: Asker, reference: str) -> Reply:
        """``!verzoek wissen PV-…`` (AVG art. 17): per ``[privacy] erasure``; the
        regiehouders of the affected cases are told (reference only)."""
        s = self._s
        await s.require(asker, PrivacyAction.REQUEST_CLOSE)
        row = await self.find(reference)
        if row.kind != rules.RequestKind.WISSEN:
            raise Refused(s.view.refused("privacy.erasure.wrong_kind", reference=row.reference))
        if not row.person:
            raise Refused(s.view.refused("privacy.request.erased", reference=row.reference))
        cases = await PersonLinks(s.session).cases(row.person)
        counts = await erase_person(s.session, row.person, s.settings)
        if (
            s.settings.erasure["signals"] == "wissen"
            and s.settings.erasure["case_links"] == "wissen"
        ):
            await self._repo.forget_person(row.id)
        for case in cases:
            holder = await s.cases.cases.get(case.id)
            if holder is not None and holder.regie_holder:
                await self._direct(
                    holder.regie_holder,
                    f"privacy-erasure:{row.id}:{case.id}",
                    s.view.simple(
                        "privacy.erasure.notice", case=case.reference, reference=row.reference
                    ),
                )
        await self._audit(asker, "privacy.erased", row, **counts)
        summary = ", ".join(f"{table}: {count}" for table, count in counts.items())
        return s.view.simple("privacy.erasure.done", reference=row.reference, counts=summary)
