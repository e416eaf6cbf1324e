"""Items 6 and 9: plan capture against DataFusion planning the same query alone.

The workload is the demo's: TPC-H generated offline by DuckDB into Delta tables, the 22
queries registered in an :class:`EngineSession`. "DataFusion alone" parses and plans the
statement to the physical plan (``logical_plan``, ``optimized_logical_plan``,
``execution_plan``), which is what any caller pays before running a query; capture adds
canonical Substrait and its round trip, DataFusion proto bytes, the information-schema
snapshot and every fingerprint (the EXPLAIN rows are taken from the plans already built).
"""

from __future__ import annotations

import statistics
from functools import lru_cache
from pathlib import Path
from typing import Any

from artifact_contracts import dumps_json, dumps_msgpack
from benchmarks.context import Context
from benchmarks.harness import CLOCK, Candidate, Settings, compare
from benchmarks.report import Figure, Section
from benchmarks.suite_store import cumulative_shares
from engine_app.demo import tpch
from engine_app.planning import plan_sql, query_options
from engine_app.session import EngineSession

__all__ = ["datafusion_alone", "plan_capture", "tpch_workload"]

DETAIL_QUERY = "q05"
CAPTURE_TARGET = 1.5
"""Capture at most this many times DataFusion planning alone."""

# What plan capture spends its time on: (caller, function) pairs per stage.
_PD = "plan_dataframe"
STAGES: dict[str, list[tuple[str | None, str]]] = {
    "DataFusion planning (parse, logical, optimized, physical)": [
        ("plan_sql", "sql_with_options"), (_PD, "logical_plan"), (_PD, "optimized_logical_plan"),
        (_PD, "execution_plan"),
    ],
    "Substrait: produce + canonicalize": [(_PD, "to_canonical_bytes")],
    "Substrait: round-trip validation": [(_PD, "validate_roundtrip")],
    "DataFusion proto bytes": [(_PD, "to_bytes")],
    "information_schema snapshot": [(_PD, "snapshot_information_schema")],
    "fingerprints": [(_PD, "fingerprint")],
    "plan texts (display_indent)": [(_PD, "display_indent")],
    "output schema, versions": [(_PD, "schema_snapshot"), (_PD, "library_versions")],
}  # fmt: skip


def datafusion_alone(session: EngineSession, sql: str) -> None:
    """Plan ``sql`` to the physical plan with DataFusion and nothing else."""
    df = session.ctx.sql_with_options(sql.strip().rstrip(";").strip(), query_options())
    df.logical_plan()
    df.optimized_logical_plan()
    df.execution_plan()


@lru_cache(maxsize=4)
def _session(warehouse: Path, scale: float) -> EngineSession:
    session = EngineSession()
    for spec in tpch.generate(warehouse, scale):
        session.register(spec)
    return session


def _setup(ctx: Context) -> tuple[EngineSession, dict[str, str]]:
    return _session(ctx.scratch / "tpch-warehouse", ctx.tpch_scale), tpch.queries()


def _stage_shares(session: EngineSession, sql: str) -> dict[str, float]:
    shares = cumulative_shares(lambda: plan_sql(session, sql), STAGES)
    shares["other"] = round(max(0.0, 1.0 - sum(shares.values())), 3)
    return shares


def plan_capture(ctx: Context) -> Section:
    """Item 6: building the full PlanArtifacts against DataFusion planning alone (TPC-H Q5)."""
    session, queries = _setup(ctx)
    sql = queries[DETAIL_QUERY]
    section = Section(
        "planning", f"6. Plan capture: full PlanArtifacts vs DataFusion planning alone (TPC-H {DETAIL_QUERY})"
    )
    section.notes.append(
        f"TPC-H at scale {ctx.tpch_scale} in Delta tables. `plan_sql` against `sql_with_options` + `logical_plan` + "
        "`optimized_logical_plan` + `execution_plan`, interleaved. `where the time goes`: one cProfile run of "
        "`plan_sql`, cumulative share per stage (the profiler inflates Python-heavy stages a little)."
    )
    ns: dict[str, Any] = {"plan_sql": plan_sql, "alone": datafusion_alone, "session": session, "sql": sql}
    settings = ctx.timing if ctx.quick else Settings(rounds=9, sample_seconds=0.05)
    result = compare(
        [Candidate("capture", "plan_sql(session, sql)", ns), Candidate("datafusion", "alone(session, sql)", ns)],
        settings,
    )
    shares = _stage_shares(session, sql)
    section.figures.append(
        Figure(
            key="planning.capture_vs_datafusion",
            label=f"plan_sql vs DataFusion alone ({result.seconds['capture'] * 1e3:.1f} ms vs "
            f"{result.seconds['datafusion'] * 1e3:.1f} ms)",
            value=round(result.ratio("capture", "datafusion"), 2),
            target=CAPTURE_TARGET,
            detail={"ms": {k: round(v * 1e3, 3) for k, v in result.seconds.items()}, "where_the_time_goes": shares},
        )
    )
    for label, share in sorted(shares.items(), key=lambda item: -item[1]):
        section.figures.append(
            Figure(key=f"planning.share.{label}", label=f"share: {label}", value=round(share * 100, 1), unit="%")
        )
    return section


def tpch_workload(ctx: Context) -> Section:
    """Item 9: plan capture of the 22 TPC-H queries, per query and in total."""
    session, queries = _setup(ctx)
    section = Section("tpch", "9. Plan capture on a real workload: the 22 TPC-H queries")
    repeats = 1 if ctx.quick else 5
    section.notes.append(
        f"Each query planned {repeats} times in turn with the other queries (capture and DataFusion alone "
        "alternating); the figure is the median capture time, the detail has DataFusion alone and the ratio."
    )
    capture: dict[str, list[float]] = {name: [] for name in queries}
    alone: dict[str, list[float]] = {name: [] for name in queries}
    for index in range(repeats):
        for name, sql in queries.items():
            order = ((capture, plan_sql), (alone, datafusion_alone))
            for store, fn in order if index % 2 == 0 else reversed(order):
                start = CLOCK()
                fn(session, sql)
                store[name].append(CLOCK() - start)
    total_capture = total_alone = 0.0
    for name, sql in queries.items():
        c, a = statistics.median(capture[name]), statistics.median(alone[name])
        total_capture += c
        total_alone += a
        artifacts = plan_sql(session, sql)
        sizes = {
            "artifact_msgpack_bytes": len(dumps_msgpack(artifacts)),
            "artifact_json_bytes": len(dumps_json(artifacts)),
            "substrait_bytes": len(artifacts.substrait or b""),
            "datafusion_proto_bytes": len(artifacts.datafusion_proto or b""),
        }
        section.figures.append(
            Figure(
                key=f"tpch.{name}",
                label=f"{name}: plan capture (DataFusion alone {a * 1e3:.1f} ms; artifact "
                f"{sizes['artifact_msgpack_bytes']:,} B, Substrait {sizes['substrait_bytes']:,} B)",
                value=round(c * 1e3, 2),
                unit="ms",
                detail={"datafusion_ms": round(a * 1e3, 2), "ratio": round(c / a, 2), **sizes},
            )
        )
    section.figures.append(
        Figure(
            key="tpch.total",
            label=f"all 22 queries: plan capture (DataFusion alone: {total_alone * 1e3:.0f} ms)",
            value=round(total_capture * 1e3, 1),
            unit="ms",
            detail={"datafusion_ms": round(total_alone * 1e3, 1), "ratio": round(total_capture / total_alone, 2)},
        )
    )
    section.figures.append(
        Figure(
            key="tpch.ratio",
            label="all 22 queries: capture / DataFusion alone",
            value=round(total_capture / total_alone, 2),
            target=CAPTURE_TARGET,
        )
    )
    return section
