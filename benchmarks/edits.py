"""The edit rows of benchmarks/run.py: `ssot check` right after one module was edited.

Before each timed run the module is put back as it was and the cache brought up to date with it
(an untimed `ssot check`), then edited: every timed run sees exactly one edit since the cache
was written. Two edits: a `pass` added at the end of one function (nothing the module offers
changes), and a new public function added at the end of the module (what `from m import *`
brings changes). Every line an edit adds carries EDIT_MARK, so a tree left edited by an
interrupted run is recognised and put back.
"""

from __future__ import annotations

import ast
import re
import subprocess
from pathlib import Path

EDITED = "netra_backend/app/websocket_core/handlers.py"  # the real tree's file, when it is there
EDIT_MARK = b"  # edited by benchmarks/run.py\n"


def edit_target(tree: Path) -> Path | None:
    """handlers.py of the real websocket_core, or else (a generated tree) the first module of
    that package that defines a function."""
    if (tree / EDITED).is_file():
        return tree / EDITED
    package = (tree / EDITED).parent
    for path in sorted(package.glob("*.py")) if package.is_dir() else ():
        if re.search(rb"^\s*(async\s+)?def ", path.read_bytes(), re.MULTILINE):
            return path
    return None


class ModuleEdit:
    """A prepare step (see run.Tool): module as it was, cache updated (untimed), module edited."""

    def __init__(self, path: Path, kind: str, refresh: list[str], cwd: Path, env=None) -> None:
        self.path, self.kind, self.refresh, self.cwd, self.env = path, kind, refresh, cwd, env
        data = path.read_bytes()
        self.original = b"".join(line for line in data.splitlines(keepends=True)
                                 if not line.endswith(EDIT_MARK))
        if not self.original.endswith(b"\n"):
            self.original += b"\n"
        path.write_bytes(self.original)
        if kind == "body":
            lines = self.original.splitlines(keepends=True)
            function = next(node for node in ast.walk(ast.parse(self.original))
                            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)))
            indent = b" " * function.body[0].col_offset
            end = function.body[-1].end_lineno
            self.edited = b"".join([*lines[:end], indent + b"pass" + EDIT_MARK, *lines[end:]])
            self.what = f"a `pass` added at the end of `{function.name}` (line {function.lineno})"
        elif kind == "add":
            self.edited = (self.original + b"def benchmark_added_function():" + EDIT_MARK
                           + b"    return None" + EDIT_MARK)
            self.what = "a public function `benchmark_added_function` added at the end"
        else:
            raise ValueError(kind)

    def __call__(self) -> None:
        self.path.write_bytes(self.original)
        subprocess.run(self.refresh, cwd=self.cwd, env=self.env, capture_output=True, check=False)
        self.path.write_bytes(self.edited)

    def restore(self) -> None:
        self.path.write_bytes(self.original)
