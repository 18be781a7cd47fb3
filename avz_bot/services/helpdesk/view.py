"""Every reply and notice of the helpdesk, worded from outcomes (catalogue ``helpdesk.*``).

Replies about a question go into the question's thread (``Reply.thread_root``). Notices
that leave the helpdesk room (direct messages, the coordination room) carry the reference
and theme only, never the question's text.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from html import escape

from avz_bot.domain import helpdesk as hd
from avz_bot.domain.cases import CaseStatus
from avz_bot.domain.date_names import format_when
from avz_bot.domain.inbound import Reply
from avz_bot.domain.workdays import WorkCalendar
from avz_bot.formatting import mentioning, text
from avz_bot.lists import MoreLine, Page, Window, beyond_reply, page_listing
from avz_bot.messages import Messages
from avz_bot.services.helpdesk.cards import HelpdeskProblem
from avz_bot.services.helpdesk.results import CardOutcome, OpenList, QuestionOutcome
from avz_bot.services.helpdesk.search import SearchResult
from storage.helpdesk_repositories import KIND_CARD, CardRow, QuestionRow


def _event_link(room_id: str, event_id: str) -> str:
    return f"https://matrix.to/#/{room_id}/{event_id}"


def status_key(status: hd.RefusalStatus) -> str:
    """The catalogue key that names ``status``: a case's status in the cases' words
    (``case.status.*``), a question's or a card's in the helpdesk's (``helpdesk.status.*``)."""
    if isinstance(status, CaseStatus):
        return f"case.status.{status.value}"
    return f"helpdesk.status.{status.value}"


class HelpdeskView:
    """Renders helpdesk outcomes as replies (Dutch, from the catalogue)."""

    def __init__(
        self, messages: Messages, prefix: str, calendar: WorkCalendar, themes: dict[str, str]
    ) -> None:
        self._messages = messages
        self._prefix = prefix
        self._calendar = calendar
        self._themes = themes

    def t(self, key: str, /, **values: object) -> str:
        """A catalogue text (prefix filled in)."""
        return self._messages.t(key, prefix=self._prefix, **values)

    def did_you_mean(self, typed: str, choices: Iterable[str]) -> str:
        """`` Bedoel je …?`` or ``""`` (``Messages.did_you_mean``)."""
        return self._messages.did_you_mean(typed, choices)

    def theme(self, code: str) -> str:
        """A theme's name."""
        return self._themes.get(code, code)

    def when(self, instant: datetime) -> str:
        """An instant as people here read it."""
        return format_when(instant, self._calendar)

    # ------------------------------------------------------------ questions
    def refusal(
        self,
        key: hd.RefusalCode | HelpdeskProblem,
        *,
        status: hd.RefusalStatus | None = None,
        **values: object,
    ) -> Reply:
        """A refused command (``helpdesk.refused.<key>``): why, and what to do; the
        status it was refused in, if any, worded by its kind."""
        if status is not None:
            values["status"] = self.t(status_key(status))
        if isinstance(action := values.get("action"), hd.CardAction):
            values["action"] = self.t(f"helpdesk.card_action.{action.value}")
        if isinstance(allowed := values.get("allowed"), frozenset):
            # Declaration order, so the sentence reads the same every time.
            names = [self.t(f"helpdesk.card_actor.{r.value}") for r in hd.Relation if r in allowed]
            values["allowed"] = (
                self.t("helpdesk.or", first=", ".join(names[:-1]), last=names[-1])
                if len(names) > 1
                else names[0]
            )
        return text(self.t(f"helpdesk.refused.{key.value}", **values))

    def question_outcome(
        self,
        outcome: QuestionOutcome,
        mentions: list[tuple[str, str]] | None = None,
        claimer: str = "",
        in_thread: bool = True,
    ) -> Reply:
        """The reply to ``!vraag``, ``!oppakken``, ``!antwoord``, ``!opgelost``, ``!heropen``:
        in the question's thread (``in_thread``), mentioning who must know (``mentions``:
        user id and name); ``claimer`` is the name of who has the question."""
        q = outcome.question
        message = self.t(
            f"helpdesk.{outcome.event}",
            reference=q.reference,
            theme=self.theme(q.theme),
            claimer=claimer or q.claimed_by or "",
        )
        if outcome.event == "asked" and not outcome.notify:
            message += " " + self.t("helpdesk.no_experts")
        if outcome.event == "answered":
            message += "\n" + (q.answer or "")
        return mentioning(mentions or [], message, q.thread_root if in_thread else None)

    def expert_notice(self, q: QuestionRow, room_id: str) -> Reply:
        """Direct message to an expert about a new question (reference, theme, link)."""
        message = self.t(
            "helpdesk.dm.new",
            reference=q.reference,
            theme=self.theme(q.theme),
            link=_event_link(room_id, q.thread_root),
        )
        return text(message)

    def open_list(self, result: OpenList, win: Window, now: datetime, budget: int) -> Reply:
        """``!vragen [pagina=]``: oldest (most urgent) first, one page within ``budget``
        bytes."""
        if not result.total:
            return text(self.t("helpdesk.open.none"))
        items = []
        for q in result.questions:
            age = hd.age_in_working_hours(q.created_at, now, self._calendar)
            who = (
                result.names.get(q.claimed_by, q.claimed_by)
                if q.claimed_by
                else self.t("helpdesk.open.nobody")
            )
            items.append(
                self.t(
                    "helpdesk.open.line",
                    reference=q.reference,
                    theme=self.theme(q.theme),
                    hours=f"{age:.1f}",
                    who=who,
                )
            )
        page = Page(tuple(items), result.total, win)
        command = f"{self._prefix}vragen"
        if page.beyond:
            return beyond_reply(self, command, page)
        return page_listing(
            self.t("helpdesk.open.title", count=result.total),
            page,
            self._more("list.more", command),
            budget,
        )

    def _more(self, key: str, command: str) -> MoreLine:
        """The "… en nog N. Meer zien: <command> pagina=P" line of a list."""
        return lambda count, page: self.t(key, count=count, command=command, page=page)

    # ------------------------------------------------------------ jobs
    def breach_thread(
        self, q: QuestionRow, clock: hd.Clock, step: hd.BreachStep, names: list[tuple[str, str]]
    ) -> Reply:
        """In the thread: the service level was missed (mentions the step's people)."""
        message = self.t(
            f"helpdesk.breach.{step.value}",
            reference=q.reference,
            clock=self.t(f"helpdesk.clock.{clock.value}"),
            theme=self.theme(q.theme),
        )
        return mentioning(names, message, q.thread_root)

    def breach_direct(self, q: QuestionRow, clock: hd.Clock, step: hd.BreachStep) -> Reply:
        """Direct message about a missed service level (no question text)."""
        return text(
            self.t(
                "helpdesk.dm.breach",
                reference=q.reference,
                clock=self.t(f"helpdesk.clock.{clock.value}"),
                theme=self.theme(q.theme),
                link=_event_link(q.room_id, q.thread_root),
            )
        )

    def breach_coordination(self, q: QuestionRow, clock: hd.Clock) -> Reply:
        """To the coordination room: reference and theme only."""
        return text(
            self.t(
                "helpdesk.breach.coordinatie",
                reference=q.reference,
                clock=self.t(f"helpdesk.clock.{clock.value}"),
                theme=self.theme(q.theme),
            )
        )

    def close_reminder(self, q: QuestionRow, close_at: datetime, asker_name: str) -> Reply:
        """The one reminder to the asker before an answered question closes by itself."""
        message = self.t("helpdesk.close_reminder", reference=q.reference, when=self.when(close_at))
        return mentioning([(q.asker, asker_name)], message, q.thread_root)

    def auto_closed(self, q: QuestionRow) -> Reply:
        """In the thread: closed without a reaction."""
        return Reply(
            plain=self.t("helpdesk.auto_closed", reference=q.reference),
            html=escape(self.t("helpdesk.auto_closed", reference=q.reference)),
            thread_root=q.thread_root,
        )

    # ------------------------------------------------------------ cards and search
    def card_outcome(self, outcome: CardOutcome) -> Reply:
        """The reply to a ``!kennis`` command."""
        card = outcome.card
        values = {
            "reference": card.reference,
            "title": card.title,
            "theme": self.theme(card.theme),
            "review": self.when(card.review_due) if card.review_due else "—",
        }
        message = self.t(f"helpdesk.card.{outcome.event}", **values)
        if outcome.event == "created":
            message += "\n" + self.t("helpdesk.card.draft_hint", reference=card.reference)
        return text(message)

    def review_due(self, card: CardRow) -> Reply:
        """Direct message to a card's owner: its review date has come."""
        return text(self.t("helpdesk.dm.review", reference=card.reference, title=card.title))

    def search(self, query: str, result: SearchResult, win: Window, budget: int) -> Reply:
        """``!zoek [pagina=]``: references, titles and snippets, best first, one page within
        ``budget`` bytes."""
        if not result.total:
            return text(self.t("helpdesk.search.none", query=query))
        items = [
            self.t(
                "helpdesk.search.line",
                kind=self.t(
                    "helpdesk.kind.card" if f.kind == KIND_CARD else "helpdesk.kind.question"
                ),
                reference=f.reference,
                title=f.title,
                snippet=f.snippet,
            )
            for f in result.found
        ]
        page = Page(tuple(items), result.total, win)
        command = f"{self._prefix}zoek {query}"
        if page.beyond:
            return beyond_reply(self, command, page)
        title = self.t(
            "helpdesk.search.partial" if result.partial else "helpdesk.search.title", query=query
        )
        # More matched than were ranked: the count is a lower bound.
        key = "helpdesk.more_at_least" if result.capped else "list.more"
        return page_listing(title, page, self._more(key, command), budget)

    def plate(
        self, user: str, waiting: list[QuestionRow], due: list[CardRow]
    ) -> tuple[str, list[str]]:
        """The ``!mijn`` section: questions waiting for ``user`` and cards to review."""
        lines = [
            self.t(
                "helpdesk.mine.asked"
                if q.asker == user and q.status == hd.QuestionStatus.ANSWERED
                else "helpdesk.mine.claimed",
                reference=q.reference,
                theme=self.theme(q.theme),
            )
            for q in waiting
        ]
        lines += [self.t("helpdesk.mine.review", reference=c.reference, title=c.title) for c in due]
        return self.t("helpdesk.mine.title"), lines
