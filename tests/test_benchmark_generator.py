"""Smoke test of benchmarks/generate.py on a tiny tree (the full-size tree is for benchmarks)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
GENERATOR = REPO / "benchmarks" / "generate.py"
MODULES, LINES = 60, 6000


def generate(out: Path) -> dict:
    subprocess.run(
        [sys.executable, str(GENERATOR), str(out), "--modules", str(MODULES), "--lines", str(LINES),
         "--seed", "1"],
        check=True, capture_output=True, text=True,
    )
    return json.loads((out / "MANIFEST.json").read_text(encoding="utf-8"))


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("bench") / "tree"
    return out, generate(out)


def sources(root: Path) -> dict[Path, str]:
    return {p: p.read_text(encoding="utf-8") for p in sorted((root / "netra_backend").rglob("*.py"))}


def test_every_module_compiles(tree):
    root, _ = tree
    for path, text in sources(root).items():
        compile(text, str(path), "exec")


def test_size_is_close_to_the_request_and_manifest_matches_disk(tree):
    root, manifest = tree
    files = sources(root)
    lines = sum(text.count("\n") for text in files.values())
    assert abs(len(files) - MODULES) <= 0.2 * MODULES
    assert abs(lines - LINES) <= 0.2 * LINES
    assert manifest["modules"] == len(files)
    assert manifest["lines"] == lines
    assert manifest["bytes"] == sum(len(text.encode("utf-8")) for text in files.values())
    pattern = re.compile(manifest["policy_name_pattern"])
    mentioning = {p.relative_to(root).as_posix() for p, text in files.items() if pattern.search(text)}
    assert len(mentioning) == manifest["files_mentioning_policy_names"]
    # Only the governed package and the planted files mention the policy.
    assert mentioning == set(manifest["governed_files"]) | set(manifest["planted_by_file"])
    planted = [c for categories in manifest["planted_by_file"].values() for c in categories]
    assert all(n >= 1 for n in manifest["planted_violations"].values())  # every category
    assert sum(manifest["planted_violations"].values()) + sum(
        manifest["planted_true_negatives"].values()) == len(planted)
    assert (root / ".importlinter").read_bytes() == (REPO / ".importlinter").read_bytes()


def test_singleton_accessor_appears_in_a_small_minority_of_files(tree):
    root, _ = tree
    files = sources(root)
    hits = [p for p, text in files.items() if "get_websocket_manager" in text]
    assert 0 < len(hits) <= 0.15 * len(files)


def test_same_seed_gives_byte_identical_output(tree, tmp_path):
    root, _ = tree
    again = tmp_path / "again"
    generate(again)
    assert snapshot(again) == snapshot(root)


def test_flake8_and_ssot_check_agree_on_the_tree(tree):
    """The tree's own .flake8 points the plugin at the tree's policy, so both front-ends check
    the same policy with the same index and report the same findings."""
    root, _ = tree
    bin_dir = Path(sys.executable).parent
    flake8 = subprocess.run([str(bin_dir / "flake8"), "--select", "SOT", "netra_backend"], cwd=root,
                            capture_output=True, text=True)
    check = subprocess.run([str(bin_dir / "ssot"), "check", "--no-cache", "netra_backend"], cwd=root,
                           capture_output=True, text=True)
    reported = [line for line in check.stdout.splitlines() if re.match(r"\S+:\d+:\d+: SOT", line)]
    assert reported and "SOT004" in check.stdout
    # flake8 reports no SOT000 (it says E999 for a file it cannot parse): compare the rest.
    assert sorted(flake8.stdout.splitlines()) == [r for r in sorted(reported) if " SOT000 " not in r]
