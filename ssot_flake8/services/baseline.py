"""Baselines: today's accepted findings, so that only new ones fail while the old are burned down.

An entry is keyed on (path, code, subject, stripped source line) with a count, never on a line
number: an edit elsewhere in the file moves the finding but keeps its key. The file is JSON, one
entry per line, sorted, so a diff shows exactly which findings were fixed. `ssot check
--update-baseline` only removes entries or lowers counts; only `ssot baseline` records new ones.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ssot_flake8.services.runner import Reported
from ssot_flake8.support.atomic_write import write_atomic

VERSION = 1
ABOUT = "ssot baseline: accepted findings; `ssot check --baseline` fails only on others"
ENTRY_FIELDS = ("path", "code", "subject", "source")


class BaselineError(Exception):
    """A baseline file that cannot be used: one line, exit 2."""


@dataclass(frozen=True, order=True)
class Key:
    path: str  # relative to the baseline file's directory, with forward slashes
    code: str
    subject: str
    source: str  # the stripped text of the finding's line


@dataclass
class Baseline:
    path: Path
    counts: Counter = field(default_factory=Counter)

    # -- reading and writing ---------------------------------------------------------------------
    @classmethod
    def load(cls, path: Path | str) -> Baseline:
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise BaselineError(f"{path}: no such baseline file (record one with `ssot baseline`)") from None
        except (OSError, UnicodeDecodeError) as error:
            raise BaselineError(f"{path}: cannot read the baseline: {error}") from None
        except ValueError as error:
            raise BaselineError(f"{path}: not a valid baseline: not JSON ({error})") from None
        return cls(path, _parse(path, data))

    def write(self) -> None:
        entries = [
            json.dumps({**_asdict(key), "count": count}, sort_keys=True, ensure_ascii=False)
            for key, count in sorted(self.counts.items()) if count > 0
        ]
        findings = "[\n    " + ",\n    ".join(entries) + "\n  ]" if entries else "[]"
        text = (
            f'{{\n  "about": {json.dumps(ABOUT)},\n  "findings": {findings},\n'
            f'  "version": {VERSION}\n}}\n'
        )
        write_atomic(self.path, text)

    # -- matching --------------------------------------------------------------------------------
    def key(self, reported: Reported) -> Key:
        f = reported.finding
        return Key(self.relative(f.path), f.code, f.subject, reported.source)

    def relative(self, path: str) -> str:
        base = os.path.abspath(self.path.parent)
        return os.path.relpath(os.path.abspath(path), base).replace(os.sep, "/")

    def new_findings(self, reported: Iterable[Reported]) -> list[Reported]:
        """The findings beyond their key's count: of n equal findings with count k, the last n-k."""
        seen: Counter = Counter()
        new = []
        for item in reported:
            key = self.key(item)
            seen[key] += 1
            if seen[key] > self.counts.get(key, 0):
                new.append(item)
        return new

    def fixed(self, reported: Iterable[Reported], checked: Sequence[str]) -> list[tuple[Key, int]]:
        """Entries of the checked files that occur fewer times than recorded, with the shortfall."""
        current = Counter(self.key(item) for item in reported)
        paths = {self.relative(path) for path in checked}
        return [
            (key, count - current.get(key, 0))
            for key, count in sorted(self.counts.items())
            if key.path in paths and count > current.get(key, 0)
        ]

    def shrink(self, fixed: Iterable[tuple[Key, int]]) -> int:
        """Lower the counts of fixed entries; returns how many findings were removed."""
        removed = 0
        for key, shortfall in fixed:
            self.counts[key] -= shortfall
            removed += shortfall
            if self.counts[key] <= 0:
                del self.counts[key]
        return removed

    def record(self, reported: Iterable[Reported], checked: Sequence[str]) -> None:
        """Replace the entries of the checked files by their current findings; keep the rest."""
        paths = {self.relative(path) for path in checked}
        self.counts = Counter({k: n for k, n in self.counts.items() if k.path not in paths})
        self.counts.update(self.key(item) for item in reported)


def _asdict(key: Key) -> dict:
    return {name: getattr(key, name) for name in ENTRY_FIELDS}


def _parse(path: Path, data: object) -> Counter:
    def bad(reason: str) -> BaselineError:
        return BaselineError(f"{path}: not a valid baseline: {reason}")

    if not isinstance(data, dict) or not isinstance(data.get("findings"), list):
        raise bad('expected an object with a "findings" list')
    if data.get("version") != VERSION:
        raise bad(f"unsupported version {data.get('version')!r} (expected {VERSION})")
    counts: Counter = Counter()
    for number, entry in enumerate(data["findings"], 1):
        if not isinstance(entry, dict):
            raise bad(f"entry {number} is not an object")
        values = [entry.get(name) for name in ENTRY_FIELDS]
        if not all(isinstance(value, str) for value in values):
            raise bad(f"entry {number} needs string fields {', '.join(ENTRY_FIELDS)}")
        count = entry.get("count", 1)
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise bad(f"entry {number}: count must be a positive integer")
        counts[Key(*values)] += count
    return counts
