"""`ssot check --output-format json` with ruff's fields in full: `fix` with its edits for the
fixable findings, `end_location` at the end of the reported node, `url` to the rule's row in the
README (issue 20)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import LEGACY, REPO, run

from ssot_flake8.source.lines import source_lines

USER = """\
import os
from pkg.core.legacy import OldManager


def make(ctx):
    return OldManager(user_context=ctx)
"""


def url(code: str) -> str:
    return f"{(REPO / 'README.md').as_uri()}#{code.lower()}"


def check_json(root: Path, *paths: str) -> list[dict]:
    result = run("ssot", "check", *paths, "--no-cache", "--output-format", "json", cwd=root)
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


def apply(text: str, edits: list[dict]) -> str:
    """ruff's edits applied: rows and 1-based columns, end exclusive, last edit first."""
    lines = source_lines(text, keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(where: dict) -> int:
        return starts[where["row"] - 1] + where["column"] - 1

    for edit in sorted(edits, key=lambda e: offset(e["location"]), reverse=True):
        text = text[:offset(edit["location"])] + edit["content"] + text[offset(edit["end_location"]):]
    return text


def test_a_fixable_finding_carries_its_edits_and_every_finding_its_end_and_url(mini_project):
    mini_project("pkg/core/legacy.py", "from pkg.core.manager import Manager as OldManager\n")
    user = mini_project("pkg/app/user.py", USER)
    assert check_json(mini_project.root, "pkg/app") == [
        {
            "cell": None,
            "code": "SOT001",
            "end_location": {"column": 39, "row": 2},  # the end of `OldManager`
            "filename": str(user),
            "fix": {
                "applicability": "safe",
                "edits": [
                    {"content": "manager import Manager", "end_location": {"column": 39, "row": 2},
                     "location": {"column": 15, "row": 2}},
                    {"content": "Manager", "end_location": {"column": 22, "row": 6},
                     "location": {"column": 12, "row": 6}},
                ],
                "message": "Import `Manager` from `pkg.core.manager`",
            },
            "location": {"column": 29, "row": 2},
            "message": "pkg.core.legacy.OldManager is not the canonical path of Manager; use "
                       "`from pkg.core.manager import Manager`",
            "name": "non-canonical-import",
            "noqa_row": 2,
            "severity": "error",
            "url": url("SOT001"),
        },
        {
            "cell": None,
            "code": "SOT202",
            "end_location": {"column": 9, "row": 5},  # a `def`: the end of its name
            "filename": str(user),
            "fix": None,
            "location": {"column": 1, "row": 5},
            "message": "function factory make builds Manager outside its canonical module "
                       "pkg.core.manager",
            "name": "factory-definition",
            "noqa_row": 5,
            "severity": "error",
            "url": url("SOT202"),
        },
    ]
    fixed = apply(USER, check_json(mini_project.root, "pkg/app")[0]["fix"]["edits"])
    assert run("ssot", "fix", "pkg/app", cwd=mini_project.root).returncode == 1
    assert fixed == user.read_text()  # the edits are what `ssot fix` writes


def test_a_deprecated_module_import_gets_its_fix(mini_project):
    mini_project("pkg/core/manager.py", "class Manager:\n    pass\n\n\nclass Helper:\n    pass\n")
    mini_project("pkg/core/legacy.py", "from pkg.core.manager import Helper\n")
    mini_project("pkg/app/user.py", "from pkg.core.legacy import Helper\n\nHelper()\n")
    [item] = check_json(mini_project.root, "pkg/app")
    assert (item["code"], item["location"], item["end_location"], item["fix"]) == (
        "SOT002", {"column": 29, "row": 1}, {"column": 35, "row": 1},
        {"applicability": "safe", "message": "Import from `pkg.core.manager`", "edits": [
            {"content": "manager", "location": {"column": 15, "row": 1},
             "end_location": {"column": 21, "row": 1}}]})


def test_a_fix_that_ssot_fix_refuses_is_not_offered(mini_project):
    mini_project("pkg/core/legacy.py", "def legacy_only():\n    pass\n")
    mini_project("pkg/app/user.py", "from pkg.core.legacy import legacy_only\n\nlegacy_only()\n")
    [item] = check_json(mini_project.root, "pkg/app")
    assert (item["code"], item["fix"], item["end_location"]) == (
        "SOT002", None, {"column": 40, "row": 1})
    assert "pkg.core.manager does not define legacy_only" in run(
        "ssot", "fix", "pkg/app", cwd=mini_project.root).stdout


def test_every_offered_fix_on_the_legacy_tree_removes_its_finding_and_only_it(tmp_path):
    tree = tmp_path / "legacy"
    shutil.copytree(LEGACY, tree, ignore=shutil.ignore_patterns("__pycache__", ".ssot_cache"))
    items = check_json(tree, "netra_backend")
    offered = [item for item in items if item["fix"]]
    fixable = [item for item in items if item["code"] in ("SOT001", "SOT002")]
    would = run("ssot", "fix", "--diff", "netra_backend", cwd=tree).stderr.splitlines()[-1]
    assert would == f"Would fix {len(offered)} findings in 11 files; 42 left to do by hand."
    assert len(offered) == 12 < len(fixable)
    assert all(item["fix"]["applicability"] == "safe" for item in offered)
    assert all(item["fix"] is None for item in items if item["code"] not in ("SOT001", "SOT002"))
    for item in offered:
        path = Path(item["filename"])
        before = path.read_text()
        path.write_text(apply(before, item["fix"]["edits"]))
        try:
            compile(path.read_text(), str(path), "exec")
            after = [(i["code"], i["location"]["row"], i["message"])
                     for i in check_json(tree, str(path.relative_to(tree)))]
            assert (item["code"], item["location"]["row"], item["message"]) not in after, item
        finally:
            path.write_text(before)


def test_no_fix_edits_leaves_fix_null(mini_project):
    mini_project("pkg/core/legacy.py", "from pkg.core.manager import Manager as OldManager\n")
    mini_project("pkg/app/user.py", USER)
    result = run("ssot", "check", "pkg/app", "--no-cache", "--output-format", "json",
                 "--no-fix-edits", cwd=mini_project.root)
    items = json.loads(result.stdout)
    assert [(i["code"], i["fix"]) for i in items] == [("SOT001", None), ("SOT202", None)]
