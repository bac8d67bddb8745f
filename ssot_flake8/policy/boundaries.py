"""The editor mirror of import-linter's boundary contracts: which *direct* imports they forbid.

`forbidden`, `layers`, `independence` and `protected` contracts of the same configuration are
parsed here (from the raw options the policy loader read) into rules that judge one import
statement, `importer -> imported`, so the engine can report a break at the line where it is
typed (SOT005). Transitive chains need the whole graph: they stay `lint-imports`' job.

Semantics follow import-linter 2.x: module expressions with `*` (one segment) and `**` (any
number), modules treated as packages unless `as_packages = false`, `ignore_imports` expressions
`importer -> imported`, optional layers in parentheses, `containers`, and the forbidden
contract's skip of overlapping source/forbidden pairs (which is also why we warn about a
forbidden contract whose pairs all overlap: it checks nothing).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

BOUNDARY_TYPES = ("forbidden", "layers", "independence", "protected")
_BUILT_IN = {f"importlinter.contracts.{t}.{t.title()}Contract": t for t in BOUNDARY_TYPES}
_EXPRESSION = re.compile(r"^(\*\*|\*|[A-Za-z_]\w*)(\.(\*\*|\*|[A-Za-z_]\w*))*$")


class BoundaryError(ValueError):
    """A boundary contract that cannot be used (the policy loader adds the file name)."""


def module_matches(module: str, pattern: str) -> bool:
    """import-linter's wildcards: `*` stands for one module segment, `**` for any number."""
    if "*" not in pattern:
        return module == pattern
    return _compiled(pattern).fullmatch(module) is not None


_PATTERNS: dict[str, re.Pattern] = {}


def _compiled(pattern: str) -> re.Pattern:
    if pattern not in _PATTERNS:
        regex = re.escape(pattern).replace(r"\*\*", r"[\w.]+").replace(r"\*", r"\w+")
        _PATTERNS[pattern] = re.compile(regex)
    return _PATTERNS[pattern]


@dataclass(frozen=True)
class Expression:
    """A module expression; `contains(m)` is True for a match or, as a package, its descendants."""

    pattern: str
    as_package: bool = True

    @property
    def wildcard(self) -> bool:
        return "*" in self.pattern

    def contains(self, module: str) -> bool:
        if module_matches(module, self.pattern):
            return True
        if not self.as_package:
            return False
        parts = module.split(".")
        return any(module_matches(".".join(parts[:end]), self.pattern) for end in range(1, len(parts)))

    def owner(self, module: str) -> str | None:
        """The concrete module of this expression that holds `module` (itself or an ancestor)."""
        if not self.wildcard:
            pattern = self.pattern
            inside = module == pattern or (self.as_package and module.startswith(pattern + "."))
            return pattern if inside else None
        return _memo(self, "owner", module, self._owner)

    def _owner(self, module: str) -> str | None:
        parts = module.split(".")
        ends = range(len(parts), 0, -1) if self.as_package else (len(parts),)
        for end in ends:
            candidate = ".".join(parts[:end])
            if module_matches(candidate, self.pattern):
                return candidate
        return None


@dataclass(frozen=True)
class Boundary:
    """One boundary contract: `breaks(importer, imported)` names the rule a direct import breaks."""

    id: str
    name: str
    type: str
    ignores: tuple[tuple[str, str], ...] = ()
    sources: tuple[Expression, ...] = ()  # forbidden: source_modules; protected: allowed_importers
    targets: tuple[Expression, ...] = ()  # forbidden_modules, protected_modules, independent modules
    layers: tuple[tuple[tuple[str, ...], bool], ...] = ()  # (tails, independent), top first
    containers: tuple[str, ...] = ()

    def ignored(self, importer: str, imported: str) -> bool:
        return any(
            module_matches(importer, a) and module_matches(imported, b) for a, b in self.ignores
        )

    def may_break_from(self, importer: str) -> bool:
        """Can an import written in `importer` break this contract at all? (a pre-filter)"""
        if self.type == "layers":
            return any(self._layer_of(importer, c) for c in self._containers_of(importer))
        expressions = self.sources if self.type == "forbidden" else self.targets
        return self.type == "protected" or any(e.owner(importer) for e in expressions)

    def may_guard(self, name: str) -> bool:
        """False when neither `name` nor any module it lies in can be guarded by this contract:
        the literal beginnings of its module expressions, tested before anything is resolved."""
        return name.startswith(self.literal_prefixes())

    def literal_prefixes(self) -> tuple[str, ...]:
        return _memo(self, "prefixes", None, lambda _: self._literal_prefixes())

    def _literal_prefixes(self) -> tuple[str, ...]:
        if self.type == "layers":
            patterns = list(self.containers) or [tail for tails, _ in self.layers for tail in tails]
        else:
            patterns = [e.pattern for e in self.targets]
        return tuple(p.split("*")[0].rstrip(".") for p in patterns)

    def guards(self, imported: str) -> bool:
        """Can an import of `imported` break this contract at all? (a pre-filter, remembered)"""
        return _memo(self, "guards", imported, self._guards)

    def _guards(self, imported: str) -> bool:
        if self.type == "layers":
            return any(self._layer_of(imported, c) for c in self._containers_of(imported))
        return any(e.owner(imported) for e in self.targets)

    def breaks(self, importer: str, imported: str) -> str | None:
        if importer == imported or self.ignored(importer, imported):
            return None
        return getattr(self, f"_{self.type}")(importer, imported)

    def _forbidden(self, importer: str, imported: str) -> str | None:
        for source in self.sources:
            source_module = source.owner(importer)
            if source_module is None:
                continue
            for target in self.targets:
                target_module = target.owner(imported)
                if target_module and not _overlap(source_module, target_module, source.as_package):
                    return f"{source_module} must not import {target_module}"
        return None

    def _independence(self, importer: str, imported: str) -> str | None:
        owners = [(e.owner(importer), e.owner(imported)) for e in self.targets]
        mine = next((a for a, _ in owners if a), None)
        theirs = next((b for _, b in owners if b), None)
        if mine and theirs and mine != theirs and not _overlap(mine, theirs, True):
            return f"{mine} and {theirs} must be independent"
        return None

    def _protected(self, importer: str, imported: str) -> str | None:
        for target in self.targets:
            protected = target.owner(imported)
            if protected is None or _inside(importer, protected, target.as_package):
                continue
            if not any(allowed.contains(importer) for allowed in self.sources):
                return f"{protected} may only be imported by {_names(self.sources)}"
        return None

    def _layers(self, importer: str, imported: str) -> str | None:
        for container in self._containers_of(importer):
            low = self._layer_of(importer, container)
            high = self._layer_of(imported, container)
            if low is None or high is None:
                continue
            (low_index, low_module), (high_index, high_module) = low, high
            if low_index > high_index:
                return f"{low_module} is in a lower layer than {high_module}"
            if low_index == high_index and low_module != high_module and self.layers[low_index][1]:
                return f"{low_module} and {high_module} are independent siblings in one layer"
        return None

    def _containers_of(self, module: str) -> list[str]:
        """The concrete containers (matches of the container expressions) holding `module`."""
        return _memo(self, "containers", module, self._find_containers)

    def _find_containers(self, module: str) -> list[str]:
        if not self.containers:
            return [""]
        parts = module.split(".")
        ancestors = [".".join(parts[:end]) for end in range(1, len(parts))]
        return [a for a in ancestors if any(module_matches(a, c) for c in self.containers)]

    def _layer_of(self, module: str, container: str) -> tuple[int, str] | None:
        return _memo(self, "layer", (module, container), lambda key: self._find_layer(*key))

    def _find_layer(self, module: str, container: str) -> tuple[int, str] | None:
        for index, (tails, _) in enumerate(self.layers):
            for tail in tails:
                layer = f"{container}.{tail}" if container else tail
                if module == layer or module.startswith(layer + "."):
                    return index, layer
        return None


def _memo(owner: object, table: str, key, compute: Callable):
    """`compute(key)`, remembered on a frozen `owner`: the pre-filter judges every import of a
    large tree against every contract, and the same modules come up again and again."""
    memo = owner.__dict__.setdefault("_memo_" + table, {})  # not a field: eq and hash ignore it
    if key not in memo:
        memo[key] = compute(key)
    return memo[key]


def _overlap(a: str, b: str, as_packages: bool) -> bool:
    if a == b:
        return True
    return as_packages and (a.startswith(b + ".") or b.startswith(a + "."))


def _inside(module: str, package: str, as_package: bool) -> bool:
    return module == package or (as_package and module.startswith(package + "."))


def _names(expressions: Iterable[Expression]) -> str:
    return ", ".join(e.pattern for e in expressions) or "nobody"


# -- parsing -----------------------------------------------------------------------------------


@dataclass
class Boundaries:
    """The boundary contracts of one config, and warnings about contracts that check nothing."""

    contracts: tuple[Boundary, ...] = ()
    warnings: tuple[str, ...] = ()
    skip_type_checking: bool = False  # import-linter's exclude_type_checking_imports


def boundary_aliases(session: dict) -> dict[str, str]:
    """Contract type name -> boundary type, for the built-in names and any registered alias."""
    aliases = {t: t for t in BOUNDARY_TYPES}
    for entry in as_list(session.get("contract_types")):
        alias, _, target = entry.partition(":")
        if target.strip() in _BUILT_IN:
            aliases[alias.strip()] = _BUILT_IN[target.strip()]
    return aliases


def parse_boundaries(
    session: dict, contracts: Iterable[dict], module_exists: Callable[[str], bool]
) -> Boundaries:
    """Parse and validate every boundary contract; BoundaryError names the contract and field."""
    aliases = boundary_aliases(session)
    roots = tuple(as_list(session.get("root_packages") or session.get("root_package")))
    parsed, warnings, problems = [], [], []
    for options in contracts:
        kind = aliases.get(str(options.get("type", "")))
        if kind:
            parser = _ContractParser(options, kind, roots, module_exists)
            try:
                parsed.append(parser.parse())
            except BoundaryError as error:  # the other contracts are still read and checked
                problems.append(str(error))
            warnings.extend(parser.warnings)
    if problems:
        raise BoundaryError("\n".join(problems))
    skip = str(session.get("exclude_type_checking_imports", "")).strip().lower() == "true"
    return Boundaries(tuple(parsed), tuple(warnings), skip)


class _ContractParser:
    def __init__(self, options: dict, kind: str, roots: tuple[str, ...], exists) -> None:
        self.options = options
        self.kind = kind
        self.roots = roots
        self.exists = exists
        self.id = str(options.get("id", "?"))
        self.warnings: list[str] = []

    def error(self, field_name: str, message: str) -> BoundaryError:
        return BoundaryError(f"contract {self.id!r}: {field_name}: {message}")

    def flag(self, field_name: str, default: bool) -> bool:
        value = str(self.options.get(field_name, default)).strip().lower()
        if value not in ("true", "false"):
            raise self.error(field_name, f"{value!r}: expected true or false")
        return value == "true"

    def expressions(self, field_name: str, as_package: bool, required: bool = True):
        entries = as_list(self.options.get(field_name))
        if required and not entries:
            raise self.error(field_name, "this is a required field")
        for entry in entries:
            self.check_module(field_name, entry)
        return tuple(Expression(entry, as_package) for entry in entries)

    def check_module(self, field_name: str, name: str, optional: bool = False) -> None:
        if not _EXPRESSION.match(name):
            raise self.error(field_name, f"{name!r} is not a module expression")
        internal = any(name == r or name.startswith(r + ".") for r in self.roots)
        if "*" not in name and internal and not optional and not self.exists(name):
            raise self.error(
                field_name,
                f"module {name} does not exist (lint-imports refuses it too; a deleted module "
                f"belongs in the ssot contract's deprecated_modules)",
            )

    def ignores(self) -> tuple[tuple[str, str], ...]:
        pairs = []
        for entry in as_list(self.options.get("ignore_imports")):
            importer, arrow, imported = (part.strip() for part in entry.partition("->"))
            if not arrow or not _EXPRESSION.match(importer) or not _EXPRESSION.match(imported):
                raise self.error("ignore_imports", f"{entry!r}: expected `importer -> imported`")
            pairs.append((importer, imported))
        return tuple(pairs)

    def parse(self) -> Boundary:
        base = dict(id=self.id, name=str(self.options.get("name", self.id)), type=self.kind,
                    ignores=self.ignores())
        return getattr(self, f"parse_{self.kind}")(base)

    def parse_forbidden(self, base: dict) -> Boundary:
        as_packages = self.flag("as_packages", True)
        self.flag("allow_indirect_imports", False)  # direct imports break either way
        sources = self.expressions("source_modules", as_packages)
        targets = self.expressions("forbidden_modules", as_packages)
        concrete = [
            (s.pattern, t.pattern) for s in sources for t in targets if not (s.wildcard or t.wildcard)
        ]
        if concrete and len(concrete) == len(sources) * len(targets) and all(
            _overlap(s, t, as_packages) for s, t in concrete
        ):
            self.warnings.append(
                f"contract {base['name']!r} checks nothing: each of its source modules contains "
                f"or is inside each forbidden module, and import-linter skips such pairs; list "
                f"the sibling modules that must not import them as source_modules"
            )
        return Boundary(**base, sources=sources, targets=targets)

    def parse_independence(self, base: dict) -> Boundary:
        return Boundary(**base, targets=self.expressions("modules", True))

    def parse_protected(self, base: dict) -> Boundary:
        as_packages = self.flag("as_packages", True)
        targets = self.expressions("protected_modules", as_packages)
        sources = self.expressions("allowed_importers", as_packages)
        return Boundary(**base, sources=sources, targets=targets)

    def parse_layers(self, base: dict) -> Boundary:
        containers = tuple(as_list(self.options.get("containers")))
        for container in containers:
            self.check_module("containers", container)
        layers = []
        for entry in as_list(self.options.get("layers")):
            independent = ":" not in entry
            raw = [t.strip() for t in re.split(r"[|:]", entry) if t.strip()]
            tails = tuple(t.strip("()").strip() for t in raw)
            for raw_tail, tail in zip(raw, tails, strict=True):
                for container in containers or ("",):
                    name = f"{container}.{tail}" if container else tail
                    self.check_module("layers", name, optional=raw_tail.startswith("("))
            layers.append((tails, independent))
        if not layers:
            raise self.error("layers", "this is a required field")
        return Boundary(**base, layers=tuple(layers), containers=containers)


def as_list(value) -> list[str]:
    if not value:
        return []
    items = value if isinstance(value, list) else str(value).split("\n")
    return [str(item).strip() for item in items if str(item).strip()]
