"""Timing: candidates measured side by side in one process, interleaved, over many rounds.

Every time is CPU time of the benchmark process (:data:`CLOCK`, ``time.process_time``,
all threads, user + system), not wall time: a process that is descheduled accrues none,
so the figures hold on a shared machine where other jobs take the cores in bursts
(wall-clock samples on the 2-core reference machine swung by 3-30x under such load).

Each candidate is a statement compiled by :mod:`timeit` (the loop calls it inline, so no
lambda or ``partial`` sits between the loop and the call being measured). A round times
every candidate once, in an order rotated from round to round so that no candidate always
runs first or last; each sample repeats the statement ``number`` times (calibrated so a
sample lasts about ``sample_seconds``), with the garbage collector paused as ``timeit``
does. The reported time of a candidate is the median of its per-round samples; a ratio is
the **median of the per-round ratios** (paired within a round, so drift of a shared,
noisy machine cancels out), reported next to the ratio of the medians.
"""

from __future__ import annotations

import dataclasses
import gc
import statistics
import time
import timeit
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["CLOCK", "Candidate", "Comparison", "Settings", "compare", "cpu_seconds"]

CLOCK = time.process_time
"""The clock of every measurement: CPU seconds of this process (all threads)."""


@dataclasses.dataclass(frozen=True)
class Settings:
    """How long to measure.

    Args:
        rounds: Rounds per comparison (each times every candidate once).
        sample_seconds: Target duration of one sample.
        max_number: Upper bound on calls per sample.
    """

    rounds: int = 15
    sample_seconds: float = 0.02
    max_number: int = 1_000_000


@dataclasses.dataclass(frozen=True)
class Candidate:
    """One thing to time: a statement and the names it uses.

    Args:
        name: Its label in the report.
        stmt: A Python statement, e.g. ``"dumps_json(value)"``.
        namespace: The globals the statement runs with.
        setup: Run once before every sample (not timed), e.g. to reset a buffer.
    """

    name: str
    stmt: str
    namespace: Mapping[str, Any]
    setup: str = "pass"


@dataclasses.dataclass(frozen=True)
class Comparison:
    """The result of :func:`compare`.

    Attributes:
        seconds: Median seconds per call, by candidate name.
        samples: Every per-round seconds-per-call sample, by candidate name.
        number: Calls per sample, by candidate name.
    """

    seconds: dict[str, float]
    samples: dict[str, list[float]]
    number: dict[str, int]

    def ratio(self, name: str, baseline: str) -> float:
        """Median over rounds of ``time(name) / time(baseline)`` within the round."""
        return statistics.median(a / b for a, b in zip(self.samples[name], self.samples[baseline]))

    def ratio_of_medians(self, name: str, baseline: str) -> float:
        """``median(time(name)) / median(time(baseline))``."""
        return self.seconds[name] / self.seconds[baseline]

    def spread(self, name: str) -> float:
        """Relative interquartile range of a candidate's samples (a noise indicator)."""
        samples = sorted(self.samples[name])
        if len(samples) < 4:
            return 0.0
        q1, _, q3 = statistics.quantiles(samples, n=4)
        return (q3 - q1) / statistics.median(samples)


def _timer(candidate: Candidate) -> timeit.Timer:
    return timeit.Timer(candidate.stmt, setup=candidate.setup, timer=CLOCK, globals=dict(candidate.namespace))


def _calibrate(timer: timeit.Timer, settings: Settings) -> int:
    number = 1
    while True:
        elapsed = timer.timeit(number)
        if elapsed >= settings.sample_seconds / 4 or number >= settings.max_number:
            break
        number *= 4 if elapsed < settings.sample_seconds / 40 else 2
    per_call = elapsed / number
    return max(1, min(settings.max_number, round(settings.sample_seconds / per_call) if per_call else number))


def compare(candidates: list[Candidate], settings: Settings) -> Comparison:
    """Time candidates interleaved over ``settings.rounds`` rounds.

    Args:
        candidates: What to time (names must be unique).
        settings: Rounds and sample length.

    Returns:
        Per-call medians, every sample, and the calls per sample.
    """
    names = [c.name for c in candidates]
    if len(set(names)) != len(names):
        raise ValueError(f"duplicate candidate names: {names}")
    timers = {c.name: _timer(c) for c in candidates}
    for timer in timers.values():  # warm caches (decoders, regexes, allocator pools)
        timer.timeit(1)
    number = {name: _calibrate(timer, settings) for name, timer in timers.items()}
    samples: dict[str, list[float]] = {name: [] for name in names}
    for index in range(settings.rounds):
        shift = index % len(names)
        for name in names[shift:] + names[:shift]:
            samples[name].append(timers[name].timeit(number[name]) / number[name])
    return Comparison(
        seconds={name: statistics.median(values) for name, values in samples.items()},
        samples=samples,
        number=number,
    )


def cpu_seconds(function: Callable[[], object]) -> float:
    """CPU seconds (:data:`CLOCK`) of one call of a slow function, the GC collected first."""
    gc.collect()
    start = CLOCK()
    function()
    return CLOCK() - start
