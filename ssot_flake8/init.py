"""`ssot init PACKAGE`: scan a package (with `ast` only) and write a starter SSOT policy.

What it looks for, and how it proposes the policy (README, "ssot init", says why):
- duplicate implementations: top-level classes defined in more than one place, grouped by name and
  joined through aliases (`WebSocketManager = UnifiedWebSocketManager` puts both names in one group);
- the canonical home of each group: a module named after the class (`websocket_manager.py` for
  `WebSocketManager`) first, then fewer legacy words, then the most static imports, then the
  shortest path; every other home, alias and re-export of the group becomes an old name;
- shims: import-only modules (and packages made only of them), plus modules whose docstring starts
  with "deprecated" -> deprecated_modules, each with the replacement its imports point to;
- singleton getters (`global` cache, `@lru_cache`) and factories (factory-named functions, static
  and class methods, `...Factory` classes) that return an instance of a duplicated class, and the
  package paths that re-export them -> banned_calls;
- required_arguments: the `__init__` parameters named like a user context (`user_context`,
  `*_context`, `tenant*`) of the canonical class.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .atomic_write import write_atomic
from .cli import SKIPPED_DIRS, UsageError
from .engine import _factory_shaped, _import_only
from .policy import (
    CONTRACT_CLASS,
    PolicyError,
    _read_ini,
    _read_toml,
    build_policy,
    read_raw_config,
)
from .ruff_sync import shown
from .source import SourceError, decode, parse

OUTPUTS = (".importlinter", "setup.cfg", "pyproject.toml")
PRE_COMMIT = ".pre-commit-config.yaml"
LEGACY_WORDS = ("legacy", "old", "deprecated", "compat", "shim", "adapter", "migration", "backup", "tmp")
CACHE_DECORATORS = ("lru_cache", "cache")
CONTEXT_ARGUMENT = re.compile(r"^(user_context|\w+_context|tenant\w*)$")


def add_parser(verbs) -> None:
    parser = verbs.add_parser("init", help="scan a package and write a starter SSOT policy")
    parser.add_argument("package", help="the package to scan, e.g. netra_backend")
    parser.add_argument("--root", default=".", help="the project directory holding the package "
                        "(or its src/); the files are written there (default: .)")
    parser.add_argument("--output", choices=OUTPUTS, default=".importlinter",
                        help="the import-linter config to write the policy into (default: .importlinter)")
    parser.add_argument("--force", action="store_true",
                        help="replace an existing ssot contract / add to an existing pre-commit config")
    parser.set_defaults(handler=run_init)


# -- the scan ------------------------------------------------------------------------------------


@dataclass
class Module:
    name: str
    path: Path
    is_package: bool
    tree: ast.Module
    classes: dict[str, ast.ClassDef] = field(default_factory=dict)
    functions: set[str] = field(default_factory=set)
    aliases: dict[str, ast.expr] = field(default_factory=dict)  # `X = Y` at the top level
    imports: dict[str, str] = field(default_factory=dict)  # module-level local name -> qualname
    stars: list[str] = field(default_factory=list)  # modules star-imported at the top level
    all_names: set[str] = field(default_factory=set)
    explicit: set[str] = field(default_factory=set)  # `import X as X`
    imported: list[str] = field(default_factory=list)  # every `from M import N` anywhere, as M.N

    @property
    def import_only(self) -> bool:
        return _import_only(self.tree)

    def exported(self) -> set[str]:
        """What `from module import *` brings (its `__all__`, else its public names)."""
        if self.all_names:
            return set(self.all_names)
        names = {*self.classes, *self.functions, *self.aliases, *self.imports}
        return {name for name in names if not name.startswith("_")}


def scan(package: str, source_root: Path) -> tuple[dict[str, Module], list[str]]:
    """Every module of `package` under `source_root`, parsed; and one warning per unreadable file."""
    base = source_root.joinpath(*package.split("."))
    files = sorted(base.rglob("*.py")) if base.is_dir() else [base.with_suffix(".py")]
    modules, warnings = {}, []
    for path in files:
        if SKIPPED_DIRS.intersection(path.relative_to(source_root).parts):
            continue
        parts = list(path.relative_to(source_root).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        name = ".".join(parts[:-1] if is_package else parts)
        try:
            tree = parse(decode(path.read_bytes()), str(path))
        except SourceError as error:
            warnings.append(f"{shown(path)}:{error.line}: skipped: {error}")
            continue
        except OSError as error:
            warnings.append(f"{shown(path)}: skipped: {error.strerror}")
            continue
        modules[name] = read_module(Module(name, path, is_package, tree))
    return modules, warnings


def read_module(module: Module) -> Module:
    for statement in module.tree.body:
        for node in _top_level(statement):
            read_statement(module, node)
    for node in ast.walk(module.tree):
        if isinstance(node, ast.ImportFrom):
            source = absolute(module, node)
            module.imported += [f"{source}.{a.name}" for a in node.names if source and a.name != "*"]
    return module


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


def read_statement(module: Module, node: ast.stmt) -> None:
    if isinstance(node, ast.ClassDef):
        module.classes.setdefault(node.name, node)
    elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        module.functions.add(node.name)
    elif isinstance(node, ast.ImportFrom):
        source = absolute(module, node)
        for alias in node.names if source else ():
            if alias.name == "*":
                module.stars.append(source)
                continue
            local = alias.asname or alias.name
            module.imports.setdefault(local, f"{source}.{alias.name}")
            if alias.asname == alias.name:
                module.explicit.add(local)
    elif isinstance(node, ast.Import):
        for alias in node.names:
            if alias.asname:
                module.imports.setdefault(alias.asname, alias.name)
    elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)) and node.value is not None:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            if isinstance(target, ast.Name) and target.id == "__all__":
                module.all_names |= _strings(node.value)
            elif isinstance(target, ast.Name) and isinstance(node.value, (ast.Name, ast.Attribute)):
                module.aliases.setdefault(target.id, node.value)


def absolute(module: Module, node: ast.ImportFrom) -> str | None:
    if not node.level:
        return node.module
    parts = module.name.split(".") if module.is_package else module.name.split(".")[:-1]
    if node.level - 1 > len(parts):
        return None
    base = parts[: len(parts) - (node.level - 1)]
    return ".".join(base + (node.module.split(".") if node.module else [])) or None


def _strings(node: ast.AST) -> set[str]:
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return {e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)}
    if isinstance(node, ast.BinOp):
        return _strings(node.left) | _strings(node.right)
    return set()


# -- resolving names across the package ------------------------------------------------------------


class Index:
    """Where names lead: through imports, re-exports, star imports and aliases, to definitions."""

    def __init__(self, modules: dict[str, Module]):
        self.modules = modules

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
            source = self.modules.get(star)
            if source and name in source.exported():
                return f"{star}.{name}"
        return None

    def expression(self, module: Module, node: ast.AST) -> str | None:
        if isinstance(node, ast.Name):
            return self.local(module, node.id)
        if isinstance(node, ast.Attribute):
            base = self.expression(module, node.value)
            return f"{base}.{node.attr}" if base else None
        return None

    def definition(self, qualname: str, seen: frozenset = frozenset()) -> str | None:
        """The class definition (module.Class) a qualname finally names, if any."""
        found = self.split(qualname)
        if found is None or qualname in seen:
            return None
        module, name = found
        if name in module.classes:
            return qualname
        seen = seen | {qualname}
        if name in module.aliases:
            target = self.expression(module, module.aliases[name])
            return self.definition(target, seen) if target else None
        target = self.local(module, name)
        return self.definition(target, seen) if target and target != qualname else None


# -- duplicate implementations ---------------------------------------------------------------------


@dataclass
class Group:
    """One class with several implementations, aliases and re-exports."""

    definitions: list[str]  # module.Class of every implementation
    aliases: list[str]  # module.Name of every `Name = <member>` alias
    canonical: str = ""
    imports: Counter = field(default_factory=Counter)
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
        for name in module.classes:
            if not name.endswith("Factory"):  # factory classes are banned, not registered
                definitions.setdefault(name, []).append(f"{module.name}.{name}")
                find(name)
    aliases: dict[str, list[str]] = {}
    for module in index.modules.values():
        for name in module.aliases:
            target = index.definition(f"{module.name}.{name}")
            if target and target.rpartition(".")[2] in definitions:
                parent[find(name)] = find(target.rpartition(".")[2])
                aliases.setdefault(name, []).append(f"{module.name}.{name}")
    members: dict[str, Group] = {}
    for name in sorted(parent):
        group = members.setdefault(find(name), Group([], []))
        group.definitions += definitions.get(name, [])
        group.aliases += aliases.get(name, [])
    return [group for group in members.values() if len(group.definitions) > 1]


def choose_canonical(group: Group, index: Index) -> None:
    """The home callers should use; see the module docstring for the order of the criteria."""
    homes = set(group.homes)
    for module in index.modules.values():
        group.imports.update(q for q in module.imported if q in homes)

    def rank(qualname: str):
        module, _, name = qualname.rpartition(".")
        named_after = module.rpartition(".")[2].replace("_", "") == name.lower()
        legacy = sum(word in qualname.lower() for word in LEGACY_WORDS)
        return (not named_after, legacy, -group.imports[qualname], module.count("."), qualname)

    group.canonical = min(group.homes, key=rank)


def find_reexports(index: Index, qualnames: set[str], resolve) -> set[str]:
    """module.name paths that re-export one of `qualnames` (`resolve` maps a path to its target):
    names imported by a package `__init__` or an import-only module, or listed in `__all__`."""
    found = set()
    for module in index.modules.values():
        reexporting = module.is_package or module.import_only
        names = set(module.imports) | {n for star in module.stars for n in _star_names(index, star)}
        for local in names:
            if not (reexporting or local in module.all_names or local in module.explicit):
                continue
            path = f"{module.name}.{local}"
            target = index.local(module, local)
            if target and resolve(target) in qualnames:
                found.add(path)
    return found


def _star_names(index: Index, star: str) -> set[str]:
    source = index.modules.get(star)
    return source.exported() if source else set()


def required_arguments(group: Group, index: Index) -> tuple[str, ...]:
    definition = index.definition(group.canonical)
    found = index.split(definition) if definition else None
    if not found:
        return ()
    module, name = found
    for node in module.classes[name].body:
        if isinstance(node, ast.FunctionDef) and node.name == "__init__":
            arguments = [a.arg for a in (*node.args.args, *node.args.kwonlyargs)]
            return tuple(a for a in arguments if CONTEXT_ARGUMENT.match(a))
    return ()


# -- singletons and factories ----------------------------------------------------------------------


@dataclass(frozen=True)
class Builder:
    qualname: str
    kind: str  # "singleton" or "factory"
    how: str  # what makes it one, for the report
    builds: str  # the canonical qualname of the group it builds


def find_builders(index: Index, groups: list[Group]) -> list[Builder]:
    """Getters and factories returning a duplicated class; repeated until no new factory appears,
    so `create_x_async()` returning `create_x()` is found too."""
    group_of = {d: g for g in groups for d in g.definitions}
    builders: dict[str, Builder] = {}
    while True:
        before = len(builders)
        for module in index.modules.values():
            for function, owner in _functions(module):
                qualname = ".".join(filter(None, (module.name, owner and owner.name, function.name)))
                if qualname in builders:
                    continue
                builder = _judge(index, module, function, owner, qualname, group_of, builders)
                if builder:
                    builders[qualname] = builder
        if len(builders) == before:
            break
    return _collapse_factory_classes(list(builders.values()))


def _functions(module: Module):
    for node in module.tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node, None
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                is_function = isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
                if is_function and not item.name.startswith("__"):
                    yield item, node


def _judge(index, module, function, owner, qualname, group_of, builders) -> Builder | None:
    built = _built_group(index, module, function, owner, group_of, builders)
    if built is None:
        return None
    cache = _global_cache(index, module, function, owner, group_of, builders)
    if cache:
        return Builder(qualname, "singleton", f"`global {cache}` cache", built.canonical)
    decorators = {_last_name(d.func if isinstance(d, ast.Call) else d) for d in function.decorator_list}
    if decorators & set(CACHE_DECORATORS):
        return Builder(qualname, "singleton", "cached getter", built.canonical)
    if _factory_shaped(function, owner):
        how = "method of a factory class" if owner and owner.name.endswith("Factory") else "factory"
        return Builder(qualname, "factory", how, built.canonical)
    return None


def _built_group(index, module, function, owner, group_of, builders) -> Group | None:
    """The duplicated class whose new instance `function` returns (directly or via a local)."""
    assigned: dict[str, Group] = {}
    for node in _own_nodes(function):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            group = _construction(index, module, node.value, owner, group_of, builders)
            if group:
                assigned[node.targets[0].id] = group
    for node in _own_nodes(function):
        if isinstance(node, ast.Return) and node.value is not None:
            value = node.value.value if isinstance(node.value, ast.Await) else node.value
            group = _construction(index, module, value, owner, group_of, builders)
            if group is None and isinstance(value, ast.Name):
                group = assigned.get(value.id)
            if group:
                return group
    return None


def _construction(index, module, value, owner, group_of, builders) -> Group | None:
    """`Class(...)`, `cls(...)` in a duplicated class, or a call of a known builder."""
    if not isinstance(value, ast.Call):
        return None
    if isinstance(value.func, ast.Name) and value.func.id == "cls" and owner is not None:
        return group_of.get(f"{module.name}.{owner.name}")
    callee = index.expression(module, value.func)
    if not callee:
        return None
    definition = index.definition(callee)
    if definition in group_of:
        return group_of[definition]
    builder = builders.get(callee) or builders.get(_through_reexport(index, callee))
    if builder:
        return next(g for g in group_of.values() if g.canonical == builder.builds)
    return None


def _through_reexport(index: Index, qualname: str) -> str | None:
    found = index.split(qualname)
    if not found:
        return None
    module, name = found
    target = index.local(module, name)
    return target if target != qualname else None


def _global_cache(index, module, function, owner, group_of, builders) -> str | None:
    declared = {n for node in _own_nodes(function) if isinstance(node, ast.Global) for n in node.names}
    for node in _own_nodes(function):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id in declared for t in node.targets
        ) and _construction(index, module, node.value, owner, group_of, builders):
            return next(t.id for t in node.targets if isinstance(t, ast.Name) and t.id in declared)
    return None


def _own_nodes(function: ast.AST):
    stack = list(ast.iter_child_nodes(function))
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            stack.extend(ast.iter_child_nodes(node))


def _last_name(node: ast.AST) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _collapse_factory_classes(builders: list[Builder]) -> list[Builder]:
    """Methods of a `...Factory` class become one ban of the class (its attributes are banned too)."""
    result: dict[str, Builder] = {}
    for builder in builders:
        owner, _, _ = builder.qualname.rpartition(".")
        if builder.how == "method of a factory class":
            result[owner] = Builder(owner, "factory", "factory class", builder.builds)
        else:
            result[builder.qualname] = builder
    return sorted(result.values(), key=lambda b: b.qualname)


# -- shims and deprecated modules ------------------------------------------------------------------


def deprecated_modules(index: Index, groups: list[Group], root: str) -> dict[str, tuple[str, str]]:
    """module -> (replacement or "", why): shims, packages of shims, modules documented deprecated."""
    canonical_of = {home: g.canonical for g in groups for home in g.homes}
    found: dict[str, tuple[str, str]] = {}
    for module in index.modules.values():
        if module.is_package:
            continue
        if module.import_only and _imports_from(module, root):
            found[module.name] = (_replacement(index, module, canonical_of), "import-only shim")
        elif (ast.get_docstring(module.tree) or "").lower().startswith("deprecated"):
            found[module.name] = (_replacement(index, module, canonical_of), "documented as deprecated")
    for package in sorted((m for m in index.modules.values() if m.is_package), key=lambda m: m.name):
        children = [m for m in index.modules.values() if m.name.startswith(package.name + ".")]
        if children and package.import_only and all(c.name in found for c in children):
            replacement = _common_package([found[c.name][0] for c in children])
            for child in children:
                del found[child.name]
            found[package.name] = (replacement, "package of shims")
    return dict(sorted(found.items()))


def _imports_from(module: Module, root: str) -> bool:
    return any(q == root or q.startswith(root + ".") for q in module.imports.values()) or bool(
        module.stars)


def _replacement(index: Index, module: Module, canonical_of: dict[str, str]) -> str:
    """Where the module's imports point: a duplicated class's canonical module first."""
    group_targets, other_targets = Counter(), Counter()
    for local in module.imports:
        qualname = module.imports[local]
        definition = index.definition(qualname)
        if qualname in canonical_of or definition in canonical_of:
            canonical = canonical_of.get(qualname) or canonical_of[definition]
            group_targets[canonical.rpartition(".")[0]] += 1
        elif definition:
            other_targets[definition.rpartition(".")[0]] += 1
    for targets in (group_targets, other_targets):
        if targets:
            return min(targets, key=lambda m: (-targets[m], m))
    return ""


def _common_package(modules: list[str]) -> str:
    split = [m.split(".") for m in modules if m]
    if not split:
        return ""
    common = []
    for parts in zip(*split, strict=False):  # stop at the shortest
        if len(set(parts)) != 1:
            break
        common.append(parts[0])
    return ".".join(common) if len(common) > 1 else ""


# -- the proposal ----------------------------------------------------------------------------------


@dataclass
class Proposal:
    package: str
    root_package: str
    groups: list[Group]
    builders: list[Builder]
    banned: dict[str, Builder]  # every banned path (definitions and re-exports) -> its builder
    deprecated: dict[str, tuple[str, str]]
    instances: list[str]  # module-level instances, reported only

    @property
    def contract_id(self) -> str:
        return f"{self.package.replace('.', '-')}-ssot"

    def fields(self) -> dict[str, list[str]]:
        names = {g.canonical: g for g in self.groups}
        instead = {
            c: f"construct {g.name}({', '.join(f'{a}=...' for a in g.required_arguments)})"
            for c, g in names.items()
        }
        return {
            "canonical": sorted(names),
            "old_names": sorted(f"{old} -> {g.canonical}" for g in self.groups for old in g.old_names),
            "deprecated_modules": [
                f"{module} -> {replacement}" if replacement else module
                for module, (replacement, _) in self.deprecated.items()
            ],
            "banned_calls": [
                f"{path}: {b.kind}; {instead[b.builds]}" for path, b in sorted(self.banned.items())
            ],
            "required_arguments": sorted(
                f"{c}: {', '.join(g.required_arguments)}" for c, g in names.items() if g.required_arguments
            ),
        }


def propose(package: str, modules: dict[str, Module]) -> Proposal:
    index = Index(modules)
    groups = duplicate_groups(index)
    for group in groups:
        choose_canonical(group, index)
    for group in groups:
        members = set(group.definitions)
        group.reexports = find_reexports(index, members, index.definition) - set(group.homes)
        group.required_arguments = required_arguments(group, index)
    builders = find_builders(index, groups)
    by_path = {b.qualname: b for b in builders}
    banned = dict(by_path)
    for path in find_reexports(index, set(by_path), lambda q: _final(index, q, by_path)):
        banned[path] = by_path[_final(index, path, by_path)]
    root = package.split(".")[0]
    return Proposal(package, root, sorted(groups, key=lambda g: g.canonical), builders, banned,
                    deprecated_modules(index, groups, root), module_instances(index, groups))


def _final(index: Index, qualname: str, targets: dict) -> str | None:
    """Follow re-exports from `qualname` until one of `targets` (or nothing) is reached."""
    seen = set()
    while qualname and qualname not in targets and qualname not in seen:
        seen.add(qualname)
        qualname = _through_reexport(index, qualname)
    return qualname if qualname in targets else None


def module_instances(index: Index, groups: list[Group]) -> list[str]:
    members = {d for g in groups for d in g.definitions}
    found = []
    for module in index.modules.values():
        for node in module.tree.body:
            value = getattr(node, "value", None)
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(value, ast.Call):
                callee = index.expression(module, value.func)
                if callee and index.definition(callee) in members:
                    found.append(f"{shown(module.path)}:{node.lineno}")
    return sorted(found)


# -- writing ---------------------------------------------------------------------------------------


def render_ini(proposal: Proposal, alias: str = "ssot") -> str:
    """The contract section (the `[importlinter]` session is rendered by render_ini_session)."""
    lines = [
        f"[importlinter:contract:{proposal.contract_id}]",
        f"name = {_contract_name(proposal)}",
        f"type = {alias}",
    ]
    for name, entries in proposal.fields().items():
        if entries:
            lines.append(f"{name} =")
            lines += [f"    {entry}" for entry in entries]
    return "\n".join(lines) + "\n"


def render_ini_session(proposal: Proposal) -> str:
    return (
        "# Starter SSOT policy written by `ssot init`: review every entry before adopting it\n"
        "# (docs/policy-format.md describes the fields).\n"
        "[importlinter]\n"
        f"root_package = {proposal.root_package}\n"
        "contract_types =\n"
        f"    ssot: {CONTRACT_CLASS}\n"
    )


def _contract_name(proposal: Proposal) -> str:
    names = ", ".join(g.name for g in proposal.groups)
    return f"{names} {'has' if len(proposal.groups) == 1 else 'have'} a single source of truth"


SECTION = re.compile(r"^\[([^\]\n]+)\][ \t]*$", re.M)


def write_ini(text: str, proposal: Proposal, force: bool, path: Path) -> str:
    """`text` with the policy added: appended when the file has no `[importlinter]` section, or
    (with --force) the contract section replaced and the contract type registered."""
    sections = {m.group(1).strip(): m for m in SECTION.finditer(text)}
    if "importlinter" not in sections:
        separator = "" if not text else ("\n" if text.endswith("\n") else "\n\n")
        return text + separator + render_ini_session(proposal) + "\n" + render_ini(proposal)
    if not force:
        raise UsageError(f"{path} already holds an import-linter configuration; "
                         f"re-run with --force to add the ssot contract to it")
    text, alias = _register_ini(text, sections["importlinter"], path, proposal)
    section = render_ini(proposal, alias)
    matches = {m.group(1).strip(): m for m in SECTION.finditer(text)}
    ours = matches.get(f"importlinter:contract:{proposal.contract_id}")
    if ours is None:
        return text + ("" if text.endswith("\n") else "\n") + "\n" + section
    following = [m.start() for m in SECTION.finditer(text) if m.start() > ours.start()]
    end = following[0] if following else len(text)
    lines = text[ours.start():end].splitlines(keepends=True)
    # Keep the blank lines and comments after the section's last value: they introduce what follows.
    last = max(i for i, line in enumerate(lines) if line.strip() and line.lstrip()[0] not in "#;")
    return text[:ours.start()] + section + "".join(lines[last + 1:]) + text[end:]


def _register_ini(text: str, header: re.Match, path: Path, proposal: Proposal) -> tuple[str, str]:
    """Make sure `contract_types` registers our contract type; return the text and its alias."""
    following = [m.start() for m in SECTION.finditer(text) if m.start() > header.start()]
    end = following[0] if following else len(text)
    body = text[header.end():end]
    roots = re.search(r"^root_packages?[ \t]*[=:](.*(?:\n[ \t]+.+)*)", body, re.M)
    root_list = roots.group(1).split() if roots else []
    if proposal.root_package not in root_list:
        raise UsageError(f"{path}: [importlinter] root_package is not {proposal.root_package}")
    registered = re.search(rf"^[ \t]*(\w+)[ \t]*:[ \t]*{re.escape(CONTRACT_CLASS)}[ \t]*$", body, re.M)
    if registered:
        return text, registered.group(1)
    entry = f"    ssot: {CONTRACT_CLASS}\n"
    key = re.search(r"^contract_types[ \t]*[=:].*\n(?:[ \t]+.+\n)*", body, re.M)
    if key:
        at = header.end() + key.end()
        return text[:at] + entry + text[at:], "ssot"
    at = header.end() + 1
    return text[:at] + "contract_types =\n" + entry + text[at:], "ssot"


def write_toml(text: str, proposal: Proposal, force: bool, path: Path) -> str:
    import tomlkit

    document = tomlkit.parse(text)
    tool = document.setdefault("tool", tomlkit.table(is_super_table=True))
    existing = tool.get("importlinter")
    contract = tomlkit.table()
    contract["id"] = proposal.contract_id
    contract["name"] = _contract_name(proposal)
    contract["type"] = "ssot"
    for name, entries in proposal.fields().items():
        if entries:
            contract[name] = _multiline(entries)
    if existing is None:
        session = tomlkit.table()
        session.comment("starter SSOT policy written by `ssot init`: review it before adopting")
        session["root_package"] = proposal.root_package
        session["contract_types"] = [f"ssot: {CONTRACT_CLASS}"]
        session["contracts"] = tomlkit.aot()
        session["contracts"].append(contract)
        tool["importlinter"] = session
        return tomlkit.dumps(document)
    if not force:
        raise UsageError(f"{path} already holds [tool.importlinter]; "
                         f"re-run with --force to add the ssot contract to it")
    return _merge_toml(document, existing, contract, proposal, path)


def _merge_toml(document, session, contract, proposal: Proposal, path: Path) -> str:
    import tomlkit

    roots = session.get("root_packages") or [session.get("root_package")]
    if proposal.root_package not in roots:
        raise UsageError(f"{path}: [tool.importlinter] root_package is not {proposal.root_package}")
    types = session.setdefault("contract_types", [])
    alias = next((t.partition(":")[0].strip() for t in types if t.partition(":")[2].strip()
                  == CONTRACT_CLASS), None)
    if alias is None:
        types.append(f"ssot: {CONTRACT_CLASS}")
        alias = "ssot"
    contract["type"] = alias
    contracts = session.setdefault("contracts", tomlkit.aot())
    for number, item in enumerate(contracts):
        if item.get("id") == proposal.contract_id:
            contracts[number] = contract
            break
    else:
        contracts.append(contract)
    return tomlkit.dumps(document)


def _multiline(entries: list[str]):
    import tomlkit

    array = tomlkit.array()
    array.extend(entries)
    return array.multiline(True)


PRE_COMMIT_REPO = """\
  # ssot-flake8's hooks (its .pre-commit-hooks.yaml). Replace the placeholder URL with the
  # repository you install ssot-flake8 from and `rev` with a tag of it.
  - repo: https://example.com/REPLACE-ME/ssot-flake8
    rev: v0.1.0
    hooks:
      - id: ssot-fix           # rewrites non-canonical imports; fails when it changed a file
      - id: ssot-check         # the standalone checker on the changed files
      - id: ssot-lint-imports  # import-linter: your contracts and the ssot contract
      # - id: ssot-flake8      # the same rules through flake8, if flake8 runs in your hooks
      # - id: ssot-sync-check  # after `ssot sync-ruff`: ruff's banned-api must match the policy
"""


def pre_commit_config(existing: str | None, force: bool) -> tuple[str | None, str]:
    """The new pre-commit config text (None: leave it) and a line saying what happened."""
    if existing is None:
        return "# Written by `ssot init`.\nrepos:\n" + PRE_COMMIT_REPO, "wrote {path}"
    if re.search(r"^\s*-\s*id:\s*ssot-", existing, re.M):
        return None, "kept {path} (it already uses the ssot hooks)"
    if not force:
        return None, "kept {path} (it exists; re-run with --force to add the ssot hooks)"
    lines = existing.rstrip("\n").split("\n")
    top_level = [i for i, line in enumerate(lines) if re.match(r"^[A-Za-z_][\w-]*\s*:", line)]
    if not top_level or lines[top_level[-1]].strip() != "repos:":
        return None, "kept {path} (`repos:` is not its last top-level key: add the ssot hooks by hand)"
    return existing.rstrip("\n") + "\n" + PRE_COMMIT_REPO, "added the ssot hooks to {path}"


# -- the command ----------------------------------------------------------------------------------


def run_init(args: argparse.Namespace) -> int:
    root = Path(args.root)
    if not re.fullmatch(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*", args.package):
        raise UsageError(f"{args.package!r} is not a dotted package name")
    source_root = _source_root(root, args.package)
    modules, warnings = scan(args.package, source_root)
    for warning in warnings:
        print(f"ssot init: warning: {warning}", file=sys.stderr)
    proposal = propose(args.package, modules)
    report(proposal, len(modules))
    if not proposal.groups:
        print("No class is implemented more than once: no policy written.")
        return 0
    config = root / args.output
    _refuse_shadowed(root, args.output)
    old = config.read_text(encoding="utf-8") if config.exists() else ""
    writer = write_toml if args.output == "pyproject.toml" else write_ini
    new = writer(old, proposal, args.force, shown(config))
    _validate(config, new)
    write_atomic(config, new)
    counts = ", ".join(f"{len(v)} {k}" for k, v in proposal.fields().items())
    print(f"wrote {shown(config)}: contract {proposal.contract_id!r} ({counts})")
    hooks = root / PRE_COMMIT
    text, what = pre_commit_config(hooks.read_text(encoding="utf-8") if hooks.exists() else None,
                                   args.force)
    if text is not None:
        write_atomic(hooks, text)
    print(what.format(path=shown(hooks)))
    return 0


def _refuse_shadowed(root: Path, output: str) -> None:
    """import-linter reads the first config holding `[importlinter]`: another would be ignored."""
    for name in OUTPUTS:
        other = root / name
        if name != output and other.is_file() and _holds_importlinter(other):
            raise UsageError(f"{shown(other)} already holds the import-linter configuration; "
                             f"write the policy there with --output {name}")


def _holds_importlinter(path: Path) -> bool:
    try:
        return bool(read_raw_config(path)[0])
    except PolicyError:
        return True  # unreadable: certainly not ours to write next to


def _source_root(root: Path, package: str) -> Path:
    for candidate in (root, root / "src"):
        base = candidate.joinpath(*package.split("."))
        if base.is_dir() or base.with_suffix(".py").is_file():
            return candidate
    raise UsageError(f"package {package} not found in {root} or {root / 'src'}")


def _validate(config: Path, text: str) -> None:
    """Load the proposed policy the way every front-end will, before anything is written."""
    read = _read_toml if config.suffix == ".toml" else _read_ini
    base = config.resolve().parent
    try:
        session, contracts = read(config, text)
        build_policy(config, session, contracts, [base, base / "src"])
    except PolicyError as error:
        raise UsageError(f"the proposed policy does not load, nothing written: {error}") from None


def report(proposal: Proposal, scanned: int) -> None:
    print(f"Scanned {scanned} modules of {proposal.package}.")
    for group in proposal.groups:
        print(f"\nduplicate implementations of {group.name} "
              f"({len(group.definitions)} classes, {len(group.aliases)} aliases):")
        for home in group.homes:
            kind = "class" if home in group.definitions else "alias"
            mark = "canonical" if home == group.canonical else "old name"
            print(f"  {mark:9} {home}  ({kind}, imported {group.imports[home]}x)")
        for path in sorted(group.reexports):
            print(f"  re-export {path}")
    if proposal.deprecated:
        print("\ndeprecated modules:")
        for module, (replacement, why) in proposal.deprecated.items():
            print(f"  {module} ({why})" + (f" -> {replacement}" if replacement else ""))
    if proposal.banned:
        print("\nsingleton getters and factories:")
        for builder in proposal.builders:
            print(f"  {builder.kind:9} {builder.qualname} ({builder.how})")
        reexported = sorted(set(proposal.banned) - {b.qualname for b in proposal.builders})
        for path in reexported:
            print(f"  re-export {path}")
    for instance in proposal.instances:
        print(f"  module-level instance at {instance} (SOT201 reports it)")
    print()
