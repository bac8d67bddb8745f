"""`ssot fix` over a tree reaches the fixed point in one run (issue 19): a file that had no
finding gains one when a module it imports from is rewritten, and is fixed in the same run."""

from __future__ import annotations

import contextlib
import io
import tempfile
from pathlib import Path

from conftest import run
from hypothesis import given, settings
from hypothesis import strategies as st
from test_fix import make_project

from ssot_flake8.analysis.index import expand_policy
from ssot_flake8.cli import main
from ssot_flake8.commands.fix import command
from ssot_flake8.commands.fix.passes import refreshed
from ssot_flake8.policy.config import load_policy

# legacy.py without OldManager: the shim's name is one its module no longer defines, so the
# index cannot tell what `Handler` denotes until the shim is rewritten to the canonical class.
LEGACY_WITHOUT_OLD_MANAGER = "from pkg.core.manager import Helper\n\n\ndef legacy_only():\n    return 1\n"
SHIM = "from pkg.core.legacy import OldManager\n\nHandler = OldManager\n"
USER = "from pkg.app.shim import Handler\n\nHandler(user_context=1)\n"


def shim_tree(root: Path) -> Path:
    make_project(root)
    (root / "pkg/core/legacy.py").write_text(LEGACY_WITHOUT_OLD_MANAGER)
    (root / "pkg/app/shim.py").write_text(SHIM)
    (root / "pkg/app/user.py").write_text(USER)
    return root


def test_a_shim_rewritten_in_the_run_gets_its_importers_fixed_in_the_same_run(tmp_path):
    root = shim_tree(tmp_path)
    # Before: only the shim has findings; the user's import is not known to be non-canonical.
    assert run("ssot", "check", "pkg", cwd=root).stdout.splitlines() == [
        ("pkg/app/shim.py:1:29: SOT001 pkg.core.legacy.OldManager is not the canonical path of "
         "Manager; use `from pkg.core.manager import Manager`"),
        ("pkg/app/shim.py:3:1: SOT203 Handler is an alias of pkg.core.legacy.OldManager; import "
         "Manager from pkg.core.manager instead"),
        "Found 2 errors.",
    ]
    preview = run("ssot", "fix", "--diff", "pkg", cwd=root)
    assert (preview.returncode, preview.stderr) == (
        1, "Would fix 2 findings in 2 files; 0 left to do by hand.\n")
    assert [line for line in preview.stdout.splitlines() if line.startswith("+++")] == [
        "+++ b/pkg/app/shim.py", "+++ b/pkg/app/user.py"]
    result = run("ssot", "fix", "pkg", cwd=root)
    assert (result.returncode, result.stdout) == (
        1, "Fixed 2 findings in 2 files; 0 left to do by hand.\n")
    assert (root / "pkg/app/shim.py").read_text() == (
        "from pkg.core.manager import Manager\n\nHandler = Manager\n")
    assert (root / "pkg/app/user.py").read_text() == (
        "from pkg.core.manager import Manager\n\nManager(user_context=1)\n")
    again = run("ssot", "fix", "pkg", cwd=root)
    assert (again.returncode, again.stdout) == (0, "Fixed 0 findings in 0 files; 0 left to do by hand.\n")


def test_only_files_naming_something_that_now_denotes_another_object_are_fixed_again(tmp_path):
    """Between passes: `Handler` now denotes the canonical class (files naming it go back);
    `Helper`, moved from the deprecated re-export to its home, denotes the same class as before."""
    root = shim_tree(tmp_path)
    (root / "pkg/app/relay.py").write_text("from pkg.core.legacy import Helper\n")
    policy = load_policy(root / ".importlinter")
    expand_policy(policy, use_cache=False)
    changed = {
        root / "pkg/app/shim.py": b"from pkg.core.manager import Manager\n\nHandler = Manager\n",
        root / "pkg/app/relay.py": b"from pkg.core.manager import Helper\n",
    }
    fresh, touched = refreshed(policy, changed)
    assert "pkg.app.shim.Handler" in fresh.names and "pkg.app.shim.Handler" not in policy.names
    assert touched.search(USER.encode())
    assert touched.search(b"import pkg.app.shim as s\ns.Handler(user_context=1)\n")
    assert not touched.search(b"from pkg.app.relay import Helper\nHelper()\nHandlers = 1\n")
    assert refreshed(policy, {root / "pkg/app/relay.py": changed[root / "pkg/app/relay.py"]})[1] is None


# -- the property: one run, then a second changes nothing ------------------------------------------

SHIM_FORMS = [
    "from pkg.core.legacy import OldManager\n\nHandler = OldManager\n",
    "from pkg.core.legacy import OldManager as Old\n\nHandler = Old\n",
    "import pkg.core.legacy as legacy_mod\n\nHandler = legacy_mod.OldManager\n",
    "from pkg.core.legacy import OldManager\nHandler = OldManager\n__all__ = ['Handler']\n",
    "from pkg.core.legacy import Helper, OldManager\n\nHandler = OldManager\nTool = Helper\n",
]
RELAY_FORMS = [
    "from pkg.app.shim import Handler as Relay\n",
    "from pkg.app.shim import Handler\n\nRelay = Handler\n",
    "from pkg.app.shim import *\n\nRelay = Handler\n",
]
USER_FORMS = [
    "from pkg.app.shim import Handler\n\nHandler(user_context=1)\n",
    "import pkg.app.shim as s\n\ns.Handler(user_context=1)\n",
    "def build():\n    from pkg.app.shim import Handler\n    return Handler(user_context=1)\n",
    "from pkg.app.relay import Relay\n\nRelay(user_context=1)\n",
    ("from pkg.app.shim import Handler\nfrom pkg.core.manager import Manager\n\n"
     "Manager(user_context=Handler)\n"),
    "from .shim import Handler\n\nx: Handler = Handler(user_context=1)\n",
]

trees = st.fixed_dictionaries({
    "legacy_keeps_old_manager": st.booleans(),
    "shim": st.sampled_from(SHIM_FORMS),
    "relay": st.sampled_from(RELAY_FORMS),
    "users": st.lists(st.sampled_from(USER_FORMS), min_size=1, max_size=3),
})


def _fix_quietly(root: Path) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        main(["fix", "--config", str(root / ".importlinter"), str(root / "pkg")])
    return out.getvalue().splitlines()[-1]


@settings(max_examples=25, deadline=None)
@given(tree=trees)
def test_one_run_of_fix_reaches_the_fixed_point(tree):
    with tempfile.TemporaryDirectory() as directory:
        root = make_project(Path(directory))
        if not tree["legacy_keeps_old_manager"]:
            (root / "pkg/core/legacy.py").write_text(LEGACY_WITHOUT_OLD_MANAGER)
        (root / "pkg/app/shim.py").write_text(tree["shim"])
        (root / "pkg/app/relay.py").write_text(tree["relay"])
        for number, source in enumerate(tree["users"]):
            (root / f"pkg/app/user{number}.py").write_text(source)
        _fix_quietly(root)
        once = {path: path.read_bytes() for path in sorted(root.rglob("*.py"))}
        for path, data in once.items():
            compile(data, str(path), "exec")
        second = _fix_quietly(root)
        assert {path: path.read_bytes() for path in sorted(root.rglob("*.py"))} == once
        assert second.startswith("Fixed 0 findings in 0 files;"), second


# -- the first pass opens only what `ssot check` says holds something to rewrite (issue 16) --------


def test_the_first_pass_opens_only_files_with_a_fixable_finding(tmp_path, monkeypatch):
    root = make_project(tmp_path)
    files = {
        "pkg/app/fixable.py": "from pkg.core.legacy import OldManager\n",
        "pkg/app/by_hand.py": "import pkg.core\n\npkg.core.get_manager()\n",  # SOT101 only
        "pkg/app/clean.py": "from pkg.core.manager import Manager\n",
        "pkg/app/broken.py": "from pkg.core.legacy import OldManager\ndef (:\n",
    }
    for relative, source in files.items():
        (root / relative).write_text(source)
    opened: list[str] = []  # the files each pass opens, "|" between passes
    real_fix, real_refreshed = command._fix, command.refreshed
    monkeypatch.setattr(command, "_fix",
                        lambda path, *more: opened.append(path.name) or real_fix(path, *more))
    monkeypatch.setattr(command, "refreshed", lambda *args: opened.append("|") or real_refreshed(*args))
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["fix", "--config", str(root / ".importlinter"), str(root / "pkg/app")])
    # Then the second pass: the files with findings left, the rewritten one, and clean.py, which
    # names Manager, a name whose meaning in fixable.py changed.
    assert opened == ["broken.py", "fixable.py", "|", "by_hand.py", "clean.py", "fixable.py"]
    assert code == 2
    assert err.getvalue() == (f"ssot: error: {root}/pkg/app/broken.py could not be analysed: "
                              "SyntaxError: invalid syntax\n")
    assert out.getvalue().splitlines() == [
        "Left to do by hand:",
        (f"{root}/pkg/app/by_hand.py:3:1: SOT101 pkg.core.get_manager is a banned singleton "
         "accessor: construct Manager(user_context=...)"),
        "Fixed 1 finding in 1 file; 1 left to do by hand.",
    ]
    assert (root / "pkg/app/fixable.py").read_text() == "from pkg.core.manager import Manager\n"


def test_a_silenced_finding_is_neither_fixed_nor_listed(tmp_path):
    """As ruff: `# noqa: SOT001` on the line keeps it; the file's other findings are fixed."""
    root = make_project(tmp_path)
    source = ("from pkg.core.legacy import OldManager  # noqa: SOT001\n"
              "from pkg.core.legacy import Helper\n")
    (root / "pkg/app/user.py").write_text(source)
    result = run("ssot", "fix", "pkg", cwd=root)
    assert (result.returncode, result.stdout) == (1, "Fixed 1 finding in 1 file; 0 left to do by hand.\n")
    assert (root / "pkg/app/user.py").read_text() == (
        "from pkg.core.legacy import OldManager  # noqa: SOT001\n"
        "from pkg.core.manager import Helper\n")
    (root / "pkg/app/user.py").write_text("from pkg.core.legacy import OldManager  # noqa\n")
    again = run("ssot", "fix", "pkg", cwd=root)
    assert (again.returncode, again.stdout) == (0, "Fixed 0 findings in 0 files; 0 left to do by hand.\n")
