"""Persisted CDF cursors and incremental-run records, under the warehouse.

- ``cdf_cursors_v1``: one row per cursor advance (``consumer``, ``table_uri``,
  ``last_processed_version``, ``updated_at``, payload = :class:`CdfCursor`). The current
  cursor of a (consumer, table) is its row with the highest version; rows are only
  appended, so concurrent consumers of different tables never conflict.
- ``incremental_runs_v1``: one row per applied batch (payload = :class:`IncrementalRun`).

The cursor store is a mirror, not the ledger: the change-log table each consumer writes
records the last applied source version in the same Delta commit as the changes (see
:mod:`engine_app.delta`), and the cursor is appended only after that commit.
"""

from __future__ import annotations

import os

import pyarrow.compute as pc

from artifact_contracts.models import CdfCursor, DiagnosticsEvent, IncrementalRun
from engine_app.lake import Location
from engine_app.stores._table import Store, StoreSpec, field_column

__all__ = [
    "CDF_CURSORS_TABLE",
    "CURSORS_SPEC",
    "CursorStore",
    "INCREMENTAL_RUNS_TABLE",
    "RUNS_SPEC",
    "RunStore",
]

CDF_CURSORS_TABLE = "cdf_cursors_v1"
"""The cursor store's table name under the warehouse."""
INCREMENTAL_RUNS_TABLE = "incremental_runs_v1"
"""The run store's table name under the warehouse."""

CURSORS_SPEC = StoreSpec(
    table=CDF_CURSORS_TABLE,
    record=CdfCursor,
    columns=tuple(
        field_column(CdfCursor, name) for name in ("consumer", "table_uri", "last_processed_version", "updated_at")
    ),
)
"""The cursor store's declaration (append-only: one row per advance)."""

RUNS_SPEC = StoreSpec(
    table=INCREMENTAL_RUNS_TABLE,
    record=IncrementalRun,
    columns=tuple(
        field_column(IncrementalRun, name)
        for name in ("consumer", "table_uri", "from_version", "to_version", "committed_at")
    ),
)
"""The run store's declaration (append-only: one row per applied batch)."""


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

    def __init__(self, warehouse: Location | str | os.PathLike[str]) -> None:
        self.store = Store(Location.of(warehouse).join(CDF_CURSORS_TABLE), CURSORS_SPEC)

    def get(self, consumer: str, table_uri: str) -> CdfCursor | None:
        """Return the current cursor of a consumer on a table, or None before its first run."""
        cursors = self.store.records(_of(consumer, table_uri)).items
        return max(cursors, key=_position, default=None)

    def advance(self, cursor: CdfCursor) -> None:
        """Record a cursor position (call only after the changes up to it are committed)."""
        self.store.write([cursor])

    def list(self, consumer: str | None = None) -> tuple[list[CdfCursor], list[DiagnosticsEvent]]:
        """Return the current cursor of every (consumer, table), sorted."""
        decoded = self.store.records(_of(consumer, None))
        cursors, events = decoded.items, decoded.events
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

    def __init__(self, warehouse: Location | str | os.PathLike[str]) -> None:
        self.store = Store(Location.of(warehouse).join(INCREMENTAL_RUNS_TABLE), RUNS_SPEC)

    def append(self, run: IncrementalRun) -> None:
        """Record one applied batch."""
        self.store.write([run])

    def list(
        self, consumer: str | None = None, table_uri: str | None = None
    ) -> tuple[list[IncrementalRun], list[DiagnosticsEvent]]:
        """Return the runs, oldest source version first."""
        decoded = self.store.records(_of(consumer, table_uri))
        runs, events = decoded.items, decoded.events
        return sorted(runs, key=lambda r: (r.table_uri, r.from_version)), events
