from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pytest
from deltalake import DeltaTable

from artifact_contracts.models import DeltaWritePolicy
from engine_app.delta import change_log_path, consumer_state, run_incremental, write_table
from engine_app.lake import dataset

pytestmark = [pytest.mark.engine, pytest.mark.slow]

WORKER = Path(__file__).with_name("delta_workers.py")
CDF = DeltaWritePolicy(change_data_feed=True)


def _build_source(path: Path, rng: random.Random, commits: int) -> None:
    write_table(path, pa.table({"id": pa.array(range(20), pa.int64()), "v": [float(i) for i in range(20)]}), CDF)
    next_id = 20
    for _ in range(commits):
        table, action = DeltaTable(str(path)), rng.choice(["append", "update", "delete"])
        if action == "append":
            ids = range(next_id, next_id + rng.randint(1, 4))
            next_id = ids.stop
            write_table(path, pa.table({"id": pa.array(ids, pa.int64()), "v": [0.0] * len(ids)}), CDF)
        elif action == "update":
            table.update(updates={"v": "v + 1"}, predicate=f"id % 5 = {rng.randrange(5)}")
        else:
            table.delete(f"id = {rng.randrange(next_id)}")


def _rows(table: pa.Table) -> Counter[tuple[object, ...]]:
    table = table.select(["id", "v", "_change_type", "_commit_version"])
    return Counter((r["id"], r["v"], str(r["_change_type"]), int(r["_commit_version"])) for r in table.to_pylist())


def _spawn(warehouse: Path, source: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, str(WORKER), "incremental", str(warehouse), str(source), "kc"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _applied(warehouse: Path) -> int:
    state = consumer_state(warehouse, "kc", "src")
    return -1 if state.applied is None else state.applied


def test_killed_runs_resume_without_loss_or_duplication(tmp_path: Path) -> None:
    rng = random.Random(20261124)
    source = tmp_path / "src"
    _build_source(source, rng, commits=14)
    latest = DeltaTable(str(source)).version()

    kills = 0
    for _ in range(30):  # bounded: each round kills one run (or sees it finish)
        before = _applied(tmp_path)
        if before == latest:
            break
        # Sometimes two runs of the consumer race each other; the ledger lets only one apply a batch.
        procs = [_spawn(tmp_path, source) for _ in range(rng.choice([1, 1, 2]))]
        # Kill mid-run: once a batch has committed, at a random point of the next ones
        # (change-log commit, cursor append, run record).
        deadline = time.monotonic() + 60
        while _applied(tmp_path) == before and any(p.poll() is None for p in procs) and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(rng.uniform(0.0, 0.3))
        for proc in procs:
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
                kills += 1
            _, stderr = proc.communicate(timeout=60)
            assert proc.returncode in (0, -signal.SIGKILL), stderr.decode()
    assert kills >= 5, kills

    run_incremental(tmp_path, source, "kc")
    state = consumer_state(tmp_path, "kc", "src")
    assert state.applied == latest
    assert state.cursor is not None and state.cursor.last_processed_version == latest

    target = change_log_path(tmp_path, "kc", "src")
    applied = _rows(dataset(DeltaTable(str(target)), target).to_table())
    expected = _rows(pa.table(DeltaTable(str(source)).load_cdf(starting_version=0)))
    assert applied == expected  # nothing lost, nothing applied twice

    # The ledger: each change-log commit covers the versions after the previous one's.
    covered = []
    for version in range(DeltaTable(str(target)).version() + 1):
        log = (target / "_delta_log" / f"{version:020d}.json").read_text().splitlines()
        info = next(json.loads(line)["commitInfo"] for line in log if '"commitInfo"' in line)
        covered.append(int(info["engine.cdf.toVersion"]))
    assert covered == sorted(set(covered)) and covered[-1] == latest
