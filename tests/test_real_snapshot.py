"""Opt-in checks on the real netra-apex code: every front-end, the bundled policy unchanged.

    NETRA_SNAPSHOT=/path/0910:/path/0914:/path/0918 bash scripts/test.sh tests/test_real_snapshot.py

Each path is a snapshot export holding `netra_backend/` (see ../shared/real-code/README.md).
Without the variable every test here is skipped, saying so. The snapshot is never written: each
check runs in a temporary folder with a symlink to it and a copy of the repo's `.importlinter`;
the adoption test works on a copy of `netra_backend/`.

The counts are checked against scripts/count_real.py, an independent scan that shares no code
with the engine (plain `ast`, no index): every deprecated import it finds must carry SOT001,
SOT002 or SOT003 within its lines, and every banned singleton call SOT101 at its line. The engine
finds more (relative imports, re-exports, aliases), so the script gives lower bounds with
locations. The front-ends are then checked against each other: flake8 gives the findings of
`ssot check` on the files it is given, `ssot audit` counts what `ssot check` finds, and
`ssot lint-imports` gives the verdicts of import-linter's own `lint-imports` where grimp can
build the graph.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import REPO, run

sys.path.insert(0, str(REPO / "scripts"))
import count_real  # scripts, not a package: imported from their folder
from real_figures import link_tree

SNAPSHOTS = [Path(p) for p in os.environ.get("NETRA_SNAPSHOT", "").split(os.pathsep) if p]
WEBSOCKET_CORE = "netra_backend/app/websocket_core"

pytestmark = pytest.mark.skipif(
    not SNAPSHOTS,
    reason="real-code checks are opt-in: set NETRA_SNAPSHOT=<snapshot dir>[:<dir>...] "
    "(a netra-apex export holding netra_backend/, see ../shared/real-code/README.md)",
)


def tool(tree: Path, *argv: str):
    """Run a front-end in tree; it may report, never crash."""
    result = run(*argv, cwd=tree)
    assert "Traceback" not in result.stdout + result.stderr, result.stdout + result.stderr
    return result


@pytest.fixture(scope="module", params=SNAPSHOTS, ids=[p.name for p in SNAPSHOTS])
def tree(request, tmp_path_factory) -> Path:
    snapshot = request.param.resolve()
    if not (snapshot / "netra_backend").is_dir():
        pytest.fail(f"NETRA_SNAPSHOT entry {snapshot} holds no netra_backend/")
    return link_tree(snapshot, tmp_path_factory.mktemp(snapshot.name) / "tree")


@pytest.fixture(scope="module")
def findings(tree: Path) -> list[dict]:
    # The fixer's edits for ~2,000 findings take minutes; the adoption tests below get them.
    result = tool(tree, "ssot", "check", "--output-format", "json", "--no-fix-edits", "netra_backend")
    assert result.returncode == 1, result.stderr
    return json.loads(result.stdout)


def located(tree: Path, rows: list[dict]) -> set[tuple[str, int, int, str]]:
    """(path relative to the tree, line, column, code) of each finding."""
    out = set()
    for row in rows:
        path = Path(row["filename"])
        path = path.relative_to(tree) if path.is_absolute() else path
        out.add((path.as_posix(), row["location"]["row"], row["location"]["column"], row["code"]))
    return out


def test_ssot_check_finds_every_location_the_independent_count_finds(tree, findings):
    independent = count_real.scan(tree, tree / ".importlinter")
    lines_by = {}
    for path, line, _column, code in located(tree, findings):
        lines_by.setdefault((path, code), set()).add(line)

    missed_imports = [
        (path, span) for path, spans in independent["deprecated_imports"].items() for span in spans
        if not any(lines_by.get((path, code), set()) & set(range(span[0], span[1] + 1))
                   for code in ("SOT001", "SOT002", "SOT003"))
    ]
    missed_calls = [
        (path, line) for path, lines in independent["singleton_calls"].items() for line in lines
        if line not in lines_by.get((path, "SOT101"), set())
    ]
    assert missed_imports == [] and missed_calls == []

    codes = Counter(row["code"] for row in findings)
    deprecated = sum(map(len, independent["deprecated_imports"].values()))
    calls = sum(map(len, independent["singleton_calls"].values()))
    assert codes["SOT001"] + codes["SOT002"] + codes["SOT003"] >= deprecated > 0
    assert codes["SOT101"] >= calls > 0
    # Every SOT000 is a file that really does not parse here.
    assert codes["SOT000"] <= independent["unparsable"]


def test_flake8_gives_the_findings_of_ssot_check(tree, findings):
    result = tool(tree, "flake8", "--select", "SOT", "--ssot-config", ".importlinter", WEBSOCKET_CORE)
    assert result.returncode == 1, result.stderr
    reported = set()
    for line in result.stdout.splitlines():
        path, row, column, rest = line.split(":", 3)
        reported.add((path, int(row), int(column), rest.split()[0]))
    expected = {f for f in located(tree, findings) if f[0].startswith(WEBSOCKET_CORE + "/")}
    assert reported == expected and expected


def test_audit_counts_what_check_finds(tree, findings):
    result = tool(tree, "ssot", "audit", "--output-format", "json", "netra_backend")
    assert result.returncode == 0, result.stderr
    categories = json.loads(result.stdout)["categories"]
    codes = Counter(row["code"] for row in findings)
    assert categories["singleton_accessor_calls"]["count"] == codes["SOT101"]
    assert categories["missing_isolation_argument"]["count"] == codes["SOT103"]
    assert categories["duplicate_implementations"]["count"] == codes["SOT205"]
    assert categories["boundary_breaks"]["count"] == codes["SOT005"]
    assert categories["stale_imports"]["count"] == codes["SOT004"]
    deprecated = categories["deprecated_usage"]["kinds"]
    assert deprecated["imports"] + deprecated["dynamic_imports"] == codes["SOT002"] + codes["SOT003"]
    assert deprecated["factory_calls"] == codes["SOT102"]
    assert categories["circular_imports"]["count"] > 0


def verdicts(output: str) -> tuple[list[str], Counter]:
    """(each contract's KEPT/BROKEN line, the illegal imports reported), chain order aside."""
    lines = [line for line in output.splitlines() if line.endswith((" KEPT", " BROKEN"))]
    pairs = re.findall(r"^(\S+) is not allowed to import \n?(\S+):", output, re.M)
    return lines, Counter(pairs)


def test_lint_imports_runs_every_contract(tree):
    ours = tool(tree, "ssot", "lint-imports", ".importlinter", "--no-cache", "--no-logo")
    assert ours.returncode == 1, ours.stdout + ours.stderr
    kept_and_broken = verdicts(ours.stdout)[0]
    assert len(kept_and_broken) == 6 and "Contracts: " in ours.stdout

    theirs = tool(tree, "lint-imports", ".importlinter", "--no-cache", "--no-logo")
    if "SyntaxError" in theirs.stdout + theirs.stderr or "Syntax error" in theirs.stdout + theirs.stderr:
        # grimp stops at the first file it cannot parse: the case `ssot lint-imports` exists for.
        assert "Contracts: " not in theirs.stdout
    else:
        assert theirs.returncode == ours.returncode
        assert verdicts(theirs.stdout) == verdicts(ours.stdout)


def new_violations(tree: Path) -> dict[str, tuple[str, str, set[tuple[int, str]]]]:
    """kind -> (new file, its source, the (line, code) findings it must get)."""
    core = "netra_backend.app.websocket_core"
    home = next(m for m in ("websocket_manager", "unified_manager") if re.search(
        r"^(async )?def get_websocket_manager\b", (tree / WEBSOCKET_CORE / f"{m}.py").read_text(), re.M))
    services = "netra_backend/app/services"
    return {
        "deprecated import": (
            f"{services}/zz_new_deprecated.py",
            f"import {core}.unified_manager as legacy\n\n\n"
            "def is_legacy(obj):\n    return isinstance(obj, legacy.UnifiedWebSocketManager)\n",
            {(1, "SOT002"), (5, "SOT001")},
        ),
        "package import": (
            f"{services}/zz_new_package.py",
            f"from {core} import WebSocketManager\n\n\n"
            "def is_manager(obj):\n    return isinstance(obj, WebSocketManager)\n",
            {(1, "SOT005"), (1, "SOT001")},
        ),
        # The getter's home moved between the snapshots; import it from where it is that day.
        "singleton call": (
            f"{services}/zz_new_singleton.py",
            f"from {core}.{home} import get_websocket_manager\n\n\n"
            "def current():\n    return get_websocket_manager()\n",
            {(5, "SOT101")} | ({(1, "SOT002")} if home == "unified_manager" else set()),
        ),
    }


KINDS = ["deprecated import", "package import", "singleton call"]


@pytest.fixture(scope="module")
def adopted(request, tmp_path_factory, tree) -> Path:
    """A copy of the snapshot's netra_backend after `ssot baseline` (the day-one step)."""
    target = tmp_path_factory.mktemp(tree.parent.name) / "adopted"
    target.mkdir()
    shutil.copytree(tree / "netra_backend", target / "netra_backend", symlinks=True)
    if (tree / "shared").exists():
        (target / "shared").symlink_to((tree / "shared").resolve())
    shutil.copy(REPO / ".importlinter", target / ".importlinter")
    result = tool(target, "ssot", "baseline", "--baseline", "ssot-baseline.json", "netra_backend")
    assert result.returncode == 0, result.stdout + result.stderr
    return target


def test_after_the_baseline_every_front_end_is_green(adopted):
    assert tool(adopted, "ssot", "check", "netra_backend").returncode == 0
    assert tool(adopted, "flake8", "--select", "SOT", "--ssot-config", ".importlinter",
                WEBSOCKET_CORE).returncode == 0
    result = tool(adopted, "ssot", "lint-imports", ".importlinter", "--no-cache", "--no-logo")
    assert result.returncode == 0 and "Contracts: 6 kept, 0 broken." in result.stdout


@pytest.mark.parametrize("kind", KINDS)
def test_a_new_violation_fails_every_front_end(adopted, kind):
    relative, source, expected = new_violations(adopted)[kind]
    path = adopted / relative
    path.write_text(source)
    try:
        check = tool(adopted, "ssot", "check", "--output-format", "json", "netra_backend")
        flake8 = tool(adopted, "flake8", "--select", "SOT", "--ssot-config", ".importlinter", relative)
        lint = tool(adopted, "ssot", "lint-imports", ".importlinter", "--no-cache", "--no-logo")
    finally:
        path.unlink()
    assert check.returncode == 1
    new = {(Path(row["filename"]).name, row["location"]["row"], row["code"])
           for row in json.loads(check.stdout)}
    assert new == {(path.name, line, code) for line, code in expected}
    assert all(row["fix"] is None or row["fix"]["edits"] for row in json.loads(check.stdout))
    assert flake8.returncode == 1
    assert {(int(line.split(":")[1]), line.split()[1]) for line in flake8.stdout.splitlines()} == expected
    assert lint.returncode == 1


def test_a_new_layering_break_fails_check_and_lint_imports(adopted):
    path = adopted / WEBSOCKET_CORE / "types.py"
    original = path.read_bytes()
    upward = b"from netra_backend.app.websocket_core.websocket_manager import WebSocketManager\n"
    path.write_bytes(original + b"\n" + upward)
    try:
        check = tool(adopted, "ssot", "check", "--output-format", "json", "netra_backend")
        lint = tool(adopted, "ssot", "lint-imports", ".importlinter", "--no-cache", "--no-logo")
    finally:
        path.write_bytes(original)
    assert check.returncode == 1 and lint.returncode == 1
    assert "types" in lint.stdout and "BROKEN" in lint.stdout
