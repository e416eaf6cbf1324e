"""Persisted CDF cursors and incremental-run records, under the warehouse.

- ``_cdf_cursors_v1``: one row per cursor advance (``consumer``, ``table_uri``,
  ``last_processed_version``, ``updated_at``, payload = :class:`CdfCursor`). The current
  cursor of a (consumer, table) is its row with the highest version; rows are only
  appended, so concurrent consumers of different tables never conflict.
- ``_incremental_runs_v1``: one row per applied batch (payload = :class:`IncrementalRun`).

The cursor store is a mirror, not the ledger: the change-log table each consumer writes
records the last applied source version in the same Delta commit as the changes (see
:mod:`engine_app.delta`), and the cursor is appended only after that commit.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from artifact_contracts.models import CdfCursor, DiagnosticsEvent, IncrementalRun
from engine_app.stores._table import PayloadStore

__all__ = ["CDF_CURSORS_TABLE", "CursorStore", "INCREMENTAL_RUNS_TABLE", "RunStore"]

CDF_CURSORS_TABLE = "_cdf_cursors_v1"
"""The cursor store's directory name under the warehouse."""
INCREMENTAL_RUNS_TABLE = "_incremental_runs_v1"
"""The run store's directory name under the warehouse."""

_CURSOR_COLUMNS = (
    pa.field("consumer", pa.string(), nullable=False),
    pa.field("table_uri", pa.string(), nullable=False),
    pa.field("last_processed_version", pa.int64()),
    pa.field("updated_at", pa.timestamp("us", tz="UTC")),
)
_RUN_COLUMNS = (
    pa.field("consumer", pa.string(), nullable=False),
    pa.field("table_uri", pa.string(), nullable=False),
    pa.field("from_version", pa.int64(), nullable=False),
    pa.field("to_version", pa.int64(), nullable=False),
    pa.field("committed_at", pa.timestamp("us", tz="UTC")),
)


def _of(consumer: str | None, table_uri: str | None) -> pc.Expression | None:
    parts = []
    if consumer is not None:
        parts.append(pc.field("consumer") == consumer)
    if table_uri is not None:
        parts.append(pc.field("table_uri") == table_uri)
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else parts[0] & parts[1]


def _position(cursor: CdfCursor) -> int:
    return -1 if cursor.last_processed_version is None else cursor.last_processed_version


class CursorStore:
    """The CDF cursors of one warehouse.

    Args:
        warehouse: The warehouse directory.
    """

    def __init__(self, warehouse: Path) -> None:
        self.store = PayloadStore(Path(warehouse) / CDF_CURSORS_TABLE, CdfCursor, _CURSOR_COLUMNS)

    def get(self, consumer: str, table_uri: str) -> CdfCursor | None:
        """Return the current cursor of a consumer on a table, or None before its first run."""
        cursors, _ = self.store.read(_of(consumer, table_uri))
        return max(cursors, key=_position, default=None)

    def advance(self, cursor: CdfCursor) -> None:
        """Record a cursor position (call only after the changes up to it are committed)."""
        self.store.append(
            [
                (
                    cursor,
                    {
                        "consumer": cursor.consumer,
                        "table_uri": cursor.table_uri,
                        "last_processed_version": cursor.last_processed_version,
                        "updated_at": cursor.updated_at,
                    },
                )
            ]
        )

    def list(self, consumer: str | None = None) -> tuple[list[CdfCursor], list[DiagnosticsEvent]]:
        """Return the current cursor of every (consumer, table), sorted."""
        cursors, events = self.store.read(_of(consumer, None))
        latest: dict[tuple[str, str], CdfCursor] = {}
        for cursor in cursors:
            key = (cursor.consumer, cursor.table_uri)
            known = latest.get(key)
            if known is None or _position(known) < _position(cursor):
                latest[key] = cursor
        return [latest[k] for k in sorted(latest)], events


class RunStore:
    """The incremental-run records of one warehouse.

    Args:
        warehouse: The warehouse directory.
    """

    def __init__(self, warehouse: Path) -> None:
        self.store = PayloadStore(Path(warehouse) / INCREMENTAL_RUNS_TABLE, IncrementalRun, _RUN_COLUMNS)

    def append(self, run: IncrementalRun) -> None:
        """Record one applied batch."""
        self.store.append(
            [
                (
                    run,
                    {
                        "consumer": run.consumer,
                        "table_uri": run.table_uri,
                        "from_version": run.from_version,
                        "to_version": run.to_version,
                        "committed_at": run.committed_at,
                    },
                )
            ]
        )

    def list(
        self, consumer: str | None = None, table_uri: str | None = None
    ) -> tuple[list[IncrementalRun], list[DiagnosticsEvent]]:
        """Return the runs, oldest source version first."""
        runs, events = self.store.read(_of(consumer, table_uri))
        return sorted(runs, key=lambda r: (r.table_uri, r.from_version)), events
