"""All wording of the privacy area (texts in ``avz_bot.catalogue.privacy``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime

from avz_bot.domain.inbound import Attachment, Reply
from avz_bot.domain.partners import Member
from avz_bot.domain.workdays import WorkCalendar
from avz_bot.formatting import paragraphs, sections, text
from avz_bot.lists import MoreLine, Page, beyond_reply, page_listing
from avz_bot.messages import Messages
from storage.access_repositories import AccessRead
from storage.privacy_repositories import PrivacyRequestRow

#: How an item a read showed is named (kind → catalogue key).
KIND_KEYS = {
    "case": "privacy.kind.case",
    "signal": "privacy.kind.signal",
    "person": "privacy.kind.person",
    "conference": "privacy.kind.conference",
    "escalation": "privacy.kind.escalation",
    "question": "privacy.kind.question",
    "report": "privacy.kind.report",
    "request": "privacy.kind.request",
}


class PrivacyView:
    """Replies of the privacy area."""

    def __init__(self, messages: Messages, calendar: WorkCalendar, prefix: str) -> None:
        self._messages = messages
        self._calendar = calendar
        self._prefix = prefix

    def t(self, key: str, /, **values: object) -> str:
        """A catalogue text."""
        return self._messages.t(key, **values)

    def refused(self, key: str, **values: object) -> Reply:
        """A refusal with a catalogue text."""
        return text(self.t(key, prefix=self._prefix, **values))

    def moment(self, instant: datetime) -> str:
        """``08-12-2026 09:15`` in local time."""
        return self._calendar.local(instant).strftime("%d-%m-%Y %H:%M")

    @staticmethod
    def day(day: date) -> str:
        """``08-12-2026``."""
        return day.strftime("%d-%m-%Y")

    def _shown(self, read: AccessRead) -> str:
        parts = [
            self.t(KIND_KEYS.get(kind, "privacy.kind.other"), reference=reference)
            for kind, reference in read.shown
        ]
        return ", ".join(dict.fromkeys(parts))

    def readers(
        self,
        title: str,
        page: Page[AccessRead],
        members: Mapping[str, Member],
        more: MoreLine,
        budget: int,
        command: str,
    ) -> Reply:
        """The "who read" list: newest first, one line per read."""
        if not page.total:
            return text(self.t("privacy.readers.none", title=title))
        if page.beyond:
            return beyond_reply(self, command, page)
        lines = [
            self.t(
                "privacy.readers.line",
                moment=self.moment(read.occurred_at),
                reader=members[read.reader].display_name if read.reader in members else read.reader,
                organisation=read.organisation or "—",
                role=read.role or "—",
                command=read.command,
                shown=self._shown(read),
            )
            for read in page.items
        ]
        return page_listing(title, Page(tuple(lines), page.total, page.window), more, budget)

    def request_line(self, row: PrivacyRequestRow) -> str:
        """One open request."""
        return self.t(
            "privacy.request.line",
            reference=row.reference,
            kind=self.t(f"privacy.request.kind.{row.kind}"),
            received=self.day(row.received_on),
            due=self.day(row.due_on),
            extended=self.t("privacy.request.extended") if row.extension_reason else "",
        )

    def registered(
        self, row: PrivacyRequestRow, told: Sequence[str], untold: Sequence[str]
    ) -> Reply:
        """``!verzoek nieuw``: reference, deadline, who was told."""
        parts = [
            self.t(
                "privacy.request.registered",
                reference=row.reference,
                kind=self.t(f"privacy.request.kind.{row.kind}"),
                due=self.day(row.due_on),
            ),
            self.t("privacy.request.told", organisations=", ".join(told))
            if told
            else self.t("privacy.request.none_involved"),
        ]
        if untold:
            parts.append(self.t("privacy.request.untold", organisations=", ".join(untold)))
        parts.append(self.t("privacy.request.next", prefix=self._prefix, reference=row.reference))
        return paragraphs(*parts)

    def partner_notice(self, row: PrivacyRequestRow, organisation: str) -> Reply:
        """What a partner organisation's privacy contact is told: the reference only."""
        return text(
            self.t(
                "privacy.request.partner_notice",
                reference=row.reference,
                kind=self.t(f"privacy.request.kind.{row.kind}"),
                organisation=organisation,
                due=self.day(row.due_on),
            )
        )

    def reminder(self, row: PrivacyRequestRow, lapsed: bool) -> Reply:
        """A reminder to the officer: before the deadline, or after it lapsed."""
        key = "privacy.request.lapsed" if lapsed else "privacy.request.reminder"
        return text(self.t(key, reference=row.reference, due=self.day(row.due_on)))

    def export(self, reference: str, json_data: bytes, document: bytes, counts: str) -> Reply:
        """The access export: a summary and the two files (encrypted by the gateway)."""
        summary = text(self.t("privacy.export.done", reference=reference, counts=counts))
        return Reply(
            summary.plain,
            summary.html,
            attachments=(
                Attachment(f"inzage-{reference}.txt", "text/plain", document),
                Attachment(f"inzage-{reference}.json", "application/json", json_data),
            ),
        )

    def simple(self, key: str, **values: object) -> Reply:
        """A one-line reply from the catalogue."""
        return text(self.t(key, prefix=self._prefix, **values))

    def retention(
        self,
        rules: Sequence[tuple[str, str]],
        upcoming: Mapping[str, int],
        until: date,
        deleted: Sequence[tuple[date, str, int]],
        more: int,
    ) -> Reply:
        """``!bewaartermijnen``: the rules, what the next period deletes, what was deleted
        (newest first; ``more`` days not shown)."""
        t = self.t
        deleted_lines = [
            t("privacy.retention.deleted_line", day=self.day(day), table=table, count=count)
            for day, table, count in deleted
        ]
        if more:
            deleted_lines.append(t("privacy.retention.more", count=more))
        return sections(
            t("privacy.retention.title"),
            [
                (
                    t("privacy.retention.rules"),
                    [t("privacy.retention.rule", what=w, period=p) for w, p in rules],
                ),
                (
                    t("privacy.retention.upcoming", until=self.day(until)),
                    [
                        t("privacy.retention.upcoming_line", table=table, count=count)
                        for table, count in upcoming.items()
                    ],
                ),
                (t("privacy.retention.deleted"), deleted_lines),
            ],
            t("list.none"),
        )
