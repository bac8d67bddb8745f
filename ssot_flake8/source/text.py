"""Reading and parsing checked files. Nothing here imports or executes them."""

from __future__ import annotations

import ast
import functools
import gc
import io
import re
import tokenize
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field

from ssot_flake8.source.fallback import newer_syntax
from ssot_flake8.source.lines import source_lines

MAX_BYTES = 16 * 1024 * 1024  # a generated or vendored blob this big is reported, not parsed


@dataclass(frozen=True, order=True)
class Finding:
    path: str
    line: int
    col: int  # 1-based, like ruff and flake8's output
    code: str
    message: str
    subject: str = ""  # the qualified name the finding is about (for fix, baseline and audit)
    target: str = ""  # the canonical name or replacement module, when there is one
    # Where the reported node ends (ruff's end_location; the column 1-based and exclusive).
    # 0: where it starts. Not part of a finding's identity.
    end_line: int = field(default=0, compare=False)
    end_col: int = field(default=0, compare=False)

    def end(self) -> tuple[int, int]:
        return (self.end_line, self.end_col) if self.end_line else (self.line, self.col)

    def text(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.code} {self.message}"


class SourceError(Exception):
    """A file that cannot be analysed; becomes one SOT000 finding (`rules.files.unparsable`)."""

    def __init__(self, message: str, line: int = 1, col: int = 1) -> None:
        super().__init__(message)
        self.line = line
        self.col = col



def decode(data: bytes) -> str:
    """Decode as Python does: a PEP 263 coding line or BOM, else UTF-8."""
    if len(data) > MAX_BYTES:
        raise SourceError(f"file too large ({len(data) // (1024 * 1024)} MiB > 16 MiB)")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:
        if "unknown encoding" in str(error):
            raise SourceError(f"bad encoding declaration: {error}") from None
        encoding = "utf-8"  # undecodable first lines: let the decode below say where
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise SourceError(f"not valid {error.encoding} (byte {error.start})", line) from None
    return text[1:] if text.startswith("\ufeff") else text


def decode_as_flake8(data: bytes) -> tuple[str, SourceError | None]:
    """`decode`, except that a file without a coding declaration that is not UTF-8 is read as
    Latin-1, as flake8 reads it, so both front-ends see its imports; the error comes back too,
    to be reported (Python itself refuses such a file)."""
    try:
        return decode(data), None
    except SourceError as error:
        if not str(error).startswith("not valid utf-8") or _declares_encoding(data):
            raise
        problem = SourceError(f"{error} and no coding declaration (Python refuses the file); "
                              "its other findings read it as Latin-1, as flake8 does",
                              error.line, error.col)
        text = data.decode("latin-1")
        return text, problem


def _declares_encoding(data: bytes) -> bool:
    head = data.split(b"\n", 2)[:2]
    return data.startswith(b"\xef\xbb\xbf") or any(
        re.match(rb"^[ \t\f]*#.*?coding[:=]", line) for line in head)


def without_cycle_collection(function):
    """Run `function` with the cycle collector off. Parsing and checking a file build ~10^5
    acyclic nodes that reference counting frees; the collector scanning them while they are
    built costs ~20% of the time and can free nothing."""
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        if not gc.isenabled():
            return function(*args, **kwargs)
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            gc.enable()
    return wrapper


@without_cycle_collection
def parse(text: str, path: str) -> ast.Module:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escape sequences are not our business
            return ast.parse(text, filename=path)
    except SyntaxError as error:
        lines = source_lines(text)
        line = lines[error.lineno - 1] if error.lineno and error.lineno <= len(lines) else ""
        message = newer_syntax(error.msg, line) or f"SyntaxError: {error.msg}"
        raise SourceError(message, error.lineno or 1, error.offset or 1) from None
    except (ValueError, RecursionError, MemoryError) as error:
        raise SourceError(f"cannot parse: {type(error).__name__}: {error}") from None


def absolute_import(module: str, is_package: bool, level: int, name: str | None) -> str | None:
    """The absolute module of `from <level dots><name> import ...` written in `module`.

    None when the dots climb above the top-level package (Python refuses that import too).
    """
    if not level:
        return name
    package = module if is_package else module.rpartition(".")[0]
    parts = package.split(".") if package else []
    if level - 1 > len(parts):
        return None
    base = parts[: len(parts) - (level - 1)]
    return ".".join(base + (name.split(".") if name else [])) or None


def dotted_name(node: ast.AST) -> str | None:
    """`a.b.c` for a Name or an Attribute chain of Names, else None."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted_name(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


# An import statement at the start of a line, at any indentation. Groups: the dots and module of
# `from`, its names in parentheses or on the line, the names of `import`. It starts with a
# newline so that the regex engine can skip to candidates at memchr speed.
_IMPORT = re.compile(
    r"\n[ \t]*(?:from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]*(?:\(([^()]*)\)|([^\n;#()\\]*))"
    r"|import[ \t]+([^\n;#()\\]*))")
_COMMENT = re.compile(r"#[^\n]*")


def imports_in(text: str, modules: tuple[str, ...] | None = None,
               ) -> Iterator[tuple[int, str, list[str] | None]]:
    """(level, module, names) of every import statement a line pattern finds: `import a.b as c`
    gives (0, "", ["a.b"]), `from ..m import (x, y as z)` gives (2, "m", ["x", "y"]). Names are
    None for a statement the pattern cannot read whole (a continued line, say).

    With `modules`, only relative imports and those that name a module starting with one of
    these are read. Fast, and a pattern, not a parse: it may read an import inside a string, and
    it does not see one that follows `;` or `try:`/`if ...:` on the same line (allowing for those
    made the pattern five times slower). Callers use it to decide which files to parse, never
    to report."""
    text = "\n" + text
    for match in _IMPORT.finditer(text):
        dots, module, parenthesized, listed, plain = match.groups()
        level, module = len(dots) if dots else 0, module or ""
        if modules is not None and not level and not (
                module.startswith(modules) if plain is None else any(m in plain for m in modules)):
            continue
        if parenthesized is not None:
            written = _COMMENT.sub("", parenthesized) if "#" in parenthesized else parenthesized
        elif text[match.end():match.end() + 1] in ("\\", "(", ";"):
            yield level, module, None  # continued, or more on the line
            continue
        else:
            written = listed if listed is not None else plain
        names: list[str] | None = []
        for item in written.split(","):
            words = item.split()
            if len(words) == 1 or (len(words) == 3 and words[1] == "as"):
                names.append(words[0])
            elif words:
                names = None
                break
        yield level, module, names
