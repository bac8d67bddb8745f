"""The `ssot check` cache: one JSON file in `.ssot_cache/` next to the policy's config file.

An entry is trusted when the file's (size, mtime_ns) is unchanged; otherwise its content hash
decides. The whole file is dropped when the tool's code, the policy or the tree's layout (which
modules exist) changes (the fingerprint). What else a file's findings depend on in other modules
is the questions it asked the index (is `from m import n` stale? what does `from m import *`
bring?): an entry records them and holds only while their answers are the same, so an edit to one
module re-checks only the files that asked about it.
A stat taken too close to the previous write is not trusted (git's "racy clean" problem: a file
rewritten within the file system's timestamp granularity keeps its mtime).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from ssot_flake8 import __version__
from ssot_flake8.policy.model import Policy
from ssot_flake8.source.text import Finding
from ssot_flake8.support.atomic_write import write_atomic

CACHE_DIR = ".ssot_cache"
CACHE_FILE = "check-v2.json"
RACY_NS = 2_000_000_000  # trust a stat only if the file is this much older than the last write

FindingRow = tuple  # (line, col, code, message, subject, target, source line)


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@dataclass(frozen=True)
class Entry:
    stat: tuple[int, int]  # (size, mtime_ns)
    hash: str | None  # None for a file the pre-filter rejected (re-filtering is as cheap)
    findings: tuple[FindingRow, ...] | None  # None: the content is unchanged, keep the old rows
    asked: tuple[tuple[str, str], ...] = ()  # the questions asked the index (ModuleIndex.asked)
    answers: str = ""  # ModuleIndex.answers(asked) when the findings were computed

    @classmethod
    def of(cls, stat, digest: str | None, reported, asked=(), answers: str = "") -> Entry:
        rows = tuple(
            (r.finding.line, r.finding.col, r.finding.code, r.finding.message,
             r.finding.subject, r.finding.target, r.source)
            for r in reported
        )
        return cls(stat, digest, rows, asked, answers)

    def findings_for(self, path: str) -> list[tuple[Finding, str]]:
        return [(Finding(path, *row[:6]), row[6]) for row in self.findings or ()]


class Cache:
    def __init__(self, path: Path, fingerprint: str, index=None) -> None:
        self.path = path
        self.index = index  # the policy's ModuleIndex: entries' answers are checked against it
        self.fingerprint = fingerprint
        self.entries: dict[str, Entry] = {}
        self._answered: dict[str, bool] = {}  # key -> the loaded entry's answers still hold
        self.written_ns = 0
        self.changed = False

    @classmethod
    def for_policy(cls, policy: Policy) -> Cache:
        cache = cls(policy.config_path.parent / CACHE_DIR / CACHE_FILE, fingerprint(policy),
                    policy.index)
        cache.load()
        return cache

    def load(self) -> None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("fingerprint") != self.fingerprint:
                return
            self.written_ns = int(data["written_ns"])
            entries = {}
            for key, (stat, digest, rows, asked, answers) in data["files"].items():
                if not _valid(stat, digest, rows, asked, answers):
                    raise ValueError(f"damaged cache entry for {key}")
                entries[key] = Entry(tuple(stat), digest, tuple(tuple(row) for row in rows),
                                     tuple(tuple(q) for q in asked), answers)
            self.entries = entries
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            self.entries = {}  # missing or damaged: start over, it is only a cache
            self.changed = True  # and the damaged file is rewritten by this run

    def lookup(self, key: str, stat: tuple[int, int]) -> Entry | None:
        entry = self.entries.get(key)
        if entry is None or entry.stat != stat or stat[1] > self.written_ns - RACY_NS:
            return None
        return entry if self.still_answered(key, entry) else None

    def known_hash(self, key: str) -> str | None:
        """The cached content hash, when the entry's findings still hold for that content."""
        entry = self.entries.get(key)
        return entry.hash if entry and self.still_answered(key, entry) else None

    def still_answered(self, key: str, entry: Entry) -> bool:
        """The answers to the questions the file asked are the ones its findings were made with
        (asked once per loaded entry: `known_hash` and `lookup` both ask)."""
        if not entry.asked or self.index is None:
            return True
        if key not in self._answered:
            self._answered[key] = self.index.answers(entry.asked) == entry.answers
        return self._answered[key]

    def store(self, key: str, entry: Entry) -> Entry:
        """Record an entry; one whose findings are None keeps the previous entry's findings."""
        if entry.findings is None:
            old = self.entries[key]
            entry = Entry(entry.stat, entry.hash, old.findings, old.asked, old.answers)
        if self.entries.get(key) != entry:
            self.entries[key] = entry
            self._answered.pop(key, None)
            self.changed = True
        return entry

    def save(self) -> None:
        """Write atomically; entries of files that no longer exist are dropped. Failures are
        ignored: a read-only checkout simply runs without a cache."""
        if not self.changed:
            return
        files = {
            key: [list(e.stat), e.hash, [list(row) for row in e.findings or ()],
                  [list(q) for q in e.asked], e.answers]
            for key, e in sorted(self.entries.items()) if os.path.exists(key)
        }
        data = {"fingerprint": self.fingerprint, "written_ns": time.time_ns(), "files": files}
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(exist_ok=True)
            ignore = self.path.parent / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# created by ssot check\n*\n")
            write_atomic(self.path, json.dumps(data, separators=(",", ":")))


ROW_TYPES = (int, int, str, str, str, str, str)  # the FindingRow written by Entry.of


def _valid(stat: object, digest: object, rows: object, asked: object, answers: object) -> bool:
    """An entry of the shape `save` writes; anything else means the file is damaged."""
    return (isinstance(asked, list) and isinstance(answers, str)
            and all(isinstance(q, list) and len(q) == 2 and all(type(v) is str for v in q)
                    for q in asked)
            and isinstance(stat, list) and len(stat) == 2 and all(type(v) is int for v in stat)
            and (digest is None or isinstance(digest, str)) and isinstance(rows, list)
            and all(isinstance(row, list) and len(row) == len(ROW_TYPES)
                    and all(type(v) is t for v, t in zip(row, ROW_TYPES, strict=True))
                    for row in rows))


def fingerprint(policy: Policy) -> str:
    """Changes whenever the tool's code (any module of the package: the engine and the rules
    make the findings), the policy's tables or the tree's layout change."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(__version__.encode())
    package = Path(__file__).resolve().parents[1]
    for source in sorted(package.rglob("*.py")):
        digest.update(str(source.relative_to(package)).encode() + b"\0" + source.read_bytes())
    digest.update(repr(policy).encode())
    if policy.index is not None:  # the rest of what other modules offer is in each entry
        digest.update(policy.index.layout_digest().encode())
    return digest.hexdigest()
