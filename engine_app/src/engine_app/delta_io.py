"""Shared helpers for the engine's Delta I/O: errors, table handles and log lookups.

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
from deltalake import DeltaTable, write_deltalake
from deltalake.exceptions import CommitFailedError, DeltaError

from artifact_contracts import ValidationIssue
from engine_app.errors import EngineError, error_text

__all__ = [
    "CommitConflictError",
    "DeltaIOError",
    "PolicyError",
    "ProtocolGateError",
    "SchemaPolicyError",
    "add_actions",
    "append_rows",
    "commits_with",
    "dataset",
    "files_at",
    "is_delta_table",
    "relative_uri",
    "retry_commit",
    "utc_now",
]

T = TypeVar("T")


class DeltaIOError(EngineError):
    """A Delta read or write the engine refused or could not complete.

    Args:
        message: What went wrong, for a person.
        issues: The individual problems, with a path into the offending input.
    """

    def __init__(self, message: str, issues: tuple[ValidationIssue, ...] = ()) -> None:
        super().__init__(message)
        self.issues = issues


class PolicyError(DeltaIOError):
    """The write policy cannot apply to this data or table (checked before any commit)."""


class SchemaPolicyError(DeltaIOError):
    """The data does not fit the schema policy or the table's schema (before any commit)."""


class CommitConflictError(DeltaIOError):
    """Conflicting commits kept winning until the retry bound ran out."""


class ProtocolGateError(DeltaIOError):
    """The table's protocol versions or features are outside the gate (before any data is read)."""


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


def files_at(path: Path, version: int) -> set[str]:
    """Return the relative paths of the data files live at ``version``."""
    actions = add_actions(DeltaTable(str(path), version=version))
    return {str(p) for p in actions.column("path").to_pylist()}


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


def append_rows(path: Path, rows: pa.Table, *, max_attempts: int = 20) -> None:
    """Append rows to a store table, creating it on first use, retrying conflicts.

    Args:
        path: The store's root directory.
        rows: The rows, in the store's schema.
        max_attempts: The retry bound.
    """
    path.mkdir(parents=True, exist_ok=True)

    def attempt(_: int) -> None:
        write_deltalake(str(path), rows, mode="append")

    retry_commit(attempt, max_attempts=max_attempts, what=f"append to {path.name}")
