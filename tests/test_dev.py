"""The README's Quick start: ``./dev`` brings its own hatch, even on an externally managed Python."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT / "dev"


def _externally_managed(python: str) -> bool:
    marker = "sysconfig.get_path('stdlib') + '/EXTERNALLY-MANAGED'"
    probe = f"import os, sys, sysconfig; sys.exit(not os.path.exists({marker}))"
    return subprocess.run([python, "-c", probe], capture_output=True).returncode == 0


def _system_python() -> str:
    """A PEP 668 interpreter (Debian's /usr/bin/python3 here), else the one running the tests."""
    for candidate in ("/usr/bin/python3", shutil.which("python3")):
        if candidate and Path(candidate).exists() and _externally_managed(candidate):
            return candidate
    return sys.executable


def _dev(python: str, venv: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HATCH_ENV_ACTIVE")}
    env.update(PYTHON=python, DEV_VENV=str(venv))
    return subprocess.run([str(DEV), *args], capture_output=True, text=True, env=env, timeout=600)


def test_without_arguments_it_prints_its_usage_and_exits_2(tmp_path: Path) -> None:
    result = _dev(sys.executable, tmp_path / "venv")
    assert result.returncode == 2
    assert result.stderr.startswith("usage: ./dev demo")
    assert not (tmp_path / "venv").exists()


@pytest.mark.slow
def test_it_installs_hatch_into_a_venv_where_pip_install_is_refused(tmp_path: Path) -> None:
    python = _system_python()
    if _externally_managed(python):  # the premise: this Python refuses a plain pip install
        refused = subprocess.run([python, "-m", "pip", "install", "--dry-run", "hatch"], capture_output=True, text=True)
        assert refused.returncode != 0 and "externally-managed-environment" in refused.stderr + refused.stdout
    venv = tmp_path / "venv"
    first = _dev(python, venv, "--version")
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("Hatch, version 1.")
    assert f"creating {venv}" in first.stderr and "installing hatch" in first.stderr
    again = _dev(python, venv, "--version")  # the venv is reused: nothing is installed twice
    assert again.returncode == 0 and again.stdout == first.stdout
    assert again.stderr == ""
