"""``!mijn`` ("my plate"): one person's open agreements, cases with regie, proposals
waiting for their answer, and the other areas' sections (``Unit.plate``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.domain.inbound import Reply
from avz_bot.domain.partners import Member
from avz_bot.lists import Page, beyond, beyond_reply, page_sections
from avz_bot.messages import Messages
from avz_bot.services.access_log import Shown
from avz_bot.services.cases import CaseService
from storage.agreement_repositories import AgreementRow
from storage.list_repositories import ListRepository

#: The other areas' ``!mijn`` sections: ``plate(member) -> [(heading, lines)]``.
AreaPlate = Callable[[Member], Awaitable[list[tuple[str, list[str]]]]]
#: An agreement's list line, with its case reference when given.
AgreementLine = Callable[[AgreementRow, str | None], Awaitable[str]]


class MyPlate:
    """``!mijn`` inside one transaction (a collaborator of the agreements service)."""

    def __init__(
        self,
        session: AsyncSession,
        cases: CaseService,
        *,
        messages: Messages,
        prefix: str,
        line: AgreementLine,
        plate: AreaPlate | None = None,
    ) -> None:
        self._session = session
        self._cases = cases
        self._messages = messages
        self._prefix = prefix
        self._agreement_line = line
        #: The other areas' ``!mijn`` sections: ``plate(member) -> [(heading, lines)]``
        #: (``Unit.plate``, which iterates the areas' descriptors).
        self._plate = plate

    def t(self, key: str, /, **values: object) -> str:
        """A catalogue text."""
        return self._messages.t(key, **values)

    def when(self, instant: datetime) -> str:
        """An instant as people here read it (see ``CaseService.when``)."""
        return self._cases.when(instant)

    async def show(self, member: Member, page: int = 1) -> Reply:
        """``!mijn [pagina=]``: open agreements (earliest deadline, so overdue, first),
        cases with regie, proposals waiting for an answer; each list one page of
        ``[limits] list_items``, read with its case references joined in (a fixed
        number of statements, however many cases the person has)."""
        user = member.matrix_id
        t = self.t
        cases = self._cases
        win = cases.window(page)
        lists = ListRepository(self._session)
        where = cases.slice(win)
        agreements, agreements_total = await lists.open_agreements_of_user(user, where)
        agreement_lines = [
            await self._agreement_line(row, reference) for row, reference in agreements
        ]
        led, led_total = await lists.cases_with_regie(user, where)
        regie_lines = [
            t(
                "mine.regie_line",
                reference=c.reference,
                title=c.title,
                status=t(f"case.status.{c.status}"),
            )
            for c in led
        ]
        proposals, proposals_total = await lists.proposals_to(user, where)
        references = [r for _, r in agreements if r] + [c.reference for c in led]
        cases.reads.note(*(Shown("case", r) for r in [*references, *(r for _, r in proposals)]))
        waiting_lines = [
            t(
                f"mine.waiting_{proposal.kind}",
                reference=reference,
                other=await cases.name(proposal.from_user),
                expires=self.when(proposal.expires_at),
                prefix=self._prefix,
            )
            for proposal, reference in proposals
        ]
        # The other areas' sections (signals, escalations, conferences, helpdesk) are
        # bounded by their own areas ("… en nog N") and shown on the first page.
        area_sections = [
            (heading, Page(tuple(lines), len(lines), win))
            for heading, lines in (
                await self._plate(member) if self._plate is not None and win.offset == 0 else []
            )
        ]
        own = [
            (t("mine.agreements"), Page(tuple(agreement_lines), agreements_total, win)),
            (t("mine.regie"), Page(tuple(regie_lines), led_total, win)),
            (t("mine.waiting"), Page(tuple(waiting_lines), proposals_total, win)),
        ]
        if beyond(*(page for _, page in own)):
            return beyond_reply(self, f"{self._prefix}mijn", *(page for _, page in own))
        return page_sections(
            t("mine.title", name=member.display_name),
            [*own, *area_sections],
            cases.more_line("mijn"),
            t("list.none"),
            cases.budget,
        )
