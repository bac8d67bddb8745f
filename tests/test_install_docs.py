"""The install steps work as written (issue 20): there is no package on PyPI and no release tag,
so the README, the docs and what `ssot init` writes never say `pip install ssot-flake8` or
`rev: v0.1.0`; the pre-commit snippet names real hooks, and `pre-commit autoupdate` (which the
README says fills `rev`) turns its placeholder into a commit sha."""

from __future__ import annotations

import re
import shlex
import shutil

import yaml
from conftest import REPO, run
from test_precommit import isolated_env

from ssot_flake8.commands.init.command import PRE_COMMIT_REPO

DOCUMENTS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]


def texts() -> list[tuple[str, str]]:
    found = [(str(p.relative_to(REPO)), p.read_text(encoding="utf-8")) for p in DOCUMENTS]
    return [*found, ("ssot init's .pre-commit-config.yaml", PRE_COMMIT_REPO)]


def index_installs(line: str) -> list[str]:
    """The requirements a `pip install` on this line would fetch from the package index."""
    found = []
    for command in re.findall(r"pip install ([^`&;|\n]+)", line):
        try:
            words = shlex.split(command, comments=True)
        except ValueError:
            words = command.split()
        for word in words:
            if re.fullmatch(r"ssot[-_]flake8(\[[\w,]+\])?([=<>~!].*)?", word, re.IGNORECASE):
                found.append(word)  # no `@ URL`, no path: a PyPI name
    return found


def test_no_document_installs_ssot_flake8_from_pypi():
    claims = [(name, line.strip()) for name, text in texts() for line in text.splitlines()
              if index_installs(line)]
    assert claims == []


def test_the_checker_catches_a_pypi_install():  # the test above can fail
    assert index_installs("1. Install: `pip install ssot-flake8` (or ...)") == ["ssot-flake8"]
    assert index_installs("- run: pip install -e . ssot-flake8") == ["ssot-flake8"]
    assert index_installs('pip install "ssot-flake8 @ git+https://x/ssot-flake8@COMMIT"') == []
    assert index_installs("pip install -e path/to/ssot-flake8") == []


def ssot_revs(text: str) -> list[str]:
    """The `rev:` of every pre-commit entry whose `repo:` is this repository."""
    return re.findall(r"-\s*repo:\s*\S*ssot-flake8\S*[^\n]*\n\s*rev:\s*(\S+)", text)


def test_no_pre_commit_snippet_pins_a_tag_that_does_not_exist():
    revs = [(name, rev) for name, text in texts() for rev in ssot_revs(text)]
    assert revs and {rev for _, rev in revs} == {"COMMIT"}, revs
    tagged_urls = [(name, ref) for name, text in texts()
                   for ref in re.findall(r"ssot-flake8(?:\.git)?@(v?[0-9][\w.]*)", text)]
    assert tagged_urls == []  # `git+https://.../ssot-flake8@v0.1.0`: no such tag either
    assert ssot_revs("  - repo: https://github.com/YOUR-ORG/ssot-flake8\n    rev: v0.1.0\n") == [
        "v0.1.0"]


def readme_pre_commit_config() -> str:
    section = (REPO / "README.md").read_text(encoding="utf-8").split("### pre-commit", 1)[1]
    return section.split("```yaml\n", 1)[1].split("```", 1)[0]


def test_the_snippets_name_hooks_this_repository_defines():
    defined = {hook["id"] for hook in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    for text in (readme_pre_commit_config(), "repos:\n" + PRE_COMMIT_REPO):
        listed = re.findall(r"^\s*#?\s*-\s*id:\s*(\S+)", text, re.M)
        assert listed and set(listed) <= defined, (listed, defined)
        [repo] = yaml.safe_load(text)["repos"]
        assert repo["rev"] == "COMMIT"


def test_pre_commit_autoupdate_fills_rev_with_a_commit_sha(tmp_path):
    """What the README tells a user to do, on its own snippet, with a real pre-commit: a clone
    stands for the hosted repository (no network)."""
    hosted = tmp_path / "hosted"
    hosted.mkdir()
    shutil.copy(REPO / ".pre-commit-hooks.yaml", hosted / ".pre-commit-hooks.yaml")
    env = isolated_env(tmp_path / "pre-commit-home")
    identity = ("-c", "user.name=ssot tests", "-c", "user.email=ssot-tests@example.invalid")
    for command in (("init", "--quiet"), ("add", "--all"),
                    (*identity, "commit", "--quiet", "--no-verify", "-m", "hooks")):
        assert run("git", *command, cwd=hosted, env=env).returncode == 0, command
    sha = run("git", "rev-parse", "HEAD", cwd=hosted, env=env).stdout.strip()
    project = tmp_path / "project"
    project.mkdir()
    assert run("git", "init", "--quiet", cwd=project, env=env).returncode == 0
    snippet = readme_pre_commit_config().replace("https://github.com/YOUR-ORG/ssot-flake8",
                                                 str(hosted))
    (project / ".pre-commit-config.yaml").write_text(snippet)
    result = run("pre-commit", "autoupdate", cwd=project, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"updating COMMIT -> {sha}" in result.stdout
    after = (project / ".pre-commit-config.yaml").read_text()
    assert after == snippet.replace("rev: COMMIT", f"rev: {sha}")  # comments and layout kept
