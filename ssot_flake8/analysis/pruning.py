"""Walking only what can hold a finding: the blocks of a module that name nothing the policy
watches are replaced by stubs before the walk (the tree itself, flake8's too, is not changed).

A finding needs a name the policy watches: one of its words (`Policy.keywords`, the words every
policy name and banned callable holds), or a module-level name bound by a statement that holds
one of those words or such a name (`M` in `from x import Manager as M`, `mgr` in
`mgr = get_manager()`, `Sub` in `class Sub(Manager)`), or an import, dynamic import or `__all__`
of the block's own. The unit is a top-level function or class, and inside a class that names a
watched name, each method. A block that names nothing watched but holds import statements of
its own keeps only the statements that hold them (an import is judged on its own: boundaries,
deprecated modules, stale names). `tests/test_pruning.py` holds the cases where what a block finds
hides behind a name that is not a policy word.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable

from ssot_flake8.policy.model import Policy
from ssot_flake8.source.tree import FUNCTION_NODES, FunctionFacts, children, self_attributes

# What a block must name for the walk to find anything in it, besides the policy's words and the
# module's names bound to them: a dynamic import, an `__all__` it extends.
_ALWAYS = ("__import__", "import_module", "__all__")
# An import statement of a block's own: at the start of an indented line, or after `:` or `;`
# (`def f(): import x`, `if y: import x`).
_OWN_IMPORT = re.compile(r"(?:^[ \t]+|[:;][ \t]*)(?:from[ \t]+[.\w]+[ \t]+)?import\b", re.MULTILINE)
_DEFINITIONS = (*FUNCTION_NODES, ast.ClassDef)
# What a method must name besides the watched words: `_instance` (a cached singleton, SOT201),
# `cls` (`cls(...)` builds the class itself, a registered one or a subclass of one).
_IN_METHODS = ("_instance", "cls")
_SELF_ASSIGNED = re.compile(r"\bself\.(\w+)[ \t]*(?::[^=\n]*)?=(?!=)")

Facts = Callable[[ast.AST], FunctionFacts]


def pruned(tree: ast.Module, lines: list[str], policy: Policy,
           facts: Facts = FunctionFacts.of) -> ast.Module:
    """`tree` with each block that cannot hold a finding reduced to a stub of the same kind and
    name (so the module's bindings stay as they are, in order). `facts` is the walk's own pass
    over a function (ModuleWalk.facts), so a kept method is not read twice."""
    if not any(isinstance(node, _DEFINITIONS) for node in tree.body):
        return tree
    words = _watched_words(tree, lines, policy)
    body = []
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            node = _pruned_class(node, lines, words, facts)
        elif isinstance(node, FUNCTION_NODES):
            node = _pruned_function(node, lines, words, ())
        body.append(node)
    return ast.Module(body=body, type_ignores=tree.type_ignores)


def _watched_words(tree: ast.Module, lines: list[str], policy: Policy) -> set[str]:
    """The policy's words and the module-level names bound from them, transitively."""
    words = set(_static_words(policy))
    statements = [unit for node in tree.body if not isinstance(node, _DEFINITIONS)
                  for unit in _units(node, lines)]
    # a class that names a watched name (a subclass or an adapter of a registered class) makes
    # its own name watched: a `global` cache of its instance is a singleton (SOT201)
    statements += [(_text(node, lines), {node.name}) for node in tree.body
                   if isinstance(node, ast.ClassDef)]
    grown = True
    while grown:  # a name bound from a watched name is watched too
        grown = False
        for text, names in statements:
            if not names <= words and _names(text, words):
                words |= names
                grown = True
    return words


def _own_import(text: str) -> bool:
    return "import" in text and bool(_OWN_IMPORT.search(text))  # the test first: 5x faster


def _names(text: str, words) -> bool:
    return any(word in text for word in words)


def _pruned_function(node: ast.stmt, lines: list[str], words: set[str], extra,
                     text: str | None = None) -> ast.stmt:
    """The function (whose `text` it is) as it is when it names a watched word (or one of
    `extra`); else a stub that keeps only its statements that hold an import; else a stub."""
    text = _text(node, lines) if text is None else text
    if _names(text, words) or _names(text, extra):
        return node
    if not _own_import(text):
        return _stub(node)
    return _stub(node, [s for s in node.body if _own_import(_text(s, lines))])


def _pruned_class(node: ast.ClassDef, lines: list[str], words: set[str], facts: Facts) -> ast.stmt:
    """A class that names nothing watched and imports nothing is a stub. Otherwise its methods
    are pruned as functions are (the class node is copied; its other statements are kept),
    except that a method is kept whole when it names `_instance`, `cls`, or an attribute of
    `self` that a kept method assigns from something it binds or watches: a factory instance
    held in `self.<attr>` is judged across the class's methods (`ModuleWalk.track_instances`)."""
    text = _text(node, lines)
    if not _names(text, words) and not _own_import(text):
        return _stub(node)
    methods = [s for s in node.body if isinstance(s, FUNCTION_NODES)]
    texts = {id(m): _text(m, lines) for m in methods}
    kept = [m for m in methods if _names(texts[id(m)], words) or _names(texts[id(m)], _IN_METHODS)]
    if len(kept) == len(methods):
        return node
    held = {f".{name}" for method in kept for name in _held_attributes(method, lines, words, facts)}
    extra = (*_IN_METHODS, *held)
    members = {id(m): _pruned_function(m, lines, words, extra, texts[id(m)]) for m in methods}
    if all(members[id(m)] is m for m in methods):
        return node
    copy = ast.ClassDef(**{field: getattr(node, field) for field in node._fields})
    copy.body = [members.get(id(s), s) for s in node.body]
    return ast.copy_location(copy, node)


def _held_attributes(method: ast.stmt, lines: list[str], words: set[str], facts: Facts) -> set[str]:
    """The `self.<attr>` a kept method assigns a value that names a watched word or one of its
    own names (a local alias of a banned class); in nested scopes, every one it assigns."""
    own = facts(method)
    local = own.bound
    held = set()
    for assignment in own.assignments:
        attributes = self_attributes(assignment)
        if attributes and (_names(_text(assignment.value, lines), words)
                           or _uses(assignment.value, local)):
            held.update(attributes)
    for scope in own.scopes:
        held.update(_SELF_ASSIGNED.findall(_text(scope, lines)))
    return held


def _uses(node: ast.AST, names: set[str]) -> bool:
    stack = [node]
    while stack:
        child = stack.pop()
        if type(child) is ast.Name:
            if child.id in names:
                return True
        else:
            stack += children(child)
    return False


def _static_words(policy: Policy) -> frozenset[str]:
    memo = policy.memo("pruning_words")
    if "words" not in memo:
        memo["words"] = frozenset(
            (*(word.decode("utf-8", "replace") for word in policy.keywords()), *_ALWAYS))
    return memo["words"]


def _text(node: ast.AST, lines: list[str]) -> str:
    first = min((node.lineno, *(d.lineno for d in getattr(node, "decorator_list", ()))))
    return "\n".join(lines[first - 1:node.end_lineno or node.lineno])


def _units(node: ast.stmt, lines: list[str]):
    """(text, names it binds) of the parts of a module-level statement: each name of an import
    on its own (`from m import A, B` binds B from `m.B`), the blocks of an `if` or `try` apart,
    any other statement whole."""
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        base = f"{node.module or ''}." if isinstance(node, ast.ImportFrom) else ""
        for alias in node.names:
            yield f"{base}{alias.name}", {alias.asname or alias.name.split(".")[0]}
    elif isinstance(node, (ast.If, ast.Try, getattr(ast, "TryStar", ast.Try))):
        if isinstance(node, ast.If):
            yield _text(node.test, lines), _bound_names(node.test)
        for handler in getattr(node, "handlers", ()):
            yield _text(handler, lines), {handler.name} if handler.name else set()
            for statement in handler.body:
                yield from _units(statement, lines)
        for block in ("body", "orelse", "finalbody"):
            for statement in getattr(node, block, ()):
                yield from _units(statement, lines)
    else:
        yield _text(node, lines), _bound_names(node)


def _bound_names(node: ast.AST) -> set[str]:
    names = set()
    for child in ast.walk(node):
        if isinstance(child, ast.Name) and not isinstance(child.ctx, ast.Load):
            names.add(child.id)
        elif isinstance(child, ast.alias):
            names.add(child.asname or child.name.split(".")[0])
        elif isinstance(child, (*_DEFINITIONS, ast.ExceptHandler, ast.MatchAs, ast.MatchStar)):
            if getattr(child, "name", None):
                names.add(child.name)
    return names


def _stub(node: ast.stmt, body: list[ast.stmt] | None = None) -> ast.stmt:
    """A definition of the same kind and name whose body is `body` (its import statements), or
    `pass`."""
    body = body or [ast.copy_location(ast.Pass(), node)]
    if isinstance(node, ast.ClassDef):
        stub = ast.ClassDef(name=node.name, bases=[], keywords=[], body=body, decorator_list=[])
    else:
        arguments = ast.arguments(posonlyargs=[], args=[], vararg=None, kwonlyargs=[],
                                  kw_defaults=[], kwarg=None, defaults=[])
        stub = type(node)(name=node.name, args=arguments, body=body, decorator_list=[],
                          returns=None, type_comment=None)
    return ast.copy_location(stub, node)
