"""The analysis behind `ssot init`: a static scan of a package, and the policy it suggests.

Each module is parsed once with `ast` and reduced to a small summary (the tree is dropped), so a
large code base fits in memory; big trees are parsed in a process pool. The README section
"`ssot init`" explains every criterion below.
"""

from __future__ import annotations

import ast
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ssot_flake8.rules.definitions import factory_shaped, import_only
from ssot_flake8.source.text import SourceError, decode, dotted_name, parse
from ssot_flake8.source.tree import own_nodes, string_items
from ssot_flake8.support.parallel import map_in_workers, may_start_workers
from ssot_flake8.support.progress import Progress

LEGACY_WORDS = ("legacy", "old", "deprecated", "compat", "shim", "adapter", "migration", "backup", "tmp")
CACHE_DECORATORS = {"lru_cache", "cache"}
CONTEXT_ARGUMENT = re.compile(r"^(user_context|\w+_context|tenant\w*)$")
NOT_REGISTERED = re.compile(r"(Error|Exception|Warning|Factory)$|^_|^Test")  # see is_candidate
SKIPPED_DIRS = {".git", ".venv", "venv", "__pycache__", ".tox", ".mypy_cache", "node_modules"}
POOL_THRESHOLD = 400  # files; below this a process pool costs more than it saves


# -- module summaries ------------------------------------------------------------------------------


@dataclass
class Function:
    """What `init` needs to know about one function or method."""

    name: str
    owner: str | None  # the class it is a method of
    factory_shaped: bool
    cached: bool  # @lru_cache / @cache
    returns: list[str]  # callee of every returned call (`X(...)`, directly or through a local)
    global_caches: dict[str, str]  # global name -> callee of the call assigned to it


@dataclass
class Module:
    name: str
    path: Path
    is_package: bool
    import_only: bool = False
    documented_deprecated: bool = False
    classes: dict[str, tuple[str, ...]] = field(default_factory=dict)  # name -> __init__ arguments
    functions: set[str] = field(default_factory=set)  # top-level function names
    builders: list[Function] = field(default_factory=list)  # functions that return a call
    aliases: dict[str, str] = field(default_factory=dict)  # `X = a.b` at the top level
    imports: dict[str, str] = field(default_factory=dict)  # module-level local name -> qualname
    stars: list[str] = field(default_factory=list)  # modules star-imported at the top level
    all_names: set[str] = field(default_factory=set)
    explicit: set[str] = field(default_factory=set)  # `import X as X`
    imported: list[str] = field(default_factory=list)  # every `from M import N` anywhere, as M.N
    instances: list[tuple[int, str]] = field(default_factory=list)  # top-level `x = Callee(...)`

    def exported(self) -> set[str]:
        """What `from module import *` brings (its `__all__`, else its public names)."""
        if self.all_names:
            return set(self.all_names)
        names = {*self.classes, *self.functions, *self.aliases, *self.imports}
        return {name for name in names if not name.startswith("_")}


def scan(package: str, source_root: Path) -> tuple[dict[str, Module], list[str]]:
    """A summary of every module of `package` under `source_root`; one warning per unreadable file."""
    base = source_root.joinpath(*package.split("."))
    files = sorted(base.rglob("*.py")) if base.is_dir() else [base.with_suffix(".py")]
    jobs = [
        (str(path), _module_name(path, source_root))
        for path in files
        if not SKIPPED_DIRS.intersection(path.relative_to(source_root).parts)
    ]
    modules, warnings = {}, []
    with Progress("ssot init: scanning", len(jobs)) as progress:
        for module, warning in _summaries(jobs):
            if module:
                modules[module.name] = module
            if warning:
                warnings.append(warning)
            progress.advance()
    return modules, warnings


def _summaries(jobs: list[tuple[str, str]]):
    workers = min(os.cpu_count() or 1, 8)
    if len(jobs) < POOL_THRESHOLD or workers < 2 or not may_start_workers():
        return map(summarize, jobs)
    return map_in_workers(summarize, jobs, workers, 64)


def _module_name(path: Path, source_root: Path) -> str:
    parts = list(path.relative_to(source_root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def summarize(job: tuple[str, str]) -> tuple[Module | None, str | None]:
    path_text, name = job
    path = Path(path_text)
    try:
        tree = parse(decode(path.read_bytes()), path_text)
    except SourceError as error:
        return None, f"{path_text}:{error.line}: skipped: {error}"
    except OSError as error:
        return None, f"{path_text}: skipped: {error.strerror}"
    module = Module(name, path, path.name == "__init__.py")
    module.import_only = import_only(tree)
    module.documented_deprecated = (ast.get_docstring(tree) or "").lower().startswith("deprecated")
    for statement in tree.body:
        for node in _top_level(statement):
            _read_statement(module, node)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            source = absolute(module, node)
            module.imported += [f"{source}.{a.name}" for a in node.names if source and a.name != "*"]
    return module, None


def _top_level(statement: ast.stmt):
    """Top-level statements, looking into `try`/`if` blocks (import fallbacks, TYPE_CHECKING)."""
    if isinstance(statement, ast.Try):
        for block in (statement.body, *(h.body for h in statement.handlers), statement.orelse):
            for inner in block:
                yield from _top_level(inner)
    elif isinstance(statement, ast.If):
        for inner in (*statement.body, *statement.orelse):
            yield from _top_level(inner)
    else:
        yield statement


def _read_statement(module: Module, node: ast.stmt) -> None:
    if isinstance(node, ast.ClassDef):
        module.classes.setdefault(node.name, _init_arguments(node))
        for item in node.body:
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and not item.name.startswith("__"):
                _read_function(module, item, node)
    elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        module.functions.add(node.name)
        _read_function(module, node, None)
    elif isinstance(node, ast.ImportFrom):
        _read_import_from(module, node)
    elif isinstance(node, ast.Import):
        module.imports.update({a.asname: a.name for a in node.names if a.asname})
    elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)) and node.value is not None:
        _read_assignment(module, node)


def _read_import_from(module: Module, node: ast.ImportFrom) -> None:
    source = absolute(module, node)
    for alias in node.names if source else ():
        if alias.name == "*":
            module.stars.append(source)
            continue
        local = alias.asname or alias.name
        module.imports.setdefault(local, f"{source}.{alias.name}")
        if alias.asname == alias.name:
            module.explicit.add(local)


def _read_assignment(module: Module, node: ast.Assign | ast.AnnAssign | ast.AugAssign) -> None:
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    for target in targets:
        if not isinstance(target, ast.Name):
            continue
        if target.id == "__all__":
            module.all_names |= string_items(node.value)
        elif dotted_name(node.value):
            module.aliases.setdefault(target.id, dotted_name(node.value))
        elif isinstance(node.value, ast.Call) and dotted_name(node.value.func):
            module.instances.append((node.lineno, dotted_name(node.value.func)))


def _init_arguments(node: ast.ClassDef) -> tuple[str, ...]:
    for item in node.body:
        if isinstance(item, ast.FunctionDef) and item.name == "__init__":
            return tuple(a.arg for a in (*item.args.args, *item.args.kwonlyargs))
    return ()


def _read_function(module: Module, node, owner: ast.ClassDef | None) -> None:
    """Keep only what a getter or factory is judged on: what it returns, caches and is named."""
    assigned, declared, caches = {}, set(), {}
    own = list(own_nodes(node))
    for child in own:
        if isinstance(child, ast.Global):
            declared.update(child.names)
    for child in own:
        if isinstance(child, ast.Assign) and isinstance(child.value, ast.Call):
            callee = _callee(child.value)
            for target in child.targets:
                if isinstance(target, ast.Name) and callee:
                    assigned[target.id] = callee
                    if target.id in declared:
                        caches[target.id] = callee
    returns = []
    for child in own:
        if isinstance(child, ast.Return) and child.value is not None:
            value = child.value.value if isinstance(child.value, ast.Await) else child.value
            callee = _callee(value) if isinstance(value, ast.Call) else None
            if callee is None and isinstance(value, ast.Name):
                callee = assigned.get(value.id)
            if callee:
                returns.append(callee)
    if returns:
        decorators = {_last_name(d.func if isinstance(d, ast.Call) else d) for d in node.decorator_list}
        module.builders.append(Function(
            node.name, owner.name if owner else None, factory_shaped(node, owner),
            bool(decorators & CACHE_DECORATORS), returns, caches,
        ))


def _callee(call: ast.Call) -> str | None:
    return dotted_name(call.func)


def _last_name(node: ast.AST) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def absolute(module: Module, node: ast.ImportFrom) -> str | None:
    if not node.level:
        return node.module
    parts = module.name.split(".") if module.is_package else module.name.split(".")[:-1]
    if node.level - 1 > len(parts):
        return None
    base = parts[: len(parts) - (node.level - 1)]
    return ".".join(base + (node.module.split(".") if node.module else [])) or None


# -- resolving names across the package ------------------------------------------------------------


class Index:
    """Where names lead: through imports, re-exports, star imports and aliases, to definitions."""

    def __init__(self, modules: dict[str, Module]):
        self.modules = modules
        self._exported = {}

    def exported(self, module_name: str) -> set[str]:
        if module_name not in self._exported:
            module = self.modules.get(module_name)
            self._exported[module_name] = module.exported() if module else set()
        return self._exported[module_name]

    def split(self, qualname: str) -> tuple[Module, str] | None:
        module, _, name = qualname.rpartition(".")
        found = self.modules.get(module)
        return (found, name) if found else None

    def local(self, module: Module, name: str) -> str | None:
        """The qualname a module-level name of `module` stands for (None: not a known name)."""
        if name in module.classes or name in module.aliases or name in module.functions:
            return f"{module.name}.{name}"
        if name in module.imports:
            return module.imports[name]
        for star in module.stars:
            if name in self.exported(star):
                return f"{star}.{name}"
        return None

    def dotted(self, module: Module, dotted: str) -> str | None:
        """A dotted name written in `module` (`a.b.C`), as a qualname."""
        first, _, rest = dotted.partition(".")
        base = self.local(module, first)
        return f"{base}.{rest}" if base and rest else base

    def step(self, qualname: str) -> str | None:
        """One hop: an alias or re-export to what it names (None at a definition or unknown name)."""
        found = self.split(qualname)
        if found is None:
            return None
        module, name = found
        if name in module.classes or name in module.functions:
            return None
        if name in module.aliases:
            return self.dotted(module, module.aliases[name])
        target = self.local(module, name)
        return target if target != qualname else None

    def follow(self, qualname: str | None, stop=lambda q: False) -> str | None:
        """Hop until `stop(q)` holds or nothing is left; the last name reached (or None)."""
        seen = set()
        while qualname and not stop(qualname) and qualname not in seen:
            seen.add(qualname)
            following = self.step(qualname)
            if following is None:
                break
            qualname = following
        return qualname

    def definition(self, qualname: str | None) -> str | None:
        """The class definition (module.Class) a qualname finally names, if any."""
        final = self.follow(qualname)
        found = self.split(final) if final else None
        return final if found and found[1] in found[0].classes else None

    def reexports(self) -> dict[str, str]:
        """Every `module.name` that re-exports something -> the qualname it imports: names a package
        `__init__` or an import-only module imports (star imports too), or any module lists in
        `__all__` or imports as `X as X`."""
        found = {}
        for module in self.modules.values():
            reexporting = module.is_package or module.import_only
            names = set(module.imports) | {n for star in module.stars for n in self.exported(star)}
            for local in names:
                if reexporting or local in module.all_names or local in module.explicit:
                    target = self.local(module, local)
                    if target:
                        found[f"{module.name}.{local}"] = target
        return found


# -- duplicate implementations ---------------------------------------------------------------------


def is_candidate(name: str) -> bool:
    """Classes that can be registered symbols. Exceptions, private and test classes repeat by
    design; `...Factory` classes are banned as factories instead."""
    return NOT_REGISTERED.search(name) is None


@dataclass
class Group:
    """One class with several implementations, its aliases and re-exports."""

    definitions: list[str]  # module.Class of every implementation
    aliases: list[str]  # module.Name of every `Name = <member>` alias
    canonical: str = ""
    imports: dict[str, int] = field(default_factory=dict)  # home -> static imports of it
    reexports: set[str] = field(default_factory=set)
    required_arguments: tuple[str, ...] = ()

    @property
    def homes(self) -> list[str]:
        return sorted({*self.definitions, *self.aliases})

    @property
    def old_names(self) -> list[str]:
        return sorted({*self.homes, *self.reexports} - {self.canonical})

    @property
    def name(self) -> str:
        return self.canonical.rpartition(".")[2]


def duplicate_groups(index: Index) -> list[Group]:
    """Classes defined more than once, joined by name and by `X = Y` aliases (union-find)."""
    parent: dict[str, str] = {}

    def find(name: str) -> str:
        while parent.setdefault(name, name) != name:
            name = parent[name]
        return name

    definitions: dict[str, list[str]] = {}
    for module in index.modules.values():
        for name in filter(is_candidate, module.classes):
            definitions.setdefault(name, []).append(f"{module.name}.{name}")
    aliases: dict[str, list[str]] = {}
    for module in index.modules.values():
        for name in module.aliases:
            target = index.definition(f"{module.name}.{name}")
            target_name = target.rpartition(".")[2] if target else ""
            if target_name in definitions and is_candidate(name):
                parent[find(name)] = find(target_name)
                aliases.setdefault(name, []).append(f"{module.name}.{name}")
    members: dict[str, Group] = {}
    for name in sorted({*definitions, *aliases}):
        group = members.setdefault(find(name), Group([], []))
        group.definitions += definitions.get(name, [])
        group.aliases += aliases.get(name, [])
    return [group for group in members.values() if len(group.definitions) > 1]


def choose_canonical(group: Group, import_counts: Counter) -> None:
    """A home in the module named after the class, then fewer legacy words, then the most static
    imports, then the shortest module path."""
    group.imports = {home: import_counts[home] for home in group.homes}

    def rank(qualname: str):
        module, _, name = qualname.rpartition(".")
        named_after = module.rpartition(".")[2].replace("_", "") == name.lower()
        legacy = sum(word in qualname.lower() for word in LEGACY_WORDS)
        return (not named_after, legacy, -group.imports[qualname], module.count("."), qualname)

    group.canonical = min(group.homes, key=rank)


def required_arguments(group: Group, index: Index) -> tuple[str, ...]:
    definition = index.definition(group.canonical)
    module, name = index.split(definition) if definition else (None, "")
    arguments = module.classes[name] if module else ()
    return tuple(a for a in arguments if CONTEXT_ARGUMENT.match(a))


# -- singleton getters and factories ---------------------------------------------------------------


@dataclass(frozen=True)
class Builder:
    qualname: str
    kind: str  # "singleton" or "factory"
    how: str  # what makes it one, for the report
    group: int  # index of the group it builds in the list of groups


def find_builders(index: Index, groups: list[Group]) -> dict[str, Builder]:
    """Getters and factories returning a new instance of a duplicated class; repeated until no new
    one appears, so `create_x_async()` returning `create_x()` is found too."""
    group_of = {d: number for number, g in enumerate(groups) for d in g.definitions}
    functions = [(m, f) for m in index.modules.values() for f in m.builders]
    builders: dict[str, Builder] = {}
    while True:
        found = len(builders)
        for module, function in functions:
            qualname = ".".join(filter(None, (module.name, function.owner, function.name)))
            if qualname not in builders:
                builder = _judge(index, module, function, qualname, group_of, builders)
                if builder:
                    builders[qualname] = builder
        if len(builders) == found:
            return _collapse_factory_classes(builders)


def _judge(index, module, function: Function, qualname, group_of, builders) -> Builder | None:
    def builds(callee: str) -> int | None:
        return _built(index, module, callee, function.owner, group_of, builders)

    group = next((g for g in map(builds, function.returns) if g is not None), None)
    if group is None:
        return None
    caches = function.global_caches.items()
    cache = next((name for name, callee in caches if builds(callee) is not None), None)
    if cache:
        return Builder(qualname, "singleton", f"`global {cache}` cache", group)
    if function.cached:
        return Builder(qualname, "singleton", "cached getter", group)
    if function.factory_shaped:
        factory_method = function.owner is not None and function.owner.endswith("Factory")
        how = "method of a factory class" if factory_method else "factory"
        return Builder(qualname, "factory", how, group)
    return None


def _built(index, module, callee: str, owner, group_of, builders) -> int | None:
    """The group whose instance a call of `callee` returns: a member, `cls` in a member, or a
    builder (also an attribute of a builder class reached through an import)."""
    if callee == "cls" and owner:
        return group_of.get(f"{module.name}.{owner}")
    qualname = index.dotted(module, callee)
    if not qualname:
        return None
    definition = index.definition(qualname)
    if definition in group_of:
        return group_of[definition]
    reached = index.follow(qualname, stop=builders.__contains__)
    if reached in builders:
        return builders[reached].group
    parent, _, attribute = qualname.rpartition(".")
    owner_class = index.follow(parent, stop=lambda q: f"{q}.{attribute}" in builders)
    found = builders.get(f"{owner_class}.{attribute}") if owner_class else None
    return found.group if found else None


def _collapse_factory_classes(builders: dict[str, Builder]) -> dict[str, Builder]:
    """Methods of a `...Factory` class become one ban of the class (its attributes are banned too)."""
    result: dict[str, Builder] = {}
    for builder in builders.values():
        if builder.how == "method of a factory class":
            owner = builder.qualname.rpartition(".")[0]
            result[owner] = Builder(owner, "factory", "factory class", builder.group)
        else:
            result[builder.qualname] = builder
    return dict(sorted(result.items()))


# -- the proposal ----------------------------------------------------------------------------------


@dataclass
class Proposal:
    package: str
    root_package: str
    groups: list[Group]
    builders: dict[str, Builder]  # definitions of getters and factories
    banned: dict[str, Builder]  # every banned path (definitions and re-exports) -> its builder
    deprecated: dict[str, tuple[str, str]]  # module -> (replacement or "", why)
    instances: list[str]  # module-level instances (`path:line`), reported only
    unwritten: list[str]  # duplicated class names without evidence of drift

    @property
    def contract_id(self) -> str:
        return f"{self.package.replace('.', '-')}-ssot"

    def fields(self) -> dict[str, list[str]]:
        def instead(group: Group) -> str:
            return f"construct {group.name}({', '.join(f'{a}=...' for a in group.required_arguments)})"

        return {
            "canonical": [g.canonical for g in self.groups],
            "old_names": sorted(f"{old} -> {g.canonical}" for g in self.groups for old in g.old_names),
            "deprecated_modules": [
                f"{module} -> {replacement}" if replacement else module
                for module, (replacement, _) in self.deprecated.items()
            ],
            "banned_calls": [
                f"{path}: {b.kind}; {instead(self.groups[b.group])}" for path, b in self.banned.items()
            ],
            "required_arguments": [
                f"{g.canonical}: {', '.join(g.required_arguments)}"
                for g in self.groups if g.required_arguments
            ],
        }


def propose(package: str, modules: dict[str, Module]) -> Proposal:
    """The starter policy. Only duplicates with evidence of drift are written (see `_drifted`); a
    name that merely repeats (`Config` in two places) is listed, not written."""
    index = Index(modules)
    counts = Counter(q for module in modules.values() for q in module.imported)
    groups = duplicate_groups(index)
    for group in groups:
        choose_canonical(group, counts)
    builders = find_builders(index, groups)
    reexports = index.reexports()
    group_of = {d: number for number, g in enumerate(groups) for d in g.definitions}
    for path, target in reexports.items():
        number = group_of.get(index.definition(target))
        if number is not None:
            groups[number].reexports.add(path)
    kept = [n for n, g in enumerate(groups) if _drifted(index, n, g, builders)]
    kept.sort(key=lambda n: groups[n].canonical)
    renumber = {old: new for new, old in enumerate(kept)}
    builders = {
        q: Builder(q, b.kind, b.how, renumber[b.group]) for q, b in builders.items() if b.group in renumber
    }
    written = [groups[n] for n in kept]
    for group in written:
        group.reexports -= set(group.homes)
        group.required_arguments = required_arguments(group, index)
    banned = dict(builders)
    for path, target in reexports.items():
        reached = index.follow(target, stop=builders.__contains__)
        if reached in builders and path not in banned:
            banned[path] = builders[reached]
    root = package.split(".")[0]
    unwritten = sorted({groups[n].name for n in range(len(groups)) if n not in renumber})
    return Proposal(
        package, root, written, builders, dict(sorted(banned.items())),
        deprecated_modules(index, written, banned, reexports, root),
        module_instances(index, written), unwritten,
    )


def _drifted(index: Index, number: int, group: Group, builders: dict[str, Builder]) -> bool:
    """Evidence that a repeated class name is drift, not coincidence: an alias; a singleton getter;
    a factory outside the class's own modules (not an alternate constructor like `from_dict`);
    a re-export by a shim module or by a package the class does not live in."""
    homes = {d.rpartition(".")[0] for d in group.definitions}
    for builder in builders.values():
        if builder.group != number:
            continue
        where = builder.qualname.rpartition(".")[0]
        owner_module = where if where in index.modules else where.rpartition(".")[0]  # a method
        if builder.kind == "singleton" or owner_module not in homes:
            return True
    for path in group.reexports - set(group.homes):
        module = index.modules[path.rpartition(".")[0]]
        outside = not any(home.startswith(module.name + ".") for home in homes)
        if not module.is_package or outside:
            return True
    return bool(group.aliases)


def module_instances(index: Index, groups: list[Group]) -> list[str]:
    members = {d for g in groups for d in g.definitions}
    return sorted(
        f"{module.path}:{line}"
        for module in index.modules.values()
        for line, callee in module.instances
        if index.definition(index.dotted(module, callee)) in members
    )


# -- shims and deprecated modules ------------------------------------------------------------------


def deprecated_modules(index: Index, groups: list[Group], banned: dict[str, Builder],
                       reexports: dict[str, str], root: str) -> dict[str, tuple[str, str]]:
    """module -> (replacement, why): shims that re-export a registered class or a banned call,
    packages made only of import-only modules (one of them such a shim), and modules whose
    docstring starts with "deprecated"."""
    canonical_of = {d: g.canonical for g in groups for d in (*g.definitions, *g.aliases)}
    canonical_of.update({path: groups[b.group].canonical for path, b in banned.items()})
    confirmed = {path.rpartition(".")[0] for path, target in reexports.items()
                 if index.definition(target) in canonical_of or path in banned}
    shims = {m.name for m in index.modules.values()
             if m.import_only and not m.is_package and _imports_from(m, root)}
    found = {}
    for module in index.modules.values():
        if module.name in shims and module.name in confirmed:
            found[module.name] = (_replacement(index, module, canonical_of), "import-only shim")
        elif module.documented_deprecated and not module.is_package:
            found[module.name] = (_replacement(index, module, canonical_of), "documented as deprecated")
    for package in sorted((m for m in index.modules.values() if m.is_package), key=lambda m: m.name):
        children = [m for m in index.modules.values() if m.name.startswith(package.name + ".")]
        if (children and package.import_only and all(c.name in shims for c in children)
                and any(c.name in found for c in children)):
            replacements = [_replacement(index, c, canonical_of) for c in children]
            for child in children:
                found.pop(child.name, None)
            found[package.name] = (_common_package(replacements), "package of shims")
    return dict(sorted(found.items()))


def _imports_from(module: Module, root: str) -> bool:
    inside = any(q == root or q.startswith(root + ".") for q in module.imports.values())
    return inside or bool(module.stars)


def _replacement(index: Index, module: Module, canonical_of: dict[str, str]) -> str:
    """Where the module's imports point: a registered class's canonical module first."""
    registered, other = Counter(), Counter()
    for qualname in module.imports.values():
        definition = index.definition(qualname)
        canonical = canonical_of.get(qualname) or canonical_of.get(definition)
        if canonical:
            registered[canonical.rpartition(".")[0]] += 1
        elif definition:
            other[definition.rpartition(".")[0]] += 1
    for targets in (registered, other):
        if targets:
            return min(targets, key=lambda m: (-targets[m], m))
    return ""


def _common_package(modules: list[str]) -> str:
    split = [m.split(".") for m in modules if m]
    common = []
    for parts in zip(*split, strict=False):  # stops at the shortest
        if len(set(parts)) != 1:
            break
        common.append(parts[0])
    return ".".join(common) if len(common) > 1 else ""
