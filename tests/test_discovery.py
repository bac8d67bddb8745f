"""Where the policy is found: `ssot-config` beside the flake8 config that names it, the working
directory when the checked paths have none, and which of two policies in one folder wins."""

from __future__ import annotations

from conftest import run

GOOD = "from pkg.core import get_manager\nget_manager()\n"
SINGLETON = "SOT101 get_manager is a banned singleton accessor: construct Manager(user_context=...)"


def test_ssot_config_in_the_flake8_section_is_relative_to_that_file(mini_project):
    root = mini_project.root
    (root / ".importlinter").rename(root / "policy.ini")
    (root / "setup.cfg").write_text("[flake8]\nssot-config = policy.ini\n")
    mini_project("pkg/app/good.py", GOOD)
    sub = root / "pkg" / "app"
    result = run("flake8", "--select", "SOT", "good.py", cwd=sub)  # flake8 finds setup.cfg above
    assert (result.returncode, result.stdout, result.stderr) == (1, f"good.py:2:1: {SINGLETON}\n", "")
    # on the command line a relative path stays relative to the working directory
    given = run("flake8", "--select", "SOT", "--ssot-config", "policy.ini", "good.py", cwd=sub)
    assert given.stderr == "ssot-flake8: error: policy.ini: no such configuration file\n"


def test_discovery_falls_back_to_the_working_directory(mini_project, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.py").write_text(GOOD)
    result = run("ssot", "check", str(outside / "x.py"), cwd=mini_project.root)
    assert (result.returncode, result.stderr) == (1, "")
    assert result.stdout == f"{outside / 'x.py'}:2:1: {SINGLETON}\nFound 1 error.\n"
    empty = tmp_path / "empty"
    empty.mkdir()
    nowhere = run("ssot", "check", str(outside / "x.py"), cwd=empty)
    assert (nowhere.returncode, nowhere.stderr) == (2, (
        "ssot: error: no SSOT policy (an import-linter configuration in setup.cfg, .importlinter "
        "or pyproject.toml registering ssot_flake8.contracts.SsotContract) found in "
        f"{outside} or its parents, nor in {empty} or its parents\n"))


def test_two_policies_in_one_folder_say_which_wins_once(mini_project):
    root = mini_project.root
    policy = (root / ".importlinter").read_text()
    (root / "setup.cfg").write_text(policy)
    (root / ".importlinter").write_text(policy.replace("get_manager: singleton", "other: singleton"))
    mini_project("pkg/app/good.py", GOOD)
    warning = (f"ssot: warning: {root}: setup.cfg and .importlinter both hold an import-linter "
               "configuration; using setup.cfg, as import-linter does\n")
    for command in (("ssot", "check", "pkg/app"), ("flake8", "--select", "SOT", "pkg/app")):
        result = run(*command, cwd=root)
        assert (result.returncode, result.stderr) == (1, warning), command
        assert f"pkg/app/good.py:2:1: {SINGLETON}" in result.stdout.splitlines()  # setup.cfg's
