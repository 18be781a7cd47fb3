"""The shared part of the signal service: settings, repositories, the view and the
helpers that check places, permissions and arguments (see ``avz_bot.services.signals``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.domain import signals as domain
from avz_bot.domain.signals import Place, SignalAction
from avz_bot.domain.workdays import WorkCalendar
from avz_bot.formatting import text
from avz_bot.messages import Messages
from avz_bot.services.audit import Audit
from avz_bot.services.cases import CaseService
from avz_bot.services.refusal import Refused
from avz_bot.services.signals.persisting import Enqueue, SignalEvents
from avz_bot.services.signals.view import SignalView
from avz_bot.settings_sections.cases import CasesSettings
from avz_bot.settings_sections.signals import SignalSettings
from storage.privacy_repositories import RestrictionRepository
from storage.schedule_repositories import JobRepository
from storage.signal_intake_repositories import IntakeDeliveryRepository
from storage.signal_repositories import (
    CasePersonRepository,
    CaseSignalRepository,
    SignalRepository,
    SignalRow,
)

#: Job kinds of this area (handlers in ``avz_bot.services.signals.jobs``).
JOB_RELIST = "signals.relist"
JOB_REDACT = "signals.redact"

#: A direct chat: the sender and the bot.
DIRECT_CHAT_MEMBERS = 2


@dataclass(frozen=True)
class PersonArgs:
    """The identifier arguments of a command, as typed (never stored)."""

    bsn: str = ""
    name: str = ""
    birth_date: str = ""

    def __repr__(self) -> str:
        return "PersonArgs(<hidden>)"


def parse_birth_date(typed: str) -> date | None:
    """``dd-mm-jjjj`` (or ``jjjj-mm-dd``) → date; None when empty; ValueError otherwise."""
    value = typed.strip()
    if not value:
        return None
    for order in ((0, 1, 2), (2, 1, 0)):
        parts = value.replace("/", "-").split("-")
        if len(parts) == 3 and all(p.isdigit() for p in parts):
            day, month, year = (int(parts[i]) for i in order)
            if year >= 1900:
                return date(year, month, day)
    raise ValueError("not a date")


class SignalShared:
    """What every part of the signal service shares: settings, repositories, view, the
    clock, and the helpers that check places, permissions and arguments. One per service
    (one transaction), handed to each part; the parts hold no state of their own."""

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
        self.cases = cases
        self.settings = settings
        self._cases_settings = cases_settings
        self.calendar = calendar
        self._messages = messages
        self.prefix = prefix
        self.enqueue = enqueue
        self.now = cases.now
        self._pseudonyms = settings.pseudonymiser()
        self.retention = settings.retention()
        self.signals = SignalRepository(session)
        self.case_persons = CasePersonRepository(session)
        self.case_signals = CaseSignalRepository(session)
        self.restrictions = RestrictionRepository(session)
        self.deliveries = IntakeDeliveryRepository(session)
        self._audit = Audit(session, self.now, device_cross_signed)
        self.jobs = JobRepository(session)
        self.view = SignalView(messages, cases, settings, calendar)
        self.events = SignalEvents(
            session,
            cases,
            self.signals,
            view=self.view,
            enqueue=enqueue,
            audit=self.audit,
            now=self.now,
            prefix=prefix,
        )

    # ------------------------------------------------------------ helpers
    def t(self, key: str, /, **values: object) -> str:
        """A catalogue text."""
        return self._messages.t(key, **values)

    def refuse(self, key: str, **values: object) -> Refused:
        """A refusal with a catalogue text (nothing is stored)."""
        return Refused(text(self.t(key, prefix=self.prefix, **values)))

    def check(
        self, action: SignalAction, actors: frozenset[domain.SignalActor], place: Place | None
    ) -> None:
        """Refuse unless the permission table allows ``action`` here."""
        refused = domain.check(action, actors, place)
        if refused is not None:
            raise Refused(self.view.refused(refused, self.prefix))

    def tvo_municipality(self, room_id: str) -> str | None:
        """The municipality whose TVO room this is."""
        for code, room in self.settings.tvo_rooms.items():
            if room == room_id:
                return code
        return None

    def _shared_rooms(self) -> set[str]:
        """Rooms configured as shared (intake, coordination, TVO): never a direct chat,
        even while only one partner and the bot are in them."""
        rooms = set(self._cases_settings.intake_rooms)
        if self._cases_settings.coordination_room:
            rooms.add(self._cases_settings.coordination_room)
        rooms.update(self.settings.tvo_rooms.values())
        return rooms

    async def place_of(self, room_id: str, room_members: int | None) -> Place | None:
        """What kind of room this is, as the permission table knows places."""
        if await self.cases.cases.by_room(room_id) is not None:
            return Place.CASE_ROOM
        if self.tvo_municipality(room_id) is not None:
            return Place.TVO_ROOM
        if room_id not in self._shared_rooms() and room_members == DIRECT_CHAT_MEMBERS:
            return Place.DIRECT_CHAT
        return None

    def identifier(self, person: PersonArgs) -> domain.PersonIdentifier:
        """The typed identifier, checked (refused when invalid or missing)."""
        try:
            birth = parse_birth_date(person.birth_date)
        except ValueError:
            raise self.refuse("signal.bad_birth_date") from None
        try:
            if person.bsn.strip():
                return domain.bsn_identifier(person.bsn)
            if person.name.strip():
                return domain.name_identifier(person.name, birth)
        except domain.IdentifierError as exc:
            key = f"signal.identifier.{exc.code}"
            raise self.refuse(key) from None
        raise self.refuse("signal.identifier.missing")

    async def refuse_restricted(self, pseudonyms: tuple[str, ...]) -> None:
        """Refuse (nothing stored) when processing of the person is restricted (AVG art.
        18, a request at the contact point): no new signal, no match, no case link. The
        reply does not say why, only whom to ask."""
        if await self.restrictions.restricted(pseudonyms):
            raise self.refuse("signal.restricted")

    def pseudonymiser(self) -> domain.Pseudonymiser:
        """The configured pseudonymiser (refused when signals are not configured)."""
        if self._pseudonyms is None:
            raise self.refuse("signal.not_configured")
        return self._pseudonyms

    def category(self, typed: str) -> str:
        """A configured category code (refused when missing or unknown)."""
        code = domain.normalise_code(typed)
        if not code:
            raise self.refuse(
                "signal.category_missing", choices=", ".join(self.settings.categories)
            )
        if code not in self.settings.categories:
            raise self.refuse(
                "signal.unknown_category",
                value=typed,
                choices=", ".join(self.settings.categories),
                suggestion=self._messages.did_you_mean(typed, self.settings.categories),
            )
        return code

    def municipality(self, typed: str) -> str | None:
        """A known municipality code, or None when not typed (refused when unknown)."""
        if not typed.strip():
            return None
        code = domain.normalise_code(typed)
        known = self._cases_settings.municipalities
        if code not in known:
            raise self.refuse(
                "signal.unknown_municipality",
                value=typed,
                choices=", ".join(known),
                suggestion=self._messages.did_you_mean(typed, known),
            )
        return code

    @staticmethod
    def stored(row: SignalRow) -> domain.StoredSignal:
        """The domain's view of a stored signal."""
        return domain.StoredSignal(
            row.id,
            row.reference,
            row.organisation_code,
            row.professional,
            domain.SignalStatus(row.status),
            row.expires_at,
            row.created_at,
        )

    async def audit_signal(
        self, actor: str, action: str, reference: str, details: Mapping[str, Any], room: str | None
    ) -> None:
        """One audit entry about a signal."""
        await self.audit(actor, action, "signal", reference, details, room)

    async def audit(
        self,
        actor: str,
        action: str,
        entity_type: str,
        entity_id: str,
        details: Mapping[str, Any],
        room: str | None,
    ) -> None:
        """One audit entry (texts cut at 200 characters; never an identifier or a
        pseudonym). Under the default trust policy a change a person made from a device
        they have not cross-signed is marked as such."""
        member = (await self.cases.directory()).get(actor)
        await self._audit.record(
            action,
            actor=actor,
            actor_org=member.organisation.code if member else None,
            room_id=room,
            entity_type=entity_type,
            entity_id=entity_id,
            details=details,
        )
