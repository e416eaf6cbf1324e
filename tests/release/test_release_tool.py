"""The release tool's guards: credentials only from the environment, explicit files, changelog."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from artifact_contracts import __version__, dumps_json
from artifact_contracts.evolution import parse_version
from artifact_contracts.registry import json_schema
from tests.release.conftest import ROOT, load_tool

release = load_tool("release")


def _previous_line(version: str) -> str:
    """A version one compatible line before ``version``: bumping from it allows breaks."""
    major, minor, _ = parse_version(version)
    return f"0.{minor - 1}.0" if major == 0 else f"{major - 1}.0.0"


@pytest.mark.parametrize(
    ("text", "version"),
    [
        ("# Changelog\n\n## [Unreleased]\n\n## [artifact-contracts-v0.2.0] - 2026-11-24\n"
         "## [artifact-contracts-v0.1.0] - 2026-11-20\n", "0.2.0"),
        ("## [Unreleased]\n### Added\n- things\n", None),
    ],
)  # fmt: skip
def test_newest_changelog_version(text: str, version: str | None) -> None:
    assert release.newest_changelog_version(text) == version


@pytest.mark.parametrize("missing", ["HATCH_INDEX_REPO", "HATCH_INDEX_USER", "HATCH_INDEX_AUTH"])
def test_publish_refuses_without_credentials_in_the_environment(tmp_path: Path, missing: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HATCH_INDEX_")}
    env.update(HATCH_INDEX_REPO="http://127.0.0.1:9/", HATCH_INDEX_USER="u", HATCH_INDEX_AUTH="p")
    del env[missing]
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "release.py"), "--dist", str(tmp_path), "publish"],
        env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 2
    assert missing in result.stderr and "never in a file" in result.stderr


def test_publish_names_its_files_explicitly(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match=r"missing in .*artifact_contracts-.*\.whl"):
        release.dist_files(tmp_path)


class TestTheGateRefusesTooSmallABump:
    """``release.py gate`` runs the real compatibility gate on today's contracts."""

    @staticmethod
    def _release(root: Path, version: str, edit: Callable[[dict[str, Any]], None]) -> Path:
        """Snapshot today's schema as release ``version``, edited into what that release had."""
        document = json_schema()
        document["x-contract-version"] = version
        edit(document)
        folder = root / version
        folder.mkdir(parents=True)
        (folder / "json-schema.json").write_bytes(dumps_json(document))
        return root

    @staticmethod
    def _without_scan_rule(document: dict[str, Any]) -> None:
        # The release before had no `not` rule on DeltaScanConfig: today's adds one (major).
        del document["$defs"]["DeltaScanConfig"]["not"]

    @staticmethod
    def _without_key_pattern(document: dict[str, Any]) -> None:
        # The release before had no pattern on EngineConfig's setting names: today's tightens (major).
        component = document["$defs"]["EngineConfig"]
        holders = [p for p in component["properties"].values() if "propertyNames" in p]
        holders[0]["propertyNames"].pop("pattern")

    @staticmethod
    def _with_one_field_less(document: dict[str, Any]) -> None:
        # The release before lacked an optional field: today's adds it (minor).
        del document["$defs"]["CdfCursor"]["properties"]["updated_at"]

    @pytest.mark.parametrize(
        ("edit", "release_version", "status"),
        [
            ("_without_scan_rule", __version__, 1),
            ("_without_key_pattern", __version__, 1),
            ("_with_one_field_less", __version__, 1),
            ("_without_scan_rule", _previous_line(__version__), 0),
            ("_with_one_field_less", _previous_line(__version__), 0),
            (None, __version__, 0),
        ],
    )
    def test_gate(
        self,
        monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path,
        capfd: pytest.CaptureFixture[str],
        edit: str | None,
        release_version: str,
        status: int,
    ) -> None:
        releases = self._release(tmp_path, release_version, getattr(self, edit) if edit else lambda _: None)
        monkeypatch.setattr(release, "RELEASES", releases)
        assert release.gate(argparse.Namespace(format="json")) == status
        report = json.loads(capfd.readouterr().out.split("\n", 1)[1])
        assert report["ok"] is (status == 0)
        assert [c["against"] for c in report["comparisons"]] == [release_version]
