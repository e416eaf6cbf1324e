"""Worker processes for the Delta I/O tests (run as scripts, so nothing forks after deltalake).

``python delta_workers.py append TABLE WAREHOUSE WORKER ROWS GO``: one write-pipeline append
of ROWS rows whose ids are ``WORKER * ROWS + i``, started once the file GO exists (so that
all workers, their imports done, commit at about the same moment).

``python delta_workers.py kill TABLE WAREHOUSE STEP FIRST ROWS [ZORDER]``: one write-pipeline
append of ROWS rows with ids from FIRST that SIGKILLs its own process at STEP
(``properties``, ``data`` or ``artifact``, see ``engine_app.delta._write``); ZORDER names a
column to Z-order by (a policy change, so an existing table gets a properties commit).

``python delta_workers.py incremental WAREHOUSE SOURCE CONSUMER``: the CDF consumer, one
source version per batch, until caught up.
"""

from __future__ import annotations

import sys
from pathlib import Path


def _append(table: str, warehouse: str, worker: int, rows: int, go: str) -> None:
    import time

    import pyarrow as pa

    from artifact_contracts.models import DeltaWritePolicy
    from engine_app.delta import write_table

    ids = range(worker * rows, (worker + 1) * rows)
    data = pa.table({"id": pa.array(ids, pa.int64()), "worker": pa.array([worker] * rows, pa.int64())})
    while not Path(go).exists():
        time.sleep(0.005)
    artifact = write_table(Path(table), data, DeltaWritePolicy(), warehouse=Path(warehouse), max_attempts=20)
    print(artifact.version_after, artifact.telemetry.commit_attempts)


def _kill(table: str, warehouse: str, step: str, first: int, rows: int, zorder: str | None) -> None:
    import os
    import signal

    import pyarrow as pa

    from artifact_contracts.models import DeltaWritePolicy
    from engine_app.delta import _write, write_table

    def hook(reached: str) -> None:
        if reached == step:
            os.kill(os.getpid(), signal.SIGKILL)

    _write._step_hook = hook
    data = pa.table(
        {"id": pa.array(range(first, first + rows), pa.int64()), "worker": pa.array([0] * rows, pa.int64())}
    )
    policy = DeltaWritePolicy(zorder_by=(zorder,) if zorder else ())
    write_table(Path(table), data, policy, warehouse=Path(warehouse))
    print("not killed")


def _incremental(warehouse: str, source: str, consumer: str) -> None:
    from engine_app.delta import run_incremental

    run_incremental(Path(warehouse), Path(source), consumer, batch_versions=1)


def main(argv: list[str]) -> None:
    if argv[0] == "append":
        _append(argv[1], argv[2], int(argv[3]), int(argv[4]), argv[5])
    elif argv[0] == "kill":
        _kill(argv[1], argv[2], argv[3], int(argv[4]), int(argv[5]), argv[6] if len(argv) > 6 else None)
    elif argv[0] == "incremental":
        _incremental(argv[1], argv[2], argv[3])
    else:
        raise SystemExit(f"unknown worker {argv[0]!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
