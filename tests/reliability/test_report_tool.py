"""tools/reliability_report.py: counts inputs and crashes honestly and writes the page."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.contracts.fuzzing import Decoder

pytestmark = pytest.mark.engine

TOOL = Path(__file__).resolve().parents[2] / "tools" / "reliability_report.py"


@pytest.fixture(scope="module")
def tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("reliability_report", TOOL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_crashing_decoder_is_counted(tool: ModuleType) -> None:
    def crashing(data: Any, target: Any) -> Any:
        raise RuntimeError("boom")

    row = tool.fuzz_decoder(Decoder("crashing", "json", crashing), 7, seed=1)
    # At least the budget: inputs come PER_EXAMPLE to a Hypothesis example.
    assert row["inputs"] >= 7
    assert (row["crashes"], row["accepted"], row["refused"]) == (row["inputs"], 0, 0)
    assert row["crash_samples"] and "RuntimeError: boom" in row["crash_samples"][0]


@pytest.mark.parametrize("fmt", ["json", "markdown"])
def test_writes_the_report(tool: ModuleType, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / "report"
    assert tool.main(["--examples", "3", "--kill-rounds", "0", "--format", fmt, "--output", str(out)]) == 0
    text = out.read_text()
    if fmt == "json":
        report = json.loads(text)
        assert [r["decoder"] for r in report["fuzz"]] == [d.name for d in tool.DECODERS]
        assert all(r["inputs"] >= 3 and r["crashes"] == 0 and r["bad_paths"] == 0 for r in report["fuzz"])
    else:
        assert "| `loads_msgpack` | " in text and "crashes (must be 0)" in text
        assert "paths not starting with `$` (must be 0)" in text


def test_rejects_a_bad_budget(tool: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        tool.main(["--examples", "0"])
    assert "--examples must be >= 1" in capsys.readouterr().err
