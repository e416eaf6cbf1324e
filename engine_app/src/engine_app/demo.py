"""Run a pipeline spec: tables (TPC-H generated on request), views and queries.

Every query and view is planned (artifacts recorded), executed, and its artifacts are
stored in the warehouse. The embedded demo is one such spec: TPC-H at a small scale,
three views over it and the 22 TPC-H queries.

Everything that can be checked before writing is checked first (the spec itself, the
engine settings, the tables' paths), so a bad spec writes nothing.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec
from deltalake import DeltaTable

from artifact_contracts import ContractValidationError
from artifact_contracts.models import DeltaProtocolGate, PipelineSpec, QuerySpec, TableSpec, ViewSpec
from engine_app import tpch
from engine_app.cdf_demo import ConsumerReport, demo_change
from engine_app.delta_io import ProtocolGateError
from engine_app.diagnostics import DiagnosticsLog, make_event
from engine_app.engine import EngineSession
from engine_app.errors import EngineError, error_text
from engine_app.planning import PlanningError, plan_sql, query_options
from engine_app.scan import check_protocol
from engine_app.store import PlanArtifactStore, ViewArtifactStore
from engine_app.tables import detect_format
from engine_app.views import ViewRegistry

if TYPE_CHECKING:
    from rich.progress import Progress

    from artifact_contracts.models import DiagnosticsEvent, PlanArtifacts

__all__ = [
    "DEFAULT_SCALE",
    "DEMO_VIEWS",
    "Outcome",
    "RunReport",
    "demo_spec",
    "run_pipeline",
]

DEFAULT_SCALE = 0.01
"""The demo's TPC-H scale factor (about 10 MB, 86k rows)."""

DEMO_VIEWS = (
    ViewSpec(
        name="revenue_by_nation",
        sql=(
            "SELECT n_name AS nation, sum(l_extendedprice * (1 - l_discount)) AS revenue "
            "FROM lineitem JOIN orders ON l_orderkey = o_orderkey "
            "JOIN customer ON o_custkey = c_custkey JOIN nation ON c_nationkey = n_nationkey "
            "GROUP BY n_name"
        ),
    ),
    ViewSpec(
        name="open_orders",
        sql="SELECT o_orderkey, o_custkey, o_totalprice, o_orderdate FROM orders WHERE o_orderstatus = 'O'",
    ),
    ViewSpec(
        name="top_open_customers",
        sql=(
            "SELECT c_name, count(*) AS open_orders, sum(o_totalprice) AS open_value "
            "FROM open_orders JOIN customer ON o_custkey = c_custkey "
            "GROUP BY c_name ORDER BY open_value DESC, c_name LIMIT 10"
        ),
    ),
)
"""The demo's views; the last one reads another view."""


def demo_spec(scale: float = DEFAULT_SCALE) -> PipelineSpec:
    """Return the embedded demo as a pipeline spec.

    Args:
        scale: The TPC-H scale factor.

    Returns:
        TPC-H at ``scale``, :data:`DEMO_VIEWS` and the 22 TPC-H queries.
    """
    return PipelineSpec(
        tpch_scale=scale,
        views=DEMO_VIEWS,
        queries=tuple(QuerySpec(name=name, sql=sql) for name, sql in tpch.queries().items()),
    )


@dataclasses.dataclass(frozen=True)
class Outcome:
    """What happened to one view or query."""

    name: str
    kind: str
    plan_fingerprint: str | None = None
    rows: int | None = None
    substrait_roundtrip: bool = False
    plan_seconds: float = 0.0
    run_seconds: float = 0.0
    error: str | None = None


@dataclasses.dataclass(frozen=True)
class RunReport:
    """The outcome of a pipeline run."""

    warehouse: Path
    outcomes: list[Outcome]
    stored_plans: int
    stored_views: int
    planning_env_hash: str
    events: list[DiagnosticsEvent]
    changes: list[ConsumerReport] = dataclasses.field(default_factory=list)
    """With TPC-H: the change-data-feed step (one change to ``cdf_demo/nation``, applied)."""

    @property
    def ok(self) -> bool:
        """Whether every view and query planned and ran."""
        return all(outcome.error is None for outcome in self.outcomes)


def _check_tables(tables: tuple[TableSpec, ...], gate: DeltaProtocolGate) -> None:
    for index, table in enumerate(tables):
        path = Path(table.path).expanduser()
        try:
            found = detect_format(path)
        except EngineError as exc:
            raise EngineError(f"$.tables[{index}].path: {exc}") from exc
        if found != table.format:
            raise EngineError(f"$.tables[{index}].format: {path} holds {found} data, not {table.format}")
        if found == "delta":
            try:
                check_protocol(DeltaTable(str(path)), gate)  # reads the log only, before any data
            except ProtocolGateError as exc:
                raise ProtocolGateError(f"$.tables[{index}]: {exc}", exc.issues) from exc


def _execute(session: EngineSession, sql: str) -> int:
    batches = session.ctx.sql_with_options(sql, query_options()).collect()
    return sum(batch.num_rows for batch in batches)


def _run_one(
    session: EngineSession, name: str, kind: str, sql: str, registry: ViewRegistry | None
) -> tuple[Outcome, PlanArtifacts | None]:
    started = time.perf_counter()
    try:
        artifacts = registry.register(name, sql).plan if registry is not None else plan_sql(session, sql)
    except (PlanningError, EngineError) as exc:
        return Outcome(name=name, kind=kind, error=str(exc), plan_seconds=time.perf_counter() - started), None
    planned = time.perf_counter()
    rows: int | None = None
    error: str | None = None
    try:
        rows = _execute(session, artifacts.sql)
    except BaseException as exc:  # pyo3 panics derive from BaseException
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        error = f"execution failed: {error_text(exc)}"
    return (
        Outcome(
            name=name,
            kind=kind,
            plan_fingerprint=artifacts.plan_fingerprint,
            rows=rows,
            substrait_roundtrip=artifacts.substrait_validation.roundtrip_ok,
            plan_seconds=planned - started,
            run_seconds=time.perf_counter() - planned,
            error=error,
        ),
        artifacts,
    )


def run_pipeline(
    spec: PipelineSpec, warehouse: Path, *, progress: Progress | None = None, engine_path: str = "$.engine"
) -> RunReport:
    """Run a pipeline spec into a warehouse and store every artifact.

    Args:
        spec: The validated spec.
        warehouse: The warehouse directory (created if missing).
        progress: Where to show progress bars, if anywhere.
        engine_path: Where ``spec.engine`` came from, for error paths (``$`` when it
            was read from its own file).

    Returns:
        The report: one outcome per view and query, in spec order.

    Raises:
        EngineError: The spec's tables or settings are unusable, or a Delta table's
            protocol is outside ``spec.protocol_gate`` (nothing is written), or TPC-H
            generation fails.
        ContractValidationError: DataFusion rejects a setting (nothing is written).
    """
    warehouse = Path(warehouse).expanduser().resolve()
    try:
        session = EngineSession(spec.engine)  # validates the settings before anything is written
    except ContractValidationError as exc:
        raise ContractValidationError(
            tuple(msgspec.structs.replace(i, path=engine_path + i.path[1:]) for i in exc.issues)
        ) from exc
    _check_tables(spec.tables, spec.protocol_gate)
    if spec.tpch_scale is not None:
        tpch.extension_path()  # fail before writing when the demo extra is missing
    specs: list[TableSpec] = []
    if spec.tpch_scale is not None:
        task = progress.add_task("generating TPC-H", total=len(tpch.TPCH_TABLES)) if progress else None

        def advance(_: str) -> None:
            if progress is not None and task is not None:
                progress.advance(task)

        specs.extend(tpch.generate(warehouse, spec.tpch_scale, progress=advance, write_policy=spec.write_policy))
        if progress is not None and task is not None:
            progress.update(task, completed=len(tpch.TPCH_TABLES))
    specs.extend(spec.tables)
    for table in specs:
        session.register(table)
    registry = ViewRegistry(session)
    outcomes: list[Outcome] = []
    planned: list[PlanArtifacts] = []
    work = [(v.name, "view", v.sql) for v in spec.views] + [(q.name, "query", q.sql) for q in spec.queries]
    task = progress.add_task("planning and running", total=len(work)) if progress else None
    for name, kind, sql in work:
        outcome, artifacts = _run_one(session, name, kind, sql, registry if kind == "view" else None)
        outcomes.append(outcome)
        if artifacts is not None:
            planned.append(artifacts)
        if progress is not None and task is not None:
            progress.advance(task)
    stored_plans = PlanArtifactStore(warehouse).append(planned, session.environment())
    stored_views = ViewArtifactStore(warehouse).append([r.view for r in registry.registered])
    events = [
        make_event("error", "PIPELINE_STEP_FAILED", outcome.error, subject=f"{outcome.kind} {outcome.name}")
        for outcome in outcomes
        if outcome.error is not None
    ]
    DiagnosticsLog(warehouse).append(events)
    changes = demo_change(warehouse, Path(specs[0].path).parent / "nation") if spec.tpch_scale is not None else []
    return RunReport(
        warehouse=warehouse,
        outcomes=outcomes,
        stored_plans=stored_plans,
        stored_views=stored_views,
        planning_env_hash=session.profile.planning_env_hash,
        events=events,
        changes=changes,
    )
