"""Policy discovery and validation: each mistake gets one line naming file, contract and field."""

from __future__ import annotations

import pytest
from conftest import POLICY_HEADER, run

from ssot_flake8.policy.config import load_policy
from ssot_flake8.policy.model import PolicyError


def write_policy(project, text: str):
    path = project.root / ".importlinter"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda t: t + "canonicall = x\n",
         "contract 'ssot': canonicall: unknown field; did you mean 'canonical'?"),
        (lambda t: t.replace("pkg.core.manager.Manager\n", "pkg.core.missing.Manager\n", 1),
         "contract 'ssot': canonical: module pkg.core.missing of pkg.core.missing.Manager does not exist"),
        (lambda t: t.replace("pkg.core.manager.Manager\n", "other.Manager\n", 1),
         "contract 'ssot': canonical: other.Manager is not under the root package pkg"),
        (lambda t: t.replace("get_manager: singleton;", "get_manager: global;", 1),
         "contract 'ssot': banned_calls: 'pkg.core.legacy.get_manager: global; construct "
         "Manager(user_context=...)': expected `<qualified name>: singleton|factory[; instead]`"),
        (lambda t: t.replace("pkg.core.legacy.OldManager -> pkg.core.manager.Manager",
                             "pkg.core.legacy.OldManager -> pkg.core.x.Other"),
         "contract 'ssot': old_names: pkg.core.x.Other is not listed in canonical"),
        (lambda t: t.replace("Manager: user_context", "Manager: user context"),
         "contract 'ssot': required_arguments: 'pkg.core.manager.Manager: user context': "
         "bad argument names"),
        (lambda t: t.replace("root_package = pkg", "root_package = nothere"),
         "[importlinter]: root_package: nothere not found in"),
        (lambda t: t.replace("ssot: ssot_flake8.contracts.SsotContract", "x: y.Z"),
         "[importlinter]: contract_types: ssot_flake8.contracts.SsotContract is not registered"),
        (lambda t: t + "type_checking_imports = maybe\n",
         "contract 'ssot': type_checking_imports: 'maybe': expected report or ignore"),
        (lambda t: t.replace("[importlinter]\n", "importlinter]\n"), "not a valid INI file"),
    ],
)
def test_malformed_policy_gives_one_clear_line(mini_project, edit, message):
    path = write_policy(mini_project, edit(POLICY_HEADER))
    with pytest.raises(PolicyError) as error:
        load_policy(path)
    assert message in str(error.value)
    assert str(error.value).startswith(str(path))
    assert "\n" not in str(error.value)


def test_every_front_end_refuses_a_broken_policy_with_its_line(mini_project):
    path = write_policy(mini_project, POLICY_HEADER + "canonicall = x\n")
    mini_project("pkg/app/x.py", "from pkg.core import get_manager\n")
    problem = f"{path}:24: contract 'ssot': canonicall: unknown field; did you mean 'canonical'?"
    check = run("ssot", "check", "pkg", cwd=mini_project.root)
    assert (check.returncode, check.stdout, check.stderr) == (2, "", f"ssot: error: {problem}\n")
    # flake8 keeps working for the other plugins: the problem once on stderr, one SOT000 a file
    flake8 = run("flake8", "--select", "SOT,F", "pkg/app", cwd=mini_project.root)
    assert (flake8.returncode, flake8.stderr) == (1, f"ssot-flake8: error: {problem}\n")
    assert flake8.stdout.splitlines() == [
        f"pkg/app/__init__.py:1:1: SOT000 the SSOT policy cannot be used: {problem}",
        "pkg/app/x.py:1:1: F401 'pkg.core.get_manager' imported but unused",
        f"pkg/app/x.py:1:1: SOT000 the SSOT policy cannot be used: {problem}",
    ]
    lint = run("lint-imports", "--no-cache", "--config", ".importlinter", cwd=mini_project.root)
    assert lint.returncode == 1 and "canonicall" in lint.stdout + lint.stderr


def test_discovery_order_and_parent_directories(mini_project):
    """setup.cfg and .importlinter ([importlinter]) before pyproject.toml, as import-linter."""
    root = mini_project.root
    (root / "setup.cfg").write_text("[metadata]\nname = x\n")  # no [importlinter]: skipped
    sub = root / "pkg" / "app"
    sub.mkdir(parents=True, exist_ok=True)
    mini_project("pkg/app/x.py", "from pkg.core import get_manager\nget_manager()\n")
    result = run("ssot", "check", "x.py", cwd=sub)
    assert result.stdout.splitlines()[0] == (
        "x.py:2:1: SOT101 get_manager is a banned singleton accessor: "
        "construct Manager(user_context=...)"
    )


def test_pyproject_policy(mini_project):
    root = mini_project.root
    (root / ".importlinter").unlink()
    (root / "pyproject.toml").write_text(
        '[tool.importlinter]\nroot_package = "pkg"\n'
        'contract_types = ["ssot: ssot_flake8.contracts.SsotContract"]\n\n'
        '[[tool.importlinter.contracts]]\nname = "ssot"\ntype = "ssot"\n'
        'canonical = ["pkg.core.manager.Manager"]\n'
        'banned_calls = ["pkg.core.get_manager: singleton; construct Manager(user_context=...)"]\n'
    )
    policy = load_policy(root / "pyproject.toml")
    assert policy.banned_at("pkg.core.get_manager").kind == "singleton"
    assert policy.symbol_at("pkg.core.manager.Manager").import_line == (
        "from pkg.core.manager import Manager"
    )


def test_flake8_without_any_policy_reports_nothing(tmp_path):
    (tmp_path / "x.py").write_text("from pkg.core import get_manager\nget_manager()\n")
    result = run("flake8", "--select", "SOT", "x.py", cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_flake8_policy_option(mini_project, tmp_path):
    mini_project("pkg/app/x.py", "from pkg.core import get_manager\nget_manager()\n")
    config = mini_project.root / ".importlinter"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    target = mini_project.root / "pkg" / "app" / "x.py"
    result = run("flake8", "--select", "SOT", f"--ssot-config={config}", str(target), cwd=elsewhere)
    assert result.stdout.endswith(
        "x.py:2:1: SOT101 get_manager is a banned singleton accessor: "
        "construct Manager(user_context=...)\n"
    )
