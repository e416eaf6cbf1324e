"""Run the whole test suite, then the contracts tests on every supported Python and msgspec.

This is the README's test command (``python3 -m hatch run test:all``) and what CI runs.
Interpreters are found on PATH or under pyenv; a missing one is reported and skipped
locally but fails under CI (``CI=true``), where all four must be present.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHONS = ("3.10", "3.11", "3.12", "3.13")
MSGSPECS = ("0.22", "0.23")  # the hatch `contracts` matrix: every msgspec minor contracts_pkg allows
HATCH = [sys.executable, "-m", "hatch"]


def find_python(version: str) -> str | None:
    """Return the directory holding ``python<version>``, from PATH or pyenv."""
    found = shutil.which(f"python{version}")
    if found and subprocess.run([found, "-V"], capture_output=True).returncode == 0:
        return str(Path(found).parent)
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    for candidate in sorted(pyenv_root.glob(f"{version}.*"), reverse=True):
        if (candidate / "bin" / f"python{version}").exists():
            return str(candidate / "bin")
    return None


def run(cmd: list[str], env: dict[str, str]) -> int:
    print("+", " ".join(cmd), flush=True)
    return subprocess.run(cmd, cwd=ROOT, env=env).returncode


def main() -> int:
    args = sys.argv[1:]
    # A nested hatch would otherwise resolve names against this script's environment.
    env = {k: v for k, v in os.environ.items() if not k.startswith("HATCH_ENV_ACTIVE")}
    status = run([*HATCH, "run", "default:test", *args], env)
    if status != 0:
        return status
    extra = [d for d in (find_python(v) for v in PYTHONS) if d]
    env["PATH"] = os.pathsep.join([*extra, env.get("PATH", "")])
    for version in PYTHONS:
        if find_python(version) is None:
            print(f"python{version} not found: contracts tests on {version} skipped", flush=True)
            if os.environ.get("CI"):
                return 1
            continue
        for msgspec in MSGSPECS:
            status = run([*HATCH, "run", f"contracts.py{version}-{msgspec}:test", "-q", *args], env)
            if status != 0:
                return status
    return 0


if __name__ == "__main__":
    sys.exit(main())
