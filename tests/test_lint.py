"""The code style the project promises, checked by the tools themselves: ruff and mypy (strict)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TREES = ["contracts_pkg", "engine_app", "tests", "benchmarks", "tools"]


def run_tool(*args: str) -> subprocess.CompletedProcess[str]:
    if importlib.util.find_spec(args[0]) is None:
        pytest.skip(f"{args[0]} is not installed in this environment")
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, check=False)


def test_ruff_check() -> None:
    result = run_tool("ruff", "check", "--no-cache", *TREES)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format() -> None:
    result = run_tool("ruff", "format", "--check", "--no-cache", *TREES)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_mypy_strict() -> None:
    result = run_tool("mypy", "--no-incremental")
    assert result.returncode == 0, result.stdout + result.stderr
