"""``engine-app diff``, ``runs list|show`` and ``check``: plan history and the CI baseline gate."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path
from typing import Any

import msgspec
from rich.console import Console

from artifact_contracts import to_builtins
from artifact_contracts.cli import CommandResult
from artifact_contracts.models import EngineConfig, PipelineSpec, PlanDiffReport, RunRecord
from engine_app.cli._common import (
    Terminal,
    add_config,
    add_format,
    add_warehouse,
    existing_warehouse,
    progress_bar,
    read_input,
    spec_errors,
    writable_file,
    writable_warehouse,
)
from engine_app.cli.output import named, print_diff, print_json, print_runs, write_out
from engine_app.demo import DEFAULT_SCALE, demo_spec, tpch
from engine_app.history import (
    PlannedStatement,
    PlanSet,
    baseline_of,
    diff_plans,
    find_run,
    has_changes,
    load_baseline,
    render_html,
    resolve_side,
)
from engine_app.pipeline import plan_spec, prepare
from engine_app.stores import RunRecordStore

__all__ = ["register"]


def register(commands: Any) -> None:
    """Add the ``diff``, ``runs`` and ``check`` subcommands.

    Args:
        commands: The subparsers action of the main parser.
    """
    diff = commands.add_parser(
        "diff",
        help="compare the plans of two runs, warehouses, baselines or plan fingerprints, by statement name",
        description="Compare two plan sets name by name: each is a run id (or an unambiguous prefix, in "
        "--warehouse), a warehouse (its newest run), a baseline file (.json) or a plan fingerprint. A plan is "
        "changed when any component changed: Substrait, logical, optimized, physical (normalized: no data "
        "file names), information schema, rulepack or environment. Exit 0 when nothing changed, 1 when "
        "something did, 2 on an error.",
    )
    diff.add_argument("left", metavar="A", help="the old side")
    diff.add_argument("right", metavar="B", help="the new side")
    add_warehouse(diff)
    add_format(diff, ("text", "json", "html"), "report format (html: a self-contained page)")
    diff.add_argument("--output", type=Path, metavar="FILE", help="write the report here instead of stdout")
    diff.set_defaults(
        handler=cmd_diff, result=CommandResult({0: "nothing changed", 1: "something changed"}, emits=PlanDiffReport)
    )

    runs = commands.add_parser("runs", help="list or show recorded runs", description="Read the run records.")
    run_commands = runs.add_subparsers(dest="runs_command", required=True, metavar="COMMAND")
    listing = run_commands.add_parser("list", help="list the runs, oldest first", description="List the runs.")
    add_warehouse(listing)
    add_format(listing, ("table", "json"))
    listing.set_defaults(
        handler=cmd_runs_list,
        result=CommandResult(
            {0: "listed", 1: "a record is unreadable (the others are listed)"},
            note="a list, per run: `run_id`, `command`, `started_at`, `ended_at`, `statements` and `failed` "
            "(how many), `planning_env_hash`",
        ),
    )
    show = run_commands.add_parser("show", help="print one run record", description="Print one RunRecord.")
    show.add_argument("run", metavar="RUN", help="a run id, or an unambiguous prefix of at least 4 hex digits")
    add_warehouse(show)
    add_format(show, ("text", "json"))
    show.set_defaults(handler=cmd_runs_show, result=CommandResult({0: "found"}, emits=RunRecord))

    check = commands.add_parser(
        "check",
        help="plan the queries and compare them with a committed baseline (a CI gate)",
        description="Plan the spec's views and queries (the demo's without --spec; nothing is executed or "
        "stored) and compare every plan with the baseline file. Exit 0 when nothing changed, 1 with the diff "
        "when something did, 2 on an error. --update writes or rewrites the baseline and exits 0.",
    )
    check.add_argument("--baseline", type=Path, required=True, metavar="FILE", help="the baseline file (JSON)")
    check.add_argument("--spec", type=Path, metavar="FILE", help="a PipelineSpec as TOML or JSON (default: the demo)")
    add_config(check)
    add_warehouse(check)
    check.add_argument("--update", action="store_true", help="write the baseline from this planning and exit 0")
    add_format(check, ("text", "json", "html"), "report format when plans changed")
    check.add_argument("--output", type=Path, metavar="FILE", help="write the report here instead of stdout")
    check.set_defaults(
        handler=cmd_check,
        result=CommandResult(
            {0: "every plan matches the baseline (or `--update` wrote it)", 1: "a plan changed or does not plan"},
            emits=PlanDiffReport,
            note="printed only when a plan changed",
        ),
    )


def _render(report: PlanDiffReport, left: PlanSet, right: PlanSet, fmt: str) -> str:
    if fmt == "html":
        return render_html(report, left, right)
    if fmt == "json":
        return json.dumps(to_builtins(report), indent=2, sort_keys=True) + "\n"
    buffer = io.StringIO()
    print_diff(report, Console(file=buffer, soft_wrap=True, no_color=True))
    return buffer.getvalue()


def _emit(report: PlanDiffReport, left: PlanSet, right: PlanSet, args: argparse.Namespace, terminal: Terminal) -> None:
    """Write the report in the chosen format, to ``--output`` or stdout (the same text either way)."""
    text = _render(report, left, right, args.format)
    if args.output is not None:
        args.output.write_text(text, encoding="utf-8")
        terminal.err.print(f"wrote {args.output}", highlight=False, markup=False)
        return
    write_out(terminal.out, text)


def cmd_diff(args: argparse.Namespace, terminal: Terminal) -> int:
    """Diff two plan sets; exit 1 when anything changed."""
    if args.output is not None:
        writable_file("--output", args.output)
    warehouse = args.warehouse
    left, right = resolve_side(args.left, warehouse), resolve_side(args.right, warehouse)
    report = diff_plans(left, right)
    _emit(report, left, right, args, terminal)
    return 1 if has_changes(report) else 0


def cmd_runs_list(args: argparse.Namespace, terminal: Terminal) -> int:
    """List the recorded runs, oldest first."""
    decoded = RunRecordStore(existing_warehouse(args.warehouse)).list()
    records = sorted(decoded.items, key=lambda r: (r.started_at, r.run_id))
    print_runs(records, args.format, terminal.out)
    return 0 if not decoded.events else 1


def cmd_runs_show(args: argparse.Namespace, terminal: Terminal) -> int:
    """Print one run record."""
    record = find_run(existing_warehouse(args.warehouse), args.run)
    if args.format == "json":
        print_json(named(record), terminal.out)
        return 0
    out = terminal.out
    out.print(
        f"run {record.run_id} ({record.command}) {record.started_at.isoformat()} .. {record.ended_at.isoformat()}\n"
        f"planning env {record.planning_env_hash}, contract {record.contract_version}, "
        f"{len(record.statements)} statement(s)",
        highlight=False,
        markup=False,
    )
    for s in record.statements:
        rows = "-" if s.rows is None else str(s.rows)
        line = f"  {s.name}: {s.status} {s.plan_fingerprint or '-'} plan {s.planning_ms:.0f} ms, rows {rows}"
        out.print(line + (f" ({s.error})" if s.error else ""), highlight=False, markup=False)
    return 0


def _check_spec(args: argparse.Namespace) -> PipelineSpec:
    spec = read_input("--spec", args.spec, PipelineSpec) if args.spec is not None else demo_spec(DEFAULT_SCALE)
    if args.config is not None:
        spec = msgspec.structs.replace(spec, engine=read_input("--config", args.config, EngineConfig))
    return spec


def cmd_check(args: argparse.Namespace, terminal: Terminal) -> int:
    """Plan the spec and compare it with the baseline; ``--update`` rewrites the baseline."""
    writable_warehouse(args.warehouse)
    for option, path in (("--baseline", args.baseline if args.update else None), ("--output", args.output)):
        if path is not None:
            writable_file(option, path)
    spec = _check_spec(args)
    baseline = None if args.update else load_baseline(args.baseline)  # a bad baseline fails before planning
    with spec_errors(args.spec, args.config):
        session = prepare(spec)
    tables = list(spec.tables)
    with progress_bar(terminal) as progress:
        if spec.tpch_scale is not None:
            task = progress.add_task("generating TPC-H", total=None)
            tables = [*tpch.generate(args.warehouse.path, spec.tpch_scale, write_policy=spec.write_policy), *tables]
            progress.remove_task(task)
        progress.add_task("planning", total=None)
        outcomes = plan_spec(session, spec, tables)
    for failed in (o for o in outcomes if o.error is not None):
        terminal.err.print(f"{failed.kind} {failed.name} does not plan: {failed.error}", highlight=False, markup=False)
    planned = [PlannedStatement.of(o.name, o.artifacts) for o in outcomes if o.artifacts is not None]
    current = PlanSet.of_profile("this planning", planned, session.profile)
    if args.update:
        args.baseline.write_text(
            json.dumps(to_builtins(baseline_of(current, session.profile)), indent=2, sort_keys=True) + "\n",
            encoding="utf-8",
        )
        terminal.err.print(f"wrote {args.baseline}: {len(planned)} plan(s)", highlight=False, markup=False)
        return 0 if len(planned) == len(outcomes) else 1
    assert baseline is not None  # loaded above unless --update
    left = PlanSet.of_baseline(baseline, f"baseline {args.baseline}")
    report = diff_plans(left, current)
    if has_changes(report) or len(planned) != len(outcomes):
        _emit(report, left, current, args, terminal)
        return 1
    terminal.err.print(f"{len(planned)} plan(s) match {args.baseline}", highlight=False, markup=False)
    return 0
