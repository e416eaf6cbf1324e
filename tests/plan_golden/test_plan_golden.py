"""Plan goldens: the recorded plan of a few fixed queries, pinned field by field.

Each golden holds the SQL, the optimized logical and physical plan texts, the output
schema, the tables read, the fingerprints and the canonical Substrait plan (as JSON). A
DataFusion upgrade, an optimizer setting or an engine change that alters any of them
fails here with a diff; regenerate with ``pytest tests/plan_golden --update-goldens``
when the change is intended, and review the diff.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from datafusion.substrait import Serde

from artifact_contracts.models import EngineConfig, PlanArtifacts, TableSpec
from engine_app.demo import DEMO_VIEWS
from engine_app.demo.tpch import queries
from engine_app.planning import ViewRegistry, plan_sql
from engine_app.session import EngineSession
from tests.golden import Golden

pytestmark = pytest.mark.engine

TPCH = ["q01", "q03", "q06", "q13", "q18", "q22"]


def render(artifacts: PlanArtifacts) -> str:
    """Render the parts of a plan that a golden pins, as reviewable text."""
    assert artifacts.substrait is not None
    substrait = json.loads(Serde.deserialize_bytes(artifacts.substrait.data).to_json())
    schema = "\n".join(
        f"{f.name}: {f.data_type}{'' if f.nullable else ' not null'}" for f in artifacts.output_schema.fields
    )
    columns = "\n".join(f"{c.table_name}.{c.column_name}: {c.data_type}" for c in artifacts.information_schema.columns)
    sections = {
        "sql": artifacts.sql,
        "optimized logical plan": artifacts.texts.optimized_logical,
        "physical plan": artifacts.texts.physical.rstrip("\n"),
        "output schema": schema,
        "columns read": columns,
        "substrait round trip": (
            f"ok={artifacts.substrait_validation.roundtrip_ok} "
            f"extensions={artifacts.substrait_validation.extension_count}"
        ),
        "datafusion proto": artifacts.datafusion_proto_absent_reason or "present",
        "fingerprints": "\n".join(
            [
                f"plan_fingerprint: {artifacts.plan_fingerprint}",
                f"information_schema_hash: {artifacts.information_schema_hash}",
                f"rulepack_hash: {artifacts.rulepack_hash}",
                f"substrait sha256: {hashlib.sha256(artifacts.substrait.data).hexdigest()}",
            ]
        ),
        "substrait (canonical, as JSON)": json.dumps(substrait, indent=2, sort_keys=True),
    }
    return "\n".join(f"== {title} ==\n{body}" for title, body in sections.items())


@pytest.mark.parametrize("name", TPCH)
def test_tpch_plan_golden(golden_session: EngineSession, golden: Golden, name: str) -> None:
    golden.check(f"tpch/{name}", render(plan_sql(golden_session, queries()[name])))


def test_parquet_plan_golden(tmp_path: Path, golden: Golden) -> None:
    # A listing table: DataFusion proto bytes are recorded, and the physical plan's file
    # paths appear relative to the table (<table:NAME>), never as this machine's tmp path.
    data = tmp_path / "events"
    data.mkdir()
    pq.write_table(pa.table({"id": list(range(100)), "kind": ["a", "b"] * 50}), data / "part-0.parquet")
    session = EngineSession(EngineConfig(target_partitions=2))
    session.register(TableSpec(name="events", path=str(data), format="parquet"))
    artifacts = plan_sql(session, "SELECT kind, count(*) AS n FROM events WHERE id >= 10 GROUP BY kind ORDER BY kind")
    assert artifacts.datafusion_proto is not None
    golden.check("parquet/events_by_kind", render(artifacts))


def test_view_plan_golden(golden_session: EngineSession, golden: Golden) -> None:
    registry = ViewRegistry(golden_session)
    for view in DEMO_VIEWS:
        registry.register(view.name, view.sql)
    last = registry.registered[-1]
    golden.check(f"views/{last.view.name}", render(last.plan))
    golden.check(f"views/{last.view.name}.dependencies", "\n".join(last.view.dependencies))
