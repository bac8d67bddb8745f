"""Boundary contracts `ssot init` proposes from today's import graph of the target package.

The graph is grimp's (the one `lint-imports` checks), built by parsing, never importing. The
layering is read from the imports between the target's children once the modules proposed as
deprecated are gone: a child that imports nothing of the others is at the bottom, each other one a
layer above the highest one it imports (modules that import each other share one non-independent
layer); children of one layer that do not import each other are independent siblings (`|`). What
breaks it today (an import that reaches up, directly or through a chain, often through a
deprecated module) is recorded in the contract's `ignore_imports`, the adoption ratchet: the
contract is kept on the day it is written and every entry is a debt to burn down.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from ssot_flake8.commands.init.summary import is_test

MAX_ROUNDS = 200  # rounds of "check, record the breaks"; each round records at least one import


@dataclass
class BoundaryContract:
    """A contract of import-linter's own `layers` type, with the evidence for each line."""

    id: str
    name: str
    container: str
    layers: list[tuple[list[str], bool, str]]  # (module tails, independent, comment), top first
    ignore_imports: list[tuple[str, str]] = field(default_factory=list)  # (importer, imported)
    unplaced: list[str] = field(default_factory=list)  # children left out (deprecated, tests)

    def layer_lines(self) -> list[tuple[str, str]]:
        """Each module optional, `(name)`: the contract still loads once a module is deleted."""
        return [((" | " if independent else " : ").join(f"({t})" for t in tails), comment)
                for tails, independent, comment in self.layers]


def build_graph(root_package: str, source_root: Path):
    """grimp's graph of the root package (None when grimp cannot build it: one warning line)."""
    import grimp

    sys.path.insert(0, str(source_root.resolve()))
    try:
        return grimp.build_graph(root_package, cache_dir=None)
    except Exception as error:  # grimp's errors carry no common base class
        print(f"ssot init: warning: no boundary contracts: grimp could not build the graph of "
              f"{root_package}: {error}", file=sys.stderr)
        return None
    finally:
        sys.path.remove(str(source_root.resolve()))


def propose_layers(graph, target: str, deprecated: set[str]) -> BoundaryContract | None:
    """The layers contract of `target`'s children, with today's breaks recorded; None when the
    target has fewer than two children to layer."""
    if target not in graph.modules:
        return None
    children = sorted(graph.find_children(target))
    gone = {c for c in children if any(c == d or c.startswith(d + ".") for d in deprecated)}
    tests = {c for c in children if is_test(c)}
    kept = [c for c in children if c not in gone | tests]
    if len(kept) < 2:
        return None
    edges = _child_edges(graph, target, set(kept))
    layers = []
    for level in reversed(_levels(kept, edges)):
        singles = sorted(c for scc in level if len(scc) == 1 for c in scc)
        if singles:
            layers.append((singles, True, _comment(singles, edges, independent=True)))
        for scc in sorted(sorted(s) for s in level if len(s) > 1):
            layers.append((scc, False, _comment(scc, edges, independent=False)))
    tail = len(target) + 1
    contract = BoundaryContract(
        f"{target.replace('.', '-')}-layers",
        f"{target} layering (read from today's imports)",
        target,
        [([m[tail:] for m in tails], independent, comment) for tails, independent, comment in layers],
        unplaced=sorted(gone | tests),
    )
    contract.ignore_imports = record_breaks(graph, contract)
    return contract


def _child_edges(graph, target: str, kept: set[str]) -> dict[str, set[str]]:
    """child -> the other kept children it imports (any module under it importing any under them)."""
    depth = target.count(".") + 1

    def child_of(module: str) -> str | None:
        parts = module.split(".")
        child = ".".join(parts[: depth + 1])
        return child if child in kept and len(parts) > depth else None

    edges: dict[str, set[str]] = {c: set() for c in kept}
    for child in kept:
        for module in (child, *graph.find_descendants(child)):
            for imported in graph.find_modules_directly_imported_by(module):
                other = child_of(imported)
                if other and other != child:
                    edges[child].add(other)
    return edges


def _levels(nodes: list[str], edges: dict[str, set[str]]) -> list[list[frozenset[str]]]:
    """Strongly connected components, by longest path from the bottom (level 0 imports nothing)."""
    components = _components(nodes, edges)
    component_of = {n: c for c in components for n in c}
    level: dict[frozenset[str], int] = {}

    def height(component: frozenset[str]) -> int:
        if component not in level:
            below = {component_of[t] for n in component for t in edges[n]} - {component}
            level[component] = 1 + max(map(height, below), default=-1)
        return level[component]

    for component in components:
        height(component)
    levels: list[list[frozenset[str]]] = [[] for _ in range(max(level.values()) + 1)]
    for component, number in level.items():
        levels[number].append(component)
    return levels


def _components(nodes: list[str], edges: dict[str, set[str]]) -> list[frozenset[str]]:
    """Tarjan's strongly connected components, iteratively (deep graphs stay off the C stack)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []
    for start in nodes:
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(edges[successor]))))
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    found.append(frozenset(component))
    return found


def _modules(count: int) -> str:
    return f"{count} module{'' if count == 1 else 's'}"


def _comment(modules: list[str], edges: dict[str, set[str]], independent: bool) -> str:
    below = sorted({t.rpartition(".")[2] for m in modules for t in edges[m]} - {
        m.rpartition(".")[2] for m in modules})
    if not independent:
        return f"{_modules(len(modules))} that import each other (a cycle)" + (
            f"; they import {', '.join(below[:4])}{', ...' if len(below) > 4 else ''}" if below else "")
    if not below:
        return f"{_modules(len(modules))} importing no other module of the layering"
    shown = ", ".join(below[:4]) + (", ..." if len(below) > 4 else "")
    return f"{_modules(len(modules))} importing {len(below)} below ({shown})"


def record_breaks(graph, contract: BoundaryContract) -> list[tuple[str, str]]:
    """The direct imports to ignore so the contract is kept today: for each illegal route, the
    imports its first modules make (the start of the chain, in the lower layer). The graph is
    checked again after each round, since removing one import can expose another route."""
    import grimp

    layers = [grimp.Layer(*tails, independent=independent) for tails, independent, _ in contract.layers]
    ignored: set[tuple[str, str]] = set()
    for _ in range(MAX_ROUNDS):
        illegal = graph.find_illegal_dependencies_for_layers(layers=layers, containers={contract.container})
        found = set()
        for dependency in illegal:
            for route in dependency.routes:
                targets = route.middle[:1] or tuple(route.tails)
                found.update((head, t) for head in route.heads for t in targets
                             if graph.direct_import_exists(importer=head, imported=t))
        if not found:
            break
        for importer, imported in found - ignored:
            graph.remove_import(importer=importer, imported=imported)
        ignored |= found
    return sorted(ignored)
