"""The signed intake endpoint (issue 23) through its real aiohttp routes, the real signal
service and repositories, on SQLite and PostgreSQL: acceptance, matching with typed
signals, idempotency (retries and concurrent duplicates), every refusal, the audit trail
and the raw rows (no identifier anywhere)."""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from pydantic import SecretStr
from sqlalchemy import text

from avz_bot.clock import FakeClock
from avz_bot.domain.partners import Member, Organisation, OrgDomain, Role
from avz_bot.intake_http import IntakeEndpoint, RateLimiter
from avz_bot.messages import Messages
from avz_bot.metrics import BotMetrics
from avz_bot.runtime.units import AppServices
from avz_bot.services.signals import PersonArgs, SignalService
from avz_bot.services.signals.intake import IntakeProfile
from avz_bot.settings_sections.cases import CasesSettings
from avz_bot.settings_sections.intake import IntakeSettings
from avz_bot.settings_sections.signals import SignalSettings
from avz_bot.testkit.intake import PartnerSystem, new_secret, signed_headers
from storage.base import Base
from storage.db import Database
from storage.registry_repositories import PartnerRepository

BSN = "123456782"
NAME = "Jan de Vries"
POLITIE = Organisation("politie", "Politie Noord-Nederland", OrgDomain.VEILIGHEID)
GGZ = Organisation("ggz", "Lentis GGZ", OrgDomain.ZORG)
PIETER = Member("@pieter:avz.test", "Pieter", POLITIE, frozenset({Role.PROFESSIONAL}))
ANOUK = Member("@anouk:avz.test", "Anouk", GGZ, frozenset({Role.PROFESSIONAL}))
ROOMS = {"politie": "!politie:avz.test", "ggz": "!ggz:avz.test"}
TVO_ROOM = "!tvo:avz.test"
PROFILES = {
    "politie": IntakeProfile("politie", PIETER.matrix_id, ROOMS["politie"]),
    "ggz": IntakeProfile("ggz", ANOUK.matrix_id, ROOMS["ggz"]),
}
FIELDS = {"bsn": BSN, "category": "overlast", "municipality": "groningen"}


@dataclass
class Intake:
    database: Database
    services: AppServices
    base_url: str
    http: aiohttp.ClientSession
    secrets: dict[str, list[str]]
    endpoint: IntakeEndpoint

    def system(self, org: str, secret_index: int = 0) -> PartnerSystem:
        return PartnerSystem(self.base_url, org, self.secrets[org][secret_index])

    async def post(self, org: str, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
        url = f"{self.base_url}/intake/v1/organisations/{org}/signals"
        async with self.http.post(url, data=body, headers=headers) as response:
            payload = await response.json()
            return response.status, (payload, dict(response.headers))

    async def count(self, table: str, where: str = "") -> int:
        async with self.database.session() as session:
            query = f"SELECT count(*) FROM {table} {where}"
            return int((await session.execute(text(query))).scalar_one())

    async def raw_dump(self) -> str:
        parts = []
        async with self.database.session() as session:
            for table in Base.metadata.sorted_tables:
                rows = (await session.execute(text(f'SELECT * FROM "{table.name}"'))).all()
                parts.extend(repr(tuple(row)) for row in rows)
        return "\n".join(parts)

    async def audit(self) -> list[tuple[str, str]]:
        async with self.database.session() as session:
            rows = await session.execute(
                text("SELECT action, details FROM audit_log WHERE entity_type = 'intake'")
            )
            return [(str(a), str(d)) for a, d in rows.all()]


@pytest.fixture
async def intake(database: Database) -> AsyncIterator[Intake]:
    clock = FakeClock(datetime.now(UTC))
    secrets = {"politie": [new_secret(), new_secret()], "ggz": [new_secret()]}
    services = AppServices(
        clock=clock,
        version="test",
        messages=Messages(),
        cases_settings=CasesSettings(intake_rooms=[TVO_ROOM]),
        signal_settings=SignalSettings(
            keys={"v1": SecretStr("k" * 40)}, tvo_rooms={"groningen": TVO_ROOM}
        ),
    )
    settings = IntakeSettings(
        enabled=True,
        max_body_bytes=1024,
        burst=50,
        secrets={org: SecretStr(" ".join(listed)) for org, listed in secrets.items()},
    )
    endpoint = IntakeEndpoint(
        settings, lambda: PROFILES, database, services, clock, metrics=BotMetrics()
    )
    async with database.session() as session, session.begin():
        await PartnerRepository(session).sync([POLITIE, GGZ], [PIETER, ANOUK])
    app = web.Application()
    endpoint.add_routes(app)
    server = TestServer(app)
    await server.start_server()
    try:
        async with aiohttp.ClientSession() as http:
            yield Intake(
                database, services, str(server.make_url("")).rstrip("/"), http, secrets, endpoint
            )
    finally:
        await server.close()


async def test_two_organisations_match_like_typed_signals(intake: Intake) -> None:
    status, first, _ = await intake.system("politie").submit(intake.http, FIELDS)
    assert status == 201 and first == {"reference": first["reference"], "matched": False}
    # The same person by a dotted BSN, from the second secret of a rotation: a match.
    status, second, _ = await intake.system("ggz").submit(
        intake.http, {"bsn": "1234.56.782", "category": "verslaving", "municipality": "groningen"}
    )
    assert status == 201 and second["matched"] is True
    async with intake.database.session() as session:
        rows = (
            await session.execute(
                text("SELECT room_id, content FROM outbox ORDER BY id"),
            )
        ).all()
    by_room: dict[str, list[str]] = {}
    for room, content in rows:
        by_room.setdefault(room, []).append(json.loads(content)["body"])
    # Politie is told in its room (the signal's contact room), GGZ in its own, the TVO too.
    assert any("Samenloop op jouw signaal" in b for b in by_room[ROOMS["politie"]])
    assert any(second["reference"] in b and "Politie" in b for b in by_room[ROOMS["ggz"]])
    assert any("Nieuwe samenloop" in b for b in by_room[TVO_ROOM])
    async with intake.database.session() as session:
        professionals = (
            await session.execute(text("SELECT professional, organisation_code FROM signals"))
        ).all()
    assert sorted(map(tuple, professionals)) == sorted(
        [(PIETER.matrix_id, "politie"), (ANOUK.matrix_id, "ggz")]
    )
    dump = await intake.raw_dump()
    assert BSN not in dump and "1234.56.782" not in dump and "123456782" not in dump
    actions = [a for a, _ in await intake.audit()]
    assert actions.count("intake.accepted") == 2


async def test_a_typed_signal_matches_a_submitted_one(intake: Intake) -> None:
    status, _, _ = await intake.system("politie").submit(
        intake.http, {"name": NAME, "birth_date": "01-02-1990", "category": "overlast"}
    )
    assert status == 201
    async with intake.database.session() as session, session.begin():
        reply = await intake.services.bind(session)[SignalService].persons.store_and_match(
            ANOUK, "!dm-anouk:avz.test", PersonArgs("", NAME, "1990-02-01"), "schulden", "", "k1"
        )
    assert reply[2] is True and PIETER.matrix_id in reply[0].plain
    assert NAME not in await intake.raw_dump()


async def test_a_retry_is_accepted_once_even_concurrently(intake: Intake) -> None:
    system = intake.system("politie")
    status, first, _ = await system.submit(intake.http, FIELDS, webhook_id="msg_once")
    assert status == 201
    status, again, _ = await system.submit(intake.http, FIELDS, webhook_id="msg_once")
    assert status == 409 and again == {"error": "replay", "reference": first["reference"]}
    results = await asyncio.gather(
        *(system.submit(intake.http, FIELDS, webhook_id="msg_twice") for _ in range(4))
    )
    assert sorted(r[0] for r in results) == [201, 409, 409, 409]
    assert await intake.count("signals") == 2
    assert await intake.count("intake_deliveries") == 2
    # Another organisation may use the same id: keys are per organisation.
    status, _, _ = await intake.system("ggz").submit(intake.http, FIELDS, webhook_id="msg_once")
    assert status == 201
    # The id is the sender's text: only its digest is kept.
    dump = await intake.raw_dump()
    assert "msg_once" not in dump and "msg_twice" not in dump


@pytest.mark.parametrize(
    ("fields", "field", "error"),
    [
        ({"bsn": "123456789", "category": "overlast"}, "bsn", "invalid"),  # elfproef
        ({"bsn": "12345", "category": "overlast"}, "bsn", "invalid"),
        ({"category": "overlast"}, "bsn", "invalid"),  # no identifier at all
        ({"bsn": BSN, "name": NAME, "category": "overlast"}, "name", "bsn_or_name"),
        ({"name": NAME, "birth_date": "31-02-1990", "category": "x"}, "birth_date", "invalid"),
        ({"bsn": BSN, "category": "onbekend"}, "category", "unknown"),
        ({"bsn": BSN}, "category", "invalid"),
        (
            {"bsn": BSN, "category": "overlast", "municipality": "atlantis"},
            "municipality",
            "unknown",
        ),
        ({"bsn": BSN, "category": "overlast", "severity": "extreem"}, "severity", "invalid"),
        ({"bsn": 123456782, "category": "overlast"}, "bsn", "invalid"),
        ({"bsn": BSN, "category": "overlast", "notes": "vrije tekst"}, "notes", "unknown_field"),
        ({"bsn": BSN, "category": "overlast", "123456782": "x"}, "body", "unknown_field"),
    ],
)
async def test_a_bad_field_is_named_and_nothing_is_stored(
    intake: Intake, fields: dict[str, Any], field: str, error: str
) -> None:
    status, answer, _ = await intake.system("politie").submit(intake.http, fields)
    assert (status, answer) == (400, {"error": error, "field": field})
    assert await intake.count("signals") == 0
    assert await intake.count("intake_deliveries") == 0
    assert await intake.count("outbox") == 0
    assert BSN not in await intake.raw_dump()
    [(action, details)] = await intake.audit()
    assert action == "intake.refused"
    assert json.loads(details) == {"organisation": "politie", "status": 400, "reason": error}


async def test_bodies_that_are_not_a_json_object(intake: Intake) -> None:
    secret = intake.secrets["politie"][0]
    for body, error in ((b"{not json", "invalid_json"), (b"[1, 2]", "not_an_object")):
        status, (answer, _) = await intake.post("politie", body, signed_headers(secret, body))
        assert (status, answer) == (400, {"error": error, "field": "body"})
    body = b'{"bsn": "123456782", "category": "overlast"}'
    headers = signed_headers(secret, body) | {"content-type": "text/plain"}
    status, (answer, _) = await intake.post("politie", body, headers)
    assert (status, answer["error"]) == (415, "unsupported_media_type")
    assert await intake.count("signals") == 0


async def test_signatures_timestamps_and_organisations(intake: Intake) -> None:
    body = json.dumps(FIELDS).encode()
    politie = intake.secrets["politie"][0]
    cases: list[tuple[str, dict[str, str], str]] = [
        ("politie", {"content-type": "application/json"}, "signature_missing"),
        ("politie", signed_headers(new_secret(), body), "signature_invalid"),
        ("politie", signed_headers(intake.secrets["ggz"][0], body), "signature_invalid"),
        ("ggz", signed_headers(politie, body), "signature_invalid"),
        ("politie", signed_headers(politie, body + b" "), "signature_invalid"),
        ("onbekend", signed_headers(politie, body), "signature_invalid"),
        (
            "politie",
            signed_headers(politie, body, at=datetime.now(UTC) - timedelta(minutes=6)),
            "timestamp_out_of_window",
        ),
        (
            "politie",
            signed_headers(politie, body, at=datetime.now(UTC) + timedelta(minutes=6)),
            "timestamp_out_of_window",
        ),
        (
            "politie",
            signed_headers(politie, body) | {"webhook-timestamp": "gisteren"},
            "timestamp_invalid",
        ),
    ]
    for org, headers, error in cases:
        status, (answer, _) = await intake.post(org, body, headers)
        assert (status, answer) == (401, {"error": error}), error
    # The second (rotated-in) secret is as good as the first.
    status, _, _ = await intake.system("politie", 1).submit(intake.http, FIELDS)
    assert status == 201
    assert await intake.count("signals") == 1
    refused = [a for a, _ in await intake.audit()].count("intake.refused")
    assert refused == len(cases)
    metrics = intake.endpoint._metrics
    assert metrics is not None
    counted = metrics.intake_submissions
    assert counted.labels(status="401")._value.get() == len(cases)
    assert counted.labels(status="201")._value.get() == 1
    assert BSN not in await intake.raw_dump()


async def test_too_large_bodies(intake: Intake) -> None:
    body = json.dumps(FIELDS | {"name": "x" * 2000}).encode()
    status, (answer, _) = await intake.post(
        "politie", body, signed_headers(intake.secrets["politie"][0], body)
    )
    assert (status, answer) == (413, {"error": "body_too_large"})
    assert await intake.count("signals") == 0


async def test_rate_limit_per_organisation(intake: Intake) -> None:
    times = [0.0]
    intake.endpoint._limiter = RateLimiter(per_minute=6, burst=2, now=lambda: times[0])
    politie = intake.system("politie")
    statuses = [(await politie.submit(intake.http, FIELDS))[0] for _ in range(3)]
    assert statuses == [201, 201, 429]
    status, answer, headers = await politie.submit(intake.http, FIELDS)
    assert (status, answer) == (429, {"error": "rate_limited"})
    assert headers["Retry-After"] == "10"
    # Another organisation has its own bucket; ten seconds later one more is allowed.
    assert (await intake.system("ggz").submit(intake.http, FIELDS))[0] == 201
    times[0] = 10.0
    assert (await politie.submit(intake.http, FIELDS))[0] == 201
    assert await intake.count("signals") == 4


async def test_the_openapi_description_is_served(intake: Intake) -> None:
    async with intake.http.get(f"{intake.base_url}/intake/v1/openapi.yaml") as response:
        assert response.status == 200
        served = await response.text()
    assert served.startswith("openapi: 3.1.0")
    assert "/intake/v1/organisations/{organisation}/signals" in served


async def test_concurrent_submissions_all_get_their_own_number(intake: Intake) -> None:
    """Numbering serialises on PostgreSQL (``storage.sql._insert_numbered``): a burst
    of concurrent submissions is accepted whole, each with its own reference."""
    bsns = ["111222333", "123456782", "999999990", "100000009", "200000007", "300000005"]
    systems = [intake.system("politie"), intake.system("ggz")]
    results = await asyncio.gather(
        *(
            systems[i % 2].submit(intake.http, {"bsn": bsn, "category": "overlast"})
            for i, bsn in enumerate(bsns * 2)
        )
    )
    assert [status for status, _, _ in results] == [201] * 12
    assert len({answer["reference"] for _, answer, _ in results}) == 12
    assert await intake.count("signals") == 12


async def test_without_a_member_or_a_key_nothing_is_taken(intake: Intake) -> None:
    # The registry names someone who is not (any longer) a member of the organisation.
    intake.endpoint._profiles = lambda: {
        "politie": IntakeProfile("politie", ANOUK.matrix_id, ROOMS["politie"])
    }
    status, answer, _ = await intake.system("politie").submit(intake.http, FIELDS)
    assert (status, answer) == (403, {"error": "organisation_not_enabled"})
    # Signals without a pseudonym key: the bot cannot take any.
    intake.endpoint._profiles = lambda: PROFILES
    intake.services.signal_settings = SignalSettings()
    status, answer, _ = await intake.system("politie").submit(intake.http, FIELDS)
    assert (status, answer) == (503, {"error": "signals_not_configured"})
    assert await intake.count("signals") == 0 and await intake.count("intake_deliveries") == 0
    assert [a for a, _ in await intake.audit()] == ["intake.refused", "intake.refused"]


async def test_a_warm_standby_takes_nothing_and_the_active_process_does(intake: Intake) -> None:
    """Issue 20: only the process holding the lease has effects; a standby answers 503
    with Retry-After and writes nothing (no signal, no delivery, no audit row)."""
    intake.services.acting.stand_by()
    status, answer, headers = await intake.system("politie").submit(intake.http, FIELDS)
    assert (status, answer) == (503, {"error": "standby"})
    assert int(headers["Retry-After"]) > 0
    assert await intake.count("signals") == 0 and await intake.count("intake_deliveries") == 0
    assert await intake.audit() == []
    # Taking over (the lease renewed): the next delivery is accepted.
    intake.services.acting.hold_until(math.inf)
    status, answer, _ = await intake.system("politie").submit(intake.http, FIELDS)
    assert status == 201
    assert await intake.count("signals") == 1
