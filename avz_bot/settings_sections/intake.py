"""Settings section ``[intake]``: the signed intake endpoint for partner systems (issue 23).

Off by default. The signing secrets are secrets: never in the TOML file, only from the
environment (``AVZ_INTAKE__SECRETS__POLITIE="whsec_… whsec_…"``: one variable per
organisation, several secrets separated by spaces while a secret is being rotated) or
from a file named in the TOML (``intake.secrets_file``: one ``<organisation>=whsec_…``
line per active secret; the file must not be readable by group or others, mode 0600).
A secret is a Standard Webhooks secret: ``whsec_`` and base64 of at least 24 random bytes
(https://www.standardwebhooks.com/, "Signature scheme").
"""

from __future__ import annotations

import base64
import binascii
import os
import stat
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

#: The Standard Webhooks secret prefix.
SECRET_PREFIX = "whsec_"
#: Fewest random bytes in a secret (the specification recommends 24 to 64).
MIN_SECRET_BYTES = 24
#: The reference library refuses timestamps older than five minutes whatever is set,
#: so the window can only be narrowed.
MAX_TOLERANCE_SECONDS = 300


def secret_bytes(secret: str) -> bytes:
    """The key bytes of a ``whsec_…`` secret; ``ValueError`` when it is not one."""
    if not secret.startswith(SECRET_PREFIX):
        raise ValueError(f"a secret must start with {SECRET_PREFIX}")
    try:
        raw = base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("a secret must be whsec_ followed by base64") from None
    if len(raw) < MIN_SECRET_BYTES:
        raise ValueError(f"a secret must hold at least {MIN_SECRET_BYTES} random bytes")
    return raw


def _read_secrets_file(path: Path) -> dict[str, list[str]]:
    try:
        mode = path.stat().st_mode
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ValueError(f"cannot read secrets_file {path}: {exc.strerror}") from None
    if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ValueError(f"secrets_file {path} must be readable by its owner only (chmod 600)")
    found: dict[str, list[str]] = {}
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        org, sep, secret = stripped.partition("=")
        if not sep:
            raise ValueError(f"secrets_file {path} line {number}: expected organisation=whsec_…")
        found.setdefault(org.strip().lower(), []).append(secret.strip())
    return found


class IntakeSettings(BaseModel):
    """The ``[intake]`` section."""

    model_config = ConfigDict(extra="forbid")

    #: Serve the endpoint (off by default).
    enabled: bool = False
    #: The path prefix: ``POST <path>/organisations/<code>/signals`` and
    #: ``GET <path>/openapi.yaml``.
    path: str = Field(default="/intake/v1", pattern=r"^(/[a-z0-9._-]+)+$")
    #: Its own listener; ``None``: on the operations endpoint (``[http]``).
    port: int | None = Field(default=None, ge=0, le=65535)
    #: The address of its own listener (``None``: ``http.host``).
    host: str | None = None
    #: Largest accepted body (bytes); larger gets 413.
    max_body_bytes: int = Field(default=4096, ge=256, le=65536)
    #: How far ``webhook-timestamp`` may lie from now (seconds, both ways).
    tolerance_seconds: int = Field(default=300, ge=10, le=MAX_TOLERANCE_SECONDS)
    #: Sustained submissions per organisation per minute; more gets 429.
    rate_per_minute: int = Field(default=120, ge=1, le=60000)
    #: Submissions an organisation may send at once above the sustained rate.
    burst: int = Field(default=20, ge=1, le=10000)
    #: Days a delivery's ``webhook-id`` is remembered (a retry within them gets 409).
    idempotency_days: int = Field(default=7, ge=1, le=90)
    #: Signing secrets per organisation, space-separated (environment only).
    secrets: dict[str, SecretStr] = Field(default_factory=dict)
    #: A file with ``organisation=whsec_…`` lines (mode 0600).
    secrets_file: Path | None = None

    @field_validator("path")
    @classmethod
    def _no_trailing(cls, value: str) -> str:
        return value.rstrip("/")

    @model_validator(mode="after")
    def _check_secrets(self) -> IntakeSettings:
        by_org: dict[str, list[str]] = {
            org.lower(): value.get_secret_value().split() for org, value in self.secrets.items()
        }
        if self.secrets_file is not None:
            for org, listed in _read_secrets_file(self.secrets_file).items():
                by_org.setdefault(org, []).extend(listed)
        for org, listed in by_org.items():
            for secret in listed:
                try:
                    secret_bytes(secret)
                except ValueError as exc:
                    raise ValueError(f"secrets of {org}: {exc}") from None
        self.secrets = {org: SecretStr(" ".join(listed)) for org, listed in by_org.items()}
        return self

    def secrets_of(self, organisation: str) -> list[str]:
        """The active secrets of ``organisation`` (empty: it may not submit)."""
        value = self.secrets.get(organisation)
        return value.get_secret_value().split() if value is not None else []
