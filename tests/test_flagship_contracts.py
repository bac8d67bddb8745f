"""The flagship `.importlinter` through real `lint-imports`: every contract breaks on the legacy
tree, with the exact modules and lines, and every contract is kept on the remediated tree, which
carries the same file byte for byte.

import-linter's own contracts print chains; COLUMNS keeps rich from wrapping them, so each
chain link is one line here as it is in a wide CI log.
"""

from __future__ import annotations

import configparser
import os
import re

import pytest
from conftest import LEGACY, REMEDIATED, REPO, run

GOLDEN = REPO / "tests" / "golden" / "legacy_findings.txt"
CORE = "netra_backend.app.websocket_core"
NAMES = {
    "ssot": "WebSocketManager has a single source of truth",
    "acyclic": "websocket_core has no import cycles",
    "layers": "websocket_core layering (routes on top, types at the bottom)",
    "package": "Import websocket_core names from their modules, not from the package",
    "protected": "Only websocket_manager imports connection_manager (the registry)",
    "independence": "the connection registry and the manager protocols are independent",
}


def lint_imports(cwd, *arguments: str):
    env = {**os.environ, "COLUMNS": "300"}
    return run("lint-imports", "--no-cache", "--no-logo", *arguments, cwd=cwd, env=env)


@pytest.fixture(scope="module")
def legacy():
    result = lint_imports(LEGACY)
    assert result.returncode == 1
    return result.stdout


def sections(stdout: str) -> dict[str, str]:
    """The "Broken contracts" part of the report, split per contract heading."""
    lines = stdout.split("Broken contracts\n----------------\n", 1)[1].splitlines()
    found: dict[str, list[str]] = {}
    current = None
    for line, underline in zip(lines, [*lines[1:], ""], strict=True):
        if line and underline == "-" * len(line):
            current = found.setdefault(line, [])
        elif current is not None and set(line) != {"-"}:
            current.append(line)
    return {name: "\n".join(body).strip() + "\n" for name, body in found.items()}


def test_every_flagship_contract_breaks_on_legacy(legacy):
    for name in NAMES.values():
        assert f"{name} BROKEN" in legacy
    assert "Contracts: 0 kept, 6 broken." in legacy
    assert set(sections(legacy)) == set(NAMES.values())


def test_every_contract_is_kept_on_remediated():
    result = lint_imports(REMEDIATED)
    assert result.returncode == 0, result.stdout
    for name in NAMES.values():
        assert f"{name} KEPT" in result.stdout
    assert "Contracts: 6 kept, 0 broken." in result.stdout
    assert "Warnings" not in result.stdout


def test_ssot_contract_lists_the_engine_findings_per_module_and_line(legacy):
    """The same findings as flake8 (the golden file) minus the mirror's SOT005, grouped per
    module under its file, each with its line and the fix, one line each."""
    expected: list[str] = []
    last = None
    for line in GOLDEN.read_text().splitlines():
        path, number, _, rest = line.split(":", 3)
        if rest.startswith(" SOT005"):
            continue
        module = module_of(path)
        if module != last:
            expected += ["", f"{module} ({path}):", ""] if last else [f"{module} ({path}):", ""]
            last = module
        expected.append(f"-   l.{number}:{rest}")
    expected += ["", "`ssot fix` rewrites the SOT001, SOT002 imports to the canonical ones."]
    assert sections(legacy)[NAMES["ssot"]] == "\n".join(expected) + "\n"


def test_acyclic_contract_lists_the_eight_cycles(legacy):
    text = sections(legacy)[NAMES["acyclic"]]
    assert text.startswith(f"{CORE} has 8 import cycles:\n\n1. canonical_imports -> migration_adapter")
    chains = re.findall(r"^\d\. (.*)$", text, re.MULTILINE)
    assert """\
7. protocols -> unified_manager -> ssot_validation_enhancer -> websocket_manager -> protocols
   -   protocols -> unified_manager (l.9)
       unified_manager -> ssot_validation_enhancer (l.11)
       ssot_validation_enhancer -> websocket_manager (l.13)
       websocket_manager -> protocols (l.19)
""" in text
    assert len(chains) == 8


def chain_block(lines: list[str], bullet: str = "- ") -> str:
    first, *rest = (f"{CORE}.{line}" for line in lines)
    indent = " " * len(bullet)
    return "\n".join([bullet + first, *(indent + link for link in rest)])


def test_layers_contract_reports_chains_up(legacy):
    text = sections(legacy)[NAMES["layers"]]
    assert f"{CORE}.protocols is not allowed to import {CORE}.websocket_manager:" in text
    assert chain_block([
        "protocols -> netra_backend.app.websocket_core.unified_manager (l.9)",
        "unified_manager -> netra_backend.app.websocket_core.ssot_validation_enhancer (l.11)",
        "ssot_validation_enhancer -> netra_backend.app.websocket_core.websocket_manager (l.13)",
    ]) in text
    assert f"{CORE}.connection_manager is not allowed to import {CORE}.websocket_manager:" in text
    assert f"{CORE}.protocols is not allowed to import {CORE}.connection_info:" in text
    assert f"{CORE}.protocols is not allowed to import {CORE}.connection_manager:" in text
    # Not exhaustive (the real package has 58-92 modules): no list of unlisted modules.
    assert "not listed as layers" not in text


def test_package_import_contract(legacy):
    text = sections(legacy)[NAMES["package"]]
    direct = re.findall(r"^-   (.*)$", text, re.MULTILINE)
    assert sorted(direct) == [
        f"netra_backend.app.services.agent_service -> {CORE} (l.7)",
        f"netra_backend.app.services.session_service -> {CORE} (l.8)",
        f"netra_backend.app.websocket -> {CORE} (l.3)",
        f"{CORE}.routes -> {CORE} (l.7)",
        f"netra_backend.tests.e2e.thread_test_fixtures -> {CORE} (l.25)",
        f"netra_backend.tests.mission_critical.test_websocket_singleton_vulnerability -> {CORE} (l.5)",
    ]


def test_protected_and_independence_contracts(legacy):
    assert sections(legacy)[NAMES["protected"]] == (
        f"Illegal imports of protected package {CORE}.connection_manager:\n\n"
        f"- {CORE}.unified_manager -> {CORE}.connection_manager (l.13)\n"
    )
    text = sections(legacy)[NAMES["independence"]]
    assert f"{CORE}.protocols is not allowed to import {CORE}.connection_manager:" in text
    assert f"{CORE}.connection_manager is not allowed to import {CORE}.protocols:" in text
    assert chain_block([
        "connection_manager -> netra_backend.app.websocket_core.unified_manager (l.8)",
        "unified_manager -> netra_backend.app.websocket_core.ssot_validation_enhancer (l.11)",
        "ssot_validation_enhancer -> netra_backend.app.websocket_core.websocket_manager (l.13)",
        "websocket_manager -> netra_backend.app.websocket_core.protocols (l.19)",
    ]) in text


def direct_imports(text: str) -> set[tuple[str, int]]:
    """(importer, line) of every one-link chain in a forbidden/protected contract's report."""
    lines = text.splitlines()
    found = set()
    for line, following in zip(lines, [*lines[1:], ""], strict=True):
        match = re.match(r"^-\s+(\S+) -> \S+ \(l\.(\d+)\)$", line)
        if match and not following.startswith("    "):
            found.add((match.group(1), int(match.group(2))))
    return found


@pytest.mark.parametrize("key", ["package", "protected"])
def test_the_editor_mirror_reports_exactly_the_direct_imports(legacy, key):
    mirrored = set()
    for line in GOLDEN.read_text().splitlines():
        path, number, _, rest = line.split(":", 3)
        if rest.startswith(" SOT005") and f"'{NAMES[key]}'" in rest:
            mirrored.add((module_of(path), int(number)))
    assert mirrored == direct_imports(sections(legacy)[NAMES[key]])
    assert mirrored


def module_of(path: str) -> str:
    return path.removesuffix(".py").removesuffix("/__init__").replace("/", ".")


def read(path) -> dict[str, dict[str, str]]:
    parser = configparser.ConfigParser()
    parser.read(path)
    return {name: dict(parser[name]) for name in parser.sections()}


def test_one_policy_file_for_both_trees():
    """No contract names a module the migration deletes, so the same file loads before and after."""
    flagship = (REPO / ".importlinter").read_bytes()
    assert (REMEDIATED / ".importlinter").read_bytes() == flagship
    assert "websocket_manager_factory" not in "".join(
        body for name, section in read(REPO / ".importlinter").items() if name.endswith("-layers")
        or "forbidden" in section.get("type", "") or "independence" in section.get("type", "")
        or "protected" in section.get("type", "") for body in section.values())


def test_a_deleted_module_is_still_banned_by_the_ssot_contract(remediated_copy):
    """After the deletion, the ssot contract (deprecated_modules) still catches an import of the
    old module: the 172 imports of the deleted websocket_manager_factory in the seeds."""
    path = remediated_copy / "netra_backend" / "app" / "services" / "stale.py"
    path.write_text(
        "try:\n"
        "    from netra_backend.app.websocket_core.websocket_manager_factory import (\n"
        "        create_websocket_manager)\n"
        "except ImportError:\n"
        "    create_websocket_manager = None\n"
    )
    result = lint_imports(remediated_copy)
    assert result.returncode == 1
    assert f"{NAMES['ssot']} BROKEN" in result.stdout
    assert (
        "-   l.3: SOT002 import of deprecated module netra_backend.app.websocket_core."
        "websocket_manager_factory; use netra_backend.app.websocket_core.websocket_manager"
    ) in result.stdout
