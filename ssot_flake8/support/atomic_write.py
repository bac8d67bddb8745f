"""Writing files atomically: a temp file in the same directory, then os.replace, mode kept.

The temp file is named `.NAME.ssot-HOST-PID-RANDOM.tmp`: HOST is a 6-hex tag of the machine,
PID the writer's process id. A writer killed between creating it and renaming it (SIGKILL, power
loss) leaves it behind; the next write into that directory, by any of our commands, removes such
files whose writer is a process of this machine that no longer exists. Nothing else is touched:
not a live writer's temp file, not one of another machine (a shared network drive), not a file
of any other shape (a user's `.x.py.tmp` or one left by an older version of this tool)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import socket
import tempfile
from pathlib import Path

HOST = hashlib.sha1(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:6]
_OURS = re.compile(r"^\..+\.ssot-([0-9a-f]{6})-([0-9]+)-[A-Za-z0-9_]+\.tmp$")
_swept: set[str] = set()  # directories this process has cleaned already


def write_atomic(path: Path, content: str | bytes) -> None:
    """Replace `path` with `content` (text as UTF-8, newlines as given); readers never see half
    a file. A symlink is followed, so a shared config stays a link and its target gets the
    content. Every command that writes files (fix, baseline, audit --chart, sync-ruff, init,
    the check cache) writes through here."""
    path = Path(os.path.realpath(path))
    mode = _mode_for(path)
    handle, temp_name = make_temp(path.parent, path.name)
    try:
        data = content.encode("utf-8") if isinstance(content, str) else content
        with os.fdopen(handle, "wb") as temp:
            temp.write(data)
            temp.flush()
            os.fsync(temp.fileno())
        os.chmod(temp_name, mode)
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def make_temp(directory: Path, name: str) -> tuple[int, str]:
    """mkstemp for a file that will replace `directory/name`, named as ours (see the module
    docstring), after removing the stale temp files of dead writers from `directory`."""
    remove_stale(directory)
    return tempfile.mkstemp(dir=directory, prefix=f".{name}.ssot-{HOST}-{os.getpid()}-",
                            suffix=".tmp")


def remove_stale(directory: Path) -> list[str]:
    """Remove our temp files in `directory` whose writer (a process of this machine) is dead;
    once per directory and process. Returns the names removed."""
    key = os.path.abspath(directory)
    if key in _swept:
        return []
    _swept.add(key)
    removed = []
    with contextlib.suppress(OSError), os.scandir(directory) as entries:
        for entry in entries:
            match = _OURS.match(entry.name)
            if (match and match[1] == HOST and not _alive(int(match[2]))
                    and entry.is_file(follow_symlinks=False)):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
                    removed.append(entry.name)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True  # our own: a write in progress in another thread
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # another user's process (or a pid we cannot ask about): keep its file
    return True


def _mode_for(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
