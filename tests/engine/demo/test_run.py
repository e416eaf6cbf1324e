from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from artifact_contracts.models import PipelineSpec, QuerySpec, ViewSpec
from engine_app.cli import main
from engine_app.demo import DEMO_VIEWS, demo_spec, run_demo
from engine_app.stores import DiagnosticsLog, PlanArtifactStore, ViewArtifactStore

pytestmark = pytest.mark.engine


def test_demo_spec_is_tpch_with_views_and_22_queries() -> None:
    spec = demo_spec(0.02)
    assert spec.tpch_scale == 0.02
    assert spec.views == DEMO_VIEWS
    assert [q.name for q in spec.queries] == [f"q{n:02d}" for n in range(1, 23)]


def test_failed_steps_are_reported_and_the_rest_run(tmp_path: Path) -> None:
    spec = PipelineSpec(
        tpch_scale=0.001,
        views=(ViewSpec(name="bad_view", sql="SELECT nope FROM nation"), ViewSpec(name="ok_view", sql="SELECT 1 AS x")),
        queries=(
            QuerySpec(name="good", sql="SELECT count(*) FROM region"),
            QuerySpec(name="bad", sql="SELECT * FROM missing"),
        ),
    )
    report = run_demo(spec, tmp_path)
    assert not report.ok
    assert [(o.name, o.error is None) for o in report.outcomes] == [
        ("bad_view", False),
        ("ok_view", True),
        ("good", True),
        ("bad", False),
    ]
    assert report.outcomes[2].rows == 1
    assert report.stored_plans == 2
    assert report.stored_views == 1
    assert [e.subject for e in DiagnosticsLog(tmp_path).read()] == ["view bad_view", "query bad"]
    assert [v.name for v in ViewArtifactStore(tmp_path).list().items] == ["ok_view"]


def test_spec_file_with_relative_parquet_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "project" / "data"
    data.mkdir(parents=True)
    pq.write_table(pa.table({"k": [1, 2, 3, 3], "v": [1.5, 2.5, 3.5, 4.5]}), data / "facts.parquet")
    spec = tmp_path / "project" / "pipeline.toml"
    spec.write_text(
        "[engine]\ntarget_partitions = 2\n"
        '[[tables]]\nname = "facts"\npath = "data/facts.parquet"\nformat = "parquet"\n'
        '[[views]]\nname = "big"\nsql = "SELECT k, v FROM facts WHERE v > 2"\n'
        '[[queries]]\nname = "per_key"\nsql = "SELECT k, sum(v) AS s FROM big GROUP BY k ORDER BY k"\n'
    )
    warehouse = tmp_path / "wh"
    assert main(["run", "--spec", str(spec), "--warehouse", str(warehouse), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["name"], r["kind"], r["rows"]) for r in rows] == [("big", "view", 3), ("per_key", "query", 2)]
    stored = {p.artifacts.plan_fingerprint: p for p in PlanArtifactStore(warehouse).list().items}
    query = stored[rows[1]["plan_fingerprint"]]
    # Parquet (listing) tables serialize with DataFusion's proto codec; the location is recorded beside it.
    assert query.artifacts.datafusion_proto is not None
    assert query.environment is not None
    assert query.environment.tables[0].location == str(data / "facts.parquet")
    assert query.environment.views[0].name == "big"
    assert main(["audit", "--warehouse", str(warehouse)]) == 0
