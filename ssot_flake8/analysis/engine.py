"""The one analysis engine: bytes in, findings out. It decodes and parses a module with `ast`,
runs the shared walk (`analysis.walk`), which calls the rules, and applies the exemptions and
`ignore_imports`. It never imports or executes the code it checks.

Front-ends call `check_source` (bytes in, findings out) or `check_tree` (an already parsed tree).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from ssot_flake8.analysis.prefilter import could_match
from ssot_flake8.analysis.walk import ModuleWalk, SymbolImport
from ssot_flake8.policy.model import Policy, module_name
from ssot_flake8.rules.files import unparsable
from ssot_flake8.rules.imports import FALLBACK_CODES, IMPORT_CODES
from ssot_flake8.source.fallback import import_statements
from ssot_flake8.source.lines import source_lines
from ssot_flake8.source.text import Finding, SourceError, decode_as_flake8, parse, without_cycle_collection


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
        text, not_utf8 = decode_as_flake8(data)
    except SourceError as error:
        return [unparsable(error, path)]
    first = [unparsable(not_utf8, path)] if not_utf8 else []
    try:
        tree = parse(text, path)
    except SourceError as error:  # the syntax error once, and the file's imports all the same
        return sorted([*first, unparsable(error, path), *check_imports_only(text, path, policy)])
    # Columns are counted on the decoded text that was parsed (no BOM, declared encoding).
    return sorted([*first, *check_tree(tree, path, policy, source_lines(text), imports=imports)])


def check_imports_only(text: str, path: str, policy: Policy) -> list[Finding]:
    """The import rules on the import statements of a file that does not parse."""
    tree = ast.Module(body=import_statements(text), type_ignores=[])
    findings = check_tree(tree, path, policy, source_lines(text))
    return [finding for finding in findings if finding.code in FALLBACK_CODES]


def check_file(
    path: Path | str, policy: Policy, *, imports: list[SymbolImport] | None = None
) -> list[Finding]:
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        return [unparsable(SourceError(f"cannot read: {error.strerror}"), str(path))]
    return check_source(data, str(path), policy, imports=imports)


def check_tree(
    tree: ast.Module, path: str, policy: Policy, lines: list[str], *,
    imports: list[SymbolImport] | None = None,
) -> list[Finding]:
    module, is_package = module_name(Path(path), policy)
    exempt = policy.is_exempt(module)
    if exempt and not policy.boundaries.contracts:
        return []
    walk = ModuleWalk(policy, module, is_package, path, lines)
    walk.ssot_rules = not exempt
    try:
        walk.run(pruned(tree, lines, policy))
    except RecursionError:
        return [unparsable(SourceError("too deeply nested to analyse"), path)]
    if imports is not None:
        imports.extend(walk.symbol_imports)
    findings = set(walk.findings)
    if exempt:  # exempt from the SSOT rules, not from the boundary contracts
        findings = {f for f in findings if f.code == "SOT005"}
    if policy.import_ignores:
        findings = {
            f for f in findings
            if f.code not in IMPORT_CODES or not policy.ignores_import(module, f.subject)
        }
    return sorted(findings)


# -- walking only what can hold a finding ----------------------------------------------------------

# What a top-level function or class must name for the walk to find anything in it, besides the
# policy's words and the module's names bound to them: an import statement of its own (stale,
# deprecated, boundary), a dynamic import, an `__all__` it extends.
_ALWAYS = ("__import__", "import_module", "__all__")
_LOCAL_IMPORT = re.compile(r"^[ \t]+(?:from[ \t]+[\w.]+[ \t]+)?import\b", re.MULTILINE)
_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_IN_METHODS = ("_instance", "cls")  # what a method must name besides a class's watched words
_SELF_ATTRIBUTE = re.compile(r"\bself\.(\w+)")


def pruned(tree: ast.Module, lines: list[str], policy: Policy) -> ast.Module:
    """`tree` with each top-level function or class that cannot hold a finding reduced to a stub
    of the same kind and name (so the module's bindings stay as they are, in order).

    A finding needs a name the policy watches: one of its words (`Policy.keywords`, the words
    every policy name and banned callable holds), or a module-level name bound by a statement
    that holds one of those words or such a name (`M` in `from x import Manager as M`, `mgr`
    in `mgr = get_manager()`, `Sub` in `class Sub(Manager)`), or an import, dynamic import or
    `__all__` of the block's own.
    A block whose text names none is not walked; the tree itself (flake8's too) is not changed.
    """
    if not any(isinstance(node, _DEFINITIONS) for node in tree.body):
        return tree
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
            if not names <= words and any(word in text for word in words):
                words |= names
                grown = True
    body = []
    for node in tree.body:
        if isinstance(node, _DEFINITIONS):
            if not _names_any(_text(node, lines), words):
                node = _stub(node)
            elif isinstance(node, ast.ClassDef):
                node = _pruned_methods(node, lines, words)
        body.append(node)
    return ast.Module(body=body, type_ignores=tree.type_ignores)


def _names_any(text: str, words: set[str]) -> bool:
    return any(word in text for word in words) or bool(_LOCAL_IMPORT.search(text))


def _pruned_methods(node: ast.ClassDef, lines: list[str], words: set[str]) -> ast.ClassDef:
    """A class that names a watched name, with each of its methods that cannot hold a finding
    stubbed the same way (the class node is copied; its other statements are kept). Besides the
    module's watched words, a method is kept when it names `_instance` (a cached singleton,
    SOT201), `cls` (`cls(...)` builds the class, a registered one or a subclass of one) or an
    attribute of `self` that a kept method names: a factory instance held in `self.<attr>` is
    judged across the class's methods (`ModuleWalk.track_instances`)."""
    methods = [s for s in node.body if isinstance(s, _FUNCTIONS)]
    texts = {id(method): _text(method, lines) for method in methods}
    kept = {key for key, text in texts.items()
            if _names_any(text, words) or any(word in text for word in _IN_METHODS)}
    if len(kept) == len(methods):
        return node
    attributes = {name for key in kept for name in _SELF_ATTRIBUTE.findall(texts[key])}
    kept |= {key for key, text in texts.items() if any(name in text for name in attributes)}
    if len(kept) == len(methods):
        return node
    copy = ast.ClassDef(**{field: getattr(node, field) for field in node._fields})
    copy.body = [s if id(s) in kept or not isinstance(s, _FUNCTIONS) else _stub(s)
                 for s in node.body]
    return ast.copy_location(copy, node)


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


def _stub(node: ast.stmt) -> ast.stmt:
    """A definition of the same kind and name whose body is `pass`."""
    body = [ast.copy_location(ast.Pass(), node)]
    if isinstance(node, ast.ClassDef):
        stub = ast.ClassDef(name=node.name, bases=[], keywords=[], body=body, decorator_list=[])
    else:
        arguments = ast.arguments(posonlyargs=[], args=[], vararg=None, kwonlyargs=[],
                                  kw_defaults=[], kwarg=None, defaults=[])
        stub = type(node)(name=node.name, args=arguments, body=body, decorator_list=[],
                          returns=None, type_comment=None)
    return ast.copy_location(stub, node)
