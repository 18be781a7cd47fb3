"""Job handlers of the helpdesk: the breach chain, auto-close and card reviews.

Each runs inside the job's transaction (see ``avz_bot.scheduling``): it re-reads the
question or card, does nothing when the job no longer fits it (answered meanwhile, re-opened,
confirmed, retired), and otherwise queues its messages with transaction ids derived from the
question and the step, so a re-run can never post twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.domain import helpdesk as hd
from avz_bot.domain.inbound import IncomingReaction
from avz_bot.domain.partners import Member
from avz_bot.services.area import Bind, Unit
from avz_bot.services.helpdesk.cards import JOB_REVIEW
from avz_bot.services.helpdesk.persisting import JOB_AUTOCLOSE, JOB_SLA, close_key
from avz_bot.services.helpdesk.service import HelpdeskService, to_domain
from storage.outbox_repositories import LANE_BULK, ReactionTargetRow
from storage.schedule_repositories import JobRepository, JobRow


class HelpdeskJobs:
    """Handlers for the ``helpdesk.*`` job kinds."""

    def __init__(self, bind: Bind) -> None:
        self._bind = bind

    def handlers(self) -> dict[str, Any]:
        """Job kind → handler, for the scheduler."""
        return {JOB_SLA: self.breach, JOB_AUTOCLOSE: self.autoclose, JOB_REVIEW: self.review}

    async def breach(self, session: AsyncSession, job: JobRow, now: datetime) -> None:
        """A service level was missed: tell the next people in the chain, arm the next step."""
        del now
        unit = self._bind(session, lane=LANE_BULK)
        service = unit[HelpdeskService]
        row = await service.questions.get(int(job.payload["question_id"]))
        if row is None:
            return
        clock, step = hd.Clock(job.payload["clock"]), hd.BreachStep(job.payload["step"])
        running = hd.running_clock(to_domain(row))
        marker = f"{clock.value}:{step.value}"
        if running is None or running[0] is not clock or row.sla_notified == marker:
            return
        recipients: list[str] = []
        if step is hd.BreachStep.EXPERTS:
            recipients = (
                [row.claimed_by]
                if row.claimed_by
                else [m.matrix_id for m in await service.experts(row.theme)]
            )
        elif step is hd.BreachStep.BACKUP:
            recipients = [m.matrix_id for m in await service.experts(row.theme, backup=True)]
        key = f"helpdesk:{row.reference}:sla:{marker}:{row.solution_from or ''}"
        names = await service.names(recipients)
        if step is hd.BreachStep.COORDINATION:
            if service.coordination_room:
                notice = service.view.breach_coordination(row, clock)
                await unit.enqueue(key, service.coordination_room, notice)
        else:
            await unit.enqueue(
                key, row.room_id, service.view.breach_thread(row, clock, step, names)
            )
            for user in recipients:
                notice = service.view.breach_direct(row, clock, step)
                await unit.direct(user, f"{key}:{user}", notice)
        await service.questions.update(row.id, row.status, sla_notified=marker)
        fresh = await service.questions.get(row.id)
        assert fresh is not None
        await service.audit(
            "bot",
            "sla_breach",
            row.room_id,
            row.reference,
            clock=clock.value,
            step=step.value,
            recipients=len(recipients),
        )
        await _arm_next(service, fresh)

    async def autoclose(self, session: AsyncSession, job: JobRow, now: datetime) -> None:
        """Remind the asker of an unconfirmed answer once; close it at the end."""
        del now
        unit = self._bind(session, lane=LANE_BULK)
        service = unit[HelpdeskService]
        row = await service.questions.get(int(job.payload["question_id"]))
        if row is None or row.answered_at is None or row.status != hd.QuestionStatus.ANSWERED:
            return
        if row.answered_at.isoformat() != job.payload["answered_at"]:
            return  # answered again since: that answer has its own job
        key = f"helpdesk:{row.reference}:close:{job.payload['answered_at']}"
        if job.payload["step"] == "remind":
            plan = hd.auto_close_plan(
                row.answered_at, service.settings.auto_close_working_days, service.calendar
            )
            asker = (await service.names([row.asker]))[0][1]
            reply = service.view.close_reminder(row, plan.close_at, asker)
            await unit.enqueue(f"{key}:remind", row.room_id, reply)
            await JobRepository(session).schedule(
                JOB_AUTOCLOSE,
                plan.close_at,
                {**job.payload, "step": "close"},
                unit.at,
                dedupe_key=close_key(row.id),
                entity_type="question",
                entity_id=row.reference,
            )
            return
        closed = hd.auto_close(to_domain(row), unit.at)
        if closed is None:
            return
        fresh = await service.apply(row, *closed)
        await service.audit("bot", "closed_automatically", row.room_id, row.reference)
        await unit.enqueue(f"{key}:closed", row.room_id, service.view.auto_closed(fresh))

    async def review(self, session: AsyncSession, job: JobRow, now: datetime) -> None:
        """A published card's review date has come: ask its owner (direct message)."""
        del now
        unit = self._bind(session, lane=LANE_BULK)
        service = unit[HelpdeskService]
        card = await service.cards.get(int(job.payload["card_id"]))
        if card is None or card.status != hd.CardStatus.PUBLISHED.value:
            return
        if card.review_due is None or card.review_due.isoformat() != job.payload["review_due"]:
            return  # confirmed since: the new date has its own job
        notice = service.view.review_due(card)
        key = f"helpdesk:{card.reference}:review:{job.payload['review_due']}"
        await unit.direct(card.owner, key, notice)
        await service.audit("bot", "card.review_due", None, card.reference)


async def _arm_next(service: HelpdeskService, row: Any) -> None:
    await service.events.arm_sla(row, to_domain(row))


async def helpdesk_reaction(
    unit: Unit,
    member: Member | None,
    target: ReactionTargetRow,
    reaction: IncomingReaction,
) -> None:
    """A reaction on a question's first message: 🙋 from an expert claims it (the thread is
    told by ``claim_by_reaction``); other reactions and other people change nothing."""
    del target
    if member is None or not reaction.key.startswith("🙋"):
        return
    await unit[HelpdeskService].claim_by_reaction(member, reaction.room_id, reaction.relates_to)
