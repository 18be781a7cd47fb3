"""Signals about persons: registering and matching, withdrawing, retention, linking a
case's central person and the ``!mijn`` section. Events are persisted by the service's
``events`` (``SignalEvents``, one function per event type)."""

from __future__ import annotations

from avz_bot.domain import signals as domain
from avz_bot.domain.cases import CaseStatus
from avz_bot.domain.inbound import Reply
from avz_bot.domain.partners import Member
from avz_bot.domain.signals import Purpose, SignalAction
from avz_bot.services.access_log import Shown
from avz_bot.services.refusal import Refused
from avz_bot.services.signals.base import PersonArgs, SignalShared
from avz_bot.services.signals.view import Registered
from storage.signal_repositories import (
    SignalRow,
)


class PersonSignals:
    """Person signals (see the package docstring)."""

    def __init__(self, shared: SignalShared) -> None:
        self._shared = shared

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
        place = await self._shared.place_of(room_id, room_members)
        self._shared.check(SignalAction.REGISTER, domain.actors_for(member), place)
        return (await self.store_and_match(member, room_id, person, category, municipality, key))[0]

    async def register_from_system(
        self,
        member: Member,
        contact_room: str,
        person: PersonArgs,
        category: str,
        municipality: str,
        key: str,
    ) -> tuple[Reply, SignalRow, bool]:
        """A signed submission from ``member``'s organisation's system (issue 23), made
        on behalf of ``member`` (the registry's responsible professional): the same path
        as ``!signaal``, with ``contact_room`` (the organisation's room) where matches are
        told. Returns the reply a typed signal would get, the row, and whether it matched
        (another organisation's signal or a case)."""
        self._shared.check(
            SignalAction.SYSTEM_REGISTER, domain.actors_for(member), domain.Place.PARTNER_SYSTEM
        )
        return await self.store_and_match(member, contact_room, person, category, municipality, key)

    async def store_and_match(
        self,
        member: Member,
        room_id: str,
        person: PersonArgs,
        category: str,
        municipality: str,
        key: str,
    ) -> tuple[Reply, SignalRow, bool]:
        """The checked part of registering: pseudonymise at once, store, match, tell
        (refused with nothing stored for an invalid identifier, category or municipality,
        or without a key)."""
        pseudonyms = self._shared.pseudonymiser()
        identifier = self._shared.identifier(person)
        code = self._shared.category(category)
        where = self._shared.municipality(municipality)
        candidates = pseudonyms.candidates(identifier, Purpose.SIGNAL_PERSON)
        stored = pseudonyms.make(identifier, Purpose.SIGNAL_PERSON)
        del identifier  # from here on only pseudonyms
        await self._shared.refuse_restricted(candidates)
        row = await self._store(member, room_id, stored, not person.bsn.strip(), code, where)
        matched, case_lines = await self._match(row, candidates, key)
        if matched:
            await self._tell_tvo(row, matched, key)
        shown = [m for m in matched if m.professional != member.matrix_id]
        if shown or case_lines:
            # The reply shows other professionals' signals and cases about the person.
            self._shared.cases.reads.note(
                Shown("person", stored),
                *(Shown("signal", m.reference) for m in shown),
                *(Shown("case", reference) for reference, _ in case_lines),
            )
        reply = await self._shared.view.registered(
            Registered(row, domain.one_per_professional(shown), case_lines)
        )
        return reply, row, bool(matched or case_lines)

    async def _store(
        self,
        member: Member,
        room_id: str,
        pseudonym: str,
        weak_key: bool,
        code: str,
        where: str | None,
    ) -> SignalRow:
        """Store the signal (under the person's lock), audit it and arm its retention."""
        shared = self._shared
        await shared.signals.lock_person(pseudonym)
        now = shared.now
        row = await shared.signals.create(
            year=shared.calendar.local(now).year,
            pseudonym=pseudonym,
            key_version=domain.key_version_of(pseudonym),
            weak_key=weak_key,
            category=code,
            municipality=where,
            professional=member.matrix_id,
            organisation_code=member.organisation.code,
            contact_room=room_id,
            now=now,
            expires_at=shared.retention.expires_at(now),
        )
        await shared.audit_signal(
            member.matrix_id,
            "signal.registered",
            row.reference,
            {"category": code, "municipality": where, "weak_key": row.weak_key},
            room_id,
        )
        await shared.events.schedule_retention(row, row.expires_at)
        return row

    async def _match(
        self, row: SignalRow, candidates: tuple[str, ...], key: str
    ) -> tuple[list[SignalRow], list[tuple[str, str | None]]]:
        """Match the new signal against the person's other signals and linked cases,
        persist the matches, and return the matched rows and the matched cases' lines."""
        shared = self._shared
        # One query for the person's signals (every key version); the persisters below
        # read the rows from here instead of asking again per match.
        known = {r.id: r for r in await shared.signals.same_person(candidates)}
        same = [shared.stored(r) for r in known.values()]
        links = await shared.case_persons.open_cases_for(candidates)
        case_ids = [link.case_id for link in links]
        events = domain.matches_for(shared.stored(row), same, case_ids, shared.now)
        await shared.events.apply(events, key, known)
        matched = [known[e.other.id] for e in events if isinstance(e, domain.MatchFound)]
        case_lines: list[tuple[str, str | None]] = []
        for event in events:
            if isinstance(event, domain.CaseMatchFound):
                case = await shared.cases.cases.get(event.case_id)
                if case is not None:
                    case_lines.append((case.reference, case.regie_holder))
        return matched, case_lines

    async def _tell_tvo(self, row: SignalRow, matched: list[SignalRow], key: str) -> None:
        municipalities = [row.municipality, *(m.municipality for m in matched)]
        for code in municipalities:
            room = self._shared.settings.tvo_rooms.get(code or "")
            if room:
                await self._shared.enqueue(
                    f"signal-tvo:{key}",
                    room,
                    await self._shared.view.agenda_item(row, matched, self._shared.prefix),
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
        place = await self._shared.place_of(room_id, room_members)
        self._shared.check(
            SignalAction.WITHDRAW, domain.actors_for(member, signaller=member.matrix_id), place
        )
        row = await self._shared.signals.by_reference(reference.strip().upper())
        if row is None or row.professional != member.matrix_id:
            # Someone else's signal is "not found" too: no probing of references.
            raise self._shared.refuse("signal.not_found", reference=reference)
        outcome = domain.withdraw(
            self._shared.stored(row), member, reason, self._shared.now, self._shared.retention
        )
        if isinstance(outcome, domain.Refused):
            raise Refused(self._shared.view.refused(outcome, self._shared.prefix))
        await self._shared.events.apply([outcome], key)
        return self._shared.view.withdrawn(row.reference, outcome.delete_at)

    # ------------------------------------------------------------ retention (job)
    async def retention(self, signal_id: int) -> None:
        """The retention job of one signal: expire, delete, or re-arm for later."""
        row = await self._shared.signals.get(signal_id)
        if row is None:
            return
        event = domain.retention_event(
            self._shared.stored(row), row.delete_at, self._shared.now, self._shared.retention
        )
        if event is None:
            due = (
                row.delete_at
                if row.status != domain.SignalStatus.ACTIEF and row.delete_at
                else row.expires_at
            )
            await self._shared.events.schedule_retention(row, max(due, self._shared.now))
            return
        await self._shared.events.apply([event], f"retention:{signal_id}")

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
        place = await self._shared.place_of(room_id, room_members)
        cases = self._shared.cases.cases
        case = await cases.by_reference(case_reference.strip().upper())
        membership = await cases.get_member(case.id, member.matrix_id) if case else None
        if case is None or membership is None or not membership.active:
            # Membership first, as for every case command: to a non-member the case does
            # not exist (no probing references for existence, place or status).
            raise self._shared.refuse("signal.case_not_found", reference=case_reference)
        actors = domain.actors_for(member, regie_holder=case.regie_holder)
        self._shared.check(SignalAction.LINK_PERSON, actors, place)
        if case.status == CaseStatus.GESLOTEN.value:
            raise self._shared.refuse("signal.case_closed", reference=case.reference)
        pseudonyms = self._shared.pseudonymiser()
        identifier = self._shared.identifier(person)
        stored = pseudonyms.make(identifier, Purpose.SIGNAL_PERSON)
        candidates = pseudonyms.candidates(identifier, Purpose.SIGNAL_PERSON)
        del identifier
        await self._shared.refuse_restricted(candidates)
        await self._shared.signals.lock_person(stored)
        await self._shared.case_persons.link(
            case.id,
            stored,
            domain.key_version_of(stored),
            not person.bsn.strip(),
            member.matrix_id,
            room_id,
            self._shared.now,
        )
        await self._shared.cases.record_audit(
            case, member.matrix_id, "case.person_linked", None, {"weak_key": not person.bsn.strip()}
        )
        return self._shared.view.linked(case.reference, not person.bsn.strip())

    # ------------------------------------------------------------ !mijn
    async def plate_section(self, member: Member) -> tuple[str, list[str]]:
        """The ``!mijn`` section: the sender's active signals, expiring soonest first
        (at most ``list_limit``, then "… en nog N")."""
        page = await self._shared.signals.for_professional(
            member.matrix_id, self._shared.settings.list_limit
        )
        # The access log: the member's own signals (their references).
        self._shared.cases.reads.note(*(Shown("signal", row.reference) for row in page.rows))
        return self._shared.t("signal.mine_heading"), self._shared.view.plate_lines(page)
