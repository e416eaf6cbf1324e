"""Every store and the warehouse on a real S3-compatible server (see conftest.py)."""

from __future__ import annotations

import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.fs as pafs
import pytest

from artifact_contracts.models import (
    ArrowField,
    ArrowSchemaSnapshot,
    CdfCursor,
    DeltaProtocolGate,
    DeltaScanConfig,
    DeltaWritePolicy,
    IncrementalRun,
    PlanArtifacts,
    ViewArtifact,
)
from engine_app.delta import scan_table, write_table
from engine_app.demo.tpch import queries
from engine_app.errors import DeltaIOError
from engine_app.history import RunRecorder
from engine_app.lake import Location, commits_with
from engine_app.planning import plan_sql
from engine_app.session import EngineSession
from engine_app.stores import STORE_SPECS, Warehouse, make_event
from tests.engine.s3.checks import assert_files_in_declared_schema

pytestmark = pytest.mark.engine

NOW = datetime.datetime(2026, 12, 1, 12, 0, tzinfo=datetime.timezone.utc)


def test_location_on_s3(s3_warehouse: Location) -> None:
    assert not s3_warehouse.is_local
    assert not s3_warehouse.exists()
    assert not s3_warehouse.is_delta_table()
    with pytest.raises(DeltaIOError, match="is not on the local disk"):
        _ = s3_warehouse.path
    filesystem, path = s3_warehouse.filesystem()
    assert isinstance(filesystem, pafs.S3FileSystem)
    assert path == s3_warehouse.uri.removeprefix("s3://")
    filesystem.create_dir(path + "/notes")
    with filesystem.open_output_stream(path + "/notes/a.txt") as out:
        out.write("hé".encode())
    assert s3_warehouse.exists()
    assert s3_warehouse.read_text("notes/a.txt") == "hé"
    assert s3_warehouse.join("notes").exists()


def test_location_never_shows_its_options_and_makes_dirs_only_locally(
    s3_options: dict[str, str], s3_warehouse: Location, tmp_path: Path
) -> None:
    located = Location.of(s3_warehouse.uri, s3_options)
    for text in (str(located), repr(located), f"{located.join('t')}"):
        assert s3_options["AWS_SECRET_ACCESS_KEY"] not in text
        assert s3_warehouse.uri in text
    assert str(located) == s3_warehouse.uri
    located.join("t").make_dirs()  # no directory objects on S3: the prefix stays absent
    assert not located.exists()
    local = Location.of(tmp_path / "a" / "b")
    local.make_dirs()
    assert local.path.is_dir()
    assert local.exists()
    assert not local.is_delta_table()


def test_explicit_storage_options_reach_the_server(s3_options: dict[str, str], s3_warehouse: Location) -> None:
    # The same warehouse through options instead of the environment: a wrong endpoint fails.
    located = Location.of(s3_warehouse.uri, s3_options)
    assert located.storage_options == s3_options
    Warehouse(located).diagnostics.append([make_event("info", "S3_OPTIONS", "via options")])
    assert [e.code for e in Warehouse.of(s3_warehouse.uri).diagnostics.read()] == ["S3_OPTIONS"]
    broken = Location.of(s3_warehouse.uri, {**s3_options, "AWS_ENDPOINT_URL": "http://127.0.0.1:9"})
    with pytest.raises(OSError, match="Could not connect"):
        broken.exists()


def test_every_store_writes_lists_and_gets(s3_warehouse: Location, tpch_session: EngineSession, tmp_path: Path) -> None:
    warehouse = Warehouse.of(s3_warehouse.uri)
    planned: list[PlanArtifacts] = [plan_sql(tpch_session, queries()[name]) for name in ("q01", "q06")]
    assert warehouse.plans.append(planned, tpch_session.environment()) == 2
    assert warehouse.plans.append(planned, tpch_session.environment()) == 0
    assert sorted(p.artifacts.plan_fingerprint for p in warehouse.plans.list().items) == sorted(
        a.plan_fingerprint for a in planned
    )
    assert [p.artifacts for p in warehouse.plans.get(planned[1].plan_fingerprint).items] == [planned[1]]
    assert warehouse.plans.listing().table.num_rows == 2
    assert warehouse.plans.matching(planned[0].plan_fingerprint[:12]).table.num_rows == 1

    view = ViewArtifact(
        name="v1",
        sql="SELECT 1 AS a",
        output_schema=ArrowSchemaSnapshot(fields=(ArrowField(name="a", data_type="int64", nullable=False),)),
        plan_fingerprint=planned[0].plan_fingerprint,
    )
    assert warehouse.views.append([view, view]) == 1
    assert warehouse.views.list().items == [view]

    events = [make_event("warning", "S3_TEST", "on object storage", subject=str(n)) for n in range(3)]
    warehouse.diagnostics.append(events)
    assert warehouse.diagnostics.read() == events

    # A real write artifact and scan artifact, from a local table (the write pipeline is local).
    local = tmp_path / "t"
    written = write_table(local, pa.table({"id": [1, 2, 3]}), DeltaWritePolicy())
    assert warehouse.writes.append(written, write_id="w1") == 1
    assert warehouse.writes.append(written, write_id="w1") == 0
    assert warehouse.writes.write_ids() == {"w1"}
    assert warehouse.writes.list()[0] == [written]
    scanned = scan_table(local, DeltaScanConfig(predicate="id > 1"), DeltaProtocolGate()).artifact
    warehouse.scans.append(scanned)
    assert warehouse.scans.list(scanned.table_uri) == ([scanned], [])

    cursor = CdfCursor(consumer="c", table_uri="t", last_processed_version=4, updated_at=NOW)
    warehouse.cursors.advance(cursor)
    warehouse.cursors.advance(CdfCursor(consumer="c", table_uri="t", last_processed_version=2, updated_at=NOW))
    assert warehouse.cursors.get("c", "t") == cursor
    assert warehouse.cursors.list() == ([cursor], [])
    run = IncrementalRun(consumer="c", table_uri="t", from_version=0, to_version=4, inserts=3, committed_at=NOW)
    warehouse.runs.append(run)
    assert warehouse.runs.list("c") == ([run], [])

    record = RunRecorder("plan").record(tpch_session)
    assert warehouse.run_records.append(record) == 1
    assert warehouse.run_records.get(record.run_id).items == [record]

    assert warehouse.exists()
    # The log is read from S3 too: one commit per keyed write that added rows, none for the no-op.
    plan_commits = commits_with(warehouse.plans.location, "engine.store", warehouse.plans.store.name, after=0)
    assert [c["operation"] for c in plan_commits] == ["WRITE"]
    for spec in STORE_SPECS:
        table = warehouse.table(spec.table)
        assert table.is_delta_table(), spec.table
        assert_files_in_declared_schema(table, spec.schema)
