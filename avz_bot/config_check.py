"""``avz-bot check-config``: every problem of a configuration at once.

``load_settings`` already lists every invalid setting (with "did you mean" for unknown
keys, room aliases where room ids are needed). This adds what only the whole
configuration shows: scoped roles in the partner registry for municipalities or themes that are
not configured, the first-start password, signal keys, the partner file itself, and
files other users can read. When the settings themselves are invalid it still checks
the partner file (with the default municipalities and themes, or the file's own).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from avz_bot.partners_config import load_partners, scope_problems
from avz_bot.private_files import exposures
from avz_bot.settings import ConfigError, Settings, load_settings
from avz_bot.settings_sections.cases import CasesSettings
from avz_bot.settings_sections.helpdesk import HelpdeskSettings

#: Credentials the bot stores after its first login (see ``avz_bot.matrix.session``).
CREDENTIALS_FILE = "credentials.json"


@dataclass
class CheckResult:
    """What ``check`` found: ``problems`` stop the bot; ``warnings`` only limit it."""

    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    summary: str = ""


def _section(model: type[BaseModel], raw: Mapping[str, Any], name: str) -> Any:
    """The section as configured if it is valid on its own, else its defaults."""
    try:
        return model.model_validate(raw.get(name, {}))
    except ValidationError:
        return model()


def _raw_path(raw: Mapping[str, Any], section: str, key: str, default: str, base: Path) -> Path:
    """A path setting read without valid settings: environment (relative to the working
    directory), else the file (relative to the file), else the default."""
    env = os.environ.get(f"AVZ_{section.upper()}__{key.upper()}")
    if env:
        return Path(env)
    value = raw.get(section, {}).get(key)
    if not value:
        return Path(default)
    path = Path(str(value))
    return path if path.is_absolute() else Path(os.path.normpath(base / path))


def _first_start_password(has_password: bool, data_dir: Path) -> list[str]:
    if has_password or (data_dir / CREDENTIALS_FILE).exists():
        return []
    return [
        f"matrix.password: needed for the first start (no {CREDENTIALS_FILE} in "
        f"{data_dir} yet): set AVZ_MATRIX__PASSWORD or matrix.password_file"
    ]


def _secrets_and_files(settings: Settings, result: CheckResult) -> None:
    data_dir = settings.storage.data_dir
    result.problems.extend(_first_start_password(settings.matrix.password is not None, data_dir))
    if not settings.signals.keys:
        result.warnings.append(
            "signals.keys: no pseudonym key (set AVZ_SIGNALS__KEYS__V1 or signals.keys_file, "
            "at least 32 characters): signals about persons cannot be registered"
        )
    for path in exposures(data_dir, settings.secret_files):
        result.problems.append(f"readable by other users: {path} (chmod go-rwx)")
    try:
        settings.calendar.build()
    except ConfigError as exc:
        result.problems.append(str(exc))
    try:
        settings.reminders.policy()
    except ValueError as exc:
        result.problems.append(f"reminders: {exc}")


def check(config_path: Path) -> CheckResult:
    """Check the configuration at ``config_path`` and its partner file; never raises
    ``ConfigError`` (everything it would say is in the result)."""
    result = CheckResult()
    try:
        raw = tomllib.loads(config_path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        try:
            load_settings(config_path)  # the same one-line explanation as `run`
        except ConfigError as exc:
            result.problems.extend(exc.problems)
        return result
    settings: Settings | None = None
    try:
        settings = load_settings(config_path)
    except ConfigError as exc:
        result.problems.extend(p for p in exc.problems if p not in result.problems)
    base = config_path.resolve().parent
    if settings is not None:
        partners_file = settings.partners.file
        municipalities = settings.cases.municipalities
        themes = settings.helpdesk.themes
    else:
        partners_file = _raw_path(raw, "partners", "file", "config/partners.toml", base)
        municipalities = _section(CasesSettings, raw, "cases").municipalities
        themes = _section(HelpdeskSettings, raw, "helpdesk").themes
    try:
        orgs, members = load_partners(partners_file)
    except ConfigError as exc:
        result.problems.append(str(exc))
    else:
        result.problems.extend(scope_problems(members, municipalities, themes))
        result.summary = f"{len(orgs)} organisations, {len(members)} members"
    if settings is None:
        data_dir = _raw_path(raw, "storage", "data_dir", "data", base)
        has_password = bool(os.environ.get("AVZ_MATRIX__PASSWORD")) or "password_file" in raw.get(
            "matrix", {}
        )
        result.problems.extend(_first_start_password(has_password, data_dir))
        return result
    _secrets_and_files(settings, result)
    result.summary = (
        f"homeserver {settings.matrix.homeserver}, bot {settings.matrix.user_id}, "
        f"{result.summary}, database {settings.database_url.split('://', 1)[0]}"
    )
    return result
