"""A policy with problems: every problem in one run, each at its line, and every front-end agrees
that the policy cannot be used (a contract without a type, contradictions, a misspelt class)."""

from __future__ import annotations

import pytest
from conftest import POLICY_HEADER, run

from ssot_flake8.policy.config import load_policy
from ssot_flake8.policy.model import PolicyError


def write_policy(project, text: str):
    path = project.root / ".importlinter"
    path.write_text(text)
    return path


def problems(path) -> list[str]:
    with pytest.raises(PolicyError) as error:
        load_policy(path)
    return str(error.value).replace(f"{path}:", "").splitlines()


UNTYPED = """
[importlinter:contract:two]
name = app does not import core
source_modules = pkg.app
forbidden_modules = pkg.core
"""


@pytest.mark.parametrize(("extra", "problem"), [
    ("", "25: contract 'two': type: this is a required field (one of forbidden, layers, "
         "independence, protected, private_modules, acyclic_siblings, ssot)"),
    ("type = forbiden\n", "29: contract 'two': type: 'forbiden' is not a contract type; "
                          "did you mean 'forbidden'?"),
])
def test_a_contract_without_a_known_type_stops_every_front_end(mini_project, extra, problem):
    path = write_policy(mini_project, POLICY_HEADER + UNTYPED + extra)
    mini_project("pkg/app/x.py", "from pkg.core import get_manager\nget_manager()\n")
    check = run("ssot", "check", "pkg", cwd=mini_project.root)
    assert (check.returncode, check.stdout, check.stderr) == (2, "", f"ssot: error: {path}:{problem}\n")
    flake8 = run("flake8", "--select", "SOT", "pkg/app/x.py", cwd=mini_project.root)
    assert (flake8.returncode, flake8.stdout) == (
        1, f"pkg/app/x.py:1:1: SOT000 the SSOT policy cannot be used: {path}:{problem}\n")
    lint = run("lint-imports", "--no-cache", "--config", ".importlinter", cwd=mini_project.root)
    assert lint.returncode == 1  # import-linter refuses the configuration too


def test_every_problem_of_a_policy_comes_in_one_run_each_at_its_line(mini_project):
    text = (POLICY_HEADER.replace("root_package = pkg\n", "root_package = pkg\nstray line\n")
            .replace("get_manager: singleton;", "get_manager: global;", 1)
            + "canonicall = x\n" + UNTYPED)
    path = write_policy(mini_project, text)
    check = run("ssot", "check", "pkg", cwd=mini_project.root)
    assert check.returncode == 2
    assert check.stderr.splitlines() == [f"ssot: error: {path}:{line}" for line in [
        "3: not a valid INI file: cannot parse 'stray line'",
        "19: contract 'ssot': banned_calls: 'pkg.core.legacy.get_manager: global; construct "
        "Manager(user_context=...)': expected `<qualified name>: singleton|factory[; instead]`",
        "25: contract 'ssot': canonicall: unknown field; did you mean 'canonical'?",
        "27: contract 'two': type: this is a required field (one of forbidden, layers, "
        "independence, protected, private_modules, acyclic_siblings, ssot)",
    ]]


def test_a_toml_syntax_error_names_its_line(mini_project):
    root = mini_project.root
    (root / ".importlinter").unlink()
    (root / "pyproject.toml").write_text('[tool.importlinter]\nroot_package = pkg\n')
    check = run("ssot", "check", "pkg", cwd=root)
    assert (check.returncode, check.stderr) == (
        2, f"ssot: error: {root / 'pyproject.toml'}:2: not a valid TOML file: Invalid value\n")


def test_a_toml_contract_problem_names_its_line(mini_project):
    root = mini_project.root
    (root / ".importlinter").unlink()
    path = root / "pyproject.toml"
    path.write_text(
        '[tool.importlinter]\nroot_package = "pkg"\n'
        'contract_types = ["ssot: ssot_flake8.contracts.SsotContract"]\n\n'
        '[[tool.importlinter.contracts]]\nname = "ssot"\ntype = "ssot"\n'
        'canonical = [\n    "pkg.core.manager.Manager",\n    "pkg.core.missing.Thing",\n]\n')
    assert problems(path) == [
        "10: contract '0': canonical: module pkg.core.missing of pkg.core.missing.Thing does not exist"]


@pytest.mark.parametrize(("edit", "problem"), [
    # one canonical symbol "renamed" to another: a no-op fix and a nonsense message before
    (lambda t: t.replace("pkg.core.manager.Manager\n", "pkg.core.manager.Manager\n"
                         "    pkg.core.manager.Registry\n", 1).replace(
        "pkg.core.Manager\n", "pkg.core.Manager\n    pkg.core.manager.Registry -> "
                              "pkg.core.manager.Manager\n"),
     "15: contract 'ssot': old_names: pkg.core.manager.Registry is listed in canonical: "
     "a canonical name cannot be an old name"),
    (lambda t: t.replace("pkg.core.manager.Manager\n", "pkg.core.manager.Missing\n", 1)
     .replace("Manager: user_context", "Missing: user_context"),
     "10: contract 'ssot': canonical: pkg.core.manager does not define Missing"),
    (lambda t: t.replace("    pkg.shim\n", "    pkg.shim\n    pkg.core.manager\n"),
     "17: contract 'ssot': deprecated_modules: pkg.core.manager is the canonical home of "
     "pkg.core.manager.Manager: a canonical module cannot be deprecated"),
    (lambda t: t.replace("required_arguments =", "    pkg.core.manager.Manager: factory\n"
                         "required_arguments ="),
     "22: contract 'ssot': banned_calls: pkg.core.manager.Manager is listed in canonical: "
     "the canonical class cannot be a banned call"),
    (lambda t: t.replace("contracts.SsotContract", "contracts.SsotContrat"),
     "4: [importlinter]: contract_types: ssot_flake8.contracts.SsotContrat does not exist; "
     "did you mean ssot_flake8.contracts.SsotContract?"),
])
def test_contradictions_in_the_policy_are_reported(mini_project, edit, problem):
    mini_project("pkg/core/manager.py", "class Manager:\n    pass\n\n\nclass Registry:\n    pass\n")
    path = write_policy(mini_project, edit(POLICY_HEADER))
    assert problems(path) == [problem]
    check = run("ssot", "check", "pkg", cwd=mini_project.root)  # found, not passed over
    assert (check.returncode, check.stderr) == (2, f"ssot: error: {path}:{problem}\n")
