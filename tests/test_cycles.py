"""Import cycles: one enumerator (find_cycles) over edges from ast (static_edges) or from
import-linter's graph (graph_edges); the `acyclic` contract lists every cycle as a chain."""

from __future__ import annotations

import grimp
import pytest
from conftest import LEGACY, REMEDIATED, run

from ssot_flake8.analysis.cycles import Cycle, Step, cycles_for, find_cycles, graph_edges, static_edges
from ssot_flake8.policy.config import load_policy

CORE = "netra_backend.app.websocket_core"

# The eight cycles of the legacy tree (examples/README.md), each from its smallest module.
LEGACY_CYCLES = [
    ("canonical_imports -> migration_adapter -> canonical_imports",
     ["canonical_imports -> migration_adapter (l.7)",
      "migration_adapter -> canonical_imports (l.8)"]),
    ("connection_manager -> unified_manager -> connection_manager",
     ["connection_manager -> unified_manager (l.8)",
      "unified_manager -> connection_manager (l.13)"]),
    ("canonical_imports -> unified_manager -> ssot_validation_enhancer -> canonical_imports",
     ["canonical_imports -> unified_manager (l.9)",
      "unified_manager -> ssot_validation_enhancer (l.11)",
      "ssot_validation_enhancer -> canonical_imports (l.11)"]),
    ("ssot_validation_enhancer -> websocket_manager -> unified_manager -> ssot_validation_enhancer",
     ["ssot_validation_enhancer -> websocket_manager (l.13)",
      "websocket_manager -> unified_manager (l.29)",
      "unified_manager -> ssot_validation_enhancer (l.11)"]),
    ("canonical_imports -> migration_adapter -> unified_manager -> ssot_validation_enhancer "
     "-> canonical_imports",
     ["canonical_imports -> migration_adapter (l.7)",
      "migration_adapter -> unified_manager (l.10)",
      "unified_manager -> ssot_validation_enhancer (l.11)",
      "ssot_validation_enhancer -> canonical_imports (l.11)"]),
    ("canonical_imports -> websocket_manager_factory -> unified_manager -> ssot_validation_enhancer "
     "-> canonical_imports",
     ["canonical_imports -> websocket_manager_factory (l.10)",
      "websocket_manager_factory -> unified_manager (l.13)",
      "unified_manager -> ssot_validation_enhancer (l.11)",
      "ssot_validation_enhancer -> canonical_imports (l.11)"]),
    ("protocols -> unified_manager -> ssot_validation_enhancer -> websocket_manager -> protocols",
     ["protocols -> unified_manager (l.9)",
      "unified_manager -> ssot_validation_enhancer (l.11)",
      "ssot_validation_enhancer -> websocket_manager (l.13)",
      "websocket_manager -> protocols (l.19)"]),
    ("ssot_validation_enhancer -> websocket_manager -> websocket_manager_factory -> unified_manager "
     "-> ssot_validation_enhancer",
     ["ssot_validation_enhancer -> websocket_manager (l.13)",
      "websocket_manager -> websocket_manager_factory (l.22)",
      "websocket_manager_factory -> unified_manager (l.13)",
      "unified_manager -> ssot_validation_enhancer (l.11)"]),
]


def listing(cycles: list[Cycle]) -> list[tuple[str, list[str]]]:
    return [(c.chain(CORE), c.step_lines(CORE)) for c in cycles]


def test_legacy_has_the_eight_cycles_of_the_audit():
    policy = load_policy(LEGACY / ".importlinter")
    assert listing(cycles_for(policy)) == LEGACY_CYCLES  # packages from the acyclic contract


def test_remediated_has_none():
    policy = load_policy(REMEDIATED / ".importlinter")
    assert cycles_for(policy) == []
    assert cycles_for(policy, ["netra_backend"]) == []


def test_static_edges_are_the_edges_import_linter_sees(monkeypatch):
    """ast and grimp agree on every edge and line, so every front-end counts the same cycles."""
    monkeypatch.syspath_prepend(str(LEGACY))
    policy = load_policy(LEGACY / ".importlinter")
    graph = grimp.build_graph("netra_backend", cache_dir=None)
    for package in ("netra_backend", CORE):
        assert static_edges(policy, package) == graph_edges(graph, package)
    assert listing(find_cycles(graph_edges(graph, CORE), CORE)) == LEGACY_CYCLES


def edges(*pairs: str) -> dict[str, dict[str, int]]:
    """`"a b"` -> an import of p.b by p.a on line 1."""
    result: dict[str, dict[str, int]] = {}
    for pair in pairs:
        importer, imported = pair.split()
        result.setdefault(f"p.{importer}", {})[f"p.{imported}"] = 1
    return result


def test_each_elementary_cycle_once_rotated_to_its_smallest_module():
    found = find_cycles(edges("c a", "a b", "b c", "b a", "c b", "d a"), "p")
    assert [c.chain("p") for c in found] == [
        "a -> b -> a",
        "b -> c -> b",
        "a -> b -> c -> a",
    ]


def test_complete_graph_cycle_count():
    """A complete directed graph on n nodes has sum over k>=2 of C(n,k)(k-1)! elementary cycles."""
    nodes = "abcde"
    pairs = [f"{x} {y}" for x in nodes for y in nodes if x != y]
    assert len(find_cycles(edges(*pairs), "p")) == 10 + 20 + 30 + 24


def test_outside_the_package_and_self_imports_do_not_count():
    graph = edges("a b", "b a")
    graph["q.x"] = {"p.a": 1}
    graph["p.a"]["q.x"] = 1
    graph["p.a"]["p.a"] = 1
    assert [c.chain() for c in find_cycles(graph, "p")] == ["p.a -> p.b -> p.a"]
    assert find_cycles(graph, "p.a") == []


def test_limit_stops_a_tangle():
    nodes = "abcdefg"
    pairs = [f"{x} {y}" for x in nodes for y in nodes if x != y]
    assert len(find_cycles(edges(*pairs), "p", limit=50)) == 50


def test_steps_carry_lines():
    found = find_cycles({"p.a": {"p.b": 3}, "p.b": {"p.a": 7}}, "p")
    assert found[0].steps == (Step("p.a", "p.b", 3), Step("p.b", "p.a", 7))
    assert found[0].chain() == "p.a -> p.b -> p.a"


def test_static_edges_resolve_relative_function_level_and_type_checking_imports(mini_project):
    mini_project("pkg/x/a.py", "from . import b\n")
    mini_project("pkg/x/b.py", "def f():\n    from .c import thing\n")
    mini_project("pkg/x/c.py", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                               "    from pkg.x.a import A\nthing = 1\n")
    mini_project("pkg/x/d.py", "import pkg.x.a\nfrom pkg.x import *\n")
    mini_project("pkg/x/broken.py", "from . import a\ndef (:\n")
    policy = load_policy(mini_project.root / ".importlinter")
    assert static_edges(policy, "pkg.x") == {
        "pkg.x.a": {"pkg.x.b": 1},
        "pkg.x.b": {"pkg.x.c": 2},
        "pkg.x.c": {"pkg.x.a": 3},
        "pkg.x.d": {"pkg.x.a": 1, "pkg.x": 2},
        "pkg.x.broken": {"pkg.x.a": 1},  # read past its syntax error, as `ssot lint-imports` does
    }
    assert [c.chain("pkg.x") for c in cycles_for(policy, ["pkg.x"])] == ["a -> b -> c -> a"]
    assert "pkg.x.c" not in static_edges(policy, "pkg.x", skip_type_checking=True)


ACYCLIC = """\
[importlinter]
root_package = pkg
contract_types =
    acyclic: ssot_flake8.contracts.AcyclicContract

[importlinter:contract:acyclic]
name = pkg.x has no import cycles
type = acyclic
packages =
    pkg.x
"""


@pytest.fixture
def cyclic_project(mini_project):
    mini_project("pkg/x/a.py", "from . import b\n")
    mini_project("pkg/x/b.py", "import os\n\nfrom pkg.x import a\n")
    mini_project("pkg/x/c.py", "")
    return mini_project


def lint(project, config: str):
    (project.root / ".importlinter").write_text(config)
    return run("lint-imports", "--no-cache", cwd=project.root)


def test_acyclic_contract_lists_each_cycle(cyclic_project):
    result = lint(cyclic_project, ACYCLIC)
    assert result.returncode == 1
    assert "pkg.x has no import cycles BROKEN" in result.stdout
    expected = """\
pkg.x has 1 import cycle:

1. a -> b -> a
   -   a -> b (l.1)
       b -> a (l.3)
"""
    assert expected in result.stdout


def test_acyclic_contract_ignore_imports_and_alerting(cyclic_project):
    result = lint(cyclic_project, ACYCLIC + "ignore_imports =\n    pkg.x.* -> pkg.x.a\n")
    assert "pkg.x has no import cycles KEPT (1 ignored import)" in result.stdout
    assert result.returncode == 0
    result = lint(cyclic_project, ACYCLIC + "ignore_imports =\n    pkg.x.c -> pkg.x.a\n")
    assert "No matches for ignored import pkg.x.c -> pkg.x.a." in result.stdout
    assert result.returncode == 1
    warn = ACYCLIC + "ignore_imports =\n    pkg.x.c -> pkg.x.a\nunmatched_ignore_imports_alerting = warn\n"
    result = lint(cyclic_project, warn)
    assert "- No matches for ignored import pkg.x.c -> pkg.x.a." in result.stdout
    assert "pkg.x has no import cycles BROKEN (1 warning)" in result.stdout


def test_acyclic_contract_verbose_and_missing_package(cyclic_project):
    (cyclic_project.root / ".importlinter").write_text(ACYCLIC)
    result = run("lint-imports", "--no-cache", "--verbose", cwd=cyclic_project.root)
    assert "Searching for import cycles in pkg.x..." in result.stdout
    assert "Found 1 cycles in" in result.stdout
    result = lint(cyclic_project, ACYCLIC.replace("    pkg.x\n", "    pkg.y\n"))
    assert "Module 'pkg.y' does not exist." in result.stdout
    assert result.returncode == 1
