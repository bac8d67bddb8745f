"""Shared fixtures: paths to the bundled trees and a runner for the real command-line tools."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
LEGACY = EXAMPLES / "legacy"
REMEDIATED = EXAMPLES / "remediated"
BIN = Path(sys.executable).parent  # the venv that runs pytest holds flake8, lint-imports, ssot


def run(*command: str | Path, cwd: Path | str = REPO, check: bool = False, **kwargs):
    """Run a real tool from the test venv; returns the CompletedProcess (text mode)."""
    program, *rest = (str(part) for part in command)
    if (BIN / program).exists():
        program = str(BIN / program)
    result = subprocess.run(
        [program, *rest], cwd=cwd, capture_output=True, text=True, **kwargs
    )
    if check and result.returncode != 0:
        raise AssertionError(f"{command} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture
def legacy_copy(tmp_path: Path) -> Path:
    """A writable copy of examples/legacy (tests that write never touch the bundled tree)."""
    target = tmp_path / "legacy"
    shutil.copytree(LEGACY, target, ignore=shutil.ignore_patterns("__pycache__", ".ssot_cache"))
    return target


@pytest.fixture
def remediated_copy(tmp_path: Path) -> Path:
    target = tmp_path / "remediated"
    shutil.copytree(REMEDIATED, target, ignore=shutil.ignore_patterns("__pycache__", ".ssot_cache"))
    return target


POLICY_HEADER = """\
[importlinter]
root_package = pkg
contract_types =
    ssot: ssot_flake8.contracts.SsotContract

[importlinter:contract:ssot]
name = Manager has a single source of truth
type = ssot
canonical =
    pkg.core.manager.Manager
old_names =
    pkg.core.legacy.OldManager -> pkg.core.manager.Manager
    pkg.core.Manager
deprecated_modules =
    pkg.core.legacy -> pkg.core.manager
    pkg.shim
banned_calls =
    pkg.core.legacy.get_manager: singleton; construct Manager(user_context=...)
    pkg.core.get_manager: singleton; construct Manager(user_context=...)
    pkg.core.legacy.create_manager: factory; construct Manager(user_context=...)
    pkg.core.legacy.ManagerFactory: factory; construct Manager(user_context=...)
required_arguments =
    pkg.core.manager.Manager: user_context
"""


@pytest.fixture
def mini_project(tmp_path: Path):
    """A tiny project with the policy above; returns a function that writes modules into it.

    write("pkg/app/x.py", source) creates the file (and missing __init__.py files) and returns
    its path; the policy's canonical module pkg/core/manager.py already exists.
    """
    root = tmp_path / "proj"
    root.mkdir()
    (root / ".importlinter").write_text(POLICY_HEADER)

    def write(relative: str, source: str = "") -> Path:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        for parent in path.relative_to(root).parents:
            if parent != Path(".") and not (root / parent / "__init__.py").exists():
                (root / parent / "__init__.py").write_text("")
        path.write_text(source)
        return path

    write("pkg/core/manager.py", "class Manager:\n    def __init__(self, user_context):\n"
          "        self.user_context = user_context\n")
    write.root = root
    return write
