"""Fixtures of the plan golden tests: one tiny TPC-H warehouse and a pinned session."""

from __future__ import annotations

from pathlib import Path

import pytest

from artifact_contracts.models import EngineConfig
from engine_app.demo import tpch
from engine_app.session import EngineSession

GOLDEN_SCALE = 0.001
"""TPC-H scale of the goldens: plans follow table statistics, so the data is pinned too."""


@pytest.fixture(scope="session")
def golden_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    warehouse = tmp_path_factory.mktemp("plan_golden_wh")
    tpch.generate(warehouse, GOLDEN_SCALE)
    return warehouse


@pytest.fixture
def golden_session(golden_warehouse: Path) -> EngineSession:
    # Two partitions: physical plan texts follow target_partitions, never the CPU count.
    session = EngineSession(EngineConfig(target_partitions=2))
    for spec in tpch.table_specs(golden_warehouse):
        session.register(spec)
    return session
