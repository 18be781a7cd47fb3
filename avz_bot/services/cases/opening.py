"""Opening a case (``!casus nieuw``): checks, registration, members, and its room queued."""

from __future__ import annotations

from datetime import datetime

from avz_bot.domain.inbound import Reply
from avz_bot.domain.partners import Member
from avz_bot.domain.workdays import WorkCalendar
from avz_bot.services.cases.base import CaseStore, People
from avz_bot.services.cases.rooms import JOB_CREATE_ROOM
from avz_bot.services.cases.view import CaseView
from avz_bot.services.refusal import Refused
from avz_bot.settings_sections.cases import CasesSettings
from storage.case_repositories import CaseRow
from storage.schedule_repositories import JobRepository


class CaseOpening:
    """Opening a case, inside one transaction."""

    def __init__(
        self,
        store: CaseStore,
        *,
        people: People,
        view: CaseView,
        jobs: JobRepository,
        settings: CasesSettings,
        calendar: WorkCalendar,
        now: datetime,
    ) -> None:
        self._store = store
        self._cases = store.cases
        self._people = people
        self._view = view
        self._jobs = jobs
        self._settings = settings
        self._calendar = calendar
        self._now = now
        #: The case ``open_case`` registered in this unit of work (for callers such as
        #: a TVO decision that must link it).
        self.opened: CaseRow | None = None

    async def open_case(
        self,
        member: Member,
        room_id: str,
        title: str,
        municipality: str,
        case_type: str,
        partners: list[str],
    ) -> Reply:
        """``!casus nieuw``: register the case and queue the creation of its room."""
        settings = self._settings
        intake = set(settings.intake_rooms)
        if settings.coordination_room:
            intake.add(settings.coordination_room)
        if room_id not in intake:
            raise Refused(self._view.problem("case.not_intake_room"))
        municipality = municipality.strip().lower()
        case_type = case_type.strip().lower()
        if municipality not in settings.municipalities:
            choices = ", ".join(settings.municipalities)
            raise Refused(
                self._view.problem(
                    "case.unknown_municipality",
                    value=municipality,
                    choices=choices,
                    suggestion=self._view.did_you_mean(municipality, settings.municipalities),
                )
            )
        if case_type not in settings.case_types:
            choices = ", ".join(settings.case_types)
            suggestion = self._view.did_you_mean(case_type, settings.case_types)
            raise Refused(
                self._view.problem(
                    "case.unknown_type", value=case_type, choices=choices, suggestion=suggestion
                )
            )
        invitees = await self._resolve_partners(partners, exclude=member.matrix_id)
        row = await self._register(member, room_id, title, municipality, case_type, invitees)
        for user in invitees:
            await self._store.record(row, member.matrix_id, "member_added", room_id, {"user": user})
        await self._jobs.schedule(
            JOB_CREATE_ROOM,
            self._now,
            # Where and by whom it was opened: told there if the room is rate-limited.
            {"case_id": row.id, "intake_room": room_id, "requested_by": member.matrix_id},
            self._now,
            dedupe_key=f"case:{row.id}:room",
            entity_type="case",
            entity_id=str(row.id),
        )
        return await self._view.opened(
            row.reference, municipality, case_type, [member.matrix_id, *invitees]
        )

    async def _register(
        self,
        member: Member,
        room_id: str,
        title: str,
        municipality: str,
        case_type: str,
        invitees: list[str],
    ) -> CaseRow:
        """The case row, its members and the audit entry of its opening."""
        now = self._now
        year = self._calendar.local(now).year
        reference = await self._cases.next_reference(year)
        row = await self._cases.create(
            reference=reference,
            title=title.strip(),
            municipality=municipality,
            case_type=case_type,
            created_by=member.matrix_id,
            now=now,
        )
        self.opened = row
        await self._cases.add_member(row.id, member.matrix_id, member.organisation.code, now)
        directory = await self._people.directory()
        for user in invitees:
            await self._cases.add_member(row.id, user, directory[user].organisation.code, now)
        await self._store.record(
            row, member.matrix_id, "case_opened", room_id, {"municipality": municipality}
        )
        return row

    async def _resolve_partners(self, partners: list[str], exclude: str) -> list[str]:
        directory = await self._people.directory()
        orgs = sorted({m.organisation.code for m in directory.values()})
        chosen: list[str] = []
        for item in partners:
            value = item.strip()
            if not value:
                continue
            if value.startswith("@"):
                if value not in directory:
                    raise Refused(self._view.problem("case.refusal.not_registered", user=value))
                found = [value]
            else:
                code = value.lower()
                found = sorted(u for u, m in directory.items() if m.organisation.code == code)
                if not found:
                    raise Refused(
                        self._view.problem(
                            "case.unknown_partner", value=value, choices=", ".join(orgs)
                        )
                    )
            chosen.extend(u for u in found if u != exclude and u not in chosen)
        return chosen
