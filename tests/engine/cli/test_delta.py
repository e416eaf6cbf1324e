from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from deltalake import DeltaTable

from artifact_contracts.models import ScanTelemetry, WriteTelemetry
from engine_app.cli import main
from engine_app.delta import FINGERPRINT_KEY
from engine_app.stores import ScanArtifactStore, WriteArtifactStore

pytestmark = pytest.mark.engine


@pytest.fixture
def files(tmp_path: Path) -> Path:
    data = pa.table({"id": list(range(1000)), "region": ["eu", "us"] * 500, "v": [i / 2 for i in range(1000)]})
    pq.write_table(data, tmp_path / "data.parquet")
    (tmp_path / "write.json").write_text('{"partition_by": ["region"], "zorder_by": ["id"], "max_rows_per_group": 100}')
    (tmp_path / "schema.toml").write_text('schema_mode = "merge"\nrequired_columns = ["id"]\n')
    return tmp_path


def _write(files: Path, *extra: str) -> int:
    return main(
        [
            "write",
            "--table",
            str(files / "wh" / "sales"),
            "--data",
            str(files / "data.parquet"),
            "--warehouse",
            str(files / "wh"),
            *extra,
        ]
    )


def test_write_then_scan(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    policies = ["--write-policy", str(files / "write.json"), "--schema-policy", str(files / "schema.toml")]
    assert _write(files, *policies, "--format", "json") == 0
    written = json.loads(capsys.readouterr().out)
    assert written["kind"] == "delta_write"
    assert written["write_policy"]["zorder_by"] == ["id"]
    assert written["schema_policy"] == {"schema_mode": "merge", "required_columns": ["id"]}
    table = DeltaTable(str(files / "wh" / "sales"))
    assert table.metadata().partition_columns == ["region"]
    assert table.history(1)[0][FINGERPRINT_KEY] == written["policy_fingerprint"]
    assert len(WriteArtifactStore(files / "wh").list("sales")[0]) == 1

    argv = ["scan", "--table", str(files / "wh" / "sales"), "--warehouse", str(files / "wh")]
    assert main([*argv, "--where", "region = 'eu' AND id < 100", "--columns", "id,v", "--format", "json"]) == 0
    scanned = json.loads(capsys.readouterr().out)
    assert scanned["kind"] == "delta_scan"
    assert scanned["scan_config"] == {"columns": ["id", "v"], "predicate": "region = 'eu' AND id < 100"}
    telemetry = scanned["telemetry"]  # array_like on the wire, by field name in the command's JSON
    assert set(telemetry) == set(ScanTelemetry.__struct_fields__)
    counts = ("fragment_count", "count_rows", "estimated_rows", "files_total", "files_pruned")
    assert tuple(telemetry[name] for name in counts) == (1, 50, 500, 2, 1)
    # Z-ordered by id: one row group of the partition holds id < 100.
    assert (telemetry["row_group_count"], telemetry["row_groups_pruned"]) == (5, 4)
    assert set(written["telemetry"]) == set(WriteTelemetry.__struct_fields__)
    assert written["telemetry"]["rows_written"] == 1000
    assert main([*argv, "--version", "0"]) == 0  # the table's creation: schema and properties, no rows
    assert "scanned sales at version 0: 0 rows" in capsys.readouterr().out
    assert main([*argv, "--version", "1"]) == 0  # the data commit, before the Z-order
    assert "scanned sales at version 1: 1000 rows" in capsys.readouterr().out
    assert len(ScanArtifactStore(files / "wh").list()[0]) == 3


@pytest.mark.parametrize(
    ("setup", "argv", "message"),
    [
        ('{"zorderby": ["id"]}', ["--write-policy", "{p}"], "$.zorderby: Object contains unknown field"),
        ('{"zorder_by": ["region"], "partition_by": ["region"]}', ["--write-policy", "{p}"], "partition column"),
        ('{"required_columns": ["owner"]}', ["--schema-policy", "{p}"], "required column 'owner' is missing"),
        ("", ["--write-policy", "{p}.missing"], "policy.json.missing: no such file"),
    ],
)
def test_write_user_errors_commit_nothing(
    files: Path, capsys: pytest.CaptureFixture[str], setup: str, argv: list[str], message: str
) -> None:
    policy = files / "policy.json"
    policy.write_text(setup)
    assert _write(files, *[a.replace("{p}", str(policy)) for a in argv]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not (files / "wh" / "sales").exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--gate", "{gate}"], "writer version 2 is above the gate's 1"),
        (["--version", "7"], "has versions 0 to 1"),
        (["--where", "nope = 1"], "invalid scan predicate"),
        (["--timestamp", "yesterday"], "Invalid RFC3339"),
    ],
)
def test_scan_user_errors(files: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str) -> None:
    assert _write(files) == 0
    (files / "gate.json").write_text('{"max_writer_version": 1}')
    argv = [a.replace("{gate}", str(files / "gate.json")) for a in argv]
    capsys.readouterr()
    assert main(["scan", "--table", str(files / "wh" / "sales"), *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
