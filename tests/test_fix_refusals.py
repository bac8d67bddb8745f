"""`ssot fix` refuses only a rewrite that would add a finding (issue 19): a boundary break, an
import cycle, an undefined name, a redefinition. The finding is left to do by hand, saying why and
what to do instead; the file's other rewrites are kept; none of it is an error."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from conftest import POLICY_HEADER, run

from ssot_flake8.commands.fix import fix_source
from ssot_flake8.commands.fix.passes import refreshed
from ssot_flake8.policy.config import load_policy
from ssot_flake8.services.options import policy_for

# The conftest policy plus a second registered symbol, a layers and an acyclic contract on pkg.core.
POLICY = POLICY_HEADER.replace(
    "    ssot: ssot_flake8.contracts.SsotContract\n",
    "    ssot: ssot_flake8.contracts.SsotContract\n    acyclic: ssot_flake8.contracts.AcyclicContract\n",
).replace(
    "    pkg.core.manager.Manager\nold_names =\n",
    "    pkg.core.manager.Manager\n    pkg.base.Base\nold_names =\n    pkg.old.Base -> pkg.base.Base\n",
) + """
[importlinter:contract:layers]
name = core layering
type = layers
containers =
    pkg.core
layers =
    (manager)
    (types)

[importlinter:contract:acyclic]
name = no cycles in core
type = acyclic
packages =
    pkg.core
"""
HINT = ("move the shared type down a layer, or import it under `if TYPE_CHECKING:` with "
        "exclude_type_checking_imports = True in the policy")
FILES = {
    "pkg/__init__.py": "",
    "pkg/base.py": "class Base:\n    pass\n",
    "pkg/old.py": "from pkg.base import Base\n",
    "pkg/core/__init__.py": "",
    "pkg/core/manager.py": "from pkg.core.helpers import util\n\n\nclass Manager:\n"
                           "    def __init__(self, user_context):\n"
                           "        self.user_context = user_context\n",
    "pkg/core/legacy.py": "class OldManager:\n    pass\n",
    # the bottom layer: the canonical import of the manager would break the layers contract
    "pkg/core/types.py": "from pkg.core.legacy import OldManager\nfrom pkg.old import Base\n\n"
                         "OldManager, Base\n",
    # imported by the manager: importing the manager back would close a cycle
    "pkg/core/helpers.py": "from pkg.core.legacy import OldManager\n\n\ndef util():\n    return OldManager\n",
}


def make_tree(root: Path, files: dict[str, str]) -> Path:
    (root / ".importlinter").write_text(POLICY)
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text)
    return root


@pytest.fixture
def tree(tmp_path) -> Path:
    return make_tree(tmp_path, FILES)


def fix(root: Path, relative: str) -> tuple[str, list[str]]:
    path = root / relative
    result = fix_source(path.read_bytes(), str(path), load_policy(root / ".importlinter"))
    return result.fixed.decode(), [f"{i.finding.line}: {i.finding.code} [{i.reason}]" for i in result.left]


def test_a_rewrite_that_would_break_a_layer_is_left_and_the_rest_of_the_file_is_fixed(tree):
    assert fix(tree, "pkg/core/types.py") == (
        "from pkg.core.legacy import OldManager\nfrom pkg.base import Base\n\nOldManager, Base\n",
        ["1: SOT001 [the rewrite would add SOT005 import of pkg.core.manager breaks the layers "
         "contract 'core layering': pkg.core.types is in a lower layer than pkg.core.manager; "
         f"{HINT}]"])


def test_a_rewrite_that_would_close_an_import_cycle_is_left(tree):
    assert fix(tree, "pkg/core/helpers.py") == (
        FILES["pkg/core/helpers.py"],
        [f"1: SOT001 [the rewrite would add the import cycle helpers -> manager -> helpers "
         f"(in pkg.core); {HINT}]"])


def test_a_rewrite_that_trades_a_cycle_for_a_shorter_one_keeps_the_count_and_is_kept(tmp_path):
    # helpers -> legacy -> manager -> helpers becomes helpers -> manager -> helpers: still one cycle
    files = {**FILES, "pkg/core/legacy.py": "from pkg.core.manager import Manager\n\nOldManager = Manager\n"}
    root = make_tree(tmp_path, files)
    assert fix(root, "pkg/core/helpers.py") == (
        "from pkg.core.manager import Manager\n\n\ndef util():\n    return Manager\n", [])


def test_with_exclude_type_checking_imports_the_hint_is_type_checking(tmp_path):
    root = make_tree(tmp_path, FILES)
    policy = root / ".importlinter"
    policy.write_text(policy.read_text().replace(
        "root_package = pkg\n", "root_package = pkg\nexclude_type_checking_imports = True\n", 1))
    assert fix(root, "pkg/core/helpers.py")[1] == [
        "1: SOT001 [the rewrite would add the import cycle helpers -> manager -> helpers (in pkg.core);"
        " import it under `if TYPE_CHECKING:` or move the shared type down a layer]"]


def test_the_command_reports_refusals_as_left_to_do_not_as_errors(tree):
    before = {p: p.read_bytes() for p in tree.rglob("*.py")}
    preview = run("ssot", "fix", "--diff", ".", cwd=tree)
    assert preview.returncode == 1
    assert "please report" not in preview.stderr and "error" not in preview.stderr
    assert preview.stderr.splitlines() == [
        "Left to do by hand:",
        "pkg/core/helpers.py:1:29: SOT001 pkg.core.legacy.OldManager is not the canonical path of "
        "Manager; use `from pkg.core.manager import Manager`  [not fixed: the rewrite would add the "
        f"import cycle helpers -> manager -> helpers (in pkg.core); {HINT}]",
        "pkg/core/types.py:1:29: SOT001 pkg.core.legacy.OldManager is not the canonical path of "
        "Manager; use `from pkg.core.manager import Manager`  [not fixed: the rewrite would add "
        "SOT005 import of pkg.core.manager breaks the layers contract 'core layering': pkg.core.types"
        f" is in a lower layer than pkg.core.manager; {HINT}]",
        "Would fix 1 finding in 1 file; 2 left to do by hand.",
    ]
    run("git", "apply", "--check", "-", cwd=tree, input=preview.stdout, check=True)
    assert {p: p.read_bytes() for p in tree.rglob("*.py")} == before
    written = run("ssot", "fix", ".", cwd=tree)
    assert (written.returncode, written.stdout.splitlines()[-1]) == (
        1, "Fixed 1 finding in 1 file; 2 left to do by hand.")
    again = run("ssot", "fix", ".", cwd=tree)  # the fixed point in one run
    assert (again.returncode, again.stdout.splitlines()[-1]) == (
        0, "Fixed 0 findings in 0 files; 2 left to do by hand.")
    check = run("ssot", "check", ".", cwd=tree)  # no SOT005 and no cycle came in
    # pkg/old.py is no shim once types.py imports Base from its home: nobody goes through it
    assert [line.split(" ", 2)[:2] for line in check.stdout.splitlines()] == [
        ["pkg/core/helpers.py:1:29:", "SOT001"], ["pkg/core/legacy.py:1:1:", "SOT205"],
        ["pkg/core/types.py:1:29:", "SOT001"], ["Found", "3"]]
    cycles = run("lint-imports", "--no-cache", "--no-logo", cwd=tree)
    assert "no cycles in core KEPT" in cycles.stdout and "core layering KEPT" in cycles.stdout


def test_the_run_sees_the_tree_as_it_leaves_it(tmp_path):
    """Issue 19, the fixed point in one run: after a pass, the symbol index is refreshed with the
    rewritten files, so what another file imports from a rewritten shim resolves anew."""

    root = make_tree(tmp_path, {**FILES, "pkg/app/__init__.py": "",
                                "pkg/app/shim.py": "from pkg.core.legacy import OldManager as Thing\n"})
    policy = policy_for(argparse.Namespace(config=str(root / ".importlinter"), paths=[str(root)]))
    assert policy.symbol_at("pkg.app.shim.Thing").qualname == "pkg.core.manager.Manager"
    shim = root / "pkg/app/shim.py"
    fresh, touched = refreshed(policy, {shim: b"Thing = None\n"})  # in memory, as with --diff
    assert touched.search(b"from pkg.app.shim import Thing\n")  # files naming it go back
    assert fresh.symbol_at("pkg.app.shim.Thing") is None
    assert fresh.symbol_at("pkg.core.legacy.OldManager").qualname == "pkg.core.manager.Manager"
    assert shim.read_text().startswith("from pkg.core.legacy")  # nothing written
