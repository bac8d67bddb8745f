"""Generate a large, realistic, reproducible `netra_backend` tree for benchmarking.

    python benchmarks/generate.py OUT_DIR [--modules 10000] [--lines 4000000] [--seed 0]

The tree mirrors the code base behind ../shared/seeds: an app with many layered
subpackages, the governed `app/websocket_core` package, the legacy `app/websocket` shim
package and a test suite beside the app code. About 3% of the modules carry planted
snippets covering every violation category of the policy (and some true negatives); the
rest never mention a policy name. Same arguments => byte-identical output.
Writes OUT_DIR/.importlinter (a copy of the repo policy), OUT_DIR/.flake8 (pointing flake8 at
it) and OUT_DIR/MANIFEST.json.
"""

from __future__ import annotations

import argparse
import configparser
import json
import random
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from filler import (
    CLASS_ROLES,
    DATA_ROLES,
    NOUNS,
    VERBS,
    ModuleText,
    data_class,
    dependency_block,
    filler_block,
    pascal,
    public_function,
    service_class,
)
from planted import FIXED, NEGATIVES, SOLO, VIOLATIONS, WS_FILLER, FixedModule, Snippet, make_snippet

POLICY = Path(__file__).resolve().parents[1] / ".importlinter"
FLAKE8_CONFIG = "[flake8]\nssot-config = .importlinter\nmax-line-length = 110\n"
ROOT = "netra_backend"
WS_AREA = "websocket_core"  # planted files sit above this layer (or in tests)

# App subpackages, lowest layer first, with their share of modules and module-name roles.
AREAS = [
    ("utils", 7, ["helpers", "formatting", "retry", "timing", "parsing", "hashing"]),
    ("core", 6, ["config", "settings", "errors", "registry", "lifecycle", "tracing"]),
    ("models", 7, ["models", "entities", "enums", "types", "mixins"]),
    ("schemas", 6, ["requests", "responses", "payloads", "filters", "pagination"]),
    ("db", 8, ["repository", "queries", "session", "migrations", "dao", "indexes"]),
    ("cache", 3, ["store", "keys", "invalidation", "ttl"]),
    ("clients", 4, ["client", "http_client", "adapter", "gateway", "retries"]),
    ("llm", 4, ["client", "prompts", "tokenizer", "cost", "fallbacks"]),
    ("auth", 5, ["tokens", "permissions", "policies", "oauth", "jwt_utils", "scopes"]),
    ("events", 3, ["bus", "publisher", "subscribers", "envelopes"]),
    ("services", 18, ["service", "workflow", "processor", "pipeline", "scheduler", "sync"]),
    (WS_AREA, 0, []),  # fixed modules; see planted.FIXED
    ("agents", 12, ["agent", "planner", "executor", "tools", "prompts", "state", "router"]),
    ("tasks", 4, ["tasks", "worker", "jobs", "beat"]),
    ("middleware", 3, ["middleware", "cors", "request_logging", "tenancy"]),
    ("monitoring", 4, ["metrics", "health", "alerts", "dashboards"]),
    ("api", 8, ["endpoints", "dependencies", "serializers", "validators", "errors"]),
    ("routes", 5, ["routes", "views", "handlers", "webhooks"]),
]
TEST_KINDS = [("unit", 45), ("integration", 30), ("e2e", 15), ("mission_critical", 10)]
TEST_ROLES = ["service", "flow", "contract", "regression", "isolation", "edge_cases"]
NESTED = ["internal", "adapters", "handlers", "v2", "legacy", "helpers"]
PLANTED_SHARE = 0.03
# Planned sizes; rendered modules run a block or so over (headers, the last block).
MIN_LINES, MAX_LINES = 20, 2850


@dataclass
class Plan:
    """One module of the tree, decided before any code is rendered."""

    name: str  # dotted module name
    kind: str  # package | module | test | fixed
    area: str
    size: int = 0  # target line count
    exports: list[tuple[str, str]] = field(default_factory=list)  # (name, service|data|func)
    imports: list[str] = field(default_factory=list)  # rendered import statements
    callables: list[str] = field(default_factory=list)  # bound by imports: name(mapping)
    classes: list[str] = field(default_factory=list)  # bound by imports: Name()
    snippets: list[Snippet] = field(default_factory=list)
    fixed: FixedModule | None = None
    reexport: Plan | None = None  # package __init__ re-exporting its first module
    is_package: bool = False  # written as .../__init__.py

    def __post_init__(self) -> None:
        self.is_package = self.is_package or self.kind == "package"

    @property
    def path(self) -> str:
        parts = self.name.split(".")
        return "/".join(parts) + ("/__init__.py" if self.is_package else ".py")

    @property
    def package(self) -> str:
        return self.name if self.is_package else self.name.rpartition(".")[0]

    @property
    def importable(self) -> bool:
        return self.kind == "module" and self.area != WS_AREA


# ---- planning -------------------------------------------------------------------------

def split(total: int, weights: list[int]) -> list[int]:
    """Split `total` proportionally to `weights`, every share at least 1, summing exactly."""
    shares = [1] * len(weights)
    rest = total - len(weights)
    exact = [rest * w / sum(weights) for w in weights]
    for i, x in enumerate(exact):
        shares[i] += int(x)
    by_remainder = sorted(range(len(weights)), key=lambda i: int(exact[i]) - exact[i])
    for i in by_remainder[: total - sum(shares)]:
        shares[i] += 1
    return shares


def plan_area(rng: random.Random, package: str, quota: int, roles: list[str],
              is_test: bool) -> list[Plan]:
    """A package of `quota` modules: domain subpackages (some nested) plus loose modules."""
    area = package.split(".")[2]
    kind = "test" if is_test else "module"
    plans = [Plan(package, "package", area)]
    taken: dict[str, set[str]] = {}

    def module(parent: str) -> Plan:
        used = taken.setdefault(parent, set())
        for attempt in range(50):
            stem = f"{rng.choice(NOUNS)}_{rng.choice(roles)}"
            if not is_test and rng.random() < 0.15:
                stem = rng.choice(roles)
            stem = f"test_{stem}" if is_test else stem
            stem = stem if attempt < 40 else f"{stem}_{attempt}"
            if stem not in used:
                break
        used.add(stem)
        return Plan(f"{parent}.{stem}", kind, area)

    domains = rng.sample(NOUNS, len(NOUNS))
    remaining, d = quota - 1, 0
    while remaining > 0:
        if remaining <= 2 or rng.random() < 0.1:
            plans.append(module(package))
            remaining -= 1
            continue
        domain = domains[d % len(domains)] + (f"_{d // len(domains) + 1}" if d >= len(domains)
                                              else "")
        d += 1
        if domain in taken.get(package, ()):
            continue
        size = min(remaining, rng.randint(4, 24))
        remaining -= size
        taken.setdefault(package, set()).add(domain)  # a module may not shadow a package
        sub = Plan(f"{package}.{domain}", "package", area)
        plans.append(sub)
        parents = [sub.name]
        if size >= 10 and rng.random() < 0.3:
            nested_stem = rng.choice(NESTED)
            taken.setdefault(sub.name, set()).add(nested_stem)
            nested = Plan(f"{sub.name}.{nested_stem}", "package", area)
            plans.append(nested)
            parents.append(nested.name)
            size -= 1
        plans += [module(parents[j % len(parents)]) for j in range(size - 1)]
    return plans


def plan_structure(rng: random.Random, modules: int) -> list[Plan]:
    """All modules in dependency order: a module only imports modules listed before it."""
    ws_filler = WS_FILLER[: min(len(WS_FILLER), modules // 1000)]
    fixed_count = len(FIXED) + len(ws_filler)
    budget = modules - 3 - fixed_count  # 3: netra_backend, .app, .tests packages
    app_budget = round(budget * 0.78)
    areas = [a for a in AREAS if a[1]]
    keep = max(3, min(len(areas), app_budget // 12))
    chosen = sorted(areas, key=lambda a: -a[1])[:keep]
    areas = [a for a in AREAS if a in chosen or a[0] == WS_AREA]
    quotas = iter(split(app_budget, [w for _, w, _ in areas if w]))

    plans = [Plan(ROOT, "package", "root"), Plan(f"{ROOT}.app", "package", "app")]
    for area, _weight, roles in areas:
        if area == WS_AREA:
            plans += governed_modules(ws_filler)
        else:
            plans += plan_area(rng, f"{ROOT}.app.{area}", next(quotas), roles, False)
    plans.append(Plan(f"{ROOT}.tests", "package", "tests"))
    test_quotas = split(budget - app_budget, [w for _, w in TEST_KINDS])
    for (test_kind, _), quota in zip(TEST_KINDS, test_quotas, strict=True):
        plans += plan_area(rng, f"{ROOT}.tests.{test_kind}", quota, TEST_ROLES, True)
    return plans


def governed_modules(ws_filler: list[str]) -> list[Plan]:
    plans = []
    for rel, spec in FIXED.items():
        package, _, stem = rel.partition("/")
        name = f"{ROOT}.app.{package}" + ("" if stem == "__init__" else f".{stem}")
        plans.append(Plan(name, "fixed", WS_AREA, fixed=spec, is_package=stem == "__init__"))
    plans += [Plan(f"{ROOT}.app.{WS_AREA}.{stem}", "module", WS_AREA) for stem in ws_filler]
    return plans


def assign_sizes(rng: random.Random, plans: list[Plan], lines: int) -> None:
    """Log-normal sizes (many small modules, a long tail of big ones) summing to ~lines."""
    sized = [p for p in plans if p.kind in ("module", "test") or (p.fixed and p.fixed.pad)]
    small = len(plans) - len(sized)  # packages and shims: a dozen lines or so each
    target = max(lines - 12 * small, MIN_LINES * len(sized))
    raw = [rng.lognormvariate(0, 0.9) for _ in sized]
    scale = target / sum(raw)
    for _ in range(3):  # clamping shifts the total; rescale a few times
        sizes = [min(MAX_LINES, max(MIN_LINES, int(r * scale))) for r in raw]
        scale *= target / max(1, sum(sizes))
    for plan, size in zip(sized, sizes, strict=True):
        plan.size = size


def assign_exports(rng: random.Random, plans: list[Plan]) -> None:
    for plan in plans:
        if not plan.importable:
            continue
        used: set[str] = set()
        for _ in range(min(4, 1 + plan.size // 300)):
            kind = rng.choice(("service", "data", "func"))
            noun = rng.choice(NOUNS)
            if kind == "func":
                name = f"{rng.choice(VERBS)}_{noun}"
            else:
                name = pascal(noun, rng.choice(CLASS_ROLES if kind == "service" else DATA_ROLES))
            if name not in used:
                used.add(name)
                plan.exports.append((name, kind))


def relative_module(importer: Plan, target: str) -> str | None:
    """`from <this> import ...` spelled relative to `importer`, when both share an area."""
    here, there = importer.package.split("."), target.split(".")
    common = 0
    while common < min(len(here), len(there)) and here[common] == there[common]:
        common += 1
    if common < 3:  # different app area (or app vs tests): keep the absolute path
        return None
    return "." * (len(here) - common + 1) + ".".join(there[common:])


def import_statement(source: str, names: list[str]) -> str:
    line = f"from {source} import {', '.join(names)}"
    if len(line) <= 99:
        return line
    return f"from {source} import (\n" + "".join(f"    {n},\n" for n in names) + ")"


def assign_imports(rng: random.Random, plans: list[Plan]) -> None:
    """Import only modules planned earlier, so the filler graph is acyclic."""
    earlier: list[Plan] = []
    for plan in plans:
        if plan.kind in ("module", "test"):
            add_imports(rng, plan, earlier)
        if plan.importable:
            earlier.append(plan)
    first_module: dict[str, Plan] = {}
    for plan in plans:
        if plan.importable:
            first_module.setdefault(plan.package, plan)
    for plan in plans:  # some app packages re-export their first module's public names
        if plan.kind == "package" and plan.name in first_module and rng.random() < 0.3:
            plan.reexport = first_module[plan.name]


def add_imports(rng: random.Random, plan: Plan, earlier: list[Plan]) -> None:
    if not earlier:
        return
    count = rng.randint(1, 4) if plan.kind == "test" else rng.randint(1, min(10, 2 + plan.size // 60))
    siblings = [p for p in earlier[-40:] if p.package == plan.package]
    bound = {name for name, _ in plan.exports}
    seen: set[str] = set()
    for _ in range(count):
        pool = siblings if siblings and rng.random() < 0.4 else earlier[-400:]
        if rng.random() < 0.5:
            pool = earlier
        target = rng.choice(pool)
        if target.name in seen:
            continue
        seen.add(target.name)
        exports = rng.sample(target.exports, min(len(target.exports), rng.randint(1, 2)))
        if rng.random() < 0.15 and plan.kind != "test":  # `from package import module`
            stem = target.name.rpartition(".")[2]
            if stem in bound:
                continue
            bound.add(stem)
            plan.imports.append(f"from {target.package} import {stem}")
            bind(plan, [(f"{stem}.{n}", k) for n, k in exports])
            continue
        fresh = [(n, k) for n, k in exports if n not in bound]
        if not fresh:
            continue
        bound.update(n for n, _ in fresh)
        source = (relative_module(plan, target.name) if plan.kind == "module" else None) \
            or target.name
        plan.imports.append(import_statement(source, [n for n, _ in fresh]))
        bind(plan, fresh)


def bind(plan: Plan, names: list[tuple[str, str]]) -> None:
    for name, kind in names:
        (plan.callables if kind == "func" else plan.classes).append(name)


def plant(rng: random.Random, plans: list[Plan], modules: int) -> None:
    """Spread every violation category (and the true negatives) over ~3% of the modules."""
    above = False
    candidates = []
    for plan in plans:
        above = above or plan.area == WS_AREA
        if above and plan.kind in ("module", "test") and plan.area != WS_AREA:
            candidates.append(plan)
    categories = list(VIOLATIONS) + list(NEGATIVES)
    files = rng.sample(candidates, min(len(candidates), max(4, round(modules * PLANTED_SHARE))))
    files.sort(key=plans.index)  # keep tags increasing with position in the tree
    sequence = [categories[i % len(categories)] for i in range(max(len(categories),
                                                                   2 * len(files)))]
    rng.shuffle(sequence)
    solo = [c for c in sequence if c in SOLO]
    shared = [c for c in sequence if c not in SOLO]
    groups: list[list[str]] = [[c] for c in solo[: len(files) - 1]]
    rest = files[len(groups):]
    groups += [shared[i::len(rest)] for i in range(len(rest))]
    for tag, (plan, group) in enumerate(zip(files, groups, strict=True)):
        plan.snippets = [make_snippet(c, rng, tag * 100 + i, plan.name)
                         for i, c in enumerate(group)]


# ---- rendering ------------------------------------------------------------------------

def stdlib_imports(needs: set[tuple[str, str]]) -> list[str]:
    plain = sorted(name for module, name in needs if not module)
    grouped: dict[str, list[str]] = {}
    for module, name in sorted(needs):
        if module:
            grouped.setdefault(module, []).append(name)
    return [f"import {m}" for m in plain] + [
        f"from {m} import {', '.join(names)}" for m, names in sorted(grouped.items())]


def assemble(doc: str, needs: set[tuple[str, str]], sections: list[list[str]],
             blocks: list[str], logger: bool) -> str:
    head = [f'"""{doc}"""', "", "from __future__ import annotations", ""]
    for section in [stdlib_imports(needs), *sections]:
        if section:
            head += [*section, ""]
    if logger:
        head += ["logger = logging.getLogger(__name__)", ""]
    head.append("")  # two blank lines before the first definition
    body = "\n\n\n".join(b for b in blocks if b)
    return "\n".join(head) + ("\n" + body + "\n" if body else "")


def render(rng: random.Random, plan: Plan, target: int) -> str:
    if plan.kind == "package":
        return render_package(plan)
    if plan.fixed and not plan.fixed.pad:
        return assemble(plan.fixed.doc, set(plan.fixed.needs), [plan.fixed.imports],
                        [plan.fixed.body], logger=False)
    # Filler inside the governed package says "realtime", never the package's own name.
    m = ModuleText(rng, "realtime" if plan.area == WS_AREA else plan.area, plan.kind == "test")
    m.callables, m.classes = list(plan.callables), list(plan.classes)
    m.unused = m.callables + m.classes
    rng.shuffle(m.unused)
    m.names.update(name.partition(".")[0] for name in m.callables + m.classes)
    for name, kind in plan.exports:
        m.names.add(name)
        maker = {"service": service_class, "data": data_class, "func": public_function}[kind]
        m.add(maker(m, name))
    if plan.fixed:
        m.need(*plan.fixed.needs)
        m.add(plan.fixed.body)
    snippet_lines = sum(s.code.count("\n") + 3 for s in plan.snippets)
    while m.lines + snippet_lines < target:
        m.add(filler_block(m))
    if m.unused:
        m.add(dependency_block(m))
    blocks = m.blocks
    for snippet in plan.snippets:  # scattered among the filler, as in real code
        m.need(*snippet.needs)
        blocks.insert(rng.randint(min(1, len(blocks)), len(blocks)), snippet.code)
    first_party = plan.imports + (plan.fixed.imports if plan.fixed else []) + [
        i for s in plan.snippets for i in s.imports]
    first_party = sorted(set(first_party), key=lambda line: (line.startswith("from ."), line))
    if not any("Any" in block for block in blocks):
        m.needs.discard(("typing", "Any"))
    sections = [["import pytest"] if m.uses_pytest else [], first_party]
    return assemble(module_doc(rng, plan, m), m.needs, sections, blocks, logger=True)


def module_doc(rng: random.Random, plan: Plan, m: ModuleText) -> str:
    if plan.fixed:
        return plan.fixed.doc
    words = plan.name.rpartition(".")[2].replace("test_", "").split("_")
    title = " ".join(words).capitalize()
    prefix = "Tests for the" if m.is_test else f"{plan.area.capitalize()} layer:"
    return f"{prefix} {title.lower()}.\n\n{m.doc(rng.choice(words))}\n"


def render_package(plan: Plan) -> str:
    title = plan.name.rpartition(".")[2].replace("_", " ")
    doc = f"The {title} package of netra_backend." if plan.area != "root" else \
        "netra_backend: the chat platform's backend (generated benchmark tree)."
    if plan.reexport is None or not plan.reexport.exports:
        return f'"""{doc}"""\n'
    names = sorted(n for n, _ in plan.reexport.exports)
    stem = plan.reexport.name.rpartition(".")[2]
    listed = "".join(f'    "{n}",\n' for n in names)
    return (f'"""{doc}"""\n\n{import_statement("." + stem, names)}\n\n'
            f"__all__ = [\n{listed}]\n")


# ---- driver ---------------------------------------------------------------------------

def policy_names(policy_text: str) -> list[str]:
    """Every name the policy governs: the segments of its dotted names after the shared prefix."""
    parser = configparser.ConfigParser()
    parser.read_string(policy_text)
    dotted: list[list[str]] = []
    for section in parser.sections():
        for key in ("canonical", "old_names", "deprecated_modules", "banned_calls",
                    "required_arguments"):
            text = parser[section].get(key, "")
            dotted += [m.split(".") for m in re.findall(r"\w+(?:\.\w+)+", text)]
    common = 0
    while dotted and all(len(d) > common and d[common] == dotted[0][common] for d in dotted):
        common += 1
    return sorted({seg for d in dotted for seg in d[common:]}, key=lambda s: (-len(s), s))


def generate(out: Path, modules: int, lines: int, seed: int) -> dict:
    rng = random.Random(seed)
    plans = plan_structure(rng, modules)
    assign_sizes(rng, plans, lines)
    assign_exports(rng, plans)
    assign_imports(rng, plans)
    plant(rng, plans, modules)

    policy_text = POLICY.read_text(encoding="utf-8")
    names = policy_names(policy_text)
    mentions = re.compile(r"\b(?:" + "|".join(map(re.escape, names)) + r")\b")
    progress = sys.stderr.isatty()
    totals = {"lines": 0, "bytes": 0, "mentioning": 0}
    debt = 0  # lines written beyond the plan so far; later modules absorb it
    for i, plan in enumerate(plans):
        target = max(MIN_LINES, plan.size - debt) if plan.size else 0
        text = render(rng, plan, target)
        data = text.encode("utf-8")
        path = out / plan.path
        if plan.is_package:
            path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        count = text.count("\n")
        debt += count - plan.size if plan.size else 0
        totals["lines"] += count
        totals["bytes"] += len(data)
        # Plain substring tests first: the word-bounded regex is slow on 97% misses.
        totals["mentioning"] += any(n in text for n in names) and bool(mentions.search(text))
        if progress and (i % 250 == 0 or i == len(plans) - 1):
            print(f"\rgenerate: {i + 1}/{len(plans)} modules", end="", file=sys.stderr)
    if progress:
        print(file=sys.stderr)
    (out / ".importlinter").write_text(policy_text, encoding="utf-8")
    # The tree's own flake8 configuration, as a real project has: flake8 looks for one upwards
    # from the working directory, and without it a tree inside this repository would get the
    # repository's (whose `ssot-config` names the example tree's policy, not this one's).
    (out / ".flake8").write_text(FLAKE8_CONFIG, encoding="utf-8")
    manifest = build_manifest(plans, modules, lines, seed, totals, mentions.pattern)
    (out / "MANIFEST.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def build_manifest(plans: list[Plan], modules: int, lines: int, seed: int, totals: dict,
                   pattern: str) -> dict:
    planted = {c: 0 for c in VIOLATIONS}
    negatives = {c: 0 for c in NEGATIVES}
    by_file = {}
    for plan in plans:
        if plan.snippets:
            by_file[plan.path] = [s.category for s in plan.snippets]
            for s in plan.snippets:
                table = planted if s.category in planted else negatives
                table[s.category] += 1
    return {
        "requested": {"modules": modules, "lines": lines, "seed": seed},
        "modules": len(plans),
        "packages": sum(p.kind == "package" for p in plans),
        "lines": totals["lines"],
        "bytes": totals["bytes"],
        "policy_name_pattern": pattern,
        "files_mentioning_policy_names": totals["mentioning"],
        "governed_files": sorted(p.path for p in plans if p.fixed),
        "planted_files": len(by_file),
        # Snippets planted per category; one snippet may trigger more than one rule
        # (e.g. importing from unified_manager is both non-canonical and deprecated).
        "planted_violations": planted,
        "planted_true_negatives": negatives,
        "planted_by_file": by_file,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--modules", type=int, default=10_000)
    parser.add_argument("--lines", type=int, default=4_000_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.modules < 40:
        parser.error("--modules must be at least 40 (the governed package alone needs 13)")
    tree = args.out_dir / ROOT
    if tree.exists():
        if not (args.out_dir / "MANIFEST.json").exists():
            parser.error(f"{tree} exists and was not written by this generator; refusing")
        shutil.rmtree(tree)  # a previous run's output: start clean so counts stay exact
    args.out_dir.mkdir(parents=True, exist_ok=True)
    manifest = generate(args.out_dir, args.modules, args.lines, args.seed)
    print(f"wrote {manifest['modules']} modules, {manifest['lines']} lines, "
          f"{manifest['bytes']} bytes to {args.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
