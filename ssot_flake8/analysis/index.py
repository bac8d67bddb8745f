"""The whole-program symbol index: every (module, name) under which a policy name is reachable.

It parses every module of the checked tree once (ast only; nothing is imported), records per
module its definitions, `X = Y` aliases, `X = type("X", (Y,), {})` shells, imports (made
absolute), `__all__` and star imports, and then follows re-export and alias chains (cycle-safe)
to the object each name finally denotes, its *origin*. Two names with the same origin are the
same object, so `expand_policy` adds every name that reaches a registered symbol or a banned
callable to the policy's lookup tables: the engine, and with it every front-end, then catches
aliases and re-exports that nobody listed. The index also answers what a module offers, for the
stale-import rule.

Parsed modules are cached on disk by content hash (`.ssot_cache/` next to the config).
"""

from __future__ import annotations

import ast
import contextlib
import difflib
import hashlib
import json
import os
import re
import stat
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ssot_flake8.policy.model import Policy
from ssot_flake8.source.fallback import import_statements  # the token-level reader, for broken files
from ssot_flake8.source.text import SourceError, absolute_import, decode, dotted_name, parse
from ssot_flake8.support.parallel import map_in_workers, may_start_workers
from ssot_flake8.support.progress import Progress

FORMAT = 3  # bump when the cached record layout changes
COMPILED_SUFFIXES = (".pyi", ".so", ".pyd")
MODULE_DUNDERS = {"__name__", "__doc__", "__file__", "__path__", "__package__", "__spec__",
                  "__loader__", "__all__", "__builtins__", "__dict__"}
DEFINED = ""  # binding target: the name is defined in this module (it is its own origin)


# -- what one module records ---------------------------------------------------------------------


@dataclass
class ModuleInfo:
    """The module-level facts of one file. Binding targets: DEFINED, ">abs.qualname" (an import)
    or "=local.dotted" (an alias of another name of this module)."""

    bindings: dict[str, list[str]] = field(default_factory=dict)
    stars: list[str] = field(default_factory=list)  # absolute modules star-imported
    all: list[str] | None = None
    judgeable: bool = True  # False: `__getattr__`, unparsable or compiled, so it may hold anything

    def to_json(self) -> list:
        return [self.bindings, self.stars, self.all, self.judgeable]

    @classmethod
    def from_json(cls, data: list) -> ModuleInfo:
        return cls(*data)


class ModuleRecorder:
    """Collects a ModuleInfo from a module's top level (not from function or class bodies)."""

    def __init__(self, module: str, is_package: bool) -> None:
        self.module = module
        self.is_package = is_package
        self.info = ModuleInfo()

    def record(self, tree: ast.Module) -> ModuleInfo:
        self.statements(tree.body)
        return self.info

    def bind(self, name: str, target: str) -> None:
        targets = self.info.bindings.setdefault(name, [])
        if target not in targets:
            targets.append(target)

    def statements(self, body: list[ast.stmt]) -> None:
        for statement in body:
            handler = getattr(self, f"on_{type(statement).__name__}", None)
            if handler:
                handler(statement)
            else:
                self.generic(statement)

    def generic(self, node: ast.AST) -> None:
        """Blocks (if, try, with, for, match...): their bodies are module level too."""
        for name, value in ast.iter_fields(node):
            if isinstance(value, list) and value and isinstance(value[0], ast.stmt):
                self.statements(value)
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, (ast.ExceptHandler, ast.match_case)):
                        self.generic(item)
                    elif isinstance(item, ast.AST):
                        self.stored_names(item)
            elif isinstance(value, ast.AST):
                self.stored_names(value)
            elif name == "name" and isinstance(value, str) and isinstance(node, ast.ExceptHandler):
                self.bind(value, DEFINED)

    def stored_names(self, node: ast.AST) -> None:
        for child in ast.walk(node):
            if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Store):
                self.bind(child.id, DEFINED)
            elif isinstance(child, (ast.MatchAs, ast.MatchStar)) and child.name:
                self.bind(child.name, DEFINED)

    def on_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.asname:
                self.bind(alias.asname, ">" + alias.name)
            else:
                top = alias.name.split(".")[0]
                self.bind(top, ">" + top)

    def on_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = absolute_import(self.module, self.is_package, node.level, node.module)
        if module is None:
            return
        for alias in node.names:
            if alias.name == "*":
                self.info.stars.append(module)
            else:
                self.bind(alias.asname or alias.name, f">{module}.{alias.name}")

    def on_ClassDef(self, node: ast.ClassDef) -> None:
        self.bind(node.name, DEFINED)

    def on_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.bind(node.name, DEFINED)

    on_AsyncFunctionDef = on_FunctionDef

    def on_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self.assigned(target, node.value)

    def on_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.assigned(node.target, node.value)

    def on_AugAssign(self, node: ast.AugAssign) -> None:
        if _is_all(node.target):
            self.extend_all(node.value)
        else:
            self.stored_names(node.target)

    def on_Expr(self, node: ast.Expr) -> None:
        call = node.value  # __all__.extend([...]) / __all__.append("x")
        if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                and _is_all(call.func.value) and call.func.attr in ("extend", "append")):
            for argument in call.args:
                self.extend_all(argument if call.func.attr == "extend" else ast.List([argument]))

    def assigned(self, target: ast.expr, value: ast.expr) -> None:
        if _is_all(target):
            self.info.all = []
            self.extend_all(value)
        elif isinstance(target, ast.Name):
            self.bind(target.id, self.value_target(value))
        else:
            self.stored_names(target)

    def value_target(self, value: ast.expr) -> str:
        dotted = dotted_name(value)
        if dotted:
            return "=" + dotted
        base = _type_shell_base(value)
        return "=" + base if base else DEFINED

    def extend_all(self, value: ast.AST) -> None:
        if self.info.all is None:
            self.info.all = []
        for item in _string_items(value):
            if item not in self.info.all:
                self.info.all.append(item)


def _is_all(node: ast.AST) -> bool:
    return isinstance(node, ast.Name) and node.id == "__all__"


def _type_shell_base(value: ast.AST) -> str | None:
    """`type("X", (Base,), {})`: a class with one base and nothing of its own is another name
    for its base (how compatibility names were minted dynamically in the seeds' code base)."""
    if not (isinstance(value, ast.Call) and isinstance(value.func, ast.Name)
            and value.func.id == "type" and len(value.args) == 3 and not value.keywords):
        return None
    _, bases, namespace = value.args
    empty = (isinstance(namespace, ast.Dict) and not namespace.keys) or (
        isinstance(namespace, ast.Call) and dotted_name(namespace.func) == "dict"
        and not namespace.args and not namespace.keywords)
    if isinstance(bases, ast.Tuple) and len(bases.elts) == 1 and empty:
        return dotted_name(bases.elts[0])
    return None


def _string_items(node: ast.AST) -> list[str]:
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    if isinstance(node, ast.BinOp):
        return _string_items(node.left) + _string_items(node.right)
    return []


def _did_you_mean(word: str, candidates, full: bool = False) -> str:
    names = {c.rpartition(".")[2]: c for c in candidates}
    close = difflib.get_close_matches(word, list(names), n=1, cutoff=0.6)
    if not close:
        return ""
    return f"; did you mean {names[close[0]] if full else close[0]}?"


# -- reading one file fast: its top level without the bodies of its functions and classes ----------

# A top-level function or class (or a decorator): the line at column 0 that starts it, then
# every line that is blank, indented, a comment or a closing bracket. Groups: decorator, def
# name, class name. The leading newline lets the regex engine skip to candidates at memchr
# speed, and the body lines are consumed without a Python step per line.
_DEFINITION = re.compile(
    r"\n(?:(@)|(?:async[ \t]+)?def[ \t]+(\w+)|class[ \t]+(\w+))[^\n]*"
    r"(?:\n(?=[\n \t\r\f#)\]}])[^\n]*)*")
# What a module binds or hides from inside its function bodies, found on the whole text (a
# match inside a string only makes the index more careful): `global X` binds a module name;
# `globals()[...] =`, `exec(...)`, `vars()`, `sys.modules[...] =` make names no parse can list.
# Each pattern starts with a literal, again for speed; the character before is checked apart.
_GLOBAL = re.compile(r"\n[ \t]+global[ \t]+(\w+(?:[ \t]*,[ \t]*\w+)*)")
_NAMESPACE_REWRITES = tuple((word, re.compile(re.escape(word) + rest)) for word, rest in (
    ("globals", r"[ \t]*\("), ("exec", r"[ \t]*\("), ("vars", r"[ \t]*\("),
    ("sys.modules", r"[ \t]*\[[^\]\n]*\][ \t]*=(?!=)")))


def _skeleton(text: str) -> tuple[str, list[str]] | None:
    """The module's text without its top-level functions and classes, and their names; None when
    a cut would fall inside a string or a continued line (then the whole file is parsed).

    Parsing only what stays is what makes indexing a large tree cheap: module-level facts live
    in imports, assignments and blocks, while most of the bytes are in function bodies."""
    text = "\n" + text
    kept, defined = [], []
    position = 0
    for definition in _DEFINITION.finditer(text):
        start, end = definition.span()
        if text.count('"""', start, end) % 2 or text.count("\'\'\'", start, end) % 2:
            return None
        last = text[max(start, end - 3):end].rstrip(" \t\r\f")
        if last.endswith("\\"):
            return None
        kept.append(text[position:start])
        position = end
        if definition.lastindex > 1:
            defined.append(definition.group(definition.lastindex))
    kept.append(text[position:])
    return "".join(kept), defined


def _rewrites_namespace(text: str) -> bool:
    for word, pattern in _NAMESPACE_REWRITES:
        if word not in text:  # a substring search is much faster than the regex's scan
            continue
        for found in pattern.finditer(text):
            before = text[found.start() - 1:found.start()]
            if before == "" or not (before.isalnum() or before in ("_", ".")):
                return True
    return False


def record_source(data: bytes, module: str, is_package: bool) -> ModuleInfo:
    """The ModuleInfo of one file's bytes; an unparsable file keeps only its import statements."""
    try:
        text = decode(data)
    except SourceError:
        return ModuleInfo(judgeable=False)
    info = _record_text(text, module, is_package)
    for names in _GLOBAL.findall("\n" + text) if "global" in text else ():
        for name in names.split(","):
            info.bindings.setdefault(name.strip(), [DEFINED])
    if "__getattr__" in info.bindings or _rewrites_namespace(text):
        info.judgeable = False  # PEP 562 `__getattr__` answers any name; so may a rewrite
    return info


def _record_text(text: str, module: str, is_package: bool) -> ModuleInfo:
    recorder = ModuleRecorder(module, is_package)
    skeleton = _skeleton(text)
    if skeleton is not None:
        try:
            recorder.record(parse(skeleton[0], module))
        except (SourceError, RecursionError):
            recorder = ModuleRecorder(module, is_package)  # the cut was wrong: read it all
        else:
            for name in skeleton[1]:
                recorder.bind(name, DEFINED)
            return recorder.info
    try:
        tree = parse(text, module)
    except SourceError:
        info = recorder.record(ast.Module(body=import_statements(text), type_ignores=[]))
        info.judgeable = False
        return info
    try:
        return recorder.record(tree)
    except RecursionError:
        return ModuleInfo(judgeable=False)


# -- the index over a tree -----------------------------------------------------------------------


class ModuleIndex:
    """The modules of a tree and the name resolution across them."""

    def __init__(self, modules: dict[str, ModuleInfo], roots: tuple[str, ...]) -> None:
        self.modules = modules
        self.roots = roots
        self.children: dict[str, set[str]] = defaultdict(set)
        for name in modules:
            parent, _, child = name.rpartition(".")
            if parent:
                self.children[parent].add(child)
        self._origins: dict[tuple[str, str], frozenset[str]] = {}
        self.found: set[str] = set()  # the qualified names `expand` added to a policy
        self.digest = ""  # of every module's record: what other files' findings depend on
        self.cache: _Cache | None = None
        self._exports: dict[str, frozenset[str] | None] = {}
        self._stale: dict[tuple[str, str | None], tuple[str, str] | None] = {}

    # -- what a module offers (stale imports) ------------------------------------------------------
    def in_roots(self, module: str) -> bool:
        return any(module == root or module.startswith(root + ".") for root in self.roots)

    def offered(self, module: str) -> set[str] | None:
        """Every name `from module import <name>` can get, or None when that cannot be known."""
        info = self.modules.get(module)
        if info is None or not info.judgeable:
            return None
        names = set(info.bindings) | self.children.get(module, set()) | MODULE_DUNDERS
        for star in info.stars:
            exported = self.star_exports(star)
            if exported is None:
                return None
            names |= exported
        return names

    def star_exports(self, module: str) -> frozenset[str] | None:
        try:
            return self.exports(module)
        except RecursionError:
            return None  # unknown: nothing is judged stale because of it

    def exports(self, module: str, stack: frozenset[str] = frozenset()) -> frozenset[str] | None:
        """The names `from module import *` brings (None: unknown, e.g. outside the tree)."""
        if module in self._exports:
            return self._exports[module]
        info = self.modules.get(module)
        if info is None or not info.judgeable:
            return None
        if info.all is not None:
            result: frozenset[str] | None = frozenset(info.all)
        elif module in stack:
            return frozenset()  # a star cycle: the names come from the other modules of the cycle
        else:
            names = {n for n in info.bindings if not n.startswith("_")}
            for star in info.stars:
                exported = self.exports(star, stack | {module})
                if exported is None:
                    names = None
                    break
                names |= exported
            result = None if names is None else frozenset(names)
        if not stack:  # results computed inside a cycle may be partial: keep only complete ones
            self._exports[module] = result
        return result

    def stale(self, module: str, name: str | None) -> tuple[str, str] | None:
        """(problem, did-you-mean hint) when `from module import name` (or `import module`, with
        name None) asks the tree for something it does not have; None when fine or unknowable."""
        key = (module, name)
        if key not in self._stale:  # every file of a tree asks about the same few modules
            self._stale[key] = self._judge(module, name)
        return self._stale[key]

    def _judge(self, module: str, name: str | None) -> tuple[str, str] | None:
        if not self.in_roots(module):
            return None
        missing = self.missing_module(module)
        if missing:
            hint = _did_you_mean(missing.rpartition(".")[2], self.sibling_modules(missing), full=True)
            return f"module {missing} does not exist", hint
        offered = self.offered(module)
        if name is None or offered is None or name in offered:
            return None
        hint = _did_you_mean(name, offered - MODULE_DUNDERS)
        return f"{module} neither defines, imports nor re-exports {name}", hint

    def missing_module(self, module: str) -> str | None:
        """The first missing package or module on the way to `module` (under a root package)."""
        parts = module.split(".")
        for end in range(1, len(parts) + 1):
            prefix = ".".join(parts[:end])
            if self.in_roots(prefix) and prefix not in self.modules:
                parent = self.modules.get(prefix.rpartition(".")[0])
                if parent is not None and not parent.judgeable:
                    return None  # a compiled or dynamic parent may provide it
                return prefix
        return None

    def sibling_modules(self, module: str) -> list[str]:
        parent = module.rpartition(".")[0]
        return sorted(f"{parent}.{child}" if parent else child for child in self.children.get(parent, ()))

    # -- origins -------------------------------------------------------------------------------------
    def origins(self, module: str, name: str) -> frozenset[str]:
        """The qualified names of the definitions `module.name` may finally denote."""
        try:
            return self._origins_of(module, name, set())[0]
        except RecursionError:  # a re-export chain longer than Python's stack: left unresolved
            return frozenset()

    def resolve(self, qualname: str) -> frozenset[str]:
        try:
            return self._resolve(qualname, set())[0]
        except RecursionError:
            return frozenset()

    def _origins_of(self, module: str, name: str, stack: set) -> tuple[frozenset[str], bool]:
        key = (module, name)
        if key in self._origins:
            return self._origins[key], False
        info = self.modules.get(module)
        if info is None:
            return frozenset({f"{module}.{name}"}), False  # outside the tree: its own origin
        if key in stack:
            return frozenset(), True
        stack.add(key)
        found, cut = self._follow(module, name, info, stack)
        stack.discard(key)
        if not cut:  # a result cut short by a cycle is only complete at the cycle's entry
            self._origins[key] = found
        return found, cut

    def _follow(self, module: str, name: str, info: ModuleInfo, stack: set):
        found: set[str] = set()
        cut = False
        targets = info.bindings.get(name)
        if targets:
            for target in targets:
                if target == DEFINED:
                    found.add(f"{module}.{name}")
                    continue
                if target.startswith(">"):
                    origins, was_cut = self._resolve(target[1:], stack)
                else:
                    origins, was_cut = self._resolve_local(module, target[1:], stack)
                found |= origins
                cut = cut or was_cut
        elif f"{module}.{name}" in self.modules:
            found.add(f"{module}.{name}")  # a submodule
        else:
            for star in info.stars:
                exported = self.star_exports(star)
                if exported is None or name in exported:
                    origins, was_cut = self._origins_of(star, name, stack)
                    found |= origins
                    cut = cut or was_cut
        return frozenset(found), cut

    def _resolve_local(self, module: str, dotted: str, stack: set):
        first, _, rest = dotted.partition(".")
        origins, cut = self._origins_of(module, first, stack)
        return self._attributes(origins, rest, stack, cut)

    def _resolve(self, qualname: str, stack: set) -> tuple[frozenset[str], bool]:
        if qualname in self.modules:
            return frozenset({qualname}), False
        module = qualname
        while module and module not in self.modules:
            module = module.rpartition(".")[0]
        if not module:
            return frozenset({qualname}), False  # outside the tree
        first, _, rest = qualname[len(module) + 1:].partition(".")
        origins, cut = self._origins_of(module, first, stack)
        return self._attributes(origins, rest, stack, cut)

    def _attributes(self, origins: frozenset[str], rest: str, stack: set, cut: bool):
        """`origin.rest`: followed further only through modules; a class attribute stays as is."""
        if not rest:
            return origins, cut
        found: set[str] = set()
        for origin in origins:
            if origin in self.modules:
                more, was_cut = self._resolve(f"{origin}.{rest}", stack)
                found |= more
                cut = cut or was_cut
            else:
                found.add(f"{origin}.{rest}")
        return frozenset(found), cut

    def reaching(self, words: set[str]) -> set[tuple[str, str]]:
        """Every (module, name) that may denote an object called one of `words`: bound to a
        target whose last segment is such a word, or star-imported under it, followed through
        renames. A superset of the names with such an origin, found without resolving any."""
        by_tail: dict[str, list[tuple[str, str]]] = defaultdict(list)
        starring = []
        for module, info in self.modules.items():
            for name, targets in info.bindings.items():
                for target in targets:
                    if target != DEFINED:
                        by_tail[target[1:].rpartition(".")[2]].append((module, name))
            if info.stars:
                starring.append((module, info.stars))
        found: set[tuple[str, str]] = set()
        pending, seen = list(words), set(words)
        while pending:
            word = pending.pop()
            pairs = list(by_tail.get(word, ()))
            pairs += [(module, word) for module, stars in starring
                      if any(word in (self.star_exports(star) or ()) for star in stars)]
            for module, name in pairs:
                found.add((module, name))
                if name not in seen:
                    seen.add(name)
                    pending.append(name)
        return found

    # -- the policy ------------------------------------------------------------------------------------
    def expand(self, policy: Policy) -> list[list[str]]:
        """Add every name that reaches a policy symbol or banned callable to the policy's tables;
        returns the additions as [table, alias, seed] (what the cache replays)."""
        wanted: dict[str, list[tuple[str, dict, str]]] = defaultdict(list)
        for kind, lookup in (("names", policy.names), ("banned", policy.banned)):
            for qualname in list(lookup):
                for origin in self.resolve(qualname):
                    wanted[origin].append((kind, lookup, qualname))
        aliases: dict[str, list[str]] = defaultdict(list)
        for module, name in sorted(self.reaching({o.rpartition(".")[2] for o in wanted})):
            for origin in self.origins(module, name):
                if origin in wanted:
                    aliases[origin].append(f"{module}.{name}")
        added = []
        for origin, seeds in wanted.items():
            for kind, lookup, qualname in seeds:
                for alias in aliases.get(origin, ()):
                    if alias not in lookup:
                        lookup[alias] = lookup[qualname]
                        added.append([kind, alias, qualname])
        self.found.update(alias for _, alias, _ in added)
        return added

    def replay(self, policy: Policy, added: list[list[str]]) -> bool:
        """Apply additions that `expand` computed before for the same tree and policy."""
        tables = {"names": policy.names, "banned": policy.banned}
        if not all(kind in tables and seed in tables[kind] for kind, _, seed in added):
            return False
        for kind, alias, seed in added:
            tables[kind].setdefault(alias, tables[kind][seed])
            self.found.add(alias)
        return True


# -- building, with the on-disk cache ----------------------------------------------------------------


def tree_files(policy: Policy) -> list[tuple[Path, str, bool]]:
    """(path, module, is_package) of every module file of the policy's root packages."""
    found = []
    for source_root in policy.source_roots:
        for root in policy.root_packages:
            base = source_root.joinpath(*root.split("."))
            if base.with_suffix(".py").is_file():
                found.append((base.with_suffix(".py"), root, False))
            if not base.is_dir():
                continue
            for directory, subdirs, files in os.walk(base):
                subdirs[:] = sorted(d for d in subdirs if d.isidentifier())
                package = root + "".join(
                    "." + part for part in Path(directory).relative_to(base).parts)
                for filename in sorted(files):
                    stem, suffix = os.path.splitext(filename)
                    stem = stem.split(".")[0]  # mod.cpython-311-x86_64.so
                    if suffix in (".py", *COMPILED_SUFFIXES) and stem.isidentifier():
                        is_package = stem == "__init__"
                        module = package if is_package else f"{package}.{stem}"
                        found.append((Path(directory) / filename, module, is_package))
    return found


def cache_path(policy: Policy) -> Path:
    key = hashlib.sha1(
        "\0".join([*map(str, policy.source_roots), *policy.root_packages]).encode()
    ).hexdigest()[:12]
    version = f"py{sys.version_info[0]}{sys.version_info[1]}"  # what parses depends on it
    return policy.config_path.parent / ".ssot_cache" / f"index-v{FORMAT}-{version}-{key}.json"


def build_index(policy: Policy, *, use_cache: bool = True, jobs: int | None = None) -> ModuleIndex:
    """The index of the policy's tree; a file whose size and mtime, or else content hash, match
    the cache is not parsed again. Many files to read are read by `jobs` worker processes."""
    path = cache_path(policy)
    cached, expansions = _read_cache(path) if use_cache else ({}, {})
    entries: dict[str, list] = {}
    modules: dict[str, ModuleInfo] = {}
    tree_digest = hashlib.blake2b(digest_size=16)
    files = tree_files(policy)
    for (file, module, _), entry in zip(files, _entries(files, cached, jobs), strict=True):
        if entry is None:
            modules.setdefault(module, ModuleInfo(judgeable=False))
            tree_digest.update(f"{module}\0-\n".encode())
            continue
        entries[str(file)] = entry
        modules[module] = ModuleInfo.from_json(entry[1])
        # What the index knows of the file, not its bytes: editing a function body changes
        # nothing that other files' findings depend on.
        tree_digest.update(f"{module}\0{entry[1]!r}\n".encode())
    for directory in {m.rpartition(".")[0] for m in modules}:
        while directory and directory not in modules:  # namespace packages exist too
            modules[directory] = ModuleInfo()
            directory = directory.rpartition(".")[0]
    index = ModuleIndex(modules, policy.root_packages)
    index.cache = _Cache(path, entries, expansions if entries == cached else {}, use_cache)
    if use_cache and entries != cached:
        index.cache.write()
    index.digest = tree_digest.hexdigest()
    return index


PARALLEL_MIN_FILES = 256  # below this, starting worker processes costs more than it saves


def _entries(files: list[tuple[Path, str, bool]], cached: dict, jobs: int | None) -> list:
    """The entry of every file, in order: fresh cache hits as they are, the rest read (in
    worker processes when there are many), with progress on a terminal."""
    results: list = [None] * len(files)
    misses = []
    for number, (file, module, is_package) in enumerate(files):
        hit = cached.get(str(file))
        fresh = hit and hit[2] is not None and _stamp(file) == hit[2:]
        if fresh:
            results[number] = hit
        else:
            misses.append((number, file, module, is_package, hit))
    workers = min(jobs or os.cpu_count() or 1, 1 + len(misses) // PARALLEL_MIN_FILES)
    if workers <= 1 or not may_start_workers():
        entries: Iterator = map(_entry_of, misses)
    else:
        entries = map_in_workers(_entry_of, misses, workers, max(64, len(misses) // (workers * 8)))
    with Progress("ssot: indexing", len(misses), delay=1.0) as progress:
        for miss, entry in zip(misses, entries, strict=True):
            results[miss[0]] = entry
            progress.advance()
    return results


def _entry_of(miss: tuple) -> list | None:
    return _module_entry(*miss[1:])


def _stamp(file: Path) -> list:
    try:
        status = file.stat()
    except OSError:
        return [None, None]
    return [status.st_mtime_ns, status.st_size]


def _module_entry(file: Path, module: str, is_package: bool, hit: list | None) -> list | None:
    """[content hash, ModuleInfo json, mtime_ns, size] of one file (None: not a readable .py);
    `hit`, the cached entry whose stamp did not match, is reused when the content did not change."""
    if file.suffix != ".py":
        return None
    try:
        status = file.stat()
        if not stat.S_ISREG(status.st_mode):
            return None  # a named pipe or device: reading it could block forever
        data = file.read_bytes()
    except OSError:
        return None
    digest = hashlib.blake2b(data, digest_size=16).hexdigest()
    reuse = hit and hit[0] == digest
    info = hit[1] if reuse else record_source(data, module, is_package).to_json()
    # A file changed within the last seconds may change again within the clock's granularity
    # at the same size: its stamp is not trusted next time (git's "racy" rule), only its hash.
    settled = time.time_ns() - status.st_mtime_ns > 2_000_000_000
    return [digest, info, *((status.st_mtime_ns, status.st_size) if settled else (None, None))]


def expand_policy(policy: Policy, *, use_cache: bool = True, jobs: int | None = None) -> ModuleIndex:
    """Build (or load) the index of the policy's tree and grow the policy's lookup tables with it.

    Every front-end calls this once, so they all give the same answers. The additions are
    cached too, keyed by the tree's content and the policy's own names."""
    index = build_index(policy, use_cache=use_cache, jobs=jobs)
    key = hashlib.blake2b(
        repr((index.digest, sorted((q, s.qualname) for q, s in policy.names.items()),
              sorted((q, b.qualname) for q, b in policy.banned.items()))).encode(),
        digest_size=16).hexdigest()
    cached = index.cache.expansions.get(key)
    if cached is None or not index.replay(policy, cached):
        index.cache.expansions = {key: index.expand(policy)}
        index.cache.write()
    index.cache = None  # what remains is what checking needs (and what worker processes get)
    index._origins.clear()
    policy.index = index
    policy.refresh()
    return index


@dataclass
class _Cache:
    path: Path
    entries: dict
    expansions: dict
    enabled: bool

    def write(self) -> None:
        if self.enabled:
            _write_cache(self.path, {"format": FORMAT, "files": self.entries,
                                     "expansions": self.expansions})


def _read_cache(path: Path) -> tuple[dict, dict]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}, {}
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return {}, {}
    files, expansions = data.get("files", {}), data.get("expansions", {})
    if not (_valid_entries(files) and _valid_expansions(expansions)):
        return {}, {}  # damaged: dropped, and rebuilt by this run
    return files, expansions


def _valid_entries(files: object) -> bool:
    """Every entry has the shape `_module_entry` writes: [hash, info, mtime_ns, size]."""
    if not isinstance(files, dict):
        return False
    for entry in files.values():
        if not (isinstance(entry, list) and len(entry) == 4 and isinstance(entry[0], str)
                and all(value is None or type(value) is int for value in entry[2:])):
            return False
        info = entry[1]
        if not (isinstance(info, list) and len(info) == 4 and isinstance(info[0], dict)
                and isinstance(info[1], list) and (info[2] is None or isinstance(info[2], list))
                and isinstance(info[3], bool)
                and all(isinstance(v, list) and all(isinstance(t, str) for t in v)
                        for v in info[0].values())
                and all(isinstance(v, str) for v in info[1] + (info[2] or []))):
            return False
    return True


def _valid_expansions(expansions: object) -> bool:
    return isinstance(expansions, dict) and all(
        isinstance(added, list) and all(
            isinstance(item, list) and len(item) == 3 and all(isinstance(v, str) for v in item)
            for item in added)
        for added in expansions.values())


def _write_cache(path: Path, content: dict) -> None:
    """Atomically (temp file + os.replace; the index sits below atomic_write in the package's
    layers, so it does the same in four lines); a cache that cannot be written only costs the
    next run its speed. The directory ignores itself for git, as `ssot check`'s cache does."""
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        ignore = path.parent / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# created by ssot\n*\n")
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".index-", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(json.dumps(content, separators=(",", ":")))  # the C encoder
            os.chmod(temporary, 0o644)  # a cache, readable like the files it describes
            os.replace(temporary, path)
        finally:
            Path(temporary).unlink(missing_ok=True)
