"""A consumer with nothing but artifact-contracts decodes every stored payload."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from engine_app.demo.tpch import queries
from engine_app.planning import ViewRegistry, plan_sql
from engine_app.session import EngineSession
from engine_app.stores import PlanArtifactStore, ViewArtifactStore

pytestmark = pytest.mark.engine

# Runs in a fresh interpreter where importing the engine or its libraries fails, so only
# artifact-contracts (and msgspec) can do the decoding.
_CONSUMER = """
import importlib.abc, sys
from pathlib import Path

BLOCKED = {"engine_app", "datafusion", "deltalake", "pyarrow", "duckdb", "arro3"}

class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"{name} is not available to a consumer")
        return None

sys.meta_path.insert(0, Block())

from artifact_contracts import SubstraitBytes, dumps_msgpack, loads_msgpack
from artifact_contracts.models import PlanArtifacts, ViewArtifact

count = 0
for path in sorted(Path(sys.argv[1]).glob("*.plan")):
    data = path.read_bytes()
    plan = loads_msgpack(data, PlanArtifacts)
    assert isinstance(plan.substrait, SubstraitBytes), path
    assert dumps_msgpack(plan) == data, path
    count += 1
for path in sorted(Path(sys.argv[1]).glob("*.view")):
    data = path.read_bytes()
    view = loads_msgpack(data, ViewArtifact)
    assert dumps_msgpack(view) == data, path
    count += 1
assert not any(m.split(".")[0] in BLOCKED for m in sys.modules), sorted(sys.modules)
print(count)
"""


def test_payloads_decode_with_only_the_contracts(tmp_path: Path, tpch_session: EngineSession) -> None:
    warehouse = tmp_path / "wh"
    registry = ViewRegistry(tpch_session)
    registry.register("big_orders", "SELECT o_orderkey FROM orders WHERE o_totalprice > 100000")
    planned = [plan_sql(tpch_session, queries()[n]) for n in ("q04", "q11", "q20")]
    PlanArtifactStore(warehouse).append(planned + [r.plan for r in registry.registered], tpch_session.environment())
    ViewArtifactStore(warehouse).append([r.view for r in registry.registered])
    exported = tmp_path / "payloads"
    exported.mkdir()
    count = 0
    for store, suffix in ((PlanArtifactStore(warehouse), "plan"), (ViewArtifactStore(warehouse), "view")):
        for index, payload in enumerate(store.store.read().table.column("payload").to_pylist()):
            (exported / f"{index:03d}.{suffix}").write_bytes(payload)
            count += 1
    completed = subprocess.run(
        [sys.executable, "-c", _CONSUMER, str(exported)], capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stderr
    assert int(completed.stdout) == count == 5  # four plans (one of the view) and one view
