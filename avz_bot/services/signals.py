"""Signals, matching, TVO triage, retention and the BSN guard: one unit of work per
command or job.

Every method runs inside the caller's transaction. It loads what it needs, lets the pure
domain (``avz_bot.domain.signals``) decide, persists each resulting event in the one
function registered for that event type (:attr:`SignalService._persisters`), and returns
a reply rendered by :class:`avz_bot.services.signals_view.SignalView`. Identifiers (BSN,
name, date of birth) live only in the arguments of one call: they are turned into
pseudonyms here and never stored, logged, audited or repeated.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.domain import signals as domain
from avz_bot.domain.cases import CaseStatus
from avz_bot.domain.inbound import Reply
from avz_bot.domain.partners import Member
from avz_bot.domain.signals import Place, Purpose, SignalAction
from avz_bot.domain.workdays import WorkCalendar
from avz_bot.formatting import text
from avz_bot.messages import Messages
from avz_bot.services.cases import CaseCommandError, CaseService, LoadedCase
from avz_bot.services.signals_view import Registered, SignalView
from avz_bot.settings import CasesSettings
from avz_bot.settings_sections.signals import SignalSettings
from storage.repositories import AuditRepository
from storage.schedule_repositories import JobRepository
from storage.signal_repositories import (
    CasePersonRepository,
    CaseSignalRepository,
    SignalRepository,
    SignalRow,
)

#: Job kinds of this area (handlers in ``avz_bot.services.signal_jobs``).
JOB_RETENTION = "signals.retention"
JOB_RELIST = "signals.relist"
JOB_REDACT = "signals.redact"

#: A direct chat: the sender and the bot.
DIRECT_CHAT_MEMBERS = 2

Enqueue = Callable[[str, str, Reply], Awaitable[None]]


class SignalRefused(CaseCommandError):
    """A signals command cannot proceed; ``reply`` explains why. Nothing changed."""


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


class SignalService:
    """Signals inside one transaction."""

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
    ) -> None:
        self._session = session
        self._cases = cases
        self._settings = settings
        self._cases_settings = cases_settings
        self._calendar = calendar
        self._messages = messages
        self._prefix = prefix
        self._enqueue = enqueue
        self._now = cases.now
        self._pseudonyms = settings.pseudonymiser()
        self._retention = settings.retention()
        self.signals = SignalRepository(session)
        self._persons = CasePersonRepository(session)
        self._case_signals = CaseSignalRepository(session)
        self._audit = AuditRepository(session)
        self._jobs = JobRepository(session)
        self.view = SignalView(messages, cases, settings, calendar)
        self._persisters: Mapping[
            type[domain.SignalEvent], Callable[[Any, str], Awaitable[None]]
        ] = {
            domain.MatchFound: self._persist_match,
            domain.CaseMatchFound: self._persist_case_match,
            domain.SignalWithdrawn: self._persist_withdrawn,
            domain.SignalExpired: self._persist_expired,
            domain.SignalDeleted: self._persist_deleted,
        }

    # ------------------------------------------------------------ helpers
    def t(self, key: str, /, **values: object) -> str:
        """A catalogue text."""
        return self._messages.t(key, **values)

    def _refuse(self, key: str, **values: object) -> SignalRefused:
        return SignalRefused(text(self.t(key, prefix=self._prefix, **values)))

    def _check(
        self, action: SignalAction, actors: frozenset[domain.SignalActor], place: Place | None
    ) -> None:
        refused = domain.check(action, actors, place)
        if refused is not None:
            raise SignalRefused(self.view.refused(refused, self._prefix))

    def tvo_municipality(self, room_id: str) -> str | None:
        """The municipality whose TVO room this is."""
        for code, room in self._settings.tvo_rooms.items():
            if room == room_id:
                return code
        return None

    def _shared_rooms(self) -> set[str]:
        """Rooms configured as shared (intake, coordination, TVO): never a direct chat,
        even while only one partner and the bot are in them."""
        rooms = set(self._cases_settings.intake_rooms)
        if self._cases_settings.coordination_room:
            rooms.add(self._cases_settings.coordination_room)
        rooms.update(self._settings.tvo_rooms.values())
        return rooms

    async def place_of(self, room_id: str, room_members: int | None) -> Place | None:
        """What kind of room this is, as the permission table knows places."""
        if await self._cases.cases.by_room(room_id) is not None:
            return Place.CASE_ROOM
        if self.tvo_municipality(room_id) is not None:
            return Place.TVO_ROOM
        if room_id not in self._shared_rooms() and room_members == DIRECT_CHAT_MEMBERS:
            return Place.DIRECT_CHAT
        return None

    def _identifier(self, person: PersonArgs) -> domain.PersonIdentifier:
        try:
            birth = parse_birth_date(person.birth_date)
        except ValueError:
            raise self._refuse("signal.bad_birth_date") from None
        try:
            if person.bsn.strip():
                return domain.bsn_identifier(person.bsn)
            if person.name.strip():
                return domain.name_identifier(person.name, birth)
        except domain.IdentifierError as exc:
            raise self._refuse(f"signal.identifier.{exc.code}") from None
        raise self._refuse("signal.identifier.missing")

    def _pseudonymiser(self) -> domain.Pseudonymiser:
        if self._pseudonyms is None:
            raise self._refuse("signal.not_configured")
        return self._pseudonyms

    def _category(self, typed: str) -> str:
        code = domain.normalise_code(typed)
        if code not in self._settings.categories:
            raise self._refuse(
                "signal.unknown_category",
                value=typed,
                choices=", ".join(self._settings.categories),
            )
        return code

    def _municipality(self, typed: str) -> str | None:
        if not typed.strip():
            return None
        code = domain.normalise_code(typed)
        known = self._cases_settings.municipalities
        if code not in known:
            raise self._refuse("signal.unknown_municipality", value=typed, choices=", ".join(known))
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

    async def _audit_signal(
        self, actor: str, action: str, reference: str, details: Mapping[str, Any], room: str | None
    ) -> None:
        member = (await self._cases.directory()).get(actor)
        await self._audit.append(
            occurred_at=self._now,
            actor=actor,
            actor_org=member.organisation.code if member else None,
            action=action,
            room_id=room,
            entity_type="signal",
            entity_id=reference,
            details={k: (v[:200] if isinstance(v, str) else v) for k, v in details.items()},
        )

    async def _schedule_retention(self, row: SignalRow, due: datetime) -> None:
        await self._jobs.schedule(
            JOB_RETENTION,
            due,
            {"signal_id": row.id},
            self._now,
            dedupe_key=f"signal:{row.id}:retention",
            entity_type="signal",
            entity_id=str(row.id),
        )

    async def _apply(self, events: list[domain.SignalEvent], key: str) -> None:
        for event in events:
            await self._persisters[type(event)](event, key)

    # ------------------------------------------------------------ !signaal (person)
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
        """``!signaal bsn=…|naam=… categorie=…``: store a pseudonymous signal and tell
        everyone it matches. Refused (nothing stored) outside a direct chat, with an
        invalid BSN, an unknown category or municipality, or without a key."""
        place = await self.place_of(room_id, room_members)
        self._check(SignalAction.REGISTER, domain.actors_for(member), place)
        pseudonyms = self._pseudonymiser()
        identifier = self._identifier(person)
        code = self._category(category)
        where = self._municipality(municipality)
        candidates = pseudonyms.candidates(identifier, Purpose.SIGNAL_PERSON)
        stored = pseudonyms.make(identifier, Purpose.SIGNAL_PERSON)
        del identifier  # from here on only pseudonyms
        now = self._now
        row = await self.signals.create(
            year=self._calendar.local(now).year,
            pseudonym=stored,
            key_version=domain.key_version_of(stored),
            weak_key=not person.bsn.strip(),
            category=code,
            municipality=where,
            professional=member.matrix_id,
            organisation_code=member.organisation.code,
            contact_room=room_id,
            now=now,
            expires_at=self._retention.expires_at(now),
        )
        await self._audit_signal(
            member.matrix_id,
            "signal.registered",
            row.reference,
            {"category": code, "municipality": where, "weak_key": row.weak_key},
            room_id,
        )
        await self._schedule_retention(row, row.expires_at)
        same = [self.stored(r) for r in await self.signals.same_person(candidates)]
        links = await self._persons.open_cases_for(candidates)
        events = domain.matches_for(self.stored(row), same, [link.case_id for link in links], now)
        await self._apply(events, key)
        matched_ids = [e.other.id for e in events if isinstance(e, domain.MatchFound)]
        matched = await self.signals.by_ids(matched_ids)
        case_lines: list[tuple[str, str | None]] = []
        for event in events:
            if isinstance(event, domain.CaseMatchFound):
                case = await self._cases.cases.get(event.case_id)
                if case is not None:
                    case_lines.append((case.reference, case.regie_holder))
        if matched:
            await self._tell_tvo(row, matched, key)
        shown = [m for m in matched if m.professional != member.matrix_id]
        return await self.view.registered(Registered(row, _one_each(shown), case_lines))

    async def _persist_match(self, event: domain.MatchFound, key: str) -> None:
        await self.signals.add_match(
            event.new.id, self._now, other_signal_id=event.other.id, case_id=None
        )
        await self._audit_signal(
            "bot",
            "signal.matched",
            event.new.reference,
            {"other": event.other.reference},
            None,
        )
        other = await self.signals.get(event.other.id)
        new = await self.signals.get(event.new.id)
        if other is None or new is None or other.professional == new.professional:
            return
        await self._enqueue(
            # One notice per professional, however many of their signals matched.
            f"signal-match:{key}:{other.professional}",
            other.contact_room,
            await self.view.match_notice(other, new),
        )

    async def _persist_case_match(self, event: domain.CaseMatchFound, key: str) -> None:
        await self.signals.add_match(
            event.new.id, self._now, other_signal_id=None, case_id=event.case_id
        )
        case = await self._cases.cases.get(event.case_id)
        new = await self.signals.get(event.new.id)
        if case is None or new is None:
            return
        await self._audit_signal(
            "bot", "signal.case_matched", new.reference, {"case": case.reference}, None
        )
        holder = case.regie_holder
        if holder is None:
            room = self._cases.coordination_room
            if room:
                await self._enqueue(
                    f"signal-case:{key}:{case.id}",
                    room,
                    self.view.case_match_coordination(new, case.reference),
                )
            return
        notice = await self.view.case_match_notice(new, case.reference)
        room = await self.signals.contact_room(holder)
        if room is None and case.room_id is not None:
            # No direct chat known: mention the regiehouder in the case room (encrypted,
            # only the case's partners) instead.
            room = case.room_id
            notice = Reply(notice.plain, notice.html, (holder,))
        if room is not None:
            await self._enqueue(f"signal-case:{key}:{case.id}", room, notice)

    async def _tell_tvo(self, row: SignalRow, matched: list[SignalRow], key: str) -> None:
        municipalities = [row.municipality, *(m.municipality for m in matched)]
        for code in municipalities:
            room = self._settings.tvo_rooms.get(code or "")
            if room:
                await self._enqueue(
                    f"signal-tvo:{key}",
                    room,
                    await self.view.agenda_item(row, matched, self._prefix),
                )
                return

    # ------------------------------------------------------------ withdraw
    async def withdraw(
        self,
        member: Member,
        room_id: str,
        room_members: int | None,
        reference: str,
        reason: str,
        key: str,
    ) -> Reply:
        """``!signaal intrekken SIG-… reden=…`` by the signalling professional."""
        place = await self.place_of(room_id, room_members)
        self._check(
            SignalAction.WITHDRAW, domain.actors_for(member, signaller=member.matrix_id), place
        )
        row = await self.signals.by_reference(reference.strip().upper())
        if row is None or row.professional != member.matrix_id:
            # Someone else's signal is "not found" too: no probing of references.
            raise self._refuse("signal.not_found", reference=reference)
        outcome = domain.withdraw(self.stored(row), member, reason, self._now, self._retention)
        if isinstance(outcome, domain.Refused):
            raise SignalRefused(self.view.refused(outcome, self._prefix))
        await self._apply([outcome], key)
        return self.view.withdrawn(row.reference, outcome.delete_at)

    async def _persist_withdrawn(self, event: domain.SignalWithdrawn, key: str) -> None:
        del key
        signal = event.signal
        if not await self.signals.set_status(
            signal.id, "actief", "ingetrokken", self._now, event.delete_at
        ):
            raise self._refuse("signal.not_found", reference=signal.reference)
        await self._audit_signal(
            signal.professional,
            "signal.withdrawn",
            signal.reference,
            {"reason": event.reason},
            None,
        )
        row = await self.signals.get(signal.id)
        if row is not None:
            await self._schedule_retention(row, event.delete_at)

    # ------------------------------------------------------------ retention (job)
    async def retention(self, signal_id: int) -> None:
        """The retention job of one signal: expire, delete, or re-arm for later."""
        row = await self.signals.get(signal_id)
        if row is None:
            return
        event = domain.retention_event(self.stored(row), row.delete_at, self._now, self._retention)
        if event is None:
            due = row.delete_at if row.status != "actief" and row.delete_at else row.expires_at
            await self._schedule_retention(row, max(due, self._now))
            return
        await self._apply([event], f"retention:{signal_id}")

    async def _persist_expired(self, event: domain.SignalExpired, key: str) -> None:
        del key
        signal = event.signal
        if not await self.signals.set_status(
            signal.id, "actief", "verlopen", self._now, event.delete_at
        ):
            return
        await self._audit_signal(
            "bot",
            "signal.expired",
            signal.reference,
            {"delete_at": event.delete_at.isoformat()},
            None,
        )
        row = await self.signals.get(signal.id)
        if row is not None:
            await self._schedule_retention(row, event.delete_at)

    async def _persist_deleted(self, event: domain.SignalDeleted, key: str) -> None:
        del key
        if await self.signals.delete(event.signal.id):
            # The audit keeps the reference, never the pseudonym.
            await self._audit_signal("bot", "signal.deleted", event.signal.reference, {}, None)

    # ------------------------------------------------------------ !casus persoon
    async def link_person(
        self,
        member: Member,
        room_id: str,
        room_members: int | None,
        case_reference: str,
        person: PersonArgs,
    ) -> Reply:
        """``!casus persoon AVZ-… bsn=…``: the regiehouder links the case to its central
        person's pseudonym, so new signals on that person reach the case."""
        place = await self.place_of(room_id, room_members)
        case = await self._cases.cases.by_reference(case_reference.strip().upper())
        actors = domain.actors_for(
            member, regie_holder=case.regie_holder if case is not None else None
        )
        if case is None:
            raise self._refuse("signal.case_not_found", reference=case_reference)
        self._check(SignalAction.LINK_PERSON, actors, place)
        if case.status == CaseStatus.GESLOTEN.value:
            raise self._refuse("signal.case_closed", reference=case.reference)
        pseudonyms = self._pseudonymiser()
        identifier = self._identifier(person)
        stored = pseudonyms.make(identifier, Purpose.SIGNAL_PERSON)
        del identifier
        await self._persons.link(
            case.id,
            stored,
            domain.key_version_of(stored),
            not person.bsn.strip(),
            member.matrix_id,
            room_id,
            self._now,
        )
        await self._cases.record_audit(
            case, member.matrix_id, "case.person_linked", None, {"weak_key": not person.bsn.strip()}
        )
        return self.view.linked(case.reference, not person.bsn.strip())

    # ------------------------------------------------------------ signals in a case
    async def record_in_case(
        self,
        member: Member,
        loaded: LoadedCase,
        category: str,
        severity: str,
        description: str,
        key: str,
    ) -> Reply:
        """``!signaal <categorie> [ernst=…] <omschrijving>`` in a case room."""
        state, row = loaded.state, loaded.row
        actors = domain.actors_for(member, case_members=state.members)
        self._check(SignalAction.CASE_SIGNAL, actors, Place.CASE_ROOM)
        if state.status is CaseStatus.GESLOTEN:
            raise self._refuse("signal.case_closed", reference=row.reference)
        code = self._category(category)
        if not description.strip():
            raise self._refuse("signal.description_missing")
        level = domain.Severity(severity)
        stored = await self._case_signals.create(
            case_id=row.id,
            category=code,
            severity=level.value,
            description=description.strip(),
            created_by=member.matrix_id,
            organisation_code=member.organisation.code,
            now=self._now,
        )
        await self._cases.record_audit(
            row,
            member.matrix_id,
            "case.signal_recorded",
            row.room_id,
            {"number": stored.number, "category": code, "severity": level.value},
        )
        if level is domain.Severity.HOOG and state.regie_holder is None:
            room = self._cases.coordination_room
            if room:
                await self._enqueue(
                    f"case-signal-high:{key}",
                    room,
                    self.view.case_signal_coordination(stored, row.reference),
                )
        return await self.view.case_signal_recorded(stored, row.reference, state.regie_holder)

    async def list_in_case(self, member: Member, loaded: LoadedCase) -> Reply:
        """``!signalen``: the case's signals, newest first, bounded."""
        actors = domain.actors_for(member, case_members=loaded.state.members)
        self._check(SignalAction.CASE_SIGNALS_VIEW, actors, Place.CASE_ROOM)
        page = await self._case_signals.list_for_case(loaded.row.id, self._settings.list_limit)
        return await self.view.case_signals(page, loaded.row.reference)

    # ------------------------------------------------------------ TVO
    def _tvo(self, member: Member, room_id: str, action: SignalAction) -> str:
        municipality = self.tvo_municipality(room_id)
        place = Place.TVO_ROOM if municipality is not None else None
        self._check(action, domain.actors_for(member, municipality=municipality), place)
        assert municipality is not None
        return municipality

    async def tvo_agenda(self, member: Member, room_id: str) -> Reply:
        """``!tvo agenda``: this municipality's signals awaiting triage, oldest first."""
        municipality = self._tvo(member, room_id, SignalAction.TVO_AGENDA)
        page = await self.signals.agenda(municipality, self._now, self._settings.list_limit)
        pairs = await self.signals.match_pairs([r.id for r in page.rows])
        others = {r.id: r for r in await self.signals.by_ids({o for _, o in pairs})}
        matched: dict[int, list[SignalRow]] = {}
        for mine, other in pairs:
            if other in others:
                matched.setdefault(mine, []).append(others[other])
        return await self.view.agenda(page, matched, municipality, self._prefix)

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
        """``!tvo besluit SIG-… casus|monitoren|geen-actie reden=…``."""
        municipality = self._tvo(member, room_id, SignalAction.TVO_DECIDE)
        row = await self.signals.by_reference(reference.strip().upper())
        if row is None or row.municipality != municipality or row.status != "actief":
            raise self._refuse("tvo.not_on_agenda", reference=reference)
        related = await self.signals.by_ids(await self.signals.matched_ids([row.id]))
        cluster = [row, *(r for r in related if r.status == "actief")]
        ids = [r.id for r in cluster]
        relist_at: datetime | None = None
        case_reply: Reply | None = None
        invited: list[str] = []
        case_reference: str | None = None
        if decision is domain.Decision.CASUS:
            invited = sorted({r.professional for r in cluster} - {member.matrix_id})
            directory = await self._cases.directory()
            invited = [u for u in invited if u in directory]
            case_reply = await self._cases.open_case(
                member,
                room_id,
                self.t("tvo.case_title", reference=row.reference),
                municipality,
                case_type or self._settings.default_case_type,
                invited,
            )
            opened = self._cases.opened
            assert opened is not None
            case_reference = opened.reference
            await self._persons.link(
                opened.id,
                row.pseudonym,
                row.key_version,
                row.weak_key,
                member.matrix_id,
                None,
                self._now,
            )
            await self.signals.set_triage(ids, decision.triage_status.value, case_id=opened.id)
        elif decision is domain.Decision.MONITOREN:
            local = self._calendar.local(self._now)
            day = self._calendar.add_working_days(
                local.date(), self._settings.monitor_relist_working_days
            )
            relist_at = self._calendar.at(day, time(local.hour, local.minute))
            await self.signals.set_triage(ids, decision.triage_status.value, relist_at=relist_at)
            await self._jobs.schedule(
                JOB_RELIST,
                relist_at,
                {"signal_id": row.id},
                self._now,
                dedupe_key=f"signal:{row.id}:relist",
                entity_type="signal",
                entity_id=str(row.id),
            )
        else:
            await self.signals.set_triage(ids, decision.triage_status.value)
        for signal in cluster:
            await self._audit_signal(
                member.matrix_id,
                "signal.triaged",
                signal.reference,
                {"decision": decision.value, "reason": reason, "case": case_reference},
                room_id,
            )
        return await self.view.decided(
            decision, [r.reference for r in cluster], relist_at, case_reply, invited
        )

    async def relist(self, signal_id: int) -> None:
        """The ``monitoren`` period is over: tell the TVO room the item is back."""
        row = await self.signals.get(signal_id)
        if row is None or row.triage != "monitoren" or row.status != "actief":
            return
        room = self._settings.tvo_rooms.get(row.municipality or "")
        if room:
            await self._enqueue(
                f"signal-relist:{row.id}:{self._now.isoformat()}",
                room,
                self.view.relisted(row, self._prefix),
            )

    # ------------------------------------------------------------ !mijn
    async def plate_section(self, member: Member) -> tuple[str, list[str]]:
        """The ``!mijn`` section: the sender's active signals, expiring soonest first
        (at most ``list_limit``, then "… en nog N")."""
        page = await self.signals.for_professional(member.matrix_id, self._settings.list_limit)
        return self.t("signal.mine_heading"), self.view.plate_lines(page)

    # ------------------------------------------------------------ BSN guard
    async def guard(
        self, room_id: str, event_id: str, sender: str, room_members: int | None
    ) -> bool:
        """A message with a BSN-valid number: in a shared room, redact it where the bot
        can (case rooms, as a job after commit) or ask the sender to remove it, and say
        why without repeating the number. Returns False for a direct chat (left alone)."""
        place = await self.place_of(room_id, room_members)
        if place is Place.DIRECT_CHAT:
            return False
        redact = place is Place.CASE_ROOM
        if redact:
            await self._jobs.schedule(
                JOB_REDACT,
                self._now,
                {"room_id": room_id, "event_id": event_id},
                self._now,
                dedupe_key=f"redact:{event_id}",
            )
        await self._enqueue(f"guard:{event_id}", room_id, self.view.guard_notice(sender, redact))
        member = (await self._cases.directory()).get(sender)
        await self._audit.append(
            occurred_at=self._now,
            actor=sender,
            actor_org=member.organisation.code if member else None,
            action="privacy.bsn_redacted" if redact else "privacy.bsn_flagged",
            room_id=room_id,
            entity_type="event",
            entity_id=event_id,
            details={},
        )
        return True


def _one_each(rows: list[SignalRow]) -> list[SignalRow]:
    """The oldest signal of each professional (rows are oldest first)."""
    seen: set[str] = set()
    kept = []
    for row in rows:
        if row.professional not in seen:
            seen.add(row.professional)
            kept.append(row)
    return kept
