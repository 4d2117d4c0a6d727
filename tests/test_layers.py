"""The layers of the house, read from the imports (tools/import_graph.py): no two rooms of src/perfeval import
each other, no module imports one of a higher layer (base < domain < outline < cli), and no module of
perfeval.sample imports one that imports it back."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("import_graph", ROOT / "tools" / "import_graph.py")
ig = importlib.util.module_from_spec(_spec)
sys.modules["import_graph"] = ig
_spec.loader.exec_module(ig)

# Allowances for imports still to be moved (none left): a pair here must still occur, so it cannot hide a new one.
PENDING_MUTUAL: set[tuple[str, str]] = set()
PENDING_UP: set[tuple[str, str]] = set()


@pytest.fixture(scope="module")
def graph():
    return ig.graph()


def test_no_two_rooms_import_each_other(graph):
    found = set(ig.mutual_rooms(graph)) - PENDING_MUTUAL
    detail = {pair: ig.mutual_room_edges(graph, pair) for pair in sorted(found)}
    assert not found, f"rooms that import each other: {detail}"


def test_no_import_runs_up_a_layer(graph):
    found = sorted(set(ig.up_layer(graph)) - PENDING_UP)
    assert not found, "imports from a lower layer to a higher one: " + ", ".join(
        f"{a} ({ig.LAYER_NAMES[ig.layer(a)]}) -> {b} ({ig.LAYER_NAMES[ig.layer(b)]})" for a, b in found)


def test_no_cycle_between_sample_modules(graph):
    assert ig.cycles_within(graph, "perfeval.sample") == []


def test_pending_exceptions_are_still_needed(graph):
    """An allowance that no longer matches anything is removed, so that it cannot hide a new import later."""
    assert PENDING_MUTUAL <= set(ig.mutual_rooms(graph))
    assert PENDING_UP <= set(ig.up_layer(graph))


def _write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_the_graph_sees_imports_inside_functions_and_resolves_relative_ones(tmp_path):
    _write(tmp_path, "perfeval/__init__.py", "")
    _write(tmp_path, "perfeval/display.py", "")
    _write(tmp_path, "perfeval/budget/__init__.py", "from .apply import x\n")
    _write(tmp_path, "perfeval/budget/apply.py",
           "def show():\n    from ..outline import fmt\n    from ..outline.city import y\n    return fmt, y\n")
    _write(tmp_path, "perfeval/outline/__init__.py", "")
    _write(tmp_path, "perfeval/outline/fmt.py", "import perfeval.display\n")
    _write(tmp_path, "perfeval/outline/city.py", "from perfeval.budget import apply\n")
    g = ig.graph(tmp_path)
    assert g["perfeval.budget"] == {"perfeval.budget.apply"}
    assert g["perfeval.budget.apply"] == {"perfeval.outline.fmt", "perfeval.outline.city"}
    assert g["perfeval.outline.fmt"] == {"perfeval.display"}
    assert g["perfeval.outline.city"] == {"perfeval.budget.apply"}
    assert ig.mutual_rooms(g) == [("budget", "outline")]
    assert ig.up_layer(g) == [("perfeval.budget.apply", "perfeval.outline.city"),
                              ("perfeval.budget.apply", "perfeval.outline.fmt")]


def test_cycles_within_a_package_are_found(tmp_path):
    _write(tmp_path, "perfeval/__init__.py", "")
    _write(tmp_path, "perfeval/sample/__init__.py", "")
    _write(tmp_path, "perfeval/sample/generate.py", "def f():\n    from .monitoring import g\n")
    _write(tmp_path, "perfeval/sample/monitoring.py", "from . import generate\n")
    _write(tmp_path, "perfeval/sample/readme.py", "from .generate import f\n")
    g = ig.graph(tmp_path)
    assert ig.cycles_within(g, "perfeval.sample") == [["perfeval.sample.generate", "perfeval.sample.monitoring"]]
