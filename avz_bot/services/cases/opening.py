"""Opening a case (``!casus nieuw``): checks, registration, members, and its room queued."""

from __future__ import annotations

from avz_bot.domain.inbound import Reply
from avz_bot.domain.partners import Member
from avz_bot.formatting import text
from avz_bot.services.cases.base import CaseCommandError, CaseServiceBase
from avz_bot.services.cases.rooms import JOB_CREATE_ROOM


class CaseOpening(CaseServiceBase):
    """Opening a case."""

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
            raise CaseCommandError(text(self.t("case.not_intake_room")))
        municipality = municipality.strip().lower()
        case_type = case_type.strip().lower()
        if municipality not in settings.municipalities:
            raise CaseCommandError(
                text(
                    self.t(
                        "case.unknown_municipality",
                        value=municipality,
                        choices=", ".join(settings.municipalities),
                    )
                )
            )
        if case_type not in settings.case_types:
            raise CaseCommandError(
                text(
                    self.t(
                        "case.unknown_type", value=case_type, choices=", ".join(settings.case_types)
                    )
                )
            )
        invitees = await self._resolve_partners(partners, exclude=member.matrix_id)
        now = self._now
        year = self._calendar.local(now).year
        reference = await self.cases.next_reference(year)
        row = await self.cases.create(
            reference=reference,
            title=title.strip(),
            municipality=municipality,
            case_type=case_type,
            created_by=member.matrix_id,
            now=now,
        )
        self.opened = row
        await self.cases.add_member(row.id, member.matrix_id, member.organisation.code, now)
        directory = await self.directory()
        for user in invitees:
            await self.cases.add_member(row.id, user, directory[user].organisation.code, now)
        await self._record(
            row, member.matrix_id, "case_opened", room_id, {"municipality": municipality}
        )
        for user in invitees:
            await self._record(row, member.matrix_id, "member_added", room_id, {"user": user})
        await self._jobs.schedule(
            JOB_CREATE_ROOM,
            now,
            {"case_id": row.id},
            now,
            dedupe_key=f"case:{row.id}:room",
            entity_type="case",
            entity_id=str(row.id),
        )
        names = [await self.name(u) for u in [member.matrix_id, *invitees]]
        return text(
            self.t(
                "case.opened",
                reference=reference,
                municipality=self.municipality_name(municipality),
                case_type=self.case_type_name(case_type),
                invitees=", ".join(names),
            )
        )

    async def _resolve_partners(self, partners: list[str], exclude: str) -> list[str]:
        directory = await self.directory()
        orgs = sorted({m.organisation.code for m in directory.values()})
        chosen: list[str] = []
        for item in partners:
            value = item.strip()
            if not value:
                continue
            if value.startswith("@"):
                if value not in directory:
                    raise CaseCommandError(text(self.t("case.refusal.not_registered", user=value)))
                found = [value]
            else:
                code = value.lower()
                found = sorted(u for u, m in directory.items() if m.organisation.code == code)
                if not found:
                    raise CaseCommandError(
                        text(self.t("case.unknown_partner", value=value, choices=", ".join(orgs)))
                    )
            chosen.extend(u for u in found if u != exclude and u not in chosen)
        return chosen
