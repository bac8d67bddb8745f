"""Past commits for `--history`: which ones, and their files in one folder, updated commit by commit.

Only Python files are written, read straight from git's objects (`git ls-tree` for the first
commit, `git diff-tree` for each next one, then `git cat-file --batch`): each commit rewrites only
the files that changed, so the caches in that folder keep every file that did not. Symbolic links
are skipped (one could point outside the snapshot). The working tree, the index and HEAD are
never touched.
"""

from __future__ import annotations

import contextlib
import subprocess
from pathlib import Path

from ssot_flake8.services.options import UsageError


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
    """The Python files of `specs` (paths in the repository) at one commit after another, in
    `target`. Blobs are read with one `git cat-file --batch` process; a blob the repository
    lacks (a partial or LFS-pruned clone) is skipped and counted in `missing`."""

    def __init__(self, root: Path, specs: list[str], target: Path):
        self.root, self.specs, self.target = root, specs, target
        self.sha: str | None = None
        self.missing = 0  # blobs of Python files the repository does not hold, at the last move

    def move_to(self, sha: str) -> None:
        first = self.sha is None
        wanted = _tree_blobs(self.root, sha, self.specs) if first else self._changes(self.sha, sha)
        with Blobs(self.root) as blobs:
            self.missing = 0
            for path, blob in wanted.items():
                self.missing += not self._write(path, blob and blobs.read(blob))
        self.sha = sha

    def _write(self, path: str, data: bytes | str | None) -> bool:
        """Write (or, for data None, delete) one file; False when its blob is missing. A newly
        written file gets the current time as its mtime, so caches see it changed."""
        target = self.target / path
        with contextlib.suppress(FileNotFoundError, IsADirectoryError):
            target.unlink()
        if data is None:
            return True
        if data is MISSING:
            return False
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        return True

    def _changes(self, old: str, new: str) -> dict[str, str | None]:
        """path -> its new blob (None: deleted or no longer a Python file)."""
        out = git(self.root, "diff-tree", "-r", "-z", "--no-renames", old, new, "--", *self.specs)
        parts = out.split("\0")
        changes: dict[str, str | None] = {}
        for meta, path in zip(parts[0:-1:2], parts[1::2], strict=False):
            _, new_mode, _, new_blob, _ = meta.split(" ")
            if _is_python(path):
                changes[path] = new_blob if _is_file(new_mode) else None
        return changes


MISSING = "missing"  # what Blobs.read gives for an object the repository does not hold


class Blobs:
    """`git cat-file --batch`: blob contents by object name, one process for many reads."""

    def __init__(self, root: Path):
        self.root = root

    def __enter__(self) -> Blobs:
        command = ["git", "-C", str(self.root), "cat-file", "--batch"]
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL)
        return self

    def __exit__(self, *exc: object) -> None:
        self.process.stdin.close()
        self.process.wait()
        self.process.stdout.close()

    def read(self, blob: str) -> bytes | str:
        self.process.stdin.write(blob.encode() + b"\n")
        self.process.stdin.flush()
        header = self.process.stdout.readline().split()
        if len(header) != 3:
            if header[1:2] == [b"missing"]:
                return MISSING
            raise UsageError(f"git cat-file {blob[:12]}: unexpected answer {header!r}")
        data = self.process.stdout.read(int(header[2]))
        self.process.stdout.read(1)  # the newline after the contents
        return data


def _tree_blobs(root: Path, sha: str, specs: list[str]) -> dict[str, str]:
    """path -> blob of every Python file under `specs` at commit `sha`."""
    out = git(root, "ls-tree", "-r", "-z", "--full-tree", sha, "--", *specs)
    found = {}
    for record in filter(None, out.split("\0")):
        meta, path = record.split("\t", 1)
        mode, kind, blob = meta.split(" ")
        if kind == "blob" and _is_file(mode) and _is_python(path):
            found[path] = blob
    return found


def _is_file(mode: str) -> bool:
    """A regular file: not a symbolic link (120000), a submodule (160000) or a deletion."""
    return mode in ("100644", "100755")


def _is_python(path: str) -> bool:
    return path.endswith((".py", ".pyi"))
