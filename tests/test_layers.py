"""The layering the README describes, checked rather than hoped for.

The contracts live in pyproject.toml (``[tool.importlinter]``; ``make lint`` runs them too);
each is its own test here, so a failure names the contract and prints the import chain that
broke it. A second test finds import cycles anywhere in the project's packages.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
PACKAGES = ("bot", "db", "content", "emulator")


def _contract_ids() -> list[str]:
    config = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
    return [contract["id"] for contract in config["tool"]["importlinter"]["contracts"]]


def _lint_imports() -> Path:
    script = Path(sys.executable).parent / "lint-imports"
    if not script.exists():
        pytest.fail("lint-imports is missing: pip install -e '.[dev]'", pytrace=False)
    return script


@pytest.mark.parametrize("contract", _contract_ids())
def test_import_contract_is_kept(contract: str) -> None:
    result = subprocess.run(
        [
            str(_lint_imports()),
            "--no-logo",
            "--no-cache",
            "--contract",
            contract,
            str(PYPROJECT),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        report = result.stdout.split("Broken contracts", 1)[-1].strip() or result.stderr
        pytest.fail(f"import contract {contract!r} is broken:\n{report}", pytrace=False)


def test_no_import_cycles() -> None:
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    cycles = [_describe_cycle(graph, component) for component in _cycles(graph)]
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def _cycles(graph: grimp.ImportGraph) -> Iterator[list[str]]:
    """The strongly connected components that hold a cycle (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    lowest: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = lowest[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if imported not in index:
                visit(imported)
                lowest[module] = min(lowest[module], lowest[imported])
            elif imported in on_stack:
                lowest[module] = min(lowest[module], index[imported])
        if lowest[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1 or module in graph.find_modules_directly_imported_by(module):
                found.append(sorted(component))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return iter(found)


def _describe_cycle(graph: grimp.ImportGraph, component: list[str]) -> str:
    """One concrete loop through the component, e.g. ``a -> b -> c -> a``."""
    start = component[0]
    members = set(component)
    following = next(
        module
        for module in sorted(graph.find_modules_directly_imported_by(start))
        if module in members
    )
    back = graph.find_shortest_chain(importer=following, imported=start) or (following, start)
    loop = " -> ".join((start, *back))
    return f"  {loop}   ({len(component)} modules in this cycle: {', '.join(component)})"
