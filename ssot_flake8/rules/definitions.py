"""The definition rules: code that makes a second source of truth for a registered class.

SOT201 a process-wide singleton, SOT202 a factory outside the canonical module, SOT203 an alias,
SOT204 a re-export shim, SOT205 a duplicate class. The walk (`analysis.walk`) calls these at
assignments, class statements, after each function body and once at the end of the module.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from ssot_flake8.rules.base import Rule
from ssot_flake8.rules.imports import report_non_canonical
from ssot_flake8.source.tree import FUNCTION_NODES, FunctionFacts, decorated, self_attributes

if TYPE_CHECKING:
    from ssot_flake8.analysis.walk import ImportRecord, ModuleWalk
    from ssot_flake8.policy.model import Symbol

SINGLETON = Rule(
    code="SOT201",
    name="singleton-definition",
    message="{kind} makes {symbol} a process-wide singleton; build one per user instead",
    rationale="Module-level instances, `global` caches, `_instance`/`__new__` caching and "
    "`@lru_cache` getters all share one instance across users. A `global` cache of an instance "
    "of a subclass of the registered class (`class TenantManager(WebSocketManager)`), or of an "
    "adapter whose methods build one into `self.<attr>`, shares it just the same.",
    bad="from netra_backend.app.websocket_core.websocket_manager import WebSocketManager\n"
    "_manager = WebSocketManager(user_context=None)",
    good="from netra_backend.app.websocket_core.websocket_manager import WebSocketManager\n"
    "def handle(ctx):\n    manager = WebSocketManager(user_context=ctx)",
)
FACTORY = Rule(
    code="SOT202",
    name="factory-definition",
    message="{kind} {name} builds {symbol} outside its canonical module {module}",
    rationale="Every factory is another way to build the object, with its own defaults; "
    "construction belongs to the class in its canonical module.",
    bad="from netra_backend.app.websocket_core.websocket_manager import WebSocketManager\n"
    "def create_websocket_manager(ctx):\n    return WebSocketManager(user_context=ctx)",
    good="from netra_backend.app.websocket_core.websocket_manager import WebSocketManager\n"
    "manager = WebSocketManager(user_context=ctx)",
)
ALIAS = Rule(
    code="SOT203",
    name="alias-assignment",
    message="{alias} is an alias of {symbol}; import {canonical_name} from {module} instead",
    rationale="An alias gives one class a second name, and the second name soon gets a "
    "second implementation. In the canonical home too: beside `WebSocketManager = _Impl`, "
    "`UnifiedWebSocketManager = _Impl` is another public name for the same class; and "
    "`X = type('X', (WebSocketManager,), {})`, an empty subclass built by a call.",
    bad="from netra_backend.app.websocket_core.websocket_manager import WebSocketManager\n"
    "UnifiedWebSocketManager = WebSocketManager",
    good="from netra_backend.app.websocket_core.websocket_manager import WebSocketManager",
)
REEXPORT = Rule(
    code="SOT204",
    name="reexport-shim",
    message="{module} re-exports {symbol} ({how}); import it from {canonical} and remove the shim",
    rationale="A compatibility shim keeps the old import path alive forever; callers must "
    "move to the canonical module and the shim must go. A shim is a module that other modules "
    "import the symbol through (`from shim import X`, or a star import that brings it), or that "
    "exports it: its `__all__` lists it, or it is a package `__init__` that imports it for its "
    "users. An import nobody goes through (a test's `import X as X`, a script that only "
    "imports) is not a shim.",
    bad="# netra_backend/app/websocket/__init__.py\n"
    "from netra_backend.app.websocket_core.websocket_manager import WebSocketManager\n"
    "__all__ = ['WebSocketManager']",
    good="# callers import from netra_backend.app.websocket_core.websocket_manager",
)
DUPLICATE = Rule(
    code="SOT205",
    name="duplicate-implementation",
    message="class {name} duplicates {symbol}, whose single home is {module}",
    rationale="Two classes under one name are two sources of truth; they drift apart and "
    "callers get whichever they imported. A class built with `type('Name', bases, {...})` "
    "is a class statement too.",
    bad="# netra_backend/app/websocket_core/unified_manager.py\nclass UnifiedWebSocketManager:\n    ...",
    good="# only websocket_manager.py defines class WebSocketManager",
)

RULES = (SINGLETON, FACTORY, ALIAS, REEXPORT, DUPLICATE)

CACHE_DECORATORS = {"functools.lru_cache", "functools.cache", "functools.cached_property"}
FACTORY_PREFIXES = ("create", "make", "build", "new", "get", "provide", "construct", "spawn")


# -- at assignments outside functions (SOT201 instances, SOT203 aliases) -----------------------
def check_assignment(walk: ModuleWalk, targets: list[ast.expr], value: ast.expr, node: ast.AST) -> None:
    if _type_call(walk, value):
        check_type_call(walk, targets, value, node)
        return
    constructed = walk.construction(value)
    if constructed:
        kind = "module-level instance" if walk.scope.kind == "module" else "class attribute instance"
        walk.report(SINGLETON, node, constructed.qualname, "", kind=kind, symbol=constructed.name)
        return
    is_name = isinstance(value, (ast.Name, ast.Attribute))
    aliased = walk.resolve(value, mark_used=False) if is_name else None
    symbol = walk.policy.symbol_at(aliased) if aliased else None
    if aliased and not symbol and walk.scope.kind == "module":
        walk.home_names.extend((t, aliased) for t in targets if isinstance(t, ast.Name))
    if symbol:
        for target in targets:
            walk.report(ALIAS, target, aliased, symbol.qualname, alias=ast.unparse(target),
                        symbol=aliased, canonical_name=symbol.name, module=symbol.module)


# -- at class statements (SOT205 duplicates, SOT201 `_instance` caching) ---------------------------
def check_duplicate(walk: ModuleWalk, node: ast.ClassDef) -> None:
    _duplicate(walk, node.name, node)


def _duplicate(walk: ModuleWalk, name: str, node: ast.AST) -> bool:
    symbol = walk.short_names.get(name)
    if symbol and f"{walk.module}.{name}" != symbol.qualname and walk.scope.kind != "function":
        walk.report(DUPLICATE, node, f"{walk.module}.{name}", symbol.qualname,
                    name=name, symbol=symbol.qualname, module=symbol.module)
        return True
    return False


def _type_call(walk: ModuleWalk, value: ast.expr) -> bool:
    """`type("Name", bases, namespace)`: a class statement written as a call."""
    return (isinstance(value, ast.Call) and isinstance(value.func, ast.Name)
            and value.func.id == "type" and walk.lookup("type") is None and len(value.args) == 3
            and not value.keywords)


def check_type_call(walk: ModuleWalk, targets: list[ast.expr], value: ast.Call, node: ast.AST) -> None:
    """`X = type("X", (), {...})` is a class statement: a duplicate when its name is registered
    (SOT205); `X = type("X", (Registered,), {})`, an empty subclass, is an alias (SOT203)."""
    names = [t.id for t in targets if isinstance(t, ast.Name)]
    title = value.args[0]
    if isinstance(title, ast.Constant) and isinstance(title.value, str):
        names.insert(0, title.value)
    if any(_duplicate(walk, name, node) for name in dict.fromkeys(names)):
        return
    bases, namespace = value.args[1], value.args[2]
    empty = isinstance(namespace, ast.Dict) and not namespace.keys
    if empty and isinstance(bases, ast.Tuple) and len(bases.elts) == 1:
        aliased = walk.resolve(bases.elts[0], mark_used=False)
        symbol = walk.policy.symbol_at(aliased) if aliased else None
        if symbol:
            for target in targets:
                walk.report(ALIAS, target, aliased, symbol.qualname, alias=ast.unparse(target),
                            symbol=aliased, canonical_name=symbol.name, module=symbol.module)


def check_instance_cache(walk: ModuleWalk, node: ast.ClassDef) -> None:
    """`_instance` class attribute plus `__new__` (or a classmethod) that caches into it."""
    symbol = walk.short_names.get(node.name) or walk.registered_base(node)
    if not symbol:
        return
    for statement in node.body:
        if isinstance(statement, FUNCTION_NODES) and _mentions_attribute(statement, "_instance"):
            if statement.name == "__new__" or decorated(statement, "classmethod"):
                walk.report(SINGLETON, statement, symbol.qualname, "",
                            kind=f"`_instance` caching in {node.name}.{statement.name}",
                            symbol=symbol.name)


# -- after a function body (SOT201 getters, SOT202 factories) ------------------------------------
def check_function(walk: ModuleWalk, node: ast.FunctionDef, owner: ast.ClassDef | None,
                   facts: FunctionFacts) -> None:
    """Singleton getters (global cache, @lru_cache) and factories, judged on the whole body."""
    if node.name.startswith("__") and node.name.endswith("__"):
        return
    built = _constructed_names(walk, facts)
    cached_global = next((built[name] for name in facts.globals if name in built), None)
    if cached_global:
        walk.report(SINGLETON, node, cached_global.qualname, "",
                    kind=f"`global` cache in {node.name}()", symbol=cached_global.name)
        return
    wrapped = next(iter(_cached_wrappers(walk, facts).values()), None) if walk.wrappers else None
    if wrapped:
        cls, symbol, how = wrapped
        what = "a subclass" if how == "subclass" else "an adapter"
        walk.report(SINGLETON, node, symbol.qualname, "", symbol=symbol.name,
                    kind=f"`global` cache of {cls} ({what} of {symbol.name}) in {node.name}()")
        return
    returned = _returned_construction(walk, facts, built)
    if not returned:
        return
    if any(walk.resolve(d.func if isinstance(d, ast.Call) else d, False) in CACHE_DECORATORS
           for d in node.decorator_list):
        walk.report(SINGLETON, node, returned.qualname, "",
                    kind=f"cached getter {node.name}()", symbol=returned.name)
    elif walk.module != returned.module and factory_shaped(node, owner):
        name = f"{owner.name}.{node.name}" if owner else node.name
        walk.report(FACTORY, node, returned.qualname, returned.qualname, kind=_factory_kind(node, owner),
                    name=name, symbol=returned.name, module=returned.module)


def _factory_kind(node: ast.AST, owner: ast.ClassDef | None) -> str:
    if owner is None:
        return "function factory"
    if decorated(node, "staticmethod") or decorated(node, "classmethod"):
        return "static factory"
    return "factory method"


def _constructed_names(walk: ModuleWalk, facts: FunctionFacts) -> dict[str, Symbol]:
    """Local or global names this function assigns a new registered instance to."""
    built: dict[str, Symbol] = {}
    for child in facts.assignments:
        symbol = walk.construction(child.value)
        targets = child.targets if isinstance(child, ast.Assign) else [child.target]
        for target in targets:
            if symbol and isinstance(target, ast.Name):
                built[target.id] = symbol
    return built


def _cached_wrappers(walk: ModuleWalk, facts: FunctionFacts) -> dict[str, tuple[str, Symbol, str]]:
    """`global` names this function assigns an instance of a wrapper class of this module to:
    name -> (class, registered symbol, "subclass" or "adapter")."""
    cached: dict[str, tuple[str, Symbol, str]] = {}
    for child in facts.assignments:
        value = child.value  # `_x = Cls(...)`, or `_x = _x or Cls(...)`
        calls = value.values if isinstance(value, ast.BoolOp) else [value]
        for call in calls:
            if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name)):
                continue
            wrapper = walk.wrappers.get(call.func.id)
            binding = walk.lookup(call.func.id)
            if wrapper is None or binding is None or (
                    binding.qualname != f"{walk.module}.{call.func.id}"):
                continue  # not the module's class (an import or a parameter of that name)
            targets = child.targets if isinstance(child, ast.Assign) else [child.target]
            for target in targets:
                if isinstance(target, ast.Name) and target.id in facts.globals:
                    cached[target.id] = (call.func.id, *wrapper)
    return cached


def record_wrapper(walk: ModuleWalk, node: ast.ClassDef) -> None:
    """A module-level class that subclasses a registered class (directly or through another
    such class), or an adapter whose methods build one into `self.<attr>`: a `global` cache of
    its instance shares that registered instance across users too."""
    if walk.scope.kind != "module" or walk.short_names.get(node.name):
        return  # a registered name is judged as itself
    symbol, how = walk.registered_base(node), "subclass"
    for base in node.bases:
        if symbol is None and isinstance(base, ast.Name) and base.id in walk.wrappers:
            symbol, wrapped = walk.wrappers[base.id]
            how = "subclass" if wrapped == "subclass" else "adapter"
    if symbol is None:
        symbol, how = _held_instance(walk, node), "adapter"
    if symbol is not None:
        walk.wrappers[node.name] = (symbol, how)


def _held_instance(walk: ModuleWalk, node: ast.ClassDef) -> Symbol | None:
    """The registered class a method of `node` builds into `self.<attr>`, if any (the first one
    in source order, method by method)."""
    for method in node.body:
        if isinstance(method, FUNCTION_NODES):
            facts = walk.facts(method)  # the pass the walk makes of the method anyway
            nested = (n for scope in facts.scopes for n in ast.walk(scope))  # rare: read whole
            held = [(child, walk.construction(child.value))
                    for child in (*facts.assignments, *nested) if self_attributes(child)]
            found = sorted((child.lineno, child.col_offset, symbol.qualname, symbol)
                           for child, symbol in held if symbol)
            if found:
                return found[0][-1]
    return None


def _returned_construction(walk: ModuleWalk, facts: FunctionFacts, built: dict[str, Symbol]) -> Symbol | None:
    for child in facts.returns:
        if child.value is not None:
            symbol = walk.construction(child.value)
            if symbol:
                return symbol
            if isinstance(child.value, ast.Name) and child.value.id in built:
                return built[child.value.id]
    return None


def factory_shaped(node: ast.AST, owner: ast.ClassDef | None) -> bool:
    """Named or placed like a factory: `create_x()`, `x_factory()`, `X.create()`, `XFactory.m()`.

    A plain helper that happens to return an instance (a pytest fixture, `resume(ctx)`) is not
    reported: the seeds' "factory patterns" are the functions whose job is building managers.
    """
    name = node.name.lower().lstrip("_")
    if name.startswith(FACTORY_PREFIXES) or name.endswith("factory"):
        return True
    if owner is not None:
        return owner.name.endswith("Factory") or decorated(node, "staticmethod") or decorated(
            node, "classmethod")
    return False


def _mentions_attribute(node: ast.AST, attribute: str) -> bool:
    return any(isinstance(n, ast.Attribute) and n.attr == attribute for n in ast.walk(node))


# -- once per module (SOT203 second public names in the canonical home) ---------------------------
def report_home_aliases(walk: ModuleWalk) -> None:
    """`Canonical = _Impl` beside `Other = _Impl` in the canonical home: Other is another public
    name for the canonical class, an alias like `Other = Canonical`."""
    homes = {s.name: s for s in walk.policy.symbols.values() if s.module == walk.module}
    canonical = {source: homes[t.id] for t, source in walk.home_names if t.id in homes}
    for target, source in walk.home_names:
        symbol = canonical.get(source)
        if symbol and target.id != symbol.name and not target.id.startswith("_"):
            walk.report(ALIAS, target, f"{walk.module}.{target.id}", symbol.qualname,
                        alias=target.id, symbol=symbol.qualname, canonical_name=symbol.name,
                        module=symbol.module)


# -- once per module (SOT204 shims) -----------------------------------------------------------------
def report_reexports(walk: ModuleWalk) -> None:
    """A shim is a module that others import a registered symbol through, or that exports it
    (its `__all__`, or a package's own imports); an import nobody goes through is no shim."""
    reported_stars: set[int] = set()
    for record in walk.imports:
        symbol = walk.policy.symbol_at(record.binding.qualname)
        if symbol is None or walk.module == symbol.module:
            continue
        if record.star and record.binding.used and record.binding.qualname != symbol.qualname:
            report_non_canonical(walk, record.binding.qualname, symbol, record.node)
        how = _reexport_kind(walk, record)
        if how and not (record.star and id(record.node) in reported_stars):
            reported_stars.add(id(record.node))
            walk.report(REEXPORT, record.node, record.binding.qualname, symbol.qualname,
                        module=walk.module, symbol=symbol.name, how=how, canonical=symbol.module)


def _reexport_kind(walk: ModuleWalk, record: ImportRecord) -> str:
    if record.local in walk.all_names:
        return "listed in __all__"
    if walk.is_package:  # what a package `__init__` imports is the package's interface
        if record.explicit:
            return f"`import {record.local} as {record.local}`"
        if record.star:
            return "star import"
        if not record.binding.used:
            return "package __init__ import"
    index = walk.policy.index
    importers = index.importers(walk.module, record.local) if index is not None else ()
    if not importers:
        return ""
    more = f" and {len(importers) - 1} more" if len(importers) > 1 else ""
    return f"imported from here by {importers[0]}{more}"


def import_only(tree: ast.Module) -> bool:
    """A module whose top level only imports, re-exports and aliases (`ssot init` proposes
    such modules for deprecation when they re-export a policy name)."""
    def plain(statement: ast.stmt) -> bool:
        if isinstance(statement, (ast.Import, ast.ImportFrom, ast.Pass)):
            return True
        if isinstance(statement, ast.Expr):
            return isinstance(statement.value, ast.Constant)
        if isinstance(statement, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            value = statement.value
            return isinstance(value, (ast.Name, ast.Attribute, ast.List, ast.Tuple, ast.BinOp))
        if isinstance(statement, ast.Try):
            return all(plain(s) for s in statement.body) and all(
                plain(s) for handler in statement.handlers for s in handler.body)
        if isinstance(statement, ast.If):
            return all(plain(s) for s in (*statement.body, *statement.orelse))
        return False

    has_import = any(isinstance(s, (ast.Import, ast.ImportFrom, ast.Try)) for s in tree.body)
    return has_import and all(plain(statement) for statement in tree.body)

