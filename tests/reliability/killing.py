"""Kill loops: start a store writer, SIGKILL it at a random moment, check the store, repeat.

After every kill the store must open, every committed row must decode into exactly the
artifact that was written (no partial artifact), nothing committed before may vanish,
and no artifact may be stored twice. After the loop one more run, left alone, must
finish the work: every artifact stored exactly once. The tests and
``tools/reliability_report.py`` share these loops; the report runs more rounds.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from deltalake import DeltaTable

from artifact_contracts import fingerprint, loads_msgpack
from artifact_contracts.models import PlanArtifacts
from engine_app.lake import dataset
from engine_app.stores import CDF_CURSORS_TABLE, RUNS_TABLE, CursorStore, PlanArtifactStore, RunRecordStore
from tests.reliability.store_workers import artifact, run_id

__all__ = ["KillStats", "cursor_kill_loop", "plan_kill_loop", "run_record_kill_loop", "run_worker"]

WORKER = Path(__file__).with_name("store_workers.py")


@dataclass
class KillStats:
    """What a kill loop did and found."""

    store: str
    kills: int = 0
    """SIGKILLs delivered to a running writer."""
    survived: int = 0
    """Kills after which every invariant held."""
    rows_lost: int = 0
    """Artifacts missing after the final run, or committed and then gone."""
    rows_duplicated: int = 0
    """Artifacts stored more than once."""
    failures: list[str] = field(default_factory=list)
    """Every broken invariant, described."""
    seconds: float = 0.0


def run_worker(*args: str) -> subprocess.Popen[str]:
    """Start a worker of ``store_workers.py`` in a fresh interpreter."""
    root = str(Path(__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")])}
    return subprocess.Popen(
        [sys.executable, str(WORKER), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )


def _kill_at_random(proc: subprocess.Popen[str], rng: random.Random, commits: int) -> bool:
    """Let the writer make 0..``commits`` commits, wait a random moment more, SIGKILL it."""
    assert proc.stdout is not None
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True)  # type: ignore[arg-type]
    reader.start()
    wanted, deadline = rng.randint(0, commits), time.monotonic() + 120
    while len(lines) < wanted and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    time.sleep(rng.uniform(0.0, 0.5))
    killed = proc.poll() is None
    if killed:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=120)
    reader.join(timeout=10)
    assert proc.stderr is not None
    stderr = proc.stderr.read()
    proc.stdout.close()
    proc.stderr.close()
    if not killed and proc.returncode != 0:
        raise RuntimeError(f"the writer failed on its own: {stderr}")
    return killed


def _plan_state(warehouse: Path, template: PlanArtifacts, total: int, stats: KillStats) -> set[int] | None:
    """The artifact numbers stored; None (and failures recorded) if an invariant broke."""
    store = PlanArtifactStore(warehouse)
    if not store.exists():
        return set()
    broken = len(stats.failures)
    DeltaTable(str(store.path)).version()  # the table opens
    listed = store.list()
    stats.failures += [f"event after a kill: {e.code} {e.subject}" for e in listed.events]
    expected = {artifact(template, n).plan_fingerprint: n for n in range(total)}
    numbers = Counter(expected.get(p.artifacts.plan_fingerprint, -1) for p in listed.items)
    for plan in listed.items:
        number = expected.get(plan.artifacts.plan_fingerprint)
        if number is None or plan.artifacts != artifact(template, number):
            stats.failures.append(f"a stored artifact is not one that was written: {plan.artifacts.plan_fingerprint}")
    physical = DeltaTable(str(store.path)).count()
    if physical != len(numbers):
        stats.rows_duplicated += physical - len(numbers)
        stats.failures.append(f"{physical} rows for {len(numbers)} artifacts")
    return set(numbers) if len(stats.failures) == broken else None


def plan_kill_loop(
    warehouse: Path, template_file: Path, *, total: int, rounds: int, seed: int, budget: float, batch: int = 3
) -> KillStats:
    """Kill plan-store writers ``rounds`` times (or until ``budget`` seconds), then finish.

    Args:
        warehouse: An empty warehouse directory.
        template_file: A MessagePack PlanArtifacts to stamp artifacts from.
        total: How many artifacts the work consists of.
        rounds: The most kills to attempt.
        seed: Seeds the kill moments.
        budget: Stop killing after this many seconds.
        batch: Artifacts per commit.

    Returns:
        The counts and every broken invariant.
    """
    template = loads_msgpack(template_file.read_bytes(), PlanArtifacts)
    args = ("plans", str(warehouse), str(template_file), "0", str(total), str(batch))
    stats = KillStats("plan artifacts")
    return _keyed_kill_loop(
        stats, args, lambda: _plan_state(warehouse, template, total, stats), total=total, rounds=rounds, seed=seed,
        budget=budget, commits=3,
    )  # fmt: skip


def _keyed_kill_loop(
    stats: KillStats,
    worker: tuple[str, ...],
    state: Callable[[], set[int] | None],
    *,
    total: int,
    rounds: int,
    seed: int,
    budget: float,
    commits: int,
) -> KillStats:
    """Kill the writer ``worker`` at random, check ``state`` (numbers stored) after each kill, then finish."""
    rng, started = random.Random(seed), time.monotonic()
    committed: set[int] = set()
    for _ in range(rounds):
        if time.monotonic() - started > budget or len(committed) == total:
            break
        killed = _kill_at_random(run_worker(*worker), rng, commits=commits)
        stored = state()
        stats.kills += killed
        if stored is not None and committed <= stored:
            stats.survived += killed
            committed = stored
        elif stored is not None:
            stats.rows_lost += len(committed - stored)
            stats.failures.append(f"committed rows vanished: {sorted(committed - stored)}")
    proc = run_worker(*worker)
    _, stderr = proc.communicate(timeout=600)
    if proc.returncode != 0:
        stats.failures.append(f"the final run failed: {stderr}")
    final = state() or set()
    stats.rows_lost += total - len(final)
    stats.seconds = time.monotonic() - started
    return stats


def _cursor_positions(warehouse: Path, stats: KillStats) -> list[int] | None:
    store = CursorStore(warehouse)
    path = warehouse / CDF_CURSORS_TABLE
    if not (path / "_delta_log").is_dir():
        return []
    broken = len(stats.failures)
    decoded = store.store.records()
    cursors, events = decoded.items, decoded.events
    stats.failures += [f"event after a kill: {e.code} {e.subject}" for e in events]
    positions = sorted(c.last_processed_version for c in cursors if c.last_processed_version is not None)
    physical = dataset(DeltaTable(str(path)), path).count_rows()
    if physical != len(cursors):
        stats.failures.append(f"{physical} rows, {len(cursors)} decode")
    if positions != list(range(len(positions))):  # each version once, none skipped
        stats.rows_duplicated += len(positions) - len(set(positions))
        stats.failures.append(f"cursor positions not 0..n-1 exactly once: {positions}")
    return positions if len(stats.failures) == broken else None


def cursor_kill_loop(warehouse: Path, *, total: int, rounds: int, seed: int, budget: float) -> KillStats:
    """Kill a CDF-cursor writer (one position per commit) ``rounds`` times, then finish.

    Args:
        warehouse: An empty warehouse directory.
        total: Positions 0..total-1 make the work.
        rounds: The most kills to attempt.
        seed: Seeds the kill moments.
        budget: Stop killing after this many seconds.

    Returns:
        The counts and every broken invariant.
    """
    rng, stats, started = random.Random(seed), KillStats("CDF cursors"), time.monotonic()
    committed = 0
    for _ in range(rounds):
        if time.monotonic() - started > budget or committed == total:
            break
        killed = _kill_at_random(run_worker("cursors", str(warehouse), str(total)), rng, commits=4)
        positions = _cursor_positions(warehouse, stats)
        stats.kills += killed
        if positions is not None and len(positions) >= committed:
            stats.survived += killed
            committed = len(positions)
        elif positions is not None:
            stats.rows_lost += committed - len(positions)
            stats.failures.append("committed cursor positions vanished")
    proc = run_worker("cursors", str(warehouse), str(total))
    _, stderr = proc.communicate(timeout=600)
    if proc.returncode != 0:
        stats.failures.append(f"the final run failed: {stderr}")
    final = _cursor_positions(warehouse, stats) or []
    stats.rows_lost += total - len(set(final))
    stats.seconds = time.monotonic() - started
    return stats


def _run_ids(warehouse: Path, total: int, stats: KillStats) -> set[int] | None:
    """The run record numbers stored; None (and failures recorded) if an invariant broke."""
    store = RunRecordStore(warehouse)
    if not store.store.exists():
        return set()
    broken = len(stats.failures)
    decoded = store.list()
    stats.failures += [f"event after a kill: {e.code} {e.subject}" for e in decoded.events]
    expected = {run_id(n): n for n in range(total)}
    numbers = Counter(expected.get(r.run_id, -1) for r in decoded.items)
    for record in decoded.items:
        number = expected.get(record.run_id)
        if number is None or record.config_fingerprint != fingerprint(("config", number)):
            stats.failures.append(f"a stored run record is not one that was written: {record.run_id}")
    physical = DeltaTable(str(warehouse / RUNS_TABLE)).count()
    if physical != len(numbers):
        stats.rows_duplicated += physical - len(numbers)
        stats.failures.append(f"{physical} rows for {len(numbers)} run records")
    return set(numbers) if len(stats.failures) == broken else None


def run_record_kill_loop(warehouse: Path, *, total: int, rounds: int, seed: int, budget: float) -> KillStats:
    """Kill a run-record writer (one record per commit) ``rounds`` times, then finish.

    Args:
        warehouse: An empty warehouse directory.
        total: Run records 0..total-1 make the work.
        rounds: The most kills to attempt.
        seed: Seeds the kill moments.
        budget: Stop killing after this many seconds.

    Returns:
        The counts and every broken invariant.
    """
    stats = KillStats("run records")
    return _keyed_kill_loop(
        stats, ("runs", str(warehouse), str(total)), lambda: _run_ids(warehouse, total, stats), total=total,
        rounds=rounds, seed=seed, budget=budget, commits=4,
    )  # fmt: skip
