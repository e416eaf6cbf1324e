"""The release flow of artifact-contracts and engine-app: gate, build, smoke test, publish.

Run it through hatch (``hatch run release:all``) or step by step::

    python tools/release.py gate        # contract compatibility gate + changelog check
    python tools/release.py build       # wheel + sdist of both distributions into dist/
    python tools/release.py smoke       # install the wheel in a clean venv, decode, type-check
    python tools/release.py publish     # hatch publish both distributions to HATCH_INDEX_REPO
    python tools/release.py all         # the four above, stopping at the first failure
    python tools/release.py snapshot    # cut: snapshot schemas + goldens under schemas/releases/<version>/

``publish`` takes the index and credentials from the environment only
(``HATCH_INDEX_REPO``, ``HATCH_INDEX_USER``, ``HATCH_INDEX_AUTH``), never from a file in
the repository. See RELEASING.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS = ROOT / "contracts_pkg"
ENGINE = ROOT / "engine_app"
RELEASES = ROOT / "schemas" / "releases"
GOLDENS = ROOT / "tests" / "contracts" / "goldens"
SMOKE = Path(__file__).resolve().parent / "release_smoke.py"
CHANGELOG = CONTRACTS / "CHANGELOG.md"  # the one record of the contracts releases
_HEADING = re.compile(r"^## \[artifact-contracts-v(?P<version>[^\]]+)\]", re.M)


def version_of(package_dir: Path) -> str:
    """Return the ``__version__`` in a distribution's ``_version.py``."""
    for path in (package_dir / "src").glob("*/_version.py"):
        match = re.search(r'__version__ = "([^"]+)"', path.read_text())
        if match:
            return match[1]
    raise SystemExit(f"no _version.py under {package_dir}")


def newest_changelog_version(text: str) -> str | None:
    """Return the version of the newest ``## [artifact-contracts-vX.Y.Z]`` section."""
    match = _HEADING.search(text)
    return match["version"] if match else None


def clean_env() -> dict[str, str]:
    """The environment for a subprocess: without the variables of an enclosing hatch environment."""
    # A hatch run inside a hatch script would otherwise pick up the outer environment.
    return {k: v for k, v in os.environ.items() if not k.startswith("HATCH_ENV_")}


def venv_env() -> dict[str, str]:
    """The environment for a clean venv's interpreter: nothing may leak onto its import path."""
    return {k: v for k, v in clean_env().items() if k not in ("PYTHONPATH", "PYTHONHOME")}


def run(cmd: list[str], cwd: Path = ROOT, env: dict[str, str] | None = None) -> int:
    print("+", " ".join(cmd), flush=True)
    return subprocess.run(cmd, cwd=cwd, env=env if env is not None else clean_env()).returncode


def gate(args: argparse.Namespace) -> int:
    version = version_of(CONTRACTS)
    newest = newest_changelog_version(CHANGELOG.read_text())
    if newest != version:
        print(f"contracts_pkg/CHANGELOG.md: newest section is {newest}, the package is {version}", file=sys.stderr)
        return 1
    # `-m artifact_contracts` runs the command (`__main__`); this once named `artifact_contracts.cli`,
    # which had no main guard, so the gate passed without comparing anything.
    cmd = [sys.executable, "-m", "artifact_contracts", "compat", "--releases-dir", str(RELEASES)]
    return run([*cmd, "--format", getattr(args, "format", "text")])


def build(args: argparse.Namespace) -> int:
    dist = Path(args.dist)
    shutil.rmtree(dist, ignore_errors=True)
    for package in (CONTRACTS, ENGINE):
        status = run(["hatch", "build", str(dist)], cwd=package)
        if status:
            return status
    print("\n".join(sorted(p.name for p in dist.iterdir())))
    return 0


def _venv_python(folder: Path) -> Path:
    return folder / ("Scripts" if os.name == "nt" else "bin") / "python"


def make_venv(folder: Path) -> Path:
    """Create a clean virtual environment (no system site-packages) and return its python."""
    uv = shutil.which("uv")
    if uv:
        subprocess.run([uv, "venv", "-q", "--python", sys.executable, str(folder)], check=True)
    else:
        venv.EnvBuilder(with_pip=True, clear=True).create(folder)
    return _venv_python(folder)


def install(python: Path, *requirements: str, index_url: str | None = None) -> None:
    """Install into the venv of ``python`` with uv (or pip), ignoring machine-wide config."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "UV_"))}
    env.update(PIP_CONFIG_FILE=os.devnull, UV_NO_CONFIG="1")
    index = ["--index-url", index_url] if index_url else []
    uv = shutil.which("uv")
    if uv:
        cmd = [uv, "pip", "install", "-q", "--python", str(python), *index, *requirements]
    else:
        cmd = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", *index, *requirements]
    subprocess.run(cmd, check=True, env=env)


def goldens_dir(version: str) -> Path:
    """Return the goldens of ``version``: its release snapshot, else the working tree's."""
    snapshot = RELEASES / version / "goldens"
    return snapshot if snapshot.is_dir() else GOLDENS


def smoke(args: argparse.Namespace) -> int:
    version = version_of(CONTRACTS)
    wheel = Path(args.dist) / f"artifact_contracts-{version}-py3-none-any.whl"
    if not wheel.is_file():
        print(f"no wheel {wheel}: run the build step first", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="contracts-smoke-") as tmp:
        python = make_venv(Path(tmp) / "venv")
        install(python, str(wheel))
        smoke_cmd = [str(python), str(SMOKE), "--version", version, "--goldens", str(goldens_dir(version))]
        status = run(smoke_cmd, env=venv_env())
        if status:
            return status
        consumer = Path(tmp) / "consumer.py"
        shutil.copy(Path(__file__).resolve().parent / "release_consumer.py", consumer)
        # mypy from this environment, resolving imports in the clean venv (PEP 561: py.typed).
        mypy = [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--python-executable", str(python)]
        status = run([*mypy, str(consumer)], cwd=Path(tmp))
        if status:
            return status
        # And a consumer with a type error must fail: the wheel's types are real, not Any.
        wrong = Path(tmp) / "wrong_consumer.py"
        wrong.write_text(
            "from artifact_contracts import loads_json\n"
            "from artifact_contracts.models import ScanTelemetry\n"
            'rows: str = loads_json(b"[1, 2, 3]", ScanTelemetry).count_rows\n'
        )
        result = subprocess.run([*mypy, str(wrong)], cwd=tmp, capture_output=True, text=True)
        if result.returncode == 0 or "Incompatible types in assignment" not in result.stdout:
            print(f"mypy accepted a wrongly typed consumer:\n{result.stdout}", file=sys.stderr)
            return 1
        print("smoke: mypy --strict passes the consumer and rejects a wrongly typed one")
        return 0


def dist_files(dist: Path) -> list[Path]:
    """Return the four files to publish: wheel and sdist of both distributions."""
    contracts, engine = version_of(CONTRACTS), version_of(ENGINE)
    files = [
        dist / f"artifact_contracts-{contracts}-py3-none-any.whl",
        dist / f"artifact_contracts-{contracts}.tar.gz",
        dist / f"engine_app-{engine}-py3-none-any.whl",
        dist / f"engine_app-{engine}.tar.gz",
    ]
    missing = [f.name for f in files if not f.is_file()]
    if missing:
        raise SystemExit(f"missing in {dist}: {', '.join(missing)}; run the build step first")
    return files


def publish(args: argparse.Namespace) -> int:
    needed = [v for v in ("HATCH_INDEX_REPO", "HATCH_INDEX_USER", "HATCH_INDEX_AUTH") if not os.environ.get(v)]
    if needed:
        print(f"set {', '.join(needed)} in the environment (never in a file of the repo)", file=sys.stderr)
        return 2
    # Explicit paths: with none, hatch uploads everything in dist/ (see RELEASING.md).
    return run(["hatch", "publish", "-y", *map(str, dist_files(Path(args.dist)))])


def snapshot(_args: argparse.Namespace) -> int:  # every step takes the parsed arguments
    sys.path.insert(0, str(CONTRACTS / "src"))
    from artifact_contracts import __version__
    from artifact_contracts.registry import json_schema, openapi

    version = version_of(CONTRACTS)
    if __version__ != version:
        print(f"imported artifact_contracts {__version__}, the tree says {version}", file=sys.stderr)
        return 1
    target = RELEASES / version
    if target.exists():
        print(f"{target} exists: releases are immutable, bump the version", file=sys.stderr)
        return 1
    if not GOLDENS.is_dir():
        print(f"no goldens under {GOLDENS}", file=sys.stderr)
        return 1
    target.mkdir(parents=True)
    for name, doc in (("json-schema.json", json_schema()), ("openapi.json", openapi())):
        (target / name).write_text(json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    shutil.copytree(GOLDENS, target / "goldens")
    sums = {
        str(p.relative_to(target)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(target.rglob("*"))
        if p.is_file()
    }
    (target / "SHA256SUMS.json").write_text(json.dumps(sums, indent=2) + "\n")
    print(f"snapshot of {version}: {len(sums)} files under {target.relative_to(ROOT)}")
    return 0


def everything(args: argparse.Namespace) -> int:
    for step in (gate, build, smoke, publish):
        status = step(args)
        if status:
            print(f"release stopped at {step.__name__}", file=sys.stderr)
            return status
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dist", default=str(ROOT / "dist"), help="where built distributions go")
    steps = parser.add_subparsers(dest="step", required=True)
    for name, func, text in (
        ("gate", gate, "changelog check and contract compatibility gate"),
        ("build", build, "hatch build both distributions"),
        ("smoke", smoke, "install the wheel in a clean venv, decode every type, mypy a consumer"),
        ("publish", publish, "hatch publish both distributions (credentials from the environment)"),
        ("all", everything, "gate, build, smoke, publish"),
        ("snapshot", snapshot, "snapshot schemas and goldens of this version under schemas/releases/"),
    ):
        sub = steps.add_parser(name, help=text, description=text)
        sub.set_defaults(func=func)
        if name in ("gate", "all"):
            sub.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    args = parser.parse_args(argv)
    status: int = args.func(args)
    return status


if __name__ == "__main__":
    sys.exit(main())
