"""Writers for the reliability tests, run as scripts in fresh interpreters (spawned, never
forked after deltalake) so that a test can kill one with SIGKILL at any moment.

``python store_workers.py plans WAREHOUSE TEMPLATE START STOP BATCH``: store the plan
artifacts numbered START..STOP-1 in the plan store, BATCH per commit, skipping those
already stored (so a rerun finishes the work of a killed run).

``python store_workers.py cursors WAREHOUSE STOP``: advance the cursor of consumer
``k`` on table ``t`` one version per commit, from where the store says it is to STOP-1.

``python store_workers.py runs WAREHOUSE STOP``: store the run records numbered 0..STOP-1
(run id ``f"{n:032x}"``), one per commit, skipping those already stored.

Each prints one line per commit, flushed, so the parent can see progress.
"""

from __future__ import annotations

import datetime
import sys
from pathlib import Path

import msgspec

from artifact_contracts import fingerprint, loads_msgpack
from artifact_contracts.models import CdfCursor, PlanArtifacts


def artifact(template: PlanArtifacts, number: int) -> PlanArtifacts:
    """The template stamped as artifact ``number`` (its own fingerprint, its own SQL)."""
    return msgspec.structs.replace(
        template,
        plan_fingerprint=fingerprint(("reliability", number)),
        sql=f"{template.sql} -- artifact {number}",
    )


def _plans(warehouse: Path, template_file: Path, start: int, stop: int, batch: int) -> None:
    from engine_app.stores import PlanArtifactStore

    template = loads_msgpack(template_file.read_bytes(), PlanArtifacts)
    store = PlanArtifactStore(warehouse)
    stored = {p.artifacts.plan_fingerprint for p in store.list().items}
    todo = [a for a in (artifact(template, n) for n in range(start, stop)) if a.plan_fingerprint not in stored]
    for first in range(0, len(todo), batch):
        written = store.append(todo[first : first + batch])
        print("committed", written, flush=True)


def _cursors(warehouse: Path, stop: int) -> None:
    from engine_app.stores import CursorStore

    store = CursorStore(warehouse)
    current = store.get("k", "t")
    position = -1 if current is None or current.last_processed_version is None else current.last_processed_version
    for version in range(position + 1, stop):
        now = datetime.datetime.now(datetime.timezone.utc)
        store.advance(CdfCursor(consumer="k", table_uri="t", last_processed_version=version, updated_at=now))
        print("committed", version, flush=True)


def run_id(number: int) -> str:
    """The run id of run record ``number``."""
    return f"{number:032x}"


def _runs(warehouse: Path, stop: int) -> None:
    from artifact_contracts import __version__
    from artifact_contracts.models import RunRecord
    from engine_app.session import EngineSession
    from engine_app.stores import RunRecordStore

    profile = EngineSession().profile
    store = RunRecordStore(warehouse)
    stored = set(store.ids())
    for number in range(stop):
        if run_id(number) in stored:
            continue
        now = datetime.datetime.now(datetime.timezone.utc)
        record = RunRecord(
            run_id=run_id(number), command="plan", started_at=now, ended_at=now,
            config_fingerprint=fingerprint(("config", number)), planning_env_hash=profile.planning_env_hash,
            contract_version=__version__, profile=profile,
        )  # fmt: skip
        print("committed", store.append(record), flush=True)


def main(argv: list[str]) -> None:
    if argv[0] == "plans":
        _plans(Path(argv[1]), Path(argv[2]), int(argv[3]), int(argv[4]), int(argv[5]))
    elif argv[0] == "cursors":
        _cursors(Path(argv[1]), int(argv[2]))
    elif argv[0] == "runs":
        _runs(Path(argv[1]), int(argv[2]))
    else:
        raise SystemExit(f"unknown worker {argv[0]!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
