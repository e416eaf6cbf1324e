"""Scan and write telemetry: small, numerous records, encoded as arrays.

``array_like=True`` writes them positionally, ``gc=False`` keeps millions of them out of
the garbage collector (they hold no references to containers), ``cache_hash=True``
makes them cheap dictionary keys. Evolution is append-only: a new field goes last, with
a default, and never defaults to ``msgspec.UNSET`` (msgspec cannot encode UNSET inside an
array-like Struct).
"""

from typing import Annotated, Optional

import msgspec

from artifact_contracts.base import StructBaseCompat
from artifact_contracts.models.types import Count

__all__ = ["ScanTelemetry", "WriteTelemetry"]

Millis = Annotated[float, msgspec.Meta(ge=0.0, le=1.7976931348623157e308, description="Milliseconds, finite.")]


class ScanTelemetry(StructBaseCompat, array_like=True, gc=False, cache_hash=True):
    """What one scan of a Delta table read, and what it skipped."""

    fragment_count: Annotated[Count, msgspec.Meta(description="Data files (fragments) scanned.")]
    row_group_count: Annotated[Count, msgspec.Meta(description="Parquet row groups in the scanned files.")]
    count_rows: Annotated[Count, msgspec.Meta(description="Rows the scan returned.")]
    estimated_rows: Annotated[
        Optional[Count], msgspec.Meta(description="Rows estimated from the Delta log's stats before reading.")
    ] = None
    files_total: Annotated[Count, msgspec.Meta(description="Data files in the table version.")] = 0
    files_pruned: Annotated[Count, msgspec.Meta(description="Files skipped by partition or stats pruning.")] = 0
    row_groups_pruned: Annotated[Count, msgspec.Meta(description="Row groups skipped by statistics.")] = 0
    bytes_scanned: Annotated[Count, msgspec.Meta(description="Bytes read from storage.")] = 0
    duration_ms: Annotated[Millis, msgspec.Meta(description="Wall time of the scan.")] = 0.0


class WriteTelemetry(StructBaseCompat, array_like=True, gc=False, cache_hash=True):
    """What one write to a Delta table produced."""

    files_added: Annotated[Count, msgspec.Meta(description="Data files the commit added.")]
    rows_written: Annotated[Count, msgspec.Meta(description="Rows written.")]
    bytes_written: Annotated[Count, msgspec.Meta(description="Bytes of the added files.")] = 0
    commit_attempts: Annotated[Count, msgspec.Meta(description="1 unless a conflicting commit forced retries.")] = 1
    duration_ms: Annotated[Millis, msgspec.Meta(description="Wall time of the write, commit included.")] = 0.0
    files_removed: Annotated[
        Count, msgspec.Meta(description="Data files the write's commits removed: an overwrite's old files.")
    ] = 0
