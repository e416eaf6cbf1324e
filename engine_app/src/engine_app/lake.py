"""The Delta Lake primitives every layer shares: locations, datasets, the log, one retry policy.

A :class:`Location` is where a Delta table lives: a local directory or an object-store URI
(``s3://bucket/warehouse/t``) with its storage options (the ``AWS_*`` environment
variables fill in what the options leave out; deltalake and pyarrow both read them).

Two deltalake pitfalls shape these helpers. Its methods return arro3 objects, so every
Arrow value crossing into the engine is wrapped with ``pa.table``; and reading data with
deltalake's default Python filesystem can abort the interpreter at exit when mixed with
other delta-rs work, so every pyarrow read passes a :class:`pyarrow.fs.SubTreeFileSystem`
rooted at the table.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import os
import random
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.fs as pafs
from deltalake import DeltaTable
from deltalake.exceptions import CommitFailedError, DeltaError

from engine_app.errors import CommitConflictError, DeltaIOError, error_text

__all__ = [
    "Location",
    "RetryPolicy",
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


@dataclasses.dataclass(frozen=True)
class Location:
    """Where a Delta table (or a warehouse of them) lives.

    Attributes:
        uri: An absolute local path, or ``scheme://bucket/key`` for object storage.
        storage_options: deltalake storage options (``AWS_ENDPOINT_URL``, ...); empty
            for a local path.
    """

    uri: str
    # Options can hold credentials: kept out of the repr, so no error message or log shows them.
    storage_options: Mapping[str, str] = dataclasses.field(default_factory=dict, repr=False)

    def __str__(self) -> str:
        """The URI (what deltalake and error messages take; never the storage options)."""
        return self.uri

    @classmethod
    def of(cls, where: str | os.PathLike[str] | Location, storage_options: Mapping[str, str] | None = None) -> Location:
        """Return the location of a path or URI (a relative local path is resolved)."""
        if isinstance(where, Location):
            return where
        text = os.fspath(where)
        if text.startswith("file://"):
            text = text[len("file://") :]
        if "://" in text:
            return cls(text.rstrip("/"), dict(storage_options or {}))
        return cls(str(Path(text).expanduser().resolve()), dict(storage_options or {}))

    @property
    def is_local(self) -> bool:
        """Whether this is a directory on the local disk."""
        return "://" not in self.uri

    @property
    def path(self) -> Path:
        """The local directory (only for a local location)."""
        if not self.is_local:
            raise DeltaIOError(f"{self.uri} is not on the local disk")
        return Path(self.uri)

    @property
    def name(self) -> str:
        """The last part of the location."""
        return self.uri.rstrip("/").rsplit("/", 1)[-1]

    def join(self, *parts: str) -> Location:
        """Return a location below this one."""
        return Location("/".join([self.uri.rstrip("/"), *parts]), self.storage_options)

    def options(self) -> dict[str, str] | None:
        """The storage options as deltalake takes them."""
        return dict(self.storage_options) or None

    def filesystem(self) -> tuple[pafs.FileSystem, str]:
        """Return a pyarrow filesystem and this location's path inside it."""
        if self.is_local:
            return pafs.LocalFileSystem(), self.uri
        scheme, _, rest = self.uri.partition("://")
        if scheme not in {"s3", "s3a"}:
            raise DeltaIOError(f"unsupported storage scheme {scheme!r} in {self.uri}")
        return _s3_filesystem(self.storage_options), rest

    def exists(self) -> bool:
        """Whether anything (a directory, a table) is at this location."""
        filesystem, path = self.filesystem()
        return bool(filesystem.get_file_info(path).type != pafs.FileType.NotFound)

    def is_delta_table(self) -> bool:
        """Whether a Delta table's log is at this location."""
        filesystem, path = self.filesystem()
        return bool(filesystem.get_file_info(path + "/_delta_log").type == pafs.FileType.Directory)

    def make_dirs(self) -> None:
        """Create the directory of a local location; nothing on object storage.

        An object-store prefix needs no directory: it exists once a key below it does, and
        deltalake writes the table's keys itself.
        """
        if self.is_local:
            self.path.mkdir(parents=True, exist_ok=True)

    def open(self, version: int | None = None) -> DeltaTable:
        """Open the Delta table here (at ``version``, or the latest)."""
        return DeltaTable(self.uri, version=version, storage_options=self.options())

    def read_text(self, relative: str) -> str:
        """Read a file below this location as UTF-8 text."""
        filesystem, path = self.filesystem()
        with filesystem.open_input_stream(f"{path}/{relative}") as stream:
            return bytes(stream.read()).decode("utf-8")


def _s3_filesystem(options: Mapping[str, str]) -> pafs.S3FileSystem:
    def option(name: str) -> str | None:
        return options.get(name) or options.get(name.lower()) or os.environ.get(name)

    endpoint = option("AWS_ENDPOINT_URL")
    scheme = None
    if endpoint is not None and "://" in endpoint:
        scheme, _, endpoint = endpoint.partition("://")
    return pafs.S3FileSystem(
        access_key=option("AWS_ACCESS_KEY_ID"),
        secret_key=option("AWS_SECRET_ACCESS_KEY"),
        session_token=option("AWS_SESSION_TOKEN"),
        region=option("AWS_REGION") or option("AWS_DEFAULT_REGION"),
        endpoint_override=endpoint,
        scheme=scheme,
    )


def relative_uri(path: Path | Location, warehouse: Path | str | Location | None) -> str:
    """Return a table's URI as artifacts record it: relative to the warehouse when inside it."""
    table = Location.of(path)
    if warehouse is None:
        return table.uri
    root = Location.of(warehouse).uri.rstrip("/") + "/"
    return table.uri[len(root) :] if table.uri.startswith(root) else table.uri


def is_delta_table(path: Path | Location) -> bool:
    """Whether ``path`` is the root of a Delta table."""
    return Location.of(path).is_delta_table()


def dataset(table: DeltaTable, path: Path | Location) -> pads.Dataset:
    """Return the table's current files as a pyarrow dataset on a SubTreeFileSystem.

    Each fragment carries the Delta log's partition values and file stats as its
    guarantee, so ``get_fragments(filter=...)`` prunes without opening a file.
    """
    filesystem, root = Location.of(path).filesystem()
    return table.to_pyarrow_dataset(filesystem=pafs.SubTreeFileSystem(root, filesystem))


def add_actions(table: DeltaTable) -> pa.Table:
    """Return the table's add actions (flattened stats) as a pyarrow Table."""
    return pa.table(table.get_add_actions(flatten=True))


def commits_with(path: Path | Location, key: str, value: str, after: int | None) -> list[dict[str, Any]]:
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
    location = Location.of(path)
    latest = location.open().version()
    found = []
    for version in range(0 if after is None else after + 1, latest + 1):
        for line in location.read_text(f"_delta_log/{version:020d}.json").splitlines():
            info = json.loads(line).get("commitInfo") if line.strip() else None
            if info is not None and info.get(key) == value:
                found.append({**info, "version": version})
    return found


@dataclasses.dataclass(frozen=True)
class RetryPolicy:
    """The one retry policy of every Delta commit: bounded attempts, jittered back-off.

    A failed attempt committed nothing (a Delta commit is atomic), so running it again
    neither loses nor duplicates data. Waits are drawn uniformly from ``[0, base * 2**n]``
    (capped), so several racing writers do not collide again in lockstep.

    Attributes:
        max_attempts: How many attempts before giving up.
        base_seconds: The first back-off's upper bound.
        cap_seconds: The largest back-off's upper bound.
    """

    max_attempts: int = 20
    base_seconds: float = 0.02
    cap_seconds: float = 0.64

    def backoff(self, attempt: int) -> float:
        """The wait after failed attempt number ``attempt`` (1-based)."""
        return random.uniform(0, min(self.base_seconds * 2**attempt, self.cap_seconds))  # noqa: S311 - jitter, not crypto


def retry_commit(
    action: Callable[[int], T], *, what: str, max_attempts: int | None = None, policy: RetryPolicy | None = None
) -> tuple[T, int]:
    """Run ``action(attempt)`` until it commits, retrying conflicting commits within a bound.

    Creating a table that a concurrent writer has just created fails the same way as a
    conflicting commit and is retried the same way.

    Args:
        action: Performs one attempt; receives the attempt number, starting at 1.
        what: Names the operation in the error.
        max_attempts: Overrides the policy's bound.
        policy: The retry policy (default :class:`RetryPolicy`).

    Returns:
        The action's result and the number of attempts it took.

    Raises:
        CommitConflictError: Every attempt lost to a concurrent commit.
        DeltaIOError: deltalake refused the operation for another reason.
    """
    policy = policy or RetryPolicy()
    bound = max_attempts if max_attempts is not None else policy.max_attempts
    last: Exception | None = None
    for attempt in range(1, bound + 1):
        try:
            return action(attempt), attempt
        except CommitFailedError as exc:
            last = exc
        except DeltaError as exc:
            if "already exists" not in str(exc).lower():
                raise DeltaIOError(f"{what} failed: {error_text(exc)}") from exc
            last = exc
        if attempt < bound:
            time.sleep(policy.backoff(attempt))
    raise CommitConflictError(f"{what}: {bound} attempts lost to concurrent commits; last: {last}")
