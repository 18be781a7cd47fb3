"""TVO triage: the municipality's agenda, decisions (a case through the normal
``!casus nieuw`` flow, monitoring, no action) and re-listing monitored items."""

from __future__ import annotations

from datetime import datetime, time

from avz_bot.domain import signals as domain
from avz_bot.domain.inbound import Reply
from avz_bot.domain.partners import Member
from avz_bot.domain.signals import Place, SignalAction
from avz_bot.lists import window
from avz_bot.services.access_log import Shown
from avz_bot.services.signals.base import JOB_RELIST, SignalShared
from storage.signal_repositories import SignalRow


class TriageSignals:
    """``!tvo agenda`` and ``!tvo besluit``."""

    def __init__(self, shared: SignalShared) -> None:
        self._shared = shared

    # ------------------------------------------------------------ TVO
    def _tvo(self, member: Member, room_id: str, action: SignalAction) -> str:
        municipality = self._shared.tvo_municipality(room_id)
        place = Place.TVO_ROOM if municipality is not None else None
        self._shared.check(action, domain.actors_for(member, municipality=municipality), place)
        assert municipality is not None
        return municipality

    async def tvo_agenda(self, member: Member, room_id: str, page: int = 1) -> Reply:
        """``!tvo agenda [pagina=]``: this municipality's signals awaiting triage, oldest
        first, one page of ``list_limit``."""
        municipality = self._tvo(member, room_id, SignalAction.TVO_AGENDA)
        win = window(page, self._shared.settings.list_limit)
        found = await self._shared.signals.agenda(
            municipality, self._shared.now, win.limit, win.offset
        )
        pairs = await self._shared.signals.match_pairs([r.id for r in found.rows])
        others = {r.id: r for r in await self._shared.signals.by_ids({o for _, o in pairs})}
        matched: dict[int, list[SignalRow]] = {}
        for mine, other in pairs:
            if other in others:
                matched.setdefault(mine, []).append(others[other])
        shown = [*found.rows, *others.values()]
        self._shared.cases.reads.note(
            *(Shown("signal", r.reference) for r in shown),
            *(Shown("person", r.pseudonym) for r in shown),
            role=f"tvo:{municipality}",
        )
        return await self._shared.view.agenda(
            found, win, matched, municipality, self._shared.prefix
        )

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
        row = await self._on_agenda(reference, municipality)
        shared = self._shared
        related = await shared.signals.by_ids(await shared.signals.matched_ids([row.id]))
        cluster = [row, *(r for r in related if r.status == domain.SignalStatus.ACTIEF)]
        ids = [r.id for r in cluster]
        relist_at: datetime | None = None
        case_reply: Reply | None = None
        invited: list[str] = []
        case_reference: str | None = None
        if decision is domain.Decision.CASUS:
            case_reply, invited, case_reference = await self._open_case(
                member, room_id, row, cluster, municipality, case_type
            )
        elif decision is domain.Decision.MONITOREN:
            relist_at = await self._monitor(row, ids)
        else:
            await shared.signals.set_triage(ids, decision.triage_status.value)
        for signal in cluster:
            await shared.audit_signal(
                member.matrix_id,
                "signal.triaged",
                signal.reference,
                {"decision": decision.value, "reason": reason, "case": case_reference},
                room_id,
            )
        return await shared.view.decided(
            decision, [r.reference for r in cluster], relist_at, case_reply, invited
        )

    async def _on_agenda(self, reference: str, municipality: str) -> SignalRow:
        """The active signal awaiting this municipality's triage (refused otherwise)."""
        row = await self._shared.signals.by_reference(reference.strip().upper())
        awaiting = (domain.TriageStatus.OPEN.value, domain.TriageStatus.MONITOREN.value)
        if (
            row is None
            or row.municipality != municipality
            or row.status != domain.SignalStatus.ACTIEF
            or row.triage not in awaiting
        ):
            raise self._shared.refuse("tvo.not_on_agenda", reference=reference)
        return row

    async def _open_case(
        self,
        member: Member,
        room_id: str,
        row: SignalRow,
        cluster: list[SignalRow],
        municipality: str,
        case_type: str,
    ) -> tuple[Reply, list[str], str]:
        """``casus``: open a case through the normal flow, inviting the cluster's other
        professionals, link its person and mark the cluster. Returns the case's reply,
        who was invited and the case's reference."""
        shared = self._shared
        invited = sorted({r.professional for r in cluster} - {member.matrix_id})
        directory = await shared.cases.directory()
        invited = [u for u in invited if u in directory]
        case_reply = await shared.cases.open_case(
            member,
            room_id,
            shared.t("tvo.case_title", reference=row.reference),
            municipality,
            case_type or shared.settings.default_case_type,
            invited,
        )
        opened = shared.cases.opened
        assert opened is not None
        await shared.case_persons.link(
            opened.id,
            row.pseudonym,
            row.key_version,
            row.weak_key,
            member.matrix_id,
            None,
            shared.now,
        )
        await shared.signals.set_triage(
            [r.id for r in cluster], domain.Decision.CASUS.triage_status.value, case_id=opened.id
        )
        return case_reply, invited, opened.reference

    async def _monitor(self, row: SignalRow, ids: list[int]) -> datetime:
        """``monitoren``: mark the cluster and re-list it after the configured working
        days, at the same time of day. Returns when."""
        shared = self._shared
        local = shared.calendar.local(shared.now)
        day = shared.calendar.add_working_days(
            local.date(), shared.settings.monitor_relist_working_days
        )
        relist_at = shared.calendar.at(day, time(local.hour, local.minute))
        await shared.signals.set_triage(
            ids, domain.Decision.MONITOREN.triage_status.value, relist_at=relist_at
        )
        await shared.jobs.schedule(
            JOB_RELIST,
            relist_at,
            {"signal_id": row.id},
            shared.now,
            dedupe_key=f"signal:{row.id}:relist",
            entity_type="signal",
            entity_id=str(row.id),
        )
        return relist_at

    async def relist(self, signal_id: int) -> None:
        """The ``monitoren`` period is over: tell the TVO room the item is back."""
        row = await self._shared.signals.get(signal_id)
        if (
            row is None
            or row.triage != domain.TriageStatus.MONITOREN
            or row.status != domain.SignalStatus.ACTIEF
        ):
            return
        room = self._shared.settings.tvo_rooms.get(row.municipality or "")
        if room:
            await self._shared.enqueue(
                f"signal-relist:{row.id}:{self._shared.now.isoformat()}",
                room,
                self._shared.view.relisted(row, self._shared.prefix),
            )
