"""What a module defines and which names it leaves undefined, read statically with libcst."""

from __future__ import annotations

import ast
import builtins

import libcst as cst
from libcst.helpers import get_full_name_for_node
from libcst.metadata import (
    MetadataWrapper,
    ScopeProvider,
)

from ssot_flake8.policy.model import Policy, module_path
from ssot_flake8.source.text import SourceError, decode, parse

# -- what a module defines, read statically --------------------------------------------------------------

def _defined_names(policy: Policy, module: str) -> set[str]:
    """Names bound at the top level of `module` (and its submodules, for a package).

    Read once per policy and module: kept with the policy's other derived tables.
    """
    cache = policy._derived.setdefault("fix_defined_names", {})
    if module not in cache:
        cache[module] = _read_defined_names(policy, module)
    return cache[module]


def _read_defined_names(policy: Policy, module: str) -> set[str]:
    names: set[str] = set()
    for root in policy.source_roots:
        path = module_path(root, module)
        if path is None:
            continue
        directory = path.parent if path.name == "__init__.py" else path
        if directory.is_dir():
            names.update(child.stem for child in directory.glob("*.py") if child.stem != "__init__")
            names.update(child.name for child in directory.iterdir()
                         if child.is_dir() and child.name.isidentifier())
        if path.is_file():
            try:
                tree = parse(decode(path.read_bytes()), str(path))
            except (OSError, SourceError):
                continue
            names.update(_top_level_bindings(tree.body))
    return names


def _top_level_bindings(statements) -> set[str]:
    names: set[str] = set()
    for statement in statements:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(statement.name)
        elif isinstance(statement, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            names.update(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
        elif isinstance(statement, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in statement.names if a.name != "*")
        elif isinstance(statement, (ast.If, ast.Try, ast.With)):
            inner = [*statement.body, *getattr(statement, "orelse", []),
                     *getattr(statement, "finalbody", [])]
            inner += [s for handler in getattr(statement, "handlers", []) for s in handler.body]
            names.update(_top_level_bindings(inner))
    return names


def _exported_names(text: str) -> set[str]:
    """The strings in a module-level `__all__`."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return set()
    exported = set()
    for statement in tree.body:
        targets = getattr(statement, "targets", None) or [getattr(statement, "target", None)]
        if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
            exported.update(n.value for n in ast.walk(statement)
                            if isinstance(n, ast.Constant) and isinstance(n.value, str))
    return exported


MODULE_NAMES = frozenset(dir(builtins)) | {
    "__file__", "__name__", "__doc__", "__package__", "__spec__", "__path__", "__builtins__",
    "__loader__", "__annotations__", "__dict__", "__module__", "__qualname__", "__class__"}


def undefined_names(data: bytes) -> set[str]:
    """Names read somewhere in a module that nothing in it (or builtins) binds."""
    module = cst.parse_module(data)
    has_star = any(isinstance(n, cst.ImportFrom) and isinstance(n.names, cst.ImportStar)
                   for n in _walk(module))
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    scopes = {id(s): s for s in wrapper.resolve(ScopeProvider).values() if s is not None}
    return _undefined(scopes.values(), has_star)


def _undefined(scopes, has_star: bool) -> set[str]:
    if has_star:
        return set()  # a star import may bind anything
    missing = set()
    for scope in scopes:
        for access in scope.accesses:
            name = (get_full_name_for_node(access.node) or "").split(".")[0]
            if name and not access.referents and name not in MODULE_NAMES:
                missing.add(name)
    return missing


def _walk(node: cst.CSTNode):
    """Statements and the small statements inside them (imports live there)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if not isinstance(current, (cst.BaseSmallStatement, cst.BaseExpression)):
            stack.extend(current.children)
