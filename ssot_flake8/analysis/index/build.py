"""Building the index over a tree (in worker processes for large trees) and expand_policy."""

from __future__ import annotations

import hashlib
import os
import stat
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from ssot_flake8.analysis.index.cache import _Cache, _read_cache
from ssot_flake8.analysis.index.queries import ModuleIndex
from ssot_flake8.analysis.index.record import COMPILED_SUFFIXES, FORMAT, ModuleInfo, record_source
from ssot_flake8.policy.model import Policy
from ssot_flake8.support.parallel import map_in_workers, may_start_workers
from ssot_flake8.support.progress import Progress

# -- building, with the on-disk cache ----------------------------------------------------------------


def tree_files(policy: Policy) -> list[tuple[str, str, bool]]:
    """(path, module, is_package) of every module file of the policy's root packages (paths as
    strings: a warm run lists ten thousand, and a Path costs more than the stat)."""
    found = []
    for source_root in policy.source_roots:
        for root in policy.root_packages:
            base = source_root.joinpath(*root.split("."))
            if base.with_suffix(".py").is_file():
                found.append((str(base.with_suffix(".py")), root, False))
            if not base.is_dir():
                continue
            for directory, subdirs, files in os.walk(base):
                subdirs[:] = sorted(d for d in subdirs if d.isidentifier())
                package = root + "".join(
                    "." + part for part in Path(directory).relative_to(base).parts)
                for filename in sorted(files):
                    stem, suffix = os.path.splitext(filename)
                    stem = stem.split(".")[0]  # mod.cpython-311-x86_64.so
                    if suffix in (".py", *COMPILED_SUFFIXES) and stem.isidentifier():
                        is_package = stem == "__init__"
                        module = package if is_package else f"{package}.{stem}"
                        found.append((os.path.join(directory, filename), module, is_package))
    return found


def cache_path(policy: Policy) -> Path:
    key = hashlib.sha1(
        "\0".join([*map(str, policy.source_roots), *policy.root_packages]).encode()
    ).hexdigest()[:12]
    version = f"py{sys.version_info[0]}{sys.version_info[1]}"  # what parses depends on it
    return policy.config_path.parent / ".ssot_cache" / f"index-v{FORMAT}-{version}-{key}.json"


def build_index(policy: Policy, *, use_cache: bool = True, jobs: int | None = None) -> ModuleIndex:
    """The index of the policy's tree; a file whose size and mtime, or else content hash, match
    the cache is not parsed again. Many files to read are read by `jobs` worker processes."""
    path = cache_path(policy)
    cached, expansions = _read_cache(path) if use_cache else ({}, {})
    entries: dict[str, list] = {}
    modules: dict[str, ModuleInfo] = {}
    tree_digest = hashlib.blake2b(digest_size=16)
    files = tree_files(policy)
    for (file, module, _), entry in zip(files, _entries(files, cached, jobs), strict=True):
        if entry is None:
            modules.setdefault(module, ModuleInfo(judgeable=False))
            tree_digest.update(f"{module}\0-\n".encode())
            continue
        entries[file] = entry
        modules[module] = ModuleInfo.from_json(entry[1])
        # What the index knows of the file, not its bytes: editing a function body changes
        # nothing that other files' findings depend on.
        tree_digest.update(f"{module}\0{entry[1]!r}\n".encode())
    for directory in {m.rpartition(".")[0] for m in modules}:
        while directory and directory not in modules:  # namespace packages exist too
            modules[directory] = ModuleInfo()
            directory = directory.rpartition(".")[0]
    index = ModuleIndex(modules, policy.root_packages)
    index.cache = _Cache(path, entries, expansions if entries == cached else {}, use_cache)
    if use_cache and entries != cached:
        index.cache.write()
    index.digest = tree_digest.hexdigest()
    return index


PARALLEL_MIN_FILES = 256  # below this, starting worker processes costs more than it saves


def _entries(files: list[tuple[str, str, bool]], cached: dict, jobs: int | None) -> list:
    """The entry of every file, in order: fresh cache hits as they are, the rest read (in
    worker processes when there are many), with progress on a terminal."""
    results: list = [None] * len(files)
    misses = []
    for number, (file, module, is_package) in enumerate(files):
        hit = cached.get(file)
        fresh = hit and hit[2] is not None and _stamp(file) == hit[2:]
        if fresh:
            results[number] = hit
        else:
            misses.append((number, file, module, is_package, hit))
    workers = min(jobs or os.cpu_count() or 1, 1 + len(misses) // PARALLEL_MIN_FILES)
    if workers <= 1 or not may_start_workers():
        entries: Iterator = map(_entry_of, misses)
    else:
        entries = map_in_workers(_entry_of, misses, workers, max(64, len(misses) // (workers * 8)))
    with Progress("ssot: indexing", len(misses), delay=1.0) as progress:
        for miss, entry in zip(misses, entries, strict=True):
            results[miss[0]] = entry
            progress.advance()
    return results


def _entry_of(miss: tuple) -> list | None:
    return _module_entry(*miss[1:])


def _stamp(file: str) -> list:
    try:
        status = os.stat(file)
    except OSError:
        return [None, None]
    return [status.st_mtime_ns, status.st_size]


def _module_entry(file: str, module: str, is_package: bool, hit: list | None) -> list | None:
    """[content hash, ModuleInfo json, mtime_ns, size] of one file (None: not a readable .py);
    `hit`, the cached entry whose stamp did not match, is reused when the content did not change."""
    if not file.endswith(".py"):
        return None
    try:
        status = os.stat(file)
        if not stat.S_ISREG(status.st_mode):
            return None  # a named pipe or device: reading it could block forever
        with open(file, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    digest = hashlib.blake2b(data, digest_size=16).hexdigest()
    reuse = hit and hit[0] == digest
    info = hit[1] if reuse else record_source(data, module, is_package).to_json()
    # A file changed within the last seconds may change again within the clock's granularity
    # at the same size: its stamp is not trusted next time (git's "racy" rule), only its hash.
    settled = time.time_ns() - status.st_mtime_ns > 2_000_000_000
    return [digest, info, *((status.st_mtime_ns, status.st_size) if settled else (None, None))]


def expand_policy(policy: Policy, *, use_cache: bool = True, jobs: int | None = None) -> ModuleIndex:
    """Build (or load) the index of the policy's tree and grow the policy's lookup tables with it.

    Every front-end calls this once, so they all give the same answers. The additions are
    cached too, keyed by the tree's content and the policy's own names."""
    index = build_index(policy, use_cache=use_cache, jobs=jobs)
    key = hashlib.blake2b(
        repr((index.digest, sorted((q, s.qualname) for q, s in policy.names.items()),
              sorted((q, b.qualname) for q, b in policy.banned.items()))).encode(),
        digest_size=16).hexdigest()
    cached = index.cache.expansions.get(key)
    if cached is None or not index.replay(policy, cached):
        index.cache.expansions = {key: index.expand(policy)}
        index.cache.write()
    index.cache = None  # what remains is what checking needs (and what worker processes get)
    index._origins.clear()
    policy.index = index
    policy.refresh()
    return index
