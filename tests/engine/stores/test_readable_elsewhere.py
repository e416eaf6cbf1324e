"""Every store, after a demo-like run, read by Polars; every file of it in the declared schema."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from deltalake import DeltaTable

from artifact_contracts import loads_msgpack
from artifact_contracts.models import DeltaProtocolGate, DeltaScanConfig, PipelineSpec, QuerySpec, ViewSpec
from engine_app.delta import run_incremental, scan_table
from engine_app.demo import run_demo
from engine_app.stores import PAYLOAD, STORE_SPECS, StoreSpec, check

pytestmark = [pytest.mark.engine, pytest.mark.slow]

SPEC = PipelineSpec(
    tpch_scale=0.001,
    views=(ViewSpec(name="bad_view", sql="SELECT nope FROM nation"), ViewSpec(name="ok_view", sql="SELECT 1 AS x")),
    queries=(
        QuerySpec(name="regions", sql="SELECT count(*) FROM region"),
        QuerySpec(name="nations", sql="SELECT n_name FROM nation ORDER BY n_name"),
        QuerySpec(name="bad", sql="SELECT * FROM missing"),
    ),
)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse after a demo run (two of them: every store gets several commits), a scan and a CDF consumer."""
    root = tmp_path_factory.mktemp("wh")
    run_demo(SPEC, root)
    run_demo(msgspec.structs.replace(SPEC, queries=(QuerySpec(name="again", sql="SELECT 2 AS y"),)), root)
    nation = next(p for p in root.rglob("nation") if (p / "_delta_log").is_dir())
    scan_table(nation, DeltaScanConfig(predicate="n_nationkey < 5"), DeltaProtocolGate(), warehouse=root)
    run_incremental(root, nation, "polars-test")
    return root


def _files(table: DeltaTable) -> list[str]:
    return [uri.removeprefix("file://") for uri in table.file_uris()]


@pytest.mark.parametrize("spec", STORE_SPECS, ids=[s.table for s in STORE_SPECS])
def test_polars_reads_every_store_in_its_declared_schema(warehouse: Path, spec: StoreSpec[Any]) -> None:
    table = DeltaTable(str(warehouse / spec.table))
    files = _files(table)
    assert files, f"the run left {spec.table} empty"
    for path in files:  # every file, whichever deltalake path wrote it
        schema = pq.read_schema(path)
        assert not any(pa.types.is_string_view(f.type) or pa.types.is_binary_view(f.type) for f in schema), path
        assert [(f.name, f.type) for f in schema] == [(f.name, f.type) for f in spec.schema], path

    frame = pl.read_delta(str(warehouse / spec.table))
    assert frame.columns == spec.schema.names
    assert frame.height == pa.table(table.to_pyarrow_dataset().to_table()).num_rows
    assert frame.schema[PAYLOAD] == pl.Binary
    if spec.key:  # keyed stores hold each key once, as any engine sees them
        assert frame.select(list(spec.key)).unique().height == frame.height
    # The payload decodes with artifact-contracts alone.
    for payload in frame.get_column(PAYLOAD).to_list():
        assert isinstance(loads_msgpack(payload, spec.record), spec.record)


def test_check_finds_the_run_clean(warehouse: Path) -> None:
    assert [e for e in check(warehouse) if e.severity == "error"] == []
