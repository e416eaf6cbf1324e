"""What the built distributions carry, and how engine-app depends on artifact-contracts."""

from __future__ import annotations

import tarfile
import zipfile
from pathlib import Path

import pytest
import tomllib
from packaging.requirements import Requirement
from packaging.version import Version

from artifact_contracts import __version__
from artifact_contracts.evolution import parse_version
from tests.release.conftest import ROOT

CONTRACTS = ROOT / "contracts_pkg"


def _named_by_pyproject(package_dir: Path) -> list[str]:
    """Every path the distribution's pyproject names for its sdist: includes, readme, version file."""
    pyproject = tomllib.loads((package_dir / "pyproject.toml").read_text())
    hatch = pyproject["tool"]["hatch"]
    return sorted(
        {
            *hatch["build"]["targets"]["sdist"]["include"],
            pyproject["project"]["readme"],
            hatch["version"]["path"],
            "pyproject.toml",
        }
    )


@pytest.fixture(scope="module")
def contracts_sdist(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """Build the contracts sdist in-process (hatchling, offline) and list its members."""
    from hatchling.builders.sdist import SdistBuilder

    out = tmp_path_factory.mktemp("sdist")
    (built,) = SdistBuilder(str(CONTRACTS)).build(directory=str(out))
    with tarfile.open(built) as sdist:
        return {n.split("/", 1)[1] for n in sdist.getnames() if "/" in n}


@pytest.mark.parametrize("named", _named_by_pyproject(CONTRACTS))
def test_every_path_pyproject_names_exists(named: str) -> None:
    # hatchling skips a missing include silently, so the sdist would just lack it.
    assert (CONTRACTS / named).exists(), f"contracts_pkg/pyproject.toml names {named}, which does not exist"


@pytest.mark.parametrize("named", _named_by_pyproject(CONTRACTS))
def test_the_sdist_holds_every_path_pyproject_names(contracts_sdist: set[str], named: str) -> None:
    assert named in contracts_sdist or any(n.startswith(f"{named}/") for n in contracts_sdist), sorted(contracts_sdist)


def test_the_sdist_ships_the_package_and_its_schemas(contracts_sdist: set[str]) -> None:
    package = {n for n in contracts_sdist if n.startswith("src/artifact_contracts/")}
    expected = {f"src/{p.relative_to(CONTRACTS / 'src').as_posix()}" for p in (CONTRACTS / "src").rglob("*")}
    expected = {n for n in expected if "__pycache__" not in n and (CONTRACTS / n).is_file()}
    assert package == expected
    assert "src/artifact_contracts/schemas/json-schema.json" in package


def test_the_changelog_shipped_is_the_contracts_one(contracts_sdist: set[str]) -> None:
    text = (CONTRACTS / "CHANGELOG.md").read_text()
    assert "CHANGELOG.md" in contracts_sdist
    assert f"## [artifact-contracts-v{__version__}]" in text


def _contracts_requirement() -> Requirement:
    project = tomllib.loads((ROOT / "engine_app" / "pyproject.toml").read_text())["project"]
    found = [Requirement(r) for r in project["dependencies"] if Requirement(r).name == "artifact-contracts"]
    assert len(found) == 1, project["dependencies"]
    return found[0]


def test_engine_depends_on_a_compatible_range_never_a_path() -> None:
    requirement = _contracts_requirement()
    assert requirement.url is None, "a path or URL dependency cannot be published"
    major, minor, patch = parse_version(__version__)
    # The next version allowed to break: 0.(y+1).0 before 1.0, (x+1).0.0 after.
    breaking = f"0.{minor + 1}.0" if major == 0 else f"{major + 1}.0.0"
    compatible = f"{major}.{minor}.{patch + 1}" if major == 0 else f"{major}.{minor + 1}.0"
    spec = requirement.specifier
    assert spec.contains(__version__), f"{spec} excludes the current {__version__}"
    assert spec.contains(compatible), f"{spec} excludes the compatible {compatible}"
    assert not spec.contains(breaking), f"{spec} admits {breaking}, which may break contracts"


@pytest.mark.release
@pytest.mark.slow
class TestBuiltDistributions:
    def test_contracts_wheel_carries_schemas_and_typing(self, dist: Path) -> None:
        wheel = dist / f"artifact_contracts-{__version__}-py3-none-any.whl"
        names = set(zipfile.ZipFile(wheel).namelist())
        assert "artifact_contracts/py.typed" in names
        assert "artifact_contracts/schemas/json-schema.json" in names
        assert "artifact_contracts/schemas/openapi.json" in names
        assert not any(n.startswith(("tests/", "engine_app/")) for n in names)

    def test_contracts_sdist_carries_the_policy(self, dist: Path) -> None:
        with tarfile.open(dist / f"artifact_contracts-{__version__}.tar.gz") as sdist:
            names = {n.split("/", 1)[1] for n in sdist.getnames() if "/" in n}
        assert {"COMPATIBILITY.md", "README.md", "pyproject.toml"} <= names

    def test_engine_wheel_metadata_keeps_the_range(self, dist: Path) -> None:
        wheel = next(dist.glob("engine_app-*.whl"))
        with zipfile.ZipFile(wheel) as zf:
            metadata = zf.read(next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))).decode()
        requires = [Requirement(line.split(":", 1)[1]) for line in metadata.splitlines()
                    if line.startswith("Requires-Dist: artifact-contracts")]  # fmt: skip
        assert [str(r.specifier) for r in requires] == [str(_contracts_requirement().specifier)]
        assert requires[0].url is None and Version(__version__) in requires[0].specifier
