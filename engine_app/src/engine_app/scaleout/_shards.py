"""Cut work into shards and gather what the shards return, in submission order."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future, as_completed
from typing import TypeVar

__all__ = ["gather", "shards"]

T = TypeVar("T")
R = TypeVar("R")


def shards(items: Sequence[T], workers: int, per_worker: int = 4) -> list[list[T]]:
    """Cut ``items`` into contiguous shards, about ``per_worker`` per worker.

    Several shards per worker keep every worker busy to the end when shards take unequal
    time, and bound what a retried shard (its worker died) does again.

    Args:
        items: The work, in order.
        workers: How many workers will take shards (at least 1).
        per_worker: Shards per worker.

    Returns:
        Non-empty shards whose concatenation is ``items``.
    """
    if not items:
        return []
    count = min(len(items), max(1, workers) * per_worker)
    size, extra = divmod(len(items), count)
    cut: list[list[T]] = []
    start = 0
    for index in range(count):
        stop = start + size + (1 if index < extra else 0)
        cut.append(list(items[start:stop]))
        start = stop
    return cut


def gather(futures: Sequence[Future[R]], done: Callable[[R], None] | None = None) -> list[R]:
    """Wait for every shard; return their results in submission order.

    Args:
        futures: One future per shard.
        done: Called with each shard's result as it finishes (a progress bar).

    Returns:
        The shards' results, in the order the shards were submitted.
    """
    if done is not None:
        for future in as_completed(futures):
            done(future.result())
    return [future.result() for future in futures]
