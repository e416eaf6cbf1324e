"""Item 11: capture throughput on Ray, 1 and 2 workers, against the in-process capture.

The workload is TPC-H's 22 queries, each also wrapped in ``LIMIT 1..k`` (distinct plans,
one planning environment), planned and stored by :func:`engine_app.pipeline.fan_out` into
a fresh warehouse per round. Throughput is statements per CPU-second of the CPUs the
capture was given (wall time x workers; the driver's own CPU is not counted for Ray), so
perfect scaling keeps it constant. Where the time goes is measured apart: the Ray runtime's
start, a task's session rebuild (:meth:`EngineSession.from_environment`) and one shard's
store commit.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from artifact_contracts import dumps_msgpack, loads_msgpack
from artifact_contracts.models import PlanningEnvironment
from benchmarks.context import Context
from benchmarks.report import Figure, Section
from engine_app.demo import tpch
from engine_app.pipeline import Work, fan_out
from engine_app.planning import plan_sql
from engine_app.scaleout import RayExecutor, ray_executor, shards
from engine_app.session import EngineSession
from engine_app.stores import PlanArtifactStore

__all__ = ["ray_throughput", "workload"]


def workload(variants: int) -> list[Work]:
    """The 22 TPC-H queries, and each under ``LIMIT 1..variants``."""
    work: list[Work] = []
    for name, sql in tpch.queries().items():
        body = sql.strip().rstrip(";")
        work.append((name, "query", body))
        work += [
            (f"{name}_limit{k}", "query", f"SELECT * FROM ({body}) AS q LIMIT {k}") for k in range(1, variants + 1)
        ]
    return work


def _capture(session: EngineSession, work: list[Work], scratch: Path, executor: RayExecutor | None) -> float:
    warehouse = scratch / f"wh-{time.perf_counter_ns()}"
    started = time.perf_counter()
    captured = fan_out(session, PlanArtifactStore(warehouse), work, run=False, executor=executor)
    elapsed = time.perf_counter() - started
    assert captured.stored == len(work) and all(o.error is None for o in captured.outcomes)
    return elapsed


def _where_the_time_goes(session: EngineSession, work: list[Work], scratch: Path, workers: int) -> dict[str, float]:
    environment = dumps_msgpack(session.environment())
    started = time.perf_counter()
    EngineSession.from_environment(loads_msgpack(environment, PlanningEnvironment))
    rebuild = time.perf_counter() - started
    shard = shards(work, workers)[0]
    plans = [plan_sql(session, sql) for _, _, sql in shard]
    started = time.perf_counter()
    PlanArtifactStore(scratch / "commit").append(plans, session.environment())
    commit = time.perf_counter() - started
    return {"session_rebuild_ms": round(rebuild * 1e3, 1), "shard_commit_ms": round(commit * 1e3, 1)}


def ray_throughput(ctx: Context) -> Section:
    """Item 11: statements per CPU-second, in-process and on 1 and 2 Ray workers."""
    section = Section("scaleout", "11. Scale-out: capture throughput on Ray")
    try:
        import ray  # noqa: F401  (only whether it is installed)
    except ImportError:
        section.skipped = "Ray is not installed (pip install 'engine-app[ray]')"
        return section
    rounds, work = (1, workload(0)) if ctx.quick else (3, workload(11))
    session = EngineSession()
    for spec in tpch.generate(ctx.scratch / "tpch-scaleout", ctx.tpch_scale):
        session.register(spec)
    section.notes.append(
        f"{len(work)} statements (TPC-H's 22 queries and their LIMIT variants) at TPC-H scale {ctx.tpch_scale}, "
        f"planned and stored into a fresh warehouse; median of {rounds} round(s). Ray: a local runtime on "
        "127.0.0.1 with N CPUs, shards of about a quarter of a worker's share. Throughput per CPU-second "
        "counts wall time x CPUs given; the machine has 2 shared cores, and the Ray driver (gathering, "
        "progress) runs beside the workers."
    )
    local = statistics.median(_capture(session, work, ctx.scratch, None) for _ in range(rounds))
    per_cpu = {"in-process": len(work) / local}
    starts: dict[int, float] = {}
    for workers in (1, 2):
        started = time.perf_counter()
        with ray_executor(None, workers) as executor:
            starts[workers] = time.perf_counter() - started
            wall = statistics.median(_capture(session, work, ctx.scratch, executor) for _ in range(rounds))
        per_cpu[f"ray, {workers} worker(s)"] = len(work) / (wall * workers)
    for label, value in per_cpu.items():
        section.figures.append(
            Figure(key=f"scaleout.throughput.{label}", label=f"{label}: statements per CPU-second",
                   value=round(value, 1), unit="stmt/CPU-s")
        )  # fmt: skip
    efficiency = per_cpu["ray, 2 worker(s)"] / per_cpu["ray, 1 worker(s)"]
    section.figures.append(
        Figure(key="scaleout.efficiency", label="scaling efficiency, 2 workers against 1 (1.0: linear)",
               value=round(efficiency, 2), unit="x")
    )  # fmt: skip
    section.figures.append(
        Figure(key="scaleout.ray_vs_local", label="Ray 1 worker against in-process, per CPU-second",
               value=round(per_cpu["ray, 1 worker(s)"] / per_cpu["in-process"], 2), unit="x")
    )  # fmt: skip
    costs = _where_the_time_goes(session, work, ctx.scratch, 2)
    costs.update({f"ray_start_{w}_workers_s": round(s, 2) for w, s in starts.items()})
    costs["planning_per_statement_ms"] = round(local / len(work) * 1e3, 2)
    for label, value in costs.items():
        section.figures.append(
            Figure(key=f"scaleout.cost.{label}", label=f"where the time goes: {label}", value=value, unit="")
        )
    return section
