from __future__ import annotations

import datetime
from pathlib import Path

import pyarrow as pa
import pytest
from deltalake import DeltaTable, write_deltalake

from artifact_contracts import dumps_msgpack, loads_msgpack
from artifact_contracts.models import PlanArtifacts, ViewArtifact
from engine_app.demo.tpch import queries
from engine_app.planning import audit_bundle, plan_sql
from engine_app.session import EngineSession
from engine_app.stores import PLAN_TABLE, VIEW_TABLE, PlanArtifactStore, ViewArtifactStore

pytestmark = pytest.mark.engine


@pytest.fixture
def planned(tpch_session: EngineSession) -> list[PlanArtifacts]:
    return [plan_sql(tpch_session, queries()[name]) for name in ("q01", "q06", "q14")]


def test_table_name_carries_the_schema_version() -> None:
    assert PLAN_TABLE == "datafusion_plan_artifacts_v2"
    assert VIEW_TABLE == "datafusion_view_artifacts_v2"


def test_append_list_get(tmp_path: Path, tpch_session: EngineSession, planned: list[PlanArtifacts]) -> None:
    store = PlanArtifactStore(tmp_path)
    assert store.append(planned, tpch_session.environment()) == 3
    listed = store.list()
    assert listed.events == []
    assert sorted(p.artifacts.plan_fingerprint for p in listed.items) == sorted(a.plan_fingerprint for a in planned)
    got = store.get(planned[1].plan_fingerprint)
    assert [p.artifacts for p in got.items] == [planned[1]]
    stored = got.items[0]
    assert stored.environment == tpch_session.environment()
    assert stored.bundle == audit_bundle(planned[1], stored.row.contract_hash)
    assert stored.row.payload == dumps_msgpack(planned[1])
    assert store.get("sha256:" + "0" * 64).items == []


def test_writing_the_same_plan_twice_does_not_duplicate(
    tmp_path: Path, tpch_session: EngineSession, planned: list[PlanArtifacts]
) -> None:
    store = PlanArtifactStore(tmp_path)
    store.append(planned[:2], tpch_session.environment())
    version = DeltaTable(str(store.path)).version()
    assert store.append(planned, tpch_session.environment()) == 1
    assert store.append(planned + planned, tpch_session.environment()) == 0
    assert DeltaTable(str(store.path)).version() == version + 1
    assert len(store.list().items) == 3
    assert DeltaTable(str(store.path)).count() == 3


def test_payload_columns_are_queryable_and_ext_encoded(
    tmp_path: Path, tpch_session: EngineSession, planned: list[PlanArtifacts]
) -> None:
    store = PlanArtifactStore(tmp_path)
    store.append(planned, tpch_session.environment())
    table = store.store.read().table
    assert {"plan_fingerprint", "view_name", "contract_version", "contract_hash", "created_at", "payload"} <= set(
        table.column_names
    )
    for payload in table.column("payload").to_pylist():
        substrait = loads_msgpack(payload, PlanArtifacts).substrait
        assert substrait is not None
        # ext 16 header: 0xc8, big-endian length, type 10, then the raw bytes (no base64).
        header = b"\xc8" + len(substrait).to_bytes(2, "big") + b"\x0a"
        assert header + substrait.data in payload


def test_a_row_that_does_not_decode_is_reported_and_the_rest_read(
    tmp_path: Path, tpch_session: EngineSession, planned: list[PlanArtifacts]
) -> None:
    store = PlanArtifactStore(tmp_path)
    store.append(planned[:2], tpch_session.environment())
    bad = pa.table(
        {
            "capture_id": ["sha256:" + "c" * 64],
            "plan_fingerprint": ["sha256:" + "f" * 64],
            "view_name": [None],
            "contract_version": ["0.1.0"],
            "contract_hash": ["sha256:" + "e" * 64],
            "created_at": [datetime.datetime.now(datetime.timezone.utc)],
            "payload": [b"\x93not a plan"],
            "sql": ["SELECT 1"],
            "substrait_roundtrip": [True],
            "environment": [None],
            "audit_bundle": [None],
        },
        schema=store.store.spec.schema,
    )
    write_deltalake(str(store.path), bad, mode="append")
    listed = store.list()
    assert len(listed.items) == 2
    [event] = listed.events
    assert event.code == "ROW_DECODE_FAILED"
    assert "sha256:" + "f" * 64 in (event.subject or "")
    assert event.issues


def test_views_store(tmp_path: Path) -> None:
    from artifact_contracts.models import ArrowField, ArrowSchemaSnapshot

    view = ViewArtifact(
        name="v1",
        sql="SELECT 1 AS a",
        output_schema=ArrowSchemaSnapshot(fields=(ArrowField(name="a", data_type="int64", nullable=False),)),
        plan_fingerprint="sha256:" + "1" * 64,
    )
    store = ViewArtifactStore(tmp_path)
    assert store.append([view, view]) == 1
    assert store.append([view]) == 0
    assert store.list().items == [view]
