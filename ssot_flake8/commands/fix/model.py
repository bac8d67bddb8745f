"""What `ssot fix` plans and returns: the plan's parts, the result of one file, refusals."""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field

from ssot_flake8.source.text import Finding

FIXABLE_CODES = ("SOT001", "SOT002")
# Use-site findings listed as "left to do by hand" when the fixer cannot rewrite them.
HAND_CODES = ("SOT001", "SOT002", "SOT003", "SOT101", "SOT102")


class FixError(Exception):
    """A file the fixer refuses to touch; the message is one line."""


@dataclass
class LeftByHand:
    finding: Finding
    reason: str = ""

    def text(self) -> str:
        return self.finding.text() + (f"  [not fixed: {self.reason}]" if self.reason else "")


@dataclass
class FixResult:
    path: str
    original: bytes
    fixed: bytes
    fixed_count: int = 0
    left: list[LeftByHand] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.fixed != self.original

    def diff(self) -> bytes:
        """A unified diff `git apply` and `patch` accept byte for byte: lines split at LF only
        (CR, form feeds and the like stay inside their line), a missing final newline marked."""
        relative = not os.path.isabs(self.path)  # git-style a/ b/ labels, for `git apply`
        old, new = (f"a/{self.path}", f"b/{self.path}") if relative else (self.path, self.path)
        out = []
        for line in difflib.diff_bytes(difflib.unified_diff, _lines(self.original),
                                       _lines(self.fixed), os.fsencode(old), os.fsencode(new)):
            out.append(line if line.endswith(b"\n") else line + b"\n\\ No newline at end of file\n")
        return b"".join(out)


def _lines(data: bytes) -> list[bytes]:
    """Lines split at LF only (the last may have none); CRLF files keep their CR in each line."""
    parts = data.split(b"\n")
    return [part + b"\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


# -- the plan: what to change, keyed by the id() of nodes of the parsed module -----------------


@dataclass
class Move:
    """Import `name` from `module` instead, bound to `asname` (None: bound to `name`)."""

    module: str
    name: str
    asname: str | None


@dataclass
class NewImport:
    """A `from module import ...` statement the fixer adds after an anchor statement."""

    module: str
    level: int  # > 0: written relative to `base`
    base: str
    names: list[tuple[str, str | None]] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)

    def render(self) -> str:
        module = self.module
        if self.level:
            rest = module[len(self.base) + 1:] if module != self.base else ""
            module = "." * self.level + rest
        names = ", ".join(n if a is None else f"{n} as {a}" for n, a in self.names)
        comment = f"  {_join_comments(self.comments)}" if self.comments else ""
        return f"from {module} import {names}{comment}\n"


@dataclass
class Plan:
    moves: dict[int, Move] = field(default_factory=dict)  # ImportFrom alias -> where it goes
    drops: set[int] = field(default_factory=set)  # import aliases whose every use was rewritten
    in_place: dict[int, tuple[str, int, str]] = field(default_factory=dict)  # ImportFrom -> module
    additions: dict[int, list[tuple[str, str | None]]] = field(default_factory=dict)  # merges
    new_after: dict[int, list[NewImport]] = field(default_factory=dict)  # anchor -> new imports
    module_rewrites: dict[int, str] = field(default_factory=dict)  # `import a as x` alias -> module
    renames: dict[int, str] = field(default_factory=dict)  # Name -> new name
    string_renames: dict[int, list[tuple[str, str]]] = field(default_factory=dict)
    attributes: dict[int, str] = field(default_factory=dict)  # `x.Name` Attribute -> local name
    split_comments: dict[int, list[str]] = field(default_factory=dict)
    fixed: list[Finding] = field(default_factory=list)
    left: list[LeftByHand] = field(default_factory=list)

    def empty(self) -> bool:
        return not self.fixed


def _join_comments(comments: list[str]) -> str:
    """`# a`, `# b` -> `# a; b`: the comments of names that moved into one line."""
    return "# " + "; ".join(c.lstrip("#").strip() for c in comments)
