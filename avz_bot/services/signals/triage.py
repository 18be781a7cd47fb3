"""TVO triage: the municipality's agenda, decisions (a case through the normal
``!casus nieuw`` flow, monitoring, no action) and re-listing monitored items."""

from __future__ import annotations

from datetime import datetime, time

from avz_bot.domain import signals as domain
from avz_bot.domain.inbound import Reply
from avz_bot.domain.partners import Member
from avz_bot.domain.signals import Place, SignalAction
from avz_bot.lists import window
from avz_bot.services.signals.base import JOB_RELIST, SignalBase
from storage.signal_repositories import SignalRow


class TriageSignals(SignalBase):
    """``!tvo agenda`` and ``!tvo besluit``."""

    # ------------------------------------------------------------ TVO
    def _tvo(self, member: Member, room_id: str, action: SignalAction) -> str:
        municipality = self.tvo_municipality(room_id)
        place = Place.TVO_ROOM if municipality is not None else None
        self._check(action, domain.actors_for(member, municipality=municipality), place)
        assert municipality is not None
        return municipality

    async def tvo_agenda(self, member: Member, room_id: str, page: int = 1) -> Reply:
        """``!tvo agenda [pagina=]``: this municipality's signals awaiting triage, oldest
        first, one page of ``list_limit``."""
        municipality = self._tvo(member, room_id, SignalAction.TVO_AGENDA)
        win = window(page, self._settings.list_limit)
        found = await self.signals.agenda(municipality, self._now, win.limit, win.offset)
        pairs = await self.signals.match_pairs([r.id for r in found.rows])
        others = {r.id: r for r in await self.signals.by_ids({o for _, o in pairs})}
        matched: dict[int, list[SignalRow]] = {}
        for mine, other in pairs:
            if other in others:
                matched.setdefault(mine, []).append(others[other])
        return await self.view.agenda(found, win, matched, municipality, self._prefix)

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
        awaiting = (domain.TriageStatus.OPEN.value, domain.TriageStatus.MONITOREN.value)
        if (
            row is None
            or row.municipality != municipality
            or row.status != domain.SignalStatus.ACTIEF
            or row.triage not in awaiting
        ):
            raise self._refuse("tvo.not_on_agenda", reference=reference)
        related = await self.signals.by_ids(await self.signals.matched_ids([row.id]))
        cluster = [row, *(r for r in related if r.status == domain.SignalStatus.ACTIEF)]
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
        if (
            row is None
            or row.triage != domain.TriageStatus.MONITOREN
            or row.status != domain.SignalStatus.ACTIEF
        ):
            return
        room = self._settings.tvo_rooms.get(row.municipality or "")
        if room:
            await self._enqueue(
                f"signal-relist:{row.id}:{self._now.isoformat()}",
                room,
                self.view.relisted(row, self._prefix),
            )
