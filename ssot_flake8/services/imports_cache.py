"""Each file's import statements (source.imports), cached for the audit's cycle finder.

The cycle finder (analysis.cycles.static_edges) reads every module of the policy's packages,
thousands of files where the check reads only those naming the policy; a warm audit or the next
commit of a burn-down re-reads only the files that changed. One sealed JSON file in
`.ssot_cache/` (support/sealed.py); an entry is trusted when the file's (size, mtime_ns) is
unchanged and older than the last write (git's "racy clean" problem), else its content hash
decides. The misses of a large tree are parsed in one worker per core.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from pathlib import Path

from ssot_flake8.services.cache import CACHE_DIR, RACY_NS, code_digest, content_hash, write_sealed
from ssot_flake8.source.imports import ImportedObject, file_imports
from ssot_flake8.support.parallel import map_in_workers, may_start_workers
from ssot_flake8.support.sealed import header_of, unseal

CACHE_FILE = "imports-v1.json"
PARALLEL_MIN_FILES = 256  # below this, starting worker processes costs more than it saves

Module = tuple[Path, str, bool]  # (file, module name, is a package `__init__`)
Row = list  # [name, line, typechecking_only]


class ImportsCache:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.fingerprint = code_digest()
        self.entries: dict[str, list] = {}  # key -> [size, mtime_ns, hash, module, rows]
        self.written_ns = 0
        self.changed = False

    @classmethod
    def beside(cls, config_path: Path) -> ImportsCache:
        cache = cls(config_path.parent / CACHE_DIR / CACHE_FILE)
        cache.load()
        return cache

    def load(self) -> None:
        try:
            sealed = header_of(self.path.read_bytes())
            if sealed is None or sealed[0].get("fingerprint") != self.fingerprint:
                return
            entries = unseal(*sealed)
            if not isinstance(entries, dict):
                raise ValueError("damaged cache")
            self.entries, self.written_ns = entries, int(sealed[0]["written_ns"])
        except (OSError, ValueError, KeyError, TypeError):
            self.entries = {}  # missing or damaged: start over, it is only a cache

    def imports_of(self, path: Path, module: str, is_package: bool) -> tuple[ImportedObject, ...]:
        """The file's imports: from the cache when it did not change, else parsed (and kept)."""
        key, stat, name = _key(path), _stat(path), _name(module, is_package)
        entry = self._entry(key, name)
        if entry and stat and entry[:2] == list(stat) and stat[1] <= self.written_ns - RACY_NS:
            return _objects(entry[4])
        try:
            data = path.read_bytes()
        except OSError:
            return ()
        digest = content_hash(data)
        rows = entry[4] if entry and entry[2] == digest else _rows(data, str(path), module, is_package)
        self._store(key, stat, digest, name, rows)
        return _objects(rows)

    def prefetch(self, modules: Iterable[Module]) -> None:
        """Parse the files the cache cannot answer for, in one worker per core."""
        misses = [m for m in modules if not self._fresh(*m)]
        if len(misses) < PARALLEL_MIN_FILES or (os.cpu_count() or 1) < 2 or not may_start_workers():
            return  # imports_of parses them one by one
        workers = os.cpu_count() or 1
        size = max(8, min(256, len(misses) // (workers * 4)))
        for (path, module, is_package), parsed in zip(
                misses, map_in_workers(_parse, misses, workers, size), strict=True):
            if parsed is not None:
                stat, digest, rows = parsed
                self._store(_key(path), stat, digest, _name(module, is_package), rows)

    def _fresh(self, path: Path, module: str, is_package: bool) -> bool:
        entry, stat = self._entry(_key(path), _name(module, is_package)), _stat(path)
        return bool(entry and stat and entry[:2] == list(stat))

    def _entry(self, key: str, name: str) -> list | None:
        """The cached entry of a file read as module `name` (relative imports depend on it)."""
        entry = self.entries.get(key)
        return entry if entry and entry[3] == name else None

    def _store(self, key: str, stat, digest: str, name: str, rows: list[Row]) -> None:
        if stat is None:
            return
        entry = [*stat, digest, name, rows]
        if self.entries.get(key) != entry:
            self.entries[key] = entry
            self.changed = True

    def save(self) -> None:
        """Write atomically, dropping the entries of files that are gone."""
        if not self.changed:
            return
        entries = {key: e for key, e in sorted(self.entries.items()) if os.path.exists(key)}
        write_sealed(self.path, {"fingerprint": self.fingerprint, "written_ns": time.time_ns()},
                     entries)


def _key(path: Path) -> str:
    return os.path.abspath(path)


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


def _name(module: str, is_package: bool) -> str:
    """Relative imports resolve against the module (and a package `__init__` is its own base)."""
    return module + ("/__init__" if is_package else "")


def _rows(data: bytes, path: str, module: str, is_package: bool) -> list[Row]:
    objects = file_imports(data, path, module, is_package).objects
    return [[o.name, o.line_number, o.typechecking_only] for o in objects]


def _objects(rows: list[Row]) -> tuple[ImportedObject, ...]:
    return tuple(ImportedObject(name, line, "", typechecking) for name, line, typechecking in rows)


def _parse(item: Module) -> tuple | None:
    path, module, is_package = item
    stat = _stat(path)
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return stat, content_hash(data), _rows(data, str(path), module, is_package)
