"""The ssot contract inside real `lint-imports`: rendering, import-linter's options
(ignore_imports with wildcards, unmatched_ignore_imports_alerting, --verbose) and the warnings
of a contract that checks nothing."""

from __future__ import annotations

import os

import pytest
from conftest import POLICY_HEADER, run


def lint(project, config: str = POLICY_HEADER, *arguments: str, columns: str = "300"):
    (project.root / ".importlinter").write_text(config)
    env = {**os.environ, "COLUMNS": columns}
    return run("lint-imports", "--no-cache", "--no-logo", *arguments, cwd=project.root, env=env)


@pytest.fixture
def project(mini_project):
    mini_project("pkg/app/jobs.py", (
        "from pkg.core.legacy import OldManager\n"
        "from pkg.core.legacy import create_manager\n"
        "\n"
        "manager = create_manager(None)\n"
    ))
    mini_project("pkg/app/other.py", "from pkg.core.legacy import OldManager\n\nprint(OldManager)\n")
    mini_project("pkg/core/legacy.py", "def create_manager(user_context):\n    return None\n")
    return mini_project


JOBS = [
    "pkg.app.jobs (pkg/app/jobs.py):",
    "",
    "-   l.1: SOT001 pkg.core.legacy.OldManager is not the canonical path of Manager; use "
    "`from pkg.core.manager import Manager`",
    "-   l.2: SOT002 import of deprecated module pkg.core.legacy; use pkg.core.manager",
    "-   l.4: SOT102 create_manager is a deprecated factory: construct Manager(user_context=...)",
]


def broken_section(stdout: str) -> list[str]:
    body = stdout.split("Broken contracts\n----------------\n", 1)[1]
    return body.split("------------------------------------\n", 1)[1].strip().splitlines()


def test_broken_ssot_contract_renders_per_module_and_line_unwrapped(project):
    result = lint(project, columns="80")  # rich would wrap at 80; our lines stay whole
    assert result.returncode == 1
    assert "Manager has a single source of truth BROKEN" in result.stdout
    lines = broken_section(result.stdout)
    assert lines[:6] == [*JOBS, ""]
    assert lines[6:] == [
        "pkg.app.other (pkg/app/other.py):",
        "",
        "-   l.1: SOT001 pkg.core.legacy.OldManager is not the canonical path of Manager; use "
        "`from pkg.core.manager import Manager`",
        "",
        "`ssot fix` rewrites the SOT001, SOT002 imports to the canonical ones.",
    ]


def test_ignore_imports_silence_import_rules_with_wildcards(project):
    config = POLICY_HEADER + "ignore_imports =\n    pkg.*.other -> pkg.core.legacy\n"
    result = lint(project, config)
    assert "Manager has a single source of truth BROKEN (1 ignored import)" in result.stdout
    assert "pkg.app.other" not in result.stdout
    # Call rules are not import rules: the factory call stays reported.
    config = POLICY_HEADER + "ignore_imports =\n    pkg.** -> pkg.core.**\n"
    assert broken_section(lint(project, config).stdout) == [JOBS[0], "", JOBS[4]]


def test_flake8_and_ssot_check_honour_the_same_ignore_imports(project):
    (project.root / ".importlinter").write_text(
        POLICY_HEADER + "ignore_imports =\n    pkg.app.* -> pkg.core.legacy\n"
    )
    result = run("flake8", "--select", "SOT", "pkg", cwd=project.root)
    assert result.stdout.splitlines() == [
        "pkg/app/jobs.py:4:11: SOT102 create_manager is a deprecated factory: construct "
        "Manager(user_context=...)"
    ]
    check = run("ssot", "check", "pkg", cwd=project.root)
    assert check.stdout.splitlines()[0] == result.stdout.splitlines()[0]


def test_unmatched_ignore_imports_alerting(project):
    stale = POLICY_HEADER + "ignore_imports =\n    pkg.app.gone -> pkg.core.legacy\n"
    result = lint(project, stale)
    assert result.returncode == 1
    assert "No matches for ignored import pkg.app.gone -> pkg.core.legacy." in result.stdout
    result = lint(project, stale + "unmatched_ignore_imports_alerting = warn\n")
    assert "Manager has a single source of truth BROKEN (1 warning)" in result.stdout
    assert "- No matches for ignored import pkg.app.gone -> pkg.core.legacy." in result.stdout
    result = lint(project, stale + "unmatched_ignore_imports_alerting = none\n")
    assert "No matches" not in result.stdout
    result = lint(project, stale + "unmatched_ignore_imports_alerting = loud\n")
    assert result.returncode == 1
    assert "unmatched_ignore_imports_alerting" in result.stdout


def test_verbose_shows_progress_and_timing(project):
    result = lint(project, POLICY_HEADER, "--verbose")
    assert "Checking pkg.app.jobs..." in result.stdout
    assert "Ran the SSOT rules over 7 modules in" in result.stdout


def test_a_contract_that_checks_nothing_warns(project):
    config = POLICY_HEADER + "exempt_modules =\n    pkg\n    pkg.**\n"
    result = lint(project, config)
    assert "Manager has a single source of truth KEPT (1 warning)" in result.stdout
    assert "- checked nothing: each module of the graph is exempt or has no file under" in result.stdout


VACUOUS = """
[importlinter:contract:vacuous]
name = Nothing imports the legacy manager
type = forbidden
source_modules =
    pkg
forbidden_modules =
    pkg.core.legacy
"""


def test_a_forbidden_contract_that_checks_nothing_is_warned_about(project):
    """import-linter skips a forbidden pair whose source contains the forbidden module and says
    KEPT; the ssot contract in the same run warns about it (issue point 5)."""
    config = POLICY_HEADER + VACUOUS
    result = lint(project, config)
    assert "Nothing imports the legacy manager KEPT" in result.stdout
    assert (
        "- contract 'Nothing imports the legacy manager' checks nothing: each of its source "
        "modules contains or is inside each forbidden module"
    ) in result.stdout
    config_file = project.root / "elsewhere.ini"
    config_file.write_text(config)
    env = {**os.environ, "COLUMNS": "300"}
    result = run("lint-imports", "--no-cache", "--config", config_file, cwd=project.root, env=env)
    assert "checks nothing" in result.stdout


def test_a_bad_policy_is_one_line_in_the_report(project):
    result = lint(project, POLICY_HEADER.replace("pkg.core.manager.Manager\n", "pkg.core.nope.Manager\n", 1))
    assert result.returncode == 1
    assert (
        "contract 'Manager has a single source of truth': canonical: module pkg.core.nope of "
        "pkg.core.nope.Manager does not exist"
    ) in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_findings_are_cached_beside_import_linters_graph_and_follow_changes(project):
    (project.root / ".importlinter").write_text(POLICY_HEADER)
    env = {**os.environ, "COLUMNS": "300"}

    def lint_cached(*arguments: str):
        return run("lint-imports", "--no-logo", *arguments, cwd=project.root, env=env).stdout

    first = lint_cached()
    [cache] = (project.root / ".import_linter_cache").glob("ssot-contract-v1-*.json")
    assert lint_cached() == first  # from the cache
    jobs = project.root / "pkg" / "app" / "jobs.py"
    jobs.write_text(jobs.read_text().replace("manager = create_manager(None)", "manager = None"))
    assert "l.4: SOT102" in first and "l.4: SOT102" not in lint_cached()
    moved = project.root / "elsewhere"
    lint_cached("--cache-dir", str(moved))
    assert (moved / cache.name).is_file()
    cache.unlink()
    lint_cached("--no-cache")
    assert not cache.exists()


def test_noqa_is_honoured_as_in_flake8(project):
    other = project.root / "pkg" / "app" / "other.py"
    other.write_text(other.read_text().replace("import OldManager\n", "import OldManager  # noqa: SOT001\n"))
    assert "pkg.app.other" not in lint(project).stdout



@pytest.mark.parametrize("form", [["elsewhere.ini"], ["--config", "elsewhere.ini"]])
def test_the_config_named_on_the_command_line_is_the_one_read(project, form):
    """lint-imports takes the config as an argument (`--config` is deprecated since 2.4): the
    contract reads its siblings from that file, not from the .importlinter beside it."""
    (project.root / ".importlinter").write_text(POLICY_HEADER)
    (project.root / "elsewhere.ini").write_text(POLICY_HEADER + VACUOUS)
    env = {**os.environ, "COLUMNS": "300"}
    result = run("lint-imports", "--no-cache", "--no-logo", *form, cwd=project.root, env=env)
    assert "- contract 'Nothing imports the legacy manager' checks nothing" in result.stdout


def test_ignored_imports_are_matched_in_the_graph_on_a_cached_run_too(project):
    """On the second run every finding comes from the cache: the expression still matches."""
    (project.root / ".importlinter").write_text(
        POLICY_HEADER + "ignore_imports =\n    pkg.*.other -> pkg.core.legacy\n")
    for _ in range(2):
        result = run("lint-imports", "--no-logo", cwd=project.root)
        assert "Manager has a single source of truth BROKEN (1 ignored import)" in result.stdout
        assert "No matches" not in result.stdout
