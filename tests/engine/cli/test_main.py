from __future__ import annotations

import json
from pathlib import Path

import pytest

from artifact_contracts import dumps_json, loads_msgpack, loads_toml
from artifact_contracts.models import PipelineSpec, PlanArtifacts
from engine_app.cli import main

pytestmark = pytest.mark.engine


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["run"],
        ["plan"],
        ["artifacts"],
        ["artifacts", "list"],
        ["artifacts", "show"],
        ["audit"],
        ["profile"],
        ["diagnostics"],
        ["incremental"],
        ["write"],
        ["scan"],
    ],
)
def test_help_everywhere(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main([*argv, "--help"])
    assert caught.value.code == 0
    assert "usage: engine-app" in capsys.readouterr().out


def _plan_json(tpch_warehouse: Path, warehouse: Path, sql: str, capture: pytest.CaptureFixture) -> tuple[int, list]:  # type: ignore[type-arg]
    tables = [f"--table={name}={tpch_warehouse / 'tpch' / name}" for name in ("nation", "region")]
    code = main(["plan", *tables, "--sql", sql, "--warehouse", str(warehouse), "--format", "json"])
    return code, json.loads(capture.readouterr().out)


def test_plan_reports_each_statement_and_goes_on(
    tpch_warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sql = "SELECT n_name FROM nation; SELECT * FROM nowhere; SELECT r_name FROM region ORDER BY r_name"
    code, rows = _plan_json(tpch_warehouse, tmp_path, sql, capsys)
    assert code == 1
    assert [r["statement"] for r in rows] == [1, 2, 3]
    assert rows[0]["plan_fingerprint"].startswith("sha256:") and rows[0]["substrait_roundtrip"] is True
    assert rows[0]["error"] is None
    assert rows[1]["plan_fingerprint"] is None and "nowhere" in rows[1]["error"]
    assert rows[2]["error"] is None
    # The failure is a persisted diagnostics event.
    assert main(["diagnostics", "--warehouse", str(tmp_path)]) == 0
    assert "PLAN_FAILED [statement 2]" in capsys.readouterr().out

    assert main(["artifacts", "list", "--warehouse", str(tmp_path), "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    planned = [rows[0]["plan_fingerprint"], rows[2]["plan_fingerprint"]]
    assert sorted(r["plan_fingerprint"] for r in listed) == sorted(planned)
    assert all({"plan_fingerprint", "view_name", "contract_version"} <= set(r) for r in listed)


def test_plan_reads_sql_files_and_parquet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"k": [1, 2, 2], "v": ["a", "b", "c"]}), tmp_path / "t.parquet")
    sql_file = tmp_path / "q.sql"
    sql_file.write_text("-- two statements\nSELECT k, count(*) FROM t GROUP BY k;\nSELECT max(v) FROM t;\n")
    wh = tmp_path / "wh"
    table = f"t={tmp_path / 't.parquet'}"
    code = main(["plan", "--table", table, "--sql-file", str(sql_file), "--warehouse", str(wh)])
    assert code == 0
    out = capsys.readouterr().out
    assert out.count("sha256:") == 2


def test_show_json_and_msgpack(
    tpch_warehouse: Path, tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    _, rows = _plan_json(tpch_warehouse, tmp_path, "SELECT count(*) FROM nation", capsysbinary)
    fingerprint = rows[0]["plan_fingerprint"]
    assert main(["artifacts", "show", fingerprint, "--warehouse", str(tmp_path), "--format", "msgpack"]) == 0
    payload = capsysbinary.readouterr().out
    artifacts = loads_msgpack(payload, PlanArtifacts)
    assert artifacts.plan_fingerprint == fingerprint
    # A unique prefix is enough; JSON is the canonical encoding.
    assert main(["artifacts", "show", fingerprint[7:20], "--warehouse", str(tmp_path)]) == 0
    assert capsysbinary.readouterr().out == dumps_json(artifacts) + b"\n"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["artifacts", "show", "sha256:" + "0" * 64], "no warehouse there"),
        (["artifacts", "show", "not-hex"], "expected sha256: and up to 64 hex digits"),
        (["audit"], "no warehouse there"),
        (["plan", "--table", "x", "--sql", "SELECT 1"], "NAME=PATH"),
        (["plan", "--table", "x=/definitely/not/here", "--sql", "SELECT 1"], "no table at"),
        (["plan", "--table", "x=.", "--sql", " ; -- nothing"], "no statement"),
    ],
)
def test_user_errors_exit_2_without_traceback(
    tmp_path: Path, argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*argv, "--warehouse", str(tmp_path / "wh")]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("name", "text", "path"),
    [
        ("spec.toml", '[[tables]]\nname = "t"\npath = "x"\nformt = "delta"\n', "$.tables[0].formt"),
        (
            "spec.json",
            '{"engine": {"settings": {"datafusion.optimizer.nope": "1"}}}',
            '$.engine.settings["datafusion.optimizer.nope"]',
        ),
        ("spec.toml", '[[tables]]\nname = "t"\npath = "missing"\n', "$.tables[0].path"),
        ("spec.toml", "tpch_scale = 0.001\n[engine]\ntarget_partitions = 0\n", "$.engine.target_partitions"),
    ],
)
def test_bad_spec_is_a_clear_error_and_writes_nothing(
    tmp_path: Path, name: str, text: str, path: str, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / name
    spec.write_text(text)
    warehouse = tmp_path / "wh"
    assert main(["run", "--spec", str(spec), "--warehouse", str(warehouse)]) == 2
    assert path in capsys.readouterr().err
    assert not warehouse.exists()


def test_bad_config_file_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "engine.toml"
    config.write_text("batch_size = 0\n")
    assert main(["run", "--config", str(config), "--warehouse", str(tmp_path / "wh"), "--scale", "0.001"]) == 2
    assert "$.batch_size" in capsys.readouterr().err
    assert not (tmp_path / "wh").exists()


@pytest.mark.slow
def test_demo_run_then_audit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    warehouse = tmp_path / "warehouse"
    assert main(["run", "--scale", "0.001", "--warehouse", str(warehouse), "--format", "json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert [r["name"] for r in first if r["kind"] == "query"] == [f"q{n:02d}" for n in range(1, 23)]
    assert all(r["error"] is None and r["substrait_roundtrip"] and r["rows"] is not None for r in first)
    assert main(["run", "--scale", "0.001", "--warehouse", str(warehouse)]) == 0
    summary = capsys.readouterr().out
    assert "stored 0 new plan(s)" in summary
    assert main(["audit", "--warehouse", str(warehouse), "--format", "json"]) == 0
    audit = json.loads(capsys.readouterr().out)
    assert len(audit) == len(first)
    assert all(r["matches"] for r in audit)


def test_profile_json_carries_the_planning_env_hash(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from artifact_contracts import loads_json
    from artifact_contracts.models import EngineConfig, RuntimeProfileSnapshot
    from engine_app.session import EngineSession

    config = tmp_path / "engine.json"
    config.write_text('{"target_partitions": 3}')
    assert main(["profile", "--config", str(config), "--format", "json"]) == 0
    profile = loads_json(capsys.readouterr().out, RuntimeProfileSnapshot)
    assert profile.target_partitions == 3
    assert profile.planning_env_hash == EngineSession(EngineConfig(target_partitions=3)).profile.planning_env_hash
    assert main(["profile"]) == 0
    assert "planning environment hash: sha256:" in capsys.readouterr().out


def test_the_example_spec_decodes_and_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--print-spec"]) == 0
    text = capsys.readouterr().out
    spec = loads_toml(text, PipelineSpec)
    assert spec.tpch_scale is not None and spec.views and len(spec.queries) == 2
    path = tmp_path / "spec.toml"
    path.write_text(text)
    # As printed; --scale only makes the TPC-H it generates small enough for a test.
    argv = ["run", "--spec", str(path), "--scale", "0.001", "--warehouse", str(tmp_path / "wh"), "--format", "json"]
    assert main(argv) == 0
    outcomes = json.loads(capsys.readouterr().out)
    assert [o["name"] for o in outcomes] == [v.name for v in spec.views] + [q.name for q in spec.queries]
    assert all(o["error"] is None for o in outcomes)
