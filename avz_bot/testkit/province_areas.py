"""The lists of the newer areas in a generated province (signals, escalations,
conferences, helpdesk), for the paging and size-bound tests.

``seed_area_lists`` adds, through the areas' own repositories (numbering and every
column as the bot itself stores them): signals recorded in the busy case, signals on
the TVO agenda of ``MUNICIPALITY``, open escalations of the busy case (so also in the
coordination room's list), conferences of the busy case (planned and held), open
questions in ``HELPDESK_ROOM`` and published knowledge cards that all contain
``SEARCH_WORD``. Everything is made up; the same arguments give the same rows. Nothing
of it waits for the heavy person, so their ``!mijn`` does not change.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from avz_bot.domain.dutch_search import DutchAnalyzer
from avz_bot.domain.escalations import format_reference
from avz_bot.services.helpdesk.search import put_document
from storage.conference_repositories import ConferenceRepository
from storage.db import Database
from storage.escalation_repositories import EscalationRepository
from storage.helpdesk_repositories import KIND_CARD, QuestionRepository
from storage.signal_repositories import CaseSignalRepository, SignalRepository

#: The municipality of every generated case (and so of the TVO agenda).
MUNICIPALITY = "groningen"
#: A word every generated knowledge card contains (``!zoek huisbezoek``).
SEARCH_WORD = "huisbezoek"


@dataclass(frozen=True)
class AreaRooms:
    """The rooms the area lists are asked in (configure them in the area settings)."""

    tvo_room: str
    helpdesk_room: str
    coordination_room: str


@dataclass(frozen=True)
class AreaCounts:
    """How many items each area list gets (0: none)."""

    case_signals: int = 0
    agenda_signals: int = 0
    escalations: int = 0
    conferences: int = 0
    questions: int = 0
    cards: int = 0


def area_rooms(server: str) -> AreaRooms:
    """The (made-up) room ids of a province on homeserver ``server``."""
    return AreaRooms(f"!tvo:{server}", f"!vraagbaak:{server}", f"!coordinatie:{server}")


async def seed_area_lists(
    database: Database,
    counts: AreaCounts,
    now: datetime,
    *,
    case_id: int,
    author: str,
    author_org: str,
    target: str,
    rooms: AreaRooms,
) -> None:
    """Add the area lists (see the module docstring) to a seeded province: items of the
    busy case ``case_id``, made by ``author`` (of ``author_org``); escalations wait for
    ``target`` (a ketenmanager)."""
    year = now.year
    async with database.session() as session, session.begin():
        case_signals = CaseSignalRepository(session)
        for n in range(counts.case_signals):
            await case_signals.create(
                case_id=case_id,
                category="overlast",
                severity=("laag", "midden", "hoog")[n % 3],
                description=f"Signaal {n + 1} in de casus: zorgen gemeld door de wijkagent",
                created_by=author,
                organisation_code=author_org,
                now=now - timedelta(minutes=counts.case_signals - n),
            )
        signals = SignalRepository(session)
        for n in range(counts.agenda_signals):
            created = now - timedelta(hours=counts.agenda_signals - n)
            await signals.create(
                year=year,
                pseudonym=hashlib.sha256(f"persoon {n}".encode()).hexdigest(),
                key_version="v1",
                weak_key=False,
                category="verward-gedrag",
                municipality=MUNICIPALITY,
                professional=author,
                organisation_code=author_org,
                contact_room=f"!dm{n}:{rooms.tvo_room.split(':', 1)[1]}",
                now=created,
                expires_at=created + timedelta(days=730),
            )
        escalations = EscalationRepository(session)
        for n in range(counts.escalations):
            requested = now - timedelta(hours=counts.escalations - n)
            await escalations.create(
                [
                    {
                        "number": 1,
                        "target_kind": "ketenmanagers",
                        "scope": MUNICIPALITY,
                        "targets": [target],
                        "ack_working_hours": 8.0,
                        "decision_working_days": 5,
                        "urgent_ack_minutes": 60.0,
                        "urgent_decision_hours": 24.0,
                    }
                ],
                reference=format_reference(year, await escalations.next_number(year)),
                case_id=case_id,
                route="inhoudelijk",
                status="aangevraagd",
                urgent=False,
                partner_org=None,
                requester=author,
                requester_org=author_org,
                reason=f"Opschaling {n + 1}: de partners komen er samen niet uit",
                decision_asked="Wie neemt de regie over de woonbegeleiding?",
                current_level=1,
                level_started_at=requested,
                requested_at=requested,
            )
        conferences = ConferenceRepository(session)
        for n in range(counts.conferences):
            # Even: planned in the coming weeks; odd: held in the past weeks.
            held = n % 2 == 1
            row = await conferences.create(
                case_id=case_id,
                year=year,
                organiser=author,
                starts_at=now + timedelta(days=(-1 if held else 1) * (n + 1)),
                duration_minutes=60,
                location="Stadhuis, zaal 2",
                now=now - timedelta(days=60),
            )
            if held:
                await conferences.finish(row.id, "afgerond", row.sequence, None, now)
        questions = QuestionRepository(session)
        for n in range(counts.questions):
            await questions.create(
                year=year,
                room_id=rooms.helpdesk_room,
                thread_root=f"$vraag{n}",
                theme="jeugd",
                text=f"Vraag {n + 1}: wie is aan zet na een melding over schoolverzuim?",
                asker=author,
                now=now - timedelta(hours=counts.questions - n),
            )
        analyzer = DutchAnalyzer()
        for n in range(counts.cards):
            await put_document(
                session,
                analyzer,
                kind=KIND_CARD,
                entity_id=n + 1,
                reference=f"K-{n + 1}",
                title=f"Kenniskaart {n + 1}: {SEARCH_WORD} bij zorgen",
                theme="jeugd",
                body=f"Plan een {SEARCH_WORD} samen met het wijkteam en leg afspraken vast.",
                now=now,
            )
