"""``engine-app run``: a pipeline spec, or with none the embedded TPC-H demo."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import msgspec

from artifact_contracts.models import PipelineSpec
from engine_app.cli._common import (
    Terminal,
    add_config,
    add_executor,
    add_format,
    add_warehouse,
    check_executor,
    executor_of,
    progress_bar,
)
from engine_app.cli.output import print_run
from engine_app.config import load_engine_config, load_pipeline_spec
from engine_app.demo import DEFAULT_SCALE, demo_spec, run_demo
from engine_app.errors import EngineError
from engine_app.pipeline import run_pipeline

__all__ = ["register"]


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
        "and their artifacts stored; then a summary table.",
    )
    run.add_argument("--spec", type=Path, metavar="FILE", help="a PipelineSpec as TOML or JSON")
    add_warehouse(run)
    run.add_argument(
        "--scale",
        type=float,
        metavar="SF",
        help=f"the TPC-H scale factor (demo default {DEFAULT_SCALE}; overrides the spec's tpch_scale)",
    )
    add_config(run)
    add_format(run, ("table", "json"), "summary format")
    add_executor(run)
    run.set_defaults(handler=cmd_run)


def _resolve_spec_paths(spec: PipelineSpec, base: Path) -> PipelineSpec:
    tables = tuple(
        msgspec.structs.replace(t, path=str((base / t.path).resolve())) if not Path(t.path).is_absolute() else t
        for t in spec.tables
    )
    return msgspec.structs.replace(spec, tables=tables)


def _spec(args: argparse.Namespace) -> PipelineSpec:
    if args.spec is not None:
        spec = _resolve_spec_paths(load_pipeline_spec(args.spec), args.spec.resolve().parent)
        if args.scale is not None:
            spec = msgspec.structs.replace(spec, tpch_scale=args.scale)
    else:
        spec = demo_spec(args.scale if args.scale is not None else DEFAULT_SCALE)
    if args.config is not None:
        spec = msgspec.structs.replace(spec, engine=load_engine_config(args.config))
    if spec.tpch_scale is not None and not 0 < spec.tpch_scale <= 10:
        raise EngineError(f"--scale must be in (0, 10], got {spec.tpch_scale}")
    return spec


def cmd_run(args: argparse.Namespace, terminal: Terminal) -> int:
    """Run a spec or the embedded demo and print the summary."""
    check_executor(args)
    spec = _spec(args)
    runner = run_pipeline if spec.tpch_scale is None else run_demo
    with executor_of(args) as executor, progress_bar(terminal.err) as progress:
        engine_path = "$" if args.config is not None else "$.engine"
        report = runner(spec, args.warehouse, progress=progress, engine_path=engine_path, executor=executor)
    print_run(report, args.format, terminal.out)
    return 0 if report.ok else 1
