"""Fuzzing the signed intake endpoint from its served OpenAPI description (schemathesis).

The endpoint's real routes, signal service and a migrated SQLite database run in a
thread of their own (schemathesis calls synchronously). Why two runs:

* **unsigned**: schemathesis generates the whole request from the description, the
  Standard Webhooks headers included (random strings). No generated request can carry a
  valid signature, so every answer must be a documented 4xx with a body that matches
  the description, and nothing may be stored.
* **signed**: the same generated bodies (valid and invalid by the schema), serialised
  here and signed with the organisation's real secret, so the fuzz reaches past the
  signature into JSON parsing, the field checks and the signal service. A signature
  covers the exact bytes, so signing must happen after schemathesis has chosen the body
  and before the bytes are sent: done in the test instead of in schemathesis' transport.
  Every answer is documented and never a 5xx; anything but a 201 stores nothing.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import SecretStr
from schemathesis import Case, GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from avz_bot.clock import FakeClock
from avz_bot.domain.partners import Member, Organisation, OrgDomain, Role
from avz_bot.intake_http import IntakeEndpoint, IntakeServer
from avz_bot.messages import Messages
from avz_bot.runtime.units import AppServices
from avz_bot.services.signals.intake import IntakeProfile
from avz_bot.settings_sections.intake import IntakeSettings
from avz_bot.settings_sections.signals import SignalSettings
from avz_bot.testkit.intake import new_secret, signed_headers
from storage.db import Database, sqlite_url_for
from storage.registry_repositories import PartnerRepository

POLITIE = Organisation("politie", "Politie Noord-Nederland", OrgDomain.VEILIGHEID)
PIETER = Member("@pieter:avz.test", "Pieter", POLITIE, frozenset({Role.PROFESSIONAL}))
PROFILES = {"politie": IntakeProfile("politie", PIETER.matrix_id, "!politie:avz.test")}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
#: The error codes of the description.
ERROR_CODES = {
    "body_too_large",
    "invalid_json",
    "not_an_object",
    "unknown_field",
    "invalid",
    "unknown",
    "bsn_or_name",
}
FIELDS = {"bsn", "name", "birth_date", "category", "municipality", "severity"}
#: Tables a refused request must leave alone.
STATE_TABLES = ("signals", "intake_deliveries", "outbox", "signal_matches")


@dataclass
class Served:
    base_url: str
    secret: str
    database: Path

    def counts(self) -> dict[str, int]:
        with sqlite3.connect(self.database) as connection:
            return {
                table: int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
                for table in STATE_TABLES
            }


async def _serve(path: Path, secret: str) -> tuple[IntakeServer, Database]:
    database = Database(sqlite_url_for(path))
    await database.upgrade()
    async with database.session() as session, session.begin():
        await PartnerRepository(session).sync([POLITIE], [PIETER])
    clock = FakeClock(datetime.now(UTC))
    services = AppServices(
        clock=clock,
        version="fuzz",
        messages=Messages(),
        signal_settings=SignalSettings(keys={"v1": SecretStr("k" * 40)}),
    )
    settings = IntakeSettings(enabled=True, burst=10000, secrets={"politie": SecretStr(secret)})
    endpoint = IntakeEndpoint(settings, lambda: PROFILES, database, services, clock)
    server = IntakeServer(endpoint, "127.0.0.1", 0)
    await server.start()
    return server, database


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The endpoint in a thread with its own event loop."""
    path = tmp_path_factory.mktemp("intake-fuzz") / "fuzz.sqlite3"
    secret = new_secret()
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    started: Future[tuple[IntakeServer, Database]] = asyncio.run_coroutine_threadsafe(
        _serve(path, secret), loop
    )
    server, database = started.result(timeout=60)
    try:
        yield Served(f"http://127.0.0.1:{server.bound_port}", secret, path)
    finally:
        asyncio.run_coroutine_threadsafe(server.stop(), loop).result(timeout=30)
        asyncio.run_coroutine_threadsafe(database.dispose(), loop).result(timeout=30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=30)


@pytest.fixture(scope="module")
def operation(served: Served) -> Any:
    """The submit operation of the description as the bot serves it."""
    schema = schemathesis.openapi.from_url(f"{served.base_url}/intake/v1/openapi.yaml")
    return schema["/intake/v1/organisations/{organisation}/signals"]["POST"]


# schemathesis' own pytest plugin does not run under this pytest (9.x), so its case
# strategy is drawn inside a plain Hypothesis test.
FUZZ = settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.parametrize("mode", list(GenerationMode))
@FUZZ
@given(data=st.data())
def test_unsigned_fuzz_gets_only_documented_4xx(
    data: st.DataObject, mode: GenerationMode, operation: Any, served: Served
) -> None:
    case: Case = data.draw(operation.as_strategy(mode))
    before = served.counts()
    response = case.call_and_validate(base_url=served.base_url, checks=CHECKS)
    assert 400 <= response.status_code < 500, response.text
    assert served.counts() == before


@pytest.mark.parametrize("mode", list(GenerationMode))
@FUZZ
@given(data=st.data())
def test_signed_fuzz_is_never_a_server_error_and_refusals_store_nothing(
    data: st.DataObject, mode: GenerationMode, operation: Any, served: Served
) -> None:
    case: Case = data.draw(operation.as_strategy(mode))
    body = case.body if isinstance(case.body, bytes) else json.dumps(case.body).encode()
    headers = signed_headers(served.secret, body)
    before = served.counts()
    response = requests.post(
        f"{served.base_url}/intake/v1/organisations/politie/signals",
        data=body,
        headers=headers,
        timeout=30,
    )
    assert response.status_code < 500, response.text
    assert response.status_code in {201, 400, 413}, response.text
    answer = response.json()
    after = served.counts()
    if response.status_code == 201:
        assert set(answer) == {"reference", "matched"}
        assert after["signals"] == before["signals"] + 1
        assert after["intake_deliveries"] == before["intake_deliveries"] + 1
    else:
        assert set(answer) <= {"error", "field"} and after == before
    # The answer holds fixed codes and field names only, never a value from the body.
    if response.status_code != 201:
        assert answer["error"] in ERROR_CODES
        keys = set(case.body) if isinstance(case.body, dict) else set()
        assert answer.get("field", "body") in FIELDS | keys | {"body"}
