"""Plan history end to end: run records, diff of runs, captures kept apart, the baseline gate."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from artifact_contracts import loads_json
from artifact_contracts.models import EngineConfig, PlanDiffReport, RunRecord, TableSpec
from engine_app.cli import main
from engine_app.demo import demo_spec, run_demo, tpch
from engine_app.planning import capture_id, normalize_physical, plan_sql
from engine_app.session import EngineSession
from engine_app.stores import PlanArtifactStore, RunRecordStore

pytestmark = [pytest.mark.engine, pytest.mark.slow]

NO_HASH_JOIN = {"datafusion.optimizer.prefer_hash_join": "false"}
SCALE = 0.001


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[RunRecord]]:
    """A warehouse with three demo runs: two alike, the third with hash joins off."""
    warehouse = tmp_path_factory.mktemp("history") / "wh"
    spec = demo_spec(SCALE)
    for config in (EngineConfig(), EngineConfig(), EngineConfig(settings=NO_HASH_JOIN)):
        assert run_demo(msgspec.structs.replace(spec, engine=config), warehouse).ok
    records = sorted(RunRecordStore(warehouse).list().items, key=lambda r: r.started_at)
    return warehouse, records


def _diff(warehouse: Path, left: str, right: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, Any]:
    code = main(["diff", left, right, "--warehouse", str(warehouse), "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def test_every_run_records_every_statement_by_name(history: tuple[Path, list[RunRecord]]) -> None:
    _, records = history
    assert len(records) == 3
    names = [s.name for s in records[0].statements]
    assert names == ["revenue_by_nation", "open_orders", "top_open_customers", *(f"q{n:02d}" for n in range(1, 23))]
    for record in records:
        assert record.command == "run"
        assert all(s.status == "ok" and s.capture_id and s.rows is not None for s in record.statements)
        assert record.started_at <= record.ended_at
        assert {t.name for t in record.tables} >= set(tpch.TPCH_TABLES)


def test_two_runs_with_equal_settings_are_unchanged(
    history: tuple[Path, list[RunRecord]], capsys: pytest.CaptureFixture[str]
) -> None:
    warehouse, records = history
    code, data = _diff(warehouse, records[0].run_id, records[1].run_id[:8], capsys)
    assert code == 0
    report = msgspec.convert(data, PlanDiffReport)
    assert {e.status for e in report.entries} == {"unchanged"}
    assert len(report.entries) == 25
    assert report.settings == () and report.tables == () and report.libraries == ()


def _independently_changed(warehouse: Path) -> set[str]:
    """Which TPC-H queries plan another physical plan with hash joins off, asked of DataFusion directly."""
    sessions = []
    for settings in ({}, NO_HASH_JOIN):
        session = EngineSession(EngineConfig(settings=settings))
        for spec in tpch.table_specs(warehouse):
            session.register(spec)
        sessions.append(session)
    changed = set()
    for name, sql in tpch.queries().items():
        before, after = (normalize_physical(plan_sql(s, sql).texts.physical) for s in sessions)
        if before != after:
            changed.add(name)
    return changed


def test_a_physical_only_setting_names_exactly_the_plans_it_changed(
    history: tuple[Path, list[RunRecord]], capsys: pytest.CaptureFixture[str]
) -> None:
    warehouse, records = history
    code, data = _diff(warehouse, records[1].run_id, records[2].run_id, capsys)
    assert code == 1
    report = msgspec.convert(data, PlanDiffReport)
    changed = {e.name for e in report.entries if e.status == "changed"}
    queries = {name for name in changed if name.startswith("q")}
    assert queries == _independently_changed(warehouse)
    assert len(queries) == 20  # reference: 20 of the 22 TPC-H physical plans
    for entry in report.entries:
        if entry.status == "changed":
            components = [c.component for c in entry.changes]
            assert "physical" in components and "logical" not in components
            physical = next(c for c in entry.changes if c.component == "physical")
            assert physical.diff and "HashJoinExec" in physical.diff
    assert [(s.name, s.left, s.right) for s in report.settings] == [
        ("datafusion.optimizer.prefer_hash_join", "true", "false")
    ]


def test_captures_with_one_fingerprint_but_another_physical_plan_are_both_kept(tmp_path: Path) -> None:
    # More files, more file groups: the same plan fingerprint (the physical plan is not in
    # it) over another physical plan. The store keeps both captures, and says which run had which.
    data = tmp_path / "t"
    data.mkdir()
    pq.write_table(pa.table({"a": [1, 2]}), data / "part-0.parquet")
    store = PlanArtifactStore(tmp_path / "wh")
    captures = []
    for extra in range(3):
        session = EngineSession(EngineConfig(target_partitions=4))
        session.register(TableSpec(name="t", path=str(data), format="parquet"))
        artifacts = plan_sql(session, "SELECT a FROM t WHERE a > 0")
        store.append([artifacts], session.environment())
        captures.append((artifacts.plan_fingerprint, capture_id(artifacts)))
        pq.write_table(pa.table({"a": [extra]}), data / f"part-{extra + 1}.parquet")
    assert len({fingerprint for fingerprint, _ in captures}) == 1
    assert len({capture for _, capture in captures}) == 3
    stored = store.get(captures[0][0])
    assert [p.row.capture_id for p in stored.items] == [c for _, c in reversed(captures)]  # newest first


def test_a_warehouse_and_a_plan_fingerprint_are_sides_too(
    history: tuple[Path, list[RunRecord]], capsys: pytest.CaptureFixture[str]
) -> None:
    warehouse, records = history
    code, report = _diff(warehouse, records[2].run_id, str(warehouse), capsys)  # the warehouse: its newest run
    assert code == 0
    q05 = next(s for s in records[0].statements if s.name == "q05")
    q06 = next(s for s in records[0].statements if s.name == "q06")
    code, report = _diff(warehouse, q05.plan_fingerprint or "", q06.plan_fingerprint or "", capsys)
    assert code == 1
    [entry] = report["entries"]
    assert entry["status"] == "changed"
    assert {"logical", "optimized", "substrait"} <= {c["component"] for c in entry["changes"]}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["diff", "zz", "abcd"], "'zz' is not a run id: expected at least 4 of its hex digits (0-9, a-f)"),
        (["diff", "abcdef12", "abcd"], "no run 'abcdef12'"),
        (["diff", "sha256:" + "0" * 64, "abcd"], "no stored plan"),
        (["runs", "show", "0"], "is not a run id"),
    ],
)
def test_bad_sides_are_one_line_errors(
    history: tuple[Path, list[RunRecord]], capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    warehouse, _ = history
    assert main([*argv, "--warehouse", str(warehouse)]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_runs_list_and_show(history: tuple[Path, list[RunRecord]], capsys: pytest.CaptureFixture[str]) -> None:
    warehouse, records = history
    assert main(["runs", "list", "--warehouse", str(warehouse), "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [r["run_id"] for r in listed] == [r.run_id for r in records]  # oldest first
    assert main(["runs", "show", records[0].run_id[:6], "--warehouse", str(warehouse), "--format", "json"]) == 0
    shown = loads_json(capsys.readouterr().out, RunRecord)
    assert shown == records[0]


def test_plan_records_a_run_with_comment_names(
    tmp_path: Path, tpch_warehouse: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sql = tmp_path / "report.sql"
    sql.write_text("-- name: nations\nSELECT n_name FROM nation;\nSELECT r_name FROM region;\nSELECT nope FROM x")
    tables = [f"--table={n}={tpch_warehouse / 'tpch' / n}" for n in ("nation", "region")]
    assert main(["plan", *tables, "--sql-file", str(sql), "--warehouse", str(tmp_path / "wh")]) == 1
    capsys.readouterr()
    [record] = RunRecordStore(tmp_path / "wh").list().items
    assert record.command == "plan"
    assert [(s.name, s.status) for s in record.statements] == [
        ("nations", "ok"),
        ("report.sql:2", "ok"),
        ("report.sql:3", "failed"),
    ]
    assert record.statements[2].error and "x" in record.statements[2].error


def test_check_passes_fails_and_updates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "spec.json"
    queries = [{"name": n, "sql": tpch.queries()[n]} for n in ("q03", "q06", "q10")]
    spec.write_text(json.dumps({"tpch_scale": SCALE, "queries": queries}))
    nohash = tmp_path / "nohash.toml"
    nohash.write_text('[settings]\n"datafusion.optimizer.prefer_hash_join" = "false"\n')
    baseline = tmp_path / "baseline.json"
    common = ["--baseline", str(baseline), "--spec", str(spec), "--warehouse", str(tmp_path / "wh")]
    assert main(["check", *common]) == 2  # no baseline yet
    assert "cannot read the baseline" in capsys.readouterr().err
    assert main(["check", *common, "--update"]) == 0
    assert (
        baseline.read_bytes() == baseline.read_bytes() and json.loads(baseline.read_text())["kind"] == "plan_baseline"
    )
    first = baseline.read_bytes()
    assert main(["check", *common]) == 0
    assert main(["check", *common, "--config", str(nohash)]) == 1
    out = capsys.readouterr().out
    assert "changed  q03 (physical" in out and "changed  q10 (physical" in out
    assert "unchanged  q06" in out
    assert main(["check", *common, "--update"]) == 0
    assert baseline.read_bytes() == first  # the same planning writes the same bytes
    baseline.write_text('{"kind": "plan_baseline", "contract_version": "x"}')
    assert main(["check", *common]) == 2
    assert "$.contract_version" in capsys.readouterr().err
