"""The access export (AVG art. 15): everything linked to a person's pseudonyms, across
every area, as one JSON document and a readable text rendering of the same data.

What is in it: the person's signals and their matches; every case linked to the person
(``!casus persoon`` or a triaged signal) with its timeline (the audit trail), the
organisations involved, agreements and their postponements, signals recorded in the case,
conferences with their agenda items and decisions, escalations; and the access log of
the person (who — by organisation and role — read what, when). Professionals appear by
organisation, not by name (AVG art. 15(4): others' rights); technical keys, rooms and
pseudonyms are left out (``storage.privacy_repositories.LEFT_OUT``). A person with the
same name but another birth date has other pseudonyms, so nothing of theirs is found.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.domain.privacy.chain import Shown
from storage.access_repositories import AccessLogRepository
from storage.privacy_repositories import PersonCase, PersonData, PersonLinks, exported

#: The earliest instant the access log is searched from.
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
#: At most this many access log entries in one export (newest first).
MAX_READS = 10_000

#: Per case: (section, table, column holding the case id).
CASE_TABLES: tuple[tuple[str, str, str], ...] = (
    ("organisaties", "case_members", "case_id"),
    ("afspraken", "agreements", "case_id"),
    ("signalen_in_casus", "case_signals", "case_id"),
    ("overleggen", "conferences", "case_id"),
    ("opschalingen", "escalations", "case_id"),
)


@dataclass(frozen=True, slots=True)
class Export:
    """The export: its data, and the two files made from it."""

    data: dict[str, Any]

    def json_bytes(self) -> bytes:
        """The machine-readable file (UTF-8 JSON, keys sorted)."""
        return json.dumps(self.data, ensure_ascii=False, indent=2, sort_keys=True).encode()

    def text_bytes(self, title: str) -> bytes:
        """The readable file: the same data as indented text under ``title``."""
        lines = [title, "=" * len(title), ""]
        _render(self.data, lines, 0)
        return ("\n".join(lines) + "\n").encode()


def _render(value: Any, lines: list[str], depth: int) -> None:
    pad = "  " * depth
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, dict | list):
                lines.append(f"{pad}{key}:")
                _render(item, lines, depth + 1)
            else:
                lines.append(f"{pad}{key}: {'—' if item is None else item}")
    elif isinstance(value, list):
        if not value:
            lines.append(f"{pad}(geen)")
        for index, item in enumerate(value, 1):
            lines.append(f"{pad}[{index}]")
            _render(item, lines, depth + 1)
    else:
        lines.append(f"{pad}{value}")


async def _case_part(data: PersonData, case: PersonCase) -> dict[str, Any]:
    """One case with everything of it."""
    part: dict[str, Any] = {
        "casus": exported((await data.rows("cases", "id", [case.id]))[0]),
    }
    for section, table, column in CASE_TABLES:
        part[section] = [exported(r) for r in await data.rows(table, column, [case.id])]
    agreement_ids = [r["id"] for r in await data.rows("agreements", "case_id", [case.id])]
    part["uitstel"] = [
        exported(r)
        for r in await data.rows("agreement_postponements", "agreement_id", agreement_ids)
    ]
    conference_ids = [r["id"] for r in await data.rows("conferences", "case_id", [case.id])]
    part["overleg_punten_en_besluiten"] = [
        exported(r) for r in await data.rows("conference_entries", "conference_id", conference_ids)
    ]
    part["tijdlijn"] = [
        exported(r)
        for r in await data.rows("audit_log", "entity_id", [case.reference], entity_type="case")
    ]
    return part


async def assemble(
    session: AsyncSession, pseudonyms: tuple[str, ...], reference: str, now: datetime
) -> Export:
    """Everything linked to ``pseudonyms`` (see the module docstring)."""
    data, links = PersonData(session), PersonLinks(session)
    signals = await data.rows("signals", "pseudonym", pseudonyms)
    signal_ids = [r["id"] for r in signals]
    matches = {
        r["id"]: r
        for column in ("signal_id", "other_signal_id")
        for r in await data.rows("signal_matches", column, signal_ids)
    }
    by_id = {r["id"]: r["reference"] for r in signals}
    cases = await links.cases(pseudonyms)
    shown = [
        *(Shown("person", p) for p in pseudonyms),
        *(Shown("signal", r["reference"]) for r in signals),
        *(Shown("case", c.reference) for c in cases),
    ]
    # Up to and including ``now`` (a read in the same instant is in; [since, until) bounds).
    until = now + timedelta(seconds=1)
    reads, _ = await AccessLogRepository(session).readers(shown, EPOCH, until, limit=MAX_READS)
    document = {
        "verzoek": reference,
        "opgesteld": now.isoformat(),
        "signalen": [exported(r) for r in signals],
        "signaalmatches": [
            {
                "signaal": by_id.get(m["signal_id"], "(ander signaal)"),
                "met": by_id.get(m["other_signal_id"], "(signaal van een andere organisatie)"),
                "gevonden": m["created_at"].isoformat(),
            }
            for m in matches.values()
        ],
        "casussen": [await _case_part(data, case) for case in cases],
        "toegangslog": [
            {
                "moment": read.occurred_at.isoformat(),
                "organisatie": read.organisation,
                "rol": read.role,
                "commando": read.command,
                "getoond": [
                    f"{kind} {ref}" if kind != "person" else "persoon" for kind, ref in read.shown
                ],
            }
            for read in reads
        ],
    }
    return Export(document)
