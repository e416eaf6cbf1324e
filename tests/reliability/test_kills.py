"""SIGKILL a store writer at random moments, many times: nothing partial, nothing lost.

Bounded in rounds and seconds so that CI can run it; ``tools/reliability_report.py``
runs longer loops. The incremental consumer's own kill test (cursor and change log
committed together, nothing applied twice) is tests/engine/test_incremental_kill.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability.killing import cursor_kill_loop, plan_kill_loop, run_record_kill_loop

pytestmark = [pytest.mark.engine, pytest.mark.slow]


def test_plan_store_writer_killed_repeatedly(tmp_path: Path, template_file: Path) -> None:
    # Enough work (50 commits) that no writer finishes it between its start and its kill,
    # however fast the machine: the loop must really kill writers mid-work.
    stats = plan_kill_loop(tmp_path, template_file, total=150, rounds=6, seed=8, budget=45.0)
    assert stats.failures == []
    assert stats.rows_lost == 0 and stats.rows_duplicated == 0
    assert stats.kills >= 3, stats  # the loop really killed writers mid-work
    assert stats.survived == stats.kills


def test_cursor_store_writer_killed_repeatedly(tmp_path: Path) -> None:
    stats = cursor_kill_loop(tmp_path, total=40, rounds=6, seed=8, budget=40.0)
    assert stats.failures == []
    assert stats.rows_lost == 0 and stats.rows_duplicated == 0
    assert stats.kills >= 3, stats
    assert stats.survived == stats.kills


def test_run_record_writer_killed_repeatedly(tmp_path: Path) -> None:
    stats = run_record_kill_loop(tmp_path, total=40, rounds=6, seed=8, budget=40.0)
    assert stats.failures == []
    assert stats.rows_lost == 0 and stats.rows_duplicated == 0
    assert stats.kills >= 3, stats
    assert stats.survived == stats.kills
