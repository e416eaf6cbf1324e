"""``engine-app run``: a pipeline spec, or with none the embedded TPC-H demo."""

from __future__ import annotations

import argparse
import importlib.resources
from pathlib import Path
from typing import Any

import msgspec

from artifact_contracts.cli import CommandResult
from artifact_contracts.models import EngineConfig, PipelineSpec
from engine_app.cli._common import (
    InputError,
    Terminal,
    add_config,
    add_executor,
    add_format,
    add_warehouse,
    check_executor,
    executor_of,
    progress_bar,
    read_input,
    spec_errors,
    writable_warehouse,
)
from engine_app.cli.output import print_run, write_out
from engine_app.demo import DEFAULT_SCALE, demo_spec, run_demo
from engine_app.pipeline import run_pipeline

__all__ = ["example_spec", "register"]


def example_spec() -> str:
    """The documented example spec that ``engine-app run --print-spec`` prints (TOML)."""
    return importlib.resources.files("engine_app.cli").joinpath("example_spec.toml").read_text(encoding="utf-8")


def register(commands: Any) -> None:
    """Add the ``run`` subcommand.

    Args:
        commands: The subparsers action of the main parser.
    """
    run = commands.add_parser(
        "run",
        help="run a pipeline spec; with no spec, the embedded TPC-H demo",
        description="Run a pipeline spec (tables, views, queries). With no --spec, the embedded demo: TPC-H "
        "written as Delta tables into the warehouse, three views, and the 22 TPC-H queries planned, executed "
        "and their artifacts stored; then a summary table. `--print-spec > spec.toml` gives a commented "
        "example spec to start from.",
    )
    run.add_argument("--spec", type=Path, metavar="FILE", help="a PipelineSpec as TOML or JSON")
    run.add_argument("--print-spec", action="store_true", help="print an example spec (TOML) and exit")
    add_warehouse(run)
    run.add_argument(
        "--scale",
        type=float,
        metavar="SF",
        help=f"the TPC-H scale factor, in (0, 10] (demo default {DEFAULT_SCALE}; overrides the spec's tpch_scale)",
    )
    add_config(run)
    add_format(run, ("table", "json"), "summary format")
    add_executor(run)
    run.set_defaults(
        handler=cmd_run,
        result=CommandResult(
            {0: "every view and query ran", 1: "a view or query failed (listed on stderr)"},
            note="a list, per statement: `name`, `kind` (view or query), `plan_fingerprint`, `rows`, "
            "`substrait_roundtrip`, `plan_ms`, `run_ms`, `error`",
        ),
    )


def _resolve_spec_paths(spec: PipelineSpec, base: Path) -> PipelineSpec:
    tables = tuple(
        msgspec.structs.replace(t, path=str((base / t.path).resolve())) if not Path(t.path).is_absolute() else t
        for t in spec.tables
    )
    return msgspec.structs.replace(spec, tables=tables)


def _spec(args: argparse.Namespace) -> PipelineSpec:
    if args.scale is not None and not 0 < args.scale <= 10:
        raise InputError(f"--scale {args.scale}: expected a scale factor in (0, 10]")
    if args.spec is not None:
        spec = _resolve_spec_paths(read_input("--spec", args.spec, PipelineSpec), args.spec.resolve().parent)
        if args.scale is not None:
            spec = msgspec.structs.replace(spec, tpch_scale=args.scale)
    else:
        spec = demo_spec(args.scale if args.scale is not None else DEFAULT_SCALE)
    if args.config is not None:
        spec = msgspec.structs.replace(spec, engine=read_input("--config", args.config, EngineConfig))
    return spec


def cmd_run(args: argparse.Namespace, terminal: Terminal) -> int:
    """Run a spec or the embedded demo and print the summary (what failed on stderr)."""
    if args.print_spec:
        write_out(terminal.out, example_spec())
        return 0
    check_executor(args)
    writable_warehouse(args.warehouse)
    spec = _spec(args)
    runner = run_pipeline if spec.tpch_scale is None else run_demo
    with spec_errors(args.spec, args.config), executor_of(args) as executor, progress_bar(terminal) as progress:
        report = runner(spec, args.warehouse, progress=progress, executor=executor)
    print_run(report, args.format, terminal.out, terminal.err)
    return 0 if report.ok else 1
