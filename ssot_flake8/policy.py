"""The SSOT policy: read from import-linter configuration, validated, and turned into lookup tables.

Discovery follows import-linter: `setup.cfg` and `.importlinter` (an `[importlinter]` section),
then `pyproject.toml` (`[tool.importlinter]`), in the working directory. Unlike import-linter we
then also look in parent directories, so an editor started in a sub-folder finds the policy.
"""

from __future__ import annotations

import configparser
import difflib
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .boundaries import Boundaries, BoundaryError, module_matches, parse_boundaries

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

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
STRING_FIELDS = ("type_checking_imports", "unmatched_ignore_imports_alerting", "broken_contract_guidance")
ALERT_LEVELS = ("error", "warn", "none")
# Rules about an import statement; `ignore_imports` of an ssot contract silences them.
IMPORT_CODES = frozenset({"SOT001", "SOT002", "SOT003"})
COMMON_FIELDS = ("id", "name", "type")
BANNED_KINDS = ("singleton", "factory")
_DOTTED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


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

    @property
    def code(self) -> str:
        return "SOT101" if self.kind == "singleton" else "SOT102"


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
    used_ignores: set = field(default_factory=set, repr=False, compare=False)
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
        imported name); the expressions that matched are remembered for unmatched alerting."""
        candidates = (imported, imported.rpartition(".")[0])
        for pair in self.import_ignores:
            if module_matches(importer, pair[0]) and any(module_matches(c, pair[1]) for c in candidates):
                self.used_ignores.add(pair)
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


# -- discovery ---------------------------------------------------------------------------------


def find_config(start: Path | None = None) -> Path:
    """The first directory from `start` upwards holding an import-linter config with a policy."""
    directory = (start or Path.cwd()).resolve()
    for candidate_dir in (directory, *directory.parents):
        for name in (*INI_NAMES, TOML_NAME):
            candidate = candidate_dir / name
            if candidate.is_file() and _has_importlinter_section(candidate):
                return candidate
    raise PolicyError(
        f"no SSOT policy (an import-linter configuration in setup.cfg, .importlinter or "
        f"pyproject.toml registering {CONTRACT_CLASS}) found in {directory} or its parents"
    )


def _has_importlinter_section(path: Path) -> bool:
    """An import-linter config that registers the `ssot` type; others hold no SSOT policy."""
    try:
        session, _ = read_raw_config(path)
    except PolicyError:
        return True  # let load_policy report what is wrong with it
    return bool(session) and CONTRACT_CLASS in str(session.get("contract_types", ""))


def read_raw_config(path: Path) -> tuple[dict, list[dict]]:
    """import-linter's view of a config file: session options and a list of contract options."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PolicyError(f"{path}: cannot read the configuration: {error}") from None
    if path.suffix == ".toml":
        return _read_toml(path, text)
    return _read_ini(path, text)


def _read_ini(path: Path, text: str) -> tuple[dict, list[dict]]:
    parser = configparser.ConfigParser()
    try:
        parser.read_string(text, source=str(path))
    except configparser.Error as error:
        first_line = str(error).splitlines()[0]
        raise PolicyError(f"{path}: not a valid INI file: {first_line}") from None
    if "importlinter" not in parser.sections():
        return {}, []
    session = _clean_ini_section(parser["importlinter"])
    contracts = []
    for section in parser.sections():
        if section.startswith("importlinter:"):
            options = {"id": section.split(":")[-1]}
            options.update(_clean_ini_section(parser[section]))
            contracts.append(options)
    return session, contracts


def _clean_ini_section(section: configparser.SectionProxy) -> dict:
    cleaned: dict = {}
    for key, value in section.items():
        cleaned[key] = value.strip().split("\n") if "\n" in value else value
    return cleaned


def _read_toml(path: Path, text: str) -> tuple[dict, list[dict]]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise PolicyError(f"{path}: not a valid TOML file: {error}") from None
    session = dict(data.get("tool", {}).get("importlinter", {}))
    contracts = session.pop("contracts", [])
    for number, contract in enumerate(contracts):
        contract.setdefault("id", contract.get("id") or str(number))
    return session, contracts


# -- parsing -----------------------------------------------------------------------------------


def load_policy(config: Path | str | None = None) -> Policy:
    """Read and validate the policy from `config`, or from the discovered configuration."""
    path = Path(config) if config else find_config()
    if not path.is_file():
        raise PolicyError(f"{path}: no such configuration file")
    session, contracts = read_raw_config(path)
    base = path.resolve().parent
    return build_policy(path, session, contracts, [base, base / "src"])


def build_policy(
    path: Path, session: dict, contracts: list[dict], search_dirs: list[Path]
) -> Policy:
    """The policy of a config's session and contract options; modules are found in search_dirs."""
    if not session:
        raise PolicyError(f"{path}: no [importlinter] section")
    root_packages = _root_packages(path, session)
    policy = Policy(
        config_path=path.resolve(),
        root_packages=root_packages,
        source_roots=_source_roots(path, root_packages, search_dirs),
        session=session,
        contracts=tuple(contracts),
    )
    try:
        policy.boundaries = parse_boundaries(session, contracts, policy.is_module)
    except BoundaryError as error:
        raise PolicyError(f"{path}: {error}") from None
    # A config with only import-linter's own contracts still gets the editor mirror (SOT005).
    aliases = _ssot_aliases(path, session, required=not policy.boundaries.contracts)
    ssot_contracts = [c for c in contracts if c.get("type") in aliases]
    if not ssot_contracts and not policy.boundaries.contracts:
        raise PolicyError(f"{path}: no contract of type {' or '.join(sorted(aliases))}")
    for options in ssot_contracts:
        ContractParser(path, options, policy).parse()
    return policy


def _root_packages(path: Path, session: dict) -> tuple[str, ...]:
    roots = session.get("root_packages") or session.get("root_package")
    if not roots:
        raise PolicyError(f"{path}: [importlinter]: root_package (or root_packages) is required")
    return tuple(_as_list(roots))


def _ssot_aliases(path: Path, session: dict, required: bool = True) -> set[str]:
    aliases = set()
    for entry in _as_list(session.get("contract_types", [])):
        alias, sep, target = entry.partition(":")
        if not sep:
            raise PolicyError(f"{path}: [importlinter]: contract_types: bad entry {entry!r}")
        if target.strip() == CONTRACT_CLASS:
            aliases.add(alias.strip())
    if not aliases and required:
        raise PolicyError(
            f"{path}: [importlinter]: contract_types does not register {CONTRACT_CLASS} "
            f"(add `ssot: {CONTRACT_CLASS}`)"
        )
    return aliases


def _source_roots(path: Path, root_packages: tuple[str, ...], search_dirs: list[Path]) -> tuple[Path, ...]:
    for candidate in search_dirs:
        if all(_package_dir(candidate, root).exists() for root in root_packages):
            return (candidate.resolve(),)
    missing = ", ".join(root_packages)
    where = ", ".join(str(d) for d in search_dirs[:2])
    raise PolicyError(f"{path}: [importlinter]: root package {missing} not found in {where}")


def _package_dir(root: Path, package: str) -> Path:
    directory = root.joinpath(*package.split("."))
    return directory if directory.is_dir() else directory.with_suffix(".py")


def _as_list(value: str | list) -> list[str]:
    items = value if isinstance(value, list) else str(value).split("\n")
    return [str(item).strip() for item in items if str(item).strip()]


class ContractParser:
    """Validates one `ssot` contract's options and adds them to the policy's tables."""

    def __init__(self, path: Path, options: dict, policy: Policy) -> None:
        self.path = path
        self.options = options
        self.policy = policy
        self.contract = options.get("id", "?")

    def error(self, field_name: str, message: str) -> PolicyError:
        return PolicyError(f"{self.path}: contract {self.contract!r}: {field_name}: {message}")

    def entries(self, field_name: str) -> list[str]:
        return _as_list(self.options.get(field_name, []))

    def parse(self) -> None:
        self.check_field_names()
        canonical = self.entries("canonical")
        if not canonical:
            raise self.error("canonical", "this is a required field")
        for entry in canonical:
            self.add_canonical(entry)
        for entry in self.entries("required_arguments"):
            self.add_required_arguments(entry)
        for entry in self.entries("old_names"):
            self.add_old_name(entry)
        for entry in self.entries("deprecated_modules"):
            self.add_deprecated(entry)
        for entry in self.entries("banned_calls"):
            self.add_banned(entry)
        for entry in self.entries("exempt_modules"):
            self.dotted("exempt_modules", entry.replace("*", "x"))  # wildcards are allowed
            self.policy.exempt_patterns += (entry,)
        self.parse_type_checking()
        self.parse_ignores()
        self.policy.contract_names += (self.options.get("name", self.contract),)

    def check_field_names(self) -> None:
        known = (*LIST_FIELDS, *STRING_FIELDS, *COMMON_FIELDS)
        for option in self.options:
            if option not in known:
                hint = difflib.get_close_matches(option, known, n=1)
                suffix = f"; did you mean {hint[0]!r}?" if hint else ""
                raise self.error(option, f"unknown field{suffix}")

    def dotted(self, field_name: str, name: str) -> str:
        if not _DOTTED.match(name):
            raise self.error(field_name, f"{name!r} is not a dotted Python name")
        return name

    def under_root(self, field_name: str, name: str) -> str:
        self.dotted(field_name, name)
        if not any(name == r or name.startswith(r + ".") for r in self.policy.root_packages):
            roots = ", ".join(self.policy.root_packages)
            raise self.error(field_name, f"{name} is not under the root package {roots}")
        return name

    def add_canonical(self, entry: str) -> None:
        qualname = self.under_root("canonical", entry)
        module, _, name = qualname.rpartition(".")
        if not module or not self.module_exists(module):
            raise self.error("canonical", f"module {module or qualname} of {entry} does not exist")
        symbol = Symbol(module, name)
        self.policy.symbols[qualname] = symbol
        self.policy.names[qualname] = symbol

    def add_required_arguments(self, entry: str) -> None:
        target, sep, arguments = entry.partition(":")
        target = target.strip()
        symbol = self.policy.symbols.get(target)
        if not sep or symbol is None:
            raise self.error(
                "required_arguments", f"{entry!r}: expected `<canonical symbol>: argument, ...`"
            )
        names = tuple(a.strip() for a in arguments.split(",") if a.strip())
        if not names or not all(n.isidentifier() for n in names):
            raise self.error("required_arguments", f"{entry!r}: bad argument names")
        updated = Symbol(symbol.module, symbol.name, symbol.required_arguments + names)
        self.policy.symbols[target] = self.policy.names[target] = updated

    def add_old_name(self, entry: str) -> None:
        old, sep, new = (part.strip() for part in entry.partition("->"))
        self.under_root("old_names", old)
        if sep:
            symbol = self.policy.symbols.get(new)
            if symbol is None:
                raise self.error("old_names", f"{new} is not listed in canonical")
        else:
            symbol = self.same_named_symbol(old)
        self.policy.names[old] = self.policy.symbols[symbol.qualname]

    def same_named_symbol(self, old: str) -> Symbol:
        name = old.rpartition(".")[2]
        matches = [s for s in self.policy.symbols.values() if s.name == name]
        if len(matches) != 1:
            raise self.error(
                "old_names", f"{old}: write `{old} -> <canonical symbol>` (no single canonical {name})"
            )
        return matches[0]

    def add_deprecated(self, entry: str) -> None:
        module, sep, replacement = (part.strip() for part in entry.partition("->"))
        self.under_root("deprecated_modules", module)
        if sep:
            self.under_root("deprecated_modules", replacement)
        self.policy.deprecated[module] = DeprecatedModule(module, replacement or None)

    def add_banned(self, entry: str) -> None:
        target, sep, rest = entry.partition(":")
        kind, _, instead = (part.strip() for part in rest.partition(";"))
        if not sep or kind not in BANNED_KINDS:
            raise self.error(
                "banned_calls", f"{entry!r}: expected `<qualified name>: singleton|factory[; instead]`"
            )
        qualname = self.under_root("banned_calls", target.strip())
        self.policy.banned[qualname] = BannedCall(qualname, kind, instead or "remove this call")

    def parse_type_checking(self) -> None:
        value = str(self.options.get("type_checking_imports", "report")).strip()
        if value not in ("report", "ignore"):
            raise self.error("type_checking_imports", f"{value!r}: expected report or ignore")
        self.policy.report_type_checking = value == "report"

    def parse_ignores(self) -> None:
        for entry in self.entries("ignore_imports"):
            importer, arrow, imported = (part.strip() for part in entry.partition("->"))
            if not arrow:
                raise self.error("ignore_imports", f"{entry!r}: expected `importer -> imported`")
            self.dotted("ignore_imports", importer.replace("*", "x"))
            self.dotted("ignore_imports", imported.replace("*", "x"))
            self.policy.import_ignores += ((importer, imported),)
        alerting = str(self.options.get("unmatched_ignore_imports_alerting", "error")).strip()
        if alerting not in ALERT_LEVELS:
            raise self.error(
                "unmatched_ignore_imports_alerting", f"{alerting!r}: expected error, warn or none"
            )

    def module_exists(self, module: str) -> bool:
        return any(module_path(root, module) for root in self.policy.source_roots)


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

