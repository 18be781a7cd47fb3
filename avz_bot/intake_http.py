"""The signed intake endpoint for partner systems (issue 23), on the bot's aiohttp server.

``POST <path>/organisations/<code>/signals`` takes one signal as JSON (the fields of
``!signaal``, nothing else), signed by the organisation's system under the Standard
Webhooks scheme (https://www.standardwebhooks.com/, "Signature scheme": headers
``webhook-id``, ``webhook-timestamp``, ``webhook-signature``; HMAC-SHA256 over
``<id>.<timestamp>.<body>``), verified with the ``standardwebhooks`` reference library
against each of the organisation's active secrets. ``GET <path>/openapi.yaml`` serves
the description (``avz_bot/intake_openapi.yaml``, kept beside this module).

The checks, in order, each with its status: body size (413), signature and timestamp
window (401; an unknown organisation looks the same), rate per organisation (429 with
``Retry-After``), content type (415), JSON shape (400 naming the field), the signal
service's own checks (400 naming the field), replay of a ``webhook-id`` (409). Every
answer is JSON; an unexpected error is a 500 (503 when the database is away) without
detail. Every accepted and refused submission is audited, never with a value from the
request. The body is never logged.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from avz_bot.clock import Clock
from avz_bot.logs import get_logger
from avz_bot.metrics import BotMetrics
from avz_bot.runtime.units import AppServices
from avz_bot.services.signals import SignalService
from avz_bot.services.signals.intake import (
    Accepted,
    FieldRefused,
    IntakeProfile,
    NotEnabled,
    Replay,
    Submission,
)
from avz_bot.settings_sections.intake import IntakeSettings
from storage.db import Database, is_database_unavailable

log = get_logger(__name__)

#: The OpenAPI 3.1 description, kept in the repository beside this module.
OPENAPI_FILE = Path(__file__).with_name("intake_openapi.yaml")
#: The prefix the description is written for (replaced by ``[intake] path`` when served).
OPENAPI_PREFIX = "/intake/v1"
#: A field name we may repeat in an error (anything else is called ``body``).
_FIELD_NAME = re.compile(r"^[a-z_]{1,40}$")


class SubmissionBody(BaseModel):
    """The JSON body: ``bsn`` or ``name`` (with ``birth_date``), ``category``,
    optional ``municipality`` and ``severity`` (validated as for ``!signaal``; a signal
    about a person keeps no severity, as a typed one does not). Nothing else."""

    model_config = ConfigDict(extra="forbid", strict=True)

    bsn: str = Field(default="", max_length=20)
    name: str = Field(default="", max_length=200)
    birth_date: str = Field(default="", max_length=10)
    category: str = Field(min_length=1, max_length=60)
    municipality: str = Field(default="", max_length=60)
    severity: str = Field(default="midden", pattern="^(laag|midden|hoog)$")

    def __repr__(self) -> str:
        return "SubmissionBody(<hidden>)"


class Problem(Exception):
    """A refusal: HTTP ``status``, an ``error`` code, optionally the ``field``."""

    def __init__(
        self,
        status: int,
        error: str,
        field: str | None = None,
        retry_after: int | None = None,
        reference: str | None = None,
    ) -> None:
        super().__init__(error)
        self.status = status
        self.error = error
        self.field = field
        self.retry_after = retry_after
        self.reference = reference

    def response(self) -> web.Response:
        body: dict[str, Any] = {"error": self.error}
        if self.field is not None:
            body["field"] = self.field
        if self.reference:
            body["reference"] = self.reference
        headers = {"Retry-After": str(self.retry_after)} if self.retry_after is not None else None
        return web.json_response(body, status=self.status, headers=headers)


@dataclass
class RateLimiter:
    """A token bucket per organisation: ``burst`` at once, ``per_minute`` sustained.
    In memory (one bot process per database: ``avz_bot.lock``). ``now`` is monotonic
    seconds."""

    per_minute: int
    burst: int
    now: Callable[[], float] = time.monotonic
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)

    def take(self, key: str) -> int | None:
        """None when allowed (one token taken), else the seconds until a token is back."""
        rate = self.per_minute / 60.0
        now = self.now()
        tokens, then = self._buckets.get(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - then) * rate)
        if tokens >= 1.0:
            self._buckets[key] = (tokens - 1.0, now)
            return None
        self._buckets[key] = (tokens, now)
        return max(1, math.ceil((1.0 - tokens) / rate))


def check_signature(
    secrets: list[str], body: bytes, headers: Mapping[str, str], now: datetime, tolerance: int
) -> str:
    """The ``webhook-id`` of a correctly signed request; ``Problem(401)`` otherwise.

    The window is checked against the bot's clock first (``tolerance`` seconds both
    ways); the reference library then checks the signature against each active secret
    (and its own fixed five-minute window)."""
    lowered = {k.lower(): v for k, v in headers.items()}
    webhook_id = lowered.get("webhook-id", "")
    stamp = lowered.get("webhook-timestamp", "")
    if not (webhook_id and stamp and lowered.get("webhook-signature")):
        raise Problem(401, "signature_missing")
    if not secrets or len(webhook_id) > 200:
        # An organisation without a secret (or unknown) looks like a wrong signature.
        raise Problem(401, "signature_invalid")
    try:
        sent = int(stamp)
    except ValueError:
        raise Problem(401, "timestamp_invalid") from None
    if abs(now.timestamp() - sent) > tolerance:
        raise Problem(401, "timestamp_out_of_window")
    wanted = {
        "webhook-id": webhook_id,
        "webhook-timestamp": stamp,
        "webhook-signature": lowered["webhook-signature"],
    }
    for secret in secrets:
        try:
            Webhook(secret).verify(body, wanted, json_parse=False)
            return webhook_id
        except WebhookVerificationError:
            continue
    raise Problem(401, "signature_invalid")


def parse_body(body: bytes) -> Submission:
    """The submission in ``body``; ``Problem(400)`` naming the field otherwise."""
    try:
        raw = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        raise Problem(400, "invalid_json", "body") from None
    if not isinstance(raw, dict):
        raise Problem(400, "not_an_object", "body")
    try:
        parsed = SubmissionBody.model_validate(raw)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = str(error["loc"][0]) if error["loc"] else "body"
        name = loc if _FIELD_NAME.match(loc) else "body"
        code = "unknown_field" if error["type"] == "extra_forbidden" else "invalid"
        raise Problem(400, code, name) from None
    return Submission(
        parsed.bsn, parsed.name, parsed.birth_date, parsed.category, parsed.municipality
    )


class IntakeEndpoint:
    """The routes and their handler (see the module docstring)."""

    def __init__(
        self,
        settings: IntakeSettings,
        profiles: Callable[[], Mapping[str, IntakeProfile]],
        database: Database,
        services: AppServices,
        clock: Clock,
        after_commit: Callable[[], Awaitable[None]] | None = None,
        metrics: BotMetrics | None = None,
    ) -> None:
        self._settings = settings
        self._metrics = metrics
        self._profiles = profiles
        self._database = database
        self._services = services
        self._clock = clock
        self._after_commit = after_commit
        self._limiter = RateLimiter(settings.rate_per_minute, settings.burst)
        text = OPENAPI_FILE.read_text(encoding="utf-8")
        self._openapi = text.replace(OPENAPI_PREFIX + "/", settings.path + "/")

    def add_routes(self, app: web.Application) -> None:
        """Add the endpoint's routes to ``app``."""
        path = self._settings.path
        app.router.add_post(path + "/organisations/{organisation}/signals", self._submit)
        app.router.add_get(path + "/openapi.yaml", self._openapi_view)

    async def _openapi_view(self, request: web.Request) -> web.Response:
        return web.Response(text=self._openapi, content_type="application/yaml")

    async def _submit(self, request: web.Request) -> web.Response:
        profile = self._profiles().get(request.match_info["organisation"])
        organisation = profile.organisation if profile is not None else None
        try:
            accepted = await self._handle(request, profile)
        except Problem as problem:
            await self._audit_refusal(organisation, problem.status, problem.error)
            self._count(problem.status)
            return problem.response()
        except Exception as exc:  # never a stack trace to the caller
            status = 503 if is_database_unavailable(exc) else 500
            log.error("intake submission failed", extra={"error_type": type(exc).__name__})
            await self._audit_refusal(organisation, status, "internal")
            self._count(status)
            return Problem(status, "unavailable" if status == 503 else "internal").response()
        if self._after_commit is not None:
            try:
                await self._after_commit()
            except Exception as exc:  # committed: the outbox sends it on its next round
                log.error("intake notice not sent yet", extra={"error_type": type(exc).__name__})
        self._count(201)
        return web.json_response(
            {"reference": accepted.reference, "matched": accepted.matched}, status=201
        )

    def _count(self, status: int) -> None:
        if self._metrics is not None:
            self._metrics.intake_submissions.labels(status=str(status)).inc()

    async def _read(self, request: web.Request) -> bytes:
        limit = self._settings.max_body_bytes
        if request.content_length is not None and request.content_length > limit:
            raise Problem(413, "body_too_large")
        body = await request.content.read(limit + 1)
        if len(body) > limit:
            raise Problem(413, "body_too_large")
        return body

    async def _handle(self, request: web.Request, profile: IntakeProfile | None) -> Accepted:
        body = await self._read(request)
        secrets = self._settings.secrets_of(profile.organisation) if profile else []
        webhook_id = check_signature(
            secrets,
            body,
            request.headers,
            self._clock.now(),
            self._settings.tolerance_seconds,
        )
        assert profile is not None  # no secrets without a profile: refused above
        wait = self._limiter.take(profile.organisation)
        if wait is not None:
            raise Problem(429, "rate_limited", retry_after=wait)
        if request.content_type != "application/json":
            raise Problem(415, "unsupported_media_type")
        submission = parse_body(body)
        try:
            async with self._database.session() as session, session.begin():
                unit = self._services.bind(session)
                return await unit[SignalService].submit_from_system(
                    profile, webhook_id, submission, self._settings.idempotency_days
                )
        except FieldRefused as refused:
            raise Problem(400, refused.code, refused.field) from None
        except Replay as replay:
            raise Problem(409, "replay", reference=replay.reference) from None
        except NotEnabled as off:
            raise Problem(
                403 if off.code == "organisation_not_enabled" else 503, off.code
            ) from None

    async def _audit_refusal(self, organisation: str | None, status: int, reason: str) -> None:
        try:
            async with self._database.session() as session, session.begin():
                unit = self._services.bind(session)
                await unit[SignalService].audit_system_refusal(organisation, status, reason)
        except Exception as exc:
            log.error("intake refusal not audited", extra={"error_type": type(exc).__name__})


class IntakeServer:
    """The endpoint on its own listener (``[intake] port``); else see ``add_routes``."""

    def __init__(self, endpoint: IntakeEndpoint, host: str, port: int) -> None:
        self._endpoint = endpoint
        self._host = host
        self._port = port
        self._runner: web.AppRunner | None = None
        self.bound_port: int | None = None

    async def start(self) -> None:
        """Bind and serve (port 0 picks a free port, see ``bound_port``)."""
        app = web.Application()
        self._endpoint.add_routes(app)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        sockets = getattr(site._server, "sockets", None) or []
        self.bound_port = sockets[0].getsockname()[1] if sockets else self._port

    async def stop(self) -> None:
        """Stop serving."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
