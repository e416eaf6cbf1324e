"""The scan planner: protocol gate, pushdown through DataFusion, and scan telemetry.

:func:`plan_scan` opens a Delta table at the version (or timestamp) a
:class:`DeltaScanConfig` asks for, reading only the Delta log, and checks its protocol
against a :class:`DeltaProtocolGate` (:func:`check_protocol`): a table whose reader or
writer version or whose features the gate does not allow is refused with
:class:`ProtocolGateError` before any data file is opened. It then estimates the rows the
scan will return from the log's per-file stats (``num_records`` of the files the
predicate cannot rule out), still without opening a data file.

:func:`execute_scan` registers the table with DataFusion as a pyarrow dataset on a
``SubTreeFileSystem``: unlike deltalake's FFI table provider, which does not push
filters down, the dataset scan receives the predicate and prunes fragments (by the
partition values and stats the log records) and row groups (by parquet statistics). The
:class:`ScanTelemetry` records the fragments scanned (DataFusion's own count, from its
``DatasetExec``), their row groups, the rows returned, the estimate, and the files and
row groups pruned.

A table may be a local directory or an object-store URI (a :class:`Location` with its
storage options). On S3 the dataset path is the only one: DataFusion cannot scan
deltalake's own table provider there (delta-rs#4623), while a pyarrow dataset on the
location's S3 filesystem registers and prunes the same way as on a local disk.
"""

from __future__ import annotations

import dataclasses
import functools
import operator
import os
import re
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as pads
from datafusion import SessionConfig, SessionContext
from deltalake import DeltaTable

from artifact_contracts import convert, fingerprint, to_builtins
from artifact_contracts.models import (
    DeltaProtocolGate,
    DeltaProtocolGateSnapshot,
    DeltaScanArtifact,
    DeltaScanConfig,
    DeltaScanConfigSnapshot,
    ScanTelemetry,
)
from engine_app.delta._predicate import to_pyarrow
from engine_app.delta._protocol import check_protocol
from engine_app.errors import DeltaIOError, error_text
from engine_app.lake import Location, add_actions, dataset, relative_uri, utc_now
from engine_app.stores import ScanArtifactStore

__all__ = ["ScanPlan", "ScanResult", "execute_scan", "plan_scan", "scan_table"]

_FRAGMENTS = re.compile(r"DatasetExec: number_of_fragments=(\d+)")


@dataclasses.dataclass(frozen=True)
class ScanPlan:
    """A gated scan, planned from the Delta log alone (no data file opened yet).

    Attributes:
        location: The table root (a local directory or an object-store URI).
        table: The table at the scanned version.
        config: The scan configuration.
        gate: The protocol gate the table passed.
        dataset: The table's files as a pyarrow dataset (nothing read yet).
        filter: The predicate as a pyarrow expression (None: prunes nothing).
        files_total: Data files in the scanned version.
        candidates: The fragments the predicate cannot rule out by the log's stats.
        estimated_rows: Their ``num_records`` sum (an upper bound for the rows returned).
    """

    location: Location
    table: DeltaTable
    config: DeltaScanConfig
    gate: DeltaProtocolGate
    dataset: pads.Dataset
    filter: pc.Expression | None
    files_total: int
    candidates: tuple[pads.Fragment, ...]
    estimated_rows: int

    @property
    def path(self) -> Path:
        """The table's directory (a local table only)."""
        return self.location.path


@dataclasses.dataclass(frozen=True)
class ScanResult:
    """The rows a scan returned, its artifact (with the telemetry) and DataFusion's executed plan."""

    rows: pa.Table
    artifact: DeltaScanArtifact
    physical_plan: str

    @property
    def telemetry(self) -> ScanTelemetry:
        """The scan's telemetry."""
        return self.artifact.telemetry


def _open(location: Location, config: DeltaScanConfig) -> DeltaTable:
    if not location.is_delta_table():
        raise DeltaIOError(f"no Delta table at {location.uri}")
    try:
        if config.version is not None:
            return location.open(config.version)
        table = location.open()
        if config.timestamp is not None:
            table.load_as_version(config.timestamp)
        return table
    except Exception as exc:  # deltalake raises DeltaError, OSError or ValueError here
        raise DeltaIOError(f"cannot open {location.uri} for this scan: {error_text(exc)}") from exc


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _select_sql(name: str, config: DeltaScanConfig) -> str:
    columns = "*" if config.columns is None else ", ".join(_quote(c) for c in config.columns)
    where = "" if config.predicate is None else f" WHERE {config.predicate}"
    return f"SELECT {columns} FROM {_quote(name)}{where}"  # noqa: S608 - the predicate is the caller's SQL


def _filter_of(ds: pads.Dataset, predicate: str | None) -> pc.Expression | None:
    if predicate is None:
        return None
    ctx = SessionContext()
    ctx.register_dataset("t", ds)
    try:
        plan = ctx.sql(f"SELECT * FROM t WHERE {predicate}").optimized_logical_plan()  # noqa: S608
    except Exception as exc:  # DataFusion reports SQL errors as generic exceptions
        raise DeltaIOError(f"invalid scan predicate {predicate!r}: {error_text(exc)}") from exc
    node: Any = plan
    while node is not None:
        variant = node.to_variant()
        if type(variant).__name__ == "Filter":
            return to_pyarrow(variant.predicate())
        if type(variant).__name__ == "TableScan":
            # The filters pushed into the scan are conjuncts: keep those that translate.
            parts = [p for p in (to_pyarrow(f) for f in variant.filters()) if p is not None]
            return functools.reduce(operator.and_, parts) if parts else None
        inputs = node.inputs()
        node = inputs[0] if inputs else None
    return None


def plan_scan(path: Location | str | os.PathLike[str], config: DeltaScanConfig, gate: DeltaProtocolGate) -> ScanPlan:
    """Open, gate and estimate a scan from the Delta log alone.

    Args:
        path: The table root: a directory, an object-store URI (storage options from the
            ``AWS_*`` environment) or a :class:`Location`.
        config: Columns, predicate and version or timestamp.
        gate: The protocol versions and features allowed.

    Returns:
        The plan.

    Raises:
        ProtocolGateError: The gate refuses the table (no data file was opened).
        DeltaIOError: No table, no such version, or an invalid predicate.
    """
    location = Location.of(path)
    table = _open(location, config)
    check_protocol(table, gate)
    try:
        ds = dataset(table, location)
    except Exception as exc:  # e.g. reader features the pyarrow path cannot read
        raise DeltaIOError(f"cannot scan {location.uri}: {error_text(exc)}") from exc
    flt = _filter_of(ds, config.predicate)
    # Fragment guarantees come from the log's partition values and stats: no file is opened.
    candidates = tuple(ds.get_fragments() if flt is None else ds.get_fragments(filter=flt))
    actions = add_actions(table)
    records = dict(zip(actions.column("path").to_pylist(), actions.column("num_records").to_pylist()))
    estimated = sum(int(records.get(fragment.path, 0) or 0) for fragment in candidates)
    return ScanPlan(
        location=location,
        table=table,
        config=config,
        gate=gate,
        dataset=ds,
        filter=flt,
        files_total=actions.num_rows,
        candidates=candidates,
        estimated_rows=estimated,
    )


def _row_groups(plan: ScanPlan) -> tuple[int, int]:
    """Row groups in the candidate files, and how many of them the predicate's stats rule out."""
    total = kept = 0
    for fragment in plan.candidates:
        fragment.ensure_complete_metadata()
        groups = fragment.metadata.num_row_groups
        total += groups
        if plan.filter is None:
            kept += groups
        else:
            kept += len(fragment.subset(filter=plan.filter, schema=plan.dataset.schema).row_groups)
    return total, total - kept


def execute_scan(
    plan: ScanPlan,
    ctx: SessionContext | None = None,
    name: str = "scan",
    *,
    warehouse: Location | str | os.PathLike[str] | None = None,
) -> ScanResult:
    """Run a planned scan through DataFusion, measure it and record it.

    Args:
        plan: From :func:`plan_scan`.
        ctx: The session to register the table in (a fresh one when None).
        name: The table name to register the scan under.
        warehouse: When given (a directory, URI or :class:`Location`), the table's URI is
            recorded relative to it and the :class:`DeltaScanArtifact` is appended to its
            ``delta_scan_artifacts_v1``.

    Returns:
        The rows, the telemetry and the executed physical plan.

    Raises:
        DeltaIOError: DataFusion cannot run the scan.
    """
    started = time.perf_counter()
    ctx = ctx if ctx is not None else SessionContext(SessionConfig().with_target_partitions(2))
    if ctx.table_exist(name):
        ctx.deregister_table(name)
    ctx.register_dataset(name, plan.dataset)
    try:
        df = ctx.sql(_select_sql(name, plan.config))
        rows = pa.Table.from_batches(df.collect(), schema=df.schema())
    except Exception as exc:  # DataFusion reports planning and execution errors alike
        raise DeltaIOError(f"scan of {plan.location.uri} failed: {error_text(exc)}") from exc
    physical = df.execution_plan().display_indent()
    found = _FRAGMENTS.search(physical)
    fragments = int(found.group(1)) if found else len(plan.candidates)
    row_groups, pruned_groups = _row_groups(plan)
    sizes = dict(zip(*(add_actions(plan.table).column(c).to_pylist() for c in ("path", "size_bytes"))))
    telemetry = ScanTelemetry(
        fragment_count=fragments,
        row_group_count=row_groups,
        count_rows=rows.num_rows,
        estimated_rows=plan.estimated_rows,
        files_total=plan.files_total,
        files_pruned=plan.files_total - fragments,
        row_groups_pruned=pruned_groups,
        bytes_scanned=sum(int(sizes.get(f.path, 0)) for f in plan.candidates),
        duration_ms=(time.perf_counter() - started) * 1000.0,
    )
    artifact = DeltaScanArtifact(
        table_uri=relative_uri(plan.location, None if warehouse is None else Location.of(warehouse)),
        table_version=plan.table.version(),
        scan_config=convert(to_builtins(plan.config), DeltaScanConfigSnapshot),
        protocol_gate=convert(to_builtins(plan.gate), DeltaProtocolGateSnapshot),
        config_fingerprint=fingerprint(
            {"protocol_gate": to_builtins(plan.gate), "scan_config": to_builtins(plan.config)}
        ),
        telemetry=telemetry,
        scanned_at=utc_now(),
    )
    if warehouse is not None:
        ScanArtifactStore(warehouse).append(artifact)
    return ScanResult(rows=rows, artifact=artifact, physical_plan=physical)


def scan_table(
    path: Location | str | os.PathLike[str],
    config: DeltaScanConfig,
    gate: DeltaProtocolGate,
    ctx: SessionContext | None = None,
    *,
    warehouse: Location | str | os.PathLike[str] | None = None,
) -> ScanResult:
    """Plan and execute a scan (see :func:`plan_scan` and :func:`execute_scan`)."""
    return execute_scan(plan_scan(path, config, gate), ctx, warehouse=warehouse)
