"""Shared fixtures of the engine tests: a tiny TPC-H warehouse, generated once."""

from __future__ import annotations

from pathlib import Path

import pytest

from artifact_contracts.models import EngineConfig, TableSpec
from engine_app.demo import tpch
from engine_app.session import EngineSession

TEST_SCALE = 0.001


@pytest.fixture(scope="session")
def tpch_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse holding TPC-H at scale 0.001 as Delta tables (read-only for tests)."""
    warehouse = tmp_path_factory.mktemp("tpch_wh")
    tpch.generate(warehouse, TEST_SCALE)
    return warehouse


@pytest.fixture(scope="session")
def tpch_specs(tpch_warehouse: Path) -> list[TableSpec]:
    return tpch.table_specs(tpch_warehouse)


@pytest.fixture
def tpch_session(tpch_specs: list[TableSpec]) -> EngineSession:
    session = EngineSession(EngineConfig(target_partitions=2))
    for spec in tpch_specs:
        session.register(spec)
    return session
