"""Structured logging. Callers pass ids and codes in ``extra``, never message bodies."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from pathlib import Path

# Attributes every LogRecord has; anything else came in through ``extra``.
_STANDARD = set(logging.LogRecord("x", 0, "x", 0, "x", None, None).__dict__) | {
    "message",
    "asctime",
}


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
                payload[key] = (
                    value if isinstance(value, str | int | float | bool | None) else str(value)
                )
        if record.exc_info and record.exc_info[0] is not None:
            payload["error_type"] = record.exc_info[0].__name__
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


def configure_logging(level: str, fmt: str, file: Path | None = None) -> None:
    """Install one handler (stderr, or ``file``) on the root logger.

    nio logs decrypted event content at DEBUG level, so its loggers are capped at
    WARNING whatever the configured level.
    """
    handler: logging.Handler = (
        logging.StreamHandler(sys.stderr) if file is None else logging.FileHandler(file)
    )
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("nio", "peewee", "aiohttp.access", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
