"""The import graph `ssot fix` keeps while it rewrites: would a rewrite close a new import cycle?

The packages are the ones `ssot audit` counts cycles in (the policy's `acyclic` contracts, else
its root packages). Their edges are parsed once, on the first rewrite that adds an import inside
one of them, and each kept rewrite replaces its module's edges, so a later file is judged against
the tree as the run leaves it (with `--diff` too: the patch applies every file).
"""

from __future__ import annotations

from pathlib import Path

from ssot_flake8.analysis.cycles import (
    Cycle,
    acyclic_packages,
    find_cycles,
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
        replacement keeps the count, and is kept.
        """
        module = module_name(Path(path), self.policy)[0]
        for package in self.packages:
            if not inside(module, package):
                continue
            self._load(package)
            _, old = self._targets(before, path, package)
            _, new = self._targets(after, path, package)
            edges = self._edges[package]
            if not any(_reaches(edges, target, module, package) for target in new - old):
                continue  # no new edge leads back: no new cycle
            old_cycles = _cycles_through(edges, module, old, package)
            new_cycles = _cycles_through(edges, module, new, package)
            if len(new_cycles) > len(old_cycles):
                known = {cycle.modules for cycle in old_cycles}
                added = next(cycle for cycle in new_cycles if cycle.modules not in known)
                return f"{added.chain(package)} (in {package})"
        return ""

    def update(self, path: str, after: bytes) -> None:
        """Record a kept rewrite: its module now imports what `after` imports."""
        module = module_name(Path(path), self.policy)[0]
        for package, edges in self._edges.items():
            if inside(module, package):
                _, targets = self._targets(after, path, package)
                edges[module] = dict.fromkeys(sorted(targets), 0)


def _reaches(edges: dict[str, dict[str, int]], start: str, goal: str, package: str) -> bool:
    seen, stack = {start}, [start]
    while stack:
        current = stack.pop()
        if current == goal:
            return True
        for nxt in edges.get(current, {}):
            if nxt not in seen and inside(nxt, package):
                seen.add(nxt)
                stack.append(nxt)
    return False


def _cycles_through(edges: dict[str, dict[str, int]], module: str, targets: set[str],
                    package: str) -> list[Cycle]:
    """The cycles through `module` when it imports `targets` (the rest of the graph as is)."""
    graph = {**edges, module: dict.fromkeys(sorted(targets), 0)}
    nodes = {*graph, *(m for targets in graph.values() for m in targets)}
    component = strong_component(module, graph, {m for m in nodes if inside(m, package)})
    inner = {a: {b: line for b, line in graph[a].items() if b in component} for a in component}
    return [cycle for cycle in find_cycles(inner, package) if module in cycle.modules]
