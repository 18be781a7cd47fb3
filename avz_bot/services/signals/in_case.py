"""Signals recorded inside a case room, and the BSN guard for shared rooms."""

from __future__ import annotations

from avz_bot.domain import signals as domain
from avz_bot.domain.cases import CaseStatus
from avz_bot.domain.inbound import Reply
from avz_bot.domain.partners import Member
from avz_bot.domain.signals import Place, SignalAction
from avz_bot.lists import window
from avz_bot.services.cases import LoadedCase
from avz_bot.services.signals.base import JOB_REDACT, SignalShared


class CaseSignals:
    """``!signaal`` and ``!signalen`` in a case room; the BSN guard."""

    def __init__(self, shared: SignalShared) -> None:
        self._shared = shared

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
        self._shared.check(SignalAction.CASE_SIGNAL, actors, Place.CASE_ROOM)
        if state.status is CaseStatus.GESLOTEN:
            raise self._shared.refuse("signal.case_closed", reference=row.reference)
        code = self._shared.category(category)
        if not description.strip():
            raise self._shared.refuse("signal.description_missing")
        level = domain.Severity(severity)
        stored = await self._shared.case_signals.create(
            case_id=row.id,
            category=code,
            severity=level.value,
            description=description.strip(),
            created_by=member.matrix_id,
            organisation_code=member.organisation.code,
            now=self._shared.now,
        )
        await self._shared.cases.record_audit(
            row,
            member.matrix_id,
            "case.signal_recorded",
            row.room_id,
            {"number": stored.number, "category": code, "severity": level.value},
        )
        if level is domain.Severity.HOOG and state.regie_holder is None:
            room = self._shared.cases.coordination_room
            if room:
                await self._shared.enqueue(
                    f"case-signal-high:{key}",
                    room,
                    self._shared.view.case_signal_coordination(stored, row.reference),
                )
        return await self._shared.view.case_signal_recorded(
            stored, row.reference, state.regie_holder
        )

    async def list_in_case(self, member: Member, loaded: LoadedCase, page: int = 1) -> Reply:
        """``!signalen [pagina=]``: the case's signals, newest first, one page of
        ``list_limit``."""
        actors = domain.actors_for(member, case_members=loaded.state.members)
        self._shared.check(SignalAction.CASE_SIGNALS_VIEW, actors, Place.CASE_ROOM)
        self._shared.cases.note_read(loaded, member.matrix_id)
        win = window(page, self._shared.settings.list_limit)
        found = await self._shared.case_signals.list_for_case(loaded.row.id, win.limit, win.offset)
        return await self._shared.view.case_signals(
            found, win, loaded.row.reference, self._shared.prefix
        )

    # ------------------------------------------------------------ BSN guard
    async def guard(
        self,
        room_id: str,
        event_id: str,
        sender: str,
        room_members: int | None,
        *,
        command: bool = False,
    ) -> Reply | None:
        """A message with a BSN-valid number: in a shared room, redact it where the bot
        can (case rooms, as a job after commit) or ask the sender to remove it, and say
        why without repeating the number. Returns None for a direct chat (left alone),
        else the notice. A plain message's notice is queued here; a ``command``'s is
        returned for the caller to send as the answer to the command (in its thread),
        and says that the command was not carried out."""
        place = await self._shared.place_of(room_id, room_members)
        if place is Place.DIRECT_CHAT:
            return None
        redact = place is Place.CASE_ROOM
        if redact:
            await self._shared.jobs.schedule(
                JOB_REDACT,
                self._shared.now,
                {"room_id": room_id, "event_id": event_id},
                self._shared.now,
                dedupe_key=f"redact:{event_id}",
            )
        notice = self._shared.view.guard_notice(sender, redact, command=command)
        if not command:
            await self._shared.enqueue(f"guard:{event_id}", room_id, notice)
        await self._shared.audit(
            sender,
            "privacy.bsn_redacted" if redact else "privacy.bsn_flagged",
            "event",
            event_id,
            {},
            room_id,
        )
        return notice
