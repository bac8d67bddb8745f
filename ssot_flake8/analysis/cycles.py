"""Import cycles inside a package, listed one by one as chains (`a -> b -> c -> a`, with lines).

One enumerator, `find_cycles`, serves every front-end: the `acyclic` contract feeds it the edges
of import-linter's graph (`graph_edges`), the command line and the audit feed it edges parsed with
`ast` (`static_edges`, `cycles_for`). import-linter's `acyclic_siblings` only nominates cycle
breakers and grimp has no cycle listing (grimp #189), so a team cannot count its cycles there.

Edges are `{importer: {imported: line}}`. A cycle is elementary (no module twice), reported once,
rotated to start at its smallest module name; the list is sorted by length, then by modules.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from ssot_flake8.policy.model import Policy, as_list, module_path
from ssot_flake8.source.imports import ImportedObject, file_imports, internal_module

Edges = dict[str, dict[str, int]]
MAX_CYCLES = 10_000  # a tangled package can hold millions; the first ten thousand make the point


@dataclass(frozen=True)
class Step:
    importer: str
    imported: str
    line: int  # the first line of `importer` that imports `imported` (0: unknown)


@dataclass(frozen=True)
class Cycle:
    steps: tuple[Step, ...]

    @property
    def modules(self) -> tuple[str, ...]:
        return tuple(step.importer for step in self.steps)

    def chain(self, relative_to: str = "") -> str:
        """`a -> b -> c -> a`; names shortened below `relative_to` when given."""
        names = [*self.modules, self.modules[0]]
        return " -> ".join(_shorten(name, relative_to) for name in names)

    def step_lines(self, relative_to: str = "") -> list[str]:
        """One `importer -> imported (l.N)` per step, the way import-linter prints a chain."""
        return [
            f"{_shorten(s.importer, relative_to)} -> {_shorten(s.imported, relative_to)} (l.{s.line})"
            for s in self.steps
        ]

    def sort_key(self) -> tuple[int, tuple[str, ...]]:
        return len(self.steps), self.modules


def _shorten(name: str, package: str) -> str:
    if package and name.startswith(package + "."):
        return name[len(package) + 1:]
    return name


def inside(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


# -- the enumerator ----------------------------------------------------------------------------


def find_cycles(edges: Edges, package: str, limit: int = MAX_CYCLES) -> list[Cycle]:
    """Every elementary import cycle among the modules of `package` (Johnson's algorithm)."""
    graph = {
        importer: sorted(m for m in targets if inside(m, package) and m != importer)
        for importer, targets in edges.items()
        if inside(importer, package)
    }
    nodes = sorted(set(graph).union(*graph.values()) if graph else ())
    found: list[Cycle] = []
    for index, start in enumerate(nodes):
        component = strong_component(start, graph, set(nodes[index:]))
        for circuit in circuits(start, graph, component):
            steps = zip(circuit, (*circuit[1:], circuit[0]), strict=True)
            found.append(Cycle(tuple(Step(a, b, edges[a][b]) for a, b in steps)))
            if len(found) >= limit:
                return sorted(found, key=Cycle.sort_key)
    return sorted(found, key=Cycle.sort_key)


def strong_component(start: str, graph: Mapping[str, Iterable[str]], allowed: set[str]) -> set[str]:
    """The modules of `allowed` that `start` reaches and that reach `start` back."""
    forward = _reach(start, lambda n: graph.get(n, ()), allowed)
    reverse: dict[str, list[str]] = defaultdict(list)
    for importer in forward:
        for imported in graph.get(importer, ()):
            reverse[imported].append(importer)
    return forward & _reach(start, lambda n: reverse.get(n, ()), forward)


def _reach(start: str, neighbours, allowed: set[str]) -> set[str]:
    seen, stack = {start}, [start]
    while stack:
        for nxt in neighbours(stack.pop()):
            if nxt in allowed and nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


def circuits(start: str, graph: dict[str, list[str]], component: set[str]) -> Iterator[tuple]:
    """Johnson's circuit search from `start` inside its strong component (iterative)."""
    if len(component) < 2:
        return

    def successors(node: str) -> Iterator[str]:
        return (m for m in graph.get(node, ()) if m in component)

    blocked, blocked_by = {start}, defaultdict(set)
    path, stack, closed = [start], [successors(start)], [False]
    while stack:
        for nxt in stack[-1]:
            if nxt == start:
                yield tuple(path)
                closed[-1] = True
            elif nxt not in blocked:
                path.append(nxt)
                blocked.add(nxt)
                stack.append(successors(nxt))
                closed.append(False)
                break
        else:
            stack.pop()
            node, found = path.pop(), closed.pop()
            if found:
                _unblock(node, blocked, blocked_by)
                if closed:
                    closed[-1] = True
            else:
                for m in successors(node):
                    blocked_by[m].add(node)


def _unblock(node: str, blocked: set[str], blocked_by: dict[str, set[str]]) -> None:
    stack = [node]
    while stack:
        current = stack.pop()
        if current in blocked:
            blocked.discard(current)
            stack.extend(blocked_by.pop(current, ()))


# -- edge builders -----------------------------------------------------------------------------


def graph_edges(graph, package: str) -> Edges:
    """The edges of a grimp import graph among the modules of `package`, with their first line."""
    modules = {package, *graph.find_descendants(package)}
    edges: Edges = {}
    for importer in sorted(modules):
        for imported in graph.find_modules_directly_imported_by(importer):
            if imported in modules:
                details = graph.get_import_details(importer=importer, imported=imported)
                lines = [d["line_number"] for d in details if d.get("line_number")]
                edges.setdefault(importer, {})[imported] = min(lines, default=0)
    return edges


ImportsOf = Callable[[Path, str, bool], Iterable[ImportedObject]]  # (file, module, is_package)


def read_imports(path: Path, module: str, is_package: bool) -> tuple[ImportedObject, ...]:
    try:
        data = path.read_bytes()
    except OSError:
        return ()
    return file_imports(data, str(path), module, is_package).objects


def static_edges(policy: Policy, package: str, skip_type_checking: bool = False,
                 imports_of: ImportsOf = read_imports) -> Edges:
    """The edges among the modules of `package`, parsed from its files; nothing is imported.

    An import counts as grimp counts it (source.imports): `from a import b` imports `a.b` when
    that is a module, else `a`; imports inside functions count too. A file that does not parse
    gives the imports the fallback scanner reads past its error, as `ssot lint-imports` does.
    `imports_of` reads one file's imports (the audit passes a cache's).
    """
    files = package_files(policy, package)
    edges: Edges = {}
    for module, (path, is_package) in sorted(files.items()):
        for imported in imports_of(path, module, is_package):
            if skip_type_checking and imported.typechecking_only:
                continue
            target = internal_module(imported.name, files)
            if target and target != module:
                lines = edges.setdefault(module, {})
                lines[target] = min(lines.get(target, imported.line_number), imported.line_number)
    return edges


def package_files(policy: Policy, package: str) -> dict[str, tuple[Path, bool]]:
    """Module name -> (file, is a package `__init__`) for every module of `package`."""
    files: dict[str, tuple[Path, bool]] = {}
    for root in policy.source_roots:
        found = module_path(root, package)
        if found is None:
            continue
        if found.is_file() and found.name != "__init__.py":
            files[package] = (found, False)
            continue
        directory = found.parent if found.is_file() else found
        for path in sorted(directory.rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            is_package = parts[-1] == "__init__"
            name = ".".join(parts[:-1] if is_package else parts)
            if all(part.isidentifier() for part in name.split(".")):
                files[name] = (path, is_package)
    return files


# -- the simple entry point for the command line and the audit -----------------------------------


def cycles_for(policy: Policy, packages: Iterable[str] | None = None,
               imports_of: ImportsOf = read_imports) -> list[Cycle]:
    """Every import cycle inside `packages` (default: the packages of the config's `acyclic`
    contracts, else the root packages), parsed statically from the policy's source root."""
    chosen = list(packages) if packages is not None else acyclic_packages(policy)
    skip = str(policy.session.get("exclude_type_checking_imports", "")).lower() == "true"
    found: dict[tuple[str, ...], Cycle] = {}
    for package in chosen:
        for cycle in find_cycles(static_edges(policy, package, skip, imports_of), package):
            found.setdefault(cycle.modules, cycle)
    return sorted(found.values(), key=Cycle.sort_key)


ACYCLIC_CLASS = "ssot_flake8.contracts.AcyclicContract"


def acyclic_packages(policy: Policy) -> list[str]:
    aliases = {
        alias.strip()
        for alias, _, target in (e.partition(":") for e in as_list(policy.session.get("contract_types")))
        if target.strip() == ACYCLIC_CLASS
    }
    packages = [
        package
        for options in policy.contracts
        if options.get("type") in aliases
        for package in as_list(options.get("packages"))
    ]
    return packages or list(policy.root_packages)
