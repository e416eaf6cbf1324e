"""Bring hatch into ``.venv`` and run it: the README's Quick start (``./dev demo``, ``./dev test``).

A system Python that refuses ``pip install`` (PEP 668, "externally managed": Debian and
Ubuntu's) still makes virtual environments, so the hatch this runs lives in a project
venv, created with ``python -m venv`` the first time and reused after. The same two
commands then work on such a Python, on pyenv and inside another virtual environment.

``DEV_VENV`` names another directory for the venv (the tests use a temporary one).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The same range as hatch.toml's requires-hatch and the hatch envs' own pin.
HATCH = "hatch>=1.18,<2"
SHORTCUTS = {"demo": ["run", "demo"], "test": ["run", "test:all"]}
USAGE = """usage: ./dev demo [ARGS]   hatch run demo ARGS      (the embedded engine demo)
       ./dev test [ARGS]   hatch run test:all ARGS  (the whole suite, as CI runs it)
       ./dev ARGS          hatch ARGS               (./dev run lint, ./dev env show)"""


def venv_python(venv: Path) -> Path:
    """Return the interpreter of a virtual environment (POSIX or Windows layout)."""
    posix = venv / "bin" / "python"
    return posix if posix.exists() or os.name != "nt" else venv / "Scripts" / "python.exe"


def has_hatch(python: Path) -> bool:
    """Whether ``python -m hatch`` runs."""
    if not python.exists():
        return False
    return subprocess.run([python, "-m", "hatch", "--version"], capture_output=True).returncode == 0


def ensure_hatch(venv: Path) -> Path:
    """Create the venv if needed and install hatch into it; return its interpreter.

    Raises:
        SystemExit: ``venv`` or ``pip`` failed (their own output says why).
    """
    python = venv_python(venv)
    if has_hatch(python):
        return python
    if not python.exists():
        print(f"dev: creating {venv} with {sys.executable} -m venv", file=sys.stderr, flush=True)
        if subprocess.run([sys.executable, "-m", "venv", "--clear", venv]).returncode != 0:
            raise SystemExit(f"dev: error: `{sys.executable} -m venv` failed; on Debian or Ubuntu install python3-venv")
    print(f"dev: installing {HATCH} into {venv}", file=sys.stderr, flush=True)
    pip = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", HATCH]
    if subprocess.run(pip).returncode != 0:
        raise SystemExit(f"dev: error: installing {HATCH} into {venv} failed (see pip's message above)")
    return python


def main(argv: list[str]) -> int:
    """Run hatch from the project venv with the given arguments (or a shortcut's)."""
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE, file=sys.stdout if argv else sys.stderr)
        return 0 if argv else 2
    if sys.version_info < (3, 10):  # noqa: UP036 - this runs on whatever python3 the user has
        print(f"dev: error: Python 3.10+ is needed, this is {sys.version.split()[0]}", file=sys.stderr)
        return 2
    venv = Path(os.environ.get("DEV_VENV") or ROOT / ".venv")
    python = ensure_hatch(venv)
    command = [*SHORTCUTS.get(argv[0], [argv[0]]), *argv[1:]]
    # A hatch env activated around this call would otherwise capture the nested hatch.
    env = {k: v for k, v in os.environ.items() if not k.startswith("HATCH_ENV_ACTIVE")}
    return subprocess.run([python, "-m", "hatch", *command], cwd=ROOT, env=env).returncode


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        print("dev: interrupted", file=sys.stderr)
        sys.exit(130)
