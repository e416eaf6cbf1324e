"""The embedded demo as a pipeline spec: TPC-H, three views, the 22 queries, one CDF change."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import TYPE_CHECKING

from artifact_contracts.models import PipelineSpec, QuerySpec, ViewSpec
from engine_app.demo import tpch
from engine_app.demo._cdf import demo_change
from engine_app.errors import EngineError
from engine_app.lake import Location
from engine_app.pipeline import RunReport, execute, prepare

if TYPE_CHECKING:
    from rich.progress import Progress

    from engine_app.scaleout import RayExecutor

__all__ = ["DEFAULT_SCALE", "DEMO_VIEWS", "demo_spec", "run_demo"]


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


def run_demo(
    spec: PipelineSpec,
    warehouse: Location | str | os.PathLike[str],
    *,
    progress: Progress | None = None,
    engine_path: str = "$.engine",
    executor: RayExecutor | None = None,
) -> RunReport:
    """Run a spec that asks for TPC-H (``tpch_scale``): generate it, run the spec, make one CDF change.

    The spec is checked first (:func:`engine_app.pipeline.prepare`, and the demo extra),
    so a bad spec writes nothing; TPC-H tables already of this scale are kept.

    Args:
        spec: The validated spec, ``tpch_scale`` set (e.g. :func:`demo_spec`).
        warehouse: The warehouse directory (created if missing).
        progress: Where to show progress bars, if anywhere.
        engine_path: Where ``spec.engine`` came from, for error paths.
        executor: Where the queries run; None: in this process.

    Returns:
        The pipeline's report, with the change-data-feed step in ``changes``.

    Raises:
        EngineError: As :func:`engine_app.pipeline.run_pipeline`, TPC-H generation failed,
            or the warehouse is not on the local disk (the demo writes its TPC-H tables
            there, and DataFusion reads Delta tables from local paths).
        ContractValidationError: DataFusion rejects a setting (nothing is written).
    """
    if spec.tpch_scale is None:
        raise ValueError("run_demo needs a spec with tpch_scale")
    location = Location.of(warehouse)
    if not location.is_local:
        raise EngineError(
            f"--warehouse {location}: the demo writes its TPC-H tables into the warehouse, which must be a local "
            "directory; run your own --spec to store into object storage"
        )
    warehouse = location.path
    session = prepare(spec, engine_path=engine_path)
    tpch.extension_path()  # fail before writing when the demo extra is missing
    task = progress.add_task("generating TPC-H", total=len(tpch.TPCH_TABLES)) if progress else None

    def advance(_: str) -> None:
        if progress is not None and task is not None:
            progress.advance(task)

    tables = tpch.generate(warehouse, spec.tpch_scale, progress=advance, write_policy=spec.write_policy)
    if progress is not None and task is not None:
        progress.update(task, completed=len(tpch.TPCH_TABLES))
    report = execute(session, spec, warehouse, [*tables, *spec.tables], progress=progress, executor=executor)
    changes = demo_change(warehouse, Path(tables[0].path).parent / "nation")
    return dataclasses.replace(report, changes=changes)
