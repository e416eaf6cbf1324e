"""A local two-node Ray cluster (one CPU each) bound to 127.0.0.1, for the whole module.

Ray rewrites a loopback address to the machine's interface and then hangs for minutes,
unless its single-machine switch is set before Ray is imported (as the engine sets it for
a cluster on 127.0.0.1). Without Ray the tests skip on a developer machine; in CI (``CI``
set) they fail: the hatch default environment installs ``engine-app[ray]``.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator

import pytest

from tests.engine.s3.conftest import s3_options, s3_warehouse

__all__ = ["ray_cluster", "s3_options", "s3_warehouse"]

NODE = {"num_cpus": 1, "node_ip_address": "127.0.0.1", "object_store_memory": 96 * 1024 * 1024}


@pytest.fixture(scope="package")
def ray_cluster(s3_options: dict[str, str]) -> Iterator[str]:
    """Start the cluster (after the S3 server, so its workers inherit the ``AWS_*`` variables)."""
    if importlib.util.find_spec("ray") is None:
        if os.environ.get("CI"):
            pytest.fail("ray is not installed; the hatch default environment provides engine-app[ray]")
        pytest.skip("ray is not installed (pip install 'engine-app[ray]')")
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
    from ray.cluster_utils import Cluster

    cluster = Cluster(initialize_head=True, head_node_args={**NODE, "include_dashboard": False})
    try:
        cluster.add_node(**NODE)
        cluster.wait_for_nodes()
        yield cluster.address
    finally:
        cluster.shutdown()
