"""`ssot sync-ruff`: the policy's bans in ruff's banned-api, through real `ssot` and real `ruff`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import run

from ssot_flake8.policy.config import tomllib

USE_MANAGER = "construct Manager(user_context=...)"
CANONICAL = "`from pkg.core.manager import Manager`"
# What the conftest mini policy becomes, in the order written (sorted by name).
EXPECTED = {
    "pkg.core.Manager": f"[ssot] SOT001 not the canonical path; use {CANONICAL}",
    "pkg.core.get_manager": f"[ssot] SOT101 singleton accessor; {USE_MANAGER}",
    "pkg.core.legacy": "[ssot] SOT002 deprecated module; use pkg.core.manager",
    "pkg.core.legacy.ManagerFactory": f"[ssot] SOT102 deprecated factory; {USE_MANAGER}",
    "pkg.core.legacy.OldManager": f"[ssot] SOT001 not the canonical path; use {CANONICAL}",
    "pkg.core.legacy.create_manager": f"[ssot] SOT102 deprecated factory; {USE_MANAGER}",
    "pkg.core.legacy.get_manager": f"[ssot] SOT101 singleton accessor; {USE_MANAGER}",
    "pkg.shim": "[ssot] SOT002 deprecated module; remove this import",
}


def entry_lines(prefix: str = "") -> str:
    """Our entries as sync-ruff writes them: one inline table per line."""
    return "".join(f'{prefix}"{key}" = {{msg = "{msg}"}}\n' for key, msg in EXPECTED.items())


def sync(root: Path, *extra: str):
    return run("ssot", "sync-ruff", *extra, cwd=root)


def banned_api(path: Path) -> dict:
    data = tomllib.loads(path.read_text())
    return data["tool"]["ruff"]["lint"]["flake8-tidy-imports"]["banned-api"]


def assert_idempotent(root: Path, path: Path) -> None:
    before = path.read_bytes()
    again = sync(root)
    assert again.returncode == 0, again.stderr
    assert "is in sync with the policy (8 bans)" in again.stdout
    assert path.read_bytes() == before
    check = sync(root, "--check")
    assert (check.returncode, check.stderr) == (0, "")


def test_creates_the_tables_and_keeps_the_rest_of_the_file(mini_project):
    root = mini_project.root
    original = (
        "# project metadata\n"
        "[project]\n"
        'name = "pkg"  # the distribution\n'
        "\n"
        "[tool.black]\n"
        "line-length = 100\n"
    )
    pyproject = root / "pyproject.toml"
    pyproject.write_text(original)
    result = sync(root)
    assert result.returncode == 0, result.stderr
    text = pyproject.read_text()
    assert text == (
        original + "\n[tool.ruff.lint.flake8-tidy-imports.banned-api]\n" + entry_lines()
    )
    assert result.stdout.splitlines()[0] == "pyproject.toml: [tool.ruff.lint.flake8-tidy-imports.banned-api]"
    assert "  + pkg.shim: [ssot] SOT002 deprecated module; remove this import" in result.stdout
    assert result.stdout.splitlines()[-1] == "pyproject.toml: 8 added, 0 updated, 0 removed"
    assert_idempotent(root, pyproject)


def test_creates_a_missing_pyproject(mini_project):
    root = mini_project.root
    assert sync(root, "--check").returncode == 1
    assert not (root / "pyproject.toml").exists()  # --check writes nothing
    assert sync(root).returncode == 0
    assert banned_api(root / "pyproject.toml") == {k: {"msg": v} for k, v in EXPECTED.items()}
    assert_idempotent(root, root / "pyproject.toml")


STALE = '{msg = "[ssot] SOT002 deprecated module; use pkg.old"}'
OUTDATED = '"[ssot] SOT002 deprecated module; use pkg.elsewhere"'

# (layout name, file before, file after): only our entries change, in the user's own style.
LAYOUTS = [
    (
        "dotted keys inside [tool.ruff.lint], with other tidy-imports settings",
        "[tool.ruff]\n"
        "line-length = 100  # wide screens\n"
        "\n"
        "[tool.ruff.lint]\n"
        'select = ["E", "TID"]\n'
        'flake8-tidy-imports.ban-relative-imports = "parents"\n'
        '# the team\'s own ban\n'
        'flake8-tidy-imports.banned-api."os.system".msg = "use subprocess.run"\n'
        f'flake8-tidy-imports.banned-api."pkg.gone" = {STALE}\n'
        f'flake8-tidy-imports.banned-api."pkg.core.legacy".msg = {OUTDATED}\n'
        "\n"
        "[tool.other]\n"
        "x = 1\n",
        "[tool.ruff]\n"
        "line-length = 100  # wide screens\n"
        "\n"
        "[tool.ruff.lint]\n"
        'select = ["E", "TID"]\n'
        'flake8-tidy-imports.ban-relative-imports = "parents"\n'
        '# the team\'s own ban\n'
        'flake8-tidy-imports.banned-api."os.system".msg = "use subprocess.run"\n'
        + "".join(  # tomlkit inserts dotted keys after the first one of their table
            f'flake8-tidy-imports.banned-api."{k}" = {{msg = "{v}"}}\n'
            for k, v in EXPECTED.items() if k != "pkg.core.legacy"
        )
        + f'flake8-tidy-imports.banned-api."pkg.core.legacy".msg = "{EXPECTED["pkg.core.legacy"]}"\n'
        "\n"
        "[tool.other]\n"
        "x = 1\n",
    ),
    (
        "an inline banned-api table",
        "[tool.ruff.lint.flake8-tidy-imports]\n"
        'ban-relative-imports = "all"\n'
        'banned-api = { "os.system" = { msg = "use subprocess.run" } }  # keep this comment\n',
        "[tool.ruff.lint.flake8-tidy-imports]\n"
        'ban-relative-imports = "all"\n'
        'banned-api = { "os.system" = { msg = "use subprocess.run" }, '
        + ", ".join(f'"{k}" = {{msg = "{v}"}}' for k, v in EXPECTED.items())
        + "}  # keep this comment\n",
    ),
    (
        "an existing banned-api table with user entries, a stale entry of ours and comments",
        "# ruff settings\n"
        "[tool.ruff.lint.flake8-tidy-imports.banned-api]\n"
        '"os.system".msg = "use subprocess.run"  # security\n'
        f'"pkg.gone" = {STALE}\n'
        '"typing.Text" = { msg = "use str" }\n'
        "\n"
        "[tool.ruff.lint]\n"
        'select = ["TID251"]\n',
        "# ruff settings\n"
        "[tool.ruff.lint.flake8-tidy-imports.banned-api]\n"
        '"os.system".msg = "use subprocess.run"  # security\n'
        '"typing.Text" = { msg = "use str" }\n'
        + entry_lines()
        + "\n"
        "[tool.ruff.lint]\n"
        'select = ["TID251"]\n',
    ),
]


@pytest.mark.parametrize("name, before, after", LAYOUTS, ids=[layout[0] for layout in LAYOUTS])
def test_round_trip_changes_only_our_entries(mini_project, name, before, after):
    root = mini_project.root
    pyproject = root / "pyproject.toml"
    pyproject.write_text(before)
    result = sync(root)
    assert result.returncode == 0, result.stderr
    assert pyproject.read_text() == after
    assert_idempotent(root, pyproject)


def test_sub_table_entries_are_updated_and_removed(mini_project):
    root = mini_project.root
    pyproject = root / "pyproject.toml"
    pyproject.write_text(
        '[tool.ruff.lint.flake8-tidy-imports.banned-api."os.system"]\n'
        'msg = "use subprocess.run"\n'
        "\n"
        '[tool.ruff.lint.flake8-tidy-imports.banned-api."pkg.gone"]\n'
        'msg = "[ssot] SOT002 deprecated module"\n'
        "\n"
        '[tool.ruff.lint.flake8-tidy-imports.banned-api."pkg.shim"]\n'
        'msg = "[ssot] old text"\n'
    )
    result = sync(root)
    assert result.returncode == 0, result.stderr
    assert "  - pkg.gone" in result.stdout
    assert "  ~ pkg.shim: [ssot] SOT002 deprecated module; remove this import" in result.stdout
    assert banned_api(pyproject) == {
        "os.system": {"msg": "use subprocess.run"},
        **{key: {"msg": msg} for key, msg in EXPECTED.items()},
    }
    assert_idempotent(root, pyproject)


def test_check_reports_drift_and_writes_nothing(mini_project):
    root = mini_project.root
    pyproject = root / "pyproject.toml"
    assert sync(root).returncode == 0
    drifted = pyproject.read_text().replace(
        f'"pkg.shim" = {{msg = "{EXPECTED["pkg.shim"]}"}}\n', '"pkg.gone" = {msg = "[ssot] old"}\n'
    )
    pyproject.write_text(drifted)
    os.chmod(pyproject, 0o640)
    result = sync(root, "--check")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "pyproject.toml: [tool.ruff.lint.flake8-tidy-imports.banned-api]",
        "  - pkg.gone",
        f"  + pkg.shim: {EXPECTED['pkg.shim']}",
        "pyproject.toml is out of sync with the policy; run `ssot sync-ruff`",
    ]
    assert pyproject.read_text() == drifted
    assert sync(root).returncode == 0
    assert pyproject.stat().st_mode & 0o777 == 0o640  # the atomic write keeps the mode
    assert_idempotent(root, pyproject)


def test_a_symlinked_pyproject_stays_a_link(mini_project, tmp_path):
    root = mini_project.root
    shared = tmp_path / "shared.toml"
    shared.write_text("[tool.black]\nline-length = 100\n")
    (root / "pyproject.toml").symlink_to(shared)
    assert sync(root).returncode == 0
    assert (root / "pyproject.toml").is_symlink()
    assert len(banned_api(shared)) == 8


def test_users_own_entry_for_our_name_wins(mini_project):
    root = mini_project.root
    pyproject = root / "pyproject.toml"
    pyproject.write_text(
        '[tool.ruff.lint.flake8-tidy-imports.banned-api]\n"pkg.shim".msg = "ours, not yours"\n'
    )
    result = sync(root)
    assert result.returncode == 0
    assert result.stderr == (
        "ssot sync-ruff: note: pyproject.toml: keeping your own entry for pkg.shim "
        "(its msg does not start with [ssot])\n"
    )
    assert banned_api(pyproject)["pkg.shim"] == {"msg": "ours, not yours"}
    assert len(banned_api(pyproject)) == 8


def test_deprecated_top_level_section_is_kept_where_ruff_reads_it(mini_project):
    root = mini_project.root
    pyproject = root / "pyproject.toml"
    pyproject.write_text('[tool.ruff.flake8-tidy-imports]\nban-relative-imports = "all"\n')
    assert sync(root).returncode == 0
    data = tomllib.loads(pyproject.read_text())["tool"]["ruff"]
    assert "lint" not in data  # a lint.flake8-tidy-imports section would make ruff ignore this one
    assert len(data["flake8-tidy-imports"]["banned-api"]) == 8


def test_ruff_toml_is_preferred_like_ruff_does(mini_project):
    root = mini_project.root
    (root / "ruff.toml").write_text("line-length = 90\n")
    (root / "pyproject.toml").write_text("[project]\nname = 'pkg'\n")
    assert sync(root).returncode == 0
    assert (root / "pyproject.toml").read_text() == "[project]\nname = 'pkg'\n"
    data = tomllib.loads((root / "ruff.toml").read_text())
    assert data["line-length"] == 90
    assert len(data["lint"]["flake8-tidy-imports"]["banned-api"]) == 8


@pytest.mark.parametrize("content, message", [
    ("[tool.ruff\n", "pyproject.toml: not valid TOML: "),
    ("[tool.ruff.lint]\nflake8-tidy-imports = 3\n", "pyproject.toml: cannot update"),
])
def test_bad_pyproject_is_one_line_and_exit_2(mini_project, content, message):
    root = mini_project.root
    (root / "pyproject.toml").write_text(content)
    result = sync(root)
    assert result.returncode == 2
    assert result.stderr.startswith(f"ssot: error: {message}")
    assert result.stderr.count("\n") == 1
    assert (root / "pyproject.toml").read_text() == content


def test_policy_errors_exit_2(tmp_path):
    result = run("ssot", "sync-ruff", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("ssot: error: no SSOT policy")


# Every TID251 report of real ruff on examples/legacy with the generated config: (file, line,
# col, banned name). The engine's findings differ where ruff's semantics do (see the README).
WSC = "netra_backend.app.websocket_core"
FACTORY = f"{WSC}.websocket_manager_factory"
UNIFIED = f"{WSC}.unified_manager"
CANON = f"{WSC}.canonical_imports"
WS = "netra_backend.app.websocket"
SINGLETON = "tests/mission_critical/test_websocket_singleton_vulnerability.py"
RACE = "tests/websocket_core/test_send_after_close_race_condition.py"
EVENTS = "tests/mission_critical/test_websocket_agent_events_suite.py"
RUFF_REPORTS = [
    ("app/services/agent_service.py", 7, 46, f"{WSC}.get_websocket_manager"),
    ("app/services/background_jobs.py", 10, 5, FACTORY),
    ("app/services/background_jobs.py", 10, 76, f"{FACTORY}.create_websocket_manager"),
    ("app/services/event_router.py", 10, 5, UNIFIED),
    ("app/services/event_router.py", 10, 66, f"{UNIFIED}.UnifiedWebSocketManager"),
    ("app/services/health.py", 8, 5, UNIFIED),
    ("app/services/health.py", 8, 66, f"{UNIFIED}.UnifiedWebSocketManager"),
    ("app/services/metrics_service.py", 7, 46, FACTORY),
    ("app/services/metrics_service.py", 11, 15, f"{FACTORY}.get_websocket_manager"),
    ("app/services/presence_service.py", 6, 1, f"{WSC}.manager"),
    ("app/services/presence_service.py", 6, 54, f"{WSC}.manager.WebSocketManager"),
    ("app/services/recovery.py", 6, 1, UNIFIED),
    ("app/services/recovery.py", 6, 62, f"{UNIFIED}.UnifiedWebSocketManager"),
    ("app/services/session_service.py", 19, 15, f"{WSC}.create_websocket_manager"),
    ("app/services/streaming_service.py", 7, 1, f"{WSC}.migration_adapter"),
    ("app/services/streaming_service.py", 7, 64, f"{WSC}.migration_adapter.WebSocketManager"),
    ("app/services/thread_service.py", 5, 8, FACTORY),
    ("app/services/thread_service.py", 13, 19, f"{FACTORY}.create_websocket_manager"),
    ("app/websocket/__init__.py", 4, 1, WS),
    ("app/websocket/__init__.py", 4, 57, f"{WS}.connection_info.ConnectionInfo"),
    ("app/websocket/__init__.py", 5, 1, WS),
    ("app/websocket/__init__.py", 5, 60, f"{WS}.connection_manager.ConnectionManager"),
    ("app/websocket_core/__init__.py", 3, 1, FACTORY),
    ("app/websocket_core/__init__.py", 4, 5, f"{FACTORY}.WebSocketManagerFactory"),
    ("app/websocket_core/__init__.py", 5, 5, f"{FACTORY}.create_websocket_manager"),
    ("app/websocket_core/__init__.py", 6, 5, f"{FACTORY}.get_websocket_manager"),
    ("app/websocket_core/__init__.py", 8, 1, UNIFIED),
    ("app/websocket_core/__init__.py", 8, 30, f"{UNIFIED}.UnifiedWebSocketManager"),
    ("app/websocket_core/canonical_imports.py", 7, 1, f"{WSC}.migration_adapter"),
    ("app/websocket_core/canonical_imports.py", 9, 1, UNIFIED),
    ("app/websocket_core/canonical_imports.py", 9, 62, f"{UNIFIED}.UnifiedWebSocketManager"),
    ("app/websocket_core/canonical_imports.py", 10, 1, FACTORY),
    ("app/websocket_core/connection_manager.py", 8, 1, UNIFIED),
    ("app/websocket_core/connection_manager.py", 8, 62, f"{UNIFIED}.UnifiedWebSocketManager"),
    ("app/websocket_core/manager.py", 4, 1, UNIFIED),
    ("app/websocket_core/manager.py", 4, 62, f"{UNIFIED}.UnifiedWebSocketManager"),
    ("app/websocket_core/migration_adapter.py", 8, 1, CANON),
    ("app/websocket_core/migration_adapter.py", 8, 64, f"{CANON}.WebSocketManagerFactory"),
    ("app/websocket_core/migration_adapter.py", 10, 1, UNIFIED),
    ("app/websocket_core/migration_adapter.py", 10, 62, f"{UNIFIED}.UnifiedWebSocketManager"),
    ("app/websocket_core/protocols.py", 9, 1, UNIFIED),
    ("app/websocket_core/protocols.py", 9, 30, f"{UNIFIED}.UnifiedWebSocketManager"),
    ("app/websocket_core/routes.py", 7, 46, f"{WSC}.get_websocket_manager"),
    ("app/websocket_core/ssot_validation_enhancer.py", 11, 1, CANON),
    ("app/websocket_core/ssot_validation_enhancer.py", 11, 64, f"{CANON}.WebSocketManagerFactory"),
    ("app/websocket_core/unified_manager.py", 11, 1, f"{WSC}.ssot_validation_enhancer"),
    ("app/websocket_core/websocket_manager.py", 22, 1, FACTORY),
    ("app/websocket_core/websocket_manager.py", 23, 5, f"{FACTORY}.WebSocketManagerFactory"),
    ("app/websocket_core/websocket_manager.py", 29, 1, UNIFIED),
    ("app/websocket_core/websocket_manager.py", 29, 30, f"{UNIFIED}.UnifiedWebSocketManager"),
    ("app/websocket_core/websocket_manager_factory.py", 13, 1, UNIFIED),
    ("app/websocket_core/websocket_manager_factory.py", 13, 62, f"{UNIFIED}.UnifiedWebSocketManager"),
    ("tests/e2e/thread_test_fixtures.py", 25, 46, f"{WSC}.create_websocket_manager"),
    ("tests/integration/test_agent_execution_core.py", 7, 1, CANON),
    ("tests/integration/test_agent_execution_core.py", 7, 64, f"{CANON}.WebSocketManagerFactory"),
    (EVENTS, 9, 1, UNIFIED),
    (EVENTS, 9, 62, f"{UNIFIED}.UnifiedWebSocketManager"),
    (SINGLETON, 5, 46, f"{WSC}.get_websocket_manager"),
    ("tests/test_ssot_startup.py", 5, 1, WS),
    ("tests/test_ssot_startup.py", 5, 60, f"{WS}.connection_manager.ConnectionManager"),
    (RACE, 20, 1, FACTORY),
    (RACE, 20, 72, f"{FACTORY}.create_websocket_manager"),
]


def test_real_ruff_reports_the_policys_bans_on_the_legacy_tree(legacy_copy):
    assert sync(legacy_copy).returncode == 0
    result = run(
        "ruff", "check", "--select", "TID251", "--no-cache", "--output-format", "concise",
        "netra_backend", cwd=legacy_copy,
    )
    assert result.returncode == 1, result.stderr
    reports = []
    for line in result.stdout.splitlines():
        if ": TID251 " not in line:
            continue
        location, _, message = line.partition(": TID251 ")
        path, row, col = location.rsplit(":", 2)
        banned, _, msg = message.partition(" is banned: ")
        assert msg.startswith("[ssot] SOT"), line  # every report names our rule and the fix
        reports.append((path.removeprefix("netra_backend/"), int(row), int(col), banned.strip("`")))
    assert reports == RUFF_REPORTS
    assert result.stdout.splitlines()[-1] == f"Found {len(RUFF_REPORTS)} errors."


def test_real_ruff_is_silent_on_the_remediated_tree(remediated_copy):
    assert sync(remediated_copy).returncode == 0
    result = run("ruff", "check", "--select", "TID251", "--no-cache", "netra_backend", cwd=remediated_copy)
    assert (result.returncode, result.stdout.strip()) == (0, "All checks passed!")


# -- property: whatever the layout and the mix of entries, only ours change --------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from ssot_flake8.commands.sync_ruff import OWNED, sync_text  # noqa: E402

NAMES = st.from_regex(r"[a-z]{1,6}(\.[a-z_]{1,6}){0,2}", fullmatch=True)
MESSAGES = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=20)
LAYOUTS_BY_NAME = ("table", "dotted", "inline", "sub-tables")


def render(layout: str, entries: list[tuple[str, str]]) -> str:
    """A pyproject.toml holding `entries` (name, msg) in one of the layouts users write."""
    quote = lambda value: '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'  # noqa: E731
    head = '# before\n[tool.other]\nkeep = true  # mine\n\n'
    if layout == "table":
        body = "[tool.ruff.lint.flake8-tidy-imports.banned-api]\n" + "".join(
            f"{quote(k)}.msg = {quote(v)}  # c\n" for k, v in entries)
    elif layout == "dotted":
        body = '[tool.ruff.lint]\nselect = ["TID"]\n' + "".join(
            f"flake8-tidy-imports.banned-api.{quote(k)}.msg = {quote(v)}\n" for k, v in entries)
    elif layout == "inline":
        inner = ", ".join(f"{quote(k)} = {{ msg = {quote(v)} }}" for k, v in entries)
        body = f"[tool.ruff.lint.flake8-tidy-imports]\nbanned-api = {{ {inner} }}\n"
    else:
        body = "".join(f"[tool.ruff.lint.flake8-tidy-imports.banned-api.{quote(k)}]\nmsg = {quote(v)}\n\n"
                       for k, v in entries) or "[tool.ruff]\n"
    return head + body + "\n[tool.after]\nx = 1\n"


@settings(max_examples=150, deadline=None)
@given(
    layout=st.sampled_from(LAYOUTS_BY_NAME),
    existing=st.dictionaries(NAMES, st.tuples(st.booleans(), MESSAGES), max_size=6),
    wanted=st.dictionaries(NAMES, MESSAGES, max_size=6),
)
def test_sync_changes_only_owned_entries_in_any_layout(layout, existing, wanted):
    entries = [(k, (OWNED + m) if ours else m.removeprefix(OWNED)) for k, (ours, m) in existing.items()]
    before = render(layout, entries)
    bans = {k: OWNED + m for k, m in sorted(wanted.items())}
    after, _, _, kept = sync_text(before, bans)
    data, old = tomllib.loads(after), tomllib.loads(before)
    table = data["tool"].get("ruff", {}).get("lint", {}).get("flake8-tidy-imports", {}).get("banned-api", {})
    users = {k: {"msg": m} for k, m in entries if not m.startswith(OWNED)}
    assert table == {**{k: {"msg": m} for k, m in bans.items()}, **users}
    assert sorted(kept) == sorted(k for k in bans if k in users)
    assert {k: v for k, v in data["tool"].items() if k != "ruff"} == {
        k: v for k, v in old["tool"].items() if k != "ruff"}
    assert after.startswith('# before\n[tool.other]\nkeep = true  # mine\n')
    assert sync_text(after, bans)[0] == after  # a second run changes nothing
