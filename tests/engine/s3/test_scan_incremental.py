"""Scans and change-data-feed consumers over a warehouse on a real S3-compatible server."""

from __future__ import annotations

from collections import Counter

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from deltalake import DeltaTable, write_deltalake

from artifact_contracts.models import DeltaProtocolGate, DeltaScanConfig
from engine_app.delta import (
    cdf_locations,
    change_log_location,
    consumer_state,
    plan_scan,
    run_consumer,
    scan_table,
)
from engine_app.errors import DeltaIOError
from engine_app.lake import Location, dataset
from engine_app.stores import ScanArtifactStore, Warehouse

pytestmark = pytest.mark.engine

CDF = {"delta.enableChangeDataFeed": "true"}


def _chunk(start: int, stop: int) -> pa.Table:
    ids = range(start, stop)
    return pa.table(
        {
            "id": pa.array(ids, pa.int64()),
            "region": pa.array([["eu", "us", "ap"][i % 3] for i in ids]),
            "v": pa.array([float(i) for i in ids]),
        }
    )


def _write_source(table: Location) -> pa.Table:
    """A partitioned CDF table on S3 in three commits (deltalake reads the ``AWS_*`` env)."""
    for start in range(0, 300, 100):
        write_deltalake(
            table.uri, _chunk(start, start + 100), partition_by=["region"], mode="append", configuration=CDF
        )
    return _chunk(0, 300)


def test_scan_on_s3_prunes_and_records_relative_to_the_warehouse(s3_warehouse: Location) -> None:
    table = s3_warehouse.join("sales")
    everything = _write_source(table)
    config = DeltaScanConfig(columns=("id", "v"), predicate="region = 'eu' AND id >= 150")
    result = scan_table(table.uri, config, DeltaProtocolGate(), warehouse=s3_warehouse.uri)

    truth = everything.filter((pc.field("region") == "eu") & (pc.field("id") >= 150)).select(["id", "v"])
    assert sorted(result.rows.column("id").to_pylist()) == sorted(truth.column("id").to_pylist())
    assert result.rows.schema.names == ["id", "v"]
    telemetry = result.telemetry
    assert telemetry.files_total == 9  # three commits x three regions
    assert telemetry.files_pruned >= 6  # the other regions, and the first commit by its id stats
    assert telemetry.count_rows == truth.num_rows
    assert "DatasetExec" in result.physical_plan  # DataFusion scanned the pyarrow dataset

    assert result.artifact.table_uri == "sales"
    assert ScanArtifactStore(s3_warehouse).list() == ([result.artifact], [])
    # The same plan from a Location with explicit options.
    plan = plan_scan(Location.of(table.uri), DeltaScanConfig(predicate="id < 10"), DeltaProtocolGate())
    assert plan.location.uri == table.uri
    assert plan.estimated_rows >= 10
    with pytest.raises(DeltaIOError, match="is not on the local disk"):
        _ = plan.path
    with pytest.raises(DeltaIOError, match="no Delta table at s3://"):
        scan_table(s3_warehouse.join("missing").uri, DeltaScanConfig(), DeltaProtocolGate())


def test_consumer_applies_the_feed_exactly_once_on_s3(s3_warehouse: Location) -> None:
    source = s3_warehouse.join("sales")
    _write_source(source)
    write_deltalake(s3_warehouse.join("plain").uri, _chunk(0, 3))  # no change data feed: not consumed
    write_deltalake(s3_warehouse.join("nested", "t2").uri, _chunk(0, 5), configuration=CDF)

    assert [loc.uri for loc in cdf_locations(s3_warehouse)] == [
        s3_warehouse.join("nested", "t2").uri,
        source.uri,
    ]
    first = run_consumer(s3_warehouse.uri, "c")
    assert [(r.table_uri, [(x.from_version, x.to_version, x.inserts) for x in r.runs]) for r in first] == [
        ("nested/t2", [(0, 0, 5)]),
        ("sales", [(0, 2, 300)]),
    ]
    # The stores the consumer wrote are its own: listing again finds the same two tables.
    assert len(cdf_locations(s3_warehouse)) == 2

    table = DeltaTable(source.uri)
    table.update(updates={"v": "v + 1000"}, predicate="id = 7")
    table.delete("id = 8")
    second = run_consumer(s3_warehouse.uri, "c")
    assert [(x.from_version, x.to_version, x.updates, x.deletes) for x in second[1].runs] == [(3, 4, 1, 1)]
    assert run_consumer(s3_warehouse.uri, "c")[1].runs == []  # caught up: nothing applied twice

    log = change_log_location(s3_warehouse, "c", "sales")
    assert log.uri.startswith(s3_warehouse.uri + "/_incremental/c/")
    rows = dataset(log.open(), log).to_table(columns=["id", "_change_type", "_commit_version"])
    applied = Counter((r["id"], r["_change_type"], r["_commit_version"]) for r in rows.to_pylist())
    feed = pa.table(DeltaTable(source.uri).load_cdf(starting_version=0))
    expected = Counter(
        (r["id"], str(r["_change_type"]), int(r["_commit_version"]))
        for r in feed.select(["id", "_change_type", "_commit_version"]).to_pylist()
    )
    assert applied == expected
    assert max(applied.values()) == 1
    state = consumer_state(s3_warehouse.uri, "c", "sales")
    assert state.applied == 4
    assert state.cursor is not None
    assert state.cursor.last_processed_version == 4
    runs, events = Warehouse.of(s3_warehouse).runs.list("c", "sales")
    assert events == []
    assert [(r.from_version, r.to_version) for r in runs] == [(0, 2), (3, 4)]
