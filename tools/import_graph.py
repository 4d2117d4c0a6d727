"""The import picture of src/perfeval: which modules import which, read with ``ast`` (imports inside
functions included, relative imports resolved), and the three checks of the layers rule.

- **mutual folders**: pairs of top-level rooms (a sub-package such as ``budget`` or a top-level module such
  as ``cli``) where each imports the other;
- **up-layer imports**: a module importing one of a higher layer (base < domain < outline < cli);
- **sample cycles**: cycles between modules of ``perfeval.sample``.

Run ``python tools/import_graph.py`` for a summary; tests/test_layers.py uses the same functions.
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = "perfeval"

# Layers, lowest first. A module's layer is that of the first prefix below that names it, else that of its room
# (every room not named is domain: stage functions and models). At the bottom: display, the tiny errors / file
# helpers and the report machinery (the notebook runner, pages, markup, fonts, the ledger: a generic engine that
# knows no stage, so domain code may use it). Then the domain; then the outline, and ``disclose``, which publishes
# tables built from the outline's content; the commands on top: the ``cli`` package (with the batch commands in cli/batch.py).
LAYER_NAMES = ("base", "domain", "outline", "cli")
_LAYER_RULES = (
    ("perfeval.cli", 3),
    ("perfeval.__main__", 3),
    ("perfeval.outline", 2),
    ("perfeval.disclose", 2),
    ("perfeval.display", 0),
    ("perfeval.basis", 0),
    ("perfeval.errors", 0),
    ("perfeval._files", 0),
    ("perfeval._formfiles", 0),
    ("perfeval.report", 0),
)
_DOMAIN = 1


def modules(src: Path = SRC) -> dict[str, Path]:
    """Every module of the package: dotted name → file."""
    out = {}
    for path in sorted((src / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(src).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _is_package(name: str, files: dict[str, Path]) -> bool:
    return files[name].name == "__init__.py"


def imports_of(name: str, files: dict[str, Path]) -> set[str]:
    """Modules of the package that ``name`` imports (anywhere in its file)."""
    tree = ast.parse(files[name].read_text(encoding="utf-8"), filename=str(files[name]))
    package = name if _is_package(name, files) else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                base = ".".join(base + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in files else base
                       for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in files:  # `import a.b.c` where c is a name: keep the module
                target = target.rpartition(".")[0]
            if target.startswith(PACKAGE + ".") and target != name:
                found.add(target)
    return found


def graph(src: Path = SRC) -> dict[str, set[str]]:
    files = modules(src)
    return {name: imports_of(name, files) for name in files}


def room(name: str) -> str:
    """The top-level room of a module: ``perfeval.budget.apply`` → ``budget``, ``perfeval.cli`` → ``cli``."""
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else PACKAGE


def layer(name: str) -> int:
    """The layer of a module (an index into ``LAYER_NAMES``)."""
    for prefix, value in _LAYER_RULES:
        if name == prefix or name.startswith(prefix + "."):
            return value
    return _DOMAIN


def mutual_rooms(g: dict[str, set[str]]) -> list[tuple[str, str]]:
    """Pairs of rooms that import each other (the package's own ``__init__`` is not a room)."""
    edges = {(room(a), room(b)) for a, targets in g.items() for b in targets
             if room(a) != room(b) and PACKAGE not in (room(a), room(b))}
    return sorted((a, b) for a, b in edges if a < b and (b, a) in edges)


def mutual_room_edges(g: dict[str, set[str]], pair: tuple[str, str]) -> list[tuple[str, str]]:
    """The module imports behind one mutual pair of rooms."""
    return sorted((a, b) for a, targets in g.items() for b in targets
                  if {room(a), room(b)} == set(pair) and room(a) != room(b))


def up_layer(g: dict[str, set[str]]) -> list[tuple[str, str]]:
    """Imports from a module to one of a higher layer (the package ``__init__`` is left out)."""
    return sorted((a, b) for a, targets in g.items() for b in targets
                  if a != PACKAGE and layer(b) > layer(a))


def cycles_within(g: dict[str, set[str]], prefix: str) -> list[list[str]]:
    """Strongly connected groups (of more than one module) among the modules under ``prefix``."""
    nodes = [n for n in g if n.startswith(prefix + ".")]
    sub = {n: {t for t in g[n] if t in nodes} for n in nodes}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan; the graphs are small
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(sub[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for n in sorted(nodes):
        if n not in index:
            visit(n)
    return sorted(groups)


def main(argv: list[str] | None = None) -> int:
    g = graph()
    pairs = mutual_rooms(g)
    print(f"mutual room pairs: {len(pairs)}")
    for pair in pairs:
        print(f"  {pair[0]} <-> {pair[1]}")
        if "-v" in (argv or sys.argv[1:]):
            for a, b in mutual_room_edges(g, pair):
                print(f"      {a} -> {b}")
    ups = up_layer(g)
    print(f"up-layer imports: {len(ups)}")
    for a, b in ups:
        print(f"  {a} ({LAYER_NAMES[layer(a)]}) -> {b} ({LAYER_NAMES[layer(b)]})")
    cycles = cycles_within(g, "perfeval.sample")
    print(f"cycles in perfeval.sample: {len(cycles)}")
    for group in cycles:
        print("  " + " <-> ".join(group))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
