"""Time the modes of `ssot check` on the generated benchmark tree (benchmarks/generate.py):
serial and parallel without cache, a cold cache, a warm cache, and a warm cache after one file
changed. Wall time and the CPU time of the run are printed, never asserted.

    .venv/bin/python benchmarks/bench_check.py [TREE]     # default: benchmarks/trees/big

The tree is generated (10,000 modules, ~4M lines) when TREE does not exist yet.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent


def timed(label: str, arguments: list[str], tree: Path) -> None:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run([str(BIN / "ssot"), "check", *arguments], cwd=tree,
                            capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    summary = (result.stdout.strip().splitlines() or [result.stderr.strip()])[-1]
    print(f"{label:<42} wall {wall:6.2f} s   cpu {cpu:6.2f} s   {summary}")


def main() -> None:
    tree = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "trees" / "big"
    if not tree.exists():
        subprocess.run([sys.executable, str(HERE / "generate.py"), str(tree)], check=True)
    files = sum(1 for _ in tree.rglob("*.py"))
    print(f"tree: {tree} ({files} files, {os.cpu_count()} cores)")
    timed("--no-cache --jobs 1", ["--no-cache", "--jobs", "1"], tree)
    timed("--no-cache (one worker per core)", ["--no-cache"], tree)
    shutil.rmtree(tree / ".ssot_cache", ignore_errors=True)
    timed("cold cache", [], tree)
    timed("warm cache", [], tree)
    victim = next(p for p in sorted(tree.rglob("*.py")) if "websocket_core" in p.parts)
    victim.write_text(victim.read_text() + "\n# edited\n")
    timed("warm cache, one file edited", [], tree)
    timed("warm cache, --output-format sarif", ["--output-format", "sarif"], tree)


if __name__ == "__main__":
    main()
