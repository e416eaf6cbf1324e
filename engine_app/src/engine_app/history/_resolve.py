"""What a side of ``engine-app diff`` names: a run id (or prefix), a warehouse, a plan, a baseline."""

from __future__ import annotations

import re
from pathlib import Path

from artifact_contracts import loads_json
from artifact_contracts.models import PlanBaseline, RunRecord
from engine_app.errors import EngineError
from engine_app.history._sets import PlannedStatement, PlanSet
from engine_app.lake import Location
from engine_app.stores import RUNS_TABLE, PlanArtifactStore, RunRecordStore

__all__ = ["MIN_PREFIX", "find_run", "latest_run", "load_baseline", "resolve_side"]

MIN_PREFIX = 4
"""The fewest hex digits a run id or fingerprint prefix may have."""

_HEX = re.compile(r"^[0-9a-f]+$")


def load_baseline(path: Path) -> PlanBaseline:
    """Read a baseline file.

    Raises:
        EngineError: The file cannot be read.
        ContractError: It is not a PlanBaseline (the issues say where).
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise EngineError(f"cannot read the baseline {path}: {exc.strerror or exc}") from exc
    return loads_json(data, PlanBaseline)


def find_run(warehouse: Location, ref: str) -> RunRecord:
    """The run a run id or an unambiguous prefix of one names.

    Raises:
        EngineError: No run, or several runs, match; the message lists what does exist.
    """
    wanted = ref.strip().lower()
    if len(wanted) < MIN_PREFIX or not _HEX.match(wanted):
        raise EngineError(f"{ref!r} is not a run id: expected at least {MIN_PREFIX} of its hex digits (0-9, a-f)")
    runs = RunRecordStore(warehouse)
    matches = [run_id for run_id in runs.ids() if run_id.startswith(wanted)]
    if not matches:
        raise EngineError(f"no run {ref!r} in {warehouse.uri} (`engine-app runs list` lists the runs)")
    if len(matches) > 1:
        raise EngineError(f"{ref!r} matches {len(matches)} runs: {', '.join(matches[:5])}; give more digits")
    [record] = runs.get(matches[0]).items
    return record


def latest_run(warehouse: Location) -> RunRecord:
    """The newest run of a warehouse.

    Raises:
        EngineError: The warehouse has no run.
    """
    ids = RunRecordStore(warehouse).ids()
    if not ids:
        raise EngineError(f"no run recorded in {warehouse.uri}; `engine-app run` or `engine-app plan` records one")
    return find_run(warehouse, ids[-1])


def _is_warehouse(ref: str) -> bool:
    location = Location.of(ref)
    return location.join(RUNS_TABLE).is_delta_table()


def resolve_side(ref: str, warehouse: Location) -> PlanSet:
    """Turn a diff argument into a plan set.

    Tried in this order: a baseline file (``.json``), a warehouse (its newest run), a plan
    fingerprint (``sha256:...``, its newest capture in ``warehouse``), a run id or prefix
    (in ``warehouse``).

    Raises:
        EngineError: The argument names nothing.
        ContractError: A baseline file is malformed.
    """
    path = Path(ref)
    if ref.endswith(".json") or path.is_file():
        return PlanSet.of_baseline(load_baseline(path), f"baseline {ref}")
    if "://" in ref or path.is_dir():
        if not _is_warehouse(ref):
            raise EngineError(f"{ref} holds no run records (not a warehouse that `run` or `plan` wrote to)")
        where = Location.of(ref)
        record = latest_run(where)
        return PlanSet.of_run(record, PlanArtifactStore(where), f"{ref} (run {record.run_id})")
    if ref.startswith("sha256:"):
        found = PlanArtifactStore(warehouse).get(ref)
        if not found.items:
            raise EngineError(f"no stored plan {ref!r} in {warehouse.uri}")
        return PlanSet(label=ref, statements={"plan": PlannedStatement.of("plan", found.items[0].artifacts)})
    record = find_run(warehouse, ref)
    return PlanSet.of_run(record, PlanArtifactStore(warehouse))
