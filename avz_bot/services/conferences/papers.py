"""A conference's papers: the agenda (``!overleg agenda``, the day-before reminder) and
the facts the minutes are assembled from (entries, the case's agreements)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.domain.conferences.lifecycle import ConferenceState
from avz_bot.domain.conferences.papers import AgreementFact, Entry, assemble_agenda
from avz_bot.domain.inbound import Reply
from avz_bot.services.cases import CaseService, LoadedCase
from avz_bot.services.conferences.view import ConferenceView, Names
from avz_bot.settings_sections.conferences import ConferenceSettings
from storage.agreement_repositories import AgreementRepository
from storage.conference_repositories import ENTRY_ITEM, ConferenceRepository, ConferenceRow


class ConferencePapers:
    """Reads what a conference's papers show, inside one transaction (a collaborator of
    the conference service)."""

    def __init__(
        self,
        session: AsyncSession,
        cases: CaseService,
        repo: ConferenceRepository,
        *,
        settings: ConferenceSettings,
        view: ConferenceView,
        names: Callable[[], Awaitable[Names]],
    ) -> None:
        self._session = session
        self._cases = cases
        self.repo = repo
        self._settings = settings
        self.view = view
        self._names = names

    @property
    def now(self) -> datetime:
        """The unit of work's time."""
        return self._cases.now

    async def entries(self, conference_id: int, kind: str) -> list[Entry]:
        names = await self._names()
        return [
            Entry(e.text, names.person(e.author), e.created_at)
            for e in await self.repo.entries(conference_id, kind)
        ]

    async def facts(self, loaded: LoadedCase, only: list[int] | None = None) -> list[AgreementFact]:
        names = await self._names()
        rows = await AgreementRepository(self._session).list_for_case(loaded.row.id)
        postponed = await self.repo.last_postponements(loaded.row.id)
        facts = []
        for a in rows:
            if only is not None and a.number not in only:
                continue
            owner = names.person(a.owner_user) if a.owner_user else names.org(a.owner_org or "")
            facts.append(
                AgreementFact(
                    a.number,
                    a.description,
                    owner,
                    a.deadline,
                    a.status,
                    a.created_at,
                    a.completed_at,
                    postponed.get(a.id),
                )
            )
        return facts

    async def agenda_reply(
        self, loaded: LoadedCase, row: ConferenceRow, state: ConferenceState
    ) -> Reply:
        previous = await self.repo.previous_closed(loaded.row.id, state.starts_at)
        holder = loaded.state.regie_holder
        names = await self._names()
        agenda = assemble_agenda(
            state,
            regie_holder=names.person(holder) if holder else None,
            regie_since=loaded.state.regie_since,
            agreements=await self.facts(loaded),
            items=await self.entries(row.id, ENTRY_ITEM),
            previous_at=previous.starts_at if previous else None,
            now=self.now,
            limit=self._settings.list_limit,
        )
        return self.view.agenda(agenda)
