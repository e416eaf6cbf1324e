"""The same SQL on the same data: equal fingerprints and bytes in fresh processes and anywhere."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from artifact_contracts.models import PipelineSpec, QuerySpec
from engine_app.demo import DEMO_VIEWS, run_demo, tpch

pytestmark = pytest.mark.engine

_PLAN_SCRIPT = """
import hashlib, json, sys
from pathlib import Path
from artifact_contracts import dumps_msgpack
from artifact_contracts.models import EngineConfig
from engine_app.demo import tpch
from engine_app.session import EngineSession
from engine_app.planning import plan_sql

session = EngineSession(EngineConfig(target_partitions=2))
for spec in tpch.table_specs(Path(sys.argv[1])):
    session.register(spec)
out = {}
for name in sys.argv[2:]:
    artifacts = plan_sql(session, tpch.queries()[name])
    out[name] = {
        "fingerprint": artifacts.plan_fingerprint,
        "substrait": hashlib.sha256(artifacts.substrait.data).hexdigest(),
        "artifact": hashlib.sha256(dumps_msgpack(artifacts)).hexdigest(),
    }
print(json.dumps(out))
"""

QUERIES = ["q01", "q03", "q09", "q15", "q21"]


def _plan_in_fresh_process(warehouse: Path) -> dict[str, dict[str, str]]:
    completed = subprocess.run(
        [sys.executable, "-c", _PLAN_SCRIPT, str(warehouse), *QUERIES],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "random"},
    )
    return json.loads(completed.stdout)


def test_two_fresh_processes_give_identical_fingerprints_substrait_and_artifact_bytes(tpch_warehouse: Path) -> None:
    first = _plan_in_fresh_process(tpch_warehouse)
    second = _plan_in_fresh_process(tpch_warehouse)
    assert first == second
    assert len({entry["fingerprint"] for entry in first.values()}) == len(QUERIES)


def _small_spec() -> PipelineSpec:
    names = ["q02", "q07", "q13", "q22"]
    return PipelineSpec(
        tpch_scale=0.001,
        views=DEMO_VIEWS,
        queries=tuple(QuerySpec(name=n, sql=tpch.queries()[n]) for n in names),
    )


def test_fingerprints_do_not_depend_on_where_the_warehouse_lives(tmp_path: Path) -> None:
    first = run_demo(_small_spec(), tmp_path / "a" / "warehouse")
    second = run_demo(_small_spec(), tmp_path / "elsewhere" / "deeper" / "wh")
    assert first.ok and second.ok
    assert [o.plan_fingerprint for o in first.outcomes] == [o.plan_fingerprint for o in second.outcomes]
    assert [o.rows for o in first.outcomes] == [o.rows for o in second.outcomes]
    # Running again in place changes nothing and stores nothing new.
    again = run_demo(_small_spec(), tmp_path / "a" / "warehouse")
    assert [o.plan_fingerprint for o in again.outcomes] == [o.plan_fingerprint for o in first.outcomes]
    assert again.stored_plans == 0
    assert again.stored_views == 0
