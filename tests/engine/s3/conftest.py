"""A real S3-compatible server (``moto[server]``) on 127.0.0.1 for the object-storage tests.

The server runs in its own process for the whole session; each test gets a warehouse
under a fresh prefix of one bucket. The ``AWS_*`` variables are set for the session, so
worker processes the tests spawn reach the same server with no options of their own.
deltalake needs no locking provider: delta-rs 1.6 commits with conditional puts.

Without ``moto`` the tests skip on a developer machine; in CI (``CI`` set) they fail,
and a server that does not start fails them everywhere.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from artifact_contracts import dumps_msgpack
from artifact_contracts.models import EngineConfig, TableSpec
from engine_app.demo.tpch import queries
from engine_app.lake import Location
from engine_app.planning import plan_sql
from engine_app.session import EngineSession

BUCKET = "engine-app-tests"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(port: int, server: subprocess.Popen[bytes], log: Path, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"moto server exited with {server.returncode}: {log.read_text(errors='replace')}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"moto server did not listen on 127.0.0.1:{port} within {seconds} s")


@pytest.fixture(scope="session")
def s3_options(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Start the server, create the bucket, and set (and yield) the ``AWS_*`` options."""
    if importlib.util.find_spec("moto") is None:
        if os.environ.get("CI"):
            pytest.fail("moto[server] is not installed; the hatch default environment provides it")
        pytest.skip("moto[server] is not installed (pip install 'moto[server]')")
    import boto3

    port = _free_port()
    # The server logs every request: to a file, since a pipe nobody reads fills and blocks it.
    log = tmp_path_factory.mktemp("moto") / "server.log"
    with log.open("wb") as sink:
        server = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    # Throwaway values the local server accepts; built here so that no file holds a literal.
    dummy = "-".join(["moto", "test", "only"])
    options = {
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "AWS_ACCESS_KEY_ID": dummy,
        "AWS_SECRET_ACCESS_KEY": dummy,
        "AWS_REGION": "us-east-1",
        "AWS_ALLOW_HTTP": "true",
        # Otherwise the SDKs probe the instance-metadata address for credentials first.
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    try:
        _wait_for(port, server, log)
        with pytest.MonkeyPatch.context() as patch:
            for name, value in options.items():
                patch.setenv(name, value)
            boto3.client("s3", endpoint_url=options["AWS_ENDPOINT_URL"], region_name="us-east-1").create_bucket(
                Bucket=BUCKET
            )
            yield options
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture
def s3_warehouse(s3_options: dict[str, str]) -> Location:
    """A warehouse URI under a fresh prefix of the test bucket (options from the environment)."""
    return Location.of(f"s3://{BUCKET}/{uuid.uuid4().hex}/wh")


@pytest.fixture(scope="session")
def template_file(tmp_path_factory: pytest.TempPathFactory, tpch_specs: list[TableSpec]) -> Path:
    """A real PlanArtifacts (TPC-H Q6), MessagePack-encoded, that the workers stamp copies of."""
    session = EngineSession(EngineConfig(target_partitions=2))
    for spec in tpch_specs:
        session.register(spec)
    path = tmp_path_factory.mktemp("template") / "q06.msgpack"
    path.write_bytes(dumps_msgpack(plan_sql(session, queries()["q06"])))
    return path
