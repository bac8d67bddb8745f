"""The index's on-disk cache: records keyed by file stamp and content hash, written atomically."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

from ssot_flake8.analysis.index.record import FORMAT
from ssot_flake8.support.atomic_write import make_temp
from ssot_flake8.support.sealed import header_of, seal, unseal


@dataclass
class _Cache:
    path: Path
    entries: dict
    expansions: dict
    enabled: bool

    def write(self) -> None:
        if self.enabled:
            _write_cache(self.path, seal({"format": FORMAT},
                                         {"files": self.entries, "expansions": self.expansions}))


def _read_cache(path: Path) -> tuple[dict, dict]:
    """The cached records and expansions; a file that is not whole (its seal does not match its
    body, support/sealed.py) or of another format is dropped, and rebuilt by this run. Its
    entries are used as written: checking each one's shape costs more than the warm run."""
    try:
        sealed = header_of(path.read_bytes())
    except OSError:
        return {}, {}
    if sealed is None or sealed[0].get("format") != FORMAT:
        return {}, {}
    data = unseal(*sealed)
    if not isinstance(data, dict):
        return {}, {}
    files, expansions = data.get("files"), data.get("expansions")
    if not (isinstance(files, dict) and isinstance(expansions, dict)):
        return {}, {}
    return files, expansions


def _write_cache(path: Path, content: str) -> None:
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
                stream.write(content)
            os.chmod(temporary, 0o644)  # a cache, readable like the files it describes
            os.replace(temporary, path)
        finally:
            Path(temporary).unlink(missing_ok=True)
