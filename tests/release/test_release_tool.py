"""The release tool's guards: credentials only from the environment, explicit files, changelog."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.release.conftest import ROOT, load_tool

release = load_tool("release")


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
