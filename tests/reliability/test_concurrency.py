"""Several spawned processes storing overlapping artifacts at once: each lands exactly once."""

from __future__ import annotations

from pathlib import Path

import pytest
from deltalake import DeltaTable

from artifact_contracts import loads_msgpack
from artifact_contracts.models import PlanArtifacts
from engine_app.stores import PlanArtifactStore
from tests.engine.stores.checks import assert_declared_schema
from tests.reliability.killing import run_worker
from tests.reliability.store_workers import artifact

pytestmark = [pytest.mark.engine, pytest.mark.slow]


@pytest.mark.parametrize(("workers", "each", "step"), [(4, 12, 6)])
def test_concurrent_writers_store_every_artifact_once(
    tmp_path: Path, template_file: Path, workers: int, each: int, step: int
) -> None:
    # Worker w stores artifacts w*step .. w*step+each-1: every artifact but the first and
    # last few is written by two processes racing each other, three per commit.
    procs = [
        run_worker("plans", str(tmp_path), str(template_file), str(w * step), str(w * step + each), "3")
        for w in range(workers)
    ]
    results = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0] * workers, [err for _, err in results]

    total = (workers - 1) * step + each
    template = loads_msgpack(template_file.read_bytes(), PlanArtifacts)
    listed = PlanArtifactStore(tmp_path).list()
    assert listed.events == []
    assert sorted(p.artifacts.plan_fingerprint for p in listed.items) == sorted(
        artifact(template, n).plan_fingerprint for n in range(total)
    )
    assert DeltaTable(str(PlanArtifactStore(tmp_path).path)).count() == total  # physically once, too
    store = PlanArtifactStore(tmp_path).store
    assert assert_declared_schema(store.location, store.spec) >= workers  # plain types in every file
    written = sum(int(line.split()[1]) for out, _ in results for line in out.splitlines())
    assert written == total  # the writers' own counts agree: no row was written twice
