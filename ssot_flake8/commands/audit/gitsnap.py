"""Past commits for `--history`: which ones, and their files in one folder, updated commit by commit.

The first commit's files come from `git archive`; each next commit rewrites only the files that
changed (`git diff --name-status`), so the symbol index's cache in that folder keeps every file
that did not change. The working tree, the index and HEAD are never touched.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import tarfile
from pathlib import Path

from ssot_flake8.services.options import UsageError

ARCHIVE_CHUNK = 500  # paths per `git archive` call (command lines have a length limit)


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True,
                            check=False)
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


def commits(root: Path, count: int | None, since: str | None = None) -> list[tuple[str, str, str]]:
    """HEAD's first-parent line, oldest first, as (sha, short, date): the last `count` commits,
    or the commits from `since` (included) to HEAD, or the last `count` of those."""
    limit = [f"--max-count={count}"] if count is not None else []
    revisions = ["HEAD"]
    if since is not None:
        try:
            start = git(root, "rev-parse", "--verify", "--quiet", f"{since}^{{commit}}").strip()
        except UsageError:
            raise UsageError(f"--since {since}: no such commit") from None
        if subprocess.run(["git", "-C", str(root), "merge-base", "--is-ancestor", start, "HEAD"],
                          capture_output=True, check=False).returncode:
            raise UsageError(f"--since {since}: not an ancestor of HEAD")
        revisions = [f"{start}..HEAD"]
    log = git(root, "log", "--first-parent", *limit, "--format=%H %h %cI", *revisions)
    found = [tuple(line.split(" ", 2)) for line in reversed(log.splitlines()) if line]
    if since is not None and (count is None or len(found) < count):
        first = git(root, "log", "-1", "--format=%H %h %cI", start).strip()
        found.insert(0, tuple(first.split(" ", 2)))
    return found


class Checkout:
    """The files of `specs` (paths in the repository) at one commit after another, in `target`."""

    def __init__(self, root: Path, specs: list[str], target: Path):
        self.root, self.specs, self.target = root, specs, target
        self.sha: str | None = None

    def move_to(self, sha: str) -> None:
        if self.sha is None:
            present = [s for s in self.specs if s == "." or _exists_at(self.root, sha, s)]
            _archive(self.root, sha, present, self.target)
        else:
            changed = self._changes(self.sha, sha)
            for path in changed:
                with contextlib.suppress(FileNotFoundError, IsADirectoryError):
                    (self.target / path).unlink()
            existing = [p for p, status in changed.items() if status != "D"]
            for start in range(0, len(existing), ARCHIVE_CHUNK):
                _archive(self.root, sha, existing[start:start + ARCHIVE_CHUNK], self.target)
            for path in existing:  # the archive's mtime is the commit's: say "just changed"
                with contextlib.suppress(OSError):
                    os.utime(self.target / path, follow_symlinks=False)
        self.sha = sha

    def _changes(self, old: str, new: str) -> dict[str, str]:
        out = git(self.root, "diff", "--name-status", "--no-renames", "-z", old, new, "--",
                  *self.specs)
        parts = out.split("\0")
        return {parts[i + 1]: parts[i][:1] for i in range(0, len(parts) - 1, 2)}


def _archive(root: Path, sha: str, paths: list[str], target: Path) -> None:
    """Write the files of `paths` at commit `sha` into `target` (git archive; no checkout)."""
    if not paths:
        return
    command = ["git", "-C", str(root), "archive", "--format=tar", sha, "--", *paths]
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
