"""`ssot audit`: the migration dashboard. It runs the engine over a tree and measures the
categories of the team's hand-written audit notes (DESIGN.md §1): duplicate implementations,
shims, factory patterns by kind, the import paths of every registered symbol, cycles,
deprecated usage, singleton accessor calls and missing isolation arguments.

`--history N` audits the last N commits from `git archive` snapshots in temporary directories
(the working tree and the index are never touched) and prints the burn-down.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import re
import string
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ssot_flake8.analysis.engine import check_file
from ssot_flake8.analysis.index import expand_policy
from ssot_flake8.analysis.walk import SymbolImport
from ssot_flake8.policy.config import load_policy
from ssot_flake8.policy.model import Policy, PolicyError, module_path
from ssot_flake8.rules import rule
from ssot_flake8.services.options import UsageError, add_config_option, policy_for
from ssot_flake8.services.runner import InputError, discover
from ssot_flake8.source.text import Finding
from ssot_flake8.support.atomic_write import write_atomic
from ssot_flake8.support.progress import Progress

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
    """Run the engine over the Python files under `paths` and group what it finds."""
    try:
        files = [Path(name) for name in discover([str(p) for p in paths])]
    except InputError as error:
        raise UsageError(str(error)) from None
    findings: list[Finding] = []
    imports: list[SymbolImport] = []
    for path in files:
        findings.extend(check_file(path, policy, imports=imports))
    symbols = symbol_paths(policy, imports, base)
    cycles = find_cycles(policy, base)
    return Audit(len(files), build_categories(findings, symbols, cycles, base), symbols)


def find_cycles(policy: Policy, base: Path | None) -> list[Location] | None:
    """The policy's import cycles (ssot_flake8.cycles), each at its first edge; None: not measured.

    Cycles belong to packages, not to files, so PATHS do not narrow them: the cycle finder walks
    the policy's packages (its `acyclic` contracts, else the root packages) from the source root.
    """
    try:
        from ssot_flake8.analysis.cycles import cycles_for
    except ImportError:  # the cycle finder is not part of this installation
        return None
    return [cycle_location(policy, cycle, base) for cycle in cycles_for(policy)]


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
    base: Path | None,
) -> list[Category]:
    by_code: dict[str, list[Location]] = {}
    for finding in sorted(findings, key=lambda f: (display_path(f.path, base), f.line, f.col, f.code)):
        by_code.setdefault(finding.code, []).append(location(finding, base))
    return [builder(by_code, symbols, cycles) for builder in CATEGORY_BUILDERS]


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
unanalysed = counted("unanalysed_files", "unanalysed files",
                     "file that does not parse or decode, so it is not counted", "unparsed", "SOT000")


CATEGORY_BUILDERS: tuple[Callable[..., Category], ...] = (
    duplicates, shims, factories, fragmentation, circular, deprecated, accessors, isolation,
    stale, boundaries, unanalysed,
)


def _s(count: int) -> str:
    return "" if count == 1 else "s"


# -- rendering ----------------------------------------------------------------------------------


def table_text(header: Sequence[str], rows: Sequence[Sequence[str]], right: set[int]) -> list[str]:
    """A plain aligned table; columns in `right` are right-aligned (numbers)."""
    widths = [max(len(str(row[i])) for row in (header, *rows)) for i in range(len(header))]

    def line(row: Sequence[str]) -> str:
        cells = [str(c).rjust(w) if i in right else str(c).ljust(w)
                 for i, (c, w) in enumerate(zip(row, widths, strict=True))]
        return "  ".join(cells).rstrip()

    return [line(header), line(["-" * w for w in widths]), *(line(row) for row in rows)]


def render_text(audit: Audit, where: str, policy: str) -> str:
    out = [f"ssot audit: {audit.files} file{_s(audit.files)} under {where} (policy: {policy})", ""]
    rows = [(c.title, c.what, c.count_text(), c.summary) for c in audit.categories]
    out += table_text(("category", "what it looks like", "count", "detail"), rows, {2})
    for category in audit.categories:
        if category.locations:
            out += ["", f"{category.title} ({category.count_text()})"]
            out += [f"  {loc.text()}  {loc.detail}" for loc in category.locations]
    for symbol in audit.symbols:
        out += ["", f"import paths of {symbol.symbol}", f"  canonical: {symbol.canonical_import}",
                f"  canonical share: {symbol.share_text()}"]
        rows = [(p.qualname + (" (canonical)" if p.canonical else ""), str(p.files),
                 str(len(p.locations))) for p in symbol.paths]
        if rows:
            out += ["  " + line for line in table_text(("path", "files", "imports"), rows, {1, 2})]
    return "\n".join(out)


def render_markdown(audit: Audit, where: str, policy: str) -> str:
    out = ["# SSOT audit", "",
           f"{audit.files} file{_s(audit.files)} under `{where}`, policy `{policy}`.", "",
           "| category | what it looks like | count | detail |", "|---|---|---:|---|"]
    out += [f"| {c.title} | {_md(c.what)} | {c.count_text()} | {_md(c.summary)} |"
            for c in audit.categories]
    for category in audit.categories:
        if category.locations:
            out += ["", f"## {category.title} ({category.count_text()})", ""]
            out += [f"- `{loc.text()}` {_md(loc.detail)}" for loc in category.locations]
    for symbol in audit.symbols:
        out += ["", f"## Import paths of `{symbol.symbol}`", "",
                f"Canonical: `{symbol.canonical_import}`; canonical share {symbol.share_text()}.", "",
                "| path | canonical | files | imports |", "|---|---|---:|---:|"]
        out += [f"| `{p.qualname}` | {'yes' if p.canonical else 'no'} | {p.files} | {len(p.locations)} |"
                for p in symbol.paths]
    return "\n".join(out)


def _md(text: str) -> str:
    return text.replace("|", "\\|")


# -- history ------------------------------------------------------------------------------------


@dataclass
class Snapshot:
    """One commit's audit for the burn-down."""

    sha: str
    short: str
    date: str  # committer date, ISO 8601
    audit: Audit | None = None
    error: str = ""

    def as_json(self) -> dict:
        return {
            "commit": self.sha,
            "short": self.short,
            "date": self.date,
            "files": self.audit.files if self.audit else None,
            "canonical_share": round(self.audit.canonical_share, 4) if self.audit else None,
            "counts": self.audit.counts() if self.audit else None,
            "error": self.error or None,
        }


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=False)
    if result.returncode:
        message = (result.stderr.strip().splitlines() or ["failed"])[-1]
        raise UsageError(f"git {args[0]}: {message}")
    return result.stdout


def repo_root(start: Path) -> Path:
    try:
        return Path(git(start, "rev-parse", "--show-toplevel").strip()).resolve()
    except UsageError:
        raise UsageError(f"--history needs a git repository; {start} is not in one") from None


def in_repo(path: Path, root: Path, what: str) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        raise UsageError(f"--history: {what} {path} is outside the git repository {root}") from None


def commits(root: Path, count: int) -> list[tuple[str, str, str]]:
    """The last `count` commits of HEAD's first-parent line, oldest first: (sha, short, date)."""
    log = git(root, "log", "--first-parent", f"--max-count={count}", "--format=%H %h %cI", "HEAD")
    return [tuple(line.split(" ", 2)) for line in reversed(log.splitlines()) if line]


def extract(root: Path, sha: str, specs: list[str], target: Path) -> None:
    """Write the files of `specs` at commit `sha` into `target` (git archive; no checkout)."""
    present = [s for s in specs if s == "." or _exists_at(root, sha, s)]
    if not present:
        return
    command = ["git", "-C", str(root), "archive", "--format=tar", sha, "--", *present]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        with tarfile.open(fileobj=process.stdout, mode="r|") as archive:
            for member in archive:
                _extract(archive, member, target)
        error = process.stderr.read().decode(errors="replace").strip()
    if process.returncode:
        raise UsageError(f"git archive {sha[:12]}: {error or 'failed'}")


def _extract(archive: tarfile.TarFile, member: tarfile.TarInfo, target: Path) -> None:
    """Extract one member; a link that points outside the snapshot is skipped, not followed."""
    if not hasattr(tarfile, "data_filter"):  # pragma: no cover - Python < 3.11.4
        if not (member.issym() or member.islnk()):
            archive.extract(member, target)
        return
    with contextlib.suppress(tarfile.FilterError):
        archive.extract(member, target, filter="data")


def _exists_at(root: Path, sha: str, spec: str) -> bool:
    command = ["git", "-C", str(root), "cat-file", "-e", f"{sha}:{spec}"]
    return subprocess.run(command, capture_output=True, check=False).returncode == 0


def run_history(policy: Policy, paths: Sequence[Path], count: int) -> list[Snapshot]:
    root = repo_root(Path.cwd())
    config = in_repo(policy.config_path, root, "the policy")
    relative = [in_repo(path, root, "path") for path in paths]
    config_dir = str(Path(config).parent.as_posix())
    specs = sorted({config_dir, *relative})
    if "." not in specs:  # paths inside the policy's directory come with it
        specs = [s for s in specs if s == config_dir or not _under(s, config_dir)]
    history = [Snapshot(*commit) for commit in commits(root, count)]
    progress = Progress("ssot audit", len(history), unit="commits")
    for snapshot in history:
        progress.advance(0, snapshot.short)
        with tempfile.TemporaryDirectory(prefix="ssot-audit-") as temporary:
            snapshot_root = Path(temporary).resolve()
            extract(root, snapshot.sha, specs, snapshot_root)
            audit_snapshot(snapshot, snapshot_root, config, relative)
        progress.advance()
    progress.close()
    return history


def _under(path: str, directory: str) -> bool:
    return directory == "." or path == directory or path.startswith(directory.rstrip("/") + "/")


def audit_snapshot(snapshot: Snapshot, root: Path, config: str, paths: list[str]) -> None:
    if not (root / config).is_file():
        snapshot.error = f"no policy at {config}"
        return
    try:
        policy = load_policy(root / config)
        expand_policy(policy)
    except PolicyError as error:
        snapshot.error = str(error).replace(str(root) + os.sep, "")
        return
    existing = [root / p for p in paths if (root / p).exists()]
    snapshot.audit = audit_paths(policy, existing, base=root)


def history_header(history: list[Snapshot]) -> tuple[list[str], list[str]]:
    """Category keys and short column labels, from the first audited snapshot."""
    for snapshot in history:
        if snapshot.audit:
            return ([c.key for c in snapshot.audit.categories],
                    [c.short for c in snapshot.audit.categories])
    return [], []


def history_rows(history: list[Snapshot], keys: list[str]) -> list[list[str]]:
    rows = []
    for snapshot in history:
        row = [snapshot.short, snapshot.date[:10]]
        if snapshot.audit:
            counts = snapshot.audit.counts()
            row += ["n/a" if counts[k] is None else str(counts[k]) for k in keys]
            row += [f"{snapshot.audit.canonical_share:.0%}", ""]
        else:
            row += ["-"] * len(keys) + ["-", snapshot.error]
        rows.append(row)
    return rows


def render_history_text(history: list[Snapshot]) -> str:
    keys, labels = history_header(history)
    header = ["commit", "date", *labels, "canonical", "note"]
    right = set(range(2, 3 + len(keys)))
    lines = table_text(header, history_rows(history, keys), right)
    return "\n".join(["ssot audit: burn-down, oldest commit first", "", *lines])


def render_history_markdown(history: list[Snapshot]) -> str:
    keys, labels = history_header(history)
    header = ["commit", "date", *labels, "canonical", "note"]
    align = ["---", "---", *(["---:"] * (len(keys) + 1)), "---"]
    out = ["# SSOT audit burn-down", "", "| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    for row in history_rows(history, keys):
        row[0] = f"`{row[0]}`"
        out.append("| " + " | ".join(_md(cell) for cell in row) + " |")
    return "\n".join(out)


# -- the chart ----------------------------------------------------------------------------------

PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf")


def render_svg(history: list[Snapshot]) -> str:
    """A line chart of every category's count per commit, with axes and a legend (hand-written SVG)."""
    keys, _ = history_header(history)
    titles = _titles(history)
    width, height, left, right, top, bottom = 900, 420, 60, 260, 40, 70
    plot_w, plot_h = width - left - right, height - top - bottom
    counts = [s.audit.counts() if s.audit else {} for s in history]
    ticks = _ticks(max([c.get(k) or 0 for c in counts for k in keys] + [1]))
    peak = ticks[-1]
    step = plot_w / max(len(history) - 1, 1)

    def x(index: int) -> float:
        return left + (index * step if len(history) > 1 else plot_w / 2)

    def y(value: float) -> float:
        return top + plot_h - value / peak * plot_h

    out = [
        (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
         f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">'),
        '<title>ssot audit burn-down</title>',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{left}" y="24" font-size="15">SSOT migration burn-down</text>',
        (f'<line class="axis" x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" '
         f'y2="{top + plot_h}" stroke="black"/>'),
        f'<line class="axis" x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="black"/>',
    ]
    for tick in ticks:
        out.append(f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">{tick}</text>')
        out.append(f'<line x1="{left}" y1="{y(tick):.1f}" x2="{left + plot_w}" y2="{y(tick):.1f}" '
                   'stroke="#ddd"/>')
    for index, snapshot in enumerate(history):
        out.append(f'<text x="{x(index):.1f}" y="{top + plot_h + 16}" text-anchor="middle" '
                   f'font-family="monospace">{_xml(snapshot.short)}</text>')
        out.append(f'<text x="{x(index):.1f}" y="{top + plot_h + 30}" text-anchor="middle" '
                   f'font-size="10">{_xml(snapshot.date[:10])}</text>')
    for number, key in enumerate(keys):
        color = PALETTE[number % len(PALETTE)]
        points = [(x(i), y(c[key])) for i, c in enumerate(counts) if c.get(key) is not None]
        out.append(f'<g class="series" data-category="{key}">')
        if points:
            coordinates = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
            out.append(f'<polyline points="{coordinates}" fill="none" stroke="{color}" stroke-width="2"/>')
            out += [f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{color}"/>' for px, py in points]
        legend_y = top + 10 + number * 20
        out.append(f'<rect x="{left + plot_w + 20}" y="{legend_y - 9}" width="12" height="12" '
                   f'fill="{color}"/>')
        label = titles[key] + ("" if points else " (not measured)")
        out.append(f'<text x="{left + plot_w + 38}" y="{legend_y + 1}">{_xml(label)}</text>')
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _titles(history: list[Snapshot]) -> dict[str, str]:
    for snapshot in history:
        if snapshot.audit:
            return {c.key: c.title for c in snapshot.audit.categories}
    return {}


def _ticks(peak: int) -> list[int]:
    """0 to at least `peak` in at most five round steps (1, 2, 5, 10, 20, 50, ...)."""
    step = next(m * 10**e for e in range(12) for m in (1, 2, 5) if peak <= 5 * m * 10**e)
    top = -(-peak // step) * step
    return list(range(0, top + 1, step))


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


# -- the command --------------------------------------------------------------------------------


def add_parser(verbs: argparse._SubParsersAction) -> None:
    audit = verbs.add_parser("audit", help="the migration dashboard: every category, counted and located")
    audit.add_argument("paths", nargs="*", help="files or directories (default: the policy's source root)")
    add_config_option(audit)
    audit.add_argument("--output-format", "--format", dest="format", choices=("text", "markdown", "json"),
                       default="text", help="text (default), markdown or json (`--format` is an alias)")
    audit.add_argument("--history", type=int, metavar="N", help="audit the last N commits (burn-down)")
    audit.add_argument("--chart", metavar="FILE.svg", help="with --history: write the burn-down chart (SVG)")
    audit.set_defaults(handler=run_audit)


def run_audit(args: argparse.Namespace) -> int:
    """Always 0 when the report was produced: `audit` measures, `check` gates."""
    chart = check_chart_option(args)
    # With the index every alias and re-export counts; --history indexes each commit instead.
    policy = policy_for(args, index=args.history is None)
    paths = [Path(p) for p in args.paths] or [policy.source_roots[0]]
    for path in paths:
        if not path.exists():
            raise UsageError(f"{path}: no such file or directory")
    if args.history is not None:
        history = run_history(policy, paths, args.history)
        print(render_history(history, args.format))
        if chart:
            write_atomic(chart, render_svg(history))
        return 0
    audit = audit_paths(policy, paths)
    where = ", ".join(display_path(str(p), None) for p in paths)
    print(render(audit, args.format, where, display_path(str(policy.config_path), None)))
    return 0


def check_chart_option(args: argparse.Namespace) -> Path | None:
    if args.history is not None and args.history < 1:
        raise UsageError("--history: N must be at least 1")
    if not args.chart:
        return None
    if args.history is None:
        raise UsageError("--chart needs --history N (it draws the burn-down)")
    chart = Path(args.chart)
    if chart.suffix.lower() != ".svg":
        raise UsageError(f"--chart {args.chart}: only SVG charts are written (FILE.svg)")
    if not chart.resolve().parent.is_dir():
        raise UsageError(f"--chart {args.chart}: no such directory")
    return chart


def render(audit: Audit, format_name: str, where: str, policy: str) -> str:
    if format_name == "json":
        return json.dumps(audit.as_json(), indent=2)
    if format_name == "markdown":
        return render_markdown(audit, where, policy)
    return render_text(audit, where, policy)


def render_history(history: list[Snapshot], format_name: str) -> str:
    if format_name == "json":
        return json.dumps({"version": JSON_VERSION, "history": [s.as_json() for s in history]}, indent=2)
    if format_name == "markdown":
        return render_history_markdown(history)
    return render_history_text(history)
