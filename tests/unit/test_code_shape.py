"""The code's shape, checked: files hold one concept (under ~500 lines), functions do one
thing (under ~60 lines), and no class is assembled from mixins that share state.

Declarative tables (the message catalogue, metric declarations), migrations, the demo's
scripted conversation and the test kit's data generators are exempt by name below, each
with its reason; anything else over a limit fails with its place, so a long function is
split when it is written, not in a later clean-up.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("avz_bot", "commands", "storage")
MAX_FILE_LINES = 500
MAX_FUNCTION_LINES = 60

#: Files allowed to be longer, with why.
LONG_FILES: dict[str, str] = {
    "avz_bot/demo.py": "the demo's scripted conversation (a transcript, read top to bottom)",
}
#: Functions allowed to be longer, with why (``path:function``).
LONG_FUNCTIONS: dict[str, str] = {
    "avz_bot/metrics.py:__init__": "declarative: one Prometheus metric declaration after another",
    "avz_bot/testkit/province.py:seed_province": "test data generator (bulk inserts, in order)",
    "avz_bot/testkit/province_areas.py:seed_area_lists": "test data generator",
    "avz_bot/testkit/report_fixture.py:seed_report_fixture": "test data generator",
    "avz_bot/testkit/report_area_fixture.py:seed_area_fixture": "test data generator",
    "avz_bot/testkit/report_area_fixture.py:escalation": "test data generator",
    "avz_bot/testkit/synapse.py:_write_config": "declarative: the homeserver's YAML config",
    "avz_bot/demo.py:_agreements_script": "the demo's scripted conversation",
    "avz_bot/demo.py:_cases_script": "the demo's scripted conversation",
    "avz_bot/demo.py:_script": "the demo's scripted conversation",
    "avz_bot/demo.py:run_demo": "the demo's steps, in order",
}


def _product_files() -> list[Path]:
    return sorted(
        path
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    )


def _name(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_files_hold_one_concept() -> None:
    """No product file is over ~500 lines unless it is listed with its reason."""
    long = [
        f"{_name(path)}: {lines} lines"
        for path in _product_files()
        if (lines := path.read_text(encoding="utf-8").count("\n")) > MAX_FILE_LINES
        and _name(path) not in LONG_FILES
    ]
    assert long == [], "split by concept:\n" + "\n".join(long)


def test_functions_do_one_thing() -> None:
    """No product function is over ~60 lines unless it is listed with its reason."""
    long = []
    for path in _product_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                key = f"{_name(path)}:{node.name}"
                if lines > MAX_FUNCTION_LINES and key not in LONG_FUNCTIONS:
                    long.append(f"{key} (line {node.lineno}): {lines} lines")
    assert long == [], "split into named steps:\n" + "\n".join(long)


def test_exemptions_are_still_needed() -> None:
    """An exemption whose file or function got short (or went away) is removed."""
    files = {_name(path): path for path in _product_files()}
    stale = [
        name
        for name in LONG_FILES
        if name not in files or files[name].read_text(encoding="utf-8").count("\n") <= 500
    ]
    sizes: dict[str, int] = {}
    for name, path in files.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                key = f"{name}:{node.name}"
                sizes[key] = max(sizes.get(key, 0), lines)
    stale += [key for key in LONG_FUNCTIONS if sizes.get(key, 0) <= MAX_FUNCTION_LINES]
    assert stale == [], "remove these exemptions:\n" + "\n".join(stale)


#: Where classes hold state and behaviour (the layers that had mixin "god objects").
COMPOSED = ("avz_bot/runtime", "avz_bot/services", "avz_bot/matrix", "commands")
#: Library bases that make a class a *shape* (a type, not shared state).
SHAPES = {"Protocol", "Enum", "StrEnum", "IntEnum", "BaseModel", "BaseSettings", "TypedDict"}


def test_no_mixins_sharing_state() -> None:
    """Services, the runtime, the Matrix adapter and the commands are composed, not
    inherited: a class there may subclass a class of ours only when that one is a shape
    (a Protocol, an exception, an enum or a pydantic model), never one with behaviour and
    state that its subclasses share."""
    ours: dict[str, ast.ClassDef] = {}
    for path in _product_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                ours.setdefault(node.name, node)

    def is_shape(name: str) -> bool:
        node = ours.get(name)
        if node is None:
            return name in SHAPES or name.endswith(("Error", "Exception"))
        return any(is_shape(_base_name(base)) for base in node.bases)

    inherited = []
    for path in _product_files():
        if not _name(path).startswith(COMPOSED):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ClassDef):
                continue
            state_bases = [
                _base_name(b)
                for b in node.bases
                if _base_name(b) in ours and not is_shape(_base_name(b))
            ]
            if state_bases:
                inherited.append(f"{_name(path)}: {node.name}({', '.join(state_bases)})")
    assert inherited == [], "compose instead of inheriting state:\n" + "\n".join(inherited)


def _base_name(base: ast.expr) -> str:
    if isinstance(base, ast.Subscript):
        base = base.value
    if isinstance(base, ast.Attribute):
        return base.attr
    return base.id if isinstance(base, ast.Name) else ""
