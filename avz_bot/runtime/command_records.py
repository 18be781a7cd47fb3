"""What one command leaves besides its effect, in its own transaction: the audit trail,
the access log entry of what it showed (issue 22), and the registry names it may use.

Split from ``avz_bot.runtime.core`` (the exactly-once path) so that file holds the path
and this one the records along it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.domain.inbound import IncomingCommand
from avz_bot.domain.partners import Member
from avz_bot.runtime.units import LazySession, UnitServices
from avz_bot.services.access_log import AccessLog
from avz_bot.services.audit import Audit
from avz_bot.services.directory import MemberDirectory
from commands.framework import DispatchResult, Outcome


async def audit_command(
    session: AsyncSession,
    now: datetime,
    incoming: IncomingCommand,
    member: Member | None,
    result: DispatchResult,
) -> None:
    """The command's audit trail, in its transaction."""
    org = member.organisation.code if member else None
    # Default trust policy: accepted, but the trail shows the change came from a
    # device its owner has not cross-signed (or we could not tell).
    audit = Audit(session, now, incoming.device_verified)
    for note in result.audit:
        await audit.record(
            note.action,
            actor=incoming.sender,
            actor_org=org,
            room_id=incoming.room_id,
            entity_type=note.entity_type,
            entity_id=note.entity_id,
            details=note.details,
        )
    if result.outcome is Outcome.UNREGISTERED:
        # A refusal changes nothing: no device mark.
        await Audit(session, now).record(
            "access.refused",
            actor=incoming.sender,
            room_id=incoming.room_id,
            details={"reason": "not_registered"},
        )


async def log_reads(
    session: AsyncSession,
    now: datetime,
    incoming: IncomingCommand,
    member: Member | None,
    result: DispatchResult,
    services: UnitServices,
) -> None:
    """The access log entry of what the command showed (``avz_bot.services.access_log``);
    none when it showed no case or person data."""
    if result.command is not None:
        await AccessLog(session, now).record_reads(
            services.reads,
            member=member,
            reader=incoming.sender,
            command=result.command,
            room_id=incoming.room_id,
        )


async def with_registry_names(
    directory_service: MemberDirectory, lazy: LazySession, incoming: IncomingCommand
) -> IncomingCommand:
    """``incoming`` with each person in the room also known by the registry's name:
    the bot shows that name ("Anouk Bakker — casemanager"), so people type it."""
    if not incoming.people:
        return incoming
    directory = directory_service.known()
    if directory is None:  # nothing cached yet: load through the (lazily made) session
        directory = await directory_service.members(lazy.get())
    people = tuple(
        replace(p, other_names=(directory[p.user_id].display_name,))
        if p.user_id in directory
        else p
        for p in incoming.people
    )
    return replace(incoming, people=people)
