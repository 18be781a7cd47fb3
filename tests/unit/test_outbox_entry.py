"""Every message enters the outbox through ``AppServices.queue`` (size guard, lanes,
attachments, thread roots): a source scan over the product.

Direct messages once skipped the size guard because ``DirectMessages`` was made in several
places without it. These tests cover the kind: only ``avz_bot/runtime/units.py`` inserts
into the outbox (``OutboxRepository.add``) and makes ``DirectMessages``; everything else
queues through it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("avz_bot", "commands", "storage", "bench")
#: Module → why it may insert into the outbox itself.
MAY_ADD = {
    "avz_bot/runtime/units.py": "AppServices: the one way in",
    "bench/reminders.py": "measures the scheduler with a stand-in job, not the bot's messages",
}
#: Where ``DirectMessages`` may be made (``AppServices.direct_messages``).
MAY_MAKE_DIRECT = {"avz_bot/runtime/units.py"}


def _product_files() -> Iterator[Path]:
    for package in PRODUCT:
        yield from sorted((ROOT / package).rglob("*.py"))


def _called(node: ast.expr, name: str) -> bool:
    """Whether ``node`` is ``name(...)``."""
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name


def _target_names(target: ast.expr) -> set[str]:
    """``x`` for ``x = ...`` and ``self.x = ...``."""
    if isinstance(target, ast.Name):
        return {target.id}
    if isinstance(target, ast.Attribute):
        return {target.attr}
    return set()


def _offences(path: Path) -> list[str]:
    """Ways ``path`` could put a message in the outbox around ``AppServices``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    rel = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else path.name
    outboxes: set[str] = set()  # names bound to an OutboxRepository(...)
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and _called(node.value, "OutboxRepository"):
            for target in node.targets:
                outboxes |= _target_names(target)
        if (
            isinstance(node, ast.AnnAssign)
            and node.value is not None
            and _called(node.value, "OutboxRepository")
        ):
            outboxes |= _target_names(node.target)
    problems: list[str] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "add" and rel not in MAY_ADD:
            receiver = func.value
            if (
                _called(receiver, "OutboxRepository")
                or (isinstance(receiver, ast.Name) and receiver.id in {"OutboxRepository"})
                or (
                    isinstance(receiver, ast.Name | ast.Attribute)
                    and _target_names(receiver) & outboxes
                )
            ):
                problems.append(f"{rel}:{node.lineno}: OutboxRepository.add outside AppServices")
        if _called(node, "DirectMessages") and rel not in MAY_MAKE_DIRECT:
            problems.append(f"{rel}:{node.lineno}: DirectMessages made outside AppServices")
    return problems


def test_only_app_services_inserts_into_the_outbox() -> None:
    problems = [p for path in _product_files() for p in _offences(path)]
    assert problems == []


def test_the_allowed_modules_exist_and_do_insert() -> None:
    # An allow-list entry that no longer applies would hide a future bypass there.
    for rel in MAY_ADD:
        source = (ROOT / rel).read_text(encoding="utf-8")
        assert "OutboxRepository(" in source and ".add(" in source, rel
    for rel in MAY_MAKE_DIRECT:
        assert "DirectMessages(" in (ROOT / rel).read_text(encoding="utf-8"), rel


def test_the_source_scan_catches_a_bypass(tmp_path: Path) -> None:
    # The scan itself must be able to fail, for every way of writing it.
    bad = tmp_path / "probe.py"
    bad.write_text(
        "async def f(session, now):\n"
        "    await OutboxRepository(session).add('t', '!r', {}, now)\n"
        "    outbox = OutboxRepository(session)\n"
        "    await outbox.add('t', '!r', {}, now)\n"
        "    self._outbox = OutboxRepository(session)\n"
        "    await self._outbox.add('t', '!r', {}, now)\n"
        "    await OutboxRepository.add(outbox, 't', '!r', {}, now)\n"
        "    await DirectMessages(session, now).send('@a:x', 'k', reply)\n"
        "    items = set()\n"
        "    items.add(1)\n",  # an unrelated .add is fine
        encoding="utf-8",
    )
    problems = _offences(bad)
    assert sorted(int(p.split(":")[1]) for p in problems) == [2, 4, 6, 7, 8]
