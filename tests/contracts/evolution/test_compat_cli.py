"""``artifact-contracts compat``: formats, exit statuses, and the transitive check."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from artifact_contracts import StructBaseCompat, dumps_json
from artifact_contracts.cli import main
from artifact_contracts.evolution import RULES, release_versions

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def _exporter(export: Callable[..., dict[str, Any]]) -> None:
    global _EXPORT
    _EXPORT = export


_EXPORT: Callable[..., dict[str, Any]]


def _doc(fields: dict[str, Any], defaults: dict[str, Any], version: str) -> dict[str, Any]:
    doc = _EXPORT(type("P", (StructBaseCompat,), {"__annotations__": fields, **defaults}))
    doc["x-contract-version"] = version
    return doc


def _write(path: Path, doc: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(dumps_json(doc))
    return path


V1 = ({"a": int}, {})
V1_PLUS = ({"a": int, "b": int}, {"b": 0})
V1_BROKEN = ({"b": str}, {})


@pytest.fixture
def releases(tmp_path: Path) -> Path:
    root = tmp_path / "schemas" / "releases"
    _write(root / "1.0.0" / "json-schema.json", _doc(*V1, "1.0.0"))
    _write(root / "1.1.0" / "json-schema.json", _doc(*V1_PLUS, "1.1.0"))
    return root


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(["compat", *argv])
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.parametrize(
    ("current", "version", "against", "status", "required"),
    [
        (V1_PLUS, "1.1.0", "1.1.0", 0, "none"),
        (V1_PLUS, "1.1.0", "1.0.0", 0, "minor"),
        (V1_PLUS, "1.0.1", "1.0.0", 1, "minor"),
        (V1_BROKEN, "1.2.0", "1.1.0", 1, "major"),
        (V1_BROKEN, "2.0.0", "1.1.0", 0, "major"),
    ],
)
def test_json_report_and_exit_status(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    releases: Path,
    current: tuple[dict[str, Any], dict[str, Any]],
    version: str,
    against: str,
    status: int,
    required: str,
) -> None:
    cur = _write(tmp_path / "current.json", _doc(*current, version))
    code, out, _ = run(
        capsys,
        "--current",
        str(cur),
        "--against",
        against,
        "--releases-dir",
        str(releases),
        "--format",
        "json",
    )
    report = json.loads(out)
    assert (code, report["required_bump"]) == (status, required)
    assert report["ok"] is (status == 0)
    for change in report["changes"]:
        assert {"rule", "path", "bump", "type", "surfaces", "message"} <= change.keys()
        assert change["rule"] in RULES


def test_all_checks_every_earlier_release_of_the_major(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, releases: Path
) -> None:
    # 1.0.1 slipped in an addition under a patch bump: against 1.0.1 alone, 1.0.2 is clean,
    # but against 1.0.0 the addition needs a minor bump.
    _write(releases / "1.0.1" / "json-schema.json", _doc(*V1_PLUS, "1.0.1"))
    cur = _write(tmp_path / "current.json", _doc(*V1_PLUS, "1.0.2"))
    code, out, _ = run(capsys, "--current", str(cur), "--against", "1.0.1", "--releases-dir", str(releases))
    assert code == 0, out
    code, out, _ = run(capsys, "--current", str(cur), "--releases-dir", str(releases), "--format", "json")
    report = json.loads(out)
    assert code == 1
    assert [(c["against"], c["ok"]) for c in report["comparisons"]] == [("1.0.1", True), ("1.0.0", False)]


def test_against_a_bare_file_fails_only_on_major(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    old = _write(tmp_path / "old.json", _doc(*V1, "1.0.0"))
    plus = _write(tmp_path / "plus.json", _doc(*V1_PLUS, "1.0.0"))
    broken = _write(tmp_path / "broken.json", _doc(*V1_BROKEN, "9.0.0"))
    assert run(capsys, "--current", str(plus), "--against", str(old))[0] == 0
    status, out, _ = run(capsys, "--current", str(broken), "--against", str(old))
    assert status == 1
    assert "FIELD_REMOVED_REQUIRED" in out
    assert "[breaks backward: python; forward: json, msgpack, python]" in out
    assert "FAIL" in out


def test_markdown_format(capsys: pytest.CaptureFixture[str], tmp_path: Path, releases: Path) -> None:
    cur = _write(tmp_path / "current.json", _doc(*V1_BROKEN, "2.0.0"))
    status, out, _ = run(
        capsys,
        "--current",
        str(cur),
        "--against",
        "1.0.0",
        "--releases-dir",
        str(releases),
        "--format",
        "markdown",
    )
    assert status == 0
    assert out.startswith("### Contract changes since 1.0.0")
    assert "| major | `FIELD_REMOVED_REQUIRED` | `P.a` |" in out
    assert "| backward: python; forward: json, msgpack, python |" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--against", "3.0.0"], "no release 3.0.0"),
        (["--against", "missing.json"], "cannot read missing.json"),
    ],
)
def test_user_errors_are_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, releases: Path, argv: list[str], message: str
) -> None:
    cur = _write(tmp_path / "current.json", _doc(*V1, "1.0.0"))
    status, _out, err = run(capsys, "--current", str(cur), "--releases-dir", str(releases), *argv)
    assert status == 2
    assert message in err
    assert "Traceback" not in err


def test_release_versions_sort_semantically(tmp_path: Path) -> None:
    for v in ("0.10.0", "0.2.0", "0.9.1"):
        _write(tmp_path / v / "json-schema.json", {"$defs": {}})
    (tmp_path / "notes").mkdir()
    assert release_versions(tmp_path) == ["0.2.0", "0.9.1", "0.10.0"]


def test_compatibility_doc_lists_every_rule(capsys: pytest.CaptureFixture[str]) -> None:
    doc = (ROOT / "contracts_pkg" / "COMPATIBILITY.md").read_text()
    status, table, _ = run(capsys, "--rules", "--format", "markdown")
    assert status == 0
    assert table in doc, "regenerate the table: artifact-contracts compat --rules"


def test_rules_json(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "--rules", "--format", "json")
    assert status == 0
    assert [r["id"] for r in json.loads(out)] == list(RULES)
