"""Signals, matching, TVO triage, retention and the BSN guard: one unit of work per
command or job.

Every method runs inside the caller's transaction. It loads what it needs, lets the pure
domain (``avz_bot.domain.signals``) decide, persists each resulting event in the one
function registered for that event type (``SignalEvents`` in ``.persisting``, built once
per service), and returns a
reply rendered by :class:`avz_bot.services.signals.view.SignalView`. Identifiers (BSN,
name, date of birth) live only in the arguments of one call: they are turned into
pseudonyms here and never stored, logged, audited or repeated.

The service is composed of its concepts, each a collaborator built on one
``SignalShared`` (``.base``: repositories, view, events, settings, clock and the argument
and permission checks): ``persons`` (register, match, withdraw, retention, case person,
``!mijn``), ``triage`` (TVO), ``in_case`` (signals inside cases, the BSN guard) and ``intake``
(signed submissions from partner systems, issue 23). Its
public methods are one-line delegations to them.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.domain import signals as domain
from avz_bot.domain.inbound import Reply
from avz_bot.domain.partners import Member
from avz_bot.domain.signals import Place
from avz_bot.domain.workdays import WorkCalendar
from avz_bot.messages import Messages
from avz_bot.services.cases import CaseService, LoadedCase
from avz_bot.services.signals.base import (
    DIRECT_CHAT_MEMBERS,
    JOB_REDACT,
    JOB_RELIST,
    PersonArgs,
    SignalShared,
    parse_birth_date,
)
from avz_bot.services.signals.in_case import CaseSignals
from avz_bot.services.signals.intake import Accepted, IntakeProfile, SignalIntake, Submission
from avz_bot.services.signals.persisting import JOB_RETENTION, Enqueue
from avz_bot.services.signals.persons import PersonSignals
from avz_bot.services.signals.triage import TriageSignals
from avz_bot.settings_sections.cases import CasesSettings
from avz_bot.settings_sections.signals import SignalSettings


class SignalService:
    """Signals inside one transaction (see the package docstring)."""

    def __init__(
        self,
        session: AsyncSession,
        cases: CaseService,
        *,
        settings: SignalSettings,
        cases_settings: CasesSettings,
        calendar: WorkCalendar,
        messages: Messages,
        prefix: str,
        enqueue: Enqueue,
        device_cross_signed: bool | None = True,
    ) -> None:
        self.shared = SignalShared(
            session,
            cases,
            settings=settings,
            cases_settings=cases_settings,
            calendar=calendar,
            messages=messages,
            prefix=prefix,
            enqueue=enqueue,
            device_cross_signed=device_cross_signed,
        )
        self.persons = PersonSignals(self.shared)
        self.triage = TriageSignals(self.shared)
        self.in_case = CaseSignals(self.shared)
        self.intake = SignalIntake(self.shared, self.persons)

    # ------------------------------------------------------------ persons
    async def register(
        self,
        member: Member,
        room_id: str,
        room_members: int | None,
        person: PersonArgs,
        category: str,
        municipality: str,
        key: str,
    ) -> Reply:
        """``!signaal bsn=…|naam=… categorie=…`` (see ``PersonSignals.register``)."""
        return await self.persons.register(
            member, room_id, room_members, person, category, municipality, key
        )

    async def withdraw(
        self,
        member: Member,
        room_id: str,
        room_members: int | None,
        reference: str,
        reason: str,
        key: str,
    ) -> Reply:
        """``!signaal intrekken SIG-… reden=…`` (see ``PersonSignals.withdraw``)."""
        return await self.persons.withdraw(member, room_id, room_members, reference, reason, key)

    async def retention(self, signal_id: int) -> None:
        """The retention job of one signal (see ``PersonSignals.retention``)."""
        await self.persons.retention(signal_id)

    async def link_person(
        self,
        member: Member,
        room_id: str,
        room_members: int | None,
        case_reference: str,
        person: PersonArgs,
    ) -> Reply:
        """``!casus persoon AVZ-… bsn=…`` (see ``PersonSignals.link_person``)."""
        return await self.persons.link_person(member, room_id, room_members, case_reference, person)

    def person_pseudonyms(self, person: PersonArgs) -> tuple[str, ...]:
        """The pseudonyms of ``person`` under every key version in force, as signals are
        matched (refused when the identifier is invalid or no key is configured). The
        identifier itself is dropped here; nothing of it is stored or returned."""
        identifier = self.shared.identifier(person)
        return self.shared.pseudonymiser().candidates(identifier, domain.Purpose.SIGNAL_PERSON)

    async def plate_section(self, member: Member) -> tuple[str, list[str]]:
        """The ``!mijn`` section (see ``PersonSignals.plate_section``)."""
        return await self.persons.plate_section(member)

    # ------------------------------------------------------------ partner systems
    async def submit_from_system(
        self, profile: IntakeProfile, webhook_id: str, submission: Submission, keep_days: int
    ) -> Accepted:
        """A signed submission (see ``SignalIntake.submit``)."""
        return await self.intake.submit(profile, webhook_id, submission, keep_days)

    async def audit_system_refusal(
        self, organisation: str | None, status: int, reason: str
    ) -> None:
        """Audit a refused submission (see ``SignalIntake.refused``)."""
        await self.intake.refused(organisation, status, reason)

    # ------------------------------------------------------------ TVO triage
    async def tvo_agenda(self, member: Member, room_id: str, page: int = 1) -> Reply:
        """``!tvo agenda [pagina=]`` (see ``TriageSignals.tvo_agenda``)."""
        return await self.triage.tvo_agenda(member, room_id, page)

    async def tvo_decide(
        self,
        member: Member,
        room_id: str,
        reference: str,
        decision: domain.Decision,
        reason: str,
        case_type: str,
        key: str,
    ) -> Reply:
        """``!tvo besluit SIG-… …`` (see ``TriageSignals.tvo_decide``)."""
        return await self.triage.tvo_decide(
            member, room_id, reference, decision, reason, case_type, key
        )

    async def relist(self, signal_id: int) -> None:
        """A monitored item is back (see ``TriageSignals.relist``)."""
        await self.triage.relist(signal_id)

    # ------------------------------------------------------------ in a case; BSN guard
    async def record_in_case(
        self,
        member: Member,
        loaded: LoadedCase,
        category: str,
        severity: str,
        description: str,
        key: str,
    ) -> Reply:
        """``!signaal`` in a case room (see ``CaseSignals.record_in_case``)."""
        return await self.in_case.record_in_case(
            member, loaded, category, severity, description, key
        )

    async def list_in_case(self, member: Member, loaded: LoadedCase, page: int = 1) -> Reply:
        """``!signalen [pagina=]`` (see ``CaseSignals.list_in_case``)."""
        return await self.in_case.list_in_case(member, loaded, page)

    async def guard(
        self,
        room_id: str,
        event_id: str,
        sender: str,
        room_members: int | None,
        *,
        command: bool = False,
    ) -> Reply | None:
        """The BSN guard (see ``CaseSignals.guard``)."""
        return await self.in_case.guard(room_id, event_id, sender, room_members, command=command)

    async def place_of(self, room_id: str, room_members: int | None) -> Place | None:
        """What kind of room this is (see ``SignalShared.place_of``)."""
        return await self.shared.place_of(room_id, room_members)


__all__ = [
    "DIRECT_CHAT_MEMBERS",
    "JOB_REDACT",
    "JOB_RELIST",
    "JOB_RETENTION",
    "PersonArgs",
    "SignalService",
    "parse_birth_date",
]
