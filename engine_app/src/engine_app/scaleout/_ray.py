"""Ray as a :class:`concurrent.futures.Executor`: each call one Ray task.

Two Ray behaviours shape it (see the engine notes). Ray rewrites a loopback address
(``127.0.0.1``, given as the cluster's address or as ``node_ip_address``) to the machine's
interface and then waits minutes for a server that listens on loopback only; Ray's own
switch for single-machine clusters (``RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0``, read when Ray
is imported) keeps loopback as it is, so it is set for a local runtime and for a cluster
on 127.0.0.1. And a task whose worker process dies is retried by
Ray (``max_retries``) while an exception raised by the task is not (it is the task's
answer, not a fault).
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from typing import Any, TypeVar

from engine_app.errors import EngineError, error_text

__all__ = ["RayExecutor", "ray_executor"]

T = TypeVar("T")

TASK_RETRIES = 3
"""How many times Ray runs a task again when its worker dies."""


def _is_loopback(address: str | None) -> bool:
    if address is None:
        return True
    host = address.removeprefix("ray://").rsplit(":", 1)[0].strip("[]")
    return host in {"localhost", "::1"} or host.startswith("127.")


def _reachable(address: str) -> None:
    """Refuse a ``host:port`` nothing listens on (Ray itself retries it for many minutes)."""
    host, sep, port = address.rpartition(":")
    if not sep or not port.isdigit() or "://" in address:
        return  # ``auto``, ``ray://...``: Ray resolves those itself
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=5).close()
    except OSError as exc:
        raise EngineError(f"--ray-address {address}: no Ray cluster answers there ({exc.strerror or exc})") from exc


def _ray(loopback: bool = False) -> Any:
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # no usage report (and no network)
    if loopback:
        os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
    try:
        import ray
    except ImportError as exc:
        raise EngineError("--executor ray needs Ray: pip install 'engine-app[ray]'") from exc
    return ray


class RayExecutor(Executor):
    """Submit calls as Ray tasks on the connected cluster.

    Args:
        workers: How many CPUs (tasks at once) the work may use; the shard count follows.
    """

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._remote: dict[Callable[..., Any], Any] = {}

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        """Run ``fn(*args, **kwargs)`` as a Ray task (retried if its worker dies)."""
        ray = _ray()
        remote = self._remote.get(fn)
        if remote is None:
            remote = ray.remote(num_cpus=1, max_retries=TASK_RETRIES, retry_exceptions=False)(fn)
            self._remote[fn] = remote
        future: Future[T] = remote.remote(*args, **kwargs).future()
        return future


def _start_options(workers: int) -> dict[str, Any]:
    return {
        "address": "local",  # a new runtime, never a cluster found on this machine
        "num_cpus": workers,
        "_node_ip_address": "127.0.0.1",
        "include_dashboard": False,
        # The object store only carries shard results (outcomes, a few KB each).
        "object_store_memory": 128 * 1024 * 1024,
    }


@contextlib.contextmanager
def ray_executor(address: str | None, workers: int | None) -> Iterator[RayExecutor]:
    """Connect to a Ray cluster (or start a local one on 127.0.0.1) for the ``with`` block.

    Args:
        address: A cluster's address (``127.0.0.1:6379``, ``ray://...``, ``auto``); None
            starts a local runtime with ``workers`` CPUs, stopped when the block ends.
        workers: Tasks at once; None: every CPU of the cluster (a local runtime: 2).

    Yields:
        The executor.

    Raises:
        EngineError: Ray is not installed or the cluster cannot be reached.
    """
    if address is not None:
        _reachable(address)
    ray = _ray(loopback=_is_loopback(address))
    options: dict[str, Any] = {
        "logging_level": logging.WARNING,
        "log_to_driver": False,
        # The workers reach object storage as the driver does: its AWS_* variables go with
        # the job (a worker's own variables, such as an instance role, win where it has them).
        "runtime_env": {"env_vars": {k: v for k, v in os.environ.items() if k.startswith("AWS_")}},
    }
    if address is None:
        options.update(_start_options(workers or 2))
    else:
        options["address"] = address
    try:
        ray.init(**options)
    except Exception as exc:  # Ray raises ConnectionError, RuntimeError, ValueError...
        where = f"--ray-address {address}" if address is not None else "--executor ray"
        raise EngineError(f"{where}: cannot start or reach Ray: {error_text(exc)}") from exc
    try:
        cpus = int(ray.cluster_resources().get("CPU", 1))
        yield RayExecutor(workers or max(1, cpus))
    finally:
        ray.shutdown()
