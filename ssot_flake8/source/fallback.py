"""Files that do not parse: what newer Python they need, and their import statements anyway.

A syntax error hides a whole file from ast-based tools, yet its import statements are usually
intact. `import_statements` finds them with the tokenizer (which reads past most syntax errors
and knows strings and comments), or, after the point where even tokenizing fails, with a
pattern over the remaining lines; each statement is then parsed on its own with `ast`, at its
real line and column, so the engine's import rules run on them unchanged.
"""

from __future__ import annotations

import ast
import io
import re
import sys
import tokenize

from ssot_flake8.source.lines import source_lines

# 3.11 and older reject these f-strings; Python 3.12 (PEP 701) accepts them.
FSTRING_ERRORS = (
    ("f-string expression part cannot include a backslash", "backslash in f-string expression"),
    ("f-string expression part cannot include '#'", "comment in f-string expression"),
    ("f-string: expecting '}'", "nested quotes in f-string"),
    ("f-string: unmatched", "nested quotes in f-string"),
    ("f-string: unterminated string", "nested quotes in f-string"),
)
# Statement shapes that a newer grammar introduced, matched on the line of the error.
NEWER_STATEMENTS = (
    ((3, 13), re.compile(r"^\s*(async\s+)?(def|class)\s+\w+\s*\[[^\]]*\w\s*="), "type parameter default"),
    ((3, 12), re.compile(r"^\s*(async\s+)?def\s+\w+\s*\["), "type parameters"),
    ((3, 12), re.compile(r"^\s*class\s+\w+\s*\["), "type parameters"),
    ((3, 12), re.compile(r"^\s*type\s+\w+\s*(\[[^\]]*\])?\s*="), "type statement"),
    ((3, 11), re.compile(r"^\s*except\s*\*"), "except*"),
)
_EMPTY_PARENS = re.compile(r"^(from[ \t]+\.*[\w.]*[ \t]+import[ \t]*)\([ \t]*\)[ \t]*(#[^\r\n]*)?\r?\n?$")
_IMPORT_LINE = re.compile(r"^[ \t]*(import[ \t]|from[ \t]+[\w.]+[ \t]+import\b)")
STATEMENT_STARTERS = {tokenize.NEWLINE, tokenize.NL, tokenize.INDENT, tokenize.DEDENT,
                      tokenize.ENCODING, tokenize.COMMENT}


def newer_syntax(message: str, line: str) -> str | None:
    """'uses syntax from Python 3.12 (...)' when the error is a known newer-grammar feature."""
    running = sys.version_info[:2]
    while message.startswith("f-string: f-string: "):  # an f-string nested in an f-string
        message = message[len("f-string: "):]
    if running < (3, 12):
        for prefix, feature in FSTRING_ERRORS:
            if message.startswith(prefix):
                return _needs((3, 12), feature)
    for version, pattern, feature in NEWER_STATEMENTS:
        if running < version and pattern.search(line):
            return _needs(version, feature)
    return None


def _needs(version: tuple[int, int], feature: str) -> str:
    wanted = f"{version[0]}.{version[1]}"
    return f"uses syntax from Python {wanted} ({feature}); run ssot under Python >= {wanted} to analyse it"


# -- import statements of a file that does not parse ---------------------------------------------


def import_statements(text: str) -> list[ast.stmt]:
    """Every `import ...` / `from ... import ...` statement of `text`, parsed, at its position."""
    lines = source_lines(text, keepends=True)
    starts, tokenized_up_to = _token_starts(text)
    for number in range(tokenized_up_to + 1, len(lines) + 1):
        match = _IMPORT_LINE.match(lines[number - 1])
        if match:
            starts.append((number, len(match.group(0)) - len(match.group(0).lstrip())))
    statements = []
    for row, col in starts:
        statement = _parse_at(lines, row, col)
        if statement is not None:
            statements.append(statement)
    return statements


def _token_starts(text: str) -> tuple[list[tuple[int, int]], int]:
    """(row, col) of each `import`/`from` that begins a statement, and the last row tokenized."""
    starts: list[tuple[int, int]] = []
    previous = tokenize.NEWLINE
    previous_text = ""
    last_row = 0
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            last_row = token.end[0]
            begins = previous in STATEMENT_STARTERS or previous_text in (";", ":")
            if token.type == tokenize.NAME and token.string in ("import", "from") and begins:
                starts.append(token.start)
            if token.type != tokenize.COMMENT:
                previous, previous_text = token.type, token.string
    except (tokenize.TokenError, SyntaxError):
        pass  # what was read so far stands; the rest is read line by line
    else:
        last_row = len(source_lines(text)) + 1
    return starts, last_row


def _parse_at(lines: list[str], row: int, col: int) -> ast.stmt | None:
    """The import statement starting at (row, col), parsed on its own and moved into place.

    A botched edit's `from m import ()` followed by indented names and a `)` is read as the
    parenthesized import it was meant to be, so its module and names are still checked."""
    first = lines[row - 1]
    statement = _statement(lines, row, first[col:])
    empty = _EMPTY_PARENS.match(first[col:]) if statement is None else None
    if empty:
        statement = _statement(lines, row, empty.group(1) + "(\n")
    if statement is None:
        return None
    shift = len(first[:col].encode())  # ast columns are UTF-8 byte offsets
    for node in ast.walk(statement):
        if getattr(node, "lineno", None) == 1 and hasattr(node, "col_offset"):
            node.col_offset += shift
    ast.increment_lineno(statement, row - 1)
    return statement


def _statement(lines: list[str], row: int, text: str) -> ast.stmt | None:
    """The statement `text` begins on line `row`, with its continuation lines."""
    depth = text.count("(") - text.count(")")
    end = row
    while (depth > 0 or text.rstrip("\r\n").endswith("\\")) and end < len(lines):
        end += 1
        text += lines[end - 1]
        depth += lines[end - 1].count("(") - lines[end - 1].count(")")
    return _first_import(text)


def _first_import(text: str) -> ast.stmt | None:
    """Parse the statement text, cut at the first `;` or line end if the rest is broken."""
    candidates = [text]
    head = text.split("\n", 1)[0]
    if ";" in head:
        candidates.append(head.split(";", 1)[0])
    for candidate in candidates:
        try:
            body = ast.parse(candidate).body
        except (SyntaxError, ValueError):
            continue
        if body and isinstance(body[0], (ast.Import, ast.ImportFrom)):
            return body[0]
    return None
