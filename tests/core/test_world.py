"""The World protocol: what mechanisms and policies may touch, held against their code and the model class."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from model import DomesticWorkModel
from model.core.world import World, world_names

PACKAGE = Path(__file__).resolve().parents[2] / "model"
# Written against World: the mechanisms, the policies, and the core modules that act on the whole world.
AGAINST_WORLD = sorted([*PACKAGE.glob("mechanisms/*.py"), *PACKAGE.glob("policies/*.py"),
                        *(PACKAGE / "core" / f"{name}.py" for name in ("labour", "population", "accounts",
                                                                       "metrics", "books"))])
BELOW_THE_MODEL = sorted([*PACKAGE.glob("core/*.py"), *PACKAGE.glob("mechanisms/*.py"), *PACKAGE.glob("policies/*.py")])


def _world_attributes(tree: ast.AST) -> set[tuple[str, int]]:
    """Names read or written on ``world`` or ``self.world``, with their lines."""
    found = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        target = node.value
        on_world = isinstance(target, ast.Name) and target.id == "world"
        on_self_world = (isinstance(target, ast.Attribute) and target.attr == "world"
                         and isinstance(target.value, ast.Name) and target.value.id == "self")
        if on_world or on_self_world:
            found.add((node.attr, node.lineno))
    return found


def test_the_model_is_a_world():
    model = DomesticWorkModel(**{"workers.count": 50, "households.count": 80, "agencies.count": 2, "months": 1})
    assert isinstance(model, World)
    for name in world_names():
        assert hasattr(model, name), name


@pytest.mark.parametrize("path", AGAINST_WORLD, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_mechanisms_and_policies_touch_only_what_world_declares(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    undeclared = sorted((name, line) for name, line in _world_attributes(tree) if name not in world_names())
    assert not undeclared, f"{path.name} uses names World does not declare (add them to World or do without): " \
                           f"{undeclared}"


@pytest.mark.parametrize("path", BELOW_THE_MODEL, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_nothing_below_the_model_imports_the_model_class(path):
    """No import of ``model.model``, not even for type checking: no circle through the model class."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "model.model":
            pytest.fail(f"{path.name}:{node.lineno} imports model.model")
        if isinstance(node, ast.ImportFrom) and node.module == "model" and \
                any(alias.name == "DomesticWorkModel" for alias in node.names):
            pytest.fail(f"{path.name}:{node.lineno} imports DomesticWorkModel")


def test_the_check_catches_an_undeclared_name():
    tree = ast.parse("def f(world):\n    return world.secret_state + world.month\n")
    assert {name for name, _ in _world_attributes(tree)} - world_names() == {"secret_state"}
