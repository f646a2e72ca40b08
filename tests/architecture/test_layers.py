"""The package's shape: modules import one way, from the stage groups down, with no cycles.

This walks every module's `import` statements with `ast` (imports under `if TYPE_CHECKING:` count
too: a type that crosses stages belongs to the stage that makes it). pyproject.toml states the same
layers as import-linter contracts, for `lint-imports`.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "failsite"

# Highest first: a group may import the groups below it, never those above. `output` (the one door to
# the output folder) sits low because the renderer writes each page through it as it is made.
LAYERS = ("cli", "desk", "build", "preview", "render", "site", "privacy", "content", "output", "engine")
# Modules every group may use.
FOUNDATION = ("errors", "__init__")
FORBIDDEN = {  # stated outright, though the layers imply them
    "content": ("privacy", "site", "render", "output", "preview"),
    "privacy": ("site", "render", "output", "preview"),
    "render": ("preview",),
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    """The failsite modules a module imports (a `from failsite.x import y` where y is a module counts as x.y)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("failsite"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("failsite") and node.level == 0:
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                found.add(candidate if _exists(candidate) else node.module)
    return found


def _exists(module: str) -> bool:
    relative = Path(*module.split(".")[1:])
    return (PACKAGE / relative).with_suffix(".py").is_file() or (PACKAGE / relative / "__init__.py").is_file()


def import_graph() -> dict[str, set[str]]:
    return {module_name(p): imports_of(p) for p in sorted(PACKAGE.rglob("*.py"))}


def group_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle among the modules, as a list of names, or [] when there is none."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(module: str) -> list[str]:
        state[module] = 1
        stack.append(module)
        for target in sorted(graph.get(module, ())):
            if target == module or target not in graph:
                continue
            if state.get(target) == 1:
                return stack[stack.index(target):] + [target]
            if target not in state:
                cycle = visit(target)
                if cycle:
                    return cycle
        stack.pop()
        state[module] = 2
        return []

    for module in sorted(graph):
        if module not in state:
            cycle = visit(module)
            if cycle:
                return cycle
    return []


def layer_violations(graph: dict[str, set[str]]) -> list[str]:
    """Imports that go up the layers or into a forbidden group."""
    wrong = []
    for module, targets in graph.items():
        source = group_of(module)
        if source not in LAYERS:
            continue
        for target in targets:
            group = group_of(target)
            if group in FOUNDATION or group not in LAYERS or group == source:
                continue
            if LAYERS.index(group) < LAYERS.index(source) or group in FORBIDDEN.get(source, ()):
                wrong.append(f"{module} imports {target}")
    return sorted(wrong)


def test_every_module_belongs_to_a_layer_or_the_foundation():
    groups = {group_of(m) for m in import_graph()}
    assert groups <= set(LAYERS) | set(FOUNDATION) | {"", "__main__"}, groups - set(LAYERS) - set(FOUNDATION)


def test_the_package_has_no_import_cycle():
    assert find_cycle(import_graph()) == []


def test_imports_flow_down_the_layers():
    assert layer_violations(import_graph()) == []


@pytest.mark.parametrize("graph, cycle", [
    ({"failsite.a": {"failsite.b"}, "failsite.b": {"failsite.a"}}, ["failsite.a", "failsite.b", "failsite.a"]),
    ({"failsite.a": {"failsite.b"}, "failsite.b": set()}, []),
])
def test_the_cycle_finder_finds_cycles(graph, cycle):
    assert find_cycle(graph) == cycle


def test_an_upward_import_is_reported():
    graph = {"failsite.content.items": {"failsite.render.views"}, "failsite.render.views": {"failsite.content.items"}}
    assert layer_violations(graph) == ["failsite.content.items imports failsite.render.views"]


def test_import_linter_contracts_hold():
    """The contracts in pyproject.toml, as `lint-imports` checks them."""
    linter = shutil.which("lint-imports")
    if linter is None:
        pytest.skip("import-linter is not installed (pip install -e '.[test]')")
    result = subprocess.run([linter], cwd=PACKAGE.parent, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout
