"""A floor under a cold `ssot check`: `ast.parse` of the files that pass its pre-filter, and
nothing else (no index, no walk), on every core, as `ssot check` spreads its parsing.

    python benchmarks/floor_parse.py TREE      # prints: <files parsed> <bytes parsed>

Run by `run.py` in the tree that holds the policy. The policy is not grown by the index (whose
cost would be timed too, or not, as its cache happens to be there), so the aliases the index
finds are not searched for: fewer files pass than in `ssot check` (on 09-14, 1,784 of 2,121),
and the floor is lower than the real one. What CPython's parser costs on these files
alone is the part of a cold run that no change to the walk can take away.
"""

from __future__ import annotations

import ast
import contextlib
import os
import sys
from concurrent.futures import ProcessPoolExecutor

from ssot_flake8.analysis.prefilter import could_match
from ssot_flake8.policy.config import find_config, load_policy
from ssot_flake8.services.runner import discover


def _parse(path: str) -> int:
    with open(path, "rb") as handle:
        data = handle.read()
    if not could_match(data, _policy, path):
        return 0
    with contextlib.suppress(SyntaxError, ValueError):  # a file that does not parse still cost it
        ast.parse(data)
    return len(data)


def _start(policy) -> None:
    global _policy
    _policy = policy


_policy = None


def main() -> int:
    os.chdir(sys.argv[1] if len(sys.argv) > 1 else ".")
    policy = load_policy(find_config())
    files = discover(["."])
    with ProcessPoolExecutor(os.cpu_count() or 1, initializer=_start, initargs=(policy,)) as pool:
        sizes = [size for size in pool.map(_parse, files, chunksize=64) if size]
    print(len(sizes), sum(sizes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
