"""Structured logging: no log call can crash the bot, and crashes can be located.

The bot once stopped at every start because one log call passed ``extra={"created":
...}``: ``logging`` raises ``KeyError`` for any ``extra`` key that is a LogRecord
attribute. These tests cover the whole kind: every reserved name, and every module.
"""

from __future__ import annotations

import ast
import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from avz_bot.cli import log_fatal
from avz_bot.logs import JsonFormatter, TextFormatter, get_logger

ROOT = Path(__file__).resolve().parents[2]
#: The packages that make up the product (tests may use ``logging`` freely).
PRODUCT = ("avz_bot", "commands", "storage", "bench")
LOG_METHODS = {"debug", "info", "warning", "warn", "error", "exception", "critical", "log"}


def _reserved_names() -> set[str]:
    """Computed here independently of the module under test: a real record's attributes."""
    record = logging.LogRecord("n", logging.INFO, __file__, 1, "m", None, None)
    return set(record.__dict__) | {"message", "asctime", "taskName"}


@pytest.fixture
def captured() -> Iterator[tuple[io.StringIO, io.StringIO]]:
    """A JSON and a text handler on a fresh logger tree, at DEBUG."""
    json_out, text_out = io.StringIO(), io.StringIO()
    logger = logging.getLogger("avz_test_logs")
    handlers = [logging.StreamHandler(json_out), logging.StreamHandler(text_out)]
    handlers[0].setFormatter(JsonFormatter())
    handlers[1].setFormatter(TextFormatter())
    logger.handlers[:] = handlers
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    try:
        yield json_out, text_out
    finally:
        logger.handlers[:] = []


def test_plain_logging_really_rejects_reserved_keys() -> None:
    # The premise: without the helper, such a call raises inside the log call.
    with pytest.raises(KeyError):
        logging.getLogger("avz_test_raw").error("x", extra={"created": True})


@pytest.mark.parametrize("name", sorted(_reserved_names()))
def test_every_reserved_key_is_namespaced_not_fatal(
    name: str, captured: tuple[io.StringIO, io.StringIO]
) -> None:
    json_out, text_out = captured
    log = get_logger("avz_test_logs")
    for level in ("debug", "info", "warning", "error", "critical"):
        getattr(log, level)("event happened", extra={name: "value-1", "room_id": "!r"})
    log.log(logging.INFO, "event happened", extra={name: "value-1"})
    lines = [json.loads(line) for line in json_out.getvalue().splitlines()]
    assert len(lines) == 6
    for payload in lines:
        assert payload["event"] == "event happened"
        assert payload[f"extra_{name}"] == "value-1"
    # The record's own attribute was not overwritten (e.g. the level stays right).
    assert [p["level"] for p in lines[:5]] == ["debug", "info", "warning", "error", "critical"]
    assert f"extra_{name}=value-1" in text_out.getvalue()


def test_namespaced_key_does_not_clobber_a_caller_key(
    captured: tuple[io.StringIO, io.StringIO],
) -> None:
    json_out, _ = captured
    get_logger("avz_test_logs").info("e", extra={"created": 1, "extra_created": 2})
    payload = json.loads(json_out.getvalue())
    assert {payload["extra_created"], payload["extra_extra_created"]} == {1, 2}


def _boom_inner(secret: str) -> None:
    raise ValueError(f"BSN {secret} van Jan Jansen")


def _boom_outer() -> None:
    local_secret = "123456782"
    try:
        _boom_inner(local_secret)
    except ValueError as exc:
        raise RuntimeError("wrapping Jan Jansen") from exc


def test_fatal_error_logs_type_and_frames_but_no_message_or_locals() -> None:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    old = root.handlers[:], root.level
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    try:
        try:
            _boom_outer()
        except RuntimeError as exc:
            log_fatal(exc)
    finally:
        root.handlers[:], level = old
        root.setLevel(level)
    payload = json.loads(out.getvalue())
    assert payload["level"] == "critical"
    assert payload["error_type"] == "RuntimeError"
    frames = payload["frames"]
    assert any(frame.endswith(" in _boom_outer") and "test_logs.py:" in frame for frame in frames)
    # The cause chain points at the inner function (type and location only).
    assert any("ValueError at" in c and "_boom_inner" in c for c in payload["caused_by"])
    text = out.getvalue()
    for secret in ("Jan Jansen", "123456782", "BSN"):
        assert secret not in text


def _product_files() -> Iterator[Path]:
    for package in PRODUCT:
        yield from sorted((ROOT / package).rglob("*.py"))


def _offences(path: Path) -> list[str]:
    """Ways ``path`` could log around the helper (see the module docstring)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    rel = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else path.name
    if rel == "avz_bot/logs.py":
        return []
    problems: list[str] = []
    helper_loggers: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            func = node.value.func
            if isinstance(func, ast.Name) and func.id == "get_logger":
                helper_loggers.update(t.id for t in node.targets if isinstance(t, ast.Name))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "logging":
            names = {alias.name for alias in node.names}
            if names & {"getLogger", "Logger", "LoggerAdapter", "getLoggerClass"}:
                problems.append(f"{rel}:{node.lineno}: imports a raw logger from logging")
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        raw = LOG_METHODS | {"getLogger", "Logger", "LoggerAdapter"}
        if (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id == "logging"
            and func.attr in raw
        ):
            problems.append(f"{rel}:{node.lineno}: logging.{func.attr}() bypasses get_logger")
        has_extra = any(k.arg == "extra" for k in node.keywords)
        if has_extra and isinstance(func, ast.Attribute) and func.attr in LOG_METHODS:
            receiver = func.value
            safe = (isinstance(receiver, ast.Name) and receiver.id in helper_loggers) or (
                isinstance(receiver, ast.Call)
                and isinstance(receiver.func, ast.Name)
                and receiver.func.id == "get_logger"
            )
            if not safe:
                problems.append(f"{rel}:{node.lineno}: raw extra= on a logger not from get_logger")
    return problems


def test_no_module_bypasses_the_logging_helper() -> None:
    problems = [p for path in _product_files() for p in _offences(path)]
    assert problems == []


def test_the_source_scan_catches_a_bypass(tmp_path: Path) -> None:
    # The scan itself must be able to fail.
    bad = tmp_path / "probe.py"
    bad.write_text(
        "import logging\nlog = logging.getLogger(__name__)\n"
        "def f() -> None:\n    log.info('x', extra={'created': 1})\n",
        encoding="utf-8",
    )
    problems = _offences(bad)
    assert any("bypasses get_logger" in p for p in problems)
    assert any("raw extra=" in p for p in problems)


def test_debug_applies_to_own_loggers_only(tmp_path: Path) -> None:
    # At DEBUG, libraries log SQL parameters and decrypted content: they stay capped.
    from avz_bot.logs import configure_logging

    root = logging.getLogger()
    old = root.handlers[:], root.level
    target = tmp_path / "log.jsonl"
    try:
        configure_logging("DEBUG", "json", file=target)
        library = logging.getLogger("aiosqlite")
        library.setLevel(logging.DEBUG)  # as if the library set its own level
        library.debug("INSERT ... ('Jan Jansen')")
        get_logger("avz_bot.some.module").debug("own debug line", extra={"room_id": "!r"})
        logging.getLogger("nio.crypto").warning("library warning")
        for handler in root.handlers:
            handler.flush()
    finally:
        for handler in root.handlers:
            handler.close()
        root.handlers[:], level = old
        root.setLevel(level)
        logging.getLogger("aiosqlite").setLevel(logging.NOTSET)
    events = [json.loads(line)["event"] for line in target.read_text().splitlines()]
    assert events == ["own debug line", "library warning"]
