"""A writer killed in the middle of an atomic write leaves its temp file; the next write into
that directory removes it when its writer is dead, and nothing else (issue 20)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from conftest import run

from ssot_flake8.support.atomic_write import HOST

# A real writer that stops for good between writing its temp file and renaming it.
STALLED_WRITER = """
import os, sys, time
from pathlib import Path
from ssot_flake8.support import atomic_write
def stall(source, target):
    print("ready", flush=True)
    time.sleep(120)
os.replace = stall
atomic_write.write_atomic(Path(sys.argv[1]), "half-done write\\n")
"""


def stalled_writer(target: Path) -> subprocess.Popen:
    writer = subprocess.Popen([sys.executable, "-c", STALLED_WRITER, str(target)],
                              stdout=subprocess.PIPE, text=True)
    assert writer.stdout.readline() == "ready\n"
    return writer


def killed_writer(target: Path) -> int:
    writer = stalled_writer(target)
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    return writer.pid


def temp_files(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def test_a_killed_writer_leaves_a_temp_file_named_with_its_pid(tmp_path):
    target = tmp_path / "x.py"
    target.write_text("old\n")
    pid = killed_writer(target)
    [left] = temp_files(tmp_path)
    assert left.startswith(f".x.py.ssot-{HOST}-{pid}-"), left
    assert (tmp_path / left).read_text() == "half-done write\n"
    assert target.read_text() == "old\n"  # never half a file


def test_ssot_fix_removes_a_dead_writers_temp_file_and_nothing_else(mini_project):
    user = mini_project("pkg/app/user.py", "from pkg.core.legacy import OldManager\n")
    directory = user.parent
    dead = killed_writer(user)
    [stale] = temp_files(directory)
    live = stalled_writer(directory / "__init__.py")
    try:
        [live_temp] = sorted(set(temp_files(directory)) - {stale})
        users = [".user.py.tmp", ".user.py.abc123.tmp", f".user.py.ssot-{HOST}-{dead}.tmp",
                 "user.py.ssot-tmp"]
        other_host = "000000" if HOST != "000000" else "ffffff"
        users.append(f".user.py.ssot-{other_host}-{dead}-abcdefgh.tmp")  # a shared drive's
        for name in users:
            (directory / name).write_text("the user's\n")

        result = run("ssot", "fix", "pkg", cwd=mini_project.root)
        assert result.returncode == 1, result.stderr
        assert user.read_text() == "from pkg.core.manager import Manager\n"
        assert not (directory / stale).exists()
        assert (directory / live_temp).exists()  # its writer is still running
        for name in users:
            assert (directory / name).read_text() == "the user's\n", name
    finally:
        live.kill()
        live.wait()


def test_ssot_check_removes_a_dead_writers_temp_file_from_its_cache(mini_project):
    mini_project("pkg/app/user.py", "from pkg.core.legacy import OldManager\n")
    root = mini_project.root
    assert run("ssot", "check", "pkg", cwd=root).returncode == 1
    cache = root / ".ssot_cache"
    [written] = [p for p in cache.iterdir() if p.name.startswith("index-")]
    killed_writer(written)
    assert len(temp_files(cache)) == 1
    (root / "pkg/app/user.py").write_text("from pkg.core.legacy import OldManager\nx = 1\n")
    assert run("ssot", "check", "pkg", cwd=root).returncode == 1
    assert temp_files(cache) == []
    assert os.listdir(cache)  # the cache itself is still there
