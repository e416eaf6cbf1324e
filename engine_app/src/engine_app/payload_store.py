"""An append-only Delta table of contract records: queryable columns plus a MessagePack payload.

The write artifacts (``_delta_write_artifacts_v1``), CDF cursors (``_cdf_cursors_v1``) and
incremental runs (``_incremental_runs_v1``) live in such tables under the warehouse. The
``payload`` column holds ``dumps_msgpack`` of the Compat Struct; the other columns copy a
few of its fields so the store can be filtered without decoding. Records are only ever
appended (concurrent appends never conflict in Delta), and a reader decodes each payload
at the boundary, turning one that does not decode into a diagnostics event.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Generic, TypeVar

import msgspec
import pyarrow as pa

from artifact_contracts import ContractError, dumps_msgpack, loads_msgpack
from artifact_contracts.models import DiagnosticsEvent
from engine_app.delta_io import append_rows, is_delta_table
from engine_app.diagnostics import make_event
from engine_app.file_reads import read_files

__all__ = ["PayloadStore"]

RecordT = TypeVar("RecordT", bound=msgspec.Struct)


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
