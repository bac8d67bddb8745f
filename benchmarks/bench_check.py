"""Time `ssot check` (cold, warm cache, serial, parallel) against `flake8 --select SOT` on a
generated tree: COPIES copies of examples/legacy's package plus NOISE files that name nothing of
the policy (the pre-filter's case; most files of a real monorepo look like that).

    .venv/bin/python benchmarks/bench_check.py [COPIES] [NOISE]

The tree is written to benchmarks/trees/check/ (git-ignored) and reused while its shape matches.
Timings are printed, never asserted.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LEGACY = REPO / "examples" / "legacy"
BIN = Path(sys.executable).parent


def build_tree(copies: int, noise: int) -> Path:
    root = REPO / "benchmarks" / "trees" / "check"
    stamp = root / f".shape-{copies}-{noise}"
    if stamp.exists():
        return root
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(LEGACY, root, ignore=shutil.ignore_patterns("__pycache__", ".ssot_cache"))
    app = root / "netra_backend" / "app"
    for number in range(copies):
        shutil.copytree(app / "services", app / f"services_{number}")
    filler = "".join(f"def helper_{i}(value):\n    return value * {i}\n\n" for i in range(60))
    for number in range(noise):
        package = app / f"plain_{number // 100}"
        package.mkdir(exist_ok=True)
        (package / "__init__.py").touch()
        (package / f"module_{number}.py").write_text(f"import os\n\n{filler}")
    stamp.touch()
    return root


def timed(label: str, command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    last = (result.stdout.strip().splitlines() or [""])[-1]
    print(f"{label:<38} {elapsed:7.2f} s   exit {result.returncode}   {last[:60]}")
    return elapsed


def main() -> None:
    copies = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    noise = int(sys.argv[2]) if len(sys.argv) > 2 else 3000
    root = build_tree(copies, noise)
    files = sum(1 for _ in root.rglob("*.py"))
    print(f"tree: {root} ({files} files)")
    ssot = [str(BIN / "ssot"), "check", "netra_backend"]
    timed("flake8 --select SOT", [str(BIN / "flake8"), "--select", "SOT", "netra_backend"], root)
    timed("ssot check --no-cache --jobs 1", [*ssot, "--no-cache", "--jobs", "1"], root)
    timed("ssot check --no-cache (all cores)", [*ssot, "--no-cache"], root)
    shutil.rmtree(root / ".ssot_cache", ignore_errors=True)
    timed("ssot check (cold cache)", ssot, root)
    timed("ssot check (warm cache)", ssot, root)


if __name__ == "__main__":
    main()
