"""No two modules of ours import each other, directly or round a loop; every module has a layer.

``lint-imports`` (the contracts in ``[tool.importlinter]``, pyproject.toml) checks the layers
and the cycles between the children of each package. This test checks the module graph
itself: each of its strongly connected components must be a single module. Imports under
``if TYPE_CHECKING:`` and inside functions count too: a cycle hidden behind one is still a
cycle (move the shared type to a module below both instead). See docs/layers.md.
"""

from __future__ import annotations

import itertools
import tomllib
from pathlib import Path
from typing import Any

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("avz_bot", "commands", "storage")


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    # cache_dir=None: no .grimp_cache in the working tree.
    return grimp.build_graph(*PACKAGES, include_external_packages=True, cache_dir=None)


def _ours(module: str) -> bool:
    return module.split(".")[0] in PACKAGES


def cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The strongly connected components of more than one module, each sorted.

    A module's component is itself plus what it imports (directly or not) that also
    imports it (directly or not)."""
    seen: set[str] = set()
    found: list[list[str]] = []
    for module in sorted(m for m in graph.modules if _ours(m)):
        if module in seen:
            continue
        loop = graph.find_upstream_modules(module) & graph.find_downstream_modules(module)
        if loop:
            component = sorted({module, *loop})
            seen.update(component)
            found.append(component)
    return found


def describe(graph: grimp.ImportGraph, component: list[str]) -> str:
    """The component and one shortest loop through its first module, import by import."""
    start = component[0]
    loops = [
        (start, *chain)
        for step in sorted(graph.find_modules_directly_imported_by(start) & set(component))
        if (chain := graph.find_shortest_chain(importer=step, imported=start)) is not None
    ]
    loop = min(loops, key=len)
    lines = [f"cycle between {len(component)} modules: {', '.join(component)}", "  for example:"]
    for importer, imported in itertools.pairwise(loop):
        details = graph.get_import_details(importer=importer, imported=imported)
        where = ", ".join(f"l.{d['line_number']}" for d in details)
        lines.append(f"    {importer} -> {imported} ({where})")
    return "\n".join(lines)


def test_no_cycle_between_modules(graph: grimp.ImportGraph) -> None:
    found = cycles(graph)
    report = "\n\n".join(describe(graph, c) for c in found)
    assert not found, f"import cycles between modules:\n\n{report}"


def _layers_contract() -> dict[str, Any]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    (layers,) = [c for c in contracts if c.get("id") == "layers"]
    return dict(layers)


def test_every_top_level_module_is_in_a_layer(graph: grimp.ImportGraph) -> None:
    """A new module directly under avz_bot must be placed in the layers contract."""
    named: set[str] = set()
    for layer in _layers_contract()["layers"]:
        for part in layer.replace("|", ":").split(":"):
            named.add(part.strip().strip("()"))
    top = graph.find_children("avz_bot") | {"commands", "storage"}
    assert sorted(top - named) == [], "add these to the layers in pyproject.toml"
