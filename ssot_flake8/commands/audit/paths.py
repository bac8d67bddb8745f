"""Audit locations and the import paths of every registered symbol."""

from __future__ import annotations

import functools
import os
import re
import string
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ssot_flake8.analysis.walk import SymbolImport
from ssot_flake8.policy.model import Policy
from ssot_flake8.rules import rule
from ssot_flake8.source.text import Finding

JSON_VERSION = 1


# -- the categories ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Location:
    path: str
    line: int
    code: str
    detail: str

    def text(self) -> str:
        return f"{self.path}:{self.line}"

    def as_json(self) -> dict:
        return {"path": self.path, "line": self.line, "code": self.code, "detail": self.detail}


@dataclass
class Category:
    key: str  # stable JSON key
    title: str  # the audit notes' words
    what: str  # what it looks like in code
    short: str  # column header of the burn-down table
    count: int | None = 0  # None: not measured (the cycle finder is not available)
    kinds: dict[str, int] = field(default_factory=dict)  # breakdown, in display order
    summary: str = ""  # one line next to the count
    locations: list[Location] = field(default_factory=list)

    def count_text(self) -> str:
        return "n/a" if self.count is None else str(self.count)

    def as_json(self) -> dict:
        return {
            "title": self.title,
            "what": self.what,
            "count": self.count,
            "kinds": self.kinds,
            "summary": self.summary,
            "locations": [location.as_json() for location in self.locations],
        }


# Per code: how a location is described, from the finding's message fields and its subject.
DETAILS = {
    "SOT000": "{error}",
    "SOT001": "{imported}",
    "SOT002": "import of {subject}",
    "SOT003": "dynamic import of {subject}",
    "SOT101": "{name}()",
    "SOT102": "{name}",
    "SOT103": "{symbol}(...) without {arguments}",
    "SOT201": "singleton: {kind}",
    "SOT202": "{kind} {name}",
    "SOT203": "alias {alias} = {symbol}",
    "SOT204": "re-exports {symbol} ({how})",
    "SOT205": "class {name}",
}
FACTORY_KINDS = {"function factory": "function", "static factory": "static", "factory method": "method"}


def message_fields(finding: Finding) -> dict[str, str]:
    """The fields a finding's message was formatted from, read back through its rule's template."""
    pattern, seen = "", set()
    for literal, name, _, _ in string.Formatter().parse(rule(finding.code).message):
        pattern += re.escape(literal)
        if name is not None:
            pattern += f"(?P={name})" if name in seen else f"(?P<{name}>.*?)"
            seen.add(name)
    match = re.fullmatch(pattern, finding.message, re.DOTALL)
    return match.groupdict() if match else {}


def location(finding: Finding, base: Path | None) -> Location:
    fields = message_fields(finding)
    try:
        detail = DETAILS[finding.code].format(**fields, subject=finding.subject)
    except (KeyError, IndexError):
        detail = finding.message
    return Location(display_path(finding.path, base), finding.line, finding.code, detail)


def display_path(path: str, base: Path | None) -> str:
    """Paths relative to `base` (the snapshot or the working directory) when they lie under it."""
    return _relative(path, os.path.abspath(base or os.getcwd()))


@functools.lru_cache(maxsize=4096)
def _relative(path: str, base: str) -> str:
    absolute = os.path.abspath(path)
    if absolute == base or absolute.startswith(base.rstrip(os.sep) + os.sep):
        return Path(os.path.relpath(absolute, base)).as_posix()
    return path


# -- import paths -------------------------------------------------------------------------------


@dataclass
class ImportPath:
    module: str
    name: str
    canonical: bool
    locations: list[Location] = field(default_factory=list)

    @property
    def qualname(self) -> str:
        return f"{self.module}.{self.name}"

    @property
    def files(self) -> int:
        return len({location.path for location in self.locations})

    def as_json(self) -> dict:
        return {
            "module": self.module,
            "name": self.name,
            "canonical": self.canonical,
            "files": self.files,
            "imports": len(self.locations),
            "locations": [location.as_json() for location in self.locations],
        }


@dataclass
class SymbolPaths:
    """Every (module, name) path through which the tree reaches one registered symbol."""

    symbol: str
    canonical_import: str
    paths: list[ImportPath] = field(default_factory=list)

    @property
    def imports(self) -> int:
        return sum(len(path.locations) for path in self.paths)

    @property
    def canonical_imports(self) -> int:
        return sum(len(path.locations) for path in self.paths if path.canonical)

    @property
    def share(self) -> float:
        """Share of imports that use the canonical path (1.0 when nothing imports the symbol)."""
        return self.canonical_imports / self.imports if self.imports else 1.0

    def share_text(self) -> str:
        return f"{self.canonical_imports} of {self.imports} import{_s(self.imports)} ({self.share:.0%})"

    def as_json(self) -> dict:
        return {
            "symbol": self.symbol,
            "canonical_import": self.canonical_import,
            "imports": self.imports,
            "canonical_imports": self.canonical_imports,
            "canonical_share": round(self.share, 4),
            "paths": [path.as_json() for path in self.paths],
        }


def symbol_paths(policy: Policy, imports: list[SymbolImport], base: Path | None) -> list[SymbolPaths]:
    lines = {qualname: symbol.import_line for qualname, symbol in policy.symbols.items()}
    lines.update({r.symbol: policy.names[r.symbol].import_line for r in imports if r.symbol not in lines})
    by_symbol = {qualname: SymbolPaths(qualname, lines[qualname]) for qualname in sorted(lines)}
    tables: dict[str, dict[tuple[str, str], ImportPath]] = {q: {} for q in by_symbol}
    referenced: set[tuple[str, str, str]] = set()
    for record in sorted(imports, key=lambda r: (r.path, r.line, r.module, r.name)):
        if record.how == "attribute":  # `m.Name` counts once per file, not once per use
            key = (record.path, record.module, record.name)
            if key in referenced:
                continue
            referenced.add(key)
        table = tables[record.symbol]
        path = table.setdefault(
            (record.module, record.name), ImportPath(record.module, record.name, record.canonical)
        )
        detail = f"{record.how} import" if record.how != "attribute" else "attribute reference"
        path.locations.append(Location(display_path(record.path, base), record.line, "", detail))
    for qualname, result in by_symbol.items():
        # the canonical path first, then the most used ones
        result.paths = sorted(
            tables[qualname].values(), key=lambda p: (not p.canonical, -p.files, p.qualname)
        )
    return list(by_symbol.values())


def canonical_share(symbols: Sequence[SymbolPaths]) -> float:
    imports = sum(s.imports for s in symbols)
    return sum(s.canonical_imports for s in symbols) / imports if imports else 1.0


def _s(count: int) -> str:
    return "" if count == 1 else "s"
