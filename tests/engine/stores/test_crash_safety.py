"""Writers SIGKILLed at every step of the write pipeline; the Delta log rebuilds what was lost.

Each case runs the pipeline in a real subprocess that kills itself (SIGKILL, no clean-up)
after the properties commit, after the data commit, or just before the artifact append,
into a new table and into an existing one whose policy changes. Then ``repair`` rebuilds
the missing artifacts and ``check`` reports what it cannot fix; nothing is lost, nothing is
counted twice, and the table reads back.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest
from deltalake import DeltaTable

from artifact_contracts.models import DeltaWritePolicy
from engine_app.delta import write_table
from engine_app.lake import Location, dataset
from engine_app.stores import Warehouse, check, logged_writes, rebuild_artifact, repair

pytestmark = [pytest.mark.engine, pytest.mark.slow]

WORKER = Path(__file__).parents[1] / "delta" / "delta_workers.py"
ROWS = 40


def _seed(table: Path, warehouse: Path) -> None:
    data = pa.table({"id": pa.array(range(ROWS), pa.int64()), "worker": pa.array([0] * ROWS, pa.int64())})
    write_table(table, data, DeltaWritePolicy(), warehouse=warehouse)


def _killed_write(table: Path, warehouse: Path, step: str, first: int, zorder: str | None) -> None:
    argv = [sys.executable, str(WORKER), "kill", str(table), str(warehouse), step, str(first), str(ROWS)]
    done = subprocess.run([*argv, *([zorder] if zorder else [])], capture_output=True, text=True, timeout=120)
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert "not killed" not in done.stdout


def _ids(table: Path) -> list[int]:
    return sorted(dataset(DeltaTable(str(table)), table).to_table(columns=["id"]).column("id").to_pylist())


@pytest.mark.parametrize("existing", [False, True], ids=["new-table", "policy-change"])
@pytest.mark.parametrize("step", ["properties", "data", "artifact"])
def test_a_writer_killed_at_any_step_loses_nothing_and_counts_nothing_twice(
    tmp_path: Path, step: str, existing: bool
) -> None:
    warehouse, table = tmp_path / "wh", tmp_path / "wh" / "ns" / "t"  # two levels deep
    if existing:
        _seed(table, warehouse)
    before = _ids(table) if existing else []
    _killed_write(table, warehouse, step, first=1000, zorder="id" if existing else None)

    data_landed = step != "properties"
    expected_ids = before + (list(range(1000, 1000 + ROWS)) if data_landed else [])
    assert _ids(table) == expected_ids  # the table reads back: all committed rows, none twice
    found = check(warehouse)
    codes = [event.code for event in found]
    assert codes == (["WRITE_ARTIFACT_MISSING"] if data_landed else ["ORPHANED_PROPERTIES_COMMIT"])

    report = repair(warehouse)
    assert len(report.rebuilt) == (1 if data_landed else 0)
    assert repair(warehouse).rebuilt == []  # idempotent
    artifacts, events = Warehouse.of(warehouse).writes.list()
    assert events == []
    # One artifact per write whose data committed; the rows they count are the table's rows.
    writes = logged_writes(Location.of(table))
    assert {w for w, logged in writes.items() if logged.data_committed} == Warehouse.of(warehouse).writes.write_ids()
    assert sum(a.rows for a in artifacts) == len(expected_ids)
    assert {a.table_uri for a in artifacts} <= {"ns/t"}
    remaining = check(warehouse)
    assert [e.code for e in remaining] == ([] if data_landed else ["ORPHANED_PROPERTIES_COMMIT"])
    assert all(e.severity == "warning" for e in remaining)


def test_the_rebuilt_artifact_equals_the_one_the_writer_would_have_recorded(tmp_path: Path) -> None:
    warehouse, table = tmp_path / "wh", tmp_path / "wh" / "t"
    _seed(table, warehouse)
    data = pa.table({"id": pa.array(range(100, 150), pa.int64()), "worker": pa.array([1] * 50, pa.int64())})
    # No warehouse: the writer records no artifact (as if killed just before the append).
    written = write_table(table, data, DeltaWritePolicy(zorder_by=("id",), compression_level=3))
    (write_id,) = set(logged_writes(Location.of(table))) - Warehouse.of(warehouse).writes.write_ids()
    rebuilt = rebuild_artifact(logged_writes(Location.of(table))[write_id], Warehouse.of(warehouse))

    assert rebuilt.table_uri == "t"
    fields = ("write_policy", "schema_policy", "policy_fingerprint", "version_before", "version_after", "rows")
    assert [getattr(rebuilt, f) for f in fields] == [getattr(written, f) for f in fields]
    assert rebuilt.files_added == written.files_added
    assert rebuilt.telemetry.bytes_written == written.telemetry.bytes_written
    assert (rebuilt.version_before, rebuilt.version_after) == (1, 4)  # properties, data, Z-order


def test_many_killed_writers_in_one_table_one_repair_restores_every_artifact(tmp_path: Path) -> None:
    warehouse, table = tmp_path / "wh", tmp_path / "wh" / "t"
    _seed(table, warehouse)
    rounds = [("data", None), ("properties", "id"), ("artifact", "id"), ("data", "worker"), ("properties", None)]
    first = ROWS
    for step, zorder in rounds:
        _killed_write(table, warehouse, step, first=first, zorder=zorder)
        first += ROWS
    landed = [i for i, (step, _) in enumerate(rounds) if step != "properties"]
    expected = list(range(ROWS)) + [i for n in landed for i in range(ROWS * (n + 1), ROWS * (n + 2))]
    assert _ids(table) == expected

    report = repair(warehouse)
    assert len(report.rebuilt) == len(landed) == 3
    orphans = [e for e in report.events if e.code == "ORPHANED_PROPERTIES_COMMIT"]
    assert len(orphans) == 2  # both rounds killed after the properties commit changed the policy
    artifacts, _ = Warehouse.of(warehouse).writes.list("t")
    assert len(artifacts) == 1 + len(landed)
    assert sum(a.rows for a in artifacts) == len(expected)
    assert len({a.version_after for a in artifacts}) == len(artifacts)
    assert repair(warehouse).rebuilt == []
