"""Every reply of the cases area: the lines of a transition's reply, the messages to the
coordination room, opening a case, and what members read (the case card, ``!regie``,
``!rollen`` and ``!tijdlijn``).

The service and its persister hand over domain values and rows; names are resolved
through :class:`~avz_bot.services.cases.base.People`. Nothing here decides anything; the
read replies query the read model for their counts and the timeline.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from html import escape

from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.domain import cases as domain
from avz_bot.domain.cases import CaseStatus, Refusal
from avz_bot.domain.date_names import format_when
from avz_bot.domain.inbound import Reply
from avz_bot.domain.workdays import WorkCalendar
from avz_bot.formatting import paragraphs, text
from avz_bot.lists import (
    ENVELOPE_BYTES,
    MoreLine,
    Page,
    Window,
    beyond_reply,
    page_listing,
    page_of,
    window,
)
from avz_bot.messages import Messages
from avz_bot.services.cases.base import LoadedCase, People
from avz_bot.settings_sections.cases import CasesSettings
from avz_bot.settings_sections.limits import LimitSettings
from storage.case_repositories import CaseRow
from storage.list_repositories import ListRepository, Slice
from storage.signal_repositories import CaseSignalRepository

#: The kinds of open work in ``OpenWork.kinds()`` order (catalogue ``case.close.*``).
_WORK = ("agreement", "escalation", "conference")


class CaseView:
    """Dutch (or English) replies of the case commands, reactions and jobs."""

    def __init__(
        self,
        session: AsyncSession,
        *,
        messages: Messages,
        calendar: WorkCalendar,
        settings: CasesSettings,
        prefix: str,
        limits: LimitSettings,
        people: People,
    ) -> None:
        self._session = session
        self._messages = messages
        self._calendar = calendar
        self._settings = settings
        self._prefix = prefix
        self.limits = limits
        self._people = people

    # ------------------------------------------------------------ helpers
    def t(self, key: str, /, **values: object) -> str:
        """A catalogue text."""
        return self._messages.t(key, **values)

    def did_you_mean(self, typed: str, choices: Iterable[str]) -> str:
        """`` Bedoel je …?`` or ``""`` (``Messages.did_you_mean``)."""
        return self._messages.did_you_mean(typed, choices)

    def window(self, page: int, size: int | None = None) -> Window:
        """Page ``page`` of a list (``size`` items, default ``[limits] list_items``)."""
        return window(page, size or self.limits.list_items)

    @staticmethod
    def slice(win: Window) -> Slice:
        """The database slice of a window."""
        return Slice(win.limit, win.offset)

    def more_line(self, command: str) -> MoreLine:
        """The "… en nog N. Meer zien: !<command> pagina=P" line of a list."""
        prefix = self._prefix
        return lambda count, page: self.t(
            "list.more", count=count, command=f"{prefix}{command}", page=page
        )

    @property
    def budget(self) -> int:
        """Bytes a list reply may take (the configured maximum minus the envelope)."""
        return self.limits.reply_max_bytes - ENVELOPE_BYTES

    def when(self, instant: datetime | None) -> str:
        """An instant as people here read it ("vrijdag 28 november 2026, 17:00")."""
        return format_when(instant, self._calendar) if instant is not None else "—"

    def municipality_name(self, code: str) -> str:
        """The configured name of a municipality code."""
        return self._settings.municipalities.get(code, code)

    def case_type_name(self, code: str) -> str:
        """The configured name of a case type code."""
        return self._settings.case_types.get(code, code)

    async def name(self, user: str) -> str:
        """How a person is shown (see :meth:`People.name`)."""
        return await self._people.name(user)

    async def org_name(self, code: str | None) -> str:
        """An organisation's name (see :meth:`People.org_name`)."""
        return await self._people.org_name(code)

    # ------------------------------------------------------------ refusals, problems
    def refusal_reply(self, refusal: Refusal) -> Reply:
        """The Dutch explanation of a domain refusal."""
        params = dict(refusal.params)
        params.setdefault("prefix", self._prefix)
        if "allowed" in params:
            values = [v for v in params["allowed"].split(",") if v]
            if refusal.code is domain.RefusalCode.TRANSITION_NOT_ALLOWED:
                params["allowed"] = ", ".join(self.t(f"case.status.{v}") for v in values)
            else:
                params["allowed"] = " of ".join(self.t(f"case.actor.{v}") for v in values)
        if "status" in params:
            params["status"] = self.t(f"case.status.{params['status']}")
        for moment in ("expires_at", "until", "closed_at"):
            if moment in params:
                params[moment] = self.when(datetime.fromisoformat(params[moment]))
        return text(self._messages.t_lenient(f"case.refusal.{refusal.code.value}", params))

    def refused(self, code: domain.RefusalCode) -> Reply:
        """The explanation of a refusal the database found (a race the domain lost)."""
        return self.refusal_reply(Refusal(code))

    def not_a_case_room(self) -> Reply:
        """This room is no case room."""
        return text(self.t("case.not_a_case_room", prefix=self._prefix))

    def problem(self, key: str, /, **values: object) -> Reply:
        """A catalogue text as a reply (a refusal of the service, not the domain)."""
        return text(self.t(key, **{"prefix": self._prefix, **values}))

    async def regie_lost_race(self, holder: str | None) -> Reply:
        """Someone else claimed regie in the meantime."""
        return text(self.t("case.regie.lost_race", holder=await self.name(holder or "?")))

    # ------------------------------------------------------------ lines of a transition
    def closed(self, row: CaseRow, reason: str, open_agreements: int) -> str:
        """The case was closed (with a note on its agreements still open)."""
        days = self._settings.reopen_within_days
        line = self.t("case.closed", reference=row.reference, reason=reason, days=days)
        if open_agreements:
            items = self.counted("agreement", open_agreements)
            line += "\n" + self.t("case.closed_agreements", items=items)
        return line

    def close_question(self, row: CaseRow, work: domain.OpenWork, expires: datetime) -> Reply:
        """Closing must be confirmed: what is open, what closing does to it, how to confirm."""
        kinds = [k for k in zip(_WORK, work.kinds(), strict=True) if k[1]]
        items = [self.counted(k, n) for k, n in kinds]
        if len(items) > 1:
            items = [self.t("case.close.and", first=", ".join(items[:-1]), last=items[-1])]
        return paragraphs(
            self.t("case.close.ask", reference=row.reference, items=items[0]),
            *(f"• {self.t(f'case.close.effect.{kind}')}" for kind, _ in kinds),
            self.t("case.close.final", days=self._settings.reopen_within_days),
            self.t("case.close.confirm", prefix=self._prefix, expires=self.when(expires)),
        )

    def close_effects(self, work: domain.OpenWork) -> str:
        """After a confirmed close: what happened to open escalations and conferences."""
        kinds = zip(_WORK[1:], work.kinds()[1:], strict=True)
        return "\n".join(
            self.t(f"case.close.done.{k}", items=self.counted(k, n)) for k, n in kinds if n
        )

    def counted(self, kind: str, n: int) -> str:
        """``3 open afspraken``, ``1 gepland overleg`` (``kind``: one of ``_WORK``)."""
        return self.t(f"case.close.{kind}_{'one' if n == 1 else 'many'}", count=n)

    def reopened(self, row: CaseRow, reason: str) -> str:
        """A ketenmanager reopened the case."""
        return self.t("case.reopened", reference=row.reference, reason=reason)

    def status_changed(self, row: CaseRow, old: CaseStatus, new: CaseStatus, reason: str) -> str:
        """The case's status changed (other than closing)."""
        return self.t(
            "case.status_changed",
            reference=row.reference,
            old=self.t(f"case.status.{old.value}"),
            new=self.t(f"case.status.{new.value}"),
            reason=reason,
        )

    async def regie_taken(self, row: CaseRow, holder: str) -> str:
        """``holder`` took the vacant regie."""
        return self.t("case.regie.taken", holder=await self.name(holder), reference=row.reference)

    async def regie_requested(self, holder: str, expires_at: datetime) -> str:
        """Regie was requested from ``holder``."""
        return self.t(
            "case.regie.requested",
            holder=await self.name(holder),
            prefix=self._prefix,
            expires=self.when(expires_at),
        )

    async def regie_proposed(self, holder: str, to_user: str, expires_at: datetime) -> str:
        """``holder`` proposed to hand regie to ``to_user``."""
        return self.t(
            "case.regie.proposed",
            holder=await self.name(holder),
            to_user=await self.name(to_user),
            prefix=self._prefix,
            expires=self.when(expires_at),
        )

    async def regie_transferred(self, row: CaseRow, previous: str, holder: str) -> str:
        """Regie moved from ``previous`` to ``holder``."""
        return self.t(
            "case.regie.transferred",
            reference=row.reference,
            previous=await self.name(previous),
            holder=await self.name(holder),
        )

    async def regie_declined(self, user: str, holder: str) -> str:
        """``user`` declined the proposal of regiehouder ``holder``."""
        return self.t(
            "case.regie.declined", user=await self.name(user), holder=await self.name(holder)
        )

    async def regie_released(self, row: CaseRow, previous: str) -> str:
        """``previous`` released regie: it is vacant."""
        return self.t(
            "case.regie.released", previous=await self.name(previous), reference=row.reference
        )

    async def coord_released(self, row: CaseRow, previous: str) -> str:
        """The coordination room's note that a case lost its regiehouder."""
        return self.t(
            "case.coord.released",
            reference=row.reference,
            municipality=self.municipality_name(row.municipality),
            case_type=self.case_type_name(row.case_type),
            previous=await self.name(previous),
        )

    async def regie_assigned(self, holder: str, reason: str) -> str:
        """A ketenmanager assigned regie to ``holder``."""
        return self.t("case.regie.assigned", holder=await self.name(holder), reason=reason)

    async def proposal_expired(self, from_user: str, to_user: str, holder: str) -> str:
        """A regie proposal lapsed; ``holder`` keeps regie."""
        return self.t(
            "case.regie.expired",
            from_user=await self.name(from_user),
            to_user=await self.name(to_user),
            holder=await self.name(holder),
        )

    async def invited(self, user: str) -> str:
        """``user`` was added to the case (and invited to its room)."""
        return self.t("case.invited", user=await self.name(user))

    async def removed(self, user: str, cause: domain.EndCause) -> str:
        """``user`` was removed from the case (or left the partner registry)."""
        if cause is domain.EndCause.DEREGISTERED:
            return self.t("ops.case.deregistered", user=await self.name(user))
        return self.t("case.removed", user=await self.name(user))

    async def member_left(self, user: str) -> str:
        """``user`` left the case room."""
        return self.t("case.member_left", user=await self.name(user))

    async def casemanager_taken(
        self, user: str, organisation_code: str, previous: str | None
    ) -> str:
        """``user`` became casemanager for their organisation (instead of ``previous``)."""
        org = await self.org_name(organisation_code)
        if previous:
            return self.t(
                "case.role.taken_from",
                user=await self.name(user),
                organisation=org,
                previous=await self.name(previous),
            )
        return self.t("case.role.taken", user=await self.name(user), organisation=org)

    def coord_unregie(self, row: CaseRow, days: int) -> str:
        """The coordination room's report of a case without regie for ``days`` working days."""
        return self.t(
            "case.coord.unregie",
            reference=row.reference,
            municipality=self.municipality_name(row.municipality),
            case_type=self.case_type_name(row.case_type),
            days=days,
            since=self.when(row.regie_vacant_since),
        )

    # ------------------------------------------------------------ opening, welcome
    async def opened(
        self, reference: str, municipality: str, case_type: str, people: Sequence[str]
    ) -> Reply:
        """``!casus nieuw`` succeeded: the case and who is in it."""
        names = [await self.name(u) for u in people]
        return text(
            self.t(
                "case.opened",
                reference=reference,
                municipality=self.municipality_name(municipality),
                case_type=self.case_type_name(case_type),
                invitees=", ".join(names),
            )
        )

    async def welcome(self, loaded: LoadedCase, user: str) -> Reply:
        """A member joined the case room: a welcome before the case card."""
        card = await self.card(loaded)
        first = self.t("case.welcome", reference=loaded.row.reference, name=await self.name(user))
        return Reply(plain=f"{first}\n{card.plain}", html=f"{escape(first)}<br>{card.html}")

    # ------------------------------------------------------------ what members read
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
            # An entry without a text (an action of an older version) shows its name.
            event_key = f"case.event.{kind}"
            has_text = self._messages.has(event_key)
            what = self._messages.t_lenient(event_key, values) if has_text else kind
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
