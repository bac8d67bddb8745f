"""The shared walk: one pass over a module's tree that keeps its scopes and bindings, resolves
every name statically and calls the rules (`ssot_flake8.rules.*`) where each applies.

Like ruff's Checker, the walk owns the traversal and the name resolution; each rule family is a
set of functions that receive the walk and report through it. It never imports or executes
the code it checks.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

from ssot_flake8.policy.model import Policy, Symbol
from ssot_flake8.rules import calls, definitions, imports
from ssot_flake8.rules.base import Rule
from ssot_flake8.source.text import Finding, absolute_import
from ssot_flake8.source.tree import (
    FunctionFacts,
    annotations,
    argument_names,
    children,
    defaults,
    is_all,
    is_type_checking,
    string_items,
)

DYNAMIC_IMPORTERS = {"importlib.import_module", "builtins.__import__", "__import__"}


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
    instances: dict[str, str] = field(default_factory=dict)  # name -> the banned class it holds


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


class ModuleWalk(ast.NodeVisitor):
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
        # `self.<attr>` bound in a class's methods: class -> attr -> banned class (None: unknown)
        self.attribute_instances: dict[int, dict[str, str | None]] = {}
        self.attribute_calls: list[tuple[int, str, ast.Call]] = []  # judged once all bodies ran
        self.home_names: list[tuple[ast.Name, str]] = []  # module-level `Name = other_name`
        # module-level classes that subclass a registered class or hold one they build
        self.wrappers: dict[str, tuple[Symbol, str]] = {}  # class name -> (symbol, how)
        self._facts: dict[ast.AST, FunctionFacts] = {}  # a method's, asked twice (wrappers)

    # -- a faster ast.NodeVisitor: a method cache per node type, and no visits of the leaf
    # ctx/operator nodes (the walk visits every node of a file that names the policy)
    visitors: ClassVar[dict[type, Callable]] = {}  # unbound: no reference cycle through self

    def visit(self, node: ast.AST) -> None:
        visitor = self.visitors.get(type(node))
        if visitor is None:
            name = f"visit_{type(node).__name__}"
            visitor = self.visitors[type(node)] = getattr(type(self), name, type(self).generic_visit)
        visitor(self, node)

    def generic_visit(self, node: ast.AST) -> None:
        for child in children(node):
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
        self.report_attribute_calls()
        definitions.report_home_aliases(self)
        definitions.report_reexports(self)

    def report(self, rule: Rule, node: ast.AST, subject: str = "", target: str = "", /, **details):
        line = getattr(node, "lineno", 1)
        col = self.column(line, getattr(node, "col_offset", 0))
        message = rule.format(**details)
        end_line, end_col = self.end_of(node, line)
        self.findings.append(Finding(self.path, line, col, rule.code, message, subject, target,
                                     end_line, end_col))

    def end_of(self, node: ast.AST, line: int) -> tuple[int, int]:
        """Where the reported node ends; for a `def` or `class`, the end of its name."""
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
            start = text.find(node.name, self.column(line, node.col_offset) - 1)
            return (line, start + len(node.name) + 1) if start >= 0 else (0, 0)
        end_line, end_offset = getattr(node, "end_lineno", None), getattr(node, "end_col_offset", None)
        if end_line is None or end_offset is None:
            return 0, 0
        return end_line, self.column(end_line, end_offset)

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

    # -- imports ---------------------------------------------------------------------------------
    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            imports.check_boundaries(self, imported_module(self.policy, alias.name), node)
            if self.reporting_imports() and not imports.check_deprecated(self, alias.name, alias):
                imports.check_stale(self, alias.name, None, alias)
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
            imports.check_boundaries(self, imported_module(self.policy, name, module), node)
            if alias.name == "*":
                self.star_import(module, alias)
                continue
            qualname = f"{module}.{alias.name}"
            if self.reporting_imports():
                if not imports.check_imported_name(self, qualname, alias):
                    imports.check_stale(self, module, alias.name, alias, reported)
                self.record_symbol_import(qualname, alias, "from")
            local = alias.asname or alias.name
            binding = self.bind(local, qualname)
            if self.records_reexports() and self.policy.symbol_at(qualname) and binding:
                self.imports.append(ImportRecord(local, binding, alias, alias.asname == alias.name))

    def absolute_module(self, node: ast.ImportFrom) -> str | None:
        return absolute_import(self.module, self.is_package, node.level, node.module)

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

    def star_import(self, module: str, alias: ast.alias) -> None:
        if self.reporting_imports() and not imports.check_deprecated(self, module, alias):
            imports.check_stale(self, module, None, alias)
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
        """The rules about a referenced name; True when one reported (once per dotted chain)."""
        qualname = self.resolve(node)
        if not qualname:
            return False
        if calls.check_banned(self, qualname, node):
            return True
        symbol = self.policy.symbol_at(qualname)
        if isinstance(node, ast.Attribute) and symbol:
            self.record_symbol_import(qualname, node, "attribute")
            return imports.check_attribute_path(self, qualname, symbol, node)
        return False

    def visit_Call(self, node: ast.Call) -> None:
        callee = self.resolve(node.func, mark_used=False)
        if callee in DYNAMIC_IMPORTERS:
            imports.check_dynamic_import(self, node)
        symbol = self.policy.symbol_at(callee) if callee else None
        if symbol and symbol.required_arguments:
            calls.check_required_arguments(self, node, symbol)
        if isinstance(node.func, ast.Attribute) and not (callee and self.policy.banned_at(callee)):
            self.instance_call(node)
        self.generic_visit(node)

    # -- instances of banned factory classes (`factory = Factory(); factory.create(...)`) --------
    def banned_class(self, value: ast.AST | None) -> str | None:
        """The banned class `value` constructs (`Factory(...)`), if any."""
        if isinstance(value, ast.Call):
            callee = self.resolve(value.func, mark_used=False)
            if callee and self.policy.banned.get(callee) and callee.rpartition(".")[2][:1].isupper():
                return callee
        return None

    def lookup_instance(self, name: str) -> str | None:
        innermost = self.scopes[-1]
        for scope in reversed(self.scopes):
            if scope.kind == "class" and scope is not innermost:
                continue
            if name in scope.instances:
                return scope.instances[name]
            if name in scope.bindings or name in scope.globals:
                return None
        return None

    def track_instances(self, targets: list[ast.expr], value: ast.expr | None) -> None:
        """Remember which names (and `self` attributes) hold an instance of a banned class."""
        held = self.banned_class(value)
        for target in targets:
            if isinstance(target, ast.Name):
                if held:
                    self.scope.instances[target.id] = held
                else:
                    self.scope.instances.pop(target.id, None)
            elif (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)
                  and target.value.id == "self" and self.current_class is not None
                  and self.scope.kind == "function"):
                attributes = self.attribute_instances.setdefault(id(self.current_class), {})
                if target.attr in attributes and attributes[target.attr] != held:
                    held = None  # bound to different things: unknown
                attributes[target.attr] = held

    def instance_call(self, node: ast.Call) -> None:
        """`factory.create_manager(...)` where `factory` holds a banned class's instance (a
        building method: `create_`/`get_`/`make_`…; `factory.shutdown()` builds nothing)."""
        if not node.func.attr.lower().startswith(definitions.FACTORY_PREFIXES):
            return
        receiver = node.func.value
        if isinstance(receiver, ast.Name):
            held = self.lookup_instance(receiver.id)
            if held:
                calls.check_banned(self, f"{held}.{node.func.attr}", node.func)
        elif (isinstance(receiver, ast.Attribute) and isinstance(receiver.value, ast.Name)
              and receiver.value.id == "self" and self.current_class is not None):
            self.attribute_calls.append((id(self.current_class), receiver.attr, node))

    def report_attribute_calls(self) -> None:
        for owner, attribute, node in self.attribute_calls:
            held = self.attribute_instances.get(owner, {}).get(attribute)
            if held:
                calls.check_banned(self, f"{held}.{node.func.attr}", node.func)

    # -- definitions -----------------------------------------------------------------------------
    def visit_Assign(self, node: ast.Assign) -> None:
        self.visit(node.value)
        self.assignment(node.targets, node.value, node)
        for target in node.targets:
            self.visit(target)
        self.track_instances(node.targets, node.value)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self.visit(node.annotation)
        if node.value:
            self.visit(node.value)
            self.assignment([node.target], node.value, node)
        self.visit(node.target)
        self.track_instances([node.target], node.value)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self.generic_visit(node)
        if is_all(node.target) and self.scope.kind == "module":
            self.all_names.update(string_items(node.value))

    def assignment(self, targets: list[ast.expr], value: ast.expr, node: ast.AST) -> None:
        if self.scope.kind == "function":
            return  # function bodies are judged as a whole in visit_function_body
        if any(is_all(t) for t in targets) and self.scope.kind == "module":
            self.all_names.update(string_items(value))
            return
        definitions.check_assignment(self, targets, value, node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for expression in (*node.decorator_list, *node.bases, *node.keywords):
            self.visit(expression)
        definitions.check_duplicate(self, node)
        definitions.check_instance_cache(self, node)
        definitions.record_wrapper(self, node)
        outer_class, self.current_class = self.current_class, node
        self.scopes.append(Scope("class"))
        for statement in node.body:
            self.visit(statement)
        self.scopes.pop()
        self.current_class = outer_class
        self.bind_local(node.name)

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for expression in (*node.decorator_list, *defaults(node.args)):
            self.visit(expression)
        for annotation in annotations(node):
            self.visit(annotation)
        self.bind_local(node.name)
        self.deferred.append((node, list(self.scopes), self.current_class))

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node: ast.Lambda) -> None:
        for default in defaults(node.args):
            self.visit(default)
        self.scopes.append(Scope("function", {a: None for a in argument_names(node.args)}))
        self.visit(node.body)
        self.scopes.pop()

    def visit_function_body(self, node: ast.AST, scopes: list[Scope], owner: ast.ClassDef | None):
        saved_scopes, saved_class = self.scopes, self.current_class
        facts = self.facts(node)
        scope = Scope("function")
        scope.globals = facts.globals
        scope.bindings = {name: None for name in facts.bound - facts.globals}
        self.scopes, self.current_class = [*scopes, scope], owner
        for statement in node.body:
            self.visit(statement)
        definitions.check_function(self, node, owner, facts)
        self.scopes, self.current_class = saved_scopes, saved_class

    def facts(self, node: ast.AST) -> FunctionFacts:
        """One pass over a function's own nodes, kept: a module-level class's methods are read
        for the instances they hold (definitions.record_wrapper) before their bodies are walked."""
        facts = self._facts.get(node)
        if facts is None:
            facts = self._facts[node] = FunctionFacts.of(node)
        return facts

    # -- other statements --------------------------------------------------------------------------
    def visit_If(self, node: ast.If) -> None:
        self.visit(node.test)
        guarded = is_type_checking(node.test)
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
                and is_all(call.func.value) and call.func.attr in ("extend", "append")):
            for argument in call.args:
                self.all_names.update(string_items(argument) or string_items(ast.List([argument])))
        self.generic_visit(node)
