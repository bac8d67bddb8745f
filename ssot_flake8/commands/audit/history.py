"""`--history`: every past commit audited with today's policy, and the burn-down table."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ssot_flake8.analysis.index import expand_policy
from ssot_flake8.commands.audit.categories import Audit, audit_paths
from ssot_flake8.commands.audit.gitsnap import Checkout, commits, in_repo, repo_root
from ssot_flake8.commands.audit.render import _md, table_text
from ssot_flake8.policy.config import load_policy
from ssot_flake8.policy.model import Policy, PolicyError
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
    missing: int = 0  # Python files whose blobs the repository lacks (not audited)

    def as_json(self) -> dict:
        return {
            "commit": self.sha,
            "short": self.short,
            "date": self.date,
            "files": self.audit.files if self.audit else None,
            "canonical_share": round(self.audit.canonical_share, 4) if self.audit else None,
            "counts": self.audit.counts() if self.audit else None,
            "error": self.error or None,
            "missing_files": self.missing,
        }

    def note(self) -> str:
        if self.error:
            return self.error
        return f"{self.missing} files not in the repository's objects" if self.missing else ""


def run_history(policy: Policy, paths: Sequence[Path], count: int | None,
                since: str | None = None) -> list[Snapshot]:
    """Audit each commit of the history with today's policy (the one given): its text is
    written into every commit's files, so the burn-down has a point from the first commit on,
    also before the team adopted the policy. A commit it cannot be measured on (its tree lacks
    the root package, a contract names a module that does not exist yet) says why."""
    root = repo_root(Path.cwd())
    config = in_repo(policy.config_path, root, "the policy")
    relative = [in_repo(path, root, "path") for path in paths]
    roots = [in_repo(source_root.joinpath(*package.split(".")), root, "the source root")
             for source_root in policy.source_roots for package in policy.root_packages]
    packages = [spec for r in roots for spec in (r, r + ".py")]
    specs = _outermost(sorted({*relative, *packages}))
    text = policy.config_path.read_bytes()
    history = [Snapshot(*commit) for commit in commits(root, count, since)]
    progress = Progress("ssot audit", len(history), unit="commits")
    with tempfile.TemporaryDirectory(prefix="ssot-audit-") as temporary:
        snapshot_root = Path(temporary).resolve()
        checkout = Checkout(root, specs, snapshot_root)
        for snapshot in history:
            progress.advance(0, snapshot.short)
            checkout.move_to(snapshot.sha)
            snapshot.missing = checkout.missing
            _write_policy(snapshot_root / config, text)
            audit_snapshot(snapshot, snapshot_root, config, relative)
            progress.advance()
    progress.close()
    return history


def _outermost(specs: list[str]) -> list[str]:
    """The paths not inside another one of them ('.' holds them all)."""
    if "." in specs:
        return ["."]
    return [s for s in specs if not any(o != s and _under(s, o) for o in specs)]


def _under(path: str, directory: str) -> bool:
    return directory == "." or path == directory or path.startswith(directory.rstrip("/") + "/")


def _write_policy(path: Path, text: bytes) -> None:
    """Today's policy file at its place in the commit's files (unless it is there already)."""
    with contextlib.suppress(OSError):
        if path.read_bytes() == text:
            return
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    path.write_bytes(text)


def audit_snapshot(snapshot: Snapshot, root: Path, config: str, paths: list[str]) -> None:
    try:
        policy = load_policy(root / config)
        expand_policy(policy)
    except PolicyError as error:
        snapshot.error = str(error).replace(str(root) + os.sep, "").replace(str(root), ".")
        return
    existing = [root / p for p in paths if (root / p).exists()]
    if not existing:
        snapshot.error = f"no {', '.join(paths)} in this commit"
        return
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
            row += [f"{snapshot.audit.canonical_share:.0%}", snapshot.note()]
        else:
            row += ["-"] * len(keys) + ["-", snapshot.note()]
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
