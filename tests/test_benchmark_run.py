"""Smoke test of benchmarks/run.py end to end on a tiny generated tree (timings are not checked:
speed is measured in benchmarks/, never asserted)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
RUN = REPO / "benchmarks" / "run.py"
ROWS = [
    "floor: read every .py",
    "floor: `cat` every .py",
    "floor: `ast.parse` of the files past the pre-filter",
    "`ssot check` cold",
    "`ssot check` warm",
    "`ssot check` after editing one function in `websocket_core/",
    "`ssot check` after adding a function to `websocket_core/",
    "`ruff check --select TID251 --no-cache`",
    "`ruff check --select TID251` warm",
    "flake8 default checks alone",
    "flake8 default checks + SOT plugin",
    "flake8 with no checker",
    "`flake8 --select SOT`",
    "flake8-tidy-imports",
    "`lint-imports` cold",
    "`lint-imports` cached",
    "the boundary contracts alone (no ssot contract): `lint-imports` cold",
    "the boundary contracts alone (no ssot contract): `lint-imports` cached",
    "`ssot audit` cold",
    "`ssot audit` warm",
    "`ssot fix --diff`",
    "`ssot audit --history 10`",
]


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    base = tmp_path_factory.mktemp("run")
    tree, output = base / "tree", base / "RESULTS.md"
    subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "generate.py"), str(tree), "--modules", "60",
         "--lines", "6000", "--seed", "1"], check=True, capture_output=True)
    done = subprocess.run([sys.executable, str(RUN), "--tree", str(tree), "--runs", "1",
                           "--output", str(output), "--before", str(REPO)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return output.read_text(encoding="utf-8"), done.stderr


def row(text: str, label: str) -> list[str]:
    """The cells of the "All tools" row whose label starts with `label` (the `--before` twins
    only when `label` names them)."""
    table = text.split("## All tools")[1].split("\n## ")[0]
    lines = [line for line in table.splitlines() if line.startswith(f"| {label}")
             and ("— before (" in label or "— before (" not in line)]
    assert len(lines) == 1, (label, text)
    return [cell.strip() for cell in lines[0].strip("|").split("|")]


def total(cell: str) -> int:
    return int(re.match(r"\d+", cell).group())


def test_a_row_per_tool_with_times(results):
    text, _ = results
    for label in ROWS:
        cells = row(text, label)
        if cells[1].startswith("skipped:"):
            assert label.startswith("`ssot audit --history") or "not installed" in cells[1]
            continue  # a tool that is not installed is noted, not fatal
        assert float(cells[2]) > 0 and float(cells[4]) >= 0 and float(cells[6]) > 0


def test_the_front_ends_report_the_same_findings(results):
    text, _ = results
    ssot = row(text, "`ssot check` cold")[1]
    assert total(ssot) > 0
    assert row(text, "`ssot check` warm")[1] == ssot
    assert row(text, "`ssot check` after editing one function")[1] == ssot  # a `pass` added
    assert row(text, "`ssot check` after adding a function")[1] == ssot
    for label in ("cold (no cache) — before (", "warm (second run) — before ("):
        assert row(text, f"`ssot check` {label}")[1] == ssot  # the same code, run from REPO
    assert row(text, "`flake8 --select SOT`")[1] == ssot
    assert row(text, "flake8 with no checker")[1] == "0"
    # The ssot contract lists the same findings but SOT005: in lint-imports the boundary
    # contracts themselves report those breaks (4 of the flagship's contracts break here).
    without_mirror = re.sub(r", SOT005 \d+", "", ssot)
    mirrored = int(re.search(r"SOT005 (\d+)", ssot).group(1))
    expected = f"{total(ssot) - mirrored}{without_mirror[len(str(total(ssot))):]}"
    assert row(text, "`lint-imports` cold")[1] == f"{expected}; 4 broken contract(s)"
    with_plugin = row(text, "flake8 default checks + SOT plugin")[1]
    alone = row(text, "flake8 default checks alone")[1]
    assert total(with_plugin) == total(alone) + total(ssot)
    ruff = row(text, "`ruff check --select TID251 --no-cache`")[1]
    assert total(ruff) > 0 and row(text, "`ruff check --select TID251` warm")[1] == ruff


def test_the_report_names_machine_targets_and_versions(results):
    text, stderr = results
    assert "cores" in text and "ruff " in text and "flake8 " in text
    assert "`ssot check` cold at or below ruff:" in text
    assert "under it, `ast.parse` alone of the files past the pre-filter" in text
    assert "the flake8 plugin at most 5% on top of flake8 alone:" in text
    assert "the plugin's own work" in text
    assert "- editing one function in `websocket_core/" in text
    assert "- adding a function to `websocket_core/" in text
    assert text.count("findings equal the cold run's") == 2
    assert "## Before and after" in text
    assert "shared" in text
    assert stderr == ""  # progress is for a TTY only


def test_a_snapshot_is_copied_and_never_written(tmp_path: Path, monkeypatch) -> None:
    """NETRA_SNAPSHOT mode times a scratch copy: the .py and .gitignore files and the policy."""
    sys.path.insert(0, str(RUN.parent))
    try:
        import run
    finally:
        sys.path.remove(str(RUN.parent))
    snapshot, copy = tmp_path / "snap", tmp_path / "copy"
    (snapshot / "netra_backend" / "app").mkdir(parents=True)
    (snapshot / "netra_backend" / "app" / "a.py").write_text("import os\n")
    (snapshot / ".gitignore").write_text("*.log\n")
    (snapshot / "notes.md").write_text("not copied\n")
    before = sorted(p.relative_to(snapshot) for p in snapshot.rglob("*"))
    monkeypatch.setenv("NETRA_COPY", str(copy))
    assert run.snapshot_copy(snapshot) == copy.resolve()
    assert sorted(p.relative_to(snapshot) for p in snapshot.rglob("*")) == before
    assert (copy / "netra_backend" / "app" / "a.py").read_text() == "import os\n"
    assert (copy / ".gitignore").is_file() and not (copy / "notes.md").exists()
    assert (copy / ".importlinter").read_bytes() == (RUN.parent / "real.importlinter").read_bytes()
    monkeypatch.setenv("NETRA_COPY", str(snapshot / "inside"))
    with pytest.raises(SystemExit, match="outside the snapshot"):
        run.snapshot_copy(snapshot)
