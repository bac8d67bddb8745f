"""Small questions about an `ast` tree that the walk, the rules and `ssot init` all ask.

The walk visits every node of a file that names the policy, so the traversal helpers here are
written for speed (a list of children without the leaf fields, one pass per function body).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field

FUNCTION_NODES = (ast.FunctionDef, ast.AsyncFunctionDef)
SCOPE_NODES = (*FUNCTION_NODES, ast.ClassDef, ast.Lambda)
SCOPE_TYPES = set(SCOPE_NODES)
BINDING_DEFINITIONS = {ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef}
NAMED_CAPTURES = {ast.ExceptHandler, ast.MatchAs, ast.MatchStar}

# Fields that never hold a node to descend into: ctx/operator singletons (nothing below them)
# and plain strings and numbers. A Constant's `value` is data too.
LEAF_FIELDS = {"ctx", "op", "ops", "id", "arg", "attr", "name", "asname", "module", "level", "kind",
               "type_comment", "is_async", "conversion"}
_NODE_FIELDS: dict[type, tuple[str, ...]] = {ast.Constant: ()}


def children(node: ast.AST) -> list[ast.AST]:
    """ast.iter_child_nodes, same order, without the leaf fields, as a list (3x faster)."""
    fields = _NODE_FIELDS.get(type(node))
    if fields is None:
        fields = _NODE_FIELDS[type(node)] = tuple(
            name for name in type(node)._fields if name not in LEAF_FIELDS)
    found = []
    for name in fields:
        value = getattr(node, name, None)
        if isinstance(value, list):
            found += [item for item in value if isinstance(item, ast.AST)]
        elif isinstance(value, ast.AST):
            found.append(value)
    return found


def own_nodes(node: ast.AST) -> Iterator[ast.AST]:
    """The nodes of a function body, without descending into nested scopes (as FunctionFacts
    walks them; `ssot init` uses it too)."""
    stack = children(node)
    while stack:
        child = stack.pop()
        yield child
        if not isinstance(child, SCOPE_NODES):
            stack.extend(children(child))


@dataclass
class FunctionFacts:
    """What the function rules need from one function's own nodes, gathered in a single walk
    (walking the body once per question was most of the engine's time)."""

    globals: set[str]  # names declared `global`
    bound: set[str]  # names bound anywhere in the body: Python makes them local throughout
    assignments: list[ast.Assign | ast.AnnAssign]  # in walk order
    returns: list[ast.Return]
    scopes: list[ast.AST] = field(default_factory=list)  # the nested functions, lambdas, classes

    @classmethod
    def of(cls, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> FunctionFacts:
        facts = cls(set(), set(argument_names(node.args)), [], [])
        bound = facts.bound
        # The function's own nodes, depth first, without descending into nested scopes.
        stack = children(node)
        while stack:
            child = stack.pop()
            kind = type(child)
            if kind is ast.Name:  # the commonest node, and a leaf
                if type(child.ctx) is not ast.Load:
                    bound.add(child.id)
                continue
            if kind not in SCOPE_TYPES:
                stack += children(child)
            else:
                facts.scopes.append(child)
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


def argument_names(arguments: ast.arguments) -> list[str]:
    names = [a.arg for a in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)]
    names += [a.arg for a in (arguments.vararg, arguments.kwarg) if a]
    return names


def defaults(arguments: ast.arguments) -> list[ast.expr]:
    return [d for d in (*arguments.defaults, *arguments.kw_defaults) if d is not None]


def annotations(node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.expr]:
    arguments = node.args
    every = (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs,
             arguments.vararg, arguments.kwarg)
    found = [a.annotation for a in every if a is not None and a.annotation is not None]
    return found + ([node.returns] if node.returns else [])


def string_items(node: ast.AST) -> set[str]:
    """The string literals of a list/tuple/set display, or of a sum of them (`__all__`)."""
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return {e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)}
    if isinstance(node, ast.BinOp):
        return string_items(node.left) | string_items(node.right)
    return set()


def decorated(node: ast.AST, name: str) -> bool:
    return any(isinstance(d, ast.Name) and d.id == name for d in getattr(node, "decorator_list", []))


def is_type_checking(test: ast.AST) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def self_attributes(node: ast.AST) -> list[str]:
    """The `<attr>` of each `self.<attr>` that an assignment with a value (`=`, or `: T =`)
    binds; [] for any other node."""
    if type(node) is ast.Assign:
        targets = node.targets
    elif type(node) is ast.AnnAssign and node.value is not None:
        targets = [node.target]
    else:
        return []
    return [t.attr for t in targets if isinstance(t, ast.Attribute)
            and isinstance(t.value, ast.Name) and t.value.id == "self"]


def is_all(target: ast.AST) -> bool:
    return isinstance(target, ast.Name) and target.id == "__all__"
