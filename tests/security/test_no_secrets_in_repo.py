"""Secrets come from the environment, never from a file in the repository.

The release flow reads the index URL and credentials from ``HATCH_INDEX_*`` (see
tests/release for the index refusing unauthenticated uploads and overwrites); this test
keeps credential files and literal credentials out of every tracked file.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

CREDENTIAL_FILES = re.compile(r"(^|/)(\.pypirc|\.netrc|htpasswd|\.htpasswd|id_rsa|id_ed25519|\.env)$|\.(pem|key|p12)$")
# An assignment of a literal to something named like a credential, in config or code.
LITERAL_CREDENTIAL = re.compile(
    r"""(?ix)
    \b(password|passwd|secret|api[_-]?key|auth[_-]?token|hatch_index_auth|twine_password)\b
    \s*[:=]\s*["'][^"'\s]{4,}["']
    """
)
PRIVATE_KEY = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")
# Throwaway credentials of the local test index exist only inside the tests that start it.
EXEMPT_DIRS = ("tests/release/", "tests/security/")


def tracked_files() -> list[str]:
    out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        pytest.skip("not a git checkout")
    return out.stdout.splitlines()


def offenders(name: str, text: str) -> list[str]:
    found = []
    if CREDENTIAL_FILES.search(name):
        found.append(f"{name}: a credential file")
    if PRIVATE_KEY.search(text):
        found.append(f"{name}: a private key")
    if not name.startswith(EXEMPT_DIRS):
        found += [f"{name}: {m.group(0)}" for m in LITERAL_CREDENTIAL.finditer(text)]
    return found


def test_no_credentials_in_tracked_files() -> None:
    found = []
    for name in tracked_files():
        path = ROOT / name
        if not path.is_file() or path.stat().st_size > 2_000_000:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        found += offenders(name, text)
    assert found == []


@pytest.mark.parametrize(
    ("name", "text", "hits"),
    [
        (".pypirc", "", 1),
        ("deploy/id_rsa", "", 1),
        ("hatch.toml", 'HATCH_INDEX_AUTH = "s3cr3t-value"', 1),
        ("tools/x.py", 'password = "hunter22"', 1),
        ("notes.md", "-----BEGIN RSA " + "PRIVATE KEY-----", 1),  # split, or this file would match
        ("tools/release.py", 'os.environ["HATCH_INDEX_AUTH"]', 0),
        ("tests/release/conftest.py", 'password = "throwaway"', 0),
    ],
)
def test_the_scan_finds_each_kind(name: str, text: str, hits: int) -> None:
    assert len(offenders(name, text)) == hits
