from __future__ import annotations

import pytest

from artifact_contracts import dumps_msgpack, loads_msgpack
from artifact_contracts.models import PlanArtifacts
from engine_app.demo.tpch import queries
from engine_app.errors import PlanningError
from engine_app.planning import audit_bundle, plan_sql, split_statements
from engine_app.session import EngineSession

pytestmark = pytest.mark.engine


@pytest.mark.parametrize("name", sorted(queries()))
def test_every_tpch_query_plans_with_a_substrait_roundtrip(tpch_session: EngineSession, name: str) -> None:
    artifacts = plan_sql(tpch_session, queries()[name])
    assert artifacts.substrait is not None
    assert artifacts.substrait_validation.roundtrip_ok
    # Delta tables come through the FFI provider, which DataFusion's proto codec refuses.
    assert artifacts.datafusion_proto is None
    assert "LogicalExtensionCodec" in (artifacts.datafusion_proto_absent_reason or "")
    assert "/root/.cargo" not in (artifacts.datafusion_proto_absent_reason or "")
    assert artifacts.information_schema.tables
    assert {row.plan_type for row in artifacts.explain} == {"logical_plan", "physical_plan"}
    assert loads_msgpack(dumps_msgpack(artifacts), PlanArtifacts) == artifacts


def test_same_sql_same_fingerprint_and_bytes(tpch_session: EngineSession) -> None:
    first = plan_sql(tpch_session, queries()["q05"])
    second = plan_sql(tpch_session, queries()["q05"])
    assert dumps_msgpack(first) == dumps_msgpack(second)
    assert audit_bundle(first) == audit_bundle(second)


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("SELECT n_name FROM nation WHERE n_nationkey < 5", "SELECT n_name FROM nation WHERE n_nationkey < 6"),
        ("SELECT n_name FROM nation", "SELECT r_name FROM region"),
        ("SELECT count(*) FROM lineitem", "SELECT count(*) AS c FROM lineitem"),
    ],
)
def test_different_sql_different_fingerprint(tpch_session: EngineSession, left: str, right: str) -> None:
    assert plan_sql(tpch_session, left).plan_fingerprint != plan_sql(tpch_session, right).plan_fingerprint


def test_whitespace_does_not_change_the_fingerprint(tpch_session: EngineSession) -> None:
    a = plan_sql(tpch_session, "SELECT n_name FROM nation WHERE n_nationkey < 5")
    b = plan_sql(tpch_session, "select   n_name\nfrom nation where n_nationkey<5;")
    assert a.plan_fingerprint == b.plan_fingerprint


def test_unrelated_table_does_not_change_the_fingerprint(tpch_session: EngineSession, tmp_path) -> None:
    before = plan_sql(tpch_session, "SELECT n_name FROM nation")
    tpch_session.register_view("v_region", "SELECT r_name FROM region")
    after = plan_sql(tpch_session, "SELECT n_name FROM nation")
    assert before.plan_fingerprint == after.plan_fingerprint


@pytest.mark.parametrize(
    ("sql", "match"),
    [
        ("SELEC 1", "SQL error"),
        ("SELECT nope FROM nation", "nope"),
        ("CREATE TABLE t AS SELECT 1", "DDL not supported"),
        ("SELECT * FROM missing_table", "missing_table"),
    ],
)
def test_bad_statements_raise_planning_error(tpch_session: EngineSession, sql: str, match: str) -> None:
    with pytest.raises(PlanningError, match=match):
        plan_sql(tpch_session, sql)
    assert not tpch_session.ctx.table_exist("t")


def test_physical_text_has_no_table_locations(tpch_session: EngineSession, tmp_path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"x": [1, 2, 3]}), tmp_path / "data.parquet")
    from artifact_contracts.models import TableSpec

    tpch_session.register(TableSpec(name="px", path=str(tmp_path), format="parquet"))
    artifacts = plan_sql(tpch_session, "SELECT x FROM px WHERE x > 1")
    assert str(tmp_path).lstrip("/") not in artifacts.texts.physical
    assert "<table:px>/data.parquet" in artifacts.texts.physical
    assert all(str(tmp_path).lstrip("/") not in row.plan for row in artifacts.explain)
    # Listing tables serialize with DataFusion's own codec.
    assert artifacts.datafusion_proto is not None
    assert artifacts.datafusion_proto_absent_reason is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SELECT 1; SELECT 2", ["SELECT 1", "SELECT 2"]),
        (
            "SELECT ';' AS s;\n-- a comment; with a semicolon\nSELECT 2;",
            ["SELECT ';' AS s", "-- a comment; with a semicolon\nSELECT 2"],
        ),
        ("SELECT 'it''s; fine'", ["SELECT 'it''s; fine'"]),
        ("/* a; b */ SELECT 1 ;; ", ["/* a; b */ SELECT 1"]),
        ("  ;  -- only a comment\n", []),
    ],
)
def test_split_statements(text: str, expected: list[str]) -> None:
    assert split_statements(text) == expected
