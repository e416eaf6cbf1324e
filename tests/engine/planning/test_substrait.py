from __future__ import annotations

import hashlib

import pytest
from datafusion.substrait import Producer, Serde

from engine_app.demo.tpch import queries
from engine_app.planning import canonical_substrait, named_tables, to_canonical_bytes, validate_roundtrip
from engine_app.session import EngineSession

pytestmark = pytest.mark.engine


@pytest.mark.parametrize("name", ["q01", "q05", "q15", "q22"])
def test_canonical_bytes_are_stable_within_a_process(tpch_session: EngineSession, name: str) -> None:
    optimized = tpch_session.ctx.sql(queries()[name].rstrip().rstrip(";")).optimized_logical_plan()
    raw = {hashlib.sha256(Producer.to_substrait_plan(optimized, tpch_session.ctx).encode()).digest() for _ in range(10)}
    canonical = {hashlib.sha256(to_canonical_bytes(optimized, tpch_session.ctx)[0]).digest() for _ in range(10)}
    assert len(canonical) == 1
    # The raw producer output is what needs canonicalizing: it varies between calls.
    assert len(raw) > 1


def test_canonical_is_a_fixpoint(tpch_session: EngineSession) -> None:
    optimized = tpch_session.ctx.sql(queries()["q03"].rstrip().rstrip(";")).optimized_logical_plan()
    data, document = to_canonical_bytes(optimized, tpch_session.ctx)
    again, _ = canonical_substrait(Serde.deserialize_bytes(data))
    assert again == data
    assert document["extensions"], "TPC-H q03 declares function extensions"


@pytest.mark.parametrize(
    ("name", "tables"),
    [
        ("q01", ("lineitem",)),
        ("q15", ("lineitem", "supplier")),
        ("q22", ("customer", "orders")),
    ],
)
def test_named_tables_include_subqueries(tpch_session: EngineSession, name: str, tables: tuple[str, ...]) -> None:
    optimized = tpch_session.ctx.sql(queries()[name].rstrip().rstrip(";")).optimized_logical_plan()
    _, document = to_canonical_bytes(optimized, tpch_session.ctx)
    assert named_tables(document) == tables


def test_roundtrip_validates_and_detects_garbage(tpch_session: EngineSession) -> None:
    df = tpch_session.ctx.sql("SELECT n_name, n_regionkey FROM nation WHERE n_nationkey < 5")
    data, document = to_canonical_bytes(df.optimized_logical_plan(), tpch_session.ctx)
    ok = validate_roundtrip(data, tpch_session.ctx, df, len(document.get("extensions", [])))
    assert ok.roundtrip_ok
    bad = validate_roundtrip(b"\x0a\xff\xff", tpch_session.ctx, df, 0)
    assert not bad.roundtrip_ok
    assert bad.error
