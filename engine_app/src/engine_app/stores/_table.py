"""The table machinery every store shares: one Delta table per store, under the warehouse.

- :class:`DeltaRowTable`: a table of contract rows with a fixed Arrow schema whose
  columns are the fields of a Compat row Struct. Writes merge on the key columns, so
  writing a row whose key is already there changes nothing (and commits nothing).
- :class:`PayloadStore`: an append-only table of queryable columns plus ``payload``, the
  record's ``dumps_msgpack`` encoding (concurrent appends never conflict in Delta).
- :func:`read_files`: a table's rows, so that one damaged data file costs only its own
  rows: when the whole-table scan fails (a data file truncated, overwritten or missing),
  the table is read again file by file and each file that does not read is reported as a
  ``DATA_FILE_UNREADABLE`` diagnostics event naming it.

Every read decodes at the boundary; a row that fails to decode becomes a diagnostics
event that names it, and the other rows are still returned.
"""

from __future__ import annotations

import dataclasses
import random
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Generic, TypeVar

import msgspec
import pyarrow as pa
from deltalake import DeltaTable, write_deltalake
from deltalake.exceptions import CommitFailedError

from artifact_contracts import ContractError, ValidationIssue, convert, dumps_msgpack, loads_msgpack, to_builtins
from artifact_contracts.models import DiagnosticsEvent
from engine_app.lake import dataset, is_delta_table, retry_commit
from engine_app.stores._events import make_event

__all__ = ["DecodedRows", "DeltaRowTable", "FileReads", "PayloadStore", "append_rows", "read_files"]

RowT = TypeVar("RowT", bound=msgspec.Struct)
RecordT = TypeVar("RecordT", bound=msgspec.Struct)
ItemT = TypeVar("ItemT")

_MERGE_ATTEMPTS = 20
_BACKOFF_SECONDS = 0.02


@dataclasses.dataclass(frozen=True)
class FileReads:
    """The rows that could be read, and an event per data file that could not."""

    table: pa.Table
    events: list[DiagnosticsEvent]


def read_files(path: Path, filter_expression: Any = None) -> FileReads:
    """Read a Delta table's current rows, skipping (and reporting) unreadable data files.

    Args:
        path: The table's root directory.
        filter_expression: A ``pyarrow.compute`` expression, or None for all rows.

    Returns:
        The rows of every readable file (in the dataset's schema) and one
        ``DATA_FILE_UNREADABLE`` event per file that is not.
    """
    files = dataset(DeltaTable(str(path)), path)
    try:
        return FileReads(files.to_table(filter=filter_expression), [])
    except (OSError, pa.ArrowException):
        pass  # some file is damaged: find out which, and keep the others
    parts: list[pa.Table] = []
    events: list[DiagnosticsEvent] = []
    for fragment in files.get_fragments(filter=filter_expression):
        try:
            parts.append(fragment.to_table(filter=filter_expression, schema=files.schema))
        except (OSError, pa.ArrowException) as exc:
            events.append(
                make_event(
                    "error",
                    "DATA_FILE_UNREADABLE",
                    f"a data file of {path.name} cannot be read, its rows were skipped: {exc}",
                    subject=fragment.path,
                    context={"table": path.name, "file": fragment.path},
                )
            )
    table = pa.concat_tables(parts) if parts else files.schema.empty_table()
    return FileReads(table, events)


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


@dataclasses.dataclass(frozen=True)
class DecodedRows(Generic[ItemT]):
    """The rows of a store that decoded, and an event for each one that did not."""

    items: list[ItemT]
    events: list[DiagnosticsEvent]


class DeltaRowTable(Generic[RowT]):
    """One Delta table holding rows of ``row_type``.

    Args:
        path: The table's root directory.
        row_type: The Compat Struct each row decodes into.
        schema: The Arrow schema; its field names are the Struct's field names.
        key: The columns that identify a row (the merge predicate).
    """

    def __init__(self, path: Path, row_type: type[RowT], schema: pa.Schema, key: tuple[str, ...]) -> None:
        self.path = path
        self.row_type = row_type
        self.schema = schema
        self.key = key

    def exists(self) -> bool:
        """Whether the table has been created."""
        return is_delta_table(self.path)

    def _to_arrow(self, rows: Sequence[RowT]) -> pa.Table:
        columns: dict[str, list[Any]] = {field.name: [] for field in self.schema}
        for row in rows:
            for name in columns:
                columns[name].append(getattr(row, name))
        return pa.table(columns, schema=self.schema)

    def insert_absent(self, rows: Sequence[RowT]) -> int:
        """Write the rows whose key is not in the table yet.

        Args:
            rows: Candidate rows; duplicates among them are written once.

        Returns:
            How many rows were inserted.
        """
        unique: dict[tuple[Any, ...], RowT] = {}
        for row in rows:
            unique.setdefault(tuple(getattr(row, k) for k in self.key), row)
        if not unique:
            return 0
        data = self._to_arrow(list(unique.values()))
        if not self.exists():
            self.path.mkdir(parents=True, exist_ok=True)
            try:
                write_deltalake(str(self.path), data, mode="append")
                return int(data.num_rows)
            except CommitFailedError:
                pass  # a concurrent writer created the table first: merge into it instead
        predicate = " AND ".join(f"t.{k} = s.{k}" for k in self.key)
        for attempt in range(_MERGE_ATTEMPTS):
            try:
                metrics: dict[str, Any] = (
                    DeltaTable(str(self.path))
                    .merge(source=data, predicate=predicate, source_alias="s", target_alias="t")
                    .when_not_matched_insert_all()
                    .execute()
                )
            except CommitFailedError:
                # A concurrent writer committed first; the merge re-reads the table, so the
                # rows it inserted are not inserted twice. Jittered, growing waits keep
                # several racing writers from colliding again in lockstep.
                if attempt + 1 == _MERGE_ATTEMPTS:
                    raise
                time.sleep(random.uniform(0, _BACKOFF_SECONDS * 2 ** min(attempt, 5)))  # noqa: S311
                continue
            return int(metrics.get("num_target_rows_inserted", 0))
        raise AssertionError("unreachable")  # pragma: no cover

    def read_arrow(self, filter_expression: Any = None) -> pa.Table:
        """Read the table (optionally filtered) as a pyarrow Table.

        The filesystem is given explicitly: deltalake's default Python filesystem can
        abort the interpreter at exit when mixed with other delta-rs work.

        Args:
            filter_expression: A ``pyarrow.compute`` expression, or None for all rows.

        Returns:
            The rows, in the store's schema; empty when the table does not exist.
        """
        if not self.exists():
            return self.schema.empty_table()
        table = dataset(DeltaTable(str(self.path)), self.path).to_table(filter=filter_expression)
        present = [name for name in self.schema.names if name in table.column_names]
        return table.select(present)

    def read(self, filter_expression: Any = None) -> FileReads:
        """Read the table like :meth:`read_arrow`, but survive damaged data files.

        Args:
            filter_expression: A ``pyarrow.compute`` expression, or None for all rows.

        Returns:
            The rows of every readable data file, and a ``DATA_FILE_UNREADABLE`` event
            naming each file that is not readable.
        """
        if not self.exists():
            return FileReads(self.schema.empty_table(), [])
        reads = read_files(self.path, filter_expression)
        present = [name for name in self.schema.names if name in reads.table.column_names]
        return FileReads(reads.table.select(present), reads.events)

    def decode(
        self,
        table: pa.Table,
        payload: Callable[[RowT], ItemT],
        *,
        subject: Callable[[int, dict[str, Any]], str],
        prior: Sequence[DiagnosticsEvent] = (),
    ) -> DecodedRows[ItemT]:
        """Decode Arrow rows into row Structs, then into items, collecting failures.

        Rows whose key repeats an earlier row are skipped (concurrent first writes can
        both create the table).

        Args:
            table: Rows as read by :meth:`read_arrow`.
            payload: Turns a decoded row into the item to return (e.g. decodes its
                payload); may raise :class:`ContractError`.
            subject: Names a row for its diagnostics event, from its index and raw values.
            prior: Events from reading the table (see :meth:`read`), reported first.

        Returns:
            The items and one event per row that failed.
        """
        items: list[ItemT] = []
        events: list[DiagnosticsEvent] = list(prior)
        seen: set[tuple[Any, ...]] = set()
        for index, raw in enumerate(table.to_pylist()):
            try:
                row = convert(raw, self.row_type)
                key = tuple(to_builtins(getattr(row, k)) for k in self.key)
                if key in seen:
                    continue
                item = payload(row)
            except ContractError as exc:
                events.append(_decode_failed(self.path, subject(index, raw), exc.issues))
                continue
            seen.add(key)
            items.append(item)
        return DecodedRows(items=items, events=events)


def _decode_failed(path: Path, subject: str, issues: tuple[ValidationIssue, ...]) -> DiagnosticsEvent:
    return make_event(
        "error",
        "ROW_DECODE_FAILED",
        f"a row of {path.name} does not decode; it was skipped",
        subject=subject,
        issues=issues,
        context={"table": path.name},
    )


class PayloadStore(Generic[RecordT]):
    """One append-only store of ``record_type`` records.

    Args:
        path: The store table's root directory.
        record_type: The Compat Struct each payload decodes into.
        columns: The queryable columns (besides ``payload``), as Arrow fields.
    """

    def __init__(self, path: Path, record_type: type[RecordT], columns: Sequence[pa.Field]) -> None:
        self.path = path
        self.record_type = record_type
        self.schema = pa.schema([*columns, pa.field("payload", pa.binary(), nullable=False)])

    def append(self, records: Sequence[tuple[RecordT, dict[str, Any]]]) -> None:
        """Append records, each with the values of its queryable columns.

        Args:
            records: ``(record, {column: value})`` pairs.
        """
        if not records:
            return
        columns: dict[str, list[Any]] = {name: [] for name in self.schema.names}
        for record, values in records:
            for name in self.schema.names[:-1]:
                columns[name].append(values[name])
            columns["payload"].append(dumps_msgpack(record))
        append_rows(self.path, pa.table(columns, schema=self.schema))

    def read(self, filter_expression: Any = None) -> tuple[list[RecordT], list[DiagnosticsEvent]]:
        """Read and decode the records (optionally filtered on the queryable columns).

        Args:
            filter_expression: A ``pyarrow.compute`` expression, or None for all.

        Returns:
            The records that decoded (in no set order) and one event per payload that did
            not, or per data file that cannot be read (its records are skipped).
        """
        if not is_delta_table(self.path):
            return [], []
        reads = read_files(self.path, filter_expression)
        table = reads.table
        records: list[RecordT] = []
        events: list[DiagnosticsEvent] = list(reads.events)
        for index, payload in enumerate(table.column("payload").to_pylist()):
            try:
                records.append(loads_msgpack(payload, self.record_type))
            except ContractError as exc:
                events.append(
                    make_event(
                        "error",
                        "ROW_DECODE_FAILED",
                        f"a record of {self.path.name} does not decode; it was skipped",
                        subject=f"{self.path.name}[{index}]",
                        issues=exc.issues,
                        context={"table": self.path.name},
                    )
                )
        return records, events
