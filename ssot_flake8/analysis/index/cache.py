"""The index's on-disk cache: records keyed by file stamp and content hash, written atomically."""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from ssot_flake8.analysis.index.record import FORMAT
from ssot_flake8.support.atomic_write import make_temp


@dataclass
class _Cache:
    path: Path
    entries: dict
    expansions: dict
    enabled: bool

    def write(self) -> None:
        if self.enabled:
            _write_cache(self.path, {"format": FORMAT, "files": self.entries,
                                     "expansions": self.expansions})


def _read_cache(path: Path) -> tuple[dict, dict]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}, {}
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return {}, {}
    files, expansions = data.get("files", {}), data.get("expansions", {})
    if not (_valid_entries(files) and _valid_expansions(expansions)):
        return {}, {}  # damaged: dropped, and rebuilt by this run
    return files, expansions


def _valid_entries(files: object) -> bool:
    """Every entry has the shape `_module_entry` writes: [hash, info, mtime_ns, size]."""
    if not isinstance(files, dict):
        return False
    for entry in files.values():
        if not (isinstance(entry, list) and len(entry) == 4 and isinstance(entry[0], str)
                and all(value is None or type(value) is int for value in entry[2:])):
            return False
        info = entry[1]
        if not (isinstance(info, list) and len(info) == 4 and isinstance(info[0], dict)
                and isinstance(info[1], list) and (info[2] is None or isinstance(info[2], list))
                and isinstance(info[3], bool)
                and all(isinstance(v, list) and all(isinstance(t, str) for t in v)
                        for v in info[0].values())
                and all(isinstance(v, str) for v in info[1] + (info[2] or []))):
            return False
    return True


def _valid_expansions(expansions: object) -> bool:
    return isinstance(expansions, dict) and all(
        isinstance(added, list) and all(
            isinstance(item, list) and len(item) == 3 and all(isinstance(v, str) for v in item)
            for item in added)
        for added in expansions.values())


def _write_cache(path: Path, content: dict) -> None:
    """Atomically (temp file + os.replace, the temp named by support.atomic_write, which also
    removes a killed writer's leftovers); a cache that cannot be written only costs the next run
    its speed. The directory ignores itself for git, as `ssot check`'s cache does."""
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        ignore = path.parent / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# created by ssot\n*\n")
        handle, temporary = make_temp(path.parent, path.name)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(json.dumps(content, separators=(",", ":")))  # the C encoder
            os.chmod(temporary, 0o644)  # a cache, readable like the files it describes
            os.replace(temporary, path)
        finally:
            Path(temporary).unlink(missing_ok=True)
