"""Writers for the S3 concurrency and kill tests, run as scripts in fresh interpreters.

``python s3_workers.py WAREHOUSE_URI TEMPLATE START STOP BATCH NAME``: store the plan
artifacts numbered START..STOP-1 in the warehouse's plan store, BATCH per commit, and
after each commit append one diagnostics event (subject ``NAME/<commit>``). The server
and credentials come from the ``AWS_*`` environment the test sets.

Each commit prints one line, flushed, so the parent can see progress (and kill mid-way).
"""

from __future__ import annotations

import sys
from pathlib import Path

import msgspec

from artifact_contracts import fingerprint, loads_msgpack
from artifact_contracts.models import PlanArtifacts


def artifact(template: PlanArtifacts, number: int) -> PlanArtifacts:
    """The template stamped as artifact ``number`` (its own fingerprint, its own SQL)."""
    return msgspec.structs.replace(
        template, plan_fingerprint=fingerprint(("s3", number)), sql=f"{template.sql} -- artifact {number}"
    )


def main(argv: list[str]) -> None:
    """Run one writer (see the module docstring for the arguments)."""
    from engine_app.stores import Warehouse, make_event

    uri, template_file, start, stop, batch, name = argv
    template = loads_msgpack(Path(template_file).read_bytes(), PlanArtifacts)
    warehouse = Warehouse.of(uri)
    todo = [artifact(template, n) for n in range(int(start), int(stop))]
    size = int(batch)
    for number, first in enumerate(range(0, len(todo), size)):
        written = warehouse.plans.append(todo[first : first + size])
        print("plans", written, flush=True)
        warehouse.diagnostics.append([make_event("info", "S3_WORKER", "a commit", subject=f"{name}/{number}")])
        print("event", number, flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
