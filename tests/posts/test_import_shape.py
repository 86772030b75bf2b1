"""The posts layers import downwards only: no cycles, no HTTP below the adapters."""

import ast
from pathlib import Path

import pytest

import posts

POSTS = Path(posts.__file__).parent


def imported_modules(module: str) -> set[str]:
    """Return every module the posts module imports, at any depth of its code."""
    tree = ast.parse((POSTS / f"{module}.py").read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def imports(module: str, target: str) -> bool:
    return any(
        name == target or name.startswith(f"{target}.")
        for name in imported_modules(module)
    )


def test_querysets_do_not_import_the_models_that_import_them():
    assert not imports("querysets", "posts.models")


def test_serializers_do_not_import_services():
    assert not imports("serializers", "posts.services")


@pytest.mark.parametrize("module", ["errors", "policies", "models", "services"])
def test_the_domain_does_not_import_drf(module):
    assert not imports(module, "rest_framework")
