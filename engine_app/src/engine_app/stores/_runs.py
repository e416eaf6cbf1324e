"""The run records: ``<warehouse>/engine_runs_v1``, one row per ``run`` or ``plan``.

Keyed by ``run_id``: queryable ``command``, ``started_at``, ``ended_at`` and
``planning_env_hash``, and the :class:`RunRecord` payload (per statement its name, plan
fingerprint, capture id, times, rows and status).
"""

from __future__ import annotations

import os

import pyarrow.compute as pc

from artifact_contracts.models import RunRecord
from engine_app.lake import Location
from engine_app.stores._table import Decoded, Store, StoreSpec, field_column

__all__ = ["RUNS_TABLE", "RUN_RECORDS_SPEC", "RunRecordStore"]

RUNS_TABLE = "engine_runs_v1"
"""The run records' table name under the warehouse."""

RUN_RECORDS_SPEC = StoreSpec(
    table=RUNS_TABLE,
    record=RunRecord,
    columns=tuple(
        field_column(RunRecord, name) for name in ("run_id", "command", "started_at", "ended_at", "planning_env_hash")
    ),
    key=("run_id",),
    order=("started_at", "run_id"),
)
"""The run-record store's declaration."""


class RunRecordStore:
    """The run records of one warehouse.

    Args:
        warehouse: The warehouse.
    """

    def __init__(self, warehouse: Location | str | os.PathLike[str]) -> None:
        self.store = Store(Location.of(warehouse).join(RUNS_TABLE), RUN_RECORDS_SPEC)

    def append(self, record: RunRecord) -> int:
        """Store one run's record (once)."""
        return self.store.write([record])

    def ids(self) -> list[str]:
        """Every run id, oldest run first (no payload is read)."""
        reads = self.store.sorted(self.store.read(["run_id", "started_at"]))
        return [str(run_id) for run_id in reads.table.column("run_id").to_pylist()]

    def list(self) -> Decoded[RunRecord]:
        """Every run record, oldest first."""
        return self.store.records()

    def get(self, run_id: str) -> Decoded[RunRecord]:
        """The record of one run (empty when there is none)."""
        return self.store.records(pc.field("run_id") == run_id)
