"""Bad input that used to hang or print a traceback: now one line (exit 2) or a silent repair."""

from __future__ import annotations

import json
import os
import stat

import pytest
from conftest import run

GOOD = "from pkg.core import get_manager\nget_manager()\n"
SINGLETON = "SOT101 get_manager is a banned singleton accessor: construct Manager(user_context=...)"
TOML_HEAD = """\
[project]
name = "p"
"""


def test_a_named_pipe_in_the_tree_is_skipped_not_read(mini_project):
    root = mini_project.root
    mini_project("pkg/app/good.py", GOOD)
    os.mkfifo(root / "pkg/app/y.py")
    named = run("ssot", "check", "pkg/app/good.py", cwd=root, timeout=120)
    assert (named.returncode, named.stdout, named.stderr) == (
        1, f"pkg/app/good.py:2:1: {SINGLETON}\nFound 1 error.\n", "")
    walked = run("ssot", "check", "--no-cache", "pkg/app", cwd=root, timeout=120)
    assert walked.returncode == 1
    assert walked.stderr == "ssot: warning: pkg/app/y.py: skipped, not a regular file\n"
    assert f"pkg/app/good.py:2:1: {SINGLETON}" in walked.stdout.splitlines()
    flake8 = run("flake8", "--select", "SOT", "pkg/app/good.py", cwd=root, timeout=120)
    assert (flake8.returncode, flake8.stdout) == (1, f"pkg/app/good.py:2:1: {SINGLETON}\n")


def test_a_percent_sign_in_an_ini_value_is_plain_text(mini_project):
    root = mini_project.root
    policy = root / ".importlinter"
    policy.write_text(policy.read_text().replace(
        "name = Manager has a single source of truth", "name = covers 100% of calls"))
    mini_project("pkg/app/good.py", GOOD)
    result = run("ssot", "check", "pkg/app", cwd=root)
    assert (result.returncode, result.stderr) == (1, "")
    assert f"pkg/app/good.py:2:1: {SINGLETON}" in result.stdout.splitlines()
    flake8 = run("flake8", "--select", "SOT", "pkg/app", cwd=root)
    assert (flake8.returncode, flake8.stdout, flake8.stderr) == (
        1, f"pkg/app/good.py:2:1: {SINGLETON}\n", "")


@pytest.mark.parametrize(("toml", "message"), [
    ('[tool]\nimportlinter = "pkg"\n',
     "[tool.importlinter] must be a table, not a string"),
    ('[tool.importlinter]\nroot_package = "pkg"\ncontracts = ["a", "b"]\n',
     "[tool.importlinter]: contracts[0] must be a table, not a string"),
    ('[tool.importlinter]\nroot_package = "pkg"\n[tool.importlinter.contracts]\ntype = "ssot"\n',
     "[tool.importlinter]: contracts must be an array of tables "
     "([[tool.importlinter.contracts]]), not a table"),
])
def test_a_wrong_shape_of_tool_importlinter_is_one_line(mini_project, toml, message):
    root = mini_project.root
    (root / ".importlinter").unlink()
    (root / "pyproject.toml").write_text(TOML_HEAD + toml)
    result = run("ssot", "check", "--config", "pyproject.toml", "pkg", cwd=root)
    assert (result.returncode, result.stdout, result.stderr) == (
        2, "", f"ssot: error: pyproject.toml: {message}\n")


def _damage(cache_dir, change):
    """Edit each cache file's body behind the tool's back (its header line keeps the old seal)."""
    for path in cache_dir.glob("*.json"):
        header, body = path.read_text().split("\n", 1)
        data = json.loads(body)
        if path.name.startswith("check-"):
            data = {"files": data}
        change(path.name, data)
        body = json.dumps(data["files"] if path.name.startswith("check-") else data)
        path.write_text(header + "\n" + body)


@pytest.mark.parametrize("damage", ["short rows", "wrong types", "asked shape", "index shape",
                                    "torn"])
def test_a_damaged_cache_is_dropped_and_rebuilt(mini_project, damage):
    root = mini_project.root
    mini_project("pkg/app/good.py", GOOD)
    first = run("ssot", "check", "pkg", cwd=root)
    assert first.returncode == 1

    def change(name, data):
        if name.startswith("check-") and damage == "short rows":
            for entry in data["files"].values():
                entry[2] = [row[:3] for row in entry[2]] or [[1]]
        elif name.startswith("check-") and damage == "wrong types":
            for entry in data["files"].values():
                entry[0] = "size"
        elif name.startswith("check-") and damage == "asked shape":
            for entry in data["files"].values():
                entry[3], entry[4] = [["pkg.core"]], 7  # the questions asked, their answers
        elif name.startswith("index-") and damage == "index shape":
            data["files"] = {key: 7 for key in data["files"]}
            data["expansions"] = {"k": [[1, 2]]}

    if damage == "torn":  # a write cut short: half of each file
        for path in (root / ".ssot_cache").glob("*.json"):
            path.write_bytes(path.read_bytes()[:path.stat().st_size // 2])
    else:
        _damage(root / ".ssot_cache", change)
    for _ in range(2):  # the damaged cache is rebuilt, and the rebuilt one reads back
        again = run("ssot", "check", "pkg", cwd=root)
        assert (again.returncode, again.stdout, again.stderr) == (1, first.stdout, "")
    flake8 = run("flake8", "--select", "SOT", "pkg/app/good.py", cwd=root)
    assert (flake8.returncode, flake8.stdout) == (1, f"pkg/app/good.py:2:1: {SINGLETON}\n")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
def test_sync_ruff_on_a_read_only_tree_is_one_line(mini_project):
    root = mini_project.root
    (root / "pyproject.toml").write_text(TOML_HEAD)
    root.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        result = run("ssot", "sync-ruff", cwd=root)
    finally:
        root.chmod(stat.S_IRWXU)
    assert result.returncode == 2
    assert result.stderr == "ssot: error: pyproject.toml: cannot write: Permission denied\n"
    assert result.stdout.startswith("pyproject.toml: [tool.ruff.lint.flake8-tidy-imports.banned-api]")
