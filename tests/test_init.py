"""`ssot init`: a starter policy from a static scan, then every front-end runs with it."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from conftest import REPO, run

from ssot_flake8.policy.config import load_policy, read_raw_config, tomllib

WSC = "netra_backend.app.websocket_core"
WS = "netra_backend.app.websocket"
CANONICAL = f"{WSC}.websocket_manager.WebSocketManager"
INSTEAD = "construct WebSocketManager(user_context=...)"
GOLDEN = REPO / "tests" / "golden" / "legacy_findings.txt"

CONNECTION_INFO = f"{WSC}.connection_info.ConnectionInfo"
EXPECTED_FIELDS = {
    "canonical": [CANONICAL, CONNECTION_INFO],  # ranked: the manager's evidence first
    "old_names": sorted(
        [f"{old} -> {CANONICAL}" for old in (
            "netra_backend.app.services.recovery.WebSocketRecoveryManager",  # alias
            f"{WS}.connection_manager.ConnectionManager",  # alias in a shim
            f"{WSC}.canonical_imports.WebSocketManager",  # the five implementations
            f"{WSC}.manager.WebSocketManager",  # a shim's re-export somebody imports
            f"{WSC}.migration_adapter.WebSocketManager",
            f"{WSC}.ssot_validation_enhancer.WebSocketManager",
            f"{WSC}.unified_manager.UnifiedWebSocketManager",
            f"{WSC}.unified_manager.WebSocketManager",
        )]
        + [f"{WS}.connection_info.ConnectionInfo -> {CONNECTION_INFO}"]  # the legacy package's shim
    ),
    "deprecated_modules": [
        f"{WS} -> {WSC}",  # every module of the package is a shim
        f"{WSC}.manager -> {WSC}.websocket_manager",  # seed 002's compatibility layer
        f"{WSC}.websocket_manager_factory -> {WSC}.websocket_manager",  # its docstring: DEPRECATED
    ],
    "banned_calls": [
        f"{WS}.WebSocketManagerFactory: factory; {INSTEAD}",
        f"{WS}.create_websocket_manager: factory; {INSTEAD}",
        f"{WS}.get_websocket_manager: singleton; {INSTEAD}",
        f"{WSC}.WebSocketManagerFactory: factory; {INSTEAD}",
        f"{WSC}.canonical_imports.WebSocketManagerFactory: factory; {INSTEAD}",
        f"{WSC}.canonical_imports.get_canonical_manager: singleton; {INSTEAD}",  # a `get_` accessor
        f"{WSC}.create_websocket_manager: factory; {INSTEAD}",
        f"{WSC}.get_websocket_manager: singleton; {INSTEAD}",
        f"{WSC}.migration_adapter.WebSocketManager.create: factory; {INSTEAD}",
        f"{WSC}.websocket_manager.WebSocketManagerFactory: factory; {INSTEAD}",
        f"{WSC}.websocket_manager_factory.WebSocketManagerFactory: factory; {INSTEAD}",
        f"{WSC}.websocket_manager_factory.create_isolated_manager: factory; {INSTEAD}",
        f"{WSC}.websocket_manager_factory.create_test_manager: factory; {INSTEAD}",
        f"{WSC}.websocket_manager_factory.create_websocket_manager: factory; {INSTEAD}",
        f"{WSC}.websocket_manager_factory.create_websocket_manager_async: factory; {INSTEAD}",
        f"{WSC}.websocket_manager_factory.get_shared_manager: singleton; {INSTEAD}",
        f"{WSC}.websocket_manager_factory.get_websocket_manager: singleton; {INSTEAD}",
    ],
    "required_arguments": [f"{CANONICAL}: user_context"],
}
WROTE = (
    "wrote .importlinter: contract 'netra_backend-ssot' (2 canonical, 9 old_names, "
    "3 deprecated_modules, 17 banned_calls, 1 required_arguments)"
)


def init(root: Path, *args: str):
    return run("ssot", "init", "netra_backend", *args, cwd=root)


@pytest.fixture
def legacy_without_policy(legacy_copy: Path) -> Path:
    (legacy_copy / ".importlinter").unlink()
    return legacy_copy


def contract_fields(config: Path) -> dict:
    _, contracts = read_raw_config(config)
    ours = [c for c in contracts if c.get("type") == "ssot"]
    assert len(ours) == 1
    return {
        name: value if isinstance(value, list) else [value]
        for name, value in ours[0].items()
        if name in EXPECTED_FIELDS
    }


def test_init_on_legacy_finds_the_seeds_managers_shims_and_factories(legacy_without_policy):
    root = legacy_without_policy
    result = init(root)
    assert result.returncode == 0, result.stderr
    assert contract_fields(root / ".importlinter") == EXPECTED_FIELDS
    out = result.stdout.splitlines()
    assert out[2] == ("1. WebSocketManager (score 61: 6 import paths used by 21 modules; 5 implementations; "
                      "3 aliases; 10 getters/factories; 4 shims):")  # the counts its comment gives
    assert f"  canonical {CANONICAL}  (alias, imported 7x)" in out
    assert f"  old name  {WSC}.unified_manager.UnifiedWebSocketManager  (class, imported 12x)" in out
    assert f"  {WSC}.manager (import-only shim) -> {WSC}.websocket_manager" in out
    assert (f"  singleton {WSC}.websocket_manager_factory.get_websocket_manager "
            "(`global _manager` cache)") in out
    assert out[-2:] == [WROTE, "wrote .pre-commit-config.yaml"]
    policy = load_policy(root / ".importlinter")
    assert policy.contract_names == ("WebSocketManager, ConnectionInfo have a single source of truth",)
    hooks = (root / ".pre-commit-config.yaml").read_text()
    active = ["ssot-fix", "ssot-check", "ssot-lint-imports"]
    assert re.findall(r"^      - id: (ssot-\S+)", hooks, re.M) == active
    assert re.findall(r"^      # - id: (ssot-\S+)", hooks, re.M) == ["ssot-flake8", "ssot-sync-check"]
    valid = run("pre-commit", "validate-config", ".pre-commit-config.yaml", cwd=root)
    assert valid.returncode == 0, valid.stdout + valid.stderr


# The written policy against the reviewed findings of the flagship policy (tests/golden): it finds
# ConnectionInfo as the flagship does (its shims are the evidence), misses what the flagship adds by
# hand and finds one static factory the flagship does not list.
NOT_FOUND_WITH_STARTER = {
    # the flagship deprecates the modules that define duplicates; init deprecates only shims
    ("netra_backend/app/websocket_core/canonical_imports.py", 7, "SOT002"),
    ("netra_backend/app/websocket_core/migration_adapter.py", 8, "SOT002"),
    ("netra_backend/app/websocket_core/ssot_validation_enhancer.py", 11, "SOT002"),
    ("netra_backend/app/websocket_core/unified_manager.py", 11, "SOT002"),
    ("netra_backend/tests/integration/test_agent_execution_core.py", 7, "SOT002"),
}
ONLY_WITH_STARTER = {
    ("netra_backend/app/services/streaming_service.py", 12, "SOT102"),  # WebSocketManager.create
}


def parse_findings(lines, pattern: str) -> set[tuple[str, int, str]]:
    found = set()
    for line in lines:
        match = re.match(pattern, line)
        if match:
            found.add((match["path"], int(match["line"]), match["code"]))
    return found


def contract_findings(stdout: str) -> set[tuple[str, int, str]]:
    """(module, line, code) from the ssot contract's report: a `module (path):` heading, then
    one `-   l.N: CODE message` line per finding."""
    found, module = set(), ""
    for line in stdout.splitlines():
        heading = re.match(r"^(?P<module>[\w.]+) \([^)]*\):$", line)
        item = re.match(r"^-   l\.(?P<line>\d+): (?P<code>SOT\d+) ", line)
        if heading:
            module = heading["module"]
        elif item:
            found.add((module, int(item["line"]), item["code"]))
    return found


def test_every_front_end_runs_with_the_written_policy(legacy_without_policy):
    root = legacy_without_policy
    assert init(root).returncode == 0
    path_pattern = r"(?P<path>[^:]+):(?P<line>\d+):\d+: (?P<code>SOT\d+)"
    expected = parse_findings(GOLDEN.read_text().splitlines(), path_pattern)
    expected = (expected - NOT_FOUND_WITH_STARTER) | ONLY_WITH_STARTER
    # The starter policy holds no boundary contracts, so nothing mirrors them (SOT005).
    expected = {finding for finding in expected if finding[2] != "SOT005"}

    flake8 = run("flake8", "--select", "SOT", "netra_backend", cwd=root)
    check = run("ssot", "check", "netra_backend", cwd=root)
    lint = run("lint-imports", cwd=root, env={**os.environ, "COLUMNS": "1000"})
    assert (flake8.returncode, check.returncode, lint.returncode) == (1, 1, 1), flake8.stderr + check.stderr
    assert parse_findings(flake8.stdout.splitlines(), path_pattern) == expected
    assert parse_findings(check.stdout.splitlines(), path_pattern) == expected
    reported = contract_findings(lint.stdout)
    as_paths = {(module.replace(".", "/"), line, code) for module, line, code in reported}
    assert as_paths == {(p.removesuffix(".py").removesuffix("/__init__"), n, c) for p, n, c in expected}
    assert "Contracts: 0 kept, 1 broken." in lint.stdout


def test_never_overwrites_without_force_and_force_is_idempotent(legacy_without_policy):
    root = legacy_without_policy
    assert init(root).returncode == 0
    written = (root / ".importlinter").read_bytes()
    hooks = (root / ".pre-commit-config.yaml").read_bytes()
    again = init(root)
    assert again.returncode == 2
    assert again.stderr == (
        "ssot: error: .importlinter already holds an import-linter configuration; "
        "re-run with --force to add the ssot contract to it\n"
    )
    forced = init(root, "--force")
    assert forced.returncode == 0, forced.stderr
    kept = "kept .pre-commit-config.yaml (it already uses the ssot hooks)"
    assert forced.stdout.splitlines()[-2:] == [WROTE, kept]
    assert (root / ".importlinter").read_bytes() == written
    assert (root / ".pre-commit-config.yaml").read_bytes() == hooks


def test_force_adds_the_contract_to_an_existing_import_linter_config(legacy_without_policy):
    root = legacy_without_policy
    original = (
        "# the team's boundaries\n"
        "[importlinter]\n"
        "root_package = netra_backend\n"
        "\n"
        "[importlinter:contract:db-independent]\n"
        "name = the database layer does not import the services\n"
        "type = forbidden\n"
        "source_modules =\n"
        "    netra_backend.app.db\n"
        "forbidden_modules =\n"
        "    netra_backend.app.services\n"
    )
    (root / ".importlinter").write_text(original)
    result = init(root, "--force")
    assert result.returncode == 0, result.stderr
    text = (root / ".importlinter").read_text()
    assert text.startswith(
        "# the team's boundaries\n[importlinter]\ncontract_types =\n"
        "    ssot: ssot_flake8.contracts.SsotContract\nroot_package = netra_backend\n"
    )
    assert original.split("\n\n", 1)[1] in text  # the forbidden contract, byte for byte
    assert contract_fields(root / ".importlinter") == EXPECTED_FIELDS
    lint = run("lint-imports", cwd=root)
    assert lint.returncode == 1
    assert "Contracts: 1 kept, 1 broken." in lint.stdout
    following = (
        "\n# the layers, below the ssot contract\n"
        "[importlinter:contract:layers]\n"
        "name = services above db\n"
        "type = layers\n"
        "layers =\n"
        "    netra_backend.app.services\n"
        "    netra_backend.app.db\n"
    )
    (root / ".importlinter").write_text(text + following)
    assert init(root, "--force").returncode == 0
    # replaced in place, not appended again; the comment that introduces the next contract stays
    assert (root / ".importlinter").read_text() == text + following


@pytest.mark.parametrize("setup_cfg", ["the legacy policy", "[importlinter]\nroot_package = netra_backend\n"])
def test_refuses_a_config_import_linter_would_not_read(legacy_copy, setup_cfg):
    policy = legacy_copy / ".importlinter"
    content = policy.read_text() if setup_cfg == "the legacy policy" else setup_cfg
    (legacy_copy / "setup.cfg").write_text(content)
    policy.unlink()
    result = init(legacy_copy, "--force")
    assert result.returncode == 2
    assert result.stderr == (
        "ssot: error: setup.cfg already holds the import-linter configuration; "
        "write the policy there with --output setup.cfg\n"
    )
    assert not (legacy_copy / ".importlinter").exists()


def test_pyproject_output_through_tomlkit(legacy_without_policy):
    root = legacy_without_policy
    original = '# build settings\n[project]\nname = "netra"  # the distribution\n'
    (root / "pyproject.toml").write_text(original)
    result = init(root, "--output", "pyproject.toml")
    assert result.returncode == 0, result.stderr
    text = (root / "pyproject.toml").read_text()
    assert text.startswith(original)
    session = tomllib.loads(text)["tool"]["importlinter"]
    assert session["root_package"] == "netra_backend"
    assert session["contract_types"] == ["ssot: ssot_flake8.contracts.SsotContract"]
    contract = session["contracts"][0]
    assert {k: v for k, v in contract.items() if k in EXPECTED_FIELDS} == EXPECTED_FIELDS
    check = run("ssot", "check", "netra_backend", cwd=root)  # finds the policy in pyproject.toml
    assert check.returncode == 1
    assert check.stdout.splitlines()[-1] == "Found 81 errors."  # with reconnect_service.py (index)
    assert init(root, "--output", "pyproject.toml").returncode == 2
    assert init(root, "--output", "pyproject.toml", "--force").returncode == 0
    assert (root / "pyproject.toml").read_text() == text


def test_setup_cfg_output_is_appended(legacy_without_policy):
    root = legacy_without_policy
    original = "[metadata]\nname = netra\n\n[flake8]\nmax-line-length = 120\n"
    (root / "setup.cfg").write_text(original)
    assert init(root, "--output", "setup.cfg").returncode == 0
    text = (root / "setup.cfg").read_text()
    assert text.startswith(original + "\n# Starter SSOT policy written by `ssot init`")
    assert contract_fields(root / "setup.cfg") == EXPECTED_FIELDS
    flake8 = run("flake8", "--select", "SOT", "netra_backend", cwd=root)
    assert flake8.returncode == 1
    assert len(flake8.stdout.splitlines()) == 81


def test_an_existing_pre_commit_config_is_kept_or_extended(legacy_without_policy):
    root = legacy_without_policy
    own = (
        "default_stages: [pre-commit]\n"
        "repos:\n"
        "  - repo: https://github.com/pre-commit/pre-commit-hooks\n"
        "    rev: v4.6.0\n"
        "    hooks:\n"
        "      - id: trailing-whitespace\n"
    )
    hooks = root / ".pre-commit-config.yaml"
    hooks.write_text(own)
    result = init(root)
    assert result.returncode == 0
    assert result.stdout.splitlines()[-1] == (
        "kept .pre-commit-config.yaml (it exists; re-run with --force to add the ssot hooks)"
    )
    assert hooks.read_text() == own
    forced = init(root, "--force")
    assert forced.stdout.splitlines()[-1] == "added the ssot hooks to .pre-commit-config.yaml"
    assert hooks.read_text().startswith(own)
    assert "  - repo: https://example.com/REPLACE-ME/ssot-flake8\n" in hooks.read_text()
    valid = run("pre-commit", "validate-config", ".pre-commit-config.yaml", cwd=root)
    assert valid.returncode == 0, valid.stdout + valid.stderr


def write_tree(root: Path, files: dict[str, str]) -> None:
    for relative, source in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)


USE = "\n\ndef use():\n    return [Store, Client]\n"


def test_canonical_home_named_after_the_class_then_most_imported(tmp_path):
    write_tree(tmp_path, {
        "shop/__init__.py": "",
        "shop/compat.py": "from shop.b import Store\nfrom shop.legacy.http import Client\n",  # a shim
        "shop/client.py": "class Client:\n    def __init__(self, tenant_id, timeout=3):\n        pass\n",
        "shop/legacy/__init__.py": "",
        "shop/legacy/http.py": "class Client:\n    pass\n",
        "shop/a.py": "class Store:\n    pass\n",
        "shop/b.py": "class Store:\n    pass\n",
        "shop/use1.py": f"from shop.b import Store\nfrom shop.legacy.http import Client\n{USE}",
        "shop/use2.py": f"from shop.b import Store\nfrom shop.legacy.http import Client\n{USE}",
        "shop/use3.py": f"from .a import Store\n{USE}",
    })
    result = run("ssot", "init", "shop", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    fields = contract_fields(tmp_path / ".importlinter")
    assert fields["canonical"] == ["shop.b.Store", "shop.client.Client"]
    assert fields["old_names"] == [  # the shim's re-exports nobody imports are left to the index
        "shop.a.Store -> shop.b.Store",
        "shop.legacy.http.Client -> shop.client.Client",
    ]
    assert fields["required_arguments"] == ["shop.client.Client: tenant_id"]
    assert fields["deprecated_modules"] == ["shop.compat -> shop.b"]
    assert "banned_calls" not in fields


CONFIG_AND_ERROR = "\n\nclass Config:\n    pass\n\n\nclass SoloError(Exception):\n    pass\n"


def test_duplicates_without_evidence_of_drift_are_listed_not_written(tmp_path):
    write_tree(tmp_path, {
        "solo/__init__.py": "",
        "solo/m.py": f"class One:\n    pass\n{CONFIG_AND_ERROR}",
        "solo/n.py": CONFIG_AND_ERROR,
    })
    result = run("ssot", "init", "solo", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.splitlines()[-3:] == [
        "1 more class names are repeated or drifted with less evidence (or beyond --max); "
        "not written: Config",
        "",
        "No class with evidence of drift: no policy written.",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["solo"]


def test_bad_input_is_one_line(tmp_path):
    write_tree(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/twin.py": "from .b import Twin\n",  # a shim
        "pkg/a.py": "class Twin:\n    pass\n",
        "pkg/b.py": "class Twin:\n    pass\n",
        "pkg/broken.py": "def f(:\n",
    })
    missing = run("ssot", "init", "nope", cwd=tmp_path)
    assert (missing.returncode, missing.stderr) == (
        2, f"ssot: error: package nope not found in . or {Path('src')}\n")
    result = run("ssot", "init", "pkg", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stderr.splitlines() == [
        "ssot init: warning: pkg/broken.py:1: skipped: SyntaxError: invalid syntax",
        "ssot init: warning: no boundary contracts: grimp could not build the graph of pkg: "
        f"Syntax error in {tmp_path / 'pkg' / 'broken.py'}, line 1: def f(:",
    ]
    assert contract_fields(tmp_path / ".importlinter")["canonical"] == ["pkg.b.Twin"]  # imported once


@pytest.mark.parametrize("name, content, message", [
    ("pyproject.toml", "[tool.importlinter\n", "pyproject.toml:1: not a valid TOML file: "),
    (".importlinter", "[importlinter\nroot_package = x\n", ".importlinter:1: not a valid INI file: "),
])
def test_a_broken_config_is_one_line_and_untouched(legacy_without_policy, name, content, message):
    root = legacy_without_policy
    (root / name).write_text(content)
    result = init(root, "--output", name, "--force")
    assert result.returncode == 2
    assert result.stderr.startswith(f"ssot: error: {message}") and result.stderr.count("\n") == 1
    assert (root / name).read_text() == content
    assert not (root / ".pre-commit-config.yaml").exists()


def test_root_option_and_src_layout(legacy_without_policy, tmp_path):
    project = legacy_without_policy
    (project / "src").mkdir()
    (project / "netra_backend").rename(project / "src" / "netra_backend")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run("ssot", "init", "netra_backend", "--root", str(project), cwd=elsewhere)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in elsewhere.iterdir()) == []  # everything goes into --root
    assert contract_fields(project / ".importlinter") == EXPECTED_FIELDS
    check = run("ssot", "check", "src", cwd=project)
    assert check.stdout.splitlines()[-1] == "Found 81 errors."  # with reconnect_service.py (index)


def test_force_adds_the_contract_to_an_existing_tool_importlinter(legacy_without_policy):
    root = legacy_without_policy
    original = (
        "[tool.importlinter]\n"
        'root_package = "netra_backend"  # ours\n'
        "\n"
        "[[tool.importlinter.contracts]]\n"
        'name = "db below services"\n'
        'type = "layers"\n'
        'layers = ["netra_backend.app.services", "netra_backend.app.db"]\n'
    )
    pyproject = root / "pyproject.toml"
    pyproject.write_text(original)
    assert init(root, "--output", "pyproject.toml").returncode == 2
    assert pyproject.read_text() == original
    assert init(root, "--output", "pyproject.toml", "--force").returncode == 0
    text = pyproject.read_text()
    session, contracts = read_raw_config(pyproject)
    assert session["contract_types"] == ["ssot: ssot_flake8.contracts.SsotContract"]
    assert [c["type"] for c in contracts] == ["layers", "ssot"]
    assert contract_fields(pyproject) == EXPECTED_FIELDS
    assert 'root_package = "netra_backend"  # ours\n' in text
    assert init(root, "--output", "pyproject.toml", "--force").returncode == 0
    assert pyproject.read_text() == text
