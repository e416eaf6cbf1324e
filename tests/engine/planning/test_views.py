from __future__ import annotations

import pytest

from engine_app.errors import PlanningError
from engine_app.planning import ViewRegistry
from engine_app.session import EngineSession

pytestmark = pytest.mark.engine


def test_view_artifacts_name_their_dependencies(tpch_session: EngineSession) -> None:
    registry = ViewRegistry(tpch_session)
    first = registry.register("open_orders", "SELECT o_orderkey, o_custkey FROM orders WHERE o_orderstatus = 'O'")
    second = registry.register(
        "open_by_nation",
        "SELECT n_name, count(*) AS n FROM open_orders JOIN customer ON o_custkey = c_custkey "
        "JOIN nation ON c_nationkey = n_nationkey GROUP BY n_name",
    )
    assert first.view.dependencies == ("orders",)
    assert second.view.dependencies == ("customer", "nation", "open_orders", "orders")
    assert [f.name for f in second.view.output_schema.fields] == ["n_name", "n"]
    assert second.plan.view_name == "open_by_nation"
    assert second.view.plan_fingerprint == second.plan.plan_fingerprint
    assert [r.view.name for r in registry.registered] == ["open_orders", "open_by_nation"]
    assert tpch_session.ctx.sql("SELECT count(*) AS c FROM open_by_nation").to_pylist()[0]["c"] > 0


def test_a_view_that_does_not_plan_is_not_registered(tpch_session: EngineSession) -> None:
    registry = ViewRegistry(tpch_session)
    with pytest.raises(PlanningError, match="no_such_column"):
        registry.register("broken", "SELECT no_such_column FROM nation")
    assert registry.registered == ()
    assert not tpch_session.ctx.table_exist("broken")
