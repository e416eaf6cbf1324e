"""Release history: snapshots intact, changelog in step, old goldens decode, the gate holds.

Every release snapshots its exported schemas and its goldens under
``schemas/releases/<version>/`` (``tools/release.py snapshot``). These tests run on every
supported Python with only artifact-contracts installed.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from artifact_contracts import SubstraitBytes, ValidationIssue, __version__, dumps_json, dumps_msgpack
from artifact_contracts.cli import main
from artifact_contracts.evolution import compare, parse_version, release_versions
from artifact_contracts.models import ScanTelemetry
from artifact_contracts.registry import CONTRACT_TYPES, json_schema
from tests.golden import codec_snapshot

ROOT = Path(__file__).resolve().parents[2]
RELEASES = ROOT / "schemas" / "releases"
VERSIONS = release_versions(RELEASES)


def _tool(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"_tools_{name}", ROOT / "tools" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


goldens = _tool("release_goldens")


@pytest.mark.parametrize(
    "value",
    [
        ScanTelemetry(fragment_count=1, row_group_count=2, count_rows=3, duration_ms=1.5),
        ValidationIssue(path="$.a[0]", message="caf\u00e9 \u2713", kind="constraint"),
        {"plan": SubstraitBytes(bytes(range(40))), "n": [1, None, True]},
    ],
)
def test_golden_reader_recovers_the_exact_bytes(value: Any) -> None:
    """The release tools read the harness's golden format back to the exact wire bytes."""
    assert goldens.parse_golden(codec_snapshot(value)) == (dumps_json(value), dumps_msgpack(value))


def test_there_is_release_history() -> None:
    assert len(VERSIONS) >= 2, VERSIONS
    assert parse_version(__version__) >= parse_version(VERSIONS[-1])


_SECTION = re.compile(r"^## \[artifact-contracts-v([^\]]+)\] - (\d{4}-\d{2}-\d{2})$", re.M)


def test_changelog_newest_section_is_the_package_version() -> None:
    text = (ROOT / "contracts_pkg" / "CHANGELOG.md").read_text(encoding="utf-8")
    sections = _SECTION.findall(text)
    assert sections, "no '## [artifact-contracts-vX.Y.Z] - YYYY-MM-DD' section"
    assert sections[0][0] == __version__
    assert [v for v, _ in sections] == sorted((v for v, _ in sections), key=parse_version, reverse=True)
    assert {v for v, _ in sections} >= set(VERSIONS), "every release needs a changelog section"


def test_the_contracts_changelog_is_the_only_record_of_their_releases() -> None:
    root = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert _SECTION.findall(root) == [], "artifact-contracts sections belong in contracts_pkg/CHANGELOG.md"
    assert "contracts_pkg/CHANGELOG.md" in root


@pytest.mark.parametrize("version", VERSIONS)
class TestSnapshot:
    def test_files_match_their_recorded_hashes(self, version: str) -> None:
        folder = RELEASES / version
        recorded = json.loads((folder / "SHA256SUMS.json").read_text())
        actual = {
            str(p.relative_to(folder).as_posix()): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != "SHA256SUMS.json"
        }
        assert actual == recorded, "release snapshots are immutable"

    def test_documents_carry_their_version(self, version: str) -> None:
        folder = RELEASES / version
        assert json.loads((folder / "json-schema.json").read_text())["x-contract-version"] == version
        assert json.loads((folder / "openapi.json").read_text())["info"]["version"] == version

    def test_goldens_decode_with_todays_package(self, version: str) -> None:
        """Backward: today's package reads every golden of every earlier release."""
        old = json.loads((RELEASES / version / "json-schema.json").read_text())
        today = json_schema()
        broken = {c.type for c in compare(old, today) if c.bump == "major"}
        types = {t.__name__: t for t in CONTRACT_TYPES}
        must = set(old["$defs"]) & set(types) - _embedding(broken, today["$defs"])
        decoded, failures = goldens.decode_all(RELEASES / version / "goldens", types, must)
        assert failures == []
        assert must - decoded == set(), "types of the release without a golden"


def _embedding(names: set[str], defs: dict[str, Any]) -> set[str]:
    found = set(names)
    while True:
        more = {n for n, d in defs.items() if n not in found and any(f'/{t}"' in json.dumps(d) for t in found)}
        if not more:
            return found
        found |= more


def test_the_gate_holds_against_every_release(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["compat", "--releases-dir", str(RELEASES), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    hint = (
        "a released version's contracts changed: bump the version and add its CHANGELOG section "
        "(RELEASING.md, 'Changing a contract after a release'; `artifact-contracts compat` says which bump)\n"
    )
    assert status == 0, hint + json.dumps(report, indent=2)[:4000]
    assert report["ok"] is True
    assert report["comparisons"], "nothing was compared"
