"""Plan history: run records, plan sets, diffs, baselines and the HTML report.

- :class:`RunRecorder`: the ``RunRecord`` of every ``run`` and ``plan`` (names, plans,
  times, rows, status), stored in the warehouse's ``engine_runs_v1``.
- :class:`PlanSet`: what a run, a warehouse, a baseline or one plan planned, by name
  (:func:`resolve_side` turns a ``diff`` argument into one); :func:`baseline_of` the
  baseline file of a set.
- :func:`diff_plans`: two sets compared name by name and component by component (the
  normalized physical plan included) into a ``PlanDiffReport``; :func:`render_html` the
  report as a self-contained page with side-by-side plan diffs.
"""

from __future__ import annotations

from engine_app.history._diff import diff_plans, has_changes
from engine_app.history._html import render_html
from engine_app.history._record import RunRecorder
from engine_app.history._resolve import MIN_PREFIX, find_run, latest_run, load_baseline, resolve_side
from engine_app.history._sets import PlannedStatement, PlanSet, baseline_of

__all__ = [
    "MIN_PREFIX",
    "PlanSet",
    "PlannedStatement",
    "RunRecorder",
    "baseline_of",
    "diff_plans",
    "find_run",
    "has_changes",
    "latest_run",
    "load_baseline",
    "render_html",
    "resolve_side",
]
