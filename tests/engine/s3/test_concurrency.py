"""Concurrent and killed writers on a real S3-compatible server: exactly-once rows, no lock.

delta-rs 1.6 commits ``_delta_log/N.json`` with a conditional put, so racing writer
processes on S3 conflict like they do on a local disk. The checks read the table's files
with pyarrow alone, not only through the stores.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from artifact_contracts import loads_msgpack
from artifact_contracts.models import PlanArtifacts
from engine_app.lake import Location
from engine_app.stores import DIAGNOSTICS_TABLE, PLAN_TABLE, Warehouse
from engine_app.stores._diagnostics import DIAGNOSTICS_SPEC
from engine_app.stores._plans import PLAN_SPEC
from tests.engine.s3.checks import assert_files_in_declared_schema, committed_rows
from tests.engine.s3.s3_workers import artifact

pytestmark = [pytest.mark.engine, pytest.mark.slow]

WORKER = Path(__file__).with_name("s3_workers.py")
ROOT = Path(__file__).resolve().parents[3]


def start_worker(*args: object) -> subprocess.Popen[str]:
    """Start a writer in a fresh interpreter (it inherits the test's ``AWS_*`` environment)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    return subprocess.Popen(
        [sys.executable, str(WORKER), *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_four_writers_overlapping_keys(s3_warehouse: Location, template_file: Path) -> None:
    writers, span, stride, batch = 4, 16, 8, 4  # writer w stores keys [8w, 8w + 16): each key by two writers
    started = time.monotonic()
    procs = [
        start_worker(s3_warehouse.uri, template_file, w * stride, w * stride + span, batch, f"w{w}")
        for w in range(writers)
    ]
    outputs = [p.communicate(timeout=180) for p in procs]
    for proc, (_out, err) in zip(procs, outputs):
        assert proc.returncode == 0, err[-3000:]
    keys = (writers - 1) * stride + span
    template = loads_msgpack(template_file.read_bytes(), PlanArtifacts)
    expected = {artifact(template, n).plan_fingerprint for n in range(keys)}

    plans = committed_rows(s3_warehouse.join(PLAN_TABLE), ["plan_fingerprint"])
    counts = Counter(plans.column("plan_fingerprint").to_pylist())
    assert set(counts) == expected
    assert max(counts.values()) == 1, [k for k, n in counts.items() if n > 1]
    # Every overlapping key was offered twice; the rows written add up to each key once.
    written = sum(int(line.split()[1]) for out, _ in outputs for line in out.splitlines() if line.startswith("plans"))
    assert written == keys

    events = committed_rows(s3_warehouse.join(DIAGNOSTICS_TABLE), ["subject"]).column("subject").to_pylist()
    commits_per_writer = span // batch
    assert sorted(events) == sorted(f"w{w}/{n}" for w in range(writers) for n in range(commits_per_writer))

    warehouse = Warehouse.of(s3_warehouse.uri)
    assert {p.artifacts.plan_fingerprint for p in warehouse.plans.list().items} == expected
    assert len(warehouse.diagnostics.read()) == writers * commits_per_writer
    assert_files_in_declared_schema(s3_warehouse.join(PLAN_TABLE), PLAN_SPEC.schema)
    assert_files_in_declared_schema(s3_warehouse.join(DIAGNOSTICS_TABLE), DIAGNOSTICS_SPEC.schema)
    print(f"{writers} writers, {keys} keys, {len(events)} appends on S3 in {time.monotonic() - started:.1f} s")


def test_killed_writers_leave_a_readable_store_without_duplicates(s3_warehouse: Location, template_file: Path) -> None:
    keys, batch, rounds = 24, 2, 3
    template = loads_msgpack(template_file.read_bytes(), PlanArtifacts)
    expected = {artifact(template, n).plan_fingerprint for n in range(keys)}
    table = s3_warehouse.join(PLAN_TABLE)
    store = Warehouse.of(s3_warehouse.uri).plans
    random_kill = random.Random(14)  # a reproducible kill moment
    before: set[str] = set()
    kills = 0
    for round_number in range(rounds):
        proc = start_worker(s3_warehouse.uri, template_file, 0, keys, batch, f"r{round_number}")
        assert proc.stdout is not None
        # Kill once the writer is committing: right after a commit, or during the next one.
        first = proc.stdout.readline()
        assert first.startswith("plans"), proc.stderr.read() if proc.stderr else first
        time.sleep(random_kill.uniform(0.0, 0.4))
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            kills += 1
        proc.communicate(timeout=60)
        listed = store.list()
        assert listed.events == []
        stored = [p.artifacts.plan_fingerprint for p in listed.items]
        counts = Counter(committed_rows(table, ["plan_fingerprint"]).column("plan_fingerprint").to_pylist())
        assert max(counts.values()) == 1, [k for k, n in counts.items() if n > 1]
        assert set(counts) == set(stored) < expected  # killed before it finished
        assert before <= set(stored)  # nothing committed before a kill vanishes
        before = set(stored)
    assert kills == rounds
    # Left alone, one more run finishes the work: every key exactly once.
    last = start_worker(s3_warehouse.uri, template_file, 0, keys, batch, "final")
    _, err = last.communicate(timeout=120)
    assert last.returncode == 0, err[-3000:]
    counts = Counter(committed_rows(table, ["plan_fingerprint"]).column("plan_fingerprint").to_pylist())
    assert set(counts) == expected
    assert max(counts.values()) == 1
    assert_files_in_declared_schema(table, PLAN_SPEC.schema)
    print(f"{kills} SIGKILLs mid-write on S3, then {keys} keys each stored once")
