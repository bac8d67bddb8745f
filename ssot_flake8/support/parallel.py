"""Worker processes for the runs that are worth them: checking, indexing and scanning a tree.

One place knows how they are started and when they may not be: a daemonic process (a
multiprocessing worker, such as one of flake8's) may not have children.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable, Iterator


def may_start_workers() -> bool:
    return not multiprocessing.current_process().daemon


def map_in_workers(
    function: Callable, items: Iterable, workers: int, chunksize: int, *,
    initializer: Callable | None = None, initargs: tuple = (),
) -> Iterator:
    """`function(item)` for every item, in order, computed by `workers` processes that take
    `chunksize` items at a time (`initializer(*initargs)` runs once in each)."""
    from concurrent.futures import ProcessPoolExecutor  # ~50 ms: only when used

    with ProcessPoolExecutor(workers, initializer=initializer, initargs=initargs) as pool:
        yield from pool.map(function, items, chunksize=chunksize)
