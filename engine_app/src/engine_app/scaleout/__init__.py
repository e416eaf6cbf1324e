"""Where work runs: this process, or a Ray cluster.

The engine stays single-process per worker. Work that fans out (planning and running a
spec's queries, re-planning stored plans for the audit) is cut into shards with
:func:`shards` and submitted to a :class:`concurrent.futures.Executor`: the caller's own
process pool, or :class:`RayExecutor`, which runs each call as a Ray task (retried by Ray
when its worker dies; the stores' keyed writes make a retry add nothing twice).
:func:`ray_executor` connects to a cluster, or starts a local one bound to 127.0.0.1.

Ray is an optional extra (``engine-app[ray]``); nothing here imports it until a Ray
executor is asked for.
"""

from engine_app.scaleout._ray import RayExecutor, ray_executor
from engine_app.scaleout._shards import gather, shards

__all__ = ["RayExecutor", "gather", "ray_executor", "shards"]
