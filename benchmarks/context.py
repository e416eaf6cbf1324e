"""What a run measures: the full suite, or the quick mode that only checks it all runs."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from benchmarks.fixtures import KIB, MIB
from benchmarks.harness import Settings

__all__ = ["Context"]


@dataclasses.dataclass(frozen=True)
class Context:
    """Sizes, rounds and scratch space of one run.

    Attributes:
        quick: The CI mode: tiny sizes and few rounds; its figures mean nothing.
        timing: Rounds and sample length for interleaved comparisons.
        binary_sizes: Substrait payload sizes of the binary-heavy artifacts.
        scaling_sizes: Payload sizes of the scaling curve.
        memory_size: Payload size of the decode-memory probe.
        store_rows: Rows appended in the store benchmark.
        store_scaling: Store sizes of the store scaling curve.
        listing_rows: Rows of the store-listing memory probe.
        plan_statements: Statements of the ``engine-app plan`` capture probe.
        tpch_scale: TPC-H scale factor of the real-workload planning run.
        scratch: A directory for tables and probe files.
    """

    quick: bool
    timing: Settings
    binary_sizes: tuple[int, ...]
    scaling_sizes: tuple[int, ...]
    memory_size: int
    store_rows: int
    store_scaling: tuple[int, ...]
    listing_rows: int
    plan_statements: int
    tpch_scale: float
    scratch: Path

    @classmethod
    def full(cls, scratch: Path) -> Context:
        """The publishing run."""
        return cls(
            quick=False,
            timing=Settings(rounds=25, sample_seconds=0.01),
            binary_sizes=(4 * KIB, 64 * KIB, 1 * MIB),
            scaling_sizes=(1 * KIB, 4 * KIB, 16 * KIB, 64 * KIB, 256 * KIB, 1 * MIB, 4 * MIB, 16 * MIB),
            memory_size=16 * MIB,
            store_rows=10_000,
            store_scaling=(1_000, 10_000, 100_000),
            listing_rows=100_000,
            plan_statements=10_000,
            tpch_scale=0.01,
            scratch=scratch,
        )

    @classmethod
    def quick_mode(cls, scratch: Path) -> Context:
        """The CI run: every code path once, in seconds."""
        return cls(
            quick=True,
            timing=Settings(rounds=3, sample_seconds=0.001, max_number=50),
            binary_sizes=(4 * KIB,),
            scaling_sizes=(1 * KIB, 16 * KIB),
            memory_size=256 * KIB,
            store_rows=20,
            store_scaling=(10, 20),
            listing_rows=50,
            plan_statements=20,
            tpch_scale=0.001,
            scratch=scratch,
        )
