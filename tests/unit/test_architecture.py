"""The package's shape: no import cycle among okrsync's modules; data flows one way."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "okrsync"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports() -> dict[str, set[str]]:
    """okrsync module -> the okrsync modules it imports (at any level of the file)."""
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.ImportFrom)
                and node.module
                and node.module.startswith("okrsync")
            ):
                found.add(node.module)
                found.update(f"{node.module}.{a.name}" for a in node.names)
            elif isinstance(node, ast.Import):
                found.update(a.name for a in node.names if a.name.startswith("okrsync"))
        graph[name] = {m for m in found if m in modules and m != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected set of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycle_among_okrsync_modules() -> None:
    """No module imports, directly or through others, one that imports it back (a package's
    __init__ re-exporting its own modules excepted)."""
    graph = imports()
    for name in graph:  # a package's __init__ re-exports its submodules: not a cycle
        graph[name] = {m for m in graph[name] if not m.startswith(f"{name}.")}
    assert cycles(graph) == []


def test_data_flows_one_way() -> None:
    """The pure modules import nothing of I/O; the graph side knows nothing of the cycle."""
    graph = imports()
    pure = ("okrsync.schema", "okrsync.transform", "okrsync.diff", "okrsync.models")
    io = ("okrsync.graph", "okrsync.api", "okrsync.sync", "okrsync.daemon", "okrsync.runtime")
    for name in pure:
        assert not {m for m in graph[name] if m.startswith(io)}, name
    for name in (m for m in graph if m.startswith("okrsync.graph")):
        assert not {m for m in graph[name] if m.startswith(("okrsync.sync", "okrsync.steps"))}
    assert "okrsync.commands" not in graph["okrsync.daemon"]


def test_the_cycle_finder_finds_a_cycle() -> None:
    """The checker itself can fail."""
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == [["a", "b", "c"]]


def test_no_module_is_shadowed_by_a_package() -> None:
    """okrsync/x.py beside okrsync/x/ is dead code the package hides on import."""
    shadowed = [
        str(path)
        for path in PACKAGE.rglob("*.py")
        if path.name != "__init__.py" and (path.parent / path.stem / "__init__.py").exists()
    ]
    assert shadowed == []
