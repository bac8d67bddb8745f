"""Dogfooding: the `[importlinter]` contracts in setup.cfg check the layering of ssot_flake8
itself (scripts/test.sh runs them), and they really check: a copy with a planted break fails."""

from __future__ import annotations

import os
import shutil

import pytest
from conftest import REPO, run

LAYERS = "ssot_flake8 layering (front-ends on top, support at the bottom)"


def lint_imports(cwd):
    env = {**os.environ, "COLUMNS": "300"}
    return run("lint-imports", "setup.cfg", "--no-cache", "--no-logo", cwd=cwd, env=env)


def test_the_bundle_keeps_its_own_contracts():
    result = lint_imports(REPO)
    assert result.returncode == 0, result.stdout
    assert f"{LAYERS} KEPT" in result.stdout
    assert "ssot_flake8 has no import cycles KEPT" in result.stdout


@pytest.fixture
def broken_copy(tmp_path):
    """The package with a rule family importing the engine (in a function, so that importing
    the copy still works): a lower layer reaching up, and a cycle through the walk."""
    shutil.copytree(REPO / "ssot_flake8", tmp_path / "ssot_flake8",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "setup.cfg", tmp_path / "setup.cfg")
    rules = tmp_path / "ssot_flake8" / "rules" / "imports.py"
    planted = "\n\ndef _planted():\n    from ssot_flake8.analysis import engine\n\n    return engine\n"
    rules.write_text(rules.read_text() + planted)
    return tmp_path


def test_a_planted_layer_break_and_cycle_fail_the_build(broken_copy):
    result = lint_imports(broken_copy)
    assert result.returncode == 1
    assert "Contracts: 1 kept, 4 broken." in result.stdout
    line = len((broken_copy / "ssot_flake8" / "rules" / "imports.py").read_text().splitlines()) - 2
    assert (
        "ssot_flake8.rules is not allowed to import ssot_flake8.analysis:\n\n"
        f"- ssot_flake8.rules.imports -> ssot_flake8.analysis.engine (l.{line})"
    ) in result.stdout
    assert "1. analysis.engine -> rules.imports -> analysis.engine\n" in result.stdout
    assert ("ssot_flake8.analysis.walk is not allowed to import ssot_flake8.analysis.engine:\n\n"
            "- ssot_flake8.analysis.walk -> ssot_flake8.rules.imports (l.17)\n"
            f"  ssot_flake8.rules.imports -> ssot_flake8.analysis.engine (l.{line})") in result.stdout


def test_the_editor_mirror_shows_the_break_in_the_bundle(broken_copy):
    result = run("flake8", "--select", "SOT", "--ssot-config", "setup.cfg", "ssot_flake8/rules/imports.py",
                 cwd=broken_copy)
    line = len((broken_copy / "ssot_flake8" / "rules" / "imports.py").read_text().splitlines()) - 2
    assert result.stdout.splitlines() == [
        f"ssot_flake8/rules/imports.py:{line}:5: SOT005 import of ssot_flake8.analysis.engine breaks "
        f"the layers contract '{LAYERS}': ssot_flake8.rules is in a lower layer than ssot_flake8.analysis"
    ]
