"""The timing harness and the figures: ratios, the growth exponent, target checks."""

from __future__ import annotations

import math

import pytest

from benchmarks.harness import Candidate, Comparison, Settings, compare
from benchmarks.report import Figure, render_markdown
from benchmarks.suite_scaling import slope

QUICK = Settings(rounds=3, sample_seconds=0.001, max_number=100)


class TestCompare:
    def test_every_candidate_gets_one_sample_per_round(self) -> None:
        result = compare([Candidate("a", "x + 1", {"x": 1}), Candidate("b", "sum(r)", {"r": range(50)})], QUICK)
        assert set(result.samples) == {"a", "b"}
        assert all(len(s) == QUICK.rounds for s in result.samples.values())
        assert all(s > 0 for s in result.seconds.values())

    def test_slower_statement_has_the_larger_ratio(self) -> None:
        settings = Settings(rounds=5, sample_seconds=0.002)
        ns = {"small": list(range(10)), "large": list(range(10_000))}
        result = compare([Candidate("small", "sorted(small)", ns), Candidate("large", "sorted(large)", ns)], settings)
        assert result.ratio("large", "small") > 10

    def test_duplicate_names_are_refused(self) -> None:
        with pytest.raises(ValueError, match="duplicate candidate names"):
            compare([Candidate("a", "1", {}), Candidate("a", "2", {})], QUICK)


class TestComparison:
    def test_ratio_is_the_median_of_per_round_ratios(self) -> None:
        comparison = Comparison(
            seconds={"a": 2.0, "b": 1.0},
            samples={"a": [2.0, 3.0, 10.0], "b": [1.0, 1.0, 1.0]},
            number={"a": 1, "b": 1},
        )
        assert comparison.ratio("a", "b") == 3.0
        assert comparison.ratio_of_medians("a", "b") == 2.0


class TestSlope:
    @pytest.mark.parametrize(("power", "expected"), [(1.0, 1.0), (0.0, 0.0), (2.0, 2.0), (0.5, 0.5)])
    def test_recovers_the_power_law_exponent(self, power: float, expected: float) -> None:
        points = [(float(x), 3.0 * x**power) for x in (1024, 4096, 16384, 65536)]
        assert math.isclose(slope(points), expected, abs_tol=1e-9)


class TestFigure:
    @pytest.mark.parametrize(
        ("value", "target", "goal", "met"),
        [(1.05, 1.10, "<=", True), (1.2, 1.10, "<=", False), (5.2, 5.0, ">=", True), (4.0, 5.0, ">=", False),
         (3.0, None, "<=", None)],
    )  # fmt: skip
    def test_met(self, value: float, target: float | None, goal: str, met: bool | None) -> None:
        assert Figure("k", "label", value, target=target, goal=goal).met is met  # type: ignore[arg-type]

    def test_markdown_marks_a_miss(self) -> None:
        data = {
            "mode": "quick", "started": "2026-11-24T00:00:00+00:00", "seconds": 1.0,
            "machine": {"cpu": "cpu", "cores": 2, "os": "Linux", "machine": "x86_64", "python": "CPython 3.11",
                        "libraries": {"msgspec": "0.22.0"}},
            "methodology": {"notes": ["interleaved"]},
            "summary": {"targets": 1, "met": 0, "missed": ["k"]},
            "sections": [{"key": "s", "title": "1. S", "skipped": None, "notes": [],
                          "figures": [Figure("k", "json decode", 1.4, target=1.1).as_json()]}],
        }  # fmt: skip
        text = render_markdown(data)
        assert "| json decode | 1.40x | <= 1.10x | **no** |" in text
        assert "missed: `k`" in text


class TestFindings:
    @pytest.mark.parametrize(("value", "shown"), [(3.0, True), (1.2, False)])
    def test_a_cause_is_printed_only_under_a_miss(self, value: float, shown: bool) -> None:
        figure = Figure("fingerprint.medium_plan", "medium plan", value, target=1.5).as_json()
        data = {
            "mode": "quick", "started": "2026-11-24T00:00:00+00:00", "seconds": 1.0,
            "machine": {"cpu": "cpu", "cores": 2, "os": "Linux", "machine": "x86_64", "python": "CPython 3.11",
                        "libraries": {}},
            "methodology": {"notes": []},
            "summary": {"targets": 1, "met": 0 if shown else 1, "missed": ["fingerprint.medium_plan"] if shown else []},
            "sections": [{"key": "fingerprint", "title": "4. F", "skipped": None, "notes": [], "figures": [figure]}],
        }  # fmt: skip
        assert ("**Why it misses** (medium plan): The fingerprint has to encode" in render_markdown(data)) is shown
