"""Capture, execution and the audit on a real two-node Ray cluster, into local and S3 warehouses."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from artifact_contracts.models import TableSpec
from benchmarks.suite_scaleout import workload
from engine_app.cli import main
from engine_app.lake import Location, dataset
from engine_app.stores import PLAN_TABLE, PlanArtifactStore, RunRecordStore

pytestmark = [pytest.mark.engine, pytest.mark.slow]


def _rows(warehouse: Location) -> dict[str, bytes]:
    """The plan store's rows: capture id to payload (what a reader of the table sees)."""
    table = dataset(warehouse.join(PLAN_TABLE).open(), warehouse.join(PLAN_TABLE)).to_table(["capture_id", "payload"])
    ids, payloads = table.column("capture_id").to_pylist(), table.column("payload").to_pylist()
    assert len(ids) == len(set(ids)), "one row per capture"
    return dict(zip(ids, payloads))


def _fingerprints(warehouse: Location) -> dict[str, str | None]:
    (record,) = RunRecordStore(warehouse).list().items
    assert all(s.status == "ok" for s in record.statements), record.statements
    return {s.name: s.plan_fingerprint for s in record.statements}


def _sql_file(tmp_path: Path, variants: int) -> Path:
    """The 22 TPC-H queries, each also under ``LIMIT 1..variants``: distinct plans, named."""
    path = tmp_path / "workload.sql"
    path.write_text("".join(f"-- name: {name}\n{sql};\n" for name, _, sql in workload(variants)), encoding="utf-8")
    return path


def _tables(specs: list[TableSpec]) -> list[str]:
    return [f"--table={spec.name}={spec.path}" for spec in specs]


def test_the_demo_through_ray_gives_the_in_process_fingerprints_and_rows(tmp_path: Path, ray_cluster: str) -> None:
    local, on_ray = Location.of(tmp_path / "local"), Location.of(tmp_path / "ray")
    assert main(["run", "--scale", "0.001", "--warehouse", local.uri]) == 0
    argv = ["run", "--scale", "0.001", "--warehouse", on_ray.uri, "--executor", "ray", "--ray-address", ray_cluster]
    assert main(argv) == 0
    assert _fingerprints(on_ray) == _fingerprints(local)
    assert len(_fingerprints(local)) == 25
    assert _rows(on_ray) == _rows(local)
    assert main(["audit", "--warehouse", on_ray.uri, "--executor", "ray", "--ray-address", ray_cluster]) == 0


def test_plan_and_audit_through_ray(tmp_path: Path, ray_cluster: str, tpch_specs: list[TableSpec]) -> None:
    warehouse = tmp_path / "wh"
    ray = ["--executor", "ray", "--ray-address", ray_cluster]
    plan = ["plan", *_tables(tpch_specs), "--sql-file", str(_sql_file(tmp_path, 1)), "--warehouse", str(warehouse)]
    assert main([*plan, *ray, "--workers", "2"]) == 0
    assert len(_rows(Location.of(warehouse))) == 44
    assert main([*plan, *ray]) == 0  # the second capture stores nothing new
    assert len(_rows(Location.of(warehouse))) == 44
    assert main(["audit", "--warehouse", str(warehouse), *ray]) == 0


def test_a_spec_through_ray_into_object_storage(
    tmp_path: Path, ray_cluster: str, tpch_specs: list[TableSpec], s3_warehouse: Location
) -> None:
    sql = _sql_file(tmp_path, 0)
    ray = ["--executor", "ray", "--ray-address", ray_cluster]
    assert main(["plan", *_tables(tpch_specs), "--sql-file", str(sql), "--warehouse", s3_warehouse.uri, *ray]) == 0
    local = tmp_path / "local"
    assert main(["plan", *_tables(tpch_specs), "--sql-file", str(sql), "--warehouse", str(local)]) == 0
    assert _rows(s3_warehouse) == _rows(Location.of(local))
    assert _fingerprints(s3_warehouse) == _fingerprints(Location.of(local))


def _task_pids() -> list[int]:
    """Ray worker processes running a capture shard (Ray titles them ``ray::<function>``)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if cmdline.startswith(b"ray::capture_shard"):
                found.append(int(entry.name))
    return found


def test_a_killed_worker_loses_nothing_and_duplicates_nothing(
    tmp_path: Path, ray_cluster: str, tpch_specs: list[TableSpec]
) -> None:
    warehouse = tmp_path / "wh"
    sql = _sql_file(tmp_path, 5)  # 132 statements, 8 shards: a shard is running when the kill comes
    argv = [
        str(Path(sys.executable).with_name("engine-app")), "plan", *_tables(tpch_specs), "--sql-file", str(sql),
        "--warehouse", str(warehouse), "--executor", "ray", "--ray-address", ray_cluster, "--format", "json",
    ]  # fmt: skip
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=os.environ.copy())
    deadline, killed = time.monotonic() + 300, None
    while killed is None and proc.poll() is None and time.monotonic() < deadline:
        pids = _task_pids()
        if pids:
            time.sleep(0.5)  # let it plan (and perhaps commit) part of its shard
            os.kill(pids[0], signal.SIGKILL)
            killed = pids[0]
        time.sleep(0.05)
    out, err = proc.communicate(timeout=600)
    assert killed is not None, "no capture task was seen running"
    assert proc.returncode == 0, err
    outcomes = json.loads(out)
    assert len(outcomes) == 132 and all(o["error"] is None for o in outcomes)
    rows = _rows(Location.of(warehouse))
    assert len(rows) == 132  # every statement once: the retried shard added nothing twice
    (record,) = RunRecordStore(warehouse).list().items
    stored = PlanArtifactStore(warehouse).get_captures([s.capture_id for s in record.statements if s.capture_id])
    assert len(stored.items) == 132 and not stored.events


def test_without_an_address_a_local_runtime_starts_and_stops(tmp_path: Path, tpch_specs: list[TableSpec]) -> None:
    warehouse = tmp_path / "wh"
    argv = [
        str(Path(sys.executable).with_name("engine-app")), "plan", *_tables(tpch_specs), "--sql", "SELECT 1 AS one",
        "--warehouse", str(warehouse), "--executor", "ray", "--workers", "1", "--format", "json",
    ]  # fmt: skip
    done = subprocess.run(argv, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)[0]["error"] is None
    assert len(_rows(Location.of(warehouse))) == 1
