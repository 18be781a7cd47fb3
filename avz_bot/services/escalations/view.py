"""How escalations read: every reply and notification of the area, rendered in one place.

The service decides and persists; this module only words. Texts for the coordination
room carry no free text from the case (reason, question, decision): those appear only in
the case room and in the direct chat with one target.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from avz_bot.domain import escalations as domain
from avz_bot.domain.escalations import EscalationStatus, FrozenLevel, Refusal
from avz_bot.domain.inbound import Reply
from avz_bot.formatting import mentioning, text
from avz_bot.lists import Page, beyond_reply, page_listing
from avz_bot.messages import Messages
from avz_bot.services.cases import CaseService
from storage.case_repositories import CaseRow
from storage.escalation_repositories import EscalationRow


@dataclass(frozen=True)
class Context:
    """What a message about one escalation needs: the escalation and its case."""

    row: EscalationRow
    case: CaseRow


class EscalationView:
    """Renders escalation texts (Dutch first) using the case service's names."""

    def __init__(self, cases: CaseService, messages: Messages, prefix: str) -> None:
        self._cases = cases
        self._messages = messages
        self._prefix = prefix

    def t(self, key: str, /, **values: object) -> str:
        """A catalogue text."""
        return self._cases.t(key, **values)

    # ------------------------------------------------------------ pieces
    def urgent(self, row: EscalationRow) -> str:
        """`` URGENT`` for urgent escalations, else nothing."""
        return f" {self.t('esc.urgent')}" if row.urgent else ""

    def target(self, level: FrozenLevel) -> str:
        """Whom a level addresses ("driehoek Groningen")."""
        scope = level.scope
        if level.policy.targets is domain.TargetKind.DRIEHOEK:
            scope = self._cases.municipality_name(scope)
        return self.t(f"esc.target.{level.policy.targets.value}", scope=scope)

    def problem(self, key: str, /, **values: object) -> Reply:
        """A refusal the service found (a row changed meanwhile…)."""
        return text(self.t(key, prefix=self._prefix, **values))

    def joined_case(self, name: str) -> str:
        """The case-room line when an acknowledger is added to the case."""
        return self.t("esc.joined_case", name=name)

    def late(self, planned: datetime | None) -> str:
        """The "later than planned" note, or nothing."""
        return self.t("esc.late", planned=self._cases.when(planned)) if planned else ""

    async def refusal(self, refusal: Refusal) -> Reply:
        """The Dutch explanation of a domain refusal (people by name)."""
        params: dict[str, str] = dict(refusal.params)
        if params.get("by"):
            params["by"] = await self._cases.name(params["by"])
        if "allowed" in params:
            actors = [a for a in params["allowed"].split(",") if a]
            params["allowed"] = " of ".join(self.t(f"esc.actor.{a}") for a in actors)
        if "status" in params:
            params["status"] = self.t(f"esc.status.{params['status']}")
        return text(self._messages.t_lenient(f"esc.refusal.{refusal.code.value}", params))

    async def _values(self, ctx: Context) -> dict[str, object]:
        return {
            "reference": ctx.row.reference,
            "urgent": self.urgent(ctx.row),
            "route": self.t(f"esc.route.{ctx.row.route}"),
            "municipality": self._cases.municipality_name(ctx.case.municipality),
            "case_type": self._cases.case_type_name(ctx.case.case_type),
            "case": ctx.case.reference,
            "organisation": await self._cases.org_name(ctx.row.requester_org),
            "prefix": self._prefix,
        }

    # ------------------------------------------------------------ case room
    async def requested(self, ctx: Context, level: FrozenLevel) -> str:
        """The case room's line about a new escalation."""
        return self.t(
            "esc.requested",
            reference=ctx.row.reference,
            urgent=self.urgent(ctx.row),
            route=self.t(f"esc.route.{ctx.row.route}"),
            requester=await self._cases.name(ctx.row.requester),
            level=level.number,
            target=self.target(level),
            decision_asked=ctx.row.decision_asked,
        )

    async def moved(
        self, ctx: Context, level: FrozenLevel, reason: str | None, late: datetime | None
    ) -> str:
        """The case room's line about a move to another level."""
        if reason is None:
            return self.t(
                "esc.moved_by_clock",
                reference=ctx.row.reference,
                level=level.number,
                target=self.target(level),
                late=self.late(late),
            )
        return self.t(
            "esc.forwarded",
            reference=ctx.row.reference,
            level=level.number,
            target=self.target(level),
            reason=reason,
        )

    async def line(self, key: str, ctx: Context, **values: object) -> str:
        """A case-room line about ``ctx`` with the person ``by`` resolved to a name."""
        by = values.pop("by", None)
        name = await self._cases.name(str(by)) if by else ""
        return self.t(key, reference=ctx.row.reference, by=name, **values)

    # ------------------------------------------------------------ pings
    async def ping(self, ctx: Context, level: FrozenLevel) -> Reply:
        """The coordination room's ping: mentions, no case content."""
        message = self.t("esc.ping", **(await self._values(ctx)), level=level.number)
        return mentioning(await self._people(level.targets), message)

    async def direct(self, ctx: Context, level: FrozenLevel) -> Reply:
        """The direct message to one target (encrypted, one person: may carry the reason)."""
        values = await self._values(ctx)
        return text(
            self.t(
                "esc.dm",
                **values,
                level=level.number,
                reason=ctx.row.reason,
                decision_asked=ctx.row.decision_asked,
            )
        )

    async def ack_reminder(self, ctx: Context, level: FrozenLevel, late: datetime | None) -> Reply:
        """The reminder to a level's targets."""
        message = self.t(
            "esc.ack_reminder",
            reference=ctx.row.reference,
            urgent=self.urgent(ctx.row),
            level=level.number,
            prefix=self._prefix,
            late=self.late(late),
        )
        return mentioning(await self._people(level.targets), message)

    async def decision_reminder(self, ctx: Context, user: str, late: datetime | None) -> Reply:
        """The reminder to the acknowledger."""
        message = self.t(
            "esc.decision_reminder",
            reference=ctx.row.reference,
            prefix=self._prefix,
            late=self.late(late),
        )
        return mentioning(await self._people((user,)), message)

    async def coordination(self, key: str, ctx: Context, **values: object) -> Reply:
        """A plain coordination-room note (no case content)."""
        return text(await self.line(key, ctx, **values))

    async def _people(self, users: tuple[str, ...] | list[str]) -> list[tuple[str, str]]:
        return [(u, await self._cases.name(u)) for u in users]

    # ------------------------------------------------------------ lists
    def list_line(
        self, row: EscalationRow, level: FrozenLevel, municipality: str, age_hours: float
    ) -> str:
        """One escalation in a list."""
        return self.t(
            "esc.list.line",
            reference=row.reference,
            urgent=self.urgent(row),
            status=self.t(f"esc.status.{row.status}"),
            level=level.number,
            target=self.target(level),
            route=self.t(f"esc.route.{row.route}"),
            municipality=self._cases.municipality_name(municipality),
            age=f"{age_hours:.1f}".replace(".", ","),
        )

    def overview(self, title: str, page: Page[str]) -> Reply:
        """``!opschalingen [pagina=]``: one page, with "… en nog N. Meer zien: …"."""
        if not page.total:
            return text(f"{title}\n{self.t('esc.list.none')}")
        if page.beyond:
            return beyond_reply(self, f"{self._prefix}opschalingen", page)
        return page_listing(title, page, self._cases.more_line("opschalingen"), self._cases.budget)

    def status_word(self, status: EscalationStatus) -> str:
        """The Dutch status word."""
        return self.t(f"esc.status.{status.value}")
