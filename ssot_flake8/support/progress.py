"""The one progress display of every long verb: rich's bar on stderr, on a terminal only.

Piped, redirected or under `NO_COLOR`-free CI logs nothing is written (rich is not even
imported), so machine-readable output stays clean. The bar is transient: it is gone when done.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """`with Progress("ssot check", total, unit="files") as progress: progress.advance(n)`."""

    def __init__(self, label: str, total: int, *, unit: str = "files", minimum: int = 0,
                 delay: float = 0.0, stream: TextIO | None = None) -> None:
        """No bar for `minimum` items or fewer, nor before `delay` seconds have passed."""
        self.label = label
        self.total = total
        self.unit = unit
        self.stream = stream or sys.stderr
        self.enabled = total > minimum and _isatty(self.stream)
        self.done = 0
        self.show_at = time.monotonic() + delay
        self._bar = None
        self._task = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def advance(self, count: int = 1, note: str = "") -> None:
        """`count` more items done; `note` names the current one (a commit, a file)."""
        self.done += count
        if not self.enabled:
            return
        if self._bar is None:
            if time.monotonic() < self.show_at:
                return
            self._start()
        self._bar.update(self._task, completed=self.done, note=note)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.update(self._task, completed=self.done)
            self._bar.stop()
            self._bar = None

    def _start(self) -> None:
        from rich.console import Console  # only on a terminal: piped runs never pay the import
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
        from rich.progress import Progress as RichProgress

        console = Console(file=self.stream, stderr=self.stream is sys.stderr)
        self._bar = RichProgress(
            TextColumn(self.label), BarColumn(), MofNCompleteColumn(), TextColumn(self.unit),
            TimeElapsedColumn(), TextColumn("{task.fields[note]}"),
            console=console, transient=True, refresh_per_second=8,
        )
        self._task = self._bar.add_task(self.label, total=self.total, note="")
        self._bar.start()


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
