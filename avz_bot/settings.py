"""Configuration: one TOML file plus ``AVZ_…`` environment overrides.

Secrets (the bot's password, the encryption-store pickle key) are never read from
the TOML file: they come from the environment (``AVZ_MATRIX__PASSWORD``,
``AVZ_MATRIX__PICKLE_KEY``) or from a file named in the TOML (``password_file``,
``pickle_key_file``) so that the configuration itself can be shared and versioned.
"""

from __future__ import annotations

import tomllib
from datetime import date, time
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    InitSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from avz_bot.domain.workdays import DEFAULT_DAYS_OFF, WorkCalendar
from avz_bot.messages import CATALOGUES
from avz_bot.settings_sections.agreements import ReminderSettings
from avz_bot.settings_sections.board import BoardSettings
from avz_bot.settings_sections.cases import CasesSettings
from avz_bot.settings_sections.conferences import ConferenceSettings
from avz_bot.settings_sections.escalations import EscalationSettings
from avz_bot.settings_sections.helpdesk import HelpdeskSettings
from avz_bot.settings_sections.intake import IntakeSettings
from avz_bot.settings_sections.limits import LimitSettings
from avz_bot.settings_sections.loading import (
    describe_errors,
    paths_relative_to,
    room_alias_problems,
)
from avz_bot.settings_sections.operations import OperationsSettings
from avz_bot.settings_sections.privacy import PrivacySettings
from avz_bot.settings_sections.reports import ReportSettings
from avz_bot.settings_sections.signals import SignalSettings
from avz_bot.settings_sections.standby import StandbySettings

#: Secret settings that must not appear in the TOML file.
SECRET_FIELDS: tuple[tuple[str, str], ...] = (
    ("matrix", "password"),
    ("matrix", "pickle_key"),
    ("matrix", "cross_signing_key"),
    ("matrix", "access_token"),
    ("signals", "keys"),
    ("intake", "secrets"),
)

#: nio's built-in pickle key; a store encrypted with it is effectively unencrypted.
NIO_DEFAULT_PICKLE_KEY = "DEFAULT_KEY"
MIN_PICKLE_KEY_LENGTH = 16


class ConfigError(Exception):
    """A setting is missing or invalid; the message names the setting and the problem.

    ``problems`` holds every problem found (one line each); the message is the only one,
    or all of them under a count.
    """

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems if problems is not None else [message]

    @classmethod
    def of(cls, problems: list[str]) -> ConfigError:
        """One error for all ``problems`` (at least one)."""
        if len(problems) == 1:
            return cls(problems[0], problems)
        listed = "\n".join(f"  - {problem}" for problem in problems)
        return cls(f"{len(problems)} problems in the configuration:\n{listed}", problems)


def _read_secret_file(path: Path, setting: str) -> str:
    try:
        value = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ValueError(f"cannot read {setting} file {path}: {exc.strerror}") from None
    if not value:
        raise ValueError(f"{setting} file {path} is empty")
    return value


class MatrixSettings(BaseModel):
    """How the bot reaches its homeserver and who it is there."""

    model_config = ConfigDict(extra="forbid")

    homeserver: str = Field(
        description="Base URL of the homeserver, e.g. https://matrix.example.nl"
    )
    user_id: str = Field(pattern=r"^@[a-z0-9._=/+-]+:[A-Za-z0-9.-]+(:[0-9]+)?$")
    device_name: str = "avz-bot"
    password: SecretStr | None = None
    password_file: Path | None = None
    pickle_key: SecretStr | None = None
    pickle_key_file: Path | None = None
    #: Encrypts the bot's cross-signing private keys at rest; defaults to the pickle key.
    cross_signing_key: SecretStr | None = None
    cross_signing_key_file: Path | None = None
    #: Homeservers whose registered partners may invite the bot (exact names).
    allowed_servers: list[str] = Field(default_factory=list)
    sync_timeout_ms: int = Field(default=30_000, ge=0, le=120_000)
    #: Seconds to wait for a missing room key before explaining to the sender.
    undecryptable_grace_seconds: float = Field(default=60.0, gt=0)
    #: Upper bound for the reconnect backoff.
    max_backoff_seconds: float = Field(default=60.0, ge=1)
    #: Login with an access token instead of the password (homeservers with MAS / OAuth 2.0
    #: have no password login): the token of ``device_id``, e.g. a compatibility token from
    #: ``mas-cli manage issue-compatibility-token``. The file is read again while the bot
    #: waits after the homeserver rejected the token (see README, "Login with a token").
    access_token: SecretStr | None = None
    access_token_file: Path | None = None
    device_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9._=/+-]{1,255}$")

    # False only while ``load_settings(..., store_key=False)`` runs (like ``_toml_path``).
    _pickle_key_required: ClassVar[bool] = True

    @field_validator("homeserver")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _resolve_secrets(self) -> MatrixSettings:
        if self.password is None and self.password_file is not None:
            self.password = SecretStr(_read_secret_file(self.password_file, "password"))
        if self.pickle_key is None and self.pickle_key_file is not None:
            self.pickle_key = SecretStr(_read_secret_file(self.pickle_key_file, "pickle_key"))
        if self.cross_signing_key is None and self.cross_signing_key_file is not None:
            self.cross_signing_key = SecretStr(
                _read_secret_file(self.cross_signing_key_file, "cross_signing_key")
            )
        if self.access_token is None and self.access_token_file is not None:
            self.access_token = SecretStr(_read_secret_file(self.access_token_file, "access_token"))
        if self.access_token is not None and self.device_id is None:
            raise ValueError(
                "device_id is required with an access token (the device the token was issued for)"
            )
        if self.pickle_key is None and not MatrixSettings._pickle_key_required:
            return self  # a command that never opens the encryption store (see load_settings)
        if self.pickle_key is None:
            raise ValueError(
                "pickle_key is required (set AVZ_MATRIX__PICKLE_KEY or matrix.pickle_key_file)"
            )
        key = self.pickle_key.get_secret_value()
        if key == NIO_DEFAULT_PICKLE_KEY:
            raise ValueError("pickle_key must not be the library default")
        if len(key) < MIN_PICKLE_KEY_LENGTH:
            raise ValueError(f"pickle_key must be at least {MIN_PICKLE_KEY_LENGTH} characters")
        if (
            self.cross_signing_key is not None
            and len(self.cross_signing_key.get_secret_value()) < MIN_PICKLE_KEY_LENGTH
        ):
            raise ValueError(
                f"cross_signing_key must be at least {MIN_PICKLE_KEY_LENGTH} characters"
            )
        return self

    @property
    def token_login(self) -> bool:
        """Whether the bot logs in with an access token rather than the password."""
        return self.access_token is not None

    @property
    def key_file_secret(self) -> str:
        """The secret that encrypts the cross-signing key file."""
        secret = self.cross_signing_key or self.pickle_key
        assert secret is not None  # enforced by validation
        return secret.get_secret_value()

    @property
    def server_name(self) -> str:
        """The bot's own server name."""
        return self.user_id.split(":", 1)[1]


class StorageSettings(BaseModel):
    """Where state lives."""

    model_config = ConfigDict(extra="forbid")

    data_dir: Path = Path("data")
    #: Empty: SQLite in the data directory. Otherwise e.g. postgresql+asyncpg://user@host/db
    database_url: str = ""

    @field_validator("database_url")
    @classmethod
    def _known_driver(cls, value: str) -> str:
        if value and not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        return value


class HttpSettings(BaseModel):
    """The operations endpoint (health, readiness, metrics)."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = Field(default=8480, ge=0, le=65535)
    #: /readyz fails when the sync loop has shown no progress (a sync response, an event
    #: handled, a homeserver answer to its requests) for this many seconds.
    ready_max_sync_age_seconds: float = Field(default=120.0, gt=0)


class PartnersSettings(BaseModel):
    """The partner registry file (organisations and members)."""

    model_config = ConfigDict(extra="forbid")

    file: Path = Path("config/partners.toml")


class BotSettings(BaseModel):
    """Behaviour in rooms."""

    model_config = ConfigDict(extra="forbid")

    locale: str = "nl"
    command_prefix: str = Field(default="!", min_length=1, max_length=3)
    #: Names the bot also answers to, as in "avz-bot: help" (besides its Matrix user id,
    #: its localpart and a mention pill).
    names: list[str] = Field(default_factory=lambda: ["avz-bot"])
    #: Demos only: a file holding seconds by which the bot's clock runs ahead of the system
    #: clock (``avz_bot.clock.OffsetFileClock``); unset in production.
    clock_offset_file: Path | None = None

    @field_validator("locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        if value not in CATALOGUES:
            raise ValueError(f"must be one of: {', '.join(sorted(CATALOGUES))}")
        return value


class CalendarSettings(BaseModel):
    """Working days and office hours (Europe/Amsterdam; Dutch public holidays are days off)."""

    model_config = ConfigDict(extra="forbid")

    office_start: time = time(8, 30)
    office_end: time = time(17, 30)
    #: What a deadline without a time means ("vrijdag" = Friday at this time).
    end_of_day: time = time(17, 0)
    #: Monday = 0 ... Sunday = 6.
    working_weekdays: list[int] = Field(default_factory=lambda: [0, 1, 2, 3, 4], min_length=1)
    observe_holidays: bool = True
    #: Extra days off of the whole network (e.g. a bridge day).
    extra_closed_days: list[date] = Field(default_factory=list)
    #: Which public holidays are days off (keys in ``avz_bot.domain.workdays``; the default
    #: includes Goede Vrijdag and 5 May in lustrum years only).
    holidays_off: list[str] = Field(default_factory=lambda: sorted(DEFAULT_DAYS_OFF))
    #: What "morgenochtend", "vanmiddag" and "vanavond" mean without a time.
    morning: time = time(9, 0)
    afternoon: time = time(14, 0)
    evening: time = time(19, 0)

    def build(self) -> WorkCalendar:
        """The pure-domain calendar for these settings."""
        try:
            return WorkCalendar(
                office_start=self.office_start,
                office_end=self.office_end,
                end_of_day=self.end_of_day,
                working_weekdays=frozenset(self.working_weekdays),
                observe_holidays=self.observe_holidays,
                extra_closed_days=frozenset(self.extra_closed_days),
                days_off=frozenset(self.holidays_off),
                morning=self.morning,
                afternoon=self.afternoon,
                evening=self.evening,
            )
        except ValueError as exc:
            raise ConfigError(f"calendar: {exc}") from None


class TrustSettings(BaseModel):
    """Which devices the bot trusts with room keys and commands (see README, "Trust policy")."""

    model_config = ConfigDict(extra="forbid")

    #: ``registered``: every device of registered partners gets room keys;
    #: ``cross_signed``: only devices that their owner has cross-signed.
    share_keys_with: Literal["registered", "cross_signed"] = "registered"
    #: ``mark``: commands from devices that are not cross-signed are accepted and marked in
    #: the audit trail; ``refuse``: state-changing commands from them are refused.
    unsigned_devices: Literal["mark", "refuse"] = "mark"
    #: How long the bot trusts its last look at someone's cross-signing keys.
    device_cache_seconds: float = Field(default=300.0, ge=0)


class LoggingSettings(BaseModel):
    """Log level and format."""

    model_config = ConfigDict(extra="forbid")

    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    format: Literal["json", "text"] = "json"


class Settings(BaseSettings):
    """All settings of one bot instance. Built once, in the composition root."""

    model_config = SettingsConfigDict(
        env_prefix="AVZ_", env_nested_delimiter="__", extra="forbid", case_sensitive=False
    )

    matrix: MatrixSettings
    storage: StorageSettings = Field(default_factory=StorageSettings)
    http: HttpSettings = Field(default_factory=HttpSettings)
    partners: PartnersSettings = Field(default_factory=PartnersSettings)
    bot: BotSettings = Field(default_factory=BotSettings)
    trust: TrustSettings = Field(default_factory=TrustSettings)
    cases: CasesSettings = Field(default_factory=CasesSettings)
    calendar: CalendarSettings = Field(default_factory=CalendarSettings)
    reminders: ReminderSettings = Field(default_factory=ReminderSettings)
    logging: LoggingSettings = Field(default_factory=LoggingSettings)
    signals: SignalSettings = Field(default_factory=SignalSettings)
    escalations: EscalationSettings = Field(default_factory=EscalationSettings)
    helpdesk: HelpdeskSettings = Field(default_factory=HelpdeskSettings)
    conferences: ConferenceSettings = Field(default_factory=ConferenceSettings)
    reports: ReportSettings = Field(default_factory=ReportSettings)
    operations: OperationsSettings = Field(default_factory=OperationsSettings)
    limits: LimitSettings = Field(default_factory=LimitSettings)
    board: BoardSettings = Field(default_factory=BoardSettings)
    privacy: PrivacySettings = Field(default_factory=PrivacySettings)
    intake: IntakeSettings = Field(default_factory=IntakeSettings)
    standby: StandbySettings = Field(default_factory=StandbySettings)

    # The TOML path is chosen at run time, so it is passed through this class variable
    # only for the duration of one ``load_settings`` call (see there).
    _toml_path: ClassVar[Path | None] = None
    _toml_data: ClassVar[dict[str, Any] | None] = None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Precedence: explicit arguments, then environment, then the TOML file."""
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if cls._toml_data is not None:
            # The file as read by ``load_settings``, relative paths already made
            # relative to the file (``settings_sections.loading``).
            sources.append(InitSettingsSource(settings_cls, init_kwargs=cls._toml_data))
        elif cls._toml_path is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=cls._toml_path))
        return tuple(sources)

    @model_validator(mode="after")
    def _signal_rooms(self) -> Settings:
        try:
            self.signals.check_rooms(self.cases.municipalities, self.cases.intake_rooms)
        except ValueError as exc:
            raise ValueError(f"signals.{exc}") from None
        return self

    @model_validator(mode="after")
    def _standby_needs_postgresql(self) -> Settings:
        if self.standby.enabled and not self.storage.database_url.startswith("postgresql"):
            raise ValueError(
                "standby.enabled: a warm standby needs PostgreSQL (storage.database_url); "
                "with SQLite one process per data directory is enforced by a file lock"
            )
        return self

    @property
    def database_url(self) -> str:
        """The configured database URL, or SQLite in the data directory."""
        if self.storage.database_url:
            return self.storage.database_url
        path = (self.storage.data_dir / "avz-bot.sqlite3").resolve()
        return f"sqlite+aiosqlite:///{path}"

    @property
    def cross_signing_key_path(self) -> Path:
        """The encrypted file with the bot's cross-signing private keys."""
        return self.storage.data_dir / "cross-signing.json"

    @property
    def nio_store_dir(self) -> Path:
        """Directory of the end-to-end encryption store."""
        return self.storage.data_dir / "crypto"

    @property
    def secret_files(self) -> list[Path]:
        """The secret files named in the configuration (checked for privacy at start)."""
        m = self.matrix
        named = (m.password_file, m.pickle_key_file, m.cross_signing_key_file, m.access_token_file)
        others = (self.signals.keys_file, self.intake.secrets_file)
        return [path for path in (*named, *others) if path is not None]


def load_settings(config_path: Path | None, *, store_key: bool = True) -> Settings:
    """Read the TOML file at ``config_path`` (if any) with environment overrides.

    ``store_key=False`` for commands that only read the database (``report``, ``db``):
    they never open the encryption store, so its key (``matrix.pickle_key``) may be absent.

    Relative paths in the file are relative to the file's directory. Raises
    ``ConfigError`` naming every invalid setting (one line each; "did you mean" for an
    unknown key) and every room alias where a room id is needed.
    """
    if config_path is not None:
        try:
            raw = tomllib.loads(config_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"configuration file not found: {config_path}") from None
        except OSError as exc:
            raise ConfigError(
                f"cannot read configuration file {config_path}: {exc.strerror}"
            ) from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(
                f"configuration file {config_path} is not valid TOML: {exc}"
            ) from None
        for section, name in SECRET_FIELDS:
            if name in raw.get(section, {}):
                raise ConfigError(
                    f"{section}.{name}: secrets may not be in the configuration file; use "
                    f"AVZ_{section.upper()}__{name.upper()} or {section}.{name}_file"
                )
        Settings._toml_data = paths_relative_to(Settings, raw, config_path.resolve().parent)
    aliases = room_alias_problems(Settings._toml_data or {})
    Settings._toml_path = config_path
    MatrixSettings._pickle_key_required = store_key
    try:
        settings = Settings()  # type: ignore[call-arg]
    except ValidationError as exc:
        raise ConfigError.of(aliases + describe_errors(Settings, exc.errors())) from None
    finally:
        Settings._toml_path = None
        Settings._toml_data = None
        MatrixSettings._pickle_key_required = True
    # Again on the result: an environment override may hold an alias too.
    aliases = room_alias_problems(settings.model_dump(mode="json"))
    if aliases:
        raise ConfigError.of(aliases)
    return settings
