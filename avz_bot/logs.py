"""Structured logging. Callers pass ids and codes in ``extra``, never message bodies.

Every module gets its logger from :func:`get_logger` (a test enforces it). The logger it
returns is a :class:`StructuredLogger`: ``extra`` keys that :class:`logging.LogRecord`
reserves for its own attributes (``created``, ``name``, ``message``, ``args`` …) would
make the standard library raise ``KeyError`` inside the log call — a log line must never
crash the bot — so they are renamed to ``extra_<key>`` instead.
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
from collections.abc import Mapping, MutableMapping
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

#: Attributes every LogRecord has, plus the ones ``logging`` adds or refuses by name
#: (``message`` and ``asctime`` are set by formatters; ``taskName`` exists from Python
#: 3.12 on). ``Logger.makeRecord`` raises ``KeyError`` for any of them in ``extra``.
RESERVED_KEYS: frozenset[str] = frozenset(
    set(logging.LogRecord("x", 0, "x", 0, "x", None, None).__dict__)
    | {"message", "asctime", "taskName"}
)
_STANDARD = RESERVED_KEYS

#: Prefix for ``extra`` keys that would clash with a reserved LogRecord attribute.
RESERVED_PREFIX = "extra_"


def safe_extra(extra: Mapping[str, object] | None) -> dict[str, object]:
    """``extra`` with every reserved key renamed to ``extra_<key>`` (a new dict).

    Keys that are not strings are turned into strings first (``logging`` sets them
    as attributes).
    """
    if not extra:
        return {}
    safe: dict[str, object] = {}
    for key, value in extra.items():
        name = str(key)
        while name in RESERVED_KEYS or name in safe:
            name = RESERVED_PREFIX + name
        safe[name] = value
    return safe


class StructuredLogger(logging.LoggerAdapter[logging.Logger]):
    """A logger whose ``extra`` can never collide with a LogRecord attribute.

    Used exactly like :class:`logging.Logger` (``log.info("event", extra={...})``).
    """

    def __init__(self, logger: logging.Logger) -> None:
        super().__init__(logger, {})

    def process(
        self, msg: Any, kwargs: MutableMapping[str, Any]
    ) -> tuple[Any, MutableMapping[str, Any]]:
        """Rename reserved keys of ``kwargs["extra"]`` (see :func:`safe_extra`)."""
        extra = kwargs.get("extra")
        if extra is not None:
            kwargs["extra"] = safe_extra(extra)
        return msg, kwargs


def get_logger(name: str) -> StructuredLogger:
    """The structured logger for module ``name`` (pass ``__name__``)."""
    return StructuredLogger(logging.getLogger(name))


def traceback_frames(tb: TracebackType | None, *, limit: int = 40) -> list[str]:
    """The frames of a traceback as ``"file:line in function"``, outermost first.

    Only locations: no source lines, exception messages or local values (they can hold
    personal data). At most ``limit`` frames (the innermost ones are kept).
    """
    frames = traceback.extract_tb(tb)
    return [f"{frame.filename}:{frame.lineno} in {frame.name}" for frame in frames][-limit:]


def where(exc: BaseException) -> str:
    """File and line of the innermost frame: enough to find a bug, no data from it."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return "?"
    last = frames[-1]
    return f"{last.filename.rsplit('/', 1)[-1]}:{last.lineno}"


def crash_fields(exc: BaseException) -> dict[str, object]:
    """What a CRITICAL log line says about ``exc``: its type, frames and causes' types.

    Chained exceptions (``raise ... from`` / during handling) are listed by type and
    innermost location only, so an operator can follow the chain without any message.
    """
    fields: dict[str, object] = {
        "error_type": type(exc).__qualname__,
        "error_module": type(exc).__module__,
        "frames": traceback_frames(exc.__traceback__),
    }
    chain: list[str] = []
    seen = {id(exc)}
    current: BaseException | None = exc.__cause__ or exc.__context__
    while current is not None and id(current) not in seen and len(chain) < 10:
        seen.add(id(current))
        where = traceback_frames(current.__traceback__, limit=1)
        chain.append(f"{type(current).__qualname__} at {where[0] if where else '?'}")
        current = current.__cause__ or current.__context__
    if chain:
        fields["caused_by"] = chain
    return fields


def _plain(value: object) -> object:
    if isinstance(value, str | int | float | bool | None):
        return value
    if isinstance(value, list | tuple) and all(
        isinstance(item, str | int | float | bool | None) for item in value
    ):
        return list(value)
    return str(value)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, event and the ``extra`` fields.

    Exception tracebacks are reduced to the exception type: exception messages can
    contain user input (e.g. a validation error quoting a value).
    """

    def format(self, record: logging.LogRecord) -> str:
        """Render ``record`` as JSON."""
        payload: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                payload[key] = _plain(value)
        if record.exc_info and record.exc_info[0] is not None:
            payload.setdefault("error_type", record.exc_info[0].__name__)
        return json.dumps(payload, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """Readable single lines for development, with the ``extra`` fields appended."""

    def format(self, record: logging.LogRecord) -> str:
        """Render ``record`` as ``time level logger: event key=value ...``."""
        extras = " ".join(
            f"{k}={v}"
            for k, v in record.__dict__.items()
            if k not in _STANDARD and not k.startswith("_")
        )
        ts = datetime.fromtimestamp(record.created, tz=UTC).strftime("%H:%M:%S")
        return f"{ts} {record.levelname:<7} {record.name}: {record.getMessage()} {extras}".rstrip()


#: The packages whose loggers follow the configured level. Everything else (nio,
#: aiosqlite, SQLAlchemy, asyncpg, aiohttp, APScheduler …) logs at WARNING or above only:
#: at DEBUG, libraries log decrypted event content and SQL statements with their
#: parameters (names, message bodies), which must never reach the log.
OWN_PACKAGES = ("avz_bot", "commands", "storage")


class ThirdPartyCap(logging.Filter):
    """Drops records below WARNING from loggers outside :data:`OWN_PACKAGES`.

    A handler filter, because a library may set its own logger's level (which would
    otherwise let its DEBUG records through the root's level).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Whether ``record`` may be written."""
        if record.levelno >= logging.WARNING:
            return True
        top = record.name.split(".", 1)[0]
        return top in OWN_PACKAGES


def configure_logging(level: str, fmt: str, file: Path | None = None) -> None:
    """Install one handler (stderr, or ``file``) on the root logger.

    ``level`` applies to avz-bot's own loggers (:data:`OWN_PACKAGES`); third-party
    loggers are capped at WARNING whatever the configured level (see above).
    """
    handler: logging.Handler = (
        logging.StreamHandler(sys.stderr) if file is None else logging.FileHandler(file)
    )
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(ThirdPartyCap())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    numeric = logging.getLevelName(level.upper())
    own = numeric if isinstance(numeric, int) else logging.INFO
    root.setLevel(max(own, logging.WARNING))
    for package in OWN_PACKAGES:
        logging.getLogger(package).setLevel(own)
