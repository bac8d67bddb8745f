"""The audit categories, built from the engine's findings, and the Audit of one tree."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ssot_flake8.analysis.walk import SymbolImport
from ssot_flake8.commands.audit.paths import (
    FACTORY_KINDS,
    JSON_VERSION,
    Category,
    Location,
    SymbolPaths,
    _s,
    canonical_share,
    display_path,
    location,
    symbol_paths,
)
from ssot_flake8.policy.model import Policy, module_path
from ssot_flake8.services.cache import Cache
from ssot_flake8.services.imports_cache import ImportsCache
from ssot_flake8.services.options import UsageError
from ssot_flake8.services.runner import InputError, check_files, discover
from ssot_flake8.source.text import Finding

# -- the report ---------------------------------------------------------------------------------


@dataclass
class Audit:
    files: int
    categories: list[Category]
    symbols: list[SymbolPaths]

    @property
    def canonical_share(self) -> float:
        return canonical_share(self.symbols)

    def counts(self) -> dict[str, int | None]:
        return {category.key: category.count for category in self.categories}

    def as_json(self) -> dict:
        return {
            "version": JSON_VERSION,
            "files": self.files,
            "canonical_share": round(self.canonical_share, 4),
            "categories": {category.key: category.as_json() for category in self.categories},
            "import_paths": [symbol.as_json() for symbol in self.symbols],
        }


def audit_paths(policy: Policy, paths: Sequence[Path], base: Path | None = None) -> Audit:
    """Run the engine over the Python files under `paths` and group what it finds.

    The files go through `ssot check`'s runner and its cache: an audit after a check (or after
    the previous commit of a burn-down) re-checks only what changed, in one worker per core.
    So the audit counts exactly what `ssot check` reports (a `# noqa: SOTnnn` line is the
    team's decision and is not counted)."""
    try:
        files = discover([str(p) for p in paths])
    except InputError as error:
        raise UsageError(str(error)) from None
    cache = Cache.for_policy(policy)
    imports: list[SymbolImport] = []
    reported = check_files(files, policy, cache, imports=imports)
    cache.save()
    findings = [r.finding for r in reported]
    symbols = symbol_paths(policy, imports, base)
    cycles = find_cycles(policy, base)
    categories = build_categories(findings, symbols, cycles, base, _not_parsed(files, cache))
    return Audit(len(files), categories, symbols)


def _not_parsed(files: list[str], cache: Cache) -> int:
    """The files the pre-filter judged from their bytes (their cache entry holds no hash)."""
    cwd = os.getcwd()
    entries = (cache.entries.get(os.path.normpath(os.path.join(cwd, f))) for f in files)
    return sum(1 for entry in entries if entry is not None and entry.hash is None)


def find_cycles(policy: Policy, base: Path | None) -> list[Location] | None:
    """The policy's import cycles (ssot_flake8.cycles), each at its first edge; None: not measured.

    Cycles belong to packages, not to files, so PATHS do not narrow them: the cycle finder walks
    the policy's packages (its `acyclic` contracts, else the root packages) from the source root.
    """
    try:
        from ssot_flake8.analysis.cycles import acyclic_packages, cycles_for, package_files
    except ImportError:  # the cycle finder is not part of this installation
        return None
    cache = ImportsCache.beside(policy.config_path)  # a warm audit re-reads only changed files
    cache.prefetch((path, module, is_package) for package in acyclic_packages(policy)
                   for module, (path, is_package) in package_files(policy, package).items())
    cycles = cycles_for(policy, imports_of=cache.imports_of)
    cache.save()
    return [cycle_location(policy, cycle, base) for cycle in cycles]


def cycle_location(policy: Policy, cycle, base: Path | None) -> Location:
    first = cycle.steps[0]
    found = module_path(policy.source_roots[0], first.importer)
    path = display_path(str(found), base) if found else first.importer
    return Location(path, first.line, "", cycle.chain(common_package(cycle.modules)))


def common_package(modules: Sequence[str]) -> str:
    """The longest dotted prefix shared by all modules: a chain reads `a -> b -> a` below it."""
    common: list[str] = []
    for segments in zip(*(m.split(".") for m in modules), strict=False):
        if len(set(segments)) > 1:
            break
        common.append(segments[0])
    return ".".join(common)


def build_categories(
    findings: list[Finding], symbols: list[SymbolPaths], cycles: list[Location] | None,
    base: Path | None, skipped: int = 0,
) -> list[Category]:
    """`skipped`: the files the pre-filter left unparsed (they name nothing of the policy)."""
    by_code: dict[str, list[Location]] = {}
    for finding in sorted(findings, key=lambda f: (display_path(f.path, base), f.line, f.col, f.code)):
        by_code.setdefault(finding.code, []).append(location(finding, base))
    categories = [builder(by_code, symbols, cycles) for builder in CATEGORY_BUILDERS]
    for category in categories:
        if category.key == "unanalysed_files":
            category.kinds["not_parsed"] = skipped
            category.summary += (f"; {skipped} more file{_s(skipped)} not parsed: "
                                 "they name nothing of the policy")
    return categories


Codes = dict[str, list[Location]]


def _merged(by_code: Codes, *codes: str) -> list[Location]:
    return sorted((loc for code in codes for loc in by_code.get(code, [])),
                  key=lambda loc: (loc.path, loc.line, loc.code))


def shims(by_code: Codes, *_) -> Category:
    found = _merged(by_code, "SOT204")
    modules = len({loc.path for loc in found})
    return Category(
        "compatibility_shims", "compatibility shims",
        "module that re-exports a registered symbol (SOT204), per module", "shims", modules,
        summary=f"{len(found)} re-export{_s(len(found))}", locations=found,
    )


def factories(by_code: Codes, *_) -> Category:
    found = _merged(by_code, "SOT202", "SOT201", "SOT203")
    kinds = {"function": 0, "singleton": 0, "static": 0, "method": 0, "alias": 0}
    for loc in found:
        kinds[factory_kind(loc)] = kinds.get(factory_kind(loc), 0) + 1
    summary = " / ".join(f"{count} {kind}" for kind, count in kinds.items())
    return Category(
        "factory_patterns", "factory patterns",
        "factory function or method, singleton, alias (SOT202, SOT201, SOT203)",
        "factories", len(found), kinds, summary, found,
    )


def factory_kind(loc: Location) -> str:
    if loc.code == "SOT201":
        return "singleton"
    if loc.code == "SOT203":
        return "alias"
    for prefix, kind in FACTORY_KINDS.items():
        if loc.detail.startswith(prefix):
            return kind
    return "function"


def fragmentation(by_code: Codes, symbols: list[SymbolPaths], _) -> Category:
    paths = [path for symbol in symbols for path in symbol.paths if not path.canonical]
    found = sorted(
        (Location(loc.path, loc.line, "SOT001", path.qualname) for path in paths for loc in path.locations),
        key=lambda loc: (loc.path, loc.line, loc.detail),
    )
    files = len({loc.path for loc in found})
    imports = sum(s.imports for s in symbols)
    canonical = sum(s.canonical_imports for s in symbols)
    share = canonical_share(symbols)
    return Category(
        "import_path_fragmentation", "import-path fragmentation",
        "non-canonical import path of a registered symbol, per path (SOT001)",
        "paths", len(paths), {"files": files, "imports": imports, "canonical_imports": canonical},
        f"{files} file{_s(files)}; canonical share {canonical}/{imports} = {share:.0%}", found,
    )


def circular(by_code: Codes, symbols, cycles: list[Location] | None) -> Category:
    category = Category(
        "circular_imports", "circular imports",
        "import cycle a -> b -> a", "cycles", None,
        summary="not measured (no cycle finder: ssot_flake8.cycles is missing)",
    )
    if cycles is not None:
        category.count, category.summary = len(cycles), ""
        category.locations = cycles
    return category


def deprecated(by_code: Codes, *_) -> Category:
    found = _merged(by_code, "SOT002", "SOT003", "SOT102")
    kinds = {
        "imports": len(by_code.get("SOT002", [])),
        "dynamic_imports": len(by_code.get("SOT003", [])),
        "factory_calls": len(by_code.get("SOT102", [])),
    }
    summary = " / ".join(f"{count} {kind.replace('_', ' ')}" for kind, count in kinds.items())
    return Category(
        "deprecated_usage", "deprecated module/factory usage",
        "import of a deprecated module, also dynamic; factory call (SOT002, SOT003, SOT102)",
        "deprecated", len(found), kinds, summary, found,
    )


def counted(key: str, title: str, description: str, short: str, code: str):
    """A category that is one rule's findings, counted and located."""
    def build(by_code: Codes, *_) -> Category:
        found = _merged(by_code, code)
        return Category(key, title, f"{description} ({code})", short, len(found), locations=found)
    return build


duplicates = counted("duplicate_implementations", "duplicate implementations",
                     "class with a registered name outside its home", "dup", "SOT205")
accessors = counted("singleton_accessor_calls", "singleton accessor calls",
                    "call of a banned singleton accessor", "accessor", "SOT101")
isolation = counted("missing_isolation_argument", "missing isolation argument",
                    "registered class built without its required argument", "no-ctx", "SOT103")
stale = counted("stale_imports", "stale imports",
                "import of a name or module the tree no longer has", "stale", "SOT004")
boundaries = counted("boundary_breaks", "boundary breaks",
                     "direct import that breaks a boundary contract", "boundary", "SOT005")


def unanalysed(by_code: Codes, *_) -> Category:
    """SOT000 per file, by why; build_categories adds the files the pre-filter did not parse."""
    found = _merged(by_code, "SOT000")
    kinds = {"newer_syntax": 0, "syntax_errors": 0, "unreadable": 0}
    for loc in found:
        if loc.detail.startswith("uses syntax from Python"):
            kinds["newer_syntax"] += 1
        elif loc.detail.startswith("SyntaxError"):
            kinds["syntax_errors"] += 1
        else:  # cannot read or decode it, too deeply nested
            kinds["unreadable"] += 1
    summary = " / ".join(f"{count} {kind.replace('_', ' ')}" for kind, count in kinds.items())
    return Category("unanalysed_files", "unanalysed files",
                    "file that may hold a finding but does not parse or decode (SOT000)",
                    "unparsed", len(found), kinds, summary, found)


CATEGORY_BUILDERS: tuple[Callable[..., Category], ...] = (
    duplicates, shims, factories, fragmentation, circular, deprecated, accessors, isolation,
    stale, boundaries, unanalysed,
)
