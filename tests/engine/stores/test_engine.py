"""The store engine: declared schemas, exactly-once keys, projected reads, batches, read-only reads."""

from __future__ import annotations

import datetime
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import msgspec
import pyarrow as pa
import pytest
from deltalake import DeltaTable

from artifact_contracts.models import CdfCursor, DeltaScanArtifact, DiagnosticsEvent, PlanArtifacts
from engine_app.cli import main
from engine_app.lake import Location
from engine_app.stores import (
    STORE_SPECS,
    CommitBatches,
    PlanArtifactStore,
    Store,
    StoreSpec,
    Warehouse,
    field_column,
)
from tests.engine.stores.checks import assert_declared_schema

pytestmark = pytest.mark.engine

NOW = datetime.datetime(2026, 12, 2, 12, 0, tzinfo=datetime.timezone.utc)


@pytest.mark.parametrize(
    ("contract", "path", "expected"),
    [
        (PlanArtifacts, "plan_fingerprint", pa.field("plan_fingerprint", pa.string(), nullable=False)),
        (PlanArtifacts, "view_name", pa.field("view_name", pa.string(), nullable=True)),
        (DiagnosticsEvent, "at", pa.field("at", pa.timestamp("us", tz="UTC"), nullable=True)),
        (DiagnosticsEvent, "severity", pa.field("severity", pa.string(), nullable=False)),
        (CdfCursor, "last_processed_version", pa.field("last_processed_version", pa.int64(), nullable=True)),
        (DeltaScanArtifact, "telemetry.count_rows", pa.field("count_rows", pa.int64(), nullable=False)),
    ],
)
def test_queryable_columns_derive_from_contract_fields(contract: Any, path: str, expected: pa.Field) -> None:
    assert field_column(contract, path).field == expected


@pytest.mark.parametrize("spec", STORE_SPECS, ids=lambda s: s.table)
def test_every_declared_schema_is_plain_types_with_the_payload_last(spec: StoreSpec[Any]) -> None:
    plain = (pa.string(), pa.binary(), pa.int64(), pa.float64(), pa.bool_(), pa.timestamp("us", tz="UTC"))
    assert all(field.type in plain for field in spec.schema), spec.schema
    assert spec.schema.names[-1] == "payload"
    assert set(spec.key) <= set(spec.queryable)
    assert spec.table.rsplit("_v", 1)[1].isdigit()  # one naming convention: <what>_v<N>


def test_tables_are_created_empty_with_their_schema(tmp_path: Path) -> None:
    warehouse = Warehouse.of(tmp_path)
    store = warehouse.plans.store
    store.create()
    store.create()  # again: no second commit
    table = DeltaTable(store.location.uri)
    assert table.version() == 0
    assert pa.schema(table.schema().to_arrow()).names == store.spec.schema.names
    assert store.read().table.num_rows == 0


def _plan(
    warehouse: Path, tpch_warehouse: Path, sql: str, capsys: pytest.CaptureFixture[str], code: int = 0
) -> list[Any]:
    tables = [f"--table={name}={tpch_warehouse / 'tpch' / name}" for name in ("nation", "region")]
    assert main(["plan", *tables, "--sql", sql, "--warehouse", str(warehouse), "--format", "json"]) == code
    return list(json.loads(capsys.readouterr().out))


def test_show_finds_any_full_fingerprint_after_many_commits(
    tmp_path: Path, tpch_warehouse: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The regression: the first commit wrote `string`, later (merge-written) files
    # `string_view`, and an equality on the key failed for every plan after the first.
    fingerprints = []
    for sql in ("SELECT n_name FROM nation", "SELECT r_name FROM region", "SELECT count(*) FROM nation"):
        fingerprints += [row["plan_fingerprint"] for row in _plan(tmp_path, tpch_warehouse, sql, capsys)]
    for fingerprint in fingerprints:
        assert main(["artifacts", "show", fingerprint, "--warehouse", str(tmp_path)]) == 0
        out, err = capsys.readouterr()
        assert json.loads(out)["plan_fingerprint"] == fingerprint
        assert err == ""
    store = PlanArtifactStore(tmp_path)
    assert assert_declared_schema(store.location, store.store.spec) == 3
    assert DeltaTable(str(store.path)).count() == 3


def _snapshot(root: Path) -> dict[str, float]:
    return {str(p): p.stat().st_mtime for p in root.rglob("*")}


@pytest.mark.parametrize(
    "argv",
    [
        ["artifacts", "list"],
        ["artifacts", "list", "--format", "json"],
        ["artifacts", "show", "sha256:0000"],
        ["artifacts", "show", "sha256:" + "0" * 64],
        ["diagnostics"],
    ],
)
def test_read_only_commands_write_nothing(
    argv: list[str], tmp_path: Path, tpch_warehouse: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _plan(tmp_path, tpch_warehouse, "SELECT n_name FROM nation; SELECT * FROM nowhere_at_all", capsys, code=1)
    before = _snapshot(tmp_path)
    main([*argv, "--warehouse", str(tmp_path)])
    assert _snapshot(tmp_path) == before


def test_listing_reads_no_payload(tmp_path: Path, tpch_warehouse: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _plan(tmp_path, tpch_warehouse, "SELECT n_name FROM nation", capsys)
    listing = PlanArtifactStore(tmp_path).listing().table
    assert "payload" not in listing.column_names
    assert listing.column("sql").to_pylist() == ["SELECT n_name FROM nation"]


class _Probe(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    n: int


_PROBE = StoreSpec(table="probe_v1", record=_Probe, columns=(field_column(_Probe, "name"),), key=("name",))


def test_keyed_writes_insert_only_absent_keys_and_commit_nothing_new(tmp_path: Path) -> None:
    store = Store(Location.of(tmp_path / "probe_v1"), _PROBE)
    assert store.write([_Probe(name="a", n=1), _Probe(name="b", n=1), _Probe(name="a", n=2)]) == 2
    version = DeltaTable(store.location.uri).version()
    assert store.write([_Probe(name="b", n=9)]) == 0
    assert DeltaTable(store.location.uri).version() == version  # nothing new, nothing committed
    assert store.write([_Probe(name="b", n=9), _Probe(name="it's", n=3)]) == 1  # a quote in a key
    assert sorted(r.name for r in store.records().items) == ["a", "b", "it's"]
    assert assert_declared_schema(store.location, _PROBE) == 2


def test_commit_batches_commit_every_n_and_the_rest_on_flush() -> None:
    committed: list[list[int]] = []
    batches: CommitBatches[int] = CommitBatches(lambda batch: committed.append(batch) or len(batch), size=3)
    for n in range(7):
        batches.add(n)
    assert committed == [[0, 1, 2], [3, 4, 5]]
    assert batches.flush() == 7
    assert committed[-1] == [6]
    assert (batches.flush(), batches.commits) == (7, 3)


_INTERRUPTIBLE = """
import sys
import engine_app.pipeline as pipeline
pipeline.COMMIT_EVERY = 5
from engine_app.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.slow
def test_ctrl_c_in_plan_keeps_the_committed_batches(tmp_path: Path, tpch_warehouse: Path) -> None:
    sql = ";\n".join(f"SELECT n_name, {n} AS k FROM nation WHERE n_nationkey > {n}" for n in range(400))
    warehouse = tmp_path / "wh"
    args = ["plan", f"--table=nation={tpch_warehouse / 'tpch' / 'nation'}", "--sql", sql, "--warehouse", str(warehouse)]
    proc = subprocess.Popen(
        [sys.executable, "-c", _INTERRUPTIBLE, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    store = PlanArtifactStore(warehouse)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and (not store.exists() or DeltaTable(str(store.path)).count() < 10):
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith("interrupted")
    kept = DeltaTable(str(store.path)).count()
    assert kept >= 10
    assert kept % 5 == 0  # whole batches only
    assert kept < 400
    assert len(store.list().items) == kept
