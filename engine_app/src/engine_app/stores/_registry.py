"""Every store declaration of the engine, in one place (for checks, maintenance and docs)."""

from __future__ import annotations

from typing import Any

from engine_app.stores._cdf import CURSORS_SPEC, RUNS_SPEC
from engine_app.stores._diagnostics import DIAGNOSTICS_SPEC
from engine_app.stores._plans import PLAN_SPEC, VIEW_SPEC
from engine_app.stores._runs import RUN_RECORDS_SPEC
from engine_app.stores._scans import SCANS_SPEC
from engine_app.stores._table import StoreSpec
from engine_app.stores._writes import WRITES_SPEC

__all__ = ["STORE_SPECS", "STORE_TABLES"]

STORE_SPECS: tuple[StoreSpec[Any], ...] = (
    PLAN_SPEC,
    VIEW_SPEC,
    DIAGNOSTICS_SPEC,
    WRITES_SPEC,
    SCANS_SPEC,
    CURSORS_SPEC,
    RUNS_SPEC,
    RUN_RECORDS_SPEC,
)
"""Every store's declaration."""

STORE_TABLES = frozenset(spec.table for spec in STORE_SPECS)
"""The table names the engine's stores take under a warehouse."""
