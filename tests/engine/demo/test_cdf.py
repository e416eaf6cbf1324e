from __future__ import annotations

import json
from pathlib import Path

import msgspec
import pyarrow as pa
import pytest
from deltalake import DeltaTable, write_deltalake

from artifact_contracts.models import DeltaProtocolGate, DeltaWritePolicy, PipelineSpec, QuerySpec, TableSpec
from engine_app.cli import main
from engine_app.cli.output import change_lines
from engine_app.delta import (
    FINGERPRINT_KEY,
    cdf_tables,
    change_log_path,
    policies_from_table,
    run_consumer,
    write_table,
)
from engine_app.demo import CDF_DEMO_TABLE, demo_change
from engine_app.demo.tpch import TPCH_TABLES
from engine_app.errors import ProtocolGateError
from engine_app.lake import dataset
from engine_app.pipeline import run_pipeline
from engine_app.stores import WriteArtifactStore

pytestmark = pytest.mark.engine


def _nation(specs: list[TableSpec]) -> Path:
    return Path(next(s.path for s in specs if s.name == "nation"))


def test_tpch_tables_are_written_through_the_write_pipeline(tpch_warehouse: Path) -> None:
    artifacts, events = WriteArtifactStore(tpch_warehouse).list()
    assert events == []
    assert sorted(a.table_uri for a in artifacts) == sorted(f"tpch/{name}" for name in TPCH_TABLES)
    for artifact in artifacts:
        table = DeltaTable(str(tpch_warehouse / artifact.table_uri))
        assert artifact.write_policy.mode == "overwrite"
        assert policies_from_table(table, "overwrite")[2] == artifact.policy_fingerprint
        assert table.history(1)[0][FINGERPRINT_KEY] == artifact.policy_fingerprint
        assert artifact.rows == table.count()


def test_the_demo_change_flows_through(tmp_path: Path, tpch_specs: list[TableSpec]) -> None:
    first = demo_change(tmp_path, _nation(tpch_specs))
    assert [r.table_uri for r in first] == [CDF_DEMO_TABLE]
    assert sum(run.inserts for run in first[0].runs) == 25
    second = demo_change(tmp_path, _nation(tpch_specs))
    (run,) = second[0].runs
    assert (run.inserts, run.updates, run.deletes) == (0, 1, 0)
    assert second[0].cursor is not None and second[0].cursor.last_processed_version == run.to_version
    log = change_log_path(tmp_path, "demo", CDF_DEMO_TABLE)
    rows = dataset(DeltaTable(str(log)), log).to_table().to_pylist()
    post = [r for r in rows if r["_change_type"] == "update_postimage" and r["_commit_version"] == run.to_version]
    assert [(r["n_nationkey"], r["n_comment"]) for r in post] == [
        (0, f"changed by the demo at version {run.to_version}")
    ]
    assert change_lines(second) == [
        f"change feed {CDF_DEMO_TABLE}: consumer 'demo' applied versions {run.from_version}-{run.to_version} "
        f"(0 insert(s), 1 update(s), 0 delete(s)); cursor at {run.to_version}"
    ]


def test_only_tables_with_a_change_feed_are_consumed(tmp_path: Path) -> None:
    data = pa.table({"id": [1, 2]})
    write_table(tmp_path / "plain", data, DeltaWritePolicy())
    write_table(tmp_path / "a" / "fed", data, DeltaWritePolicy(change_data_feed=True))
    write_table(tmp_path / "_store", data, DeltaWritePolicy(change_data_feed=True))
    assert cdf_tables(tmp_path) == [tmp_path / "a" / "fed"]
    reports = run_consumer(tmp_path, "other")
    assert [(r.table_uri, sum(run.inserts for run in r.runs)) for r in reports] == [("a/fed", 2)]


def test_cli_incremental(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "src"
    write_table(source, pa.table({"id": [1, 2, 3]}), DeltaWritePolicy(change_data_feed=True))
    DeltaTable(str(source)).delete("id = 2")
    assert main(["incremental", "--warehouse", str(tmp_path), "--consumer", "c1", "--format", "json"]) == 0
    (report,) = json.loads(capsys.readouterr().out)
    assert report["table_uri"] == "src"
    assert [(r["from_version"], r["to_version"]) for r in report["runs"]] == [(0, 2)]
    assert report["cursor"]["last_processed_version"] == 2
    assert main(["incremental", "--warehouse", str(tmp_path), "--consumer", "c1"]) == 0
    assert "up to date" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--consumer", "no such/name"], "--consumer 'no such/name': expected an identifier: a letter or"),
        (["--warehouse", "/nonexistent/wh"], "--warehouse /nonexistent/wh: no warehouse there"),
    ],
)
def test_cli_incremental_user_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    write_table(tmp_path / "src", pa.table({"id": [1]}), DeltaWritePolicy(change_data_feed=True))
    assert main(["incremental", "--warehouse", str(tmp_path), *argv]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_the_pipeline_gates_its_delta_tables_before_writing(tmp_path: Path) -> None:
    write_deltalake(str(tmp_path / "t"), pa.table({"id": [1]}), configuration={"delta.enableChangeDataFeed": "true"})
    table = TableSpec(name="t", path=str(tmp_path / "t"))
    spec = PipelineSpec(tables=(table,), queries=(QuerySpec(name="q", sql="SELECT * FROM t"),))
    strict = msgspec.structs.replace(spec, protocol_gate=DeltaProtocolGate(max_writer_version=3))
    with pytest.raises(ProtocolGateError, match=r"\$\.tables\[0\]: .*writer version 4 is above the gate's 3"):
        run_pipeline(strict, tmp_path / "wh")
    assert not (tmp_path / "wh").exists()
    assert run_pipeline(spec, tmp_path / "wh").ok
