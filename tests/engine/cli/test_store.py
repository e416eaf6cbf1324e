"""``engine-app store check|repair|optimize|vacuum`` on real warehouses."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest
from deltalake import CommitProperties, DeltaTable, write_deltalake

from artifact_contracts.models import DeltaWritePolicy
from engine_app.cli import main
from engine_app.delta import write_table
from engine_app.stores import DIAGNOSTICS_TABLE, Warehouse, make_event

pytestmark = pytest.mark.engine

DATA = pa.table({"id": pa.array(range(20), pa.int64()), "k": pa.array(["a", "b"] * 10)})


def _tree(root: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*")}


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    """A warehouse with a recorded write, a write whose artifact is missing, and diagnostics."""
    root = tmp_path / "wh"
    write_table(root / "sales", DATA, DeltaWritePolicy(), warehouse=root)
    write_table(root / "sales", DATA, DeltaWritePolicy())  # no artifact: as if killed before the append
    for n in range(3):  # three commits: something for optimize to compact
        Warehouse.of(root).diagnostics.append([make_event("info", "NOTE", f"note {n}")])
    return root


@pytest.mark.parametrize("command", ["check", "repair", "optimize", "vacuum"])
def test_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit, match="0"):
        main(["store", command, "--help"])
    assert "usage: engine-app store" in capsys.readouterr().out


def test_check_reports_then_repair_rebuilds_then_check_is_clean(
    warehouse: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _tree(warehouse)
    assert main(["store", "check", "--warehouse", str(warehouse)]) == 1
    out = capsys.readouterr().out
    assert "ERROR WRITE_ARTIFACT_MISSING [sales]" in out
    assert "1 problem(s)" in out
    assert _tree(warehouse) == before  # read-only: nothing written, not even a diagnostics event

    assert main(["store", "repair", "--warehouse", str(warehouse), "--format", "json"]) == 0
    repaired = json.loads(capsys.readouterr().out)
    assert [(a["table_uri"], a["version_before"], a["version_after"], a["rows"]) for a in repaired["rebuilt"]] == [
        ("sales", 1, 2, 20)
    ]
    assert main(["store", "repair", "--warehouse", str(warehouse)]) == 0
    assert "rebuilt 0 write artifact(s)" in capsys.readouterr().out

    assert main(["store", "check", "--warehouse", str(warehouse), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"clean": True, "ok": True, "events": []}


def test_check_finds_a_store_file_off_its_declared_schema(warehouse: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = warehouse / DIAGNOSTICS_TABLE
    declared = DeltaTable(str(store)).schema().to_arrow()
    rows = pa.table(Warehouse.of(warehouse).diagnostics.store.read().table.slice(0, 1))
    viewed = pa.schema([pa.field(f.name, pa.string_view() if f.type == pa.string() else f.type) for f in rows.schema])
    write_deltalake(str(store), rows.cast(viewed), mode="append")  # another tool's writer, view types and all
    assert pa.schema(DeltaTable(str(store)).schema().to_arrow()) == pa.schema(declared)
    before = _tree(warehouse)
    assert main(["store", "check", "--warehouse", str(warehouse)]) == 1
    out = capsys.readouterr().out
    assert "ERROR STORE_FILE_SCHEMA_MISMATCH" in out
    assert "code: string_view (declared string)" in out
    assert _tree(warehouse) == before


def test_check_finds_an_undecodable_payload(warehouse: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = Warehouse.of(warehouse).diagnostics.store
    row = store.read().table.slice(0, 1)
    damaged = row.set_column(row.schema.get_field_index("payload"), "payload", pa.array([b"\x00junk"], pa.binary()))
    write_deltalake(str(warehouse / DIAGNOSTICS_TABLE), damaged, mode="append")
    assert main(["store", "check", "--warehouse", str(warehouse)]) == 1
    assert "ERROR ROW_DECODE_FAILED" in capsys.readouterr().out


def test_check_names_a_damaged_store_file_and_checks_the_others(
    warehouse: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    damaged = sorted((warehouse / DIAGNOSTICS_TABLE).glob("*.parquet"))[0]
    damaged.write_bytes(b"not parquet")
    assert main(["store", "check", "--warehouse", str(warehouse), "--format", "json"]) == 1
    events = json.loads(capsys.readouterr().out)["events"]
    assert [(e["code"], e["subject"].rsplit("/", 1)[-1]) for e in events] == [
        ("DATA_FILE_UNREADABLE", damaged.name),
        ("WRITE_ARTIFACT_MISSING", "sales"),
    ]


def test_an_orphaned_properties_commit_is_a_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "wh"
    write_table(root / "t", DATA, DeltaWritePolicy(), warehouse=root)
    # A policy change whose data never came: the properties commit alone, under a write id.
    DeltaTable(str(root / "t")).alter.set_table_properties(
        {"engine.writePolicy.compressionLevel": "3"},
        raise_if_not_exists=False,
        commit_properties=CommitProperties(
            custom_metadata={"engine.writeId": "deadbeef", "engine.policyFingerprint": "sha256:" + "0" * 64}
        ),
    )
    assert main(["store", "check", "--warehouse", str(root)]) == 0
    assert "WARNING ORPHANED_PROPERTIES_COMMIT [t]" in capsys.readouterr().out
    assert main(["store", "check", "--warehouse", str(root), "--strict"]) == 1
    assert main(["store", "repair", "--warehouse", str(root)]) == 0
    assert "rebuilt 0 write artifact(s)" in capsys.readouterr().out


def test_optimize_then_vacuum_under_the_retention_rules(warehouse: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files_before = len(DeltaTable(str(warehouse / DIAGNOSTICS_TABLE)).file_uris())
    assert main(["store", "optimize", "--warehouse", str(warehouse), "--format", "json"]) == 0
    results = {r["table"]: r for r in json.loads(capsys.readouterr().out)}
    assert results[DIAGNOSTICS_TABLE]["operation"] == "compact"
    assert results[DIAGNOSTICS_TABLE]["metrics"]["numFilesRemoved"] == files_before == 3
    assert len(DeltaTable(str(warehouse / DIAGNOSTICS_TABLE)).file_uris()) == 1

    argv = ["store", "vacuum", "--warehouse", str(warehouse)]
    assert main([*argv, "--retention-hours", "0"]) == 2  # unsafe: refused, nothing deleted
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert "--retention-hours 168" in err and "Traceback" not in err
    assert main([*argv, "--retention-hours", "0", "--force", "--dry-run"]) == 0
    listed = capsys.readouterr().out
    assert f"{DIAGNOSTICS_TABLE}: would delete 3 file(s)" in listed
    on_disk = {p.name for p in (warehouse / DIAGNOSTICS_TABLE).glob("*.parquet")}
    assert len(on_disk) == 4  # the dry run deleted nothing
    assert main([*argv, "--retention-hours", "0", "--force"]) == 0
    assert f"{DIAGNOSTICS_TABLE}: deleted 3 file(s)" in capsys.readouterr().out
    assert len(list((warehouse / DIAGNOSTICS_TABLE).glob("*.parquet"))) == 1
    assert main([*argv]) == 0  # the default retention is safe
    assert sorted(e.message for e in Warehouse.of(warehouse).diagnostics.read()) == ["note 0", "note 1", "note 2"]


def test_a_missing_warehouse_is_one_line_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("check", "repair", "optimize", "vacuum"):
        assert main(["store", command, "--warehouse", str(tmp_path / "nowhere")]) == 2
        err = capsys.readouterr().err
        assert "nowhere: no warehouse there" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "nowhere").exists()


def test_a_file_as_warehouse_is_one_line_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "file").write_text("x")
    assert main(["store", "check", "--warehouse", str(tmp_path / "file")]) == 2
    err = capsys.readouterr().err
    assert "file: a file, not a warehouse directory" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("broken", [DIAGNOSTICS_TABLE, "sales"])
def test_a_garbage_commit_file_is_reported_not_raised(
    warehouse: Path, broken: str, capsys: pytest.CaptureFixture[str]
) -> None:
    log = warehouse / broken / "_delta_log"
    latest = max(int(p.stem) for p in log.glob("*.json"))
    (log / f"{latest + 1:020d}.json").write_text("{not json\n")
    assert main(["store", "check", "--warehouse", str(warehouse)]) == 1
    captured = capsys.readouterr()
    assert f"ERROR TABLE_LOG_UNREADABLE [{broken}]" in captured.out
    assert "Traceback" not in captured.err
