"""The suite runs end to end (``--quick``) and writes a report of the documented shape.

The quick mode measures tiny sizes for a few rounds, so its figures mean nothing; what is
checked is that every section runs (or says why it was skipped) and that report.json and
REPORT.md agree. The committed report (a full run) is held to the same shape.
"""

from __future__ import annotations

import fnmatch
import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from benchmarks.cli import SECTIONS
from benchmarks.findings import FINDINGS
from benchmarks.report import render_markdown

ROOT = Path(__file__).resolve().parents[2]
FIGURE_KEYS = {"key", "label", "value", "unit", "target", "goal", "met", "detail"}


def check_shape(data: dict[str, Any], mode: str) -> None:
    assert data["schema_version"] == 1
    assert data["mode"] == mode
    assert {"cpu", "cores", "python", "libraries"} <= data["machine"].keys()
    assert data["machine"]["libraries"]["msgspec"]
    assert [s["key"] for s in data["sections"]][: len(SECTIONS)] == [s[0] for s in SECTIONS][: len(data["sections"])]
    keys = [f["key"] for s in data["sections"] for f in s["figures"]]
    assert len(keys) == len(set(keys)), "figure keys must be unique"
    targets = 0
    for section in data["sections"]:
        assert section["figures"] or section["skipped"], f"{section['key']} measured nothing"
        for figure in section["figures"]:
            assert set(figure) == FIGURE_KEYS
            assert isinstance(figure["value"], (int, float)) and math.isfinite(figure["value"])
            if figure["target"] is None:
                assert figure["met"] is None
                continue
            targets += 1
            expected = (
                figure["value"] <= figure["target"] if figure["goal"] == "<=" else figure["value"] >= figure["target"]
            )
            assert figure["met"] is expected, figure["key"]
    summary = data["summary"]
    assert summary["targets"] == targets
    assert summary["met"] + len(summary["missed"]) == targets


@pytest.mark.slow
def test_quick_mode_writes_a_complete_report(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--out", str(tmp_path), "--format", "json", "--no-progress"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    written = json.loads((tmp_path / "report.json").read_text())
    assert printed == written
    check_shape(written, "quick")
    assert [s["key"] for s in written["sections"]] == [s[0] for s in SECTIONS]
    contracts_only = {"wrapper", "peers", "msgspec", "fingerprint", "scaling_payload", "memory_decode"}
    assert not any(s["skipped"] for s in written["sections"] if s["key"] in contracts_only)
    keys = [f["key"] for s in written["sections"] for f in s["figures"]]
    for pattern in FINDINGS:  # every recorded cause still explains a figure the suite emits
        assert any(fnmatch.fnmatchcase(key, pattern) for key in keys), pattern
    markdown = (tmp_path / "REPORT.md").read_text()
    for section in written["sections"]:
        assert f"## {section['title']}" in markdown
        for figure in section["figures"]:
            assert f"| {figure['label']} |" in markdown


def test_help_lists_every_section() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--help"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    for key, _, _ in SECTIONS:
        assert key in done.stdout


def test_unknown_section_is_a_clear_error() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--only", "nope"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 2
    assert "invalid choice: 'nope'" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.skipif(not (ROOT / "benchmarks" / "report.json").exists(), reason="no committed report yet")
def test_committed_report_is_a_full_run() -> None:
    data = json.loads((ROOT / "benchmarks" / "report.json").read_text())
    check_shape(data, "full")
    # REPORT.md is report.json rendered: neither may be edited (or go stale) on its own.
    assert (ROOT / "benchmarks" / "REPORT.md").read_text() == render_markdown(data), (
        "benchmarks/REPORT.md is stale: run `python -m benchmarks --render`"
    )


def test_render_rewrites_the_markdown_from_the_json(tmp_path: Path) -> None:
    figure = {
        "key": "k",
        "label": "a figure",
        "value": 1.5,
        "unit": "x",
        "target": 1.1,
        "goal": "<=",
        "met": False,
        "detail": {},
    }
    data = {
        "schema_version": 1, "mode": "full", "started": "2026-11-24T00:00:00+00:00", "seconds": 1.0,
        "machine": {"cpu": "cpu", "cores": 2, "os": "Linux", "machine": "x86_64", "python": "CPython 3.11",
                    "libraries": {"msgspec": "0.22.0"}},
        "methodology": {"notes": []}, "summary": {"targets": 1, "met": 0, "missed": ["k"]},
        "sections": [{"key": "wrapper", "title": "1. W", "skipped": None, "notes": [], "figures": [figure]}],
    }  # fmt: skip
    (tmp_path / "report.json").write_text(json.dumps(data))
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--render", "--out", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "REPORT.md").read_text() == render_markdown(data)
    assert "| a figure | 1.50x | <= 1.10x | **no** |" in (tmp_path / "REPORT.md").read_text()


def test_render_without_a_report_is_a_clear_error(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--render", "--out", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert "cannot read" in done.stderr
    assert "Traceback" not in done.stderr
