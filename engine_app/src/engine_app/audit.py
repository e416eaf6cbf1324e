"""The determinism audit: re-plan every stored plan in a fresh process and compare.

The parent reads the store and hands each plan's SQL, recorded planning environment
and expected :class:`DeterminismAuditBundle` to a worker started with the ``spawn``
method (deltalake's tokio runtime panics in a forked child), or in shards to the tasks
of a Ray cluster. The worker rebuilds an
equal session, plans again and compares every fingerprint of the bundle; a mismatch is
reported field by field. Everything crosses the process boundary as contract bytes.
"""

from __future__ import annotations

import contextlib
import dataclasses
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec

from artifact_contracts import dumps_msgpack, loads_msgpack
from artifact_contracts.models import (
    DeterminismAuditBundle,
    DeterminismAuditResult,
    DiagnosticsEvent,
    FingerprintMismatch,
    PlanningEnvironment,
)
from engine_app.errors import error_text
from engine_app.lake import Location
from engine_app.planning import audit_bundle, plan_sql
from engine_app.scaleout import gather, shards
from engine_app.session import EngineSession
from engine_app.stores import PlanArtifactStore, StoredPlan, make_event

if TYPE_CHECKING:
    from engine_app.scaleout import RayExecutor

__all__ = ["AuditReport", "audit_warehouse", "compare_bundles", "replan_batch"]


@dataclasses.dataclass(frozen=True)
class AuditReport:
    """The audit's results (one per stored plan) and its diagnostics events."""

    results: list[DeterminismAuditResult]
    events: list[DiagnosticsEvent]

    @property
    def ok(self) -> bool:
        """Whether every stored plan decoded and reproduced every fingerprint."""
        return not self.events and all(result.matches for result in self.results)


def compare_bundles(expected: DeterminismAuditBundle, actual: DeterminismAuditBundle) -> list[FingerprintMismatch]:
    """List the fields of two bundles that differ, in field order.

    Args:
        expected: The stored bundle.
        actual: The bundle of the fresh plan.

    Returns:
        One mismatch per differing field.
    """
    mismatches: list[FingerprintMismatch] = []
    for field in msgspec.structs.fields(DeterminismAuditBundle):
        left, right = getattr(expected, field.name), getattr(actual, field.name)
        if left != right:
            mismatches.append(FingerprintMismatch(field=field.name, expected=left, actual=right))
    return mismatches


def replan_batch(
    environment: bytes, jobs: Sequence[tuple[str, str | None, bytes]], warehouse: str | None = None
) -> list[bytes]:
    """Re-plan statements in this process (the audit worker's entry point).

    Args:
        environment: ``dumps_msgpack`` of the :class:`PlanningEnvironment`.
        warehouse: The warehouse directory that relative table locations are in.
        jobs: ``(sql, view_name, dumps_msgpack(expected bundle))`` per plan.

    Returns:
        ``dumps_msgpack`` of one :class:`DeterminismAuditResult` per job, in order.
    """
    results: list[bytes] = []
    try:
        base = Path(warehouse) if warehouse is not None else None
        session = EngineSession.from_environment(loads_msgpack(environment, PlanningEnvironment), base)
    except Exception as exc:  # any failure to rebuild the session fails every job
        for _, _, expected_bytes in jobs:
            expected = loads_msgpack(expected_bytes, DeterminismAuditBundle)
            results.append(
                dumps_msgpack(
                    DeterminismAuditResult(
                        plan_fingerprint=expected.plan_fingerprint,
                        matches=False,
                        error=f"cannot rebuild the planning environment: {error_text(exc)}",
                    )
                )
            )
        return results
    for sql, view_name, expected_bytes in jobs:
        expected = loads_msgpack(expected_bytes, DeterminismAuditBundle)
        try:
            actual = audit_bundle(plan_sql(session, sql, view_name=view_name))
        except Exception as exc:  # a plan that no longer plans is a failed audit, not a crash
            result = DeterminismAuditResult(
                plan_fingerprint=expected.plan_fingerprint, matches=False, error=error_text(exc)
            )
        else:
            mismatches = compare_bundles(expected, actual)
            result = DeterminismAuditResult(
                plan_fingerprint=expected.plan_fingerprint, matches=not mismatches, mismatches=tuple(mismatches)
            )
        results.append(dumps_msgpack(result))
    return results


def _expected_bundle(stored: StoredPlan) -> DeterminismAuditBundle:
    return stored.bundle or audit_bundle(stored.artifacts, stored.row.contract_hash)


def audit_warehouse(
    warehouse: Location | str | os.PathLike[str],
    *,
    executor: RayExecutor | None = None,
    advance: Callable[[int], None] | None = None,
) -> AuditReport:
    """Audit every plan stored in a warehouse, in fresh processes.

    Args:
        warehouse: The warehouse (a directory or an object-store URI).
        executor: Where the re-planning runs; None: one spawned process.
        advance: Called with the plans audited as each batch finishes (a progress bar).

    Returns:
        The report; rows that do not decode, or carry no planning environment,
        become diagnostics events (and make the audit fail).
    """
    location = Location.of(warehouse)
    listed = PlanArtifactStore(location).list()
    events = list(listed.events)
    batches: dict[bytes, list[tuple[str, str | None, bytes]]] = {}
    for stored in listed.items:
        if stored.environment is None:
            events.append(
                make_event(
                    "error",
                    "AUDIT_NO_ENVIRONMENT",
                    "the stored plan records no planning environment, so it cannot be re-planned",
                    subject=stored.row.plan_fingerprint,
                )
            )
            continue
        batches.setdefault(dumps_msgpack(stored.environment), []).append(
            (stored.artifacts.sql, stored.artifacts.view_name, dumps_msgpack(_expected_bundle(stored)))
        )
    done = (lambda items: advance(len(items))) if advance is not None else None
    with contextlib.ExitStack() as stack:
        pool: Executor = executor or stack.enter_context(
            ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
        )
        workers = executor.workers if executor is not None else 1
        futures = [
            pool.submit(replan_batch, env, shard, location.uri)
            for env, jobs in batches.items()
            for shard in shards(jobs, workers)
        ]
        results = [loads_msgpack(item, DeterminismAuditResult) for batch in gather(futures, done) for item in batch]
    for result in results:
        if not result.matches:
            fields = ", ".join(m.field for m in result.mismatches) or (result.error or "")
            events.append(
                make_event(
                    "error",
                    "AUDIT_MISMATCH",
                    f"re-planning did not reproduce: {fields}",
                    subject=result.plan_fingerprint,
                )
            )
    return AuditReport(results=results, events=events)
