"""Baselines: today's accepted findings, so that only new ones fail while the old are burned down.

An entry is keyed on (path, code, subject, stripped source line) with a count, never on a line
number: an edit elsewhere in the file moves the finding but keeps its key. The lines it was
recorded at (and a short hash of the line before each) are kept beside the count, only to tell
which of more equal findings than recorded are the new ones: those whose preceding line differs,
then those farthest from the recorded lines (a copy pasted above the old line is reported where
it was pasted). The file is JSON, one
entry per line, sorted, so a diff shows exactly which findings were fixed. `ssot check
--update-baseline` only removes entries or lowers counts; only `ssot baseline` records new ones.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ssot_flake8.services.runner import Reported
from ssot_flake8.source.lines import source_lines
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
    lines: dict = field(default_factory=dict)  # Key -> the sorted lines it was recorded at
    before: dict = field(default_factory=dict)  # Key -> hashes of the line before each of those
    _texts: dict = field(default_factory=dict, repr=False)  # path -> its lines, read once

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
        counts, lines, before = _parse(path, data)
        return cls(path, counts, lines, before)

    def write(self) -> None:
        entries = [
            json.dumps({**_asdict(key), "count": count, **self._lines_of(key, count)},
                       sort_keys=True, ensure_ascii=False)
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

    def _lines_of(self, key: Key, count: int) -> dict:
        lines = self.lines.get(key)
        if not lines or len(lines) != count:
            return {}
        before = self.before.get(key)
        return {"lines": lines, **({"before": before} if before and len(before) == count else {})}

    def _before(self, path: str, line: int) -> str:
        """A short hash of the nearest non-blank line above `line` of the file at `path`."""
        if path not in self._texts:
            try:
                self._texts[path] = source_lines(Path(path).read_bytes().decode("utf-8", "replace"))
            except OSError:
                self._texts[path] = []
        lines = self._texts[path]
        above = next((lines[n].strip() for n in range(min(line, len(lines) + 1) - 2, -1, -1)
                      if lines[n].strip()), "")
        return hashlib.sha1(above.encode("utf-8", "surrogatepass")).hexdigest()[:8]

    def new_findings(self, reported: Iterable[Reported]) -> list[Reported]:
        """The findings beyond their key's count: of n equal findings with count k, the n-k
        farthest from the k recorded lines (the last n-k when no lines were recorded)."""
        reported = list(reported)
        by_key: dict[Key, list[int]] = {}
        for index, item in enumerate(reported):
            by_key.setdefault(self.key(item), []).append(index)
        new: set[int] = set()
        for key, indices in by_key.items():
            count = self.counts.get(key, 0)
            if len(indices) <= count:
                continue
            recorded = self.lines.get(key)
            if count and recorded and len(recorded) == count:
                indices = sorted(indices, key=lambda i: reported[i].finding.line)
                current = [reported[i].finding for i in indices]
                before = self.before.get(key)
                contexts = ([self._before(f.path, f.line) for f in current], before) \
                    if before and len(before) == count else None
                kept = _closest([f.line for f in current], recorded, contexts)
                new.update(i for position, i in enumerate(indices) if position not in kept)
            else:
                new.update(indices[count:])
        return [item for index, item in enumerate(reported) if index in new]

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
            self.lines.pop(key, None)  # which ones went is not known: the hint goes too
            self.before.pop(key, None)
            if self.counts[key] <= 0:
                del self.counts[key]
        return removed

    def record(self, reported: Iterable[Reported], checked: Sequence[str]) -> None:
        """Replace the entries of the checked files by their current findings; keep the rest."""
        paths = {self.relative(path) for path in checked}
        self.counts = Counter({k: n for k, n in self.counts.items() if k.path not in paths})
        self.lines = {k: v for k, v in self.lines.items() if k.path not in paths}
        self.before = {k: v for k, v in self.before.items() if k.path not in paths}
        reported = sorted(reported, key=lambda item: item.finding.line)
        self.counts.update(self.key(item) for item in reported)
        for item in reported:
            key, finding = self.key(item), item.finding
            self.lines.setdefault(key, []).append(finding.line)
            self.before.setdefault(key, []).append(self._before(finding.path, finding.line))


def _closest(current: list[int], recorded: list[int], contexts=None) -> set[int]:
    """The positions in `current` (sorted lines) of the len(recorded) findings that match the
    recorded ones in order at the least cost: a different line before it (`contexts`: the
    current and the recorded hashes) costs more than any distance. The others are new copies."""
    n, k = len(current), len(recorded)

    def distance(i: int, j: int) -> float:
        far = abs(current[i] - recorded[j])
        return far + (1 << 32 if contexts and contexts[0][i] != contexts[1][j] else 0)

    infinity = float("inf")
    # cost[i][j]: the best matching of recorded[:j] within current[:i]
    cost = [[0.0] + [infinity] * k for _ in range(n + 1)]
    for i in range(1, n + 1):
        for j in range(1, min(i, k) + 1):
            cost[i][j] = min(cost[i - 1][j], cost[i - 1][j - 1] + distance(i - 1, j - 1))
    kept, i, j = set(), n, k
    while j:
        if cost[i][j] == cost[i - 1][j - 1] + distance(i - 1, j - 1):
            kept.add(i - 1)
            j -= 1
        i -= 1
    return kept


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
    lines: dict = {}
    before: dict = {}
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
        recorded, hashes = entry.get("lines"), entry.get("before")
        if isinstance(recorded, list) and all(type(n) is int for n in recorded):
            lines[Key(*values)] = recorded  # hints: never an error
            if isinstance(hashes, list) and all(isinstance(h, str) for h in hashes):
                before[Key(*values)] = hashes
    usable = {key for key, v in lines.items() if len(v) == counts[key] and v == sorted(v)}
    return (counts, {key: lines[key] for key in usable},
            {key: v for key, v in before.items() if key in usable and len(v) == counts[key]})
