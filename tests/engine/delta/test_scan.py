from __future__ import annotations

import datetime
import os
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from deltalake import DeltaTable, write_deltalake

from artifact_contracts import dumps_json, dumps_msgpack, loads_json, loads_msgpack
from artifact_contracts.models import (
    DeltaProtocolGate,
    DeltaScanArtifact,
    DeltaScanConfig,
    DeltaWritePolicy,
    ScanTelemetry,
)
from engine_app.delta import execute_scan, plan_scan, scan_table, write_table
from engine_app.errors import DeltaIOError, ProtocolGateError
from engine_app.lake import add_actions
from engine_app.stores import ScanArtifactStore

pytestmark = pytest.mark.engine

N = 6000


@pytest.fixture(scope="module")
def table(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Partitioned by region, appended in id-ordered chunks, small row groups: much to prune."""
    path = tmp_path_factory.mktemp("scan") / "t"
    policy = DeltaWritePolicy(partition_by=("region",), max_rows_per_group=250)
    for start in range(0, N, 1000):
        ids = range(start, start + 1000)
        chunk = pa.table(
            {
                "id": pa.array(ids, pa.int64()),
                "region": pa.array([["eu", "us", "ap"][i % 3] for i in ids]),
                "v": pa.array([float(i % 97) for i in ids]),
            }
        )
        write_table(path, chunk, policy)
    return path


def _files(path: Path) -> list[tuple[str, str]]:
    actions = add_actions(DeltaTable(str(path)))
    return list(zip(actions.column("path").to_pylist(), actions.column("partition.region").to_pylist()))


def _truth(path: Path, predicate: pc.Expression | None) -> tuple[pa.Table, int, int]:
    """An independent reader: every row group of every file read whole, then filtered.

    Returns:
        The selected rows, the files holding one, and the row groups holding one.
    """
    parts, files, groups = [], 0, 0
    for name, region in _files(path):
        reader = pq.ParquetFile(path / name)
        hits = 0
        for index in range(reader.metadata.num_row_groups):
            group = reader.read_row_group(index)
            group = group.append_column("region", pa.array([region] * group.num_rows))
            selected = group if predicate is None else group.filter(predicate)
            parts.append(selected)
            hits += selected.num_rows > 0
        files += hits > 0
        groups += hits
    return pa.concat_tables(parts), files, groups


CASES = [
    (None, None),
    ("region = 'eu'", pc.field("region") == "eu"),
    ("id < 500", pc.field("id") < 500),
    ("region = 'us' AND id >= 5000", (pc.field("region") == "us") & (pc.field("id") >= 5000)),
    ("id BETWEEN 100 AND 140 OR id IN (5990, 5991)", pc.field("id").isin([*range(100, 141), 5990, 5991])),
    ("v > 95", pc.field("v") > 95),
]


@pytest.mark.parametrize(("predicate", "expected"), CASES)
def test_telemetry_matches_an_independent_count(table: Path, predicate: str | None, expected: pc.Expression) -> None:
    result = scan_table(table, DeltaScanConfig(predicate=predicate), DeltaProtocolGate())
    t = result.telemetry
    truth, files_with_rows, groups_with_rows = _truth(table, expected)
    assert t.count_rows == result.rows.num_rows == truth.num_rows
    assert sorted(result.rows.column("id").to_pylist()) == sorted(truth.column("id").to_pylist())
    assert t.files_total == len(_files(table)) == 18
    assert t.fragment_count + t.files_pruned == t.files_total
    # Pruning is sound: every file and row group holding a selected row was kept.
    assert files_with_rows <= t.fragment_count
    assert groups_with_rows <= t.row_group_count - t.row_groups_pruned <= t.row_group_count
    assert truth.num_rows <= t.estimated_rows


def test_selective_predicates_prune_files_and_row_groups(table: Path) -> None:
    everything = scan_table(table, DeltaScanConfig(), DeltaProtocolGate()).telemetry
    assert everything.files_pruned == 0 and everything.row_groups_pruned == 0
    assert everything.estimated_rows == everything.count_rows == N
    narrow = scan_table(table, DeltaScanConfig(predicate="region = 'us' AND id >= 5000"), DeltaProtocolGate()).telemetry
    # One region of three, and of its six files only the last chunk's: 17 of 18 pruned.
    assert (narrow.fragment_count, narrow.files_pruned) == (1, 17)
    assert narrow.estimated_rows == 333
    ranged = scan_table(table, DeltaScanConfig(predicate="id >= 2100 AND id < 2300"), DeltaProtocolGate()).telemetry
    _, files, groups = _truth(table, (pc.field("id") >= 2100) & (pc.field("id") < 2300))
    # id-ordered chunks make the stats exact: exactly the files and row groups with rows are kept.
    assert (ranged.fragment_count, ranged.row_group_count - ranged.row_groups_pruned) == (files, groups) == (3, 3)
    assert ranged.row_groups_pruned > 0


def test_the_filter_is_pushed_into_the_dataset_scan(table: Path) -> None:
    result = scan_table(table, DeltaScanConfig(columns=("id",), predicate="id < 10"), DeltaProtocolGate())
    assert "DatasetExec" in result.physical_plan
    assert "filter_expr=(id < 10)" in result.physical_plan
    assert result.rows.column_names == ["id"]


def test_estimate_comes_from_the_log_before_reading(table: Path) -> None:
    plan = plan_scan(table, DeltaScanConfig(predicate="region = 'ap'"), DeltaProtocolGate())
    actions = add_actions(DeltaTable(str(table)))
    mask = pc.equal(actions.column("partition.region"), "ap")
    assert plan.estimated_rows == pc.sum(pc.filter(actions.column("num_records"), mask)).as_py() == N // 3
    assert len(plan.candidates) == pc.sum(mask.cast(pa.int64())).as_py()


def test_time_travel_by_version_and_timestamp(tmp_path: Path) -> None:
    path = tmp_path / "t"
    write_table(path, pa.table({"id": [1, 2]}), DeltaWritePolicy())
    first = DeltaTable(str(path)).version()
    time.sleep(0.05)
    middle = datetime.datetime.now(datetime.timezone.utc)
    time.sleep(0.05)
    write_table(path, pa.table({"id": [3]}), DeltaWritePolicy())
    gate = DeltaProtocolGate()
    assert scan_table(path, DeltaScanConfig(version=first), gate).telemetry.count_rows == 2
    assert scan_table(path, DeltaScanConfig(timestamp=middle), gate).telemetry.count_rows == 2
    assert scan_table(path, DeltaScanConfig(), gate).telemetry.count_rows == 3
    with pytest.raises(DeltaIOError, match="cannot open"):
        plan_scan(path, DeltaScanConfig(version=99), gate)


def test_scan_telemetry_round_trips_as_an_array() -> None:
    telemetry = ScanTelemetry(fragment_count=2, row_group_count=5, count_rows=9, estimated_rows=12, files_total=4)
    assert loads_msgpack(dumps_msgpack(telemetry), ScanTelemetry) == telemetry


def _cdf_table(path: Path) -> None:
    write_deltalake(str(path), pa.table({"id": list(range(100))}), configuration={"delta.enableChangeDataFeed": "true"})


def _dv_table(path: Path) -> None:
    write_deltalake(
        str(path), pa.table({"id": list(range(100))}), configuration={"delta.enableDeletionVectors": "true"}
    )


GATES = [
    (_cdf_table, DeltaProtocolGate(max_writer_version=2), "$.protocol.min_writer_version", "writer version 4"),
    (_dv_table, DeltaProtocolGate(), "$.protocol.reader_features[0]", "'deletionVectors' is not allowed"),
    (_dv_table, DeltaProtocolGate(max_reader_version=1), "$.protocol.min_reader_version", "reader version 3"),
    (
        _dv_table,
        DeltaProtocolGate(allowed_reader_features=("deletionVectors",), allowed_writer_features=("invariants",)),
        "$.protocol.writer_features",
        "writer feature",
    ),
]


@pytest.mark.parametrize(("make", "gate", "path", "message"), GATES)
def test_gate_refuses_before_any_data_file_is_opened(
    tmp_path: Path, make: object, gate: DeltaProtocolGate, path: str, message: str
) -> None:
    table = tmp_path / "t"
    make(table)  # type: ignore[operator]
    # Remove every data file: a scan that opened one would fail with a file error instead.
    data_files = [p for p in table.rglob("*.parquet") if "_delta_log" not in p.parts]
    assert data_files
    for file in data_files:
        os.remove(file)
    with pytest.raises(ProtocolGateError, match=message) as info:
        scan_table(table, DeltaScanConfig(predicate="id > 3"), gate)
    assert any(issue.path.startswith(path) for issue in info.value.issues)


def test_without_the_gate_the_missing_files_do_fail_the_scan(tmp_path: Path) -> None:
    # The control for the test above: the files matter once the gate lets the scan through.
    table = tmp_path / "t"
    _cdf_table(table)
    for file in [p for p in table.rglob("*.parquet") if "_delta_log" not in p.parts]:
        os.remove(file)
    plan = plan_scan(table, DeltaScanConfig(), DeltaProtocolGate())
    with pytest.raises(DeltaIOError, match="scan of"):
        execute_scan(plan)


def test_an_invalid_predicate_is_a_clear_error(table: Path) -> None:
    with pytest.raises(DeltaIOError, match="invalid scan predicate"):
        plan_scan(table, DeltaScanConfig(predicate="nope > 1"), DeltaProtocolGate())


def test_a_scan_is_recorded_as_an_artifact(table: Path, tmp_path: Path) -> None:
    config = DeltaScanConfig(columns=("id",), predicate="id < 10")
    gate = DeltaProtocolGate(max_writer_version=2)
    first = scan_table(table, config, gate, warehouse=tmp_path)
    second = scan_table(table, config, gate, warehouse=tmp_path)
    stored, events = ScanArtifactStore(tmp_path).list()
    assert events == []
    assert stored == [first.artifact, second.artifact]
    artifact = stored[0]
    assert artifact.table_uri == str(table)  # outside the warehouse: the absolute path
    assert artifact.table_version == DeltaTable(str(table)).version()
    assert loads_json(dumps_json(artifact.scan_config), DeltaScanConfig) == config
    assert loads_json(dumps_json(artifact.protocol_gate), DeltaProtocolGate) == gate
    assert first.artifact.config_fingerprint == second.artifact.config_fingerprint
    other = scan_table(table, DeltaScanConfig(predicate="id < 11"), gate).artifact
    assert other.config_fingerprint != first.artifact.config_fingerprint
    assert loads_msgpack(dumps_msgpack(artifact), DeltaScanArtifact) == artifact
