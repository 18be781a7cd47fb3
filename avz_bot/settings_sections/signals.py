"""Settings section ``[signals]``: Signals, TVO triage and matching (issue 10).

The pseudonym keys are secrets: they never come from the TOML file, only from the
environment (``AVZ_SIGNALS__KEYS__V1=<secret>``, one variable per key version) or from
a file named in the TOML (``signals.keys_file``: one ``v1=<secret>`` line per version).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from avz_bot.domain.signals import KEY_VERSION, Pseudonymiser, PseudonymKey, Retention

#: The default signal categories (code → name), after the Verwijsindex domains and the
#: usual worries of a Zorg- en Veiligheidshuis.
SIGNAL_CATEGORIES: dict[str, str] = {
    "huiselijk-geweld": "huiselijk geweld",
    "overlast": "overlast",
    "verward-gedrag": "verward gedrag",
    "jeugd-en-school": "jeugd en school",
    "criminaliteit": "criminaliteit",
    "verslaving": "verslaving",
    "schulden": "schulden",
    "radicalisering": "radicalisering",
    "zorgmijding": "zorgmijding",
}

#: Minimum length of a pseudonym key secret (characters; 32 random bytes in hex are 64).
MIN_SECRET_LENGTH = 32


def _read_keys_file(path: Path) -> dict[str, SecretStr]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ValueError(f"cannot read keys_file {path}: {exc.strerror}") from None
    keys: dict[str, SecretStr] = {}
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        version, sep, secret = stripped.partition("=")
        if not sep:
            raise ValueError(f"keys_file {path} line {number}: expected version=secret")
        keys[version.strip().lower()] = SecretStr(secret.strip())
    return keys


class SignalSettings(BaseModel):
    """The ``[signals]`` section."""

    model_config = ConfigDict(extra="forbid")

    #: Valid values of ``categorie=`` (code → name).
    categories: dict[str, str] = Field(
        default_factory=lambda: dict(SIGNAL_CATEGORIES), min_length=1
    )
    #: Years a signal matches (the Verwijsindex used 2).
    active_years: int = Field(default=2, ge=1, le=10)
    #: Years a signal is kept, without matching, after it stopped matching; then deleted.
    archive_years: int = Field(default=5, ge=0, le=20)
    #: Working days after a ``monitoren`` decision before the item is back on the agenda.
    monitor_relist_working_days: int = Field(default=20, ge=1, le=260)
    #: The intake/TVO room of each municipality (municipality code → room id); TVO rooms
    #: must also be listed in ``cases.intake_rooms`` so that ``casus`` can open a case.
    tvo_rooms: dict[str, str] = Field(default_factory=dict)
    #: The case type of a case opened by ``!tvo besluit … casus`` without ``type=``.
    default_case_type: str = "pga"
    #: Items per page of ``!tvo agenda`` and ``!signalen``; at most this many in ``!mijn``.
    list_limit: int = Field(default=15, ge=1, le=100)
    #: The key version that makes new pseudonyms.
    current_key: str = "v1"
    #: Pseudonym keys per version (secret: environment only, ``AVZ_SIGNALS__KEYS__V1``).
    keys: dict[str, SecretStr] = Field(default_factory=dict)
    #: A file with one ``version=secret`` line per key version in force.
    keys_file: Path | None = None

    @field_validator("categories")
    @classmethod
    def _codes(cls, value: dict[str, str]) -> dict[str, str]:
        for code in value:
            if not code or code != code.lower() or " " in code:
                raise ValueError(f"code {code!r} must be lower case without spaces")
        return value

    @model_validator(mode="after")
    def _resolve_keys(self) -> SignalSettings:
        keys = {k.lower(): v for k, v in self.keys.items()}
        if self.keys_file is not None:
            for version, secret in _read_keys_file(self.keys_file).items():
                keys.setdefault(version, secret)
        for version, secret in keys.items():
            if not KEY_VERSION.match(version):
                raise ValueError(f"key version {version!r} must look like v1, v2, …")
            if len(secret.get_secret_value()) < MIN_SECRET_LENGTH:
                raise ValueError(f"key {version} must be at least {MIN_SECRET_LENGTH} characters")
        if keys and self.current_key not in keys:
            raise ValueError(f"current_key {self.current_key!r} has no key")
        self.keys = keys
        return self

    def check_rooms(self, municipalities: Mapping[str, str], intake_rooms: list[str]) -> None:
        """Every TVO room belongs to a known municipality and is an intake room (so that
        ``!tvo besluit … casus`` may open a case there); raises ``ValueError``."""
        for code, room in self.tvo_rooms.items():
            if code not in municipalities:
                raise ValueError(f"tvo_rooms: unknown municipality {code!r}")
            if room not in intake_rooms:
                raise ValueError(f"tvo_rooms: {room} ({code}) must also be in cases.intake_rooms")

    def pseudonymiser(self) -> Pseudonymiser | None:
        """The configured key versions, or None when no key is configured (then signals
        about persons cannot be registered, and say so)."""
        if not self.keys:
            return None
        ordered = sorted(self.keys.items(), key=lambda item: int(item[0][1:]))
        return Pseudonymiser(
            tuple(PseudonymKey(v, s.get_secret_value().encode("utf-8")) for v, s in ordered),
            self.current_key,
        )

    def retention(self) -> Retention:
        """The pure-domain retention periods."""
        return Retention(active_years=self.active_years, archive_years=self.archive_years)
