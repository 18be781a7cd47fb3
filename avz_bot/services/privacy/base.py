"""The privacy area's shared core: checks, periods, the access log views ("who read")
and the retention proof (the service facade is ``service.py``; requests ``requests.py``).

Every command of the area works only in a direct chat with the bot and only for those
the permission table allows (``avz_bot.domain.privacy.permissions``); a refusal says
nothing about whether a case or person exists. Persons are given as for signals (BSN,
or name and birth date) and pseudonymised at once through the signals area
(``SignalService.person_pseudonyms``): the identifier is never stored, logged or echoed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.domain.inbound import Reply
from avz_bot.domain.partners import Member
from avz_bot.domain.privacy.chain import Shown
from avz_bot.domain.privacy.permissions import PrivacyAction, actors_for, allowed
from avz_bot.domain.signals import Place
from avz_bot.domain.workdays import WorkCalendar
from avz_bot.lists import Page
from avz_bot.services.audit import Audit
from avz_bot.services.cases import CaseService
from avz_bot.services.privacy.view import PrivacyView
from avz_bot.services.refusal import Refused
from avz_bot.services.signals import PersonArgs, SignalService
from avz_bot.settings_sections.operations import OperationsSettings
from avz_bot.settings_sections.privacy import PrivacySettings
from storage.access_repositories import AccessLogRepository, AccessRead
from storage.operations_repositories import RetentionForecast
from storage.privacy_repositories import PersonLinks, deletions, signals_deleted_by

#: The command that shows another page of a person's readers (the identifier retyped).
PERSON_AGAIN = "gelezen persoon bsn=…|naam=… geboortedatum=…"

#: The earliest ``van=`` (nothing older is in the log).
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Period:
    """``[since, until)`` as aware UTC instants."""

    since: datetime
    until: datetime


@dataclass(frozen=True, slots=True)
class Asker:
    """Who asks, and where (a privacy command's context)."""

    member: Member
    room_id: str
    room_members: int | None


class PrivacyCore:
    """What every part of the privacy service shares, and the access log views and the
    retention proof (one per transaction)."""

    def __init__(
        self,
        session: AsyncSession,
        cases: CaseService,
        signals: SignalService,
        *,
        settings: PrivacySettings,
        operations: OperationsSettings,
        calendar: WorkCalendar,
        view: PrivacyView,
        device_cross_signed: bool | None = True,
    ) -> None:
        self.session = session
        self.cases = cases
        self.signals = signals
        self.settings = settings
        self.operations = operations
        self.calendar = calendar
        self.view = view
        self.now = cases.now
        self.audit = Audit(session, self.now, device_cross_signed)
        self.log = AccessLogRepository(session)

    # ------------------------------------------------------------ checks
    async def require(
        self, asker: Asker, action: PrivacyAction, *, member_of_case: bool = False
    ) -> None:
        """Refuse outside a direct chat, or unless the table allows ``action``."""
        place = await self.signals.shared.place_of(asker.room_id, asker.room_members)
        if place is not Place.DIRECT_CHAT:
            raise Refused(self.view.refused("privacy.direct_only"))
        if not allowed(action, actors_for(asker.member, member_of_case=member_of_case)):
            raise Refused(self.view.refused("privacy.not_allowed"))

    def period(self, since: str, until: str) -> Period:
        """``van=``/``tot=`` (local dates, both days included; empty: from the start of
        the log, until now). Refused when not a date or the end comes first."""
        try:
            start = date.fromisoformat(since.strip()) if since.strip() else None
            end = date.fromisoformat(until.strip()) if until.strip() else None
        except ValueError:
            raise Refused(self.view.refused("privacy.bad_period")) from None
        if start and end and end < start:
            raise Refused(self.view.refused("privacy.bad_period"))
        return Period(
            self.calendar.at(start, time(0)) if start else EPOCH,
            self.calendar.at(end + timedelta(days=1), time(0))
            if end
            else self.now + timedelta(seconds=1),  # "until now", this instant included
        )

    async def _readers_page(
        self, shown: list[Shown], period: Period, page: int
    ) -> Page[AccessRead]:
        win = self.cases.window(page, self.settings.list_limit)
        reads, total = await self.log.readers(
            shown, period.since, period.until, limit=win.limit, offset=win.offset
        )
        return Page(tuple(reads), total, win)

    # ------------------------------------------------------------ who read
    async def case_readers(
        self, asker: Asker, reference: str, period: Period, page: int = 1
    ) -> Reply:
        """Who read case ``reference`` in ``period``: the privacy role, or a ketenmanager
        who is a member of the case. To anyone else an existing and an unknown case get
        the same refusal."""
        row = await self.cases.cases.by_reference(reference.strip().upper())
        membership = (
            await self.cases.cases.get_member(row.id, asker.member.matrix_id) if row else None
        )
        in_case = membership is not None and membership.active
        await self.require(asker, PrivacyAction.CASE_READERS, member_of_case=in_case)
        if row is None:
            raise Refused(self.view.refused("privacy.case_unknown", reference=reference))
        found = await self._readers_page([Shown("case", row.reference)], period, page)
        self.cases.reads.note(Shown("case", row.reference), role="privacy")
        await self.audit.record(
            "privacy.case_readers",
            actor=asker.member.matrix_id,
            actor_org=asker.member.organisation.code,
            # Not "case": the case's timeline is for its members, not who audited it.
            entity_type="access_log",
            entity_id=row.reference,
            details={"count": found.total},
        )
        return self.view.readers(
            self.view.t("privacy.readers.case_title", reference=row.reference),
            found,
            await self.cases.directory(),
            self.cases.more_line(f"gelezen casus {row.reference}"),
            self.cases.budget,
            f"gelezen casus {row.reference}",
        )

    async def person_shown(self, pseudonyms: tuple[str, ...]) -> list[Shown]:
        """Everything that is data about the person: the pseudonyms, their signals and
        every case linked to them."""
        links = PersonLinks(self.session)
        return [
            *(Shown("person", p) for p in pseudonyms),
            *(Shown("signal", r) for r in await links.signal_references(pseudonyms)),
            *(Shown("case", c.reference) for c in await links.cases(pseudonyms)),
        ]

    async def person_readers(
        self, asker: Asker, person: PersonArgs, period: Period, page: int = 1
    ) -> Reply:
        """Who read data about a person (their signals, their cases, the person in a
        TVO agenda) in ``period``: the privacy role only."""
        await self.require(asker, PrivacyAction.PERSON_READERS)
        pseudonyms = self.signals.person_pseudonyms(person)
        shown = await self.person_shown(pseudonyms)
        found = await self._readers_page(shown, period, page)
        self.cases.reads.note(*(Shown("person", p) for p in pseudonyms), role="privacy")
        await self.audit.record(
            "privacy.person_readers",
            actor=asker.member.matrix_id,
            actor_org=asker.member.organisation.code,
            details={"count": found.total},
        )
        return self.view.readers(
            self.view.t("privacy.readers.person_title"),
            found,
            await self.cases.directory(),
            # The next page needs the person again; the identifier is never echoed.
            self.cases.more_line(PERSON_AGAIN),
            self.cases.budget,
            PERSON_AGAIN,
        )

    # ------------------------------------------------------------ retention proof
    def retention_rules(self) -> list[tuple[str, str]]:
        """(what, how long) of every retention rule in force, from the configuration."""
        t, ops, sig = self.view.t, self.operations, self.signals.shared.settings
        return [
            (
                t("privacy.retention.what.signals"),
                t("privacy.retention.signals", active=sig.active_years, archive=sig.archive_years),
            ),
            (
                t("privacy.retention.what.processed_events"),
                t("privacy.retention.days", days=ops.processed_events_days),
            ),
            (
                t("privacy.retention.what.outbox"),
                t("privacy.retention.days", days=ops.sent_outbox_days),
            ),
            (
                t("privacy.retention.what.jobs"),
                t("privacy.retention.days", days=ops.finished_jobs_days),
            ),
            (t("privacy.retention.what.audit"), t("privacy.retention.kept")),
            (t("privacy.retention.what.access_log"), t("privacy.retention.kept")),
        ]

    async def retention(self, asker: Asker, days: int, period: Period) -> Reply:
        """``!bewaartermijnen [dagen=30] [van=] [tot=]``: the rules, what they will have
        deleted within ``days`` days, and what was deleted in ``period`` (per day and
        table, from the audit trail; newest first, at most ``list_limit`` lines)."""
        await self.require(asker, PrivacyAction.RETENTION_VIEW)
        until = self.now + timedelta(days=days)
        ops = self.operations
        upcoming = await RetentionForecast(self.session).counts(
            until - timedelta(days=ops.processed_events_days),
            until - timedelta(days=ops.sent_outbox_days),
            until - timedelta(days=ops.finished_jobs_days),
        )
        upcoming = {"signals": await signals_deleted_by(self.session, until), **upcoming}
        per_day: dict[tuple[date, str], int] = {}
        for at, table, count in await deletions(self.session, period.since, period.until):
            key = (self.calendar.local_date(at), table)
            per_day[key] = per_day.get(key, 0) + count
        lines = sorted(((d, table, n) for (d, table), n in per_day.items()), reverse=True)
        limit = self.settings.list_limit
        await self.audit.record(
            "privacy.retention_viewed",
            actor=asker.member.matrix_id,
            actor_org=asker.member.organisation.code,
        )
        return self.view.retention(
            self.retention_rules(),
            upcoming,
            self.calendar.local_date(until),
            lines[:limit],
            max(0, len(lines) - limit),
        )
