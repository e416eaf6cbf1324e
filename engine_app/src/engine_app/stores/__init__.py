"""Every Delta-backed store of the engine, under one :class:`Warehouse`.

================================  ===============================  ===========================
table                             store                            rows
================================  ===============================  ===========================
``datafusion_plan_artifacts_v2``  :class:`PlanArtifactStore`       one per capture
``datafusion_view_artifacts_v2``  :class:`ViewArtifactStore`       one per (view, fingerprint)
``engine_diagnostics_v1``         :class:`DiagnosticsLog`          one per event
``delta_write_artifacts_v1``      :class:`WriteArtifactStore`      one per pipeline write
``delta_scan_artifacts_v1``       :class:`ScanArtifactStore`       one per recorded scan
``cdf_cursors_v1``                :class:`CursorStore`             one per cursor advance
``incremental_runs_v1``           :class:`RunStore`                one per applied CDF batch
``engine_runs_v1``                :class:`RunRecordStore`          one per ``run`` or ``plan``
================================  ===============================  ===========================

Each store is a declaration (:class:`StoreSpec`: table name, contract, queryable columns,
key) run by one store engine (:class:`Store`): one declared Arrow schema of plain types,
exactly-once keyed rows, reads that name their columns and survive a damaged file, and a
``payload`` column with the record's ``dumps_msgpack`` bytes that any consumer decodes
with ``artifact-contracts`` alone. :data:`STORE_SPECS` lists every declaration.
:func:`make_event` and :func:`format_event` build and print diagnostics events.
:func:`check`, :func:`repair`, :func:`optimize` and :func:`vacuum` maintain a warehouse
with the Delta log as the source of truth (a write artifact lost to a crash is rebuilt
from the commits carrying its write id).
"""

from __future__ import annotations

from engine_app.stores._cdf import CDF_CURSORS_TABLE, INCREMENTAL_RUNS_TABLE, CursorStore, RunStore
from engine_app.stores._diagnostics import DIAGNOSTICS_TABLE, DiagnosticsLog
from engine_app.stores._events import format_event, make_event
from engine_app.stores._maintenance import (
    DEFAULT_RETENTION_HOURS,
    LoggedWrite,
    MaintenanceResult,
    RepairReport,
    UnsafeRetentionError,
    check,
    logged_writes,
    optimize,
    rebuild_artifact,
    repair,
    user_tables,
    vacuum,
)
from engine_app.stores._plans import (
    PLAN_LISTING_COLUMNS,
    PLAN_TABLE,
    VIEW_TABLE,
    PlanArtifactStore,
    StoredPlan,
    ViewArtifactStore,
    relative_to,
)
from engine_app.stores._registry import STORE_SPECS, STORE_TABLES
from engine_app.stores._runs import RUNS_TABLE, RunRecordStore
from engine_app.stores._scans import SCAN_ARTIFACTS_TABLE, ScanArtifactStore
from engine_app.stores._table import PAYLOAD, Column, CommitBatches, Decoded, Reads, Store, StoreSpec, field_column
from engine_app.stores._warehouse import Warehouse
from engine_app.stores._writes import WRITE_ARTIFACTS_TABLE, WriteArtifactStore

__all__ = [
    "CDF_CURSORS_TABLE",
    "Column",
    "CommitBatches",
    "CursorStore",
    "DEFAULT_RETENTION_HOURS",
    "DIAGNOSTICS_TABLE",
    "Decoded",
    "DiagnosticsLog",
    "INCREMENTAL_RUNS_TABLE",
    "LoggedWrite",
    "MaintenanceResult",
    "PAYLOAD",
    "PLAN_LISTING_COLUMNS",
    "PLAN_TABLE",
    "PlanArtifactStore",
    "RUNS_TABLE",
    "Reads",
    "RepairReport",
    "RunRecordStore",
    "RunStore",
    "SCAN_ARTIFACTS_TABLE",
    "STORE_SPECS",
    "STORE_TABLES",
    "ScanArtifactStore",
    "Store",
    "StoreSpec",
    "StoredPlan",
    "UnsafeRetentionError",
    "VIEW_TABLE",
    "ViewArtifactStore",
    "WRITE_ARTIFACTS_TABLE",
    "Warehouse",
    "WriteArtifactStore",
    "check",
    "field_column",
    "format_event",
    "logged_writes",
    "make_event",
    "optimize",
    "rebuild_artifact",
    "relative_to",
    "repair",
    "user_tables",
    "vacuum",
]
