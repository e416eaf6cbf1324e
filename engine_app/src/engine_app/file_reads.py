"""Reading a store's Delta table so that one damaged data file costs only its own rows.

The stores read the whole table in one pyarrow dataset scan. When that scan fails (a
data file truncated, overwritten or missing), :func:`read_files` reads the table again
file by file, returns the rows of every file that still reads, and reports each file
that does not as a ``DATA_FILE_UNREADABLE`` diagnostics event naming it.
"""

from __future__ import annotations

import dataclasses
import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
from deltalake import DeltaTable

from artifact_contracts.models import DiagnosticsEvent
from engine_app.delta_io import dataset

__all__ = ["FileReads", "read_files"]


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
            # Built here rather than by diagnostics.make_event: the diagnostics log reads
            # through this module too.
            events.append(
                DiagnosticsEvent(
                    severity="error",
                    code="DATA_FILE_UNREADABLE",
                    message=f"a data file of {path.name} cannot be read, its rows were skipped: {exc}",
                    subject=fragment.path,
                    context={"table": path.name, "file": fragment.path},
                    at=datetime.datetime.now(datetime.timezone.utc),
                )
            )
    table = pa.concat_tables(parts) if parts else files.schema.empty_table()
    return FileReads(table, events)
