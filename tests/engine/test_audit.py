from __future__ import annotations

from pathlib import Path

import msgspec
import pyarrow as pa
import pytest
from deltalake import DeltaTable, write_deltalake

from artifact_contracts import dumps_msgpack, loads_msgpack
from artifact_contracts.models import DeterminismAuditBundle, EngineConfig, TableSpec
from engine_app.audit import audit_warehouse, compare_bundles
from engine_app.demo.tpch import queries
from engine_app.planning import ViewRegistry, audit_bundle, plan_sql
from engine_app.session import EngineSession
from engine_app.stores import PlanArtifactStore

pytestmark = pytest.mark.engine


def test_audit_reproduces_every_stored_plan(tmp_path: Path, tpch_session: EngineSession) -> None:
    ViewRegistry(tpch_session).register("cheap_parts", "SELECT p_partkey, p_name FROM part WHERE p_retailprice < 1000")
    planned = [plan_sql(tpch_session, queries()[name]) for name in ("q02", "q13", "q18")]
    planned.append(plan_sql(tpch_session, "SELECT count(*) FROM cheap_parts"))
    PlanArtifactStore(tmp_path).append(planned, tpch_session.environment())
    report = audit_warehouse(tmp_path)
    assert report.ok
    assert sorted(r.plan_fingerprint for r in report.results) == sorted(a.plan_fingerprint for a in planned)
    assert all(r.matches and not r.mismatches for r in report.results)


def test_changed_data_is_reported_field_by_field(tmp_path: Path) -> None:
    table = tmp_path / "data" / "t"
    write_deltalake(str(table), pa.table({"id": [1, 2, 3], "v": [1.0, 2.0, 3.0]}))
    session = EngineSession(EngineConfig(target_partitions=2))
    session.register(TableSpec(name="t", path=str(table)))
    artifacts = plan_sql(session, "SELECT id FROM t WHERE id > 1")
    warehouse = tmp_path / "wh"
    PlanArtifactStore(warehouse).append([artifacts], session.environment())
    # The column changes type under the stored plan.
    changed = pa.table({"id": ["a", "b"], "v": [1.0, 2.0]})
    write_deltalake(str(table), changed, mode="overwrite", schema_mode="overwrite")
    report = audit_warehouse(warehouse)
    assert not report.ok
    [result] = report.results
    fields = {m.field for m in result.mismatches}
    assert {"plan_fingerprint", "information_schema_hash", "artifact_hash"} <= fields
    assert "rulepack_hash" not in fields
    assert "planning_env_hash" not in fields
    mismatch = next(m for m in result.mismatches if m.field == "information_schema_hash")
    assert mismatch.expected == artifacts.information_schema_hash
    assert mismatch.actual != mismatch.expected
    assert [e.code for e in report.events] == ["AUDIT_MISMATCH"]


def test_a_tampered_bundle_names_the_one_field(tmp_path: Path, tpch_session: EngineSession) -> None:
    artifacts = plan_sql(tpch_session, queries()["q06"])
    store = PlanArtifactStore(tmp_path)
    store.append([artifacts], tpch_session.environment())
    stored = store.get(artifacts.plan_fingerprint).items[0]
    forged = msgspec.structs.replace(stored.bundle, optimized_plan_hash="sha256:" + "0" * 64)
    row = store.store.read().table
    row = row.set_column(row.schema.get_field_index("audit_bundle"), "audit_bundle", pa.array([dumps_msgpack(forged)]))
    DeltaTable(str(store.path)).delete()  # replace the row by one carrying the forged bundle
    write_deltalake(str(store.path), row, mode="append")
    report = audit_warehouse(tmp_path)
    [result] = report.results
    assert [m.field for m in result.mismatches] == ["optimized_plan_hash"]
    assert result.mismatches[0].expected == "sha256:" + "0" * 64


def test_unplannable_environment_is_an_error_result(tmp_path: Path, tpch_session: EngineSession) -> None:
    artifacts = plan_sql(tpch_session, "SELECT count(*) FROM region")
    environment = msgspec.structs.replace(
        tpch_session.environment(),
        tables=tuple(msgspec.structs.replace(t, location=str(tmp_path / "gone" / t.name)) for t in tpch_session.tables),
    )
    PlanArtifactStore(tmp_path).append([artifacts], environment)
    report = audit_warehouse(tmp_path)
    [result] = report.results
    assert not result.matches
    assert "cannot rebuild the planning environment" in (result.error or "")


def test_compare_bundles_lists_fields_in_order(tpch_session: EngineSession) -> None:
    bundle = audit_bundle(plan_sql(tpch_session, "SELECT 1 AS x"))
    assert compare_bundles(bundle, bundle) == []
    other = msgspec.structs.replace(bundle, rulepack_hash="sha256:" + "1" * 64, artifact_hash="sha256:" + "2" * 64)
    assert [m.field for m in compare_bundles(bundle, other)] == ["rulepack_hash", "artifact_hash"]
    assert loads_msgpack(dumps_msgpack(bundle), DeterminismAuditBundle) == bundle


def test_a_moved_warehouse_can_still_be_audited(tmp_path: Path) -> None:
    import shutil

    from artifact_contracts.models import PipelineSpec, QuerySpec
    from engine_app.demo import run_demo

    spec = PipelineSpec(tpch_scale=0.001, queries=(QuerySpec(name="q06", sql=queries()["q06"]),))
    original = tmp_path / "original"
    assert run_demo(spec, original).ok
    [stored] = PlanArtifactStore(original).list().items
    assert stored.environment is not None
    # Tables inside the warehouse are recorded relative to it.
    assert [t.location for t in stored.environment.tables][:2] == ["tpch/customer", "tpch/lineitem"]
    moved = tmp_path / "moved"
    shutil.move(original, moved)
    report = audit_warehouse(moved)
    assert report.ok, report.events
