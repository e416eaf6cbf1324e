from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pytest
from deltalake import DeltaTable

from artifact_contracts.models import DeltaWritePolicy
from engine_app.delta import write_table
from engine_app.lake import dataset
from engine_app.stores import WriteArtifactStore

pytestmark = [pytest.mark.engine, pytest.mark.slow]

WORKER = Path(__file__).with_name("delta_workers.py")


@pytest.mark.parametrize("workers", [6])
def test_concurrent_appends_from_several_processes_all_land_once(tmp_path: Path, workers: int) -> None:
    table, go, rows = tmp_path / "t", tmp_path / "go", 250
    seed = pa.table({"id": pa.array([-1], pa.int64()), "worker": pa.array([-1], pa.int64())})
    write_table(table, seed, DeltaWritePolicy(), warehouse=tmp_path)
    procs = [
        subprocess.Popen(
            [sys.executable, str(WORKER), "append", str(table), str(tmp_path), str(w), str(rows), str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for w in range(workers)
    ]
    time.sleep(2.0)  # let every worker finish importing before they race
    go.touch()
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * workers, [err for _, err in outputs]

    ids = dataset(DeltaTable(str(table)), table).to_table().column("id").to_pylist()
    assert sorted(ids) == [-1, *range(workers * rows)]  # every row, exactly once
    versions = sorted(int(out.split()[0]) for out, _ in outputs)
    assert versions == list(range(2, 2 + workers))  # one commit each, none lost
    artifacts, events = WriteArtifactStore(tmp_path).list("t")
    assert events == []
    assert sorted(a.version_after for a in artifacts) == [1, *versions]
    assert sum(a.rows for a in artifacts) == 1 + workers * rows


def test_concurrent_first_writes_create_the_table_once(tmp_path: Path) -> None:
    # All workers find no table; one creates it (schema and properties), the others' creates lose and they append.
    table, go, rows, workers = tmp_path / "t", tmp_path / "go", 100, 5
    procs = [
        subprocess.Popen(
            [sys.executable, str(WORKER), "append", str(table), str(tmp_path), str(w), str(rows), str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for w in range(workers)
    ]
    time.sleep(2.0)
    go.touch()
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * workers, [err for _, err in outputs]
    ids = dataset(DeltaTable(str(table)), table).to_table().column("id").to_pylist()
    assert sorted(ids) == list(range(workers * rows))
    history = DeltaTable(str(table)).history()
    operations = sorted(h["operation"] for h in history)
    # One commit creates the table with every property; the other creators lose that race
    # and find the properties equal (no SET TBLPROPERTIES); then one data commit per worker.
    assert operations.count("CREATE TABLE") == 1
    assert operations.count("WRITE") == workers
    assert set(operations) == {"CREATE TABLE", "WRITE"}
    create = next(h for h in history if h["operation"] == "CREATE TABLE")
    assert create["version"] == 0
    assert create["engine.writeId"] in {h["engine.writeId"] for h in history if h["operation"] == "WRITE"}
    artifacts, _ = WriteArtifactStore(tmp_path).list("t")
    assert len({a.version_after for a in artifacts}) == len(artifacts) == workers
