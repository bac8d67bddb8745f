"""`--history`: the audit of past commits from `git archive` snapshots, and its table."""

from __future__ import annotations

import contextlib
import os
import subprocess
import tarfile
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ssot_flake8.analysis.index import expand_policy
from ssot_flake8.commands.audit.categories import Audit, audit_paths
from ssot_flake8.commands.audit.render import _md, table_text
from ssot_flake8.policy.config import load_policy
from ssot_flake8.policy.model import Policy, PolicyError
from ssot_flake8.services.options import UsageError
from ssot_flake8.support.progress import Progress

# -- history ------------------------------------------------------------------------------------


@dataclass
class Snapshot:
    """One commit's audit for the burn-down."""

    sha: str
    short: str
    date: str  # committer date, ISO 8601
    audit: Audit | None = None
    error: str = ""

    def as_json(self) -> dict:
        return {
            "commit": self.sha,
            "short": self.short,
            "date": self.date,
            "files": self.audit.files if self.audit else None,
            "canonical_share": round(self.audit.canonical_share, 4) if self.audit else None,
            "counts": self.audit.counts() if self.audit else None,
            "error": self.error or None,
        }


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=False)
    if result.returncode:
        message = (result.stderr.strip().splitlines() or ["failed"])[-1]
        raise UsageError(f"git {args[0]}: {message}")
    return result.stdout


def repo_root(start: Path) -> Path:
    try:
        return Path(git(start, "rev-parse", "--show-toplevel").strip()).resolve()
    except UsageError:
        raise UsageError(f"--history needs a git repository; {start} is not in one") from None


def in_repo(path: Path, root: Path, what: str) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        raise UsageError(f"--history: {what} {path} is outside the git repository {root}") from None


def commits(root: Path, count: int) -> list[tuple[str, str, str]]:
    """The last `count` commits of HEAD's first-parent line, oldest first: (sha, short, date)."""
    log = git(root, "log", "--first-parent", f"--max-count={count}", "--format=%H %h %cI", "HEAD")
    return [tuple(line.split(" ", 2)) for line in reversed(log.splitlines()) if line]


def extract(root: Path, sha: str, specs: list[str], target: Path) -> None:
    """Write the files of `specs` at commit `sha` into `target` (git archive; no checkout)."""
    present = [s for s in specs if s == "." or _exists_at(root, sha, s)]
    if not present:
        return
    command = ["git", "-C", str(root), "archive", "--format=tar", sha, "--", *present]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        with tarfile.open(fileobj=process.stdout, mode="r|") as archive:
            for member in archive:
                _extract(archive, member, target)
        error = process.stderr.read().decode(errors="replace").strip()
    if process.returncode:
        raise UsageError(f"git archive {sha[:12]}: {error or 'failed'}")


def _extract(archive: tarfile.TarFile, member: tarfile.TarInfo, target: Path) -> None:
    """Extract one member; a link that points outside the snapshot is skipped, not followed."""
    if not hasattr(tarfile, "data_filter"):  # pragma: no cover - Python < 3.11.4
        if not (member.issym() or member.islnk()):
            archive.extract(member, target)
        return
    with contextlib.suppress(tarfile.FilterError):
        archive.extract(member, target, filter="data")


def _exists_at(root: Path, sha: str, spec: str) -> bool:
    command = ["git", "-C", str(root), "cat-file", "-e", f"{sha}:{spec}"]
    return subprocess.run(command, capture_output=True, check=False).returncode == 0


def run_history(policy: Policy, paths: Sequence[Path], count: int) -> list[Snapshot]:
    root = repo_root(Path.cwd())
    config = in_repo(policy.config_path, root, "the policy")
    relative = [in_repo(path, root, "path") for path in paths]
    config_dir = str(Path(config).parent.as_posix())
    specs = sorted({config_dir, *relative})
    if "." not in specs:  # paths inside the policy's directory come with it
        specs = [s for s in specs if s == config_dir or not _under(s, config_dir)]
    history = [Snapshot(*commit) for commit in commits(root, count)]
    progress = Progress("ssot audit", len(history), unit="commits")
    for snapshot in history:
        progress.advance(0, snapshot.short)
        with tempfile.TemporaryDirectory(prefix="ssot-audit-") as temporary:
            snapshot_root = Path(temporary).resolve()
            extract(root, snapshot.sha, specs, snapshot_root)
            audit_snapshot(snapshot, snapshot_root, config, relative)
        progress.advance()
    progress.close()
    return history


def _under(path: str, directory: str) -> bool:
    return directory == "." or path == directory or path.startswith(directory.rstrip("/") + "/")


def audit_snapshot(snapshot: Snapshot, root: Path, config: str, paths: list[str]) -> None:
    if not (root / config).is_file():
        snapshot.error = f"no policy at {config}"
        return
    try:
        policy = load_policy(root / config)
        expand_policy(policy)
    except PolicyError as error:
        snapshot.error = str(error).replace(str(root) + os.sep, "")
        return
    existing = [root / p for p in paths if (root / p).exists()]
    snapshot.audit = audit_paths(policy, existing, base=root)


def history_header(history: list[Snapshot]) -> tuple[list[str], list[str]]:
    """Category keys and short column labels, from the first audited snapshot."""
    for snapshot in history:
        if snapshot.audit:
            return ([c.key for c in snapshot.audit.categories],
                    [c.short for c in snapshot.audit.categories])
    return [], []


def history_rows(history: list[Snapshot], keys: list[str]) -> list[list[str]]:
    rows = []
    for snapshot in history:
        row = [snapshot.short, snapshot.date[:10]]
        if snapshot.audit:
            counts = snapshot.audit.counts()
            row += ["n/a" if counts[k] is None else str(counts[k]) for k in keys]
            row += [f"{snapshot.audit.canonical_share:.0%}", ""]
        else:
            row += ["-"] * len(keys) + ["-", snapshot.error]
        rows.append(row)
    return rows


def render_history_text(history: list[Snapshot]) -> str:
    keys, labels = history_header(history)
    header = ["commit", "date", *labels, "canonical", "note"]
    right = set(range(2, 3 + len(keys)))
    lines = table_text(header, history_rows(history, keys), right)
    return "\n".join(["ssot audit: burn-down, oldest commit first", "", *lines])


def render_history_markdown(history: list[Snapshot]) -> str:
    keys, labels = history_header(history)
    header = ["commit", "date", *labels, "canonical", "note"]
    align = ["---", "---", *(["---:"] * (len(keys) + 1)), "---"]
    out = ["# SSOT audit burn-down", "", "| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    for row in history_rows(history, keys):
        row[0] = f"`{row[0]}`"
        out.append("| " + " | ".join(_md(cell) for cell in row) + " |")
    return "\n".join(out)
