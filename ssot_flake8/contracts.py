"""The import-linter front-end: two contract types, so one `lint-imports` run enforces the
boundaries, the SSOT rules and the ban on cycles together.

Register them in the config:

    contract_types =
        ssot: ssot_flake8.contracts.SsotContract
        acyclic: ssot_flake8.contracts.AcyclicContract

Broken contracts render like import-linter's own (module, line, what to do instead), without
rich's hard wrapping, so a long module path stays on one greppable line.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import click
from importlinter import Contract, ContractCheck, fields, output
from importlinter.application import contract_utils
from importlinter.application.contract_utils import AlertLevel
from importlinter.application.rendering import format_duration
from importlinter.configuration import settings
from importlinter.domain.helpers import MissingImport
from rich.text import Text

from ssot_flake8.analysis.cycles import Cycle, find_cycles, graph_edges
from ssot_flake8.analysis.index import expand_policy, tree_files
from ssot_flake8.policy.boundaries import BoundaryError, parse_boundaries
from ssot_flake8.policy.config import build_policy, find_config, read_raw_config
from ssot_flake8.policy.model import (
    CONTRACT_CLASS,
    LIST_FIELDS,
    STRING_FIELDS,
    Policy,
    PolicyError,
)
from ssot_flake8.rules import rule
from ssot_flake8.services.baseline import Baseline, BaselineError
from ssot_flake8.services.cache import Cache, fingerprint
from ssot_flake8.services.memo import RunMemo
from ssot_flake8.services.runner import check_files


def _print_lines(lines: list[tuple[str, str | None]]) -> None:
    """Lines of (text, colour) in import-linter's colours, never hard-wrapped (rich wraps at 80
    when piped); in one call, as rich costs ~0.1 ms a call and a broken contract on a large
    tree lists thousands of findings."""
    if lines:
        text = Text("\n").join(Text(line, style=color or "") for line, color in lines)
        output.console.print(text, soft_wrap=True)


class SsotContract(Contract):
    """Per-symbol single-source-of-truth rules, checked over the modules of import-linter's graph."""

    canonical = fields.ListField(subfield=fields.StringField())
    old_names = fields.ListField(subfield=fields.StringField(), required=False)
    deprecated_modules = fields.ListField(subfield=fields.StringField(), required=False)
    banned_calls = fields.ListField(subfield=fields.StringField(), required=False)
    required_arguments = fields.ListField(subfield=fields.StringField(), required=False)
    exempt_modules = fields.ListField(subfield=fields.StringField(), required=False)
    type_checking_imports = fields.StringField(required=False, default="report")
    # import-linter's own options, with its semantics: an `importer -> imported` expression
    # (wildcards allowed) silences the import rules (SOT001-SOT003) for that import.
    ignore_imports = fields.SetField(subfield=fields.ImportExpressionField(), required=False)
    unmatched_ignore_imports_alerting = fields.EnumField(AlertLevel, default=AlertLevel.ERROR)
    broken_contract_guidance = fields.TextField(required=False)
    baseline = fields.StringField(required=False)  # accepted findings, written by `ssot baseline`

    def policy(self) -> Policy:
        options = {"id": self.name, "name": self.name, "type": "ssot"}
        known = (*LIST_FIELDS, *STRING_FIELDS)
        options.update({k: v for k, v in self.contract_options.items() if k in known})
        session = dict(self.session_options)
        session["contract_types"] = [f"ssot: {CONTRACT_CLASS}"]
        search_dirs = [Path(entry or ".") for entry in sys.path]
        policy = build_policy(Path("import-linter configuration"), session, [options], search_dirs)
        config = _config_of(self.name)
        if policy.baseline is not None and config is not None:  # relative to the config file
            policy.baseline = (config.parent / str(options["baseline"]).strip()).resolve()
        return policy

    def check(self, graph, verbose: bool) -> ContractCheck:
        try:
            policy = self.policy()
            baseline = Baseline.load(policy.baseline) if policy.baseline else None
            with settings.TIMER as timer:
                findings, checked = self.run_engine(policy, graph, verbose, baseline)
        except (PolicyError, BaselineError) as error:
            return ContractCheck(kept=False, metadata={"error": str(error), "findings": []})
        duration = format_duration(timer.duration_in_ms)
        output.verbose_print(verbose, f"Ran the SSOT rules over {checked} modules in {duration}.")
        ignored, warnings = self.ignored_imports(graph)
        warnings += sibling_warnings(self.name)
        if not checked:
            root = ", ".join(str(r) for r in policy.source_roots)
            warnings.append(
                f"checked nothing: each module of the graph is exempt or has no file under {root}"
            )
        return ContractCheck(
            kept=not findings,
            warnings=warnings,
            ignored_import_count=ignored,
            metadata={"findings": findings},
        )

    def run_engine(self, policy: Policy, graph, verbose: bool,
                   baseline: Baseline | None = None) -> tuple[list, int]:
        """The runner `ssot check` uses: its pre-filter, `# noqa`, worker processes, its run
        memo and a cache in import-linter's cache directory (off with `--no-cache`, moved with
        `--cache-dir`), and the policy's baseline (findings recorded there keep the contract)."""
        tree = tree_files(policy)
        files = {}  # module -> its file, the first found (`a.py` before `a/__init__.py`)
        for path, module, _ in tree:
            if path.endswith(".py"):
                files.setdefault(module, path)
        modules: dict[str, str] = {}  # file -> module
        for module in sorted(graph.modules):
            if module in files and not policy.is_exempt(module):
                output.verbose_print(verbose, f"Checking {module}...")
                modules[files[module]] = module
        directory = _cache_dir()
        memo = directory and RunMemo.for_run(policy, list(modules), f"contract-{self.name}",
                                             directory, [path for path, _, _ in tree])
        reported = memo.load() if memo else None
        if reported is None:
            expand_policy(policy)
            cache = _cache(policy, self.name, directory)
            reported = check_files(list(modules), policy, cache)
            if cache is not None:
                cache.save()
            if memo:
                memo.save(reported)
        if baseline is not None:
            reported = baseline.new_findings(reported)
        return [(modules[r.finding.path], r.finding) for r in reported], len(modules)

    def ignored_imports(self, graph) -> tuple[int, list[str]]:
        """How many of the graph's imports `ignore_imports` matches, and import-linter's alerting
        for an expression that matches none. Matched in the graph, as import-linter matches them:
        the same answer whether the findings came from the cache, a worker or this process."""
        count, messages = 0, []
        for expression in sorted(self.ignore_imports or (), key=str):
            matched = graph.find_matching_direct_imports(import_expression=str(expression))
            count += len(matched)
            if not matched:
                messages.append(f"No matches for ignored import {expression}.")
        level = self.unmatched_ignore_imports_alerting
        if not messages or level is AlertLevel.NONE:
            return count, []
        if level is AlertLevel.ERROR:
            raise MissingImport("\n".join(messages))
        return count, messages

    def render_broken_contract(self, check: ContractCheck) -> None:
        if check.metadata.get("error"):
            _print_lines([(check.metadata["error"], "red"), ("", None)])
            return
        by_module: dict[str, list] = {}
        for module, finding in check.metadata["findings"]:
            by_module.setdefault(module, []).append(finding)
        lines: list[tuple[str, str | None]] = []
        for module, findings in by_module.items():
            lines += [(f"{module} ({_relative(findings[0].path)}):", None), ("", None)]
            lines += [(f"-   l.{f.line}: {f.code} {f.message}", "red") for f in findings]
            lines.append(("", None))
        fixable = sorted({f.code for _, f in check.metadata["findings"] if rule(f.code).fixable})
        if fixable:
            lines += [(f"`ssot fix` rewrites the {', '.join(fixable)} imports to the canonical ones.",
                       None), ("", None)]
        _print_lines(lines)
        contract_utils.render_broken_contract_guidance(self.broken_contract_guidance)


def _relative(path: str) -> str:
    try:
        return str(Path(path).relative_to(Path.cwd()))
    except ValueError:
        return path


def sibling_warnings(contract: str) -> list[str]:
    """Warnings about the config's other contracts that check nothing (a `forbidden` contract
    whose source modules contain its forbidden modules is skipped silently by import-linter)."""
    try:
        session, contracts = read_raw_config(_config_of(contract) or find_config(Path.cwd()))
        return list(parse_boundaries(session, contracts, lambda name: True).warnings)
    except (PolicyError, BoundaryError):
        return []


def _config_of(contract: str) -> Path | None:
    """The config file that declares `contract`, as lint-imports was given it: a contract only
    sees its own options. None when none was named (lint-imports then found it in the working
    directory). Of several files, the first that names the contract."""
    params = _command_line()
    named = [*(params.get("config_files") or ()), params.get("config")]
    paths = [Path(name) for name in named if name]
    for path in paths:
        try:
            _, contracts = read_raw_config(path)
        except PolicyError:
            continue
        if any(options.get("name") == contract for options in contracts):
            return path
    return paths[0] if paths else None


def _command_line() -> dict:
    """The options of the running lint-imports (or `import-linter lint`, or `ssot lint-imports`)
    command, from click's context: import-linter does not hand them to a contract."""
    context = click.get_current_context(silent=True)
    return dict(context.params) if context is not None else {}


def _cache_dir() -> Path | None:
    """import-linter's cache directory, as the command line moves or switches it off."""
    params = _command_line()
    if params.get("no_cache"):
        return None
    return Path(params.get("cache_dir") or settings.DEFAULT_CACHE_DIR)


def _cache(policy: Policy, contract: str, directory: Path | None) -> Cache | None:
    """The contract's findings cache, beside import-linter's graph cache and switched like it;
    one file per contract, so two ssot contracts do not evict each other."""
    if directory is None:
        return None
    name = hashlib.blake2b(contract.encode(), digest_size=6).hexdigest()
    cache = Cache(directory / f"ssot-contract-v1-{name}.json", fingerprint(policy))
    cache.load()
    return cache


class AcyclicContract(Contract):
    """No import cycles inside each of `packages`; every cycle is listed as a chain with lines."""

    packages = fields.ListField(subfield=fields.ModuleField())
    ignore_imports = fields.SetField(subfield=fields.ImportExpressionField(), required=False)
    unmatched_ignore_imports_alerting = fields.EnumField(AlertLevel, default=AlertLevel.ERROR)
    broken_contract_guidance = fields.TextField(required=False)

    def check(self, graph, verbose: bool) -> ContractCheck:
        removal = contract_utils.remove_ignored_imports_and_report(
            graph=graph,
            ignore_imports=self.ignore_imports,
            unmatched_alerting=self.unmatched_ignore_imports_alerting,
        )
        warnings = list(removal.warnings)
        cycles: dict[str, list[Cycle]] = {}
        for package in (module.name for module in self.packages):
            if package not in graph.modules:
                raise ValueError(f"Module '{package}' does not exist.")
            if not graph.find_children(package):
                warnings.append(f"{package} has no submodules: there is nothing to check")
            output.verbose_print(verbose, f"Searching for import cycles in {package}...")
            with settings.TIMER as timer:
                found = find_cycles(graph_edges(graph, package), package)
            duration = format_duration(timer.duration_in_ms)
            output.verbose_print(verbose, f"Found {len(found)} cycles in {duration}.")
            if found:
                cycles[package] = found
        return ContractCheck(
            kept=not cycles,
            warnings=warnings,
            ignored_import_count=removal.ignored_import_count,
            metadata={"cycles": cycles},
        )

    def render_broken_contract(self, check: ContractCheck) -> None:
        lines: list[tuple[str, str | None]] = []
        for package, cycles in check.metadata["cycles"].items():
            plural = "s" if len(cycles) != 1 else ""
            lines += [(f"{package} has {len(cycles)} import cycle{plural}:", None), ("", None)]
            for number, cycle in enumerate(cycles, start=1):
                lines.append((f"{number}. {cycle.chain(package)}", "red"))
                for index, step in enumerate(cycle.step_lines(package)):
                    lines.append((f"   {'-   ' if index == 0 else '    '}{step}", "red"))
                lines.append(("", None))
        _print_lines(lines)
        contract_utils.render_broken_contract_guidance(self.broken_contract_guidance)
