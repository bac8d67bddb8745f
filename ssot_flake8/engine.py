"""The one analysis engine. It parses a module with `ast`, resolves every name statically and
reports the catalog's rules. It never imports or executes the code it checks.

Front-ends call `check_source` (bytes in, findings out) or `check_tree` (an already parsed tree).
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from .fallback import import_statements
from .policy import IMPORT_CODES, Policy, Symbol, module_name
from .rules import rule
from .source import (
    Finding,
    SourceError,
    absolute_import,
    decode,
    imports_in,
    parse,
    without_cycle_collection,
)

FUNCTION_NODES = (ast.FunctionDef, ast.AsyncFunctionDef)
SCOPE_NODES = (*FUNCTION_NODES, ast.ClassDef, ast.Lambda)
DYNAMIC_IMPORTERS = {"importlib.import_module", "builtins.__import__", "__import__"}
DYNAMIC_IMPORT_WORDS = (b"import_module", b"__import__")  # what a file calling one of them holds
CACHE_DECORATORS = {"functools.lru_cache", "functools.cache", "functools.cached_property"}
FALLBACK_CODES = {"SOT001", "SOT002", "SOT004", "SOT005"}  # what the token-level fallback can tell


def could_match(data: bytes, policy: Policy, path: str = "") -> bool:
    """The pre-filter: a file that names none of the policy's symbols or banned callables
    cannot hold a finding, unless it calls a dynamic importer (SOT003) or one of its imports
    names a deprecated module (SOT002), crosses a mirrored contract boundary (SOT005) or asks
    the tree for something the index says is not there (SOT004)."""
    if any(word in data for word in policy.keywords()):
        return True
    if policy.deprecated and any(word in data for word in DYNAMIC_IMPORT_WORDS):
        return True  # SOT003 reads the module from a string argument
    if policy.index is None and not policy.boundaries.contracts and not policy.deprecated:
        return False
    return imports_need_check(data.decode("utf-8", "replace"), path, policy)


def imports_need_check(text: str, path: str, policy: Policy) -> bool:
    """For a file without any policy word: does an import name a deprecated module, break a
    boundary contract, ask the tree for something the index says is not there, or star-import
    policy names? The imports are read by a line pattern, not a parse (cheap); the full check
    then confirms, so an import-looking line inside a string costs time, never a finding."""
    index = policy.index
    contracts = policy.boundaries.contracts
    watched = policy.watched_modules()
    if not contracts and "from ." not in text and not any(
            name.split(".")[0] in text for name in watched):
        return False  # nothing it imports can be stale or deprecated
    module, is_package = module_name(Path(path), policy)
    contracts = [c for c in contracts if module and c.may_break_from(module)]
    guarded = tuple({prefix for c in contracts for prefix in c.literal_prefixes()})
    deprecated = tuple(policy.deprecated)
    for level, base, names in imports_in(text, (*watched, *guarded)):
        if names is None:
            return True  # a statement the pattern cannot read: let the parser
        if level:
            base = absolute_import(module, is_package, level, base or None)
            if base is None:
                continue
        if base:  # from base import names
            asked = [(base, None if name == "*" else name) for name in names]
        else:  # import names
            asked = [(name, None) for name in names]
        for target, name in asked:
            if name is None and base and policy.holds_names(target):
                return True  # a star import of policy names
            full = f"{target}.{name}" if name else target
            if full.startswith(deprecated) and policy.deprecated_module(full):
                return True
            if index is not None and index.stale(target, name):
                return True
            guarding = full.startswith(guarded) and [c for c in contracts if c.may_guard(full)]
            if guarding:
                imported = imported_module(policy, full, base)
                if any(c.guards(imported) and c.breaks(module, imported) for c in guarding):
                    return True
    return False


def imported_module(policy: Policy, name: str, floor: str | None = None) -> str:
    """The module an import brings in, as grimp records it: the deepest existing module of
    `name` inside the root packages (`from a import b`: a.b if it is a module, else a)."""
    memo = policy.memo("imported_module")
    key = (name, floor)
    if key not in memo:
        candidate = name
        if not any(name == r or name.startswith(r + ".") for r in policy.root_packages):
            candidate = floor or name  # an external package: named as written
        while candidate != floor and "." in candidate and not policy.is_module(candidate):
            candidate = candidate.rpartition(".")[0]
        memo[key] = candidate
    return memo[key]


@without_cycle_collection  # the tree is freed before the collector is back on
def check_source(
    data: bytes, path: str, policy: Policy, *, prefilter: bool = True,
    imports: list[SymbolImport] | None = None,
) -> list[Finding]:
    """All findings for one file's bytes. A file that cannot be analysed gives one SOT000.

    `imports`, when given, also receives every import of a registered symbol (for `ssot audit`).
    """
    if prefilter and not could_match(data, policy, path):
        return []
    try:
        text = decode(data)
    except SourceError as error:
        return [error.finding(path)]
    try:
        tree = parse(text, path)
    except SourceError as error:  # the syntax error once, and the file's imports all the same
        return sorted([error.finding(path), *check_imports_only(text, path, policy)])
    # Columns are counted on the decoded text that was parsed (no BOM, declared encoding).
    return check_tree(tree, path, policy, text.splitlines(), imports=imports)


def check_imports_only(text: str, path: str, policy: Policy) -> list[Finding]:
    """The import rules on the import statements of a file that does not parse."""
    tree = ast.Module(body=import_statements(text), type_ignores=[])
    findings = check_tree(tree, path, policy, text.splitlines())
    return [finding for finding in findings if finding.code in FALLBACK_CODES]


def check_file(
    path: Path | str, policy: Policy, *, imports: list[SymbolImport] | None = None
) -> list[Finding]:
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        return [SourceError(f"cannot read: {error.strerror}").finding(str(path))]
    return check_source(data, str(path), policy, imports=imports)


def check_tree(
    tree: ast.Module, path: str, policy: Policy, lines: list[str], *,
    imports: list[SymbolImport] | None = None,
) -> list[Finding]:
    module, is_package = module_name(Path(path), policy)
    exempt = policy.is_exempt(module)
    if exempt and not policy.boundaries.contracts:
        return []
    checker = ModuleChecker(policy, module, is_package, path, lines)
    checker.ssot_rules = not exempt
    try:
        checker.run(tree)
    except RecursionError:
        return [SourceError("too deeply nested to analyse").finding(path)]
    if imports is not None:
        imports.extend(checker.symbol_imports)
    findings = set(checker.findings)
    if exempt:  # exempt from the SSOT rules, not from the boundary contracts
        findings = {f for f in findings if f.code == "SOT005"}
    if policy.import_ignores:
        findings = {
            f for f in findings
            if f.code not in IMPORT_CODES or not policy.ignores_import(module, f.subject)
        }
    return sorted(findings)


# -- scopes and bindings -----------------------------------------------------------------------


@dataclass
class Binding:
    """A name bound to a qualified name (by an import or a module-level definition)."""

    qualname: str
    used: bool = False


@dataclass
class Scope:
    kind: str  # "module", "class" or "function"
    bindings: dict[str, Binding | None] = field(default_factory=dict)  # None: a local value
    globals: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class SymbolImport:
    """Where a file reaches a registered symbol, and through which (module, name) path.

    `how` is "from" (`from m import N`), "star" (`from m import *`) or "attribute" (`m.N` after
    `import m`). `ssot audit` counts these to measure import-path fragmentation.
    """

    path: str
    line: int
    module: str
    name: str
    symbol: str  # the canonical qualified name
    how: str

    @property
    def canonical(self) -> bool:
        return f"{self.module}.{self.name}" == self.symbol


@dataclass
class ImportRecord:
    """A module-level import of a registered symbol, for the re-export (shim) rule."""

    local: str
    binding: Binding
    node: ast.AST
    explicit: bool  # `import X as X`, the typing convention for a re-export
    star: bool = False


class ModuleChecker(ast.NodeVisitor):
    def __init__(self, policy: Policy, module: str, is_package: bool, path: str, lines: list[str]):
        self.policy = policy
        self.module = module
        self.is_package = is_package
        self.path = path
        self.lines = lines
        self.findings: list[Finding] = []
        self.scopes: list[Scope] = [Scope("module")]
        self.deferred: list[tuple[ast.AST, list[Scope], ast.ClassDef | None]] = []
        self.imports: list[ImportRecord] = []
        self.symbol_imports: list[SymbolImport] = []  # every path to a registered symbol (audit)
        self.all_names: set[str] = set()
        self.in_type_checking = False
        self.current_class: ast.ClassDef | None = None
        self.short_names = policy.short_names()
        self.ssot_rules = True  # False in an exempt module: only the boundary contracts apply

    # -- a faster ast.NodeVisitor: a method cache per node type, and no visits of the leaf
    # ctx/operator nodes (the engine visits every node of a file that names the policy)
    visitors: ClassVar[dict[type, Callable]] = {}  # unbound: no reference cycle through self

    def visit(self, node: ast.AST) -> None:
        visitor = self.visitors.get(type(node))
        if visitor is None:
            name = f"visit_{type(node).__name__}"
            visitor = self.visitors[type(node)] = getattr(type(self), name, type(self).generic_visit)
        visitor(self, node)

    def generic_visit(self, node: ast.AST) -> None:
        for child in _children(node):
            self.visit(child)

    def visit_Constant(self, node: ast.Constant) -> None:
        pass  # a leaf (NodeVisitor's own visit_Constant only handles deprecated visit_Num & co)

    # -- driving ---------------------------------------------------------------------------------
    def run(self, tree: ast.Module) -> None:
        for statement in tree.body:
            self.visit(statement)
        while self.deferred:  # function bodies run after their module, as at run time
            function, scopes, owner = self.deferred.pop(0)
            self.visit_function_body(function, scopes, owner)
        self.report_reexports(tree)

    def report(self, code: str, node: ast.AST, subject: str = "", target: str = "", **details):
        line = getattr(node, "lineno", 1)
        col = self.column(line, getattr(node, "col_offset", 0))
        message = rule(code).format(**details)
        self.findings.append(Finding(self.path, line, col, code, message, subject, target))

    def column(self, line: int, byte_offset: int) -> int:
        """ast gives UTF-8 byte offsets; report characters, 1-based, like ruff."""
        if 0 < line <= len(self.lines):
            text = self.lines[line - 1]
            return len(text.encode()[:byte_offset].decode("utf-8", "replace")) + 1
        return byte_offset + 1

    # -- scopes ----------------------------------------------------------------------------------
    @property
    def scope(self) -> Scope:
        return self.scopes[-1]

    def bind(self, name: str, qualname: str | None) -> Binding | None:
        scope = self.scope
        if name in scope.globals:
            scope = self.scopes[0]
        binding = Binding(qualname) if qualname else None
        scope.bindings[name] = binding
        return binding

    def bind_local(self, name: str) -> None:
        """A definition or assignment: module-level names get their qualified name."""
        at_module = self.scope.kind == "module" or name in self.scope.globals
        self.bind(name, f"{self.module}.{name}" if at_module and self.module else None)

    def lookup(self, name: str) -> Binding | None:
        innermost = self.scopes[-1]
        if name in innermost.globals:
            return self.scopes[0].bindings.get(name)
        for scope in reversed(self.scopes):
            if scope.kind == "class" and scope is not innermost:
                continue  # class bodies are not visible from their methods
            if name in scope.bindings:
                return scope.bindings[name]
        return None

    def resolve(self, node: ast.AST, mark_used: bool = True) -> str | None:
        """The qualified name an expression refers to, when it is a (dotted) imported name."""
        if isinstance(node, ast.Name):
            binding = self.lookup(node.id)
            if binding is None:
                return "builtins.__import__" if node.id == "__import__" else None
            binding.used = binding.used or mark_used
            return binding.qualname
        if isinstance(node, ast.Attribute):
            base = self.resolve(node.value, mark_used)
            return f"{base}.{node.attr}" if base else None
        return None

    def registered(self, node: ast.AST) -> Symbol | None:
        qualname = self.resolve(node, mark_used=False)
        return self.policy.symbol_at(qualname) if qualname else None

    # -- imports ---------------------------------------------------------------------------------
    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.check_boundaries(imported_module(self.policy, alias.name), node)
            if self.reporting_imports() and not self.check_deprecated(alias.name, alias):
                self.check_stale(alias.name, None, alias)
            if alias.asname:
                self.bind(alias.asname, alias.name)
            else:
                top = alias.name.split(".")[0]
                self.bind(top, top)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = self.absolute_module(node)
        if module is None:
            return
        reported: set[str] = set()  # a missing module is reported once per statement
        for alias in node.names:
            name = module if alias.name == "*" else f"{module}.{alias.name}"
            self.check_boundaries(imported_module(self.policy, name, module), node)
            if alias.name == "*":
                self.star_import(module, alias)
                continue
            qualname = f"{module}.{alias.name}"
            if self.reporting_imports():
                if not self.check_imported_name(qualname, alias):
                    self.check_stale(module, alias.name, alias, reported)
                self.record_symbol_import(qualname, alias, "from")
            local = alias.asname or alias.name
            binding = self.bind(local, qualname)
            if self.records_reexports() and self.policy.symbol_at(qualname) and binding:
                self.imports.append(ImportRecord(local, binding, alias, alias.asname == alias.name))

    def absolute_module(self, node: ast.ImportFrom) -> str | None:
        return absolute_import(self.module, self.is_package, node.level, node.module)

    # -- the editor mirror of import-linter's boundary contracts (SOT005) -----------------------
    def check_boundaries(self, imported: str, node: ast.AST) -> None:
        """At the statement, once per imported module (as grimp counts imports)."""
        if not self.policy.boundaries.contracts or not self.module:
            return
        if self.in_type_checking and self.policy.boundaries.skip_type_checking:
            return
        if self.ssot_rules and self.reporting_imports() and self.policy.deprecated_module(imported):
            return  # SOT001/SOT002 already report this import, with its replacement
        for contract in self.policy.boundaries.contracts:
            broken = contract.breaks(self.module, imported)
            if broken:
                self.report("SOT005", node, imported, "", imported=imported, type=contract.type,
                            contract=contract.name, rule=broken)

    def records_reexports(self) -> bool:
        """Module-level imports that exist at run time can re-export; TYPE_CHECKING ones cannot."""
        return self.scope.kind == "module" and not self.in_type_checking

    def reporting_imports(self) -> bool:
        return self.policy.report_type_checking or not self.in_type_checking

    def record_symbol_import(self, qualname: str, node: ast.AST, how: str) -> None:
        symbol = self.policy.symbol_at(qualname)
        if symbol:
            module, _, name = qualname.rpartition(".")
            line = getattr(node, "lineno", 1)
            self.symbol_imports.append(SymbolImport(self.path, line, module, name, symbol.qualname, how))

    def check_imported_name(self, qualname: str, node: ast.AST) -> bool:
        """SOT001 / SOT002 for one imported name; True when the name is a policy name (then
        its own rule speaks for it, at the import or at the call, and SOT004 stays silent)."""
        symbol = self.policy.symbol_at(qualname)
        if symbol and qualname != symbol.qualname:
            self.report_non_canonical(qualname, symbol, node)
        deprecated = self.check_deprecated(qualname, node) if not symbol else False
        return bool(symbol or deprecated or self.policy.banned_at(qualname))

    def check_stale(self, module: str, name: str | None, node: ast.AST, reported: set | None = None):
        """SOT004 when the index knows the tree has no such module or name."""
        index = self.policy.index
        stale = index.stale(module, name) if index is not None else None
        if stale and stale[0] not in (reported or ()):
            problem, hint = stale
            subject = f"{module}.{name}" if name else module
            self.report("SOT004", node, subject, "", problem=problem, hint=hint)
            if reported is not None:
                reported.add(problem)

    def report_non_canonical(self, qualname: str, symbol: Symbol, node: ast.AST) -> None:
        self.report(
            "SOT001", node, qualname, symbol.qualname,
            imported=qualname, symbol=symbol.name, canonical_import=symbol.import_line,
        )

    def check_deprecated(self, module: str, node: ast.AST) -> bool:
        deprecated = self.policy.deprecated_module(module)
        if deprecated:
            self.report(
                "SOT002", node, module, deprecated.replacement or "",
                module=deprecated.module, instead=deprecated.instead,
            )
        return bool(deprecated)

    def star_import(self, module: str, alias: ast.alias) -> None:
        if self.reporting_imports() and not self.check_deprecated(module, alias):
            self.check_stale(module, None, alias)
        index = self.policy.index
        exported = index.star_exports(module) if index is not None else None
        for name in self.policy.holds_names(module):
            qualname = f"{module}.{name}"
            if exported is not None and name not in exported and qualname in index.found:
                continue  # a name the index found follows the module's `__all__` / public names
            if self.reporting_imports():
                self.record_symbol_import(qualname, alias, "star")
            binding = self.bind(name, qualname)
            if self.records_reexports() and self.policy.symbol_at(qualname) and binding:
                self.imports.append(ImportRecord(name, binding, alias, False, star=True))

    # -- references and calls --------------------------------------------------------------------
    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load):
            self.check_reference(node)
        else:
            self.bind_local(node.id)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if isinstance(node.ctx, ast.Load) and self.check_reference(node):
            return  # one finding per dotted chain
        self.visit(node.value)

    def check_reference(self, node: ast.Name | ast.Attribute) -> bool:
        qualname = self.resolve(node)
        if not qualname:
            return False
        banned = self.policy.banned_at(qualname)
        if banned:
            name = ast.unparse(node)
            self.report(banned.code, node, qualname, "", name=name, instead=banned.instead)
            return True
        symbol = self.policy.symbol_at(qualname)
        if isinstance(node, ast.Attribute) and symbol:
            self.record_symbol_import(qualname, node, "attribute")
            if qualname != symbol.qualname:
                self.report_non_canonical(qualname, symbol, node)
                return True
        return False

    def visit_Call(self, node: ast.Call) -> None:
        callee = self.resolve(node.func, mark_used=False)
        if callee in DYNAMIC_IMPORTERS:
            self.check_dynamic_import(node)
        symbol = self.policy.symbol_at(callee) if callee else None
        if symbol and symbol.required_arguments:
            self.check_required_arguments(node, symbol)
        self.generic_visit(node)

    def check_dynamic_import(self, node: ast.Call) -> None:
        if not node.args or not isinstance(node.args[0], ast.Constant):
            return
        target = node.args[0].value
        if not isinstance(target, str):
            return
        if target.startswith("."):
            target = self.relative_target(target, node)
            if target is None:
                return
        deprecated = self.policy.deprecated_module(target)
        if deprecated:
            self.report(
                "SOT003", node, target, deprecated.replacement or "",
                module=deprecated.module, instead=deprecated.instead,
            )

    def relative_target(self, target: str, node: ast.Call) -> str | None:
        """`import_module(".x", package=__package__)` resolved against this module's package."""
        package_args = [k.value for k in node.keywords if k.arg == "package"] + node.args[1:2]
        if not package_args or not isinstance(package_args[0], ast.Name):
            return None
        if package_args[0].id not in ("__package__", "__name__"):
            return None
        level = len(target) - len(target.lstrip("."))
        fake = ast.ImportFrom(module=target[level:] or None, names=[], level=level)
        return self.absolute_module(fake)

    def check_required_arguments(self, node: ast.Call, symbol: Symbol) -> None:
        passed = {keyword.arg for keyword in node.keywords}
        if None in passed:  # **kwargs may carry it
            return
        missing = [name for name in symbol.required_arguments if name not in passed]
        if missing:
            self.report(
                "SOT103", node, symbol.qualname, "",
                symbol=symbol.name,
                arguments=", ".join(missing),
                example=", ".join(f"{name}=..." for name in missing),
            )

    # -- definitions -----------------------------------------------------------------------------
    def visit_Assign(self, node: ast.Assign) -> None:
        self.visit(node.value)
        self.check_assignment(node.targets, node.value, node)
        for target in node.targets:
            self.visit(target)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self.visit(node.annotation)
        if node.value:
            self.visit(node.value)
            self.check_assignment([node.target], node.value, node)
        self.visit(node.target)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self.generic_visit(node)
        if self.is_all(node.target) and self.scope.kind == "module":
            self.all_names.update(_string_items(node.value))

    def check_assignment(self, targets: list[ast.expr], value: ast.expr, node: ast.AST) -> None:
        if self.scope.kind == "function":
            return  # function bodies are judged as a whole in visit_function_body
        if any(self.is_all(t) for t in targets) and self.scope.kind == "module":
            self.all_names.update(_string_items(value))
            return
        constructed = self.construction(value)
        if constructed:
            kind = "module-level instance" if self.scope.kind == "module" else "class attribute instance"
            self.report("SOT201", node, constructed.qualname, "", kind=kind, symbol=constructed.name)
            return
        is_name = isinstance(value, (ast.Name, ast.Attribute))
        aliased = self.resolve(value, mark_used=False) if is_name else None
        symbol = self.policy.symbol_at(aliased) if aliased else None
        if symbol:
            for target in targets:
                self.report(
                    "SOT203", target, aliased, symbol.qualname,
                    alias=ast.unparse(target), symbol=aliased,
                    canonical_name=symbol.name, module=symbol.module,
                )

    def is_all(self, target: ast.AST) -> bool:
        return isinstance(target, ast.Name) and target.id == "__all__"

    def construction(self, value: ast.AST | None) -> Symbol | None:
        """The registered symbol an expression constructs (`X(...)`), if any."""
        if isinstance(value, ast.Call):
            return self.registered(value.func) or self.class_self_construction(value.func)
        return None

    def class_self_construction(self, func: ast.AST) -> Symbol | None:
        """`cls(...)` inside a class that is itself one of the registered names."""
        owner = self.current_class
        if owner is None or not (isinstance(func, ast.Name) and func.id == "cls"):
            return None
        return self.short_names.get(owner.name) or self.registered_base(owner)

    def registered_base(self, node: ast.ClassDef) -> Symbol | None:
        for base in node.bases:
            symbol = self.registered(base)
            if symbol:
                return symbol
        return None

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for expression in (*node.decorator_list, *node.bases, *node.keywords):
            self.visit(expression)
        self.check_duplicate(node)
        self.check_instance_cache(node)
        outer_class, self.current_class = self.current_class, node
        self.scopes.append(Scope("class"))
        for statement in node.body:
            self.visit(statement)
        self.scopes.pop()
        self.current_class = outer_class
        self.bind_local(node.name)

    def check_duplicate(self, node: ast.ClassDef) -> None:
        symbol = self.short_names.get(node.name)
        if symbol and f"{self.module}.{node.name}" != symbol.qualname and self.scope.kind != "function":
            self.report(
                "SOT205", node, f"{self.module}.{node.name}", symbol.qualname,
                name=node.name, symbol=symbol.qualname, module=symbol.module,
            )

    def check_instance_cache(self, node: ast.ClassDef) -> None:
        """`_instance` class attribute plus `__new__` (or a classmethod) that caches into it."""
        symbol = self.short_names.get(node.name) or self.registered_base(node)
        if not symbol:
            return
        for statement in node.body:
            if isinstance(statement, FUNCTION_NODES) and _mentions_attribute(statement, "_instance"):
                if statement.name == "__new__" or _decorated(statement, "classmethod"):
                    self.report(
                        "SOT201", statement, symbol.qualname, "",
                        kind=f"`_instance` caching in {node.name}.{statement.name}", symbol=symbol.name,
                    )

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for expression in (*node.decorator_list, *_defaults(node.args)):
            self.visit(expression)
        for annotation in _annotations(node):
            self.visit(annotation)
        self.bind_local(node.name)
        self.deferred.append((node, list(self.scopes), self.current_class))

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node: ast.Lambda) -> None:
        for default in _defaults(node.args):
            self.visit(default)
        self.scopes.append(Scope("function", {a: None for a in _argument_names(node.args)}))
        self.visit(node.body)
        self.scopes.pop()

    def visit_function_body(self, node: ast.AST, scopes: list[Scope], owner: ast.ClassDef | None):
        saved_scopes, saved_class = self.scopes, self.current_class
        facts = FunctionFacts.of(node)
        scope = Scope("function")
        scope.globals = facts.globals
        scope.bindings = {name: None for name in facts.bound - facts.globals}
        self.scopes, self.current_class = [*scopes, scope], owner
        for statement in node.body:
            self.visit(statement)
        self.check_function(node, owner, facts)
        self.scopes, self.current_class = saved_scopes, saved_class

    def check_function(self, node: ast.FunctionDef, owner: ast.ClassDef | None,
                       facts: FunctionFacts) -> None:
        """Singleton getters (global cache, @lru_cache) and factories, judged on the whole body."""
        if node.name.startswith("__") and node.name.endswith("__"):
            return
        built = self.constructed_names(facts)
        cached_global = self.global_cache(facts, built)
        if cached_global:
            self.report("SOT201", node, cached_global.qualname, "",
                        kind=f"`global` cache in {node.name}()", symbol=cached_global.name)
            return
        returned = self.returned_construction(facts, built)
        if not returned:
            return
        if any(self.resolve(d.func if isinstance(d, ast.Call) else d, False) in CACHE_DECORATORS
               for d in node.decorator_list):
            self.report("SOT201", node, returned.qualname, "",
                        kind=f"cached getter {node.name}()", symbol=returned.name)
        elif self.module != returned.module and _factory_shaped(node, owner):
            kind = self.factory_kind(node, owner)
            name = f"{owner.name}.{node.name}" if owner else node.name
            self.report("SOT202", node, returned.qualname, returned.qualname,
                        kind=kind, name=name, symbol=returned.name, module=returned.module)

    def factory_kind(self, node: ast.AST, owner: ast.ClassDef | None) -> str:
        if owner is None:
            return "function factory"
        if _decorated(node, "staticmethod") or _decorated(node, "classmethod"):
            return "static factory"
        return "factory method"

    def constructed_names(self, facts: FunctionFacts) -> dict[str, Symbol]:
        """Local or global names this function assigns a new registered instance to."""
        built: dict[str, Symbol] = {}
        for child in facts.assignments:
            symbol = self.construction(child.value)
            targets = child.targets if isinstance(child, ast.Assign) else [child.target]
            for target in targets:
                if symbol and isinstance(target, ast.Name):
                    built[target.id] = symbol
        return built

    def global_cache(self, facts: FunctionFacts, built: dict[str, Symbol]) -> Symbol | None:
        for name in facts.globals:
            if name in built:
                return built[name]
        return None

    def returned_construction(self, facts: FunctionFacts, built: dict[str, Symbol]) -> Symbol | None:
        for child in facts.returns:
            if child.value is not None:
                symbol = self.construction(child.value)
                if symbol:
                    return symbol
                if isinstance(child.value, ast.Name) and child.value.id in built:
                    return built[child.value.id]
        return None

    # -- other statements --------------------------------------------------------------------------
    def visit_If(self, node: ast.If) -> None:
        self.visit(node.test)
        guarded = _is_type_checking(node.test)
        outer, self.in_type_checking = self.in_type_checking, self.in_type_checking or guarded
        for statement in node.body:
            self.visit(statement)
        self.in_type_checking = outer
        for statement in node.orelse:
            self.visit(statement)

    def visit_Global(self, node: ast.Global) -> None:
        self.scope.globals.update(node.names)

    def visit_Expr(self, node: ast.Expr) -> None:
        call = node.value
        if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                and self.is_all(call.func.value) and call.func.attr in ("extend", "append")):
            for argument in call.args:
                self.all_names.update(_string_items(argument) or _string_items(ast.List([argument])))
        self.generic_visit(node)

    # -- the re-export (shim) rule -------------------------------------------------------------------
    def report_reexports(self, tree: ast.Module) -> None:
        reexporting_module = self.is_package or _import_only(tree)
        reported_stars: set[int] = set()
        for record in self.imports:
            symbol = self.policy.symbol_at(record.binding.qualname)
            if symbol is None or self.module == symbol.module:
                continue
            if record.star and record.binding.used and record.binding.qualname != symbol.qualname:
                self.report_non_canonical(record.binding.qualname, symbol, record.node)
            how = self.reexport_kind(record, reexporting_module)
            if how and not (record.star and id(record.node) in reported_stars):
                reported_stars.add(id(record.node))
                self.report("SOT204", record.node, record.binding.qualname, symbol.qualname,
                            module=self.module, symbol=symbol.name, how=how, canonical=symbol.module)

    def reexport_kind(self, record: ImportRecord, reexporting_module: bool) -> str:
        if record.local in self.all_names:
            return "listed in __all__"
        if record.explicit:
            return f"`import {record.local} as {record.local}`"
        if record.star and reexporting_module:
            return "star import"
        if reexporting_module and not record.binding.used:
            return "package __init__ import" if self.is_package else "import-only module"
        return ""


# -- helpers over the tree -----------------------------------------------------------------------


def _string_items(node: ast.AST) -> set[str]:
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return {e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)}
    if isinstance(node, ast.BinOp):
        return _string_items(node.left) | _string_items(node.right)
    return set()


def _own_nodes(node: ast.AST):
    """The nodes of a function body, without descending into nested scopes (as FunctionFacts
    walks them; `ssot init` uses it too)."""
    stack = _children(node)
    while stack:
        child = stack.pop()
        yield child
        if not isinstance(child, SCOPE_NODES):
            stack.extend(_children(child))


# Fields that never hold a node to descend into: ctx/operator singletons (nothing below them)
# and plain strings and numbers. A Constant's `value` is data too.
LEAF_FIELDS = {"ctx", "op", "ops", "id", "arg", "attr", "name", "asname", "module", "level", "kind",
               "type_comment", "is_async", "conversion"}
_NODE_FIELDS: dict[type, tuple[str, ...]] = {ast.Constant: ()}


def _children(node: ast.AST) -> list[ast.AST]:
    """ast.iter_child_nodes, same order, without the leaf fields, as a list (3x faster)."""
    fields = _NODE_FIELDS.get(type(node))
    if fields is None:
        fields = _NODE_FIELDS[type(node)] = tuple(
            name for name in type(node)._fields if name not in LEAF_FIELDS)
    children = []
    for name in fields:
        value = getattr(node, name, None)
        if isinstance(value, list):
            children += [item for item in value if isinstance(item, ast.AST)]
        elif isinstance(value, ast.AST):
            children.append(value)
    return children


@dataclass
class FunctionFacts:
    """What the function rules need from one function's own nodes, gathered in a single walk
    (walking the body once per question was most of the engine's time)."""

    globals: set[str]  # names declared `global`
    bound: set[str]  # names bound anywhere in the body: Python makes them local throughout
    assignments: list[ast.Assign | ast.AnnAssign]  # in walk order
    returns: list[ast.Return]

    @classmethod
    def of(cls, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> FunctionFacts:
        facts = cls(set(), set(_argument_names(node.args)), [], [])
        bound = facts.bound
        # The function's own nodes, depth first, without descending into nested scopes.
        stack = _children(node)
        while stack:
            child = stack.pop()
            kind = type(child)
            if kind is ast.Name:  # the commonest node, and a leaf
                if type(child.ctx) is not ast.Load:
                    bound.add(child.id)
                continue
            if kind not in SCOPE_TYPES:
                stack += _children(child)
            if kind is ast.Assign or kind is ast.AnnAssign:
                facts.assignments.append(child)
            elif kind is ast.Return:
                facts.returns.append(child)
            elif kind is ast.Global:
                facts.globals.update(child.names)
            elif kind in BINDING_DEFINITIONS:
                bound.add(child.name)
            elif kind is ast.Import or kind is ast.ImportFrom:
                bound.update((a.asname or a.name).split(".")[0] for a in child.names if a.name != "*")
            elif kind in NAMED_CAPTURES and child.name:
                bound.add(child.name)
        return facts


SCOPE_TYPES = set(SCOPE_NODES)
BINDING_DEFINITIONS = {ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef}
NAMED_CAPTURES = {ast.ExceptHandler, ast.MatchAs, ast.MatchStar}


def _argument_names(arguments: ast.arguments) -> list[str]:
    names = [a.arg for a in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)]
    names += [a.arg for a in (arguments.vararg, arguments.kwarg) if a]
    return names


def _defaults(arguments: ast.arguments) -> list[ast.expr]:
    return [d for d in (*arguments.defaults, *arguments.kw_defaults) if d is not None]


def _annotations(node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.expr]:
    arguments = node.args
    every = (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs,
             arguments.vararg, arguments.kwarg)
    found = [a.annotation for a in every if a is not None and a.annotation is not None]
    return found + ([node.returns] if node.returns else [])


FACTORY_PREFIXES = ("create", "make", "build", "new", "get", "provide", "construct", "spawn")


def _factory_shaped(node: ast.AST, owner: ast.ClassDef | None) -> bool:
    """Named or placed like a factory: `create_x()`, `x_factory()`, `X.create()`, `XFactory.m()`.

    A plain helper that happens to return an instance (a pytest fixture, `resume(ctx)`) is not
    reported: the seeds' "factory patterns" are the functions whose job is building managers.
    """
    name = node.name.lower().lstrip("_")
    if name.startswith(FACTORY_PREFIXES) or name.endswith("factory"):
        return True
    if owner is not None:
        return owner.name.endswith("Factory") or _decorated(node, "staticmethod") or _decorated(
            node, "classmethod")
    return False


def _decorated(node: ast.AST, name: str) -> bool:
    return any(isinstance(d, ast.Name) and d.id == name for d in getattr(node, "decorator_list", []))


def _mentions_attribute(node: ast.AST, attribute: str) -> bool:
    return any(isinstance(n, ast.Attribute) and n.attr == attribute for n in ast.walk(node))


def _is_type_checking(test: ast.AST) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def _import_only(tree: ast.Module) -> bool:
    """A module whose top level only imports, re-exports and aliases: a shim."""
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
