"""`ssot audit`: exact counts and locations on the example trees, every output format, and the
burn-down over a real temporary git repository."""

from __future__ import annotations

import json
import os
import pty
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from importlib.util import find_spec
from pathlib import Path

import pytest
from conftest import BIN, LEGACY, REMEDIATED, run

CYCLES_AVAILABLE = find_spec("ssot_flake8.analysis.cycles") is not None
CATEGORY_KEYS = [
    "duplicate_implementations", "compatibility_shims", "factory_patterns",
    "import_path_fragmentation", "circular_imports", "deprecated_usage",
    "singleton_accessor_calls", "missing_isolation_argument", "stale_imports", "boundary_breaks",
    "unanalysed_files",
]
APP = "netra_backend/app/"
CORE = "netra_backend/app/websocket_core/"
FACTORY = CORE + "websocket_manager_factory.py"
MANAGER = "netra_backend.app.websocket_core.websocket_manager.WebSocketManager"
INFO = "netra_backend.app.websocket_core.connection_info.ConnectionInfo"

# Read off examples/legacy (examples/README.md lists where each category lives).
LEGACY_COUNTS = {
    "duplicate_implementations": 5,
    "compatibility_shims": 5,
    "factory_patterns": 12,
    "import_path_fragmentation": 8,  # with the index: services/recovery's alias, used by reconnect
    "circular_imports": 8 if CYCLES_AVAILABLE else None,
    "deprecated_usage": 31,
    "singleton_accessor_calls": 5,
    "missing_isolation_argument": 4,
    "stale_imports": 1,
    "boundary_breaks": 7,
    "unanalysed_files": 0,
}
LEGACY_LOCATIONS = {
    "duplicate_implementations": [
        CORE + "canonical_imports.py:13", CORE + "migration_adapter.py:18",
        CORE + "ssot_validation_enhancer.py:29", CORE + "unified_manager.py:17",
        CORE + "unified_manager.py:42",
    ],
    "compatibility_shims": [
        APP + "websocket/__init__.py:3", APP + "websocket/__init__.py:4", APP + "websocket/__init__.py:5",
        APP + "websocket/connection_info.py:3", APP + "websocket/connection_manager.py:3",
        CORE + "__init__.py:8", CORE + "__init__.py:9", CORE + "manager.py:3", CORE + "manager.py:4",
    ],
    "factory_patterns": [
        APP + "services/recovery.py:8", APP + "websocket/connection_manager.py:5",
        CORE + "canonical_imports.py:30", CORE + "migration_adapter.py:26",
        CORE + "unified_manager.py:22", CORE + "websocket_manager.py:37",
        FACTORY + ":35", FACTORY + ":39", FACTORY + ":43", FACTORY + ":56", FACTORY + ":59",
        FACTORY + ":67",
    ],
    "import_path_fragmentation": [
        APP + "services/event_router.py:10", APP + "services/health.py:8",
        APP + "services/presence_service.py:6", APP + "services/reconnect_service.py:5",
        APP + "services/recovery.py:6",
        APP + "services/streaming_service.py:7", APP + "websocket/__init__.py:3",
        APP + "websocket/__init__.py:3", APP + "websocket/__init__.py:4", APP + "websocket/__init__.py:5",
        CORE + "__init__.py:8", CORE + "canonical_imports.py:9", CORE + "connection_manager.py:8",
        CORE + "manager.py:4", CORE + "migration_adapter.py:10", CORE + "protocols.py:9",
        CORE + "websocket_manager.py:29", FACTORY + ":13",
        "netra_backend/tests/mission_critical/test_websocket_agent_events_suite.py:9",
        "netra_backend/tests/test_ssot_startup.py:5",
    ],
    "deprecated_usage": [
        APP + "services/background_jobs.py:10", APP + "services/background_jobs.py:12",
        APP + "services/loader.py:10", APP + "services/loader.py:14", APP + "services/loader.py:15",
        APP + "services/metrics_service.py:7", APP + "services/session_service.py:19",
        APP + "services/thread_service.py:5", APP + "services/thread_service.py:13",
        CORE + "__init__.py:4", CORE + "__init__.py:5", CORE + "__init__.py:6",
        CORE + "canonical_imports.py:7", CORE + "canonical_imports.py:10",
        CORE + "canonical_imports.py:36", CORE + "migration_adapter.py:8",
        CORE + "migration_adapter.py:36", CORE + "ssot_validation_enhancer.py:11",
        CORE + "ssot_validation_enhancer.py:26", CORE + "unified_manager.py:11",
        CORE + "websocket_manager.py:23", CORE + "websocket_manager.py:24",
        CORE + "websocket_manager.py:25", CORE + "websocket_manager.py:26",
        FACTORY + ":48", FACTORY + ":52",
        "netra_backend/tests/e2e/thread_test_fixtures.py:34",
        "netra_backend/tests/integration/test_agent_execution_core.py:7",
        "netra_backend/tests/integration/test_agent_execution_core.py:14",
        "netra_backend/tests/websocket_core/test_send_after_close_race_condition.py:20",
        "netra_backend/tests/websocket_core/test_send_after_close_race_condition.py:25",
    ],
    "singleton_accessor_calls": [
        APP + "services/agent_service.py:15", APP + "services/metrics_service.py:11",
        CORE + "routes.py:17",
        "netra_backend/tests/mission_critical/test_websocket_singleton_vulnerability.py:13",
        "netra_backend/tests/mission_critical/test_websocket_singleton_vulnerability.py:15",
    ],
    "missing_isolation_argument": [
        APP + "services/notification_service.py:13", FACTORY + ":56", FACTORY + ":62", FACTORY + ":68",
    ],
    "stale_imports": [APP + "services/reconnect_service.py:8"],
    "boundary_breaks": [
        APP + "services/agent_service.py:7", APP + "services/session_service.py:8",
        APP + "websocket/__init__.py:3", CORE + "routes.py:7", CORE + "unified_manager.py:13",
        "netra_backend/tests/e2e/thread_test_fixtures.py:25",
        "netra_backend/tests/mission_critical/test_websocket_singleton_vulnerability.py:5",
    ],
    "unanalysed_files": [],
}


def audit_json(*args: str, cwd: Path = LEGACY) -> dict:
    result = run("ssot", "audit", "--format", "json", *args, cwd=cwd)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def legacy_report() -> dict:
    return audit_json()


def where(location: dict) -> str:
    return f"{location['path']}:{location['line']}"


def test_legacy_counts_and_locations_per_category(legacy_report):
    report = legacy_report
    assert report["version"] == 1
    assert report["files"] == 50
    categories = report["categories"]
    assert list(categories) == CATEGORY_KEYS
    assert {key: c["count"] for key, c in categories.items()} == LEGACY_COUNTS
    for key, expected in LEGACY_LOCATIONS.items():
        assert [where(loc) for loc in categories[key]["locations"]] == expected, key


def test_legacy_breakdowns_and_details(legacy_report):
    categories = legacy_report["categories"]
    factories = categories["factory_patterns"]
    assert factories["kinds"] == {"function": 2, "singleton": 4, "static": 3, "method": 0, "alias": 3}
    details = {where(loc): loc["detail"] for loc in factories["locations"]}
    assert details[FACTORY + ":39"] == "function factory create_websocket_manager"
    assert details[CORE + "migration_adapter.py:26"] == "static factory WebSocketManager.create"
    assert details[FACTORY + ":59"] == "singleton: `global` cache in get_websocket_manager()"
    assert details[CORE + "unified_manager.py:22"] == (
        "singleton: `_instance` caching in UnifiedWebSocketManager.__new__")
    assert details[APP + "services/recovery.py:8"] == (
        "alias WebSocketRecoveryManager = "
        "netra_backend.app.websocket_core.unified_manager.UnifiedWebSocketManager")
    assert categories["deprecated_usage"]["kinds"] == {
        "imports": 17, "dynamic_imports": 3, "factory_calls": 11}
    assert categories["deprecated_usage"]["locations"][2] == {
        "path": APP + "services/loader.py", "line": 10, "code": "SOT003",
        "detail": "dynamic import of netra_backend.app.websocket_core.websocket_manager_factory",
    }
    assert categories["compatibility_shims"]["summary"] == "9 re-exports"
    assert categories["import_path_fragmentation"]["kinds"] == {
        "files": 17, "imports": 38, "canonical_imports": 18}
    assert categories["missing_isolation_argument"]["locations"][0]["detail"] == (
        "WebSocketManager(...) without user_context")


def paths_table(symbol: dict) -> list[tuple]:
    return [(f"{p['module']}.{p['name']}", p["canonical"], p["files"], p["imports"])
            for p in symbol["paths"]]


def test_legacy_import_paths_of_each_registered_symbol(legacy_report):
    report = legacy_report
    symbols = {s["symbol"]: s for s in report["import_paths"]}
    assert list(symbols) == [INFO, MANAGER]
    manager = symbols[MANAGER]
    assert manager["canonical_import"] == (
        "from netra_backend.app.websocket_core.websocket_manager import WebSocketManager")
    assert paths_table(manager) == [
        (MANAGER, True, 7, 7),
        ("netra_backend.app.websocket_core.unified_manager.UnifiedWebSocketManager", False, 12, 12),
        ("netra_backend.app.websocket.connection_manager.ConnectionManager", False, 2, 2),
        ("netra_backend.app.services.recovery.WebSocketRecoveryManager", False, 1, 1),  # the index
        ("netra_backend.app.websocket_core.UnifiedWebSocketManager", False, 1, 1),
        ("netra_backend.app.websocket_core.WebSocketManager", False, 1, 1),
        ("netra_backend.app.websocket_core.manager.WebSocketManager", False, 1, 1),
        ("netra_backend.app.websocket_core.migration_adapter.WebSocketManager", False, 1, 1),
    ]
    assert [where(loc) for loc in manager["paths"][0]["locations"]] == [
        APP + "services/chat_service.py:6", APP + "services/health.py:10",
        APP + "services/notification_service.py:6", APP + "websocket/connection_manager.py:3",
        CORE + "__init__.py:9", CORE + "handlers.py:9", CORE + "manager.py:3",
    ]
    assert (manager["imports"], manager["canonical_imports"], manager["canonical_share"]) == (
        26, 7, 0.2692)
    info = symbols[INFO]
    assert paths_table(info) == [
        (INFO, True, 11, 11),
        ("netra_backend.app.websocket.connection_info.ConnectionInfo", False, 1, 1),
    ]
    assert info["canonical_share"] == 0.9167
    assert report["canonical_share"] == round(18 / 38, 4)


def test_remediated_is_zero_everywhere_with_full_canonical_share():
    report = audit_json(cwd=REMEDIATED)
    counts = {key: c["count"] for key, c in report["categories"].items()}
    assert counts == {key: (0 if key != "circular_imports" or CYCLES_AVAILABLE else None)
                      for key in CATEGORY_KEYS}
    assert all(not c["locations"] for c in report["categories"].values())
    assert report["canonical_share"] == 1.0
    symbols = {s["symbol"]: s for s in report["import_paths"]}
    assert paths_table(symbols[MANAGER]) == [(MANAGER, True, 19, 19)]
    assert paths_table(symbols[INFO]) == [(INFO, True, 10, 10)]


def test_text_format_table_and_sections():
    result = run("ssot", "audit", cwd=LEGACY)
    assert result.returncode == 0 and result.stderr == ""
    lines = result.stdout.splitlines()
    cycles = ("8" if CYCLES_AVAILABLE else
              "n/a  not measured (no cycle finder: ssot_flake8.analysis.cycles is missing)")
    assert lines[0] == "ssot audit: 50 files under . (policy: .importlinter)"
    header, dashes, rows = lines[2], lines[3], lines[4:15]
    # columns: each header starts where its dashes start; counts are right-aligned under "count"
    assert [header.index(title) for title in ("category", "what", "count", "detail")] == [
        m.start() for m in re.finditer("-+", dashes)]
    count_end = header.index("count") + len("count")
    assert all(row[count_end - 1] in "0123456789a" and row[count_end:count_end + 1] in ("", " ")
               for row in rows)
    table = [" ".join(line.split()) for line in [header, *rows]]
    assert table == [
        "category what it looks like count detail",
        "duplicate implementations class with a registered name outside its home (SOT205) 5",
        ("compatibility shims module that re-exports a registered symbol (SOT204), per module 5 "
        "9 re-exports"),
        ("factory patterns factory function or method, singleton, alias (SOT202, SOT201, SOT203) 12 "
        "2 function / 4 singleton / 3 static / 0 method / 3 alias"),
        ("import-path fragmentation non-canonical import path of a registered symbol, per path "
        "(SOT001) 8 17 files; canonical share 18/38 = 47%"),
        "circular imports import cycle a -> b -> a " + " ".join(cycles.split()),
        ("deprecated module/factory usage import of a deprecated module, also dynamic; factory call "
        "(SOT002, SOT003, SOT102) 31 17 imports / 3 dynamic imports / 11 factory calls"),
        "singleton accessor calls call of a banned singleton accessor (SOT101) 5",
        ("missing isolation argument registered class built without its required argument "
        "(SOT103) 4"),
        "stale imports import of a name or module the tree no longer has (SOT004) 1",
        "boundary breaks direct import that breaks a boundary contract (SOT005) 7",
        ("unanalysed files file that may hold a finding but does not parse or decode (SOT000) 0 "
         "0 newer syntax / 0 syntax errors / 0 unreadable; 11 more files not parsed: they name "
         "nothing of the policy"),
    ]
    start = lines.index("singleton accessor calls (5)")
    assert lines[start + 1:start + 3] == [
        "  netra_backend/app/services/agent_service.py:15  get_websocket_manager()",
        ("  netra_backend/app/services/metrics_service.py:11  "
        "websocket_manager_factory.get_websocket_manager()"),
    ]
    start = lines.index(f"import paths of {MANAGER}")
    assert lines[start + 1:start + 2] == [
        "  canonical: from netra_backend.app.websocket_core.websocket_manager import WebSocketManager"]
    assert lines[start + 2] == "  canonical share: 7 of 26 imports (27%)"
    assert lines[start + 5].split() == [MANAGER, "(canonical)", "7", "7"]


def test_markdown_format_headers():
    result = run("ssot", "audit", "--format", "markdown", cwd=LEGACY)
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[:6] == [
        "# SSOT audit",
        "",
        "50 files under `.`, policy `.importlinter`.",
        "",
        "| category | what it looks like | count | detail |",
        "|---|---|---:|---|",
    ]
    assert lines[6] == ("| duplicate implementations | class with a registered name outside its "
                        "home (SOT205) | 5 |  |")
    assert len([line for line in lines[6:] if line.startswith("| ")]) >= len(CATEGORY_KEYS)
    assert "## duplicate implementations (5)" in lines
    assert f"- `{CORE}unified_manager.py:42` class WebSocketManager" in lines
    heading = lines.index(f"## Import paths of `{MANAGER}`")
    assert lines[heading + 2] == (
        "Canonical: `from netra_backend.app.websocket_core.websocket_manager import "
        "WebSocketManager`; canonical share 7 of 26 imports (27%).")
    assert lines[heading + 4:heading + 7] == [
        "| path | canonical | files | imports |",
        "|---|---|---:|---:|",
        f"| `{MANAGER}` | yes | 7 | 7 |",
    ]


def test_every_import_form_is_counted_once(mini_project):
    mini_project("pkg/core/__init__.py", "")
    mini_project("pkg/app/a.py", "from pkg.core.manager import Manager\n"
                 "from pkg.core.legacy import OldManager\n")
    mini_project("pkg/app/b.py", "import pkg.core.manager as m\n\n"
                 "x = m.Manager(user_context=1)\ny = m.Manager(user_context=2)\n")
    mini_project("pkg/app/c.py", "from ..core.manager import Manager as M\n")
    mini_project("pkg/app/d.py", "def f():\n    from pkg.core import Manager\n"
                 "    return Manager(user_context=1)\n")
    mini_project("pkg/app/e.py", "from pkg.core.manager import *\n\nm = Manager(user_context=1)\n")
    mini_project("pkg/app/f.py", "def Manager():\n    return 1\n\nManager()\n")
    report = audit_json(cwd=mini_project.root)
    (symbol,) = report["import_paths"]
    assert paths_table(symbol) == [
        ("pkg.core.manager.Manager", True, 4, 4),
        ("pkg.core.Manager", False, 1, 1),
        ("pkg.core.legacy.OldManager", False, 1, 1),
    ]
    located = [(where(loc), loc["detail"]) for loc in symbol["paths"][0]["locations"]]
    assert located == [
        ("pkg/app/a.py:1", "from import"), ("pkg/app/b.py:3", "attribute reference"),
        ("pkg/app/c.py:1", "from import"), ("pkg/app/e.py:1", "star import"),
    ]
    assert [where(loc) for loc in symbol["paths"][1]["locations"]] == ["pkg/app/d.py:2"]
    assert report["canonical_share"] == round(4 / 6, 4)
    assert report["categories"]["import_path_fragmentation"]["count"] == 2


def test_paths_limit_the_audit_and_bad_input_is_one_line():
    report = audit_json("netra_backend/app/websocket")
    assert report["files"] == 3
    assert report["categories"]["compatibility_shims"]["count"] == 3
    for args, message in [
        (["nowhere"], "ssot: error: nowhere: no such file or directory"),
        (["--chart", "burn.svg"],
         "ssot: error: --chart needs --history N or --since REV (it draws the burn-down)"),
        (["--history", "2", "--chart", "burn.png"],
         "ssot: error: --chart burn.png: only SVG charts are written (FILE.svg)"),
        (["--history", "0"], "ssot: error: --history: N must be at least 1"),
        (["--config", "missing.cfg"], "ssot: error: missing.cfg: no such configuration file"),
    ]:
        result = run("ssot", "audit", *args, cwd=LEGACY)
        assert (result.returncode, result.stderr, result.stdout) == (2, message + "\n", ""), args
    assert not (LEGACY / "burn.svg").exists()


def test_history_needs_a_git_repository(legacy_copy):
    result = run("ssot", "audit", "--history", "2", cwd=legacy_copy)
    assert result.returncode == 2
    assert result.stderr == (
        f"ssot: error: --history needs a git repository; {legacy_copy.resolve()} is not in one\n")


# -- --history over a real repository --------------------------------------------------------------


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    result = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, env=env,
                            check=True)
    return result.stdout


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


@pytest.fixture
def migrating_repo(tmp_path: Path) -> Path:
    """examples/legacy in a git repo (under a subdirectory), with two commits of migration work."""
    repo = tmp_path / "repo"
    project = repo / "backend"
    shutil.copytree(LEGACY, project, ignore=shutil.ignore_patterns("__pycache__"))
    (repo / "README").write_text("outside the audited tree\n")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "legacy")
    services = project / "netra_backend/app/services"
    edit(services / "agent_service.py",
         "from netra_backend.app.websocket_core import get_websocket_manager\n",
         "from netra_backend.app.websocket_core.websocket_manager import WebSocketManager\n")
    edit(services / "agent_service.py", "manager = get_websocket_manager()",
         "manager = WebSocketManager(user_context=ctx)")
    edit(services / "notification_service.py", "manager = WebSocketManager()",
         "manager = WebSocketManager(user_context=None)")
    git(repo, "commit", "-qam", "no singleton accessor in agent_service, explicit context")
    shutil.rmtree(project / "netra_backend/app/websocket")
    edit(project / "netra_backend/tests/test_ssot_startup.py",
         "from netra_backend.app.websocket.connection_manager import ConnectionManager",
         "from netra_backend.app.websocket_core.websocket_manager import "
         "WebSocketManager as ConnectionManager")
    # The flagship policy names no deleted module in a boundary contract: it loads unchanged.
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "remove the app.websocket shims")
    return repo


def test_history_burns_down_without_touching_the_working_tree(migrating_repo: Path):
    project = migrating_repo / "backend"
    # Uncommitted work in progress: a staged new violation and an unstaged edit.
    routes = project / "netra_backend/app/websocket_core/routes.py"
    routes.write_text(routes.read_text() + "\nEXTRA = get_websocket_manager()\n")
    git(migrating_repo, "add", str(routes))
    notes = project / "netra_backend/app/services/chat_service.py"
    notes.write_text(notes.read_text() + "# unstaged note\n")
    before = snapshot(migrating_repo)

    result = run("ssot", "audit", "--history", "5", "--format", "json", cwd=project)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # piped: no progress
    history = json.loads(result.stdout)["history"]
    log = git(migrating_repo, "log", "--format=%H %s").splitlines()
    assert [entry["commit"] for entry in history] == [line.split()[0] for line in reversed(log)]
    assert [entry["error"] for entry in history] == [None, None, None]
    counts = [entry["counts"] for entry in history]
    assert counts[0] == LEGACY_COUNTS
    assert counts[1] == {**LEGACY_COUNTS, "singleton_accessor_calls": 4,
                         "missing_isolation_argument": 3,
                         "boundary_breaks": 6}  # agent_service no longer imports from the package
    assert counts[2] == {**counts[1], "compatibility_shims": 2, "factory_patterns": 11,
                         "import_path_fragmentation": 4, "boundary_breaks": 5}
    assert [entry["files"] for entry in history] == [50, 50, 47]
    assert [entry["canonical_share"] for entry in history] == [
        round(18 / 38, 4), round(19 / 39, 4), round(18 / 33, 4)]
    assert snapshot(migrating_repo) == before  # working tree, index and HEAD untouched

    text = run("ssot", "audit", "--history", "2", cwd=project)
    lines = text.stdout.splitlines()
    assert lines[0] == "ssot audit: burn-down, oldest commit first"
    assert lines[2].split() == ["commit", "date", "dup", "shims", "factories", "paths", "cycles",
                                "deprecated", "accessor", "no-ctx", "stale", "boundary", "unparsed",
                                "canonical", "note"]
    short = [entry["short"] for entry in history]
    cycles = "8" if CYCLES_AVAILABLE else "n/a"
    assert lines[4].split()[2:] == ["5", "5", "12", "8", cycles, "31", "4", "3", "1", "6", "0", "49%"]
    assert lines[4].split()[0] == short[1]
    assert lines[5].split()[2:] == ["5", "2", "11", "4", cycles, "31", "4", "3", "1", "5", "0", "55%"]
    assert len(lines) == 6

    markdown = run("ssot", "audit", "--history", "1", "--format", "markdown", cwd=project).stdout
    assert markdown.splitlines()[:4] == [
        "# SSOT audit burn-down", "",
        ("| commit | date | dup | shims | factories | paths | cycles | deprecated | accessor | "
        "no-ctx | stale | boundary | unparsed | canonical | note |"),
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    assert markdown.splitlines()[4].startswith(f"| `{short[2]}` | ")
    assert snapshot(migrating_repo) == before


def snapshot(repo: Path) -> tuple:
    files = {p.relative_to(repo).as_posix(): p.read_bytes()
             for p in sorted(repo.rglob("*")) if p.is_file() and ".git" not in p.parts}
    return (files, (repo / ".git/index").read_bytes(), git(repo, "rev-parse", "HEAD"),
            git(repo, "status", "--porcelain"))


def test_history_chart_is_svg_with_one_series_per_category(migrating_repo: Path, tmp_path: Path):
    chart = tmp_path / "burn.svg"
    chart.write_text("old chart")
    chart.chmod(0o640)
    result = run("ssot", "audit", "--history", "3", "--chart", str(chart), cwd=migrating_repo / "backend")
    assert result.returncode == 0, result.stderr
    assert chart.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".burn")] == []
    root = ET.fromstring(chart.read_text())
    ns = "{http://www.w3.org/2000/svg}"
    assert root.tag == f"{ns}svg"
    series = [g for g in root.iter(f"{ns}g") if g.get("class") == "series"]
    assert [g.get("data-category") for g in series] == CATEGORY_KEYS
    points = {g.get("data-category"): len(g.findall(f"{ns}circle")) for g in series}
    assert points == {key: (0 if key == "circular_imports" and not CYCLES_AVAILABLE else 3)
                      for key in CATEGORY_KEYS}
    legend = [t.text for g in series for t in g.findall(f"{ns}text")]
    assert legend[0] == "duplicate implementations"
    labels = {t.text for t in root.iter(f"{ns}text")}
    shorts = git(migrating_repo, "log", "--format=%h").split()
    assert set(shorts) <= labels


def test_history_applies_todays_policy_to_commits_made_before_it(migrating_repo: Path, tmp_path: Path):
    """Issue 19: the burn-down exists on the day a team adopts the policy."""
    project = migrating_repo / "backend"
    (project / ".importlinter").rename(project / "setup.cfg")  # the policy moved: older commits
    git(migrating_repo, "add", "-A")  # have none at setup.cfg
    git(migrating_repo, "commit", "-qm", "policy in setup.cfg")
    # ... and today's policy, not yet committed, requires no user_context argument any more
    edit(project / "setup.cfg", "required_arguments =\n    netra_backend.app.websocket_core."
         "websocket_manager.WebSocketManager: user_context\n", "")
    report = json.loads(run("ssot", "audit", "--history", "4", "--format", "json", cwd=project).stdout)
    assert [entry["error"] for entry in report["history"]] == [None] * 4
    first = tmp_path / "first"  # the first commit as it was, audited with today's policy
    shutil.copytree(LEGACY, first, ignore=shutil.ignore_patterns("__pycache__", ".importlinter"))
    shutil.copy(project / "setup.cfg", first / "setup.cfg")
    today = audit_json(cwd=first)
    assert report["history"][0]["counts"] == {k: c["count"] for k, c in today["categories"].items()}
    assert report["history"][0]["counts"] == {**LEGACY_COUNTS, "missing_isolation_argument": 0}
    assert report["history"][3]["counts"] == report["history"][2]["counts"]


def test_history_since_a_revision(migrating_repo: Path):
    project = migrating_repo / "backend"
    log = git(migrating_repo, "log", "--format=%H").split()  # newest first
    report = json.loads(run("ssot", "audit", "--since", log[1], "--format", "json", cwd=project).stdout)
    assert [entry["commit"] for entry in report["history"]] == [log[1], log[0]]
    report = json.loads(run("ssot", "audit", "--since", log[2], "--history", "2", "--format", "json",
                            cwd=project).stdout)
    assert [entry["commit"] for entry in report["history"]] == [log[1], log[0]]
    report = json.loads(run("ssot", "audit", "--since", "HEAD", "--format", "json", cwd=project).stdout)
    assert [entry["commit"] for entry in report["history"]] == [log[0]]
    bad = run("ssot", "audit", "--since", "no-such-rev", cwd=project)
    assert (bad.returncode, bad.stdout, bad.stderr) == (
        2, "", "ssot: error: --since no-such-rev: no such commit\n")


def test_history_marks_a_commit_it_cannot_measure(mini_project):
    root = mini_project.root
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".importlinter")
    git(root, "commit", "-qm", "the policy before the code")
    mini_project("pkg/app/a.py", "from pkg.core.legacy import OldManager\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "the code")
    report = json.loads(run("ssot", "audit", "--history", "2", "--format", "json", cwd=root).stdout)
    errors = [entry["error"] for entry in report["history"]]
    assert errors[1] is None  # the policy's own wording, with the snapshot's folder as "."
    assert errors[0].startswith(".importlinter:") and errors[0].endswith("pkg not found in ., src")
    assert report["history"][0]["counts"] is None
    text = run("ssot", "audit", "--history", "2", cwd=root).stdout.splitlines()
    assert text[4].endswith(f"-  {errors[0]}")


def test_history_progress_on_a_terminal_only(migrating_repo: Path):
    controller, terminal = pty.openpty()
    process = subprocess.run(
        [str(BIN / "ssot"), "audit", "--history", "3"], cwd=migrating_repo / "backend",
        stdout=subprocess.PIPE, stderr=terminal, check=False,
    )
    os.close(terminal)
    progress = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", os.read(controller, 65536).decode())
    os.close(controller)
    assert process.returncode == 0
    assert "ssot audit" in progress and "3/3" in progress and "commits" in progress
    assert b"commits" not in process.stdout and b"3/3" not in process.stdout


def test_bad_files_are_counted_and_do_not_stop_the_audit(legacy_copy: Path):
    services = legacy_copy / "netra_backend/app/services"
    (services / "broken.py").write_text("from netra_backend.app.websocket_core import (\n")
    (services / "latin1.py").write_bytes(b"# \xe9\nfrom x import WebSocketManager\n")
    report = audit_json(cwd=legacy_copy)
    unanalysed = report["categories"]["unanalysed_files"]
    assert [(where(loc), loc["code"]) for loc in unanalysed["locations"]] == [
        (APP + "services/broken.py:1", "SOT000"), (APP + "services/latin1.py:1", "SOT000")]
    assert unanalysed["locations"][1]["detail"] == (
        "not valid utf-8 (byte 2) and no coding declaration (Python refuses the file); its "
        "other findings read it as Latin-1, as flake8 does")
    counts = {key: c["count"] for key, c in report["categories"].items()}
    assert counts == {**LEGACY_COUNTS, "unanalysed_files": 2}
    # why: the pre-filter never parses a file that names nothing of the policy (no SOT000)
    assert unanalysed["kinds"] == {"newer_syntax": 0, "syntax_errors": 1, "unreadable": 1,
                                   "not_parsed": unanalysed["kinds"]["not_parsed"]}
    skipped = unanalysed["kinds"]["not_parsed"]
    (services / "unrelated_broken.py").write_text("def f(:\n    pass\n")
    (services / "newer.py").write_text(
        "from netra_backend.app.websocket_core import WebSocketManager\nx = f'{'a'}'\n")
    again = audit_json(cwd=legacy_copy)["categories"]["unanalysed_files"]
    newer = 1 if sys.version_info < (3, 12) else 0  # 3.12 parses nested f-string quotes
    assert [where(loc) for loc in again["locations"]] == (
        [APP + "services/broken.py:1", APP + "services/latin1.py:1"]
        + [APP + "services/newer.py:2"] * newer)
    assert again["kinds"] == {"newer_syntax": newer, "syntax_errors": 1, "unreadable": 1,
                              "not_parsed": skipped + 1}  # + unrelated_broken.py
    assert again["summary"] == (f"{newer} newer syntax / 1 syntax errors / 1 unreadable; "
                                f"{skipped + 1} more files not parsed: they name nothing of the "
                                "policy")


def test_history_skips_links_that_leave_the_snapshot(mini_project, tmp_path: Path):
    outside = tmp_path / "outside.py"
    outside.write_text("from pkg.core.legacy import OldManager\n")
    mini_project("pkg/app/a.py", "from pkg.core.legacy import OldManager\n")
    root = mini_project.root
    (root / "pkg/app/linked.py").symlink_to(outside)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "with a link out of the repository")
    report = json.loads(run("ssot", "audit", "--history", "1", "--format", "json", cwd=root).stdout)
    (entry,) = report["history"]
    assert entry["error"] is None
    assert entry["files"] == 5  # pkg, pkg/app, pkg/core __init__s, manager.py, a.py: not the link
    assert entry["counts"]["import_path_fragmentation"] == 1
    assert entry["canonical_share"] == 0.0


def test_history_skips_blobs_the_repository_lacks(mini_project):
    """A partial clone (or a mirror with pruned large files) lacks some blobs: the commit is
    still audited, without those files, and the note says how many were left out."""
    mini_project("pkg/app/a.py", "from pkg.core.legacy import OldManager\n")
    mini_project("pkg/app/b.py", "from pkg.core.legacy import OldManager as Old\n")
    root = mini_project.root
    (root / "pkg/app/data.json").write_text("{}\n")  # not Python: never read from git
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "two importers")
    for name in ("pkg/app/b.py", "pkg/app/data.json"):
        blob = git(root, "rev-parse", f"HEAD:{name}").strip()
        (root / ".git/objects" / blob[:2] / blob[2:]).unlink()
    report = json.loads(run("ssot", "audit", "--history", "1", "--format", "json", cwd=root).stdout)
    (entry,) = report["history"]
    assert (entry["error"], entry["missing_files"], entry["files"]) == (None, 1, 5)
    assert entry["counts"]["import_path_fragmentation"] == 1
    text = run("ssot", "audit", "--history", "1", cwd=root)
    assert text.returncode == 0 and text.stderr == ""
    assert text.stdout.splitlines()[-1].endswith("1 files not in the repository's objects")


def test_a_warm_audit_reads_the_changed_files_again(mini_project):
    """Both caches (check's, and the cycle finder's imports) follow an edit: a cycle made, then
    broken, then an unrelated file touched without a change."""
    a = mini_project("pkg/app/a.py", "from pkg.app import b\n")
    b = mini_project("pkg/app/b.py", "X = 1\n")
    root = mini_project.root

    def cycles() -> list[str]:
        report = json.loads(run("ssot", "audit", "--format", "json", cwd=root).stdout)
        return [loc["detail"] for loc in report["categories"]["circular_imports"]["locations"]]

    assert cycles() == []
    assert (root / ".ssot_cache/imports-v1.json").is_file()
    b.write_text("from pkg.app import a\nX = 1\n")
    assert cycles() == ["a -> b -> a"]
    os.utime(a)  # touched, same content: the cached imports hold
    assert cycles() == ["a -> b -> a"]
    b.write_text("X = 2\n")
    assert cycles() == []


def test_a_damaged_imports_cache_is_rebuilt(mini_project):
    mini_project("pkg/app/a.py", "from pkg.app import b\n")
    mini_project("pkg/app/b.py", "from pkg.app import a\n")
    root = mini_project.root
    cache = root / ".ssot_cache/imports-v1.json"
    for damage in (b"", b'{"fingerprint": 1}\n[', b"\xff\xfe not json"):
        cache.parent.mkdir(exist_ok=True)
        cache.write_bytes(damage)
        result = run("ssot", "audit", "--format", "json", cwd=root)
        assert (result.returncode, result.stderr) == (0, ""), damage
        located = json.loads(result.stdout)["categories"]["circular_imports"]["locations"]
        assert [loc["detail"] for loc in located] == ["a -> b -> a"], damage
        assert cache.read_bytes() != damage  # written again, whole
