"""The adoption ratchet on the legacy tree: after one `ssot baseline` every front-end is green
(`lint-imports` with the boundary contracts and the ssot contract, `ssot check`, flake8), each new
break of any kind fails again, and a fixed break must leave the list."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import REPO, run

WSC = "netra_backend.app.websocket_core"
RECORDED = [
    "websocket-core-acyclic: ignore_imports: 3 broken import(s) recorded, 0 fixed one(s) removed (3 listed)",
    "websocket-core-layers: ignore_imports: 2 broken import(s) recorded, 0 fixed one(s) removed (2 listed)",
    "websocket-core-no-package-imports: ignore_imports: 6 broken import(s) recorded, 0 fixed one(s) "
    "removed (6 listed)",
    "websocket-core-registry-protected: ignore_imports: 1 broken import(s) recorded, 0 fixed one(s) "
    "removed (1 listed)",
    "websocket-core-building-blocks-independent: ignore_imports: 2 broken import(s) recorded, 0 fixed "
    "one(s) removed (2 listed)",
    "websocket-manager-ssot: baseline = ssot-baseline.json",
    "Recorded 85 findings of 50 files in ssot-baseline.json (85 entries in all).",
]


def lint_imports(tree: Path):
    return run("lint-imports", "--no-cache", "--no-logo", cwd=tree)


def contracts_line(result) -> str:
    return next(line for line in result.stdout.splitlines() if line.startswith("Contracts:"))


@pytest.fixture
def adopted(legacy_copy: Path) -> Path:
    before = lint_imports(legacy_copy)
    assert (before.returncode, contracts_line(before)) == (1, "Contracts: 0 kept, 6 broken.")
    result = run("ssot", "baseline", "--baseline", "ssot-baseline.json", cwd=legacy_copy)
    assert (result.returncode, result.stdout.splitlines(), result.stderr) == (0, RECORDED, "")
    return legacy_copy


def test_after_the_baseline_every_front_end_is_green(adopted):
    li = lint_imports(adopted)
    assert (li.returncode, contracts_line(li)) == (0, "Contracts: 6 kept, 0 broken.")
    layers = "websocket_core layering (routes on top, types at the bottom)"
    assert f"{layers} KEPT (2 ignored imports)" in li.stdout
    check = run("ssot", "check", "--no-cache", cwd=adopted)
    assert (check.returncode, check.stdout, check.stderr) == (0, "All checks passed!\n", "")
    flake8 = run("flake8", "--select", "SOT", ".", cwd=adopted)
    assert (flake8.returncode, flake8.stdout) == (0, "")
    everything = run("ssot", "check", "--no-cache", "--no-baseline", cwd=adopted)
    assert (everything.returncode, everything.stdout.splitlines()[-1]) == (1, "Found 85 errors.")


def test_the_config_gains_lines_and_loses_none(adopted):
    before = (REPO / "examples/legacy/.importlinter").read_text().splitlines(keepends=True)
    after = (adopted / ".importlinter").read_text().splitlines(keepends=True)
    remaining = iter(after)
    assert all(line in remaining for line in before)  # every line kept, in order
    start = after.index("name = websocket_core layering (routes on top, types at the bottom)\n")
    block = after[after.index("ignore_imports =\n", start):][:4]
    assert block == [
        "ignore_imports =\n",
        f"    {WSC}.connection_manager -> {WSC}.unified_manager\n",
        f"    {WSC}.protocols -> {WSC}.unified_manager\n",
        "unmatched_ignore_imports_alerting = error\n",
    ]
    ssot_start = after.index("[importlinter:contract:websocket-manager-ssot]\n")
    next_section = after.index("[importlinter:contract:websocket-core-acyclic]\n")
    assert ssot_start < after.index("baseline = ssot-baseline.json\n") < next_section


def test_a_second_baseline_changes_nothing(adopted):
    config = (adopted / ".importlinter").read_bytes()
    findings = (adopted / "ssot-baseline.json").read_bytes()
    again = run("ssot", "baseline", cwd=adopted)
    assert (again.returncode, again.stdout) == (
        0, "Recorded 85 findings of 50 files in ssot-baseline.json (85 entries in all).\n")
    assert (adopted / ".importlinter").read_bytes() == config
    assert (adopted / "ssot-baseline.json").read_bytes() == findings


def test_a_new_boundary_break_fails_every_front_end(adopted):
    new = adopted / "netra_backend/app/services/new_service.py"
    new.write_text("from netra_backend.app.websocket_core import WebSocketManager\n")
    li = lint_imports(adopted)
    # the ssot contract mirrors the boundary contracts (SOT005), so it breaks too
    assert (li.returncode, contracts_line(li)) == (1, "Contracts: 4 kept, 2 broken.")
    assert "Import websocket_core names from their modules, not from the package BROKEN" in li.stdout
    check = run("ssot", "check", "--no-cache", cwd=adopted)
    assert check.returncode == 1
    assert check.stdout.splitlines()[0] == (
        "netra_backend/app/services/new_service.py:1:1: SOT005 import of netra_backend.app."
        "websocket_core breaks the forbidden contract 'Import websocket_core names from their "
        "modules, not from the package': netra_backend.app.services.new_service must not import "
        "netra_backend.app.websocket_core")
    flake8 = run("flake8", "--select", "SOT005", ".", cwd=adopted)
    assert (flake8.returncode, flake8.stdout.count("SOT005")) == (1, 1)


def test_a_new_ssot_finding_fails_lint_imports_check_and_flake8(adopted):
    new = adopted / "netra_backend/app/services/new_service.py"
    new.write_text("from netra_backend.app.websocket_core.websocket_manager_factory import "
                   "create_websocket_manager\n")
    li = lint_imports(adopted)
    assert (li.returncode, contracts_line(li)) == (1, "Contracts: 5 kept, 1 broken.")
    assert "WebSocketManager has a single source of truth BROKEN" in li.stdout
    assert "-   l.1: SOT002 import of deprecated module" in li.stdout
    check = run("ssot", "check", "--no-cache", cwd=adopted)
    assert (check.returncode, check.stdout) == (1, (
        "netra_backend/app/services/new_service.py:1:72: SOT002 import of deprecated module "
        f"{WSC}.websocket_manager_factory; use {WSC}.websocket_manager\nFound 1 error.\n"))
    flake8 = run("flake8", "--select", "SOT", ".", cwd=adopted)
    assert (flake8.returncode, flake8.stdout.strip()) == (1, (
        "./netra_backend/app/services/new_service.py:1:72: SOT002 import of deprecated module "
        f"{WSC}.websocket_manager_factory; use {WSC}.websocket_manager"))


def test_a_fixed_break_must_leave_the_list(adopted):
    routes = adopted / "netra_backend/app/websocket_core/routes.py"
    text = routes.read_text()
    fixed = text.replace("from netra_backend.app.websocket_core import get_websocket_manager",
                         f"from {WSC}.websocket_manager import get_websocket_manager")
    assert fixed != text
    routes.write_text(fixed)
    li = lint_imports(adopted)
    assert li.returncode == 1
    assert f"No matches for ignored import {WSC}.routes -> {WSC}." in " ".join(li.stdout.split())
    again = run("ssot", "baseline", cwd=adopted)
    assert again.returncode == 0
    assert again.stdout.splitlines()[0] == (
        "websocket-core-no-package-imports: ignore_imports: 0 broken import(s) recorded, 1 fixed "
        "one(s) removed (5 listed)")
    assert f"    {WSC}.routes -> {WSC}\n" not in (adopted / ".importlinter").read_text()
    assert lint_imports(adopted).returncode == 0


def test_pyproject_contracts_are_edited_with_their_comments(tmp_path: Path):
    shutil.copytree(REPO / "examples/legacy/netra_backend", tmp_path / "netra_backend")
    (tmp_path / "pyproject.toml").write_text(
        "[project]\nname = 'x'  # ours\n\n"
        "[tool.importlinter]\nroot_package = 'netra_backend'\n"
        "contract_types = ['ssot: ssot_flake8.contracts.SsotContract']\n\n"
        "[[tool.importlinter.contracts]]\nid = 'ssot'\nname = 'One manager'\ntype = 'ssot'\n"
        f"canonical = ['{WSC}.websocket_manager.WebSocketManager']  # the one home\n\n"
        "# the package is not an API\n"
        "[[tool.importlinter.contracts]]\nid = 'no-package'\nname = 'No package imports'\n"
        "type = 'forbidden'\nsource_modules = ['netra_backend.app.services.*']\n"
        f"forbidden_modules = ['{WSC}']\nas_packages = false  # the package only\n")
    result = run("ssot", "baseline", "--baseline", "b.json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == (
        "no-package: ignore_imports: 2 broken import(s) recorded, 0 fixed one(s) removed (2 listed)")
    assert (tmp_path / "pyproject.toml").read_text() == (
        "[project]\nname = 'x'  # ours\n\n"
        "[tool.importlinter]\nroot_package = 'netra_backend'\n"
        "contract_types = ['ssot: ssot_flake8.contracts.SsotContract']\n\n"
        "[[tool.importlinter.contracts]]\nid = 'ssot'\nname = 'One manager'\ntype = 'ssot'\n"
        f"canonical = ['{WSC}.websocket_manager.WebSocketManager']  # the one home\n"
        'baseline = "b.json"\n\n'
        "# the package is not an API\n"
        "[[tool.importlinter.contracts]]\nid = 'no-package'\nname = 'No package imports'\n"
        "type = 'forbidden'\nsource_modules = ['netra_backend.app.services.*']\n"
        f"forbidden_modules = ['{WSC}']\nas_packages = false  # the package only\n"
        "ignore_imports = [\n"
        f'    "netra_backend.app.services.agent_service -> {WSC}",\n'
        f'    "netra_backend.app.services.session_service -> {WSC}",\n'
        "]\n"
        'unmatched_ignore_imports_alerting = "error"\n')
    li = lint_imports(tmp_path)
    assert (li.returncode, contracts_line(li)) == (0, "Contracts: 2 kept, 0 broken.")


def test_no_write_config_leaves_the_config_alone(legacy_copy: Path):
    config = (legacy_copy / ".importlinter").read_bytes()
    result = run("ssot", "baseline", "--baseline", "b.json", "--no-write-config", cwd=legacy_copy)
    assert (result.returncode, result.stdout) == (
        0, "Recorded 92 findings of 50 files in b.json (92 entries in all).\n")
    assert (legacy_copy / ".importlinter").read_bytes() == config


def test_without_a_file_named_anywhere_baseline_is_a_usage_error(legacy_copy: Path):
    result = run("ssot", "baseline", cwd=legacy_copy)
    assert (result.returncode, result.stderr) == (2, (
        "ssot: error: baseline: give --baseline FILE, or name it in the ssot contract "
        "(`baseline = ssot-baseline.json`)\n"))


def test_a_file_that_does_not_parse_is_read_past_and_named(legacy_copy: Path):
    # grimp (and plain lint-imports) stop at such a file; the ratchet reads its imports anyway,
    # as `ssot lint-imports` does, so the recorded list is the one that command checks.
    (legacy_copy / "netra_backend/app/services/broken.py").write_text(
        "from netra_backend.app.websocket_core import WebSocketManager\ndef f(:\n")
    result = run("ssot", "baseline", "--baseline", "b.json", cwd=legacy_copy)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[0] == (
        "ssot baseline: warning: netra_backend/app/services/broken.py:2: SyntaxError: invalid "
        "syntax; its imports were read past the error")
    config = (legacy_copy / ".importlinter").read_text()
    assert "netra_backend.app.services.broken -> netra_backend.app.websocket_core" in config
    lint = run("ssot", "lint-imports", "--no-cache", "--no-logo", cwd=legacy_copy)
    assert lint.returncode == 0 and "0 broken" in lint.stdout, lint.stdout
