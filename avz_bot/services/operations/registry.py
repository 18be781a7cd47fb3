"""Partner registry changes while the bot runs (SIGHUP, ``avz-bot partners reload``).

One unit of work: synchronise the registry tables with the (already validated) file,
then, for every member who disappeared from it or moved to another organisation:

- take them off every open case they were part of, with every case role (a regie
  becomes vacant and the coordination room is told, as with ``!regie loslaten``), and
  remove them from the case room (a durable kick job per room);
- list their open agreements in the coordination room — nothing is cancelled or
  reassigned silently: the ketenmanagers decide;
- record it all in the audit trail (each case change by the case service, plus one
  ``registry.member_deregistered`` entry per member and one ``registry.reloaded``).

Its messages are background notifications (bulk lane): nobody waits for them in a chat.
Newly listed members can act at once: the registry tables are what every command
reads, and the caller refreshes the key-sharing policy's set of registered users.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.domain.partners import Member, Organisation
from avz_bot.services.area import Bind, Unit
from avz_bot.services.audit import Audit
from avz_bot.services.cases import CaseService
from avz_bot.services.operations.view import OpenAgreementLine, deregistered_notice
from storage.agreement_repositories import AgreementRepository
from storage.case_repositories import CaseRepository, CaseRow
from storage.outbox_repositories import LANE_BULK
from storage.registry_repositories import PartnerRepository, SyncSummary


@dataclass(frozen=True, slots=True)
class Deregistration:
    """What happened to one member who left the registry."""

    matrix_id: str
    #: ``removed`` (no longer listed) or ``organisation_changed``.
    reason: str
    #: References of the cases they were taken off.
    cases: tuple[str, ...] = ()
    open_agreements: int = 0


@dataclass(frozen=True, slots=True)
class ReloadOutcome:
    """The result of one registry synchronisation."""

    summary: SyncSummary
    organisations: int
    members: int
    deregistered: tuple[Deregistration, ...] = field(default_factory=tuple)


def _vanished(before: dict[str, Member], members: Sequence[Member]) -> dict[str, str]:
    """Matrix id → reason, for members that are gone or changed organisation."""
    listed = {m.matrix_id: m for m in members}
    gone: dict[str, str] = {}
    for matrix_id, old in before.items():
        new = listed.get(matrix_id)
        if new is None:
            gone[matrix_id] = "removed"
        elif new.organisation.code != old.organisation.code:
            gone[matrix_id] = "organisation_changed"
    return gone


async def synchronise_registry(
    session: AsyncSession,
    bind: Bind,
    organisations: Sequence[Organisation],
    members: Sequence[Member],
    *,
    key: str,
    coordination_room: str | None,
    max_items: int,
) -> ReloadOutcome:
    """Apply a validated registry inside the caller's transaction (see module doc).

    ``key`` makes the ids of the messages and jobs of this reload unique and repeatable
    (e.g. the reload's UTC timestamp). Raises ``ValueError`` for an inconsistent registry
    (duplicates, unknown organisation); the caller's transaction then changes nothing.
    """
    unit = bind(session, lane=LANE_BULK)
    cases = unit[CaseService]
    # Loaded before the sync, so messages can still show the names of those leaving.
    before = dict(await cases.directory())
    summary = await PartnerRepository(session).sync(organisations, members)
    case_repo = CaseRepository(session)
    agreement_repo = AgreementRepository(session)
    audit = Audit(session, unit.at)
    results: list[Deregistration] = []
    for matrix_id, reason in sorted(_vanished(before, members).items()):
        taken_off = await _take_off_cases(unit, cases, case_repo, matrix_id, key)
        lines = await _open_agreement_lines(agreement_repo, case_repo, matrix_id, taken_off)
        if coordination_room and (taken_off or lines):
            notice = deregistered_notice(
                cases.t,
                name=before[matrix_id].display_name,
                cases=len(taken_off),
                agreements=lines,
                max_items=max_items,
                when=cases.when,
            )
            await unit.enqueue(f"deregistered:{key}:{matrix_id}", coordination_room, notice)
        await audit.record(
            "registry.member_deregistered",
            entity_type="member",
            entity_id=matrix_id,
            details={
                "reason": reason,
                "organisation_code": before[matrix_id].organisation.code,
                "cases": len(taken_off),
                "open_agreements": len(lines),
            },
        )
        results.append(
            Deregistration(matrix_id, reason, tuple(r.reference for r in taken_off), len(lines))
        )
    if summary.changed:
        await _record_reload(audit, summary)
    return ReloadOutcome(summary, len(organisations), len(members), tuple(results))


async def _take_off_cases(
    unit: Unit, cases: CaseService, case_repo: CaseRepository, matrix_id: str, key: str
) -> list[CaseRow]:
    """Take the member off every open case they were part of; tell each case room."""
    taken_off: list[CaseRow] = []
    for row in await case_repo.list_cases_for_member(matrix_id):
        note = await cases.member_deregistered(row, matrix_id, f"{key}:{matrix_id}")
        if note is None:
            continue
        taken_off.append(row)
        if row.room_id:
            await unit.enqueue(f"deregistered:{key}:{row.id}:{matrix_id}", row.room_id, note)
    return taken_off


async def _open_agreement_lines(
    agreement_repo: AgreementRepository,
    case_repo: CaseRepository,
    matrix_id: str,
    taken_off: list[CaseRow],
) -> list[OpenAgreementLine]:
    """The member's open agreements, each with its case's reference."""
    agreements = await agreement_repo.open_for_user(matrix_id)
    if agreements:
        references = {row.id: row.reference for row in taken_off}
        for case_id in {a.case_id for a in agreements} - references.keys():
            found = await case_repo.get(case_id)
            references[case_id] = found.reference if found else "?"
        lines = [
            OpenAgreementLine(references[a.case_id], a.number, a.description, a.deadline)
            for a in agreements
        ]
    else:
        lines = []
    return lines


async def _record_reload(audit: Audit, summary: SyncSummary) -> None:
    """One ``registry.reloaded`` audit entry with the synchronisation's counts."""
    await audit.record(
        "registry.reloaded",
        details={
            "organisations_added": summary.organisations_added,
            "organisations_updated": summary.organisations_updated,
            "organisations_deactivated": summary.organisations_deactivated,
            "members_added": summary.members_added,
            "members_updated": summary.members_updated,
            "members_deactivated": summary.members_deactivated,
        },
    )
