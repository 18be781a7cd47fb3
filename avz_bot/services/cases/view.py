"""What members read about a case: the case card, ``!regie``, ``!rollen`` and ``!tijdlijn``."""

from __future__ import annotations

from avz_bot.domain import cases as domain
from avz_bot.domain.inbound import Reply
from avz_bot.formatting import text
from avz_bot.lists import Page, Window, beyond_reply, page_listing, page_of
from avz_bot.services.cases.base import CaseServiceBase, LoadedCase
from storage.list_repositories import ListRepository
from storage.signal_repositories import CaseSignalRepository


class CaseViews(CaseServiceBase):
    """The read-only replies about a case."""

    async def card(self, loaded: LoadedCase) -> Reply:
        """The case card: reference, title, where, status, regie, members, open items."""
        row, state = loaded.row, loaded.state
        t = self.t
        lines = [
            t("case.card.title_line", title=row.title),
            t(
                "case.card.where",
                municipality=self.municipality_name(row.municipality),
                case_type=self.case_type_name(row.case_type),
            ),
            t(
                "case.card.status",
                status=t(f"case.status.{row.status}"),
                since=self.when(row.status_changed_at),
            ),
        ]
        lines.append(await self._regie_line(loaded, card=True))
        proposal = state.pending_proposal
        if proposal is not None:
            lines.append(
                t(
                    "case.card.proposal",
                    from_user=await self.name(proposal.from_user),
                    to_user=await self.name(proposal.to_user),
                    expires=self.when(proposal.expires_at),
                )
            )
        open_items = await ListRepository(self._session).count_open_agreements(row.id)
        lines.append(t("case.card.open_items", count=open_items))
        signals = await CaseSignalRepository(self._session).list_for_case(row.id, 1)
        if signals.total:
            lines.append(t("case.card.signals", count=signals.total, prefix=self._prefix))
        lines.append(t("case.card.members"))
        # Members with a role first (domain.roles orders them); at most one page.
        members = page_of(_by_role(domain.roles(state)), self.window(1))
        items = []
        for line in members.items:
            roles = ", ".join(t(f"case.role.{r.value}") for r in line.roles)
            items.append(
                t(
                    "case.card.member",
                    name=await self.name(line.matrix_id),
                    organisation=await self.org_name(line.organisation_code),
                    roles=f" — {roles}",
                )
            )
        card = Page(
            (*lines, *items),
            len(lines) + members.total,
            Window(1, len(lines) + members.window.size),
        )
        return page_listing(
            t("case.card.title", reference=row.reference),
            card,
            lambda count, _page: t("case.card.members_more", count=count, prefix=self._prefix),
            self.budget,
        )

    async def _regie_line(self, loaded: LoadedCase, *, card: bool) -> str:
        row, state = loaded.row, loaded.state
        if state.regie_holder is None:
            key = "case.card.no_regie" if card else "case.regie.none"
            return self.t(
                key,
                reference=row.reference,
                since=self.when(state.regie_since),
                prefix=self._prefix,
            )
        key = "case.card.regie" if card else "case.regie.show"
        return self.t(
            key,
            reference=row.reference,
            holder=await self.name(state.regie_holder),
            organisation=await self.org_name(row.regie_org),
            since=self.when(state.regie_since),
        )

    async def regie_show(self, loaded: LoadedCase) -> Reply:
        """``!regie``."""
        return text(await self._regie_line(loaded, card=False))

    async def roles(self, loaded: LoadedCase, page: int = 1) -> Reply:
        """``!rollen [pagina=]``: members with their roles, role holders first."""
        lines = page_of(_by_role(domain.roles(loaded.state)), self.window(page))
        if lines.beyond:
            return beyond_reply(self, f"{self._prefix}rollen", lines)
        items = []
        for line in lines.items:
            items.append(
                self.t(
                    "case.roles.line",
                    name=await self.name(line.matrix_id),
                    organisation=await self.org_name(line.organisation_code),
                    roles=", ".join(self.t(f"case.role.{r.value}") for r in line.roles),
                )
            )
        return page_listing(
            self.t("case.roles.title", reference=loaded.row.reference),
            Page(tuple(items), lines.total, lines.window),
            self.more_line("rollen"),
            self.budget,
        )

    async def timeline(self, loaded: LoadedCase, count: int, page: int = 1) -> Reply:
        """``!tijdlijn [aantal] [pagina=]``: the case's audit trail in Dutch, newest last;
        page 2 holds the ``count`` entries before page 1."""
        win = self.window(page, count)
        entries, total = await ListRepository(self._session).case_timeline(
            loaded.row.reference, self.slice(win)
        )
        reached: Page[str] = Page((), total, win)
        if reached.beyond:
            return beyond_reply(self, f"{self._prefix}tijdlijn", reached)
        if not entries:
            return text(self.t("case.timeline.empty"))
        lines = []
        for entry in reversed(entries):
            details = {k: v for k, v in (entry.details or {}).items()}
            kind = entry.action.removeprefix("case.")
            values: dict[str, object] = {}
            for key, value in details.items():
                if isinstance(value, str) and value.startswith("@"):
                    values[key] = await self.name(value)
                elif key in {"old_status", "new_status"} and isinstance(value, str):
                    values[key] = self.t(f"case.status.{value}")
                elif key == "cause" and isinstance(value, str):
                    reason = details.get("reason")
                    # A release names its reason; other causes (left, removed) are words.
                    values[key] = (
                        reason
                        if value == "released" and isinstance(reason, str) and reason
                        else self.t(f"case.cause.{value}")
                    )
                elif key == "organisation_code" and isinstance(value, str):
                    values[key] = await self.org_name(value)
                else:
                    values[key] = value
            try:
                what = self._messages.t_lenient(f"case.event.{kind}", values)
            except KeyError:
                what = kind
            lines.append(
                self.t(
                    "case.timeline.line",
                    when=self.when(entry.occurred_at),
                    who=await self.name(entry.actor),
                    what=what,
                )
            )
        return page_listing(
            self.t("case.timeline.title", reference=loaded.row.reference, count=len(lines)),
            Page(tuple(lines), total, win),
            self.more_line("tijdlijn"),
            self.budget,
            least_urgent_first=True,
        )


def _by_role(lines: list[domain.RoleLine]) -> list[domain.RoleLine]:
    """Regiehouder, then casemanagers, then the other members (stable otherwise)."""
    return sorted(
        lines,
        key=lambda line: (
            domain.CaseRole.REGIEHOUDER not in line.roles,
            domain.CaseRole.CASEMANAGER not in line.roles,
        ),
    )
