"""The import graph `ssot fix` keeps while it rewrites: would a rewrite close a new import cycle?

The packages are the ones `ssot audit` counts cycles in (the policy's `acyclic` contracts, else
its root packages). Their edges are parsed once, on the first rewrite that adds an import inside
one of them, and each kept rewrite replaces its module's edges, so a later file is judged against
the tree as the run leaves it (with `--diff` too: the patch applies every file).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from pathlib import Path

from ssot_flake8.analysis.cycles import (
    Cycle,
    Edges,
    Step,
    acyclic_packages,
    circuits,
    inside,
    package_files,
    static_edges,
    strong_component,
)
from ssot_flake8.policy.model import Policy, module_name
from ssot_flake8.services.imports_cache import ImportsCache
from ssot_flake8.source.imports import file_imports, internal_module


class ImportGraph:
    def __init__(self, policy: Policy):
        self.policy = policy
        self.packages = acyclic_packages(policy)
        self.skip = str(policy.session.get("exclude_type_checking_imports", "")).lower() == "true"
        self._files: dict[str, dict] = {}  # package -> module -> (file, is_package)
        self._edges: dict[str, dict[str, dict[str, int]]] = {}  # package -> importer -> imported

    def _load(self, package: str) -> None:
        if package not in self._edges:
            self._files[package] = files = package_files(self.policy, package)
            cache = ImportsCache.beside(self.policy.config_path)  # shared with `ssot audit`
            cache.prefetch((path, module, is_package) for module, (path, is_package) in files.items())
            self._edges[package] = static_edges(self.policy, package, self.skip, cache.imports_of)
            cache.save()

    def _targets(self, data: bytes, path: str, package: str) -> tuple[str, set[str]]:
        module, is_package = module_name(Path(path), self.policy)
        files = self._files[package]
        found = set()
        for imported in file_imports(data, path, module, is_package).objects:
            if self.skip and imported.typechecking_only:
                continue
            target = internal_module(imported.name, files)
            if target and target != module:
                found.add(target)
        return module, found

    def added_cycle(self, path: str, before: bytes, after: bytes) -> str:
        """A cycle the rewrite `before` -> `after` would add, as a chain ('' if none).

        Added means the package's count of import cycles (as `ssot audit` counts them) grows: a
        rewrite that only trades a cycle through a deprecated module for one through its
        replacement keeps the count, and is kept. Where both sides pass COUNTED cycles (a tangled
        package, whose count the audit stops at MAX_CYCLES anyway), added means the rewrite
        pulls modules into `module`'s strong component that were outside it.
        """
        module = module_name(Path(path), self.policy)[0]
        for package in self.packages:
            if not inside(module, package):
                continue
            self._load(package)
            _, old = self._targets(before, path, package)
            _, new = self._targets(after, path, package)
            graph = _package_graph(self._edges[package], package, module)
            back = _distances_to(module, graph)
            gained, lost = sorted(t for t in new - old if t in back), sorted(old - new)
            if not gained:
                continue
            more = _more_circuits(module, graph, gained, lost)
            if more is None:  # too many to count: does the tangle grow?
                more = bool(_tangle(back, graph, new) - _tangle(back, graph, old))
            if more:
                return f"{_shortest_cycle(module, graph, gained, back).chain(package)} (in {package})"
        return ""

    def update(self, path: str, after: bytes) -> None:
        """Record a kept rewrite: its module now imports what `after` imports."""
        module = module_name(Path(path), self.policy)[0]
        for package, edges in self._edges.items():
            if inside(module, package):
                _, targets = self._targets(after, path, package)
                edges[module] = dict.fromkeys(sorted(targets), 0)


# Only `module`'s own imports change, and an elementary cycle passes `module` once: so the cycles
# through the edges the rewrite keeps are the same before and after, and the count grows exactly
# when more cycles start with a gained edge than with a lost one. Counting those two sets (in
# step, stopping at the smaller) replaces listing every cycle of a tangled component twice.


def _package_graph(edges: Edges, package: str, module: str) -> dict[str, list[str]]:
    """Successor lists inside `package`, without `module`'s own imports (the rewrite sets them)."""
    return {
        importer: sorted(m for m in targets if m != importer and inside(m, package))
        for importer, targets in edges.items()
        if importer != module and inside(importer, package)
    }


def _distances_to(module: str, graph: dict[str, list[str]]) -> dict[str, int]:
    """Each module that reaches `module`, with the length of its shortest path there."""
    importers: dict[str, list[str]] = {}
    for importer, targets in graph.items():
        for target in targets:
            importers.setdefault(target, []).append(importer)
    distance, queue = {module: 0}, deque([module])
    while queue:
        current = queue.popleft()
        for importer in importers.get(current, ()):
            if importer not in distance:
                distance[importer] = distance[current] + 1
                queue.append(importer)
    return distance


COUNTED = 1_000  # cycles counted each way (~0.1 s in a tangled package) before `_tangle` decides


def _more_circuits(module: str, graph: dict[str, list[str]], gained: list[str],
                   lost: list[str]) -> bool | None:
    """Are there more cycles through `module` that start with an edge to `gained` than to `lost`?
    None when both pass COUNTED."""
    via_gained, via_lost = _circuits_via(module, graph, gained), _circuits_via(module, graph, lost)
    for _ in range(COUNTED):
        if next(via_gained, None) is None:
            return False
        if next(via_lost, None) is None:
            return True
    return None


def _tangle(distance: dict[str, int], graph: dict[str, list[str]], targets: set[str]) -> set[str]:
    """The modules on a cycle through `module` when it imports `targets`: those its targets reach
    that reach it back (`distance` holds the modules that reach it)."""
    start = [t for t in targets if t in distance]
    seen, stack = set(start), start
    while stack:
        for nxt in graph.get(stack.pop(), ()):
            if nxt in distance and nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


def _circuits_via(module: str, graph: dict[str, list[str]], first: list[str]) -> Iterator[tuple]:
    """The elementary cycles through `module` whose first step is to one of `first`."""
    if not first:
        return iter(())
    graph = {**graph, module: first}
    nodes = {module, *graph, *(m for targets in graph.values() for m in targets)}
    return circuits(module, graph, strong_component(module, graph, nodes))


def _shortest_cycle(module: str, graph: dict[str, list[str]], gained: list[str],
                    distance: dict[str, int]) -> Cycle:
    """The shortest added cycle (of those, the first by name at each step), as `ssot audit`
    rotates it."""
    path = [min(gained, key=lambda t: (distance[t], t))]
    while distance[path[-1]] > 1:
        path.append(min(m for m in graph[path[-1]] if distance.get(m) == distance[path[-1]] - 1))
    return _rotated([module, *path])


def _rotated(modules: list[str]) -> Cycle:
    start = modules.index(min(modules))
    order = modules[start:] + modules[:start]
    return Cycle(tuple(Step(a, b, 0) for a, b in zip(order, (*order[1:], order[0]), strict=True)))
