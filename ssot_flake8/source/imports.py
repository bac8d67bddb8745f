"""The import statements of one file as grimp reads them, for the import graphs we build.

grimp's scanner (rust/src/import_parsing.rs) records one object per imported name: `import a.b`
gives `a.b`, `from a import b` gives `a.b`, `from .a import *` gives `.a.*`; each with the line
the statement starts on and that line's text, stripped. Imports anywhere count (function and
class bodies too). An import is "type checking only" when it sits, at any depth, in the body of an
`if` or `elif` whose test is the name or an attribute `TYPE_CHECKING` (not in its `else`, not
under `if not TYPE_CHECKING` or `if TYPE_CHECKING and x`): what grimp 3.20 does, checked by
tests/test_lint_imports.py against grimp itself.

A file that does not parse still gives its imports: the fallback scanner (source.fallback) reads
them past the error, and the enclosing block headers are read from the indentation.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from ssot_flake8.source.fallback import import_statements
from ssot_flake8.source.lines import source_lines
from ssot_flake8.source.text import SourceError, decode, parse


@dataclass(frozen=True)
class ImportedObject:
    name: str  # absolute: a module, or a name inside one (`a.b` for `from a import b`, `a.*`)
    line_number: int
    line_contents: str
    typechecking_only: bool


@dataclass(frozen=True)
class FileImports:
    objects: tuple[ImportedObject, ...]
    problem: str | None = None  # why the file did not parse (its imports were read past it)
    line: int = 0  # where it stopped parsing


def file_imports(data: bytes, path: str, module: str, is_package: bool) -> FileImports:
    """Every import of the file `path` (module `module`), with relative imports made absolute."""
    try:
        text = decode(data)
    except SourceError as error:
        return FileImports((), str(error), error.line)
    lines = source_lines(text)
    try:
        tree = parse(text, path)
        raw = _from_tree(tree)
    except SourceError as error:
        return FileImports(_absolute(_from_fallback(text, lines), lines, module, is_package),
                           str(error), error.line)
    except RecursionError:
        return FileImports(_absolute(_from_fallback(text, lines), lines, module, is_package),
                           "cannot parse: nested too deeply", 1)
    return FileImports(_absolute(raw, lines, module, is_package))


def _absolute(raw, lines: list[str], module: str, is_package: bool) -> tuple[ImportedObject, ...]:
    found = []
    for statement, typechecking_only in raw:
        line = statement.lineno
        contents = lines[line - 1].strip() if line <= len(lines) else ""
        if isinstance(statement, ast.Import):
            names = [alias.name for alias in statement.names]
        else:
            base = _absolute_base(module, is_package, statement.level, statement.module)
            if base is None:
                continue  # far above the top-level package (grimp would crash on it)
            names = [f"{base}.{alias.name}" for alias in statement.names]
        found.extend(ImportedObject(name, line, contents, typechecking_only) for name in names)
    return tuple(found)


def _absolute_base(module: str, is_package: bool, level: int, name: str | None) -> str | None:
    """What `from <level dots><name> import x` names before `.x`, as grimp computes it: one dot
    above the top-level package gives "" (grimp records `.x`, an external module `""`)."""
    if not level:
        return name
    parts = module.split(".")
    keep = len(parts) - level + (1 if is_package else 0)
    if keep < 0:
        return None
    return ".".join(parts[:keep] + (name.split(".") if name else []))


# -- a file that parses: grimp's statement visitor ---------------------------------------------


_BLOCK_FIELDS = ("body", "orelse", "finalbody")
_SIMPLE = (ast.Expr, ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Return, ast.Pass, ast.Raise,
           ast.Delete, ast.Assert, ast.Global, ast.Nonlocal, ast.Break, ast.Continue)


def _from_tree(tree: ast.Module) -> list[tuple[ast.stmt, bool]]:
    found: list[tuple[ast.stmt, bool]] = []

    def visit(body: list[ast.stmt], typechecking_only: bool) -> None:
        for statement in body:
            if isinstance(statement, _SIMPLE):
                continue
            if isinstance(statement, (ast.Import, ast.ImportFrom)):
                found.append((statement, typechecking_only))
            elif isinstance(statement, ast.If):  # an `elif` is an `if` in the `orelse`
                visit(statement.body, typechecking_only or _is_type_checking(statement.test))
                visit(statement.orelse, typechecking_only)
            else:
                for name in _BLOCK_FIELDS:
                    visit(getattr(statement, name, None) or (), typechecking_only)
                for handler in getattr(statement, "handlers", ()):  # try, try*
                    visit(handler.body, typechecking_only)
                for case in getattr(statement, "cases", ()):  # match
                    visit(case.body, typechecking_only)

    visit(tree.body, False)
    return found


def internal_module(name: str, modules) -> str | None:
    """The module an imported object refers to, as grimp resolves it: `name` itself when it is a
    module of `modules`, else its parent when that is one (`from a import b` with `b` a name in
    `a`), else None (outside, or missing)."""
    if name in modules:
        return name
    parent = name.rpartition(".")[0]
    return parent if parent in modules else None


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


# -- a file that does not parse: the fallback statements, their blocks read from indentation -----

_TYPE_CHECKING_IF = re.compile(r"^\s*(?:el)?if\s+(?:[A-Za-z_][\w.]*\.)?TYPE_CHECKING\s*:")


def _from_fallback(text: str, lines: list[str]) -> list[tuple[ast.stmt, bool]]:
    return [(statement, _under_type_checking(lines, statement.lineno, statement.col_offset))
            for statement in import_statements(text)]


def _under_type_checking(lines: list[str], row: int, col: int) -> bool:
    """Whether a block enclosing the statement at (row, col) is the body of an `if` or `elif`
    `TYPE_CHECKING:`, judged by indentation (the file does not parse)."""
    head = lines[row - 1].encode()[:col].decode(errors="ignore")
    if head.strip():  # `if TYPE_CHECKING: import x` on one line
        return bool(_TYPE_CHECKING_IF.match(head))
    indent = _indent(lines[row - 1])
    for line in reversed(lines[: row - 1]):
        if indent == 0:
            break
        if not line.strip() or line.lstrip().startswith("#") or _indent(line) >= indent:
            continue
        indent = _indent(line)  # the header of an enclosing block
        if _TYPE_CHECKING_IF.match(line):
            return True
    return False


def _indent(line: str) -> int:
    return len(line.expandtabs(8)) - len(line.expandtabs(8).lstrip())
