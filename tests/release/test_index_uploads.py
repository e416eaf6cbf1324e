"""Publishing to a real private index: authentication, both distributions, immutability.

pypiserver runs on 127.0.0.1 with htpasswd authentication for uploads. The distributions
are built and published by ``tools/release.py`` (``hatch build`` / ``hatch publish``), and
installed into fresh virtual environments with the private index as the *only* index.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from artifact_contracts import __version__
from tests.release.conftest import ROOT, Index, load_tool

pytestmark = [pytest.mark.release, pytest.mark.slow]

release = load_tool("release")
RELEASES = ROOT / "schemas" / "releases"


def _run(cmd: list[str], **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, **kw)  # type: ignore[call-overload, no-any-return]


def _hosted(index: Index) -> set[str]:
    return {p.name for p in index.packages.iterdir()}


def _upload_without_auth(index: Index, wheel: Path) -> int:
    """POST a legacy-API upload with no Authorization header; return the HTTP status."""
    boundary = uuid.uuid4().hex
    fields = {":action": "file_upload", "protocol_version": "1", "name": "artifact-contracts",
              "version": __version__}  # fmt: skip
    body = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in fields.items()
    )
    body += (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="content"; filename="{wheel.name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + wheel.read_bytes()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(
        f"{index.url}/", data=body, method="POST",
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


class TestUploads:
    def test_upload_without_credentials_is_refused(self, index: Index, dist: Path) -> None:
        wheel = next(dist.glob("artifact_contracts-*.whl"))
        before = _hosted(index)
        assert _upload_without_auth(index, wheel) in (401, 403)
        assert _hosted(index) == before

    def test_upload_with_a_wrong_password_is_refused(self, index: Index, dist: Path) -> None:
        wheel = next(dist.glob("artifact_contracts-*.whl"))
        before = _hosted(index)
        result = _run(["hatch", "publish", "-y", str(wheel)], env=index.publish_env(password="wrong"))
        assert result.returncode != 0
        assert "403" in result.stdout + result.stderr
        assert _hosted(index) == before

    def test_both_distributions_are_published(self, index: Index, published: Path) -> None:
        for project in ("artifact-contracts", "engine-app"):
            with urllib.request.urlopen(f"{index.simple}{project}/", timeout=10) as response:
                page = response.read().decode()
            links = dict(re.findall(r'href="[^"]*/([^/"#]+)#sha256=([0-9a-f]{64})"', page))
            local = {p.name: p for p in published.iterdir() if p.name.startswith(project.replace("-", "_"))}
            assert set(local) <= set(links), page
            for name, path in local.items():
                assert links[name] == hashlib.sha256(path.read_bytes()).hexdigest()

    def test_reuploading_a_version_is_refused(self, index: Index, published: Path) -> None:
        hosted = {p.name: p.read_bytes() for p in index.packages.iterdir()}
        result = _run(
            [sys.executable, str(ROOT / "tools" / "release.py"), "--dist", str(published), "publish"],
            env=index.publish_env(),
        )
        assert result.returncode != 0
        assert "409" in result.stdout + result.stderr, result.stdout + result.stderr
        assert {p.name: p.read_bytes() for p in index.packages.iterdir()} == hosted
