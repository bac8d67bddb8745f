"""The one analysis engine: bytes in, findings out. It decodes and parses a module with `ast`,
runs the shared walk (`analysis.walk`), which calls the rules, and applies the exemptions and
`ignore_imports`. It never imports or executes the code it checks.

Front-ends call `check_source` (bytes in, findings out) or `check_tree` (an already parsed tree).
"""

from __future__ import annotations

import ast
from pathlib import Path

from ssot_flake8.analysis.prefilter import could_match
from ssot_flake8.analysis.pruning import pruned
from ssot_flake8.analysis.walk import ModuleWalk, SymbolImport
from ssot_flake8.policy.model import Policy, module_name
from ssot_flake8.rules.files import unparsable
from ssot_flake8.rules.imports import FALLBACK_CODES, IMPORT_CODES
from ssot_flake8.source.fallback import import_statements
from ssot_flake8.source.lines import source_lines
from ssot_flake8.source.text import Finding, SourceError, decode_as_flake8, parse, without_cycle_collection


@without_cycle_collection  # the tree is freed before the collector is back on
def check_source(
    data: bytes, path: str, policy: Policy, *, prefilter: bool = True,
    imports: list[SymbolImport] | None = None,
) -> list[Finding]:
    """All findings for one file's bytes. A file that cannot be analysed gives one SOT000.

    `imports`, when given, also receives every import of a registered symbol (for `ssot audit`).
    """
    if prefilter and not could_match(data, policy, path):
        return []
    try:
        text, not_utf8 = decode_as_flake8(data)
    except SourceError as error:
        return [unparsable(error, path)]
    first = [unparsable(not_utf8, path)] if not_utf8 else []
    try:
        tree = parse(text, path)
    except SourceError as error:  # the syntax error once, and the file's imports all the same
        return sorted([*first, unparsable(error, path), *check_imports_only(text, path, policy)])
    # Columns are counted on the decoded text that was parsed (no BOM, declared encoding).
    return sorted([*first, *check_tree(tree, path, policy, source_lines(text), imports=imports)])


def check_imports_only(text: str, path: str, policy: Policy) -> list[Finding]:
    """The import rules on the import statements of a file that does not parse."""
    tree = ast.Module(body=import_statements(text), type_ignores=[])
    findings = check_tree(tree, path, policy, source_lines(text))
    return [finding for finding in findings if finding.code in FALLBACK_CODES]


def check_file(
    path: Path | str, policy: Policy, *, imports: list[SymbolImport] | None = None
) -> list[Finding]:
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        return [unparsable(SourceError(f"cannot read: {error.strerror}"), str(path))]
    return check_source(data, str(path), policy, imports=imports)


def check_tree(
    tree: ast.Module, path: str, policy: Policy, lines: list[str], *,
    imports: list[SymbolImport] | None = None,
) -> list[Finding]:
    module, is_package = module_name(Path(path), policy)
    exempt = policy.is_exempt(module)
    if exempt and not policy.boundaries.contracts:
        return []
    walk = ModuleWalk(policy, module, is_package, path, lines)
    walk.ssot_rules = not exempt
    try:
        walk.run(pruned(tree, lines, policy, walk.facts))
    except RecursionError:
        return [unparsable(SourceError("too deeply nested to analyse"), path)]
    if imports is not None:
        imports.extend(walk.symbol_imports)
    findings = set(walk.findings)
    if exempt:  # exempt from the SSOT rules, not from the boundary contracts
        findings = {f for f in findings if f.code == "SOT005"}
    if policy.import_ignores:
        findings = {
            f for f in findings
            if f.code not in IMPORT_CODES or not policy.ignores_import(module, f.subject)
        }
    return sorted(findings)
