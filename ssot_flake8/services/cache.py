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
import functools
import hashlib
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from ssot_flake8 import __version__
from ssot_flake8.policy.model import Policy
from ssot_flake8.source.text import Finding
from ssot_flake8.support.atomic_write import write_atomic
from ssot_flake8.support.sealed import header_of, seal, unseal

CACHE_DIR = ".ssot_cache"
CACHE_FILE = "check-v4.json"
RACY_NS = 2_000_000_000  # trust a stat only if the file is this much older than the last write

FindingRow = tuple  # (line, col, code, message, subject, target, source line, end line, end col)
ImportRow = tuple  # (line, module, name, symbol, how): a SymbolImport without its path (audit)


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@dataclass(frozen=True)
class Entry:
    stat: tuple[int, int]  # (size, mtime_ns)
    hash: str | None  # None for a file the pre-filter rejected (re-filtering is as cheap)
    findings: tuple[FindingRow, ...] | None  # None: the content is unchanged, keep the old rows
    asked: tuple[tuple[str, str], ...] = ()  # the questions asked the index (ModuleIndex.asked)
    answers: str = ""  # ModuleIndex.answers(asked) when the findings were computed
    imports: tuple[ImportRow, ...] = ()  # its imports of registered symbols, for `ssot audit`

    @classmethod
    def of(cls, stat, digest: str | None, reported, asked=(), answers: str = "",
           imports=()) -> Entry:
        rows = tuple(
            (r.finding.line, r.finding.col, r.finding.code, _unnamed(r.finding.message, r.finding.path),
             r.finding.subject, r.finding.target, r.source, r.finding.end_line,
             r.finding.end_col)
            for r in reported
        )
        import_rows = tuple((i.line, i.module, i.name, i.symbol, i.how) for i in imports)
        return cls(stat, digest, rows, asked, answers, import_rows)

    def findings_for(self, path: str) -> list[tuple[Finding, str]]:
        return [(Finding(path, *row[:3], row[3].replace(PATH_MARK, path, 1), *row[4:6],
                         end_line=row[7], end_col=row[8]), row[6])
                for row in self.findings or ()]


PATH_MARK = "\x00path\x00"  # a message that names its file (SOT000) is stored without the name


def _unnamed(message: str, path: str) -> str:
    """The message as cached: a file may be checked again under another display path."""
    return PATH_MARK + message[len(path):] if message.startswith(path) else message


class Cache:
    def __init__(self, path: Path, fingerprint: str, index=None) -> None:
        self.path = path
        self.index = index  # the policy's ModuleIndex: entries' answers are checked against it
        self.fingerprint = fingerprint
        self.entries: dict[str, Entry] = {}
        self._answered: dict[str, bool] = {}  # key -> the loaded entry's answers still hold
        self._all_answered = False  # the index is the one every loaded entry was answered by
        self._stored: set[str] = set()  # keys stored by this run (answered under this index)
        self.written_ns = 0
        self.changed = False

    @classmethod
    def for_policy(cls, policy: Policy) -> Cache:
        cache = cls(policy.config_path.parent / CACHE_DIR / CACHE_FILE, fingerprint(policy),
                    policy.index)
        cache.load()
        return cache

    def load(self) -> None:
        """A sealed file (support/sealed.py) whose body is used as written: checking the shape
        of every entry would cost more than the warm run's other work."""
        try:
            sealed = header_of(self.path.read_bytes())
            if sealed is None or sealed[0].get("fingerprint") != self.fingerprint:
                self.changed = sealed is None  # damaged: rewritten by this run
                return
            header, body = sealed
            files = unseal(header, body)
            if not isinstance(files, dict):
                raise ValueError("damaged cache")
            self.written_ns = int(header["written_ns"])
            # Rows and questions stay the JSON lists they were read as (Entry.findings_for and
            # ModuleIndex.answers take either); only the stat is compared, as a tuple.
            self.entries = {key: Entry(tuple(stat), digest, rows, asked, answers, imports)
                            for key, (stat, digest, rows, asked, answers, imports) in files.items()}
            # Every entry was answered under the index the file was written with: while the
            # index is the same, no entry's questions need asking again.
            self._all_answered = bool(header.get("index")) and header["index"] == self._index_digest()
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            self.entries = {}  # missing or damaged: start over, it is only a cache
            self.changed = True  # and the damaged file is rewritten by this run

    def _index_digest(self) -> str:
        return self.index.digest if self.index is not None else ""

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
        if not entry.asked or self.index is None or self._all_answered:
            return True
        if key not in self._answered:
            self._answered[key] = self.index.answers(entry.asked) == entry.answers
        return self._answered[key]

    def store(self, key: str, entry: Entry) -> Entry:
        """Record an entry; one whose findings are None keeps the previous entry's findings."""
        if entry.findings is None:
            old = self.entries[key]
            entry = Entry(entry.stat, entry.hash, old.findings, old.asked, old.answers, old.imports)
        if self.entries.get(key) != entry:
            self.entries[key] = entry
            self._answered.pop(key, None)
            self.changed = True
        self._stored.add(key)
        return entry

    def save(self) -> None:
        """Write atomically; entries of files that no longer exist are dropped. Failures are
        ignored: a read-only checkout simply runs without a cache."""
        if not self.changed:
            return
        files = {
            key: [list(e.stat), e.hash, [list(row) for row in e.findings or ()],
                  [list(q) for q in e.asked], e.answers, [list(row) for row in e.imports]]
            for key, e in sorted(self.entries.items()) if os.path.exists(key)
        }
        # The index digest says "every entry holds under this index" only when it is true: each
        # kept entry was loaded under it, or stored or re-answered by this run (a run over a
        # few paths keeps other files' entries without asking their questions again).
        whole = self._all_answered or all(
            self._answered.get(key, key in self._stored) for key in files)
        header = {"fingerprint": self.fingerprint, "written_ns": time.time_ns(),
                  "index": self._index_digest() if whole else ""}
        write_sealed(self.path, header, files)


def write_sealed(path: Path, header: dict, body: object) -> None:
    """Write a cache file atomically in its `.ssot_cache/` (made git-ignored); failures are
    ignored: a read-only checkout simply runs without a cache."""
    with contextlib.suppress(OSError):
        path.parent.mkdir(exist_ok=True)
        ignore = path.parent / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# created by ssot check\n*\n")
        write_atomic(path, seal(header, body))


def fingerprint(policy: Policy) -> str:
    """Changes whenever the tool's code (any module of the package: the engine and the rules
    make the findings), the Python version (what parses), the policy's tables or the tree's
    layout change."""
    digest = hashlib.blake2b(code_digest().encode(), digest_size=16)
    digest.update(f"py{sys.version_info[0]}.{sys.version_info[1]}".encode())  # what parses
    digest.update(repr(policy).encode())
    if policy.index is not None:  # the rest of what other modules offer is in each entry
        digest.update(policy.index.layout_digest().encode())
    return digest.hexdigest()


@functools.cache  # the package's files do not change during a run; check and audit both ask
def code_digest() -> str:
    """Changes whenever the tool's version or any module of the package changes."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(__version__.encode())
    package = Path(__file__).resolve().parents[1]
    for source in sorted(package.rglob("*.py")):
        digest.update(str(source.relative_to(package)).encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()
