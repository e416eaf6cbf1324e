"""The README's recipe for reading the stores from other engines runs as written."""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow as pa
import pytest

from artifact_contracts.models import DeltaWritePolicy, PlanArtifacts
from engine_app.cli import main
from engine_app.delta import write_table
from engine_app.stores import DiagnosticsLog, make_event

pytestmark = pytest.mark.engine

README = Path(__file__).resolve().parents[3] / "README.md"


def _recipe() -> str:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("**Reading the stores from other engines.**") :]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match is not None, "the README lost its recipe"
    return match.group(1)


def test_the_readme_recipe_reads_every_engine_it_names(
    tmp_path: Path, tpch_warehouse: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("polars")
    pytest.importorskip("duckdb")
    warehouse = tmp_path / "warehouse"
    tables = [f"--table=nation={tpch_warehouse / 'tpch' / 'nation'}"]
    assert main(["plan", *tables, "--sql", "SELECT n_name FROM nation", "--warehouse", str(warehouse)]) == 0
    write_table(tmp_path / "t", pa.table({"id": [1, 2]}), DeltaWritePolicy(), warehouse=warehouse)
    DiagnosticsLog(warehouse).append([make_event("info", "RECIPE", "one event")])
    capsys.readouterr()
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    exec(compile(_recipe(), str(README), "exec"), namespace)
    assert namespace["plans"].shape == (1, 2)  # type: ignore[attr-defined]
    assert list(namespace["events"]["code"]) == ["RECIPE"]  # type: ignore[index]
    assert isinstance(namespace["plan"], PlanArtifacts)
    out = capsys.readouterr().out
    assert "count(*)" in out  # DataFusion's answer
    assert "table_uri" in out  # DuckDB's
