"""The last run's whole answer, reused when nothing it read has changed (a warm run's shortcut).

A warm `ssot check` (or ssot contract) otherwise loads the index and the check cache, megabytes
of JSON on a large tree, only to learn that every entry still holds. The memo keys one run's
findings on what they can depend on: the tool's code, the Python version and the policy (the
fingerprint before the index), the files checked as they were named, and the size, mtime and
inode of every file checked and of every module file of the tree (what the index is made of).
Any change to one of them misses the memo, and the run goes through the check cache as before.
A file changed within the last seconds could change again unseen (git's "racy clean" problem):
then the memo is not written.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from ssot_flake8.analysis.index import tree_files
from ssot_flake8.policy.model import Policy
from ssot_flake8.services.cache import CACHE_DIR, RACY_NS, fingerprint, write_sealed
from ssot_flake8.services.runner import Reported
from ssot_flake8.source.text import Finding
from ssot_flake8.support.sealed import header_of, unseal

VERSION = 1


class RunMemo:
    def __init__(self, path: Path, key: str, newest_ns: int) -> None:
        self.path = path
        self.key = key
        self.newest_ns = newest_ns  # the newest mtime among the files read

    @classmethod
    def for_run(cls, policy: Policy, files: Sequence[str], slot: str,
                directory: Path | None = None, tree: Sequence[str] | None = None) -> RunMemo:
        """The memo of a run over `files` (display paths) under `policy`, before its index is
        built. `slot` names the run (one memo file each, so two kinds of run do not evict each
        other); `directory` is where it lives (default: the check cache's); `tree` the module
        files of the policy's tree, when the caller has listed them already."""
        assert policy.index is None, "the key is made before the index"
        digest = hashlib.blake2b(digest_size=16)
        digest.update(f"{fingerprint(policy)}\0{os.getcwd()}\0".encode())
        newest = 0
        if tree is None:
            tree = [path for path, _, _ in tree_files(policy)]
        for group in (files, tree):
            digest.update(b"\1")
            for name, stamp in _stamps(group):
                digest.update(f"{name}\0{stamp}\n".encode())
                newest = max(newest, stamp[1] if stamp else 0)
        name = hashlib.blake2b(f"{os.getcwd()}\0{slot}".encode(), digest_size=6).hexdigest()
        directory = directory or policy.config_path.parent / CACHE_DIR
        return cls(directory / f"run-v{VERSION}-{name}.json", digest.hexdigest(), newest)

    def load(self) -> list[Reported] | None:
        """The findings the last run with this key reported, or None."""
        try:
            sealed = header_of(self.path.read_bytes())
        except OSError:
            return None
        if sealed is None or sealed[0].get("key") != self.key:
            return None
        rows = unseal(*sealed)
        if not isinstance(rows, list):
            return None
        return [Reported(Finding(*row[:7], end_line=row[7], end_col=row[8]), row[9]) for row in rows]

    def save(self, reported: Iterable[Reported]) -> None:
        if self.newest_ns > time.time_ns() - RACY_NS:
            return  # a file may still be changing within the clock's granularity
        rows = [[f.path, f.line, f.col, f.code, f.message, f.subject, f.target, f.end_line,
                 f.end_col, r.source] for r in reported for f in (r.finding,)]
        write_sealed(self.path, {"key": self.key}, rows)


def _stamps(names: Iterable[str]) -> Iterable[tuple[str, tuple[int, int, int] | None]]:
    for name in names:
        try:
            status = os.stat(name)
            yield name, (status.st_size, status.st_mtime_ns, status.st_ino)
        except OSError:
            yield name, None
