"""A real private package index (pypiserver with upload authentication) and built distributions."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def load_tool(name: str) -> ModuleType:
    """Import ``tools/<name>.py`` (the release scripts are not a package)."""
    spec = importlib.util.spec_from_file_location(f"_tools_{name}", ROOT / "tools" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass(frozen=True)
class Index:
    """A running pypiserver: uploads need ``user``/``password``, downloads are open."""

    url: str
    user: str
    password: str
    packages: Path

    @property
    def simple(self) -> str:
        return f"{self.url}/simple/"

    def publish_env(self, *, user: str | None = None, password: str | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("HATCH_ENV_", "HATCH_INDEX_"))}
        env.update(
            HATCH_INDEX_REPO=f"{self.url}/",
            HATCH_INDEX_USER=self.user if user is None else user,
            HATCH_INDEX_AUTH=self.password if password is None else password,
        )
        return env


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def running_index(root: Path) -> Iterator[Index]:
    """Run pypiserver on 127.0.0.1: htpasswd authentication for uploads, no overwrites.

    Names it does not host are redirected to the public index (pypiserver's fallback), so a
    client given only this index never looks up a privately hosted name publicly.
    """
    with warnings.catch_warnings():  # passlib imports the deprecated crypt module
        warnings.simplefilter("ignore", DeprecationWarning)
        from passlib.apache import HtpasswdFile

    packages = root / "packages"
    packages.mkdir(parents=True)
    user, password = "releaser", secrets.token_urlsafe(16)
    htpasswd = HtpasswdFile(str(root / "htpasswd"), new=True)
    htpasswd.set_password(user, password)
    htpasswd.save()
    port = _free_port()
    cmd = [
        sys.executable, "-m", "pypiserver", "run", "-i", "127.0.0.1", "-p", str(port),
        "-P", str(root / "htpasswd"), "-a", "update", str(packages),
    ]  # fmt: skip
    with (root / "server.log").open("w") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/simple/", timeout=2):
                    break
            except (urllib.error.URLError, OSError):
                if proc.poll() is not None or time.monotonic() > deadline:
                    proc.kill()
                    raise RuntimeError(f"pypiserver did not start: {(root / 'server.log').read_text()}") from None
                time.sleep(0.2)
        try:
            yield Index(url=url, user=user, password=password, packages=packages)
        finally:
            proc.terminate()
            proc.wait(timeout=10)


@pytest.fixture(scope="session")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Index]:
    """One private index for the session's publish and install tests."""
    with running_index(tmp_path_factory.mktemp("index")) as running:
        yield running


@pytest.fixture(scope="session")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Wheel and sdist of both distributions, built from the working tree by the release tool."""
    folder = tmp_path_factory.mktemp("dist")
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "release.py"), "--dist", str(folder), "build"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return folder


@pytest.fixture(scope="session")
def published(index: Index, dist: Path) -> Path:
    """Publish both distributions to the index with ``hatch publish`` (credentials from env)."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "release.py"), "--dist", str(dist), "publish"],
        env=index.publish_env(),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return dist
