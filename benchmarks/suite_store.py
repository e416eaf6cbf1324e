"""Items 5, 7 (store size) and 8 (listing memory): the Delta artifact store.

Store operations take seconds, so each comparison is a handful of single shots in
alternating order (store first in even rounds, the limit first in odd ones), each into a
fresh table, and the ratio is the median of the per-round ratios.
"""

from __future__ import annotations

import cProfile
import pstats
import shutil
import statistics
from collections.abc import Callable
from pathlib import Path

import pyarrow.compute as pc
from deltalake import write_deltalake

from artifact_contracts import loads_msgpack
from artifact_contracts.models import PlanArtifacts
from benchmarks.context import Context
from benchmarks.fixtures import MIB, compact_plan, medium_plan
from benchmarks.harness import CLOCK, cpu_seconds
from benchmarks.report import Figure, Section
from benchmarks.store_api import (
    QUERYABLE,
    distinct,
    files_for,
    fill_rows,
    list_columns,
    list_store,
    read_table,
    show,
    table_path,
)
from benchmarks.suite_scaling import probe, slope
from engine_app.stores import PlanArtifactStore

__all__ = ["cumulative_shares", "listing_memory", "plan_capture", "store_append", "store_scaling"]

APPEND_BATCH = 1_000


def _paired(
    first: Callable[[int], float], second: Callable[[int], float], rounds: int
) -> tuple[list[float], list[float]]:
    a: list[float] = []
    b: list[float] = []
    for index in range(rounds):
        if index % 2 == 0:
            a.append(first(index))
            b.append(second(index))
        else:
            b.append(second(index))
            a.append(first(index))
    return a, b


_timed = cpu_seconds


def _matches(fname: str, name: str) -> bool:
    # Python functions by name; builtins appear as "<method 'name' of ... objects>".
    return fname == name or f"'{name}'" in fname


def cumulative_shares(fn: Callable[[], object], stages: dict[str, list[tuple[str | None, str]]]) -> dict[str, float]:
    """Profile one call with cProfile; return each stage's share of the call's CPU time.

    Args:
        fn: What to run.
        stages: Label to ``(caller, function)`` names; with a caller, only the time of
            calls made from that caller counts (so nested stages are not counted twice);
            the caller ``"<self>"`` takes the function's own time, without its callees
            (where a callee is invisible to cProfile, such as a Cython method).

    Returns:
        Label to the fraction of the CPU time spent in (and under) its functions.
    """
    profiler = cProfile.Profile(CLOCK)
    start = CLOCK()
    profiler.runcall(fn)
    total = CLOCK() - start
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    shares: dict[str, float] = {}
    for label, functions in stages.items():
        seconds = 0.0
        for caller, name in functions:
            for (_, _, fname), (_, _, own, cumulative, callers) in stats.items():
                if not _matches(fname, name):
                    continue
                if caller is None:
                    seconds += cumulative
                elif caller == "<self>":
                    seconds += own
                else:
                    seconds += sum(edge[3] for (_, _, cname), edge in callers.items() if _matches(cname, caller))
        shares[label] = round(seconds / total, 3)
    return shares


def store_append(ctx: Context) -> Section:
    """Item 5: appending artifacts against a bare ``write_deltalake``; listing and decoding."""
    n = ctx.store_rows
    section = Section("store", f"5. Artifact store: appending and listing {n:,} plan artifacts")
    section.notes.append(
        f"`PlanArtifactStore.append` of {n:,} medium plan artifacts (distinct fingerprints) into a new table, against "
        "`write_deltalake` of the very Arrow table the store wrote (read back from it), each round into fresh "
        "directories; the store's time includes encoding every payload and building the audit bundle of every "
        "artifact, the bare write gets them ready-made. Listing: `PlanArtifactStore.list()` against reading the "
        "table with pyarrow and `loads_msgpack` of every payload. `where the time goes` is one cProfile run "
        "(cumulative share of the call)."
    )
    artifacts = distinct(medium_plan(), 0, n)
    root = ctx.scratch / "store-append"
    rounds = 1 if ctx.quick else 3
    schema = PlanArtifactStore(root / "probe").store.spec.schema
    reference: dict[str, object] = {}

    def with_store(index: int) -> float:
        warehouse = root / f"store-{index}"
        seconds = _timed(lambda: PlanArtifactStore(warehouse).append(artifacts))
        if "table" not in reference:
            reference["table"] = read_table(table_path(warehouse)).select(schema.names).cast(schema)
            reference["warehouse"] = warehouse
        else:
            shutil.rmtree(warehouse)
        return seconds

    def bare(index: int) -> float:
        if "table" not in reference:  # the first round runs the store first
            raise AssertionError("the store must write the reference table first")
        path = root / f"bare-{index}"
        seconds = _timed(lambda: write_deltalake(str(path), reference["table"], mode="append"))
        shutil.rmtree(path)
        return seconds

    store_times, bare_times = _paired(with_store, bare, rounds)
    warehouse = reference["warehouse"]
    assert isinstance(warehouse, Path)
    table_bytes = reference["table"].nbytes  # type: ignore[attr-defined]
    shares = cumulative_shares(
        lambda: PlanArtifactStore(root / "profiled").append(artifacts),
        {"encode payloads (dumps_msgpack)": [(None, "dumps_msgpack")],
         "audit bundles (fingerprints)": [(None, "audit_bundle")],
         "payload column (encode_msgpack_into)": [(None, "payload_column")],
         "stored keys (key column read)": [(None, "_stored_keys")], "write_deltalake": [(None, "write_deltalake")]},
    )  # fmt: skip
    section.figures.append(
        Figure(
            key="store.append",
            label=f"append {n:,} artifacts ({table_bytes / MIB:.0f} MiB Arrow) vs bare write_deltalake",
            value=round(statistics.median(s / b for s, b in zip(store_times, bare_times)), 2),
            target=1.3,
            detail={"store_s": [round(t, 3) for t in store_times], "bare_s": [round(t, 3) for t in bare_times],
                    "where_the_time_goes": shares},
        )
    )  # fmt: skip
    section.figures.append(
        Figure(
            key="store.append.per_artifact",
            label="append: time per artifact",
            value=round(statistics.median(store_times) / n * 1e6, 1),
            unit="us",
        )
    )

    list_times, bare_list_times = _paired(
        lambda _: _timed(lambda: list_store(warehouse)), lambda _: _timed(lambda: list_columns(warehouse)), rounds
    )
    section.figures.append(
        Figure(
            key="store.list",
            label=f"list {n:,} rows (the listing columns, sorted) vs a bare pyarrow read of the same columns",
            value=round(statistics.median(s / b for s, b in zip(list_times, bare_list_times)), 2),
            target=1.2,
            detail={"store_s": [round(t, 3) for t in list_times], "bare_s": [round(t, 3) for t in bare_list_times]},
        )
    )

    def bare_decoding(_: int) -> float:
        def run() -> None:
            payloads = read_table(table_path(warehouse), ["payload"]).column("payload").to_pylist()
            for payload in payloads:
                loads_msgpack(payload, PlanArtifacts)

        return _timed(run)

    decode_times, bare_decode_times = _paired(
        lambda _: _timed(lambda: PlanArtifactStore(warehouse).list()), bare_decoding, rounds
    )
    shares = cumulative_shares(
        lambda: PlanArtifactStore(warehouse).list(),
        {"read Arrow": [(None, "read")], "rows to Python and Structs": [(None, "decode_with")],
         "decode payloads (loads_msgpack)": [(None, "loads_msgpack")]},
    )  # fmt: skip
    section.figures.append(
        Figure(
            key="store.list.decoded",
            label=f"read and decode all {n:,} rows (the audit's read) vs pyarrow read + loads_msgpack",
            value=round(statistics.median(s / b for s, b in zip(decode_times, bare_decode_times)), 2),
            detail={"store_s": [round(t, 3) for t in decode_times], "bare_s": [round(t, 3) for t in bare_decode_times],
                    "where_the_time_goes": shares},
        )
    )  # fmt: skip
    section.figures.append(
        Figure(
            key="store.list.per_row",
            label="list: time per row",
            value=round(statistics.median(list_times) / n * 1e6, 1),
            unit="us",
        )
    )
    shutil.rmtree(root, ignore_errors=True)
    return section


_BUILT: dict[Path, int] = {}


def _grow(ctx: Context, rows: int) -> Path:
    """The scaling store under ``ctx.scratch``, grown to at least ``rows`` rows."""
    warehouse = ctx.scratch / "store-scaling"
    have = _BUILT.get(warehouse, 0)
    if have < rows:
        fill_rows(warehouse, compact_plan(), 10_000_000 + have, rows - have)
        _BUILT[warehouse] = rows
    return warehouse


def store_scaling(ctx: Context) -> Section:
    """Item 7 (store size): time per appended artifact as the store grows."""
    section = Section("scaling_store", "7b. Scaling: time per artifact as the store grows")
    batch = min(APPEND_BATCH, max(ctx.store_scaling[0] // 2, 1))
    section.notes.append(
        f"The store is grown with compact plan artifacts (~7 KB payloads) to each size, then `append` of {batch:,} new "
        "artifacts is timed (the table exists: the store reads which keys are stored, from the key column of the "
        "files whose statistics can hold them, then commits the absent ones under a predicate naming them) and the "
        "listing of every row is timed. The exponent is the log-log slope of time per artifact against store size: "
        "0 is flat, 1 means each append costs time proportional to the store (targets: append <= 0.2, listing "
        "per row <= 1.10)."
    )
    append_points: list[tuple[float, float]] = []
    list_points: list[tuple[float, float]] = []
    next_id = 20_000_000
    for size in ctx.store_scaling:
        warehouse = _grow(ctx, size)
        fresh = distinct(compact_plan(), next_id, batch)
        next_id += batch
        seconds = _timed(lambda: PlanArtifactStore(warehouse).append(fresh))  # noqa: B023
        _BUILT[warehouse] += batch
        rows = _BUILT[warehouse]
        append_points.append((rows, seconds / batch))
        list_seconds = _timed(lambda: list_store(warehouse))  # noqa: B023
        list_points.append((rows, list_seconds / rows))
        section.figures.append(
            Figure(
                key=f"scaling.store.append.{size}",
                label=f"append {batch:,} to a {size:,}-row store: time per artifact",
                value=round(seconds / batch * 1e3, 3),
                unit="ms",
                detail={"seconds": round(seconds, 3), "rows_after": rows},
            )
        )
        section.figures.append(
            Figure(
                key=f"scaling.store.list.{size}",
                label=f"list {rows:,} rows: time per row",
                value=round(list_seconds / rows * 1e6, 1),
                unit="us",
                detail={"seconds": round(list_seconds, 3)},
            )
        )
    for op, points in (("append", append_points), ("list", list_points)):
        section.figures.append(
            Figure(
                key=f"scaling.store.exponent.{op}",
                label=f"{op}: growth exponent of time per artifact vs store size",
                value=round(slope(points), 3),
                unit="",
                target=0.2 if op == "append" else 1.10,
            )
        )
    return section


def listing_memory(ctx: Context) -> Section:
    """Item 8 (listing): peak RSS of listing a large store; a lookup by fingerprint on it."""
    rows = ctx.listing_rows
    warehouse = _grow(ctx, rows)
    total = _BUILT[warehouse]
    section = Section("memory_store", f"8b. Memory: listing a {total:,}-row store, and one lookup in it")
    payloads = read_table(table_path(warehouse), ["payload"]).column("payload")
    payload_bytes = int(pc.sum(pc.binary_length(payloads)).as_py())
    del payloads
    section.notes.append(
        "Fresh interpreters; baseline = peak RSS (`VmHWM`) after the imports. `PlanArtifactStore.listing()` (what "
        f"`artifacts list` reads: {', '.join(QUERYABLE)}) against a bare pyarrow read of the same columns; "
        "`PlanArtifactStore.list()` decodes every row, payloads included (what the audit reads). The store's "
        f"payloads add up to {payload_bytes / MIB:,.0f} MiB. Targets: the listing under 300 MiB; the full read "
        "does not hold much more than the payloads (ratio <= 1.0 would mean less than their total)."
    )
    listing = probe(["list-store-listing", str(warehouse)])
    columns = probe(["list-store-columns", str(warehouse)])
    full = probe(["list-store", str(warehouse)])
    grown = {name: (p["peak_kib"] - p["baseline_kib"]) * 1024 for name, p in (("listing", listing),
             ("columns", columns), ("full", full))}  # fmt: skip
    section.figures.append(
        Figure(
            key="memory.list.listing",
            label=f"PlanArtifactStore.listing() of {total:,} rows: peak RSS growth (bare pyarrow read of the same "
            f"columns: {grown['columns'] / MIB:,.0f} MiB)",
            value=round(grown["listing"] / MIB, 1),
            unit="MiB",
            target=300,
            detail={"listing": listing, "bare_columns": columns},
        )
    )
    section.figures.append(
        Figure(
            key="memory.list.store",
            label=f"PlanArtifactStore.list() (payloads decoded): peak RSS growth / payload total "
            f"({grown['full'] / MIB:,.0f} MiB)",
            value=round(grown["full"] / payload_bytes, 2),
            detail={**full, "payload_bytes": payload_bytes},
        )
    )
    wanted = read_table(table_path(warehouse), ["plan_fingerprint"]).column("plan_fingerprint")[total // 2].as_py()
    seconds = statistics.median(_timed(lambda: show(warehouse, wanted)) for _ in range(1 if ctx.quick else 5))
    opened, files = files_for(warehouse, wanted)
    section.figures.append(
        Figure(
            key="store.show",
            label=f"show one plan by its full fingerprint in the {total:,}-row store: {opened} of {files} data files "
            "read (statistics pruning on the key)",
            value=round(seconds * 1e3, 1),
            unit="ms",
            detail={"files_read": opened, "files": files},
        )
    )
    return section


def plan_capture(ctx: Context) -> Section:
    """Item 9: ``engine-app plan`` of many statements, in a fresh interpreter: peak RSS, time per statement."""
    from engine_app.demo import tpch

    count = ctx.plan_statements
    root = ctx.scratch / "plan-statements"
    shutil.rmtree(root, ignore_errors=True)
    tpch.generate(root, ctx.tpch_scale)
    statements = [f"SELECT n_name, {n} AS k FROM nation WHERE n_nationkey > {n % 25}" for n in range(count)]
    (root / "statements.sql").write_text(";\n".join(statements), encoding="utf-8")
    section = Section("plan_capture", f"10. Capture: `engine-app plan` of {count:,} statements")
    section.notes.append(
        f"One `engine-app plan` of {count:,} distinct statements over the TPC-H tables, in a fresh interpreter "
        "(baseline = peak RSS after the imports). The command commits its plans every 500 statements, so memory "
        "holds one batch and the outcomes, not every plan. Target: under 400 MiB."
    )
    result = probe(["plan-statements", str(root)])
    if result["exit_code"] != 0:
        raise RuntimeError(f"engine-app plan failed: {result}")
    section.figures.append(
        Figure(
            key="capture.plan.rss",
            label=f"plan {count:,} statements: peak RSS growth",
            value=round((result["peak_kib"] - result["baseline_kib"]) / 1024, 1),
            unit="MiB",
            target=400,
            detail=result,
        )
    )
    section.figures.append(
        Figure(
            key="capture.plan.per_statement",
            label="plan: wall time per statement (planning, Substrait, proto, store commits)",
            value=round(result["seconds"] / count * 1e3, 2),
            unit="ms",
        )
    )
    shutil.rmtree(root, ignore_errors=True)
    return section
