"""The SSOT policy as lookup tables: symbols, deprecated modules, banned calls, and the
module <-> file mapping of its source roots. `config` reads it, `ssot_contract` validates it."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ssot_flake8.policy.boundaries import Boundaries, module_matches

if sys.version_info >= (3, 11):
    pass
else:  # pragma: no cover - exercised on 3.10 only
    pass

CONTRACT_CLASS = "ssot_flake8.contracts.SsotContract"
INI_NAMES = ("setup.cfg", ".importlinter")
TOML_NAME = "pyproject.toml"

# The fields of an `ssot` contract; contracts.SsotContract declares the same names for import-linter.
LIST_FIELDS = (
    "canonical",
    "old_names",
    "deprecated_modules",
    "banned_calls",
    "required_arguments",
    "exempt_modules",
    "ignore_imports",
)
STRING_FIELDS = (
    "type_checking_imports", "unmatched_ignore_imports_alerting", "broken_contract_guidance", "baseline",
)
ALERT_LEVELS = ("error", "warn", "none")
COMMON_FIELDS = ("id", "name", "type")
BANNED_KINDS = ("singleton", "factory")
DOTTED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


class PolicyError(Exception):
    """A policy that cannot be used; the message is one line naming file, contract and field."""


@dataclass(frozen=True)
class Symbol:
    """A registered symbol at its canonical home."""

    module: str
    name: str
    required_arguments: tuple[str, ...] = ()

    @property
    def qualname(self) -> str:
        return f"{self.module}.{self.name}"

    @property
    def import_line(self) -> str:
        return f"from {self.module} import {self.name}"


@dataclass(frozen=True)
class DeprecatedModule:
    module: str
    replacement: str | None = None

    @property
    def instead(self) -> str:
        return f"; use {self.replacement}" if self.replacement else ""


@dataclass(frozen=True)
class BannedCall:
    qualname: str
    kind: str  # "singleton" or "factory"
    instead: str


@dataclass
class Policy:
    """Lookup tables for the engine, merged from every `ssot` contract of one config file."""

    config_path: Path
    root_packages: tuple[str, ...]
    source_roots: tuple[Path, ...]
    symbols: dict[str, Symbol] = field(default_factory=dict)  # canonical qualname -> symbol
    names: dict[str, Symbol] = field(default_factory=dict)  # every known qualname -> symbol
    deprecated: dict[str, DeprecatedModule] = field(default_factory=dict)
    banned: dict[str, BannedCall] = field(default_factory=dict)
    exempt_patterns: tuple[str, ...] = ()
    report_type_checking: bool = True
    contract_names: tuple[str, ...] = ()
    index: Any = field(default=None, repr=False, compare=False)  # index.ModuleIndex, once built
    # The whole config as read, for the front-ends that read other contracts (cycles, mirror).
    session: dict = field(default_factory=dict)
    contracts: tuple[dict, ...] = ()
    boundaries: Boundaries = field(default_factory=Boundaries)  # the editor mirror's contracts
    import_ignores: tuple[tuple[str, str], ...] = ()  # ignore_imports of the ssot contracts
    # `baseline =` of the ssot contracts: the accepted findings every front-end leaves out.
    baseline: Path | None = None
    _derived: dict = field(default_factory=dict, repr=False, compare=False)

    def refresh(self) -> None:
        """Forget the derived tables after the lookup tables changed (e.g. the index grew them)."""
        self._derived.clear()

    # -- lookups used by the engine ------------------------------------------------------------
    def symbol_at(self, qualname: str) -> Symbol | None:
        return self.names.get(qualname)

    def deprecated_module(self, module: str) -> DeprecatedModule | None:
        """The deprecated module that `module` is or lies inside, if any."""
        for prefix in _prefixes(module):
            found = self.deprecated.get(prefix)
            if found:
                return found
        return None

    def banned_at(self, qualname: str) -> BannedCall | None:
        """A banned callable, or an attribute of a banned factory class (`Factory.create(...)`)."""
        found = self.banned.get(qualname)
        if found:
            return found
        parent, _, _ = qualname.rpartition(".")
        parent_ban = self.banned.get(parent)
        return parent_ban if parent_ban and _looks_like_class(parent) else None

    def is_exempt(self, module: str) -> bool:
        return any(module_matches(module, pattern) for pattern in self.exempt_patterns)

    def ignores_import(self, importer: str, imported: str) -> bool:
        """An `ignore_imports` expression matches `importer -> imported` (or the module of the
        imported name)."""
        candidates = (imported, imported.rpartition(".")[0])
        for pair in self.import_ignores:
            if module_matches(importer, pair[0]) and any(module_matches(c, pair[1]) for c in candidates):
                return True
        return False

    def watched_modules(self) -> tuple[str, ...]:
        """The root packages and deprecated modules, none inside another: what an import must
        name to be stale or deprecated."""
        if "watched" not in self._derived:
            names = sorted({*self.root_packages, *self.deprecated})
            self._derived["watched"] = tuple(
                n for n in names if not any(n.startswith(o + ".") for o in names))
        return self._derived["watched"]

    def memo(self, table: str) -> dict:
        """A table of derived answers, forgotten with the others on `refresh`."""
        return self._derived.setdefault("memo_" + table, {})

    def is_module(self, name: str) -> bool:
        """`name` is a module (or package) under the source root; cached, for the mirror."""
        if self.index is not None and self.index.in_roots(name):
            return name in self.index.modules  # what the tree holds, without a stat
        known = self._derived.setdefault("modules", {})
        if name not in known:
            known[name] = any(module_path(root, name) for root in self.source_roots)
        return known[name]

    def known_names(self) -> Iterator[str]:
        yield from self.names
        yield from self.banned
        yield from self.deprecated

    def keywords(self) -> frozenset[bytes]:
        """Words of which a file that names a policy symbol or banned callable holds one (the
        pre-filter; deprecated modules are reached through imports, which it reads apart)."""
        if "keywords" not in self._derived:
            # A file holding `WebSocketManagerFactory` holds `WebSocketManager` too: only the
            # words no other word contains are searched (each is one pass over the file's bytes),
            # and numbered names (`Hub2`, `Hub3`, as aliases often are) share their stem `Hub`.
            words = {_stem(q.rpartition(".")[2]).encode() for q in (*self.names, *self.banned)}
            self._derived["keywords"] = frozenset(
                word for word in words if not any(other in word for other in words - {word}))
        return self._derived["keywords"]

    def short_names(self) -> dict[str, Symbol]:
        """Every class name a registered symbol is known by -> the symbol (for duplicates)."""
        if "short_names" not in self._derived:
            found = self.index.found if self.index is not None else ()  # `as Base` is no class
            names = {q.rpartition(".")[2]: s for q, s in self.names.items() if q not in found}
            names.update({symbol.name: symbol for symbol in self.symbols.values()})
            self._derived["short_names"] = names
        return self._derived["short_names"]

    def holds_names(self, module: str) -> list[str]:
        """The policy names that live directly in `module` (what a star import brings)."""
        prefix = module + "."
        return [
            qualname[len(prefix):]
            for qualname in self.known_names()
            if qualname.startswith(prefix) and "." not in qualname[len(prefix):]
        ]


def _stem(word: str) -> str:
    stem = word.rstrip("0123456789")
    return stem if len(stem) >= 6 else word


def _prefixes(module: str) -> Iterator[str]:
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        yield ".".join(parts[:end])


def _looks_like_class(qualname: str) -> bool:
    return qualname.rpartition(".")[2][:1].isupper()



def as_list(value: str | list) -> list[str]:
    items = value if isinstance(value, list) else str(value).split("\n")
    return [str(item).strip() for item in items if str(item).strip()]



def module_path(root: Path, module: str) -> Path | None:
    """The file that holds `module` under a source root, if it exists."""
    base = root.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return base if base.is_dir() else None  # a namespace package


def module_name(path: Path, policy: Policy | None = None) -> tuple[str, bool]:
    """The dotted module name of a file, and whether it is a package `__init__`."""
    is_package = path.name == "__init__.py"
    roots = [os.path.join(str(root), "") for root in policy.source_roots] if policy else []
    # Where the path says, else where its links lead (string work: this runs once per file).
    for resolve in (os.path.abspath, os.path.realpath):
        stem = os.path.splitext(resolve(path))[0]
        if is_package:
            stem = os.path.dirname(stem)
        for root in roots:
            if os.path.join(stem, "").startswith(root):
                return stem[len(root):].replace(os.sep, "."), is_package
    path = path.resolve()
    # Outside the source roots: climb while the directory is a package.
    directory = path.parent
    names = [] if is_package else [path.stem]
    if is_package:
        names.append(directory.name)
        directory = directory.parent
    while (directory / "__init__.py").is_file():
        names.append(directory.name)
        directory = directory.parent
    return ".".join(reversed(names)), is_package

