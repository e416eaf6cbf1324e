"""Every Delta-backed store of the engine, under the warehouse directory.

================================  ===============================  =====================
table                             store                            rows
================================  ===============================  =====================
``datafusion_plan_artifacts_v1``  :class:`PlanArtifactStore`       one per plan fingerprint
``datafusion_view_artifacts_v1``  :class:`ViewArtifactStore`       one per (view, fingerprint)
``engine_diagnostics_v1``         :class:`DiagnosticsLog`          one per event
``_delta_write_artifacts_v1``     :class:`WriteArtifactStore`      one per pipeline write
``_delta_scan_artifacts_v1``      :class:`ScanArtifactStore`       one per recorded scan
``_cdf_cursors_v1``               :class:`CursorStore`             one per cursor advance
``_incremental_runs_v1``          :class:`RunStore`                one per applied CDF batch
================================  ===============================  =====================

Each holds queryable columns plus a ``payload`` column with the artifact's
``dumps_msgpack`` bytes, so any consumer decodes it with ``artifact-contracts`` alone.
The shared machinery (keyed and append-only tables, reads that survive a damaged file)
is one private module; :func:`make_event` and :func:`format_event` build and print the
diagnostics events every store reports undecodable rows with.
"""

from __future__ import annotations

from engine_app.stores._cdf import CDF_CURSORS_TABLE, INCREMENTAL_RUNS_TABLE, CursorStore, RunStore
from engine_app.stores._diagnostics import DIAGNOSTICS_TABLE, DiagnosticsLog
from engine_app.stores._events import format_event, make_event
from engine_app.stores._plans import (
    PLAN_TABLE,
    VIEW_TABLE,
    PlanArtifactStore,
    StoredPlan,
    ViewArtifactStore,
    relative_to,
)
from engine_app.stores._scans import SCAN_ARTIFACTS_TABLE, ScanArtifactStore
from engine_app.stores._table import DecodedRows
from engine_app.stores._writes import WRITE_ARTIFACTS_TABLE, WriteArtifactStore

__all__ = [
    "CDF_CURSORS_TABLE",
    "CursorStore",
    "DIAGNOSTICS_TABLE",
    "DecodedRows",
    "DiagnosticsLog",
    "INCREMENTAL_RUNS_TABLE",
    "PLAN_TABLE",
    "PlanArtifactStore",
    "RunStore",
    "SCAN_ARTIFACTS_TABLE",
    "ScanArtifactStore",
    "StoredPlan",
    "VIEW_TABLE",
    "ViewArtifactStore",
    "WRITE_ARTIFACTS_TABLE",
    "WriteArtifactStore",
    "format_event",
    "make_event",
    "relative_to",
]
