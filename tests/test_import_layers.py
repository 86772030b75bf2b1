"""Imports run one way: core imports no app, accounts not posts; no cycles anywhere.

Read from the source (every import statement that runs, function-local ones
too; not those under ``if TYPE_CHECKING:``), so a lazy import cannot hide a
cycle. Run it alone with
``pytest tests/test_import_layers.py``.
"""

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
# Each package and the project packages it may import.
MAY_IMPORT = {
    "core": set(),
    "accounts": {"core"},
    "posts": {"core", "accounts"},
    "config": {"core", "accounts", "posts"},
}


def modules() -> Iterator[tuple[str, Path]]:
    for package in MAY_IMPORT:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            yield ".".join(parts), path


def imports_of(name: str, path: Path) -> set[str]:
    """Return the project modules ``name`` imports, by absolute dotted name."""
    found = set()
    for node in _runtime_nodes(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            base = node.module
            if node.level:
                package = name.split(".")[: -node.level]
                base = ".".join([*package, node.module])
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}
    return {module for module in found if module.split(".")[0] in MAY_IMPORT}


def _runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Yield every node except those under ``if TYPE_CHECKING:`` (never run)."""
    pending = [tree]
    while pending:
        node = pending.pop()
        yield node
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            pending.extend(node.orelse)
            continue
        pending.extend(ast.iter_child_nodes(node))


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


GRAPH = {name: imports_of(name, path) for name, path in modules()}
KNOWN = set(GRAPH)


@pytest.mark.parametrize("name", sorted(GRAPH))
def test_a_module_imports_only_the_layers_below_it(name):
    package = name.split(".")[0]
    allowed = MAY_IMPORT[package] | {package}

    above = {m for m in GRAPH[name] if m.split(".")[0] not in allowed}

    assert not above, f"{name} imports {sorted(above)}"


def test_no_module_imports_itself_back_through_others():
    edges = {name: {m for m in GRAPH[name] if m in KNOWN} for name in GRAPH}
    cycles = []

    def visit(name: str, path: list[str], on_path: set[str], done: set[str]) -> None:
        for target in sorted(edges[name]):
            if target in on_path:
                cycles.append([*path[path.index(target) :], target])
            elif target not in done:
                visit(target, [*path, target], on_path | {target}, done)
        done.add(name)

    done: set[str] = set()
    for start in sorted(edges):
        if start not in done:
            visit(start, [start], {start}, done)

    assert not cycles, "\n".join(" -> ".join(cycle) for cycle in cycles)
