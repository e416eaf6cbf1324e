"""Run a pipeline spec: its tables, views and queries, every artifact stored.

Every view and query is planned (artifacts recorded), executed, and its artifacts are
stored in the warehouse. Everything that can be checked before writing is checked first
(:func:`prepare`: the spec, the engine settings, the tables' paths and protocols), so a
bad spec writes nothing. The embedded demo (:mod:`engine_app.demo`) is one such spec,
with TPC-H tables it generates between :func:`prepare` and :func:`execute`.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec
from deltalake import DeltaTable

from artifact_contracts import ContractValidationError, dumps_msgpack, loads_msgpack
from artifact_contracts.models import DeltaProtocolGate, PipelineSpec, PlanningEnvironment, StatementRun, TableSpec
from engine_app.delta import ConsumerReport, check_protocol
from engine_app.errors import EngineError, PlanningError, ProtocolGateError, error_text
from engine_app.history import RunRecorder
from engine_app.lake import Location
from engine_app.planning import ViewRegistry, capture_id, plan_sql, query_options
from engine_app.scaleout import gather, shards
from engine_app.session import EngineSession, detect_format
from engine_app.stores import (
    CommitBatches,
    DiagnosticsLog,
    PlanArtifactStore,
    RunRecordStore,
    ViewArtifactStore,
    make_event,
)

if TYPE_CHECKING:
    from rich.progress import Progress

    from artifact_contracts.models import DiagnosticsEvent, PlanArtifacts
    from engine_app.scaleout import RayExecutor

__all__ = [
    "COMMIT_EVERY",
    "Captured",
    "Outcome",
    "RunReport",
    "Work",
    "capture",
    "capture_shard",
    "execute",
    "fan_out",
    "plan_spec",
    "prepare",
    "run_pipeline",
]

COMMIT_EVERY = 500
"""Plans per store commit in long runs: a run interrupted keeps every committed batch."""


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
    capture_id: str | None = None
    executed: bool = False
    artifacts: PlanArtifacts | None = dataclasses.field(default=None, repr=False, compare=False)
    """The plan's artifacts (kept by :func:`plan_spec` only; a run stores them instead)."""

    def statement(self) -> StatementRun:
        """The outcome as the run record keeps it."""
        return StatementRun(
            name=self.name,
            kind="view" if self.kind == "view" else "query",
            plan_fingerprint=self.plan_fingerprint,
            capture_id=self.capture_id,
            planning_ms=self.plan_seconds * 1000.0,
            execution_ms=self.run_seconds * 1000.0 if self.executed else None,
            rows=self.rows,
            status="ok" if self.error is None else "failed",
            error=self.error,
        )


@dataclasses.dataclass(frozen=True)
class RunReport:
    """The outcome of a pipeline run."""

    warehouse: Location
    outcomes: list[Outcome]
    stored_plans: int
    stored_views: int
    planning_env_hash: str
    events: list[DiagnosticsEvent]
    run_id: str = ""
    """The id of the run's record in the warehouse (``engine-app runs show``)."""
    changes: list[ConsumerReport] = dataclasses.field(default_factory=list)
    """In the demo: the change-data-feed step (one change to ``cdf_demo/nation``, applied)."""

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


def _plan_one(
    session: EngineSession, name: str, kind: str, sql: str, registry: ViewRegistry | None
) -> tuple[Outcome, PlanArtifacts | None]:
    """Plan one view (registering it) or query; the outcome holds no execution yet."""
    started = time.perf_counter()
    try:
        artifacts = registry.register(name, sql).plan if registry is not None else plan_sql(session, sql)
    except (PlanningError, EngineError) as exc:
        return Outcome(name=name, kind=kind, error=str(exc), plan_seconds=time.perf_counter() - started), None
    outcome = Outcome(
        name=name,
        kind=kind,
        plan_fingerprint=artifacts.plan_fingerprint,
        substrait_roundtrip=artifacts.substrait_validation.roundtrip_ok,
        plan_seconds=time.perf_counter() - started,
        capture_id=capture_id(artifacts),
    )
    return outcome, artifacts


def _run_one(
    session: EngineSession, name: str, kind: str, sql: str, registry: ViewRegistry | None
) -> tuple[Outcome, PlanArtifacts | None]:
    outcome, artifacts = _plan_one(session, name, kind, sql, registry)
    if artifacts is None:
        return outcome, None
    started = time.perf_counter()
    rows: int | None = None
    error: str | None = None
    try:
        rows = _execute(session, artifacts.sql)
    except BaseException as exc:  # pyo3 panics derive from BaseException
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        error = f"execution failed: {error_text(exc)}"
    run_seconds = time.perf_counter() - started
    return dataclasses.replace(outcome, rows=rows, run_seconds=run_seconds, error=error, executed=True), artifacts


def prepare(spec: PipelineSpec, *, engine_path: str = "$.engine") -> EngineSession:
    """Check everything about a spec that can be checked before writing, and open its session.

    Args:
        spec: The validated spec.
        engine_path: Where ``spec.engine`` came from, for error paths (``$`` when it
            was read from its own file).

    Returns:
        A session built from ``spec.engine``, nothing registered yet.

    Raises:
        EngineError: A table's path or format is wrong, or a Delta table's protocol is
            outside ``spec.protocol_gate``.
        ContractValidationError: DataFusion rejects a setting.
    """
    try:
        session = EngineSession(spec.engine)  # validates the settings before anything is written
    except ContractValidationError as exc:
        raise ContractValidationError(
            tuple(msgspec.structs.replace(i, path=engine_path + i.path[1:]) for i in exc.issues)
        ) from exc
    _check_tables(spec.tables, spec.protocol_gate)
    return session


Work = tuple[str, str, str]
"""One statement to capture: its name, kind (``view`` or ``query``) and SQL."""


@dataclasses.dataclass(frozen=True)
class Captured:
    """What capturing some statements did: an outcome each, and how many plans were new."""

    outcomes: list[Outcome]
    stored: int


def capture(
    session: EngineSession,
    store: PlanArtifactStore,
    work: Sequence[Work],
    *,
    run: bool,
    registry: ViewRegistry | None = None,
    advance: Callable[[int], None] | None = None,
) -> Captured:
    """Plan (and with ``run``, execute) statements in ``session``, storing every plan.

    Plans are committed every :data:`COMMIT_EVERY`, so an interrupted capture keeps what it
    committed; storing is keyed, so capturing a statement again adds nothing.

    Args:
        session: The session, tables (and views the statements read) registered.
        store: The plan store.
        work: The statements; views are registered in ``registry`` as they are planned.
        run: Execute each statement that planned.
        registry: Where views are registered (needed when ``work`` holds views).
        advance: Called with 1 after each statement (a progress bar).

    Returns:
        An outcome per statement, in order, and how many plans were new.
    """
    # The environment is read at each commit: a view planned here is registered as it is
    # planned, and a later view that reads it is re-planned (audit) with it registered.
    plans: CommitBatches[PlanArtifacts] = CommitBatches(
        lambda batch: store.append(batch, session.environment()), COMMIT_EVERY
    )
    step = _run_one if run else _plan_one
    outcomes: list[Outcome] = []
    for name, kind, sql in work:
        outcome, artifacts = step(session, name, kind, sql, registry if kind == "view" else None)
        outcomes.append(outcome)
        if artifacts is not None:
            plans.add(artifacts)
        if advance is not None:
            advance(1)
    return Captured(outcomes, plans.flush())


def capture_shard(environment: bytes, warehouse: Location, work: Sequence[Work], run: bool) -> Captured:
    """Capture a shard of statements in a session rebuilt from ``environment`` (a worker's task).

    Args:
        environment: ``dumps_msgpack`` of the driver session's :class:`PlanningEnvironment`
            (tables and views included), so the worker plans as the driver would.
        warehouse: The one warehouse every worker writes to.
        work: The shard's statements (queries: the views are in the environment).
        run: Execute each statement that planned.

    Returns:
        As :func:`capture`.
    """
    session = EngineSession.from_environment(loads_msgpack(environment, PlanningEnvironment))
    return capture(session, PlanArtifactStore(warehouse), work, run=run)


def fan_out(
    session: EngineSession,
    store: PlanArtifactStore,
    work: Sequence[Work],
    *,
    run: bool,
    executor: RayExecutor | None = None,
    advance: Callable[[int], None] | None = None,
) -> Captured:
    """Capture queries here, or in shards on ``executor``'s workers, into one store.

    Args:
        session: The driver's session (the workers rebuild it from its environment).
        store: The plan store every shard writes to.
        work: The statements (queries only: views change the session).
        run: Execute each statement that planned.
        executor: Where the shards run; None: in this process, in ``session``.
        advance: Called with the statements done (a progress bar).

    Returns:
        The outcomes in ``work``'s order, and how many plans were new.
    """
    if executor is None:
        return capture(session, store, work, run=run, advance=advance)
    environment = dumps_msgpack(session.environment())
    cut = shards(work, executor.workers)
    futures = [executor.submit(capture_shard, environment, store.warehouse, shard, run) for shard in cut]
    answers = gather([_settled(future, shard) for future, shard in zip(futures, cut)], _count(advance))
    return Captured([o for captured in answers for o in captured.outcomes], sum(c.stored for c in answers))


def _count(advance: Callable[[int], None] | None) -> Callable[[Captured], None] | None:
    return (lambda captured: advance(len(captured.outcomes))) if advance is not None else None


def _settled(future: Future[Captured], shard: Sequence[Work]) -> Future[Captured]:
    """The shard's answer; a task that failed (or whose worker died past its retries) fails each statement."""
    settled: Future[Captured] = Future()

    def settle(done: Future[Captured]) -> None:
        try:
            settled.set_result(done.result())
        except Exception as exc:  # Ray raises RayTaskError, WorkerCrashedError, ...
            # A Ray task error's text is the remote traceback; its last line is the error.
            lines = [line.strip() for line in str(exc).splitlines() if line.strip()] or [type(exc).__name__]
            error = f"the task planning it failed: {lines[-1]}"
            settled.set_result(Captured([Outcome(name=n, kind=k, error=error) for n, k, _ in shard], 0))

    future.add_done_callback(settle)
    return settled


def execute(
    session: EngineSession,
    spec: PipelineSpec,
    warehouse: Location | str | os.PathLike[str],
    tables: list[TableSpec],
    *,
    progress: Progress | None = None,
    executor: RayExecutor | None = None,
) -> RunReport:
    """Register the tables, plan and run the spec's views and queries, and store everything.

    Views are planned and registered here (they change the session); the queries run here
    or, with an ``executor``, in shards on its workers.

    Args:
        session: From :func:`prepare`.
        spec: The spec.
        warehouse: The warehouse (a directory or an object-store URI).
        tables: The tables to register (the spec's, and any the caller made).
        progress: Where to show a progress bar, if anywhere.
        executor: Where the queries run; None: in this process.

    Returns:
        The report: one outcome per view and query, in spec order.
    """
    for table in tables:
        session.register(table)
    location = Location.of(warehouse)
    registry = ViewRegistry(session)
    recorder = RunRecorder("run", spec)
    store = PlanArtifactStore(location)
    task = progress.add_task("planning and running", total=len(spec.views) + len(spec.queries)) if progress else None

    def advance(count: int) -> None:
        if progress is not None and task is not None:
            progress.advance(task, count)

    views = capture(
        session, store, [(v.name, "view", v.sql) for v in spec.views], run=True, registry=registry, advance=advance
    )
    queries = fan_out(
        session, store, [(q.name, "query", q.sql) for q in spec.queries], run=True, executor=executor, advance=advance
    )
    outcomes = views.outcomes + queries.outcomes
    stored_views = ViewArtifactStore(location).append([r.view for r in registry.registered])
    events = [
        make_event("error", "PIPELINE_STEP_FAILED", outcome.error, subject=f"{outcome.kind} {outcome.name}")
        for outcome in outcomes
        if outcome.error is not None
    ]
    DiagnosticsLog(location).append(events)
    record = recorder.record(session, [outcome.statement() for outcome in outcomes])
    RunRecordStore(location).append(record)
    return RunReport(
        run_id=record.run_id,
        warehouse=location,
        outcomes=outcomes,
        stored_plans=views.stored + queries.stored,
        stored_views=stored_views,
        planning_env_hash=session.profile.planning_env_hash,
        events=events,
    )


def run_pipeline(
    spec: PipelineSpec,
    warehouse: Location | str | os.PathLike[str],
    *,
    progress: Progress | None = None,
    engine_path: str = "$.engine",
    executor: RayExecutor | None = None,
) -> RunReport:
    """Run a pipeline spec into a warehouse and store every artifact.

    Args:
        spec: The validated spec (``tpch_scale`` is the demo's: see :func:`engine_app.demo.run_demo`).
        warehouse: The warehouse: a directory (created if missing) or an object-store URI.
        progress: Where to show progress bars, if anywhere.
        engine_path: Where ``spec.engine`` came from, for error paths.
        executor: Where the queries run; None: in this process.

    Returns:
        The report: one outcome per view and query, in spec order.

    Raises:
        EngineError: The spec's tables or settings are unusable, a Delta table's
            protocol is outside ``spec.protocol_gate`` (nothing is written), or the spec
            asks for TPC-H.
        ContractValidationError: DataFusion rejects a setting (nothing is written).
    """
    if spec.tpch_scale is not None:
        raise EngineError("tpch_scale asks for the demo's TPC-H tables: run the spec with engine_app.demo.run_demo")
    session = prepare(spec, engine_path=engine_path)
    return execute(session, spec, warehouse, list(spec.tables), progress=progress, executor=executor)


def plan_spec(session: EngineSession, spec: PipelineSpec, tables: list[TableSpec]) -> list[Outcome]:
    """Plan a spec's views and queries without running them or storing anything (``check``).

    Args:
        session: From :func:`prepare`.
        spec: The spec.
        tables: The tables to register (the spec's, and any the caller made).

    Returns:
        One outcome per view and query, in spec order; those that planned carry their
        ``artifacts``.
    """
    for table in tables:
        session.register(table)
    registry = ViewRegistry(session)
    work = [(v.name, "view", v.sql) for v in spec.views] + [(q.name, "query", q.sql) for q in spec.queries]
    outcomes = []
    for name, kind, sql in work:
        outcome, artifacts = _plan_one(session, name, kind, sql, registry if kind == "view" else None)
        outcomes.append(dataclasses.replace(outcome, artifacts=artifacts))
    return outcomes
