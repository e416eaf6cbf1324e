"""Shared fixtures of the reliability tests: one real plan artifact to make many from."""

from __future__ import annotations

from pathlib import Path

import pytest

from artifact_contracts import dumps_msgpack
from artifact_contracts.models import EngineConfig
from engine_app.demo import tpch
from engine_app.planning import plan_sql
from engine_app.session import EngineSession


@pytest.fixture(scope="session")
def template_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real PlanArtifacts (TPC-H Q6 at scale 0.001), MessagePack-encoded in a file.

    The workers stamp copies of it with their own fingerprints, so that hundreds of
    distinct artifacts cost one planning run.
    """
    warehouse = tmp_path_factory.mktemp("tpch_wh")
    tpch.generate(warehouse, 0.001)
    session = EngineSession(EngineConfig(target_partitions=2))
    for spec in tpch.table_specs(warehouse):
        session.register(spec)
    path = warehouse / "template.msgpack"
    path.write_bytes(dumps_msgpack(plan_sql(session, tpch.queries()["q06"])))
    return path
