"""The pre-commit hooks end to end: real git repositories, real `pre-commit`, real commits.

pre-commit clones this repository at a commit and pip-installs it into an isolated environment,
exactly as for a project that adopts the hooks. That environment is built once per test session
(one PRE_COMMIT_HOME for the session); building it needs PyPI or the machine's pip index.
`pre-commit try-repo` is not used here: it builds a fresh environment on every call.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
from pathlib import Path

import pytest
import yaml  # pre-commit's own dependency
from conftest import LEGACY, REMEDIATED, REPO, run

CHECKING_HOOKS = ("ssot-flake8", "ssot-lint-imports", "ssot-lint-imports-tolerant", "ssot-check")
OPTIONAL_HOOKS = {"ssot-fix": "ssot_flake8.commands.fix", "ssot-sync-check": "ssot_flake8.commands.sync_ruff"}
# A finding as flake8 / `ssot check` (path:line:col) or the lint-imports contract (module:line)
# print it.
# flake8 / ssot check: `path:line:col: SOT...`; the ssot contract in lint-imports: `-   l.N: SOT...`
# under its module heading, as import-linter renders its own contracts.
FINDING = re.compile(r"^(?:\S+:\d+(?::\d+)?|-   l\.\d+): SOT\d{3} .*$", re.MULTILINE)

SINGLETON = (
    "SOT101 get_websocket_manager is a banned singleton accessor: "
    "construct WebSocketManager(user_context=...)"
)
NO_CONTEXT = "SOT103 WebSocketManager(...) constructed without user_context; pass user_context=..."
# Two legacy files whose findings every checking hook must print exactly, in its own format.
LEGACY_FINDINGS = {
    "ssot-flake8": [
        f"netra_backend/app/services/agent_service.py:15:19: {SINGLETON}",
        f"netra_backend/app/services/notification_service.py:13:19: {NO_CONTEXT}",
    ],
    "ssot-check": [
        f"netra_backend/app/services/agent_service.py:15:19: {SINGLETON}",
        f"netra_backend/app/services/notification_service.py:13:19: {NO_CONTEXT}",
    ],
    "ssot-lint-imports": [
        f"-   l.15: {SINGLETON}",  # under netra_backend.app.services.agent_service
        f"-   l.13: {NO_CONTEXT}",  # under netra_backend.app.services.notification_service
    ],
}
LEGACY_FINDINGS["ssot-lint-imports-tolerant"] = LEGACY_FINDINGS["ssot-lint-imports"]
# The same tool, run directly from the test environment on the same tree.
DIRECT = {
    "ssot-flake8": ("flake8", "--select", "SOT", "netra_backend"),
    "ssot-lint-imports": ("lint-imports",),
    "ssot-lint-imports-tolerant": ("ssot", "lint-imports"),
    "ssot-check": ("ssot", "check", "netra_backend"),
}


def available_hooks() -> list[str]:
    """The hooks whose command exists on this branch (fix and sync-ruff land separately)."""
    return [*CHECKING_HOOKS] + [
        hook for hook, module in OPTIONAL_HOOKS.items() if importlib.util.find_spec(module)
    ]


class Project:
    """A temporary git repository that uses this repo's hooks."""

    def __init__(self, path: Path, env: dict[str, str]) -> None:
        self.path = path
        self.env = env

    def git(self, *args: str, check: bool = True):
        return run("git", *args, cwd=self.path, env=self.env, check=check)

    def pre_commit(self, *args: str):
        return run("pre-commit", *args, cwd=self.path, env=self.env)

    def commit_all(self, message: str, check: bool = True):
        self.git("add", "--all")
        return self.git("commit", "--quiet", "-m", message, check=check)

    def status(self) -> list[str]:
        """`git status --porcelain`, untracked files included: caches must ignore themselves
        (a .gitignore inside them, as .import_linter_cache and .ruff_cache have), or they end
        up in the next `git add --all`."""
        return self.git("status", "--porcelain", "--untracked-files=all").stdout.splitlines()

    def head(self) -> str:
        return self.git("rev-parse", "HEAD").stdout.strip()


@pytest.fixture(scope="session")
def hooks_repo(tmp_path_factory) -> tuple[str, str]:
    """(repo, rev) for `.pre-commit-config.yaml`: this checkout at HEAD when its work tree is
    clean (as in CI); otherwise a snapshot commit of the work tree, so that the tests exercise
    the code on disk rather than the last commit (what `pre-commit try-repo` does, plus
    untracked files)."""
    def git(*args: str, cwd: Path = REPO):
        return run("git", *args, cwd=cwd, env=isolated_env(None))

    if git("rev-parse", "--is-inside-work-tree").returncode != 0:
        pytest.skip("the pre-commit tests need this repository as a git checkout")
    if not git("status", "--porcelain").stdout.strip():
        return str(REPO), git("rev-parse", "HEAD").stdout.strip()
    snapshot = tmp_path_factory.mktemp("hooks-repo") / "ssot-flake8"
    listed = git("ls-files", "-z", "--cached", "--others", "--exclude-standard").stdout
    for name in filter(None, listed.split("\0")):
        if (REPO / name).is_file():  # a tracked file deleted on disk is listed but absent
            (snapshot / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, snapshot / name)
    identity = ("-c", "user.name=ssot tests", "-c", "user.email=ssot-tests@example.invalid")
    for command in (("init", "--quiet"), ("add", "--all"),
                    (*identity, "commit", "--quiet", "--no-verify", "-m", "work tree")):
        assert git(*command, cwd=snapshot).returncode == 0, command
    return str(snapshot), git("rev-parse", "HEAD", cwd=snapshot).stdout.strip()


def isolated_env(pre_commit_home: Path | None) -> dict[str, str]:
    """The environment for git and pre-commit: no outer git state (a test run from a git hook
    would otherwise leak GIT_DIR / GIT_INDEX_FILE), no user or system git config (hooksPath,
    gpgsign), no SKIP, one shared hook cache, and no line wrapping in lint-imports' output."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("GIT_", "PRE_COMMIT")) and key != "SKIP"
    }
    env.update(GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1", COLUMNS="500")
    if pre_commit_home is not None:
        env["PRE_COMMIT_HOME"] = str(pre_commit_home)
    return env


@pytest.fixture(scope="session")
def make_project(tmp_path_factory, hooks_repo):
    """Returns make(tree, hooks): a git repo holding a copy of `tree` (with its policy) and a
    committed `.pre-commit-config.yaml` pointing at this repository. The hooks' environment is
    built here, once per session."""
    env = isolated_env(tmp_path_factory.mktemp("pre-commit-home"))
    url, rev = hooks_repo

    def make(tree: Path, hooks: list[str] | None = None) -> Project:
        path = tmp_path_factory.mktemp(tree.name) / "project"
        shutil.copytree(tree, path, ignore=shutil.ignore_patterns("__pycache__"))
        hook_lines = "".join(f"      - id: {hook}\n" for hook in hooks or available_hooks())
        (path / ".pre-commit-config.yaml").write_text(
            f"repos:\n  - repo: {json.dumps(url)}\n    rev: {rev}\n    hooks:\n{hook_lines}"
        )
        project = Project(path, env)
        project.git("init", "--quiet")
        project.git("config", "user.name", "ssot tests")
        project.git("config", "user.email", "ssot-tests@example.invalid")
        project.commit_all("initial")
        return project

    warm = make(REMEDIATED, list(CHECKING_HOOKS))
    built = warm.pre_commit("install-hooks")
    assert built.returncode == 0, (
        "pre-commit could not build the hooks' environment (it pip-installs this repository "
        f"from {url} at {rev} and its dependencies from PyPI):\n{built.stdout}\n{built.stderr}"
    )
    return make


@pytest.fixture(scope="module")
def legacy_project(make_project) -> Project:
    return make_project(LEGACY)


@pytest.fixture(scope="module")
def remediated_project(make_project) -> Project:
    return make_project(REMEDIATED)


def findings(output: str) -> list[str]:
    return sorted(FINDING.findall(output))


def test_manifest_is_valid_and_declares_every_hook():
    result = run("pre-commit", "validate-manifest", ".pre-commit-hooks.yaml", check=True)
    assert result.stdout == ""
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    manifest = {hook["id"]: hook for hook in hooks}
    assert list(manifest) == [*CHECKING_HOOKS, *OPTIONAL_HOOKS]
    # Per-file hooks get the changed files; whole-graph hooks run once. Only the fixer may be
    # split over processes by pre-commit: flake8 and `ssot check` have their own pools.
    per_file = {"ssot-flake8", "ssot-check", "ssot-fix"}
    for hook_id, hook in manifest.items():
        assert hook["language"] == "python", hook_id
        assert hook["pass_filenames"] is (hook_id in per_file), hook_id
        assert hook["require_serial"] is (hook_id != "ssot-fix"), hook_id
        assert hook["minimum_pre_commit_version"] == "3.0.0", hook_id
    assert manifest["ssot-lint-imports"]["always_run"] is True
    assert manifest["ssot-lint-imports-tolerant"]["always_run"] is True
    sync_files = re.compile(manifest["ssot-sync-check"]["files"])
    for name in ("pyproject.toml", "ruff.toml", ".ruff.toml", ".importlinter", "setup.cfg"):
        assert sync_files.search(name), name
    for name in ("pkg/pyproject.toml", "setup.py", "README.md"):
        assert not sync_files.search(name), name


@pytest.mark.parametrize("hook", CHECKING_HOOKS)
def test_checking_hook_fails_on_the_legacy_tree(legacy_project, hook):
    result = legacy_project.pre_commit("run", hook, "--all-files")
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert f"- hook id: {hook}\n- exit code: 1" in output
    assert legacy_project.status() == []
    reported = findings(output)
    for line in LEGACY_FINDINGS[hook]:
        assert line in reported, output
    # The hook reports exactly what the same tool reports when run directly on the tree.
    direct = run(*DIRECT[hook], cwd=legacy_project.path, env=legacy_project.env)
    assert direct.returncode == 1
    assert reported == findings(direct.stdout)


@pytest.mark.parametrize("hook", CHECKING_HOOKS)
def test_checking_hook_passes_on_the_remediated_tree(remediated_project, hook):
    result = remediated_project.pre_commit("run", hook, "--all-files")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert re.search(r"\.{3,}Passed$", output, re.MULTILINE), output
    assert findings(output) == []
    assert remediated_project.status() == []


def test_the_tolerant_hook_checks_past_a_file_that_does_not_parse(make_project, tmp_path):
    """On the remediated tree plus one broken module, `ssot-lint-imports` stops at grimp's syntax
    error; `ssot-lint-imports-tolerant` keeps every contract and says which file it read past."""
    tree = tmp_path / "remediated"
    shutil.copytree(REMEDIATED, tree, ignore=shutil.ignore_patterns("__pycache__"))
    (tree / "netra_backend" / "app" / "broken_module.py").write_text(
        "from netra_backend.app.websocket_core.types import MessageType\n\ndef broken(:\n    pass\n")
    project = make_project(tree, ["ssot-lint-imports", "ssot-lint-imports-tolerant"])
    plain = project.pre_commit("run", "ssot-lint-imports", "--all-files")
    assert plain.returncode == 1
    assert "Syntax error in " in plain.stdout and "broken_module.py, line 3: def broken(:" in plain.stdout
    assert "Contracts:" not in plain.stdout
    tolerant = project.pre_commit("run", "ssot-lint-imports-tolerant", "--all-files")
    output = tolerant.stdout + tolerant.stderr
    assert tolerant.returncode == 0, output
    assert re.search(r"\.{3,}Passed$", output, re.MULTILINE), output
    assert project.status() == []
    direct = run("ssot", "lint-imports", "--no-logo", cwd=project.path, env=project.env)
    assert direct.returncode == 0
    assert re.search(r"^Contracts: [1-9]\d* kept, 0 broken\.$", direct.stdout, re.MULTILINE)
    assert direct.stderr.endswith(
        "ssot lint-imports: warning: netra_backend/app/broken_module.py:3: SyntaxError: invalid "
        "syntax; its imports were read past the error\n")


def test_fix_hook_rewrites_exactly_like_ssot_fix(make_project, tmp_path):
    pytest.importorskip("ssot_flake8.commands.fix", reason="`ssot fix` is not on this branch yet")
    project = make_project(LEGACY, ["ssot-fix"])
    by_hand = tmp_path / "by-hand"
    shutil.copytree(LEGACY, by_hand, ignore=shutil.ignore_patterns("__pycache__"))

    fixed = project.pre_commit("run", "ssot-fix", "--all-files")
    output = fixed.stdout + fixed.stderr
    assert fixed.returncode == 1, output
    assert "- files were modified by this hook" in output
    run("ssot", "fix", "netra_backend", cwd=by_hand)

    assert python_sources(project.path) == python_sources(by_hand)
    assert python_sources(project.path) != python_sources(LEGACY)
    # A fixer is idempotent: the second run changes nothing and passes.
    again = project.pre_commit("run", "ssot-fix", "--all-files")
    assert again.returncode == 0, again.stdout + again.stderr


def python_sources(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*.py"))}


def test_sync_check_hook_fails_when_the_ruff_config_drifts(make_project):
    pytest.importorskip("ssot_flake8.commands.sync_ruff", reason="`ssot sync-ruff` is not on this branch yet")
    project = make_project(LEGACY, ["ssot-sync-check"])
    (project.path / "pyproject.toml").write_text("[tool.ruff]\nline-length = 100\n")
    generated = run("ssot", "sync-ruff", cwd=project.path)
    assert generated.returncode in (0, 1), generated.stderr
    project.commit_all("ruff bans generated from the policy")
    in_sync = project.pre_commit("run", "ssot-sync-check", "--all-files")
    assert in_sync.returncode == 0, in_sync.stdout + in_sync.stderr

    # The policy stops banning the singleton; pyproject.toml still bans it: drift.
    policy = project.path / ".importlinter"
    banned = "    netra_backend.app.websocket_core.get_websocket_manager: singleton; " \
             "construct WebSocketManager(user_context=...)\n"
    assert banned in policy.read_text()
    policy.write_text(policy.read_text().replace(banned, ""))
    drifted = project.pre_commit("run", "ssot-sync-check", "--all-files")
    assert drifted.returncode == 1, drifted.stdout + drifted.stderr
    assert "- hook id: ssot-sync-check" in drifted.stdout
    # Only the policy and config files trigger it: a commit of Python files skips it.
    python_only = project.pre_commit(
        "run", "ssot-sync-check", "--files", "netra_backend/app/services/health.py"
    )
    assert python_only.returncode == 0
    assert "(no files to check)Skipped" in python_only.stdout


SINGLETON_USE = """\
from netra_backend.app.websocket_core import get_websocket_manager


def cache_for(user_id):
    return get_websocket_manager()
"""
CORRECTED = """\
from netra_backend.app.websocket_core.websocket_manager import WebSocketManager


def cache_for(ctx):
    return WebSocketManager(user_context=ctx)
"""


def test_installed_hooks_refuse_a_commit_until_it_is_fixed(make_project):
    project = make_project(REMEDIATED)
    installed = project.pre_commit("install")
    assert installed.returncode == 0, installed.stderr
    assert "pre-commit installed at .git/hooks/pre-commit" in installed.stdout
    start = project.head()
    new_file = project.path / "netra_backend/app/services/cache_service.py"

    def commit(source: str):
        new_file.write_text(source)
        project.git("add", "netra_backend/app/services/cache_service.py")
        return project.git("commit", "--quiet", "-m", "cache service", check=False)

    refused = commit(SINGLETON_USE)
    output = refused.stdout + refused.stderr
    assert refused.returncode == 1, output
    assert f"netra_backend/app/services/cache_service.py:5:12: {SINGLETON}" in findings(output)
    heading = "netra_backend.app.services.cache_service (netra_backend/app/services/cache_service.py):"
    assert f"{heading}\n\n-   l.5: {SINGLETON}" in output  # lint-imports
    assert project.head() == start
    assert project.status() == ["A  netra_backend/app/services/cache_service.py"]

    accepted = commit(CORRECTED)
    output = accepted.stdout + accepted.stderr
    assert accepted.returncode == 0, output
    assert findings(output) == []
    assert project.status() == []
    assert project.git("rev-list", "--count", f"{start}..HEAD").stdout.strip() == "1"
    assert project.git("show", "--name-only", "--format=", "HEAD").stdout.split() == [
        "netra_backend/app/services/cache_service.py"
    ]


@pytest.mark.parametrize("module", ["app/services/agent_service.py",
                                    "app/websocket_core/websocket_manager.py"])
def test_flake8_as_editors_run_it_gives_the_same_findings(module):
    """VS Code's Flake8 extension and vim's ALE pipe the buffer to `flake8 -` with
    `--stdin-display-name`, from the project root: the findings match a run on the file."""
    path = LEGACY / "netra_backend" / module
    on_stdin = run("flake8", "--select", "SOT", "--stdin-display-name", path, "-",
                   cwd=LEGACY, input=path.read_text())
    on_file = run("flake8", "--select", "SOT", path, cwd=LEGACY)
    assert on_stdin.returncode == on_file.returncode == 1
    assert findings(on_stdin.stdout) == findings(on_file.stdout) != []


def test_the_config_ssot_init_writes_runs_these_hooks(make_project, hooks_repo):
    """`ssot init` writes a starter .pre-commit-config.yaml naming these hooks; once its
    placeholder URL and rev point at a real copy of this repository, every hook in it runs."""
    pytest.importorskip("ssot_flake8.commands.init.command", reason="`ssot init` is not on this branch yet")
    project = make_project(LEGACY)
    for name in (".importlinter", ".pre-commit-config.yaml"):
        (project.path / name).unlink()
    initialised = run("ssot", "init", "netra_backend", cwd=project.path)
    assert initialised.returncode == 0, initialised.stderr

    config_path = project.path / ".pre-commit-config.yaml"
    config = config_path.read_text()
    manifest = {hook["id"]: hook for hook in yaml.safe_load(
        (REPO / ".pre-commit-hooks.yaml").read_text())}
    enabled = [hook["id"] for hook in yaml.safe_load(config)["repos"][0]["hooks"]]
    suggested = re.findall(r"^\s*#\s*- id: (\S+)", config, re.MULTILINE)
    assert enabled and set(enabled + suggested) <= set(manifest)

    url, rev = hooks_repo
    config, repos = re.subn(r"^(\s*- repo: ).*$", rf"\g<1>{json.dumps(url)}", config, flags=re.MULTILINE)
    config, revs = re.subn(r"^(\s*rev: ).*$", rf"\g<1>{rev}", config, flags=re.MULTILINE)
    assert repos == revs == 1
    config_path.write_text(config)
    project.commit_all("ssot init")
    result = project.pre_commit("run", "--all-files")
    output = result.stdout + result.stderr
    assert result.returncode == 1, output  # the legacy tree breaks the policy init wrote
    for hook_id in enabled:
        name = re.escape(manifest[hook_id]["name"])
        assert re.search(rf"^{name}\.+(Passed|Failed)$", output, re.MULTILINE), output


def test_day_one_on_the_legacy_tree_green_after_the_baseline_red_on_a_new_break(make_project):
    """The README's day-one path: the checking hooks fail on the legacy tree; after one
    `ssot baseline` (committed) they pass; a commit adding a new violation fails every one."""
    project = make_project(LEGACY, list(CHECKING_HOOKS))
    assert project.pre_commit("run", "--all-files").returncode == 1
    adopted = run("ssot", "baseline", "--baseline", "ssot-baseline.json", cwd=project.path,
                  env=project.env)
    assert adopted.returncode == 0, adopted.stderr
    project.commit_all("ssot: baseline of today's drift")
    green = project.pre_commit("run", "--all-files")
    assert green.returncode == 0, green.stdout + green.stderr
    assert len(re.findall(r"\.{3,}Passed$", green.stdout, re.MULTILINE)) == len(CHECKING_HOOKS)

    new = project.path / "netra_backend/app/services/new_service.py"
    new.write_text("from netra_backend.app.websocket_core.websocket_manager import get_websocket_manager\n"
                   "manager = get_websocket_manager()\n")
    project.git("add", "--all")
    red = project.pre_commit("run")
    output = red.stdout + red.stderr
    assert red.returncode == 1, output
    for hook in CHECKING_HOOKS:
        assert f"- hook id: {hook}\n- exit code: 1" in output
    contract_hooks = [hook for hook in CHECKING_HOOKS if "lint-imports" in hook]
    assert findings(output) == sorted([
        f"netra_backend/app/services/new_service.py:2:11: {SINGLETON}",
        f"netra_backend/app/services/new_service.py:2:11: {SINGLETON}",
        *[f"-   l.2: {SINGLETON}"] * len(contract_hooks),
    ])
