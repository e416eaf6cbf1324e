"""The Delta Lake primitives every layer shares: table detection, datasets, the log, retries.

Two deltalake pitfalls shape these helpers. Its methods return arro3 objects, so every
Arrow value crossing into the engine is wrapped with ``pa.table``; and reading data with
deltalake's default Python filesystem can abort the interpreter at exit when mixed with
other delta-rs work, so every pyarrow read passes a :class:`pyarrow.fs.SubTreeFileSystem`
rooted at the table.
"""

from __future__ import annotations

import datetime
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.fs as pafs
from deltalake import DeltaTable
from deltalake.exceptions import CommitFailedError, DeltaError

from engine_app.errors import CommitConflictError, DeltaIOError, error_text

__all__ = [
    "add_actions",
    "commits_with",
    "dataset",
    "is_delta_table",
    "relative_uri",
    "retry_commit",
    "utc_now",
]

T = TypeVar("T")


def utc_now() -> datetime.datetime:
    """Return the current time, aware, in UTC."""
    return datetime.datetime.now(datetime.timezone.utc)


def relative_uri(path: Path, warehouse: Path | str | None) -> str:
    """Return a table's URI as artifacts record it: relative to the warehouse when inside it."""
    if warehouse is None:
        return str(path)
    try:
        return path.resolve().relative_to(Path(warehouse).resolve()).as_posix()
    except ValueError:
        return str(path.resolve())


def is_delta_table(path: Path) -> bool:
    """Whether ``path`` is the root of a Delta table."""
    return (path / "_delta_log").is_dir()


def dataset(table: DeltaTable, path: Path) -> pads.Dataset:
    """Return the table's current files as a pyarrow dataset on a SubTreeFileSystem.

    Each fragment carries the Delta log's partition values and file stats as its
    guarantee, so ``get_fragments(filter=...)`` prunes without opening a file.
    """
    filesystem = pafs.SubTreeFileSystem(str(path), pafs.LocalFileSystem())
    return table.to_pyarrow_dataset(filesystem=filesystem)


def add_actions(table: DeltaTable) -> pa.Table:
    """Return the table's add actions (flattened stats) as a pyarrow Table."""
    return pa.table(table.get_add_actions(flatten=True))


def commits_with(path: Path, key: str, value: str, after: int | None) -> list[dict[str, Any]]:
    """Return the commit infos (oldest first) whose custom metadata has ``key == value``.

    Reads the commit files of the log directly: ``DeltaTable.history`` numbers its entries
    from the snapshot it loaded, and labels them wrongly when other writers commit while
    it reads (seen with six concurrent appenders).

    Args:
        path: The table root.
        key: A custom-metadata key (a top-level key of the commit info).
        value: The value to match.
        after: Only commits with a version above this (None: all).

    Returns:
        The matching commit infos, each with its ``version`` added.
    """
    latest = DeltaTable(str(path)).version()
    found = []
    for version in range(0 if after is None else after + 1, latest + 1):
        commit = path / "_delta_log" / f"{version:020d}.json"
        for line in commit.read_text(encoding="utf-8").splitlines():
            info = json.loads(line).get("commitInfo") if line.strip() else None
            if info is not None and info.get(key) == value:
                found.append({**info, "version": version})
    return found


def retry_commit(action: Callable[[int], T], *, max_attempts: int, what: str) -> tuple[T, int]:
    """Run ``action(attempt)`` until it commits, retrying conflicting commits within a bound.

    A failed attempt committed nothing (a Delta commit is atomic), so running it again
    neither loses nor duplicates data. Creating a table that a concurrent writer has just
    created fails the same way and is retried the same way.

    Args:
        action: Performs one attempt; receives the attempt number, starting at 1.
        max_attempts: How many attempts before giving up.
        what: Names the operation in the error.

    Returns:
        The action's result and the number of attempts it took.

    Raises:
        CommitConflictError: Every attempt lost to a concurrent commit.
        DeltaIOError: deltalake refused the operation for another reason.
    """
    last: Exception | None = None
    for attempt in range(1, max_attempts + 1):
        try:
            return action(attempt), attempt
        except CommitFailedError as exc:
            last = exc
        except DeltaError as exc:
            if "already exists" not in str(exc).lower():
                raise DeltaIOError(f"{what} failed: {error_text(exc)}") from exc
            last = exc
        if attempt < max_attempts:  # back off, so racing writers spread out
            time.sleep(min(0.02 * 2**attempt, 0.5))
    raise CommitConflictError(f"{what}: {max_attempts} attempts lost to concurrent commits; last: {last}")
