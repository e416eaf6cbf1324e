"""Installing from a real private index, as consumers do: smoke, forward check, the engine.

pypiserver runs on 127.0.0.1 with htpasswd authentication for uploads (``conftest.py``).
The distributions are built and published by ``tools/release.py`` (``hatch build`` /
``hatch publish``) and installed into fresh virtual environments with the private index as
the *only* index.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from artifact_contracts import __version__
from artifact_contracts.evolution import compare, parse_version, release_versions
from artifact_contracts.registry import json_schema
from tests.release.conftest import ROOT, Index, load_tool, running_index

pytestmark = [pytest.mark.release, pytest.mark.slow]

release = load_tool("release")
RELEASES = ROOT / "schemas" / "releases"


def _run(cmd: list[str], **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, **kw)  # type: ignore[call-overload, no-any-return]


def _in_venv(cmd: list[str], **kw: object) -> subprocess.CompletedProcess[str]:
    """Run a clean venv's program with nothing of the repository on its import path."""
    return _run(cmd, env=release.venv_env(), **kw)


def _hosted(index: Index) -> set[str]:
    return {p.name for p in index.packages.iterdir()}


def test_built_wheel_passes_the_smoke_test(dist: Path) -> None:
    result = _run([sys.executable, str(ROOT / "tools" / "release.py"), "--dist", str(dist), "smoke"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "types decoded, 0 problems" in result.stdout


def _previous_release() -> str:
    earlier = [v for v in release_versions(RELEASES) if parse_version(v) < parse_version(__version__)]
    assert earlier, f"no release before {__version__} under {RELEASES}"
    return earlier[-1]


def _build_release(version: str, workdir: Path) -> Path:
    """Rebuild a release's wheel from the commit that snapshotted it (hatch builds are reproducible)."""
    shallow = _run(["git", "rev-parse", "--is-shallow-repository"], cwd=ROOT)
    if shallow.stdout.strip() == "true":
        pytest.skip("a shallow clone lacks the commit that snapshotted the release: clone the full history")
    log = _run(["git", "log", "-1", "--format=%H", "--", f"schemas/releases/{version}/json-schema.json"], cwd=ROOT)
    commit = log.stdout.strip()
    assert log.returncode == 0 and commit, f"no commit snapshotted release {version}: {log.stderr}"
    archive = workdir / "src.tar"
    assert _run(["git", "archive", "-o", str(archive), commit, "contracts_pkg"], cwd=ROOT).returncode == 0
    with tarfile.open(archive) as tar:
        tar.extractall(workdir, filter="data")
    out = workdir / "dist"
    built = _run(["hatch", "build", "-t", "wheel", str(out)], cwd=workdir / "contracts_pkg", env=release.clean_env())
    assert built.returncode == 0, built.stderr
    return next(out.glob(f"artifact_contracts-{version}-*.whl"))


def _users_of(names: set[str], defs: dict[str, object]) -> set[str]:
    """Close ``names`` over the types that embed them (a payload nests its fields' types)."""
    found = set(names)
    while True:
        more = {n for n, d in defs.items() if n not in found and any(f'/{t}"' in json.dumps(d) for t in found)}
        if not more:
            return found
        found |= more


@pytest.mark.usefixtures("published")  # on the index before the install
def test_previous_release_from_the_index_reads_todays_goldens(index: Index, tmp_path: Path) -> None:
    """Forward: the previous release, installed from the index, decodes today's goldens."""
    previous = _previous_release()
    wheel = _build_release(previous, tmp_path)
    if wheel.name not in _hosted(index):
        upload = _run(["hatch", "publish", "-y", str(wheel)], env=index.publish_env())
        assert upload.returncode == 0, upload.stdout + upload.stderr
    python = release.make_venv(tmp_path / "venv")
    release.install(python, f"artifact-contracts=={previous}", index_url=index.simple)
    shown = _in_venv([str(python), "-c", "import artifact_contracts as a; print(a.__version__, a.__file__)"])
    assert shown.stdout.startswith(f"{previous} ") and str(tmp_path / "venv") in shown.stdout
    # Types that changed in a way the old reader cannot follow are exempt: any major change
    # on a Compat type, any change at all on a Strict input (those promise backward only).
    old_doc = json.loads((RELEASES / previous / "json-schema.json").read_text())
    today = json_schema()
    defs = today["$defs"]
    exempt = {
        c.type
        for c in compare(old_doc, today)
        if c.bump == "major" or (c.bump != "patch" and defs.get(c.type, {}).get("x-contract-base") == "strict")
    }
    exempt = _users_of(exempt, defs)
    must = sorted(set(old_doc["$defs"]) & set(defs) - exempt)
    goldens = release.goldens_dir(__version__)
    result = _in_venv([str(python), str(ROOT / "tools" / "release_goldens.py"), str(goldens), *must])
    assert result.returncode == 0, result.stdout + result.stderr
    decoded = int(re.search(r"(\d+) types decoded", result.stdout)[1])  # type: ignore[index]
    assert decoded >= len(must) > 0


@pytest.mark.usefixtures("published")  # on the index before the install
def test_engine_installs_from_the_private_index_and_runs(index: Index, tmp_path: Path) -> None:
    """A consumer installs engine-app with the private index as its only index, then runs it."""
    python = release.make_venv(tmp_path / "venv")
    release.install(python, "engine-app[demo]", index_url=index.simple)
    versions = _in_venv([str(python), "-c", "from importlib.metadata import version as v; "
                     "print(v('artifact-contracts'), v('engine-app'))"])  # fmt: skip
    assert versions.stdout.split() == [__version__, release.version_of(ROOT / "engine_app")]
    engine = tmp_path / "venv" / "bin" / "engine-app"
    shown = _in_venv([str(engine), "--help"], cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    demo = _in_venv([str(engine), "run", "--scale", "0.001", "--format", "json"], cwd=tmp_path, timeout=600)
    assert demo.returncode == 0, demo.stdout[-3000:] + demo.stderr[-3000:]
    steps = json.loads(demo.stdout)
    queries = [s for s in steps if s["kind"] == "query"]
    assert len(queries) == 22, steps
    assert [s for s in steps if s["error"]] == []
    assert (tmp_path / "warehouse").is_dir()


def test_one_command_runs_the_whole_release_flow(tmp_path: Path) -> None:
    """``tools/release.py all`` (``hatch run release:all``): gate, build, smoke, publish, in order."""
    with running_index(tmp_path / "index") as fresh:
        dist = tmp_path / "dist"
        result = _run(
            [sys.executable, str(ROOT / "tools" / "release.py"), "--dist", str(dist), "all"], env=fresh.publish_env()
        )
        output = result.stdout + result.stderr
        assert result.returncode == 0, output[-6000:]
        # The gate's own report ("... requires none; ...: OK") proves it compared, not just ran.
        steps = [
            "-m artifact_contracts compat",
            "requires ",
            "+ hatch build",
            "smoke: artifact-contracts",
            "+ hatch publish -y",
        ]
        positions = [output.index(step) for step in steps]
        assert positions == sorted(positions), output[-6000:]
        assert _hosted(fresh) == {p.name for p in release.dist_files(dist)}
