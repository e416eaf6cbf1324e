"""The ``engine-app`` command line and its subcommands (``engine-app --help`` lists them).

User errors (a bad spec or config, a missing table, an unknown fingerprint) print one
``error:`` message, with the path of the bad field where there is one, and exit 2;
no traceback. Progress bars go to stderr, so ``--format json`` output on stdout stays
machine-readable.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import msgspec
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from artifact_contracts import ContractError
from artifact_contracts.models import PipelineSpec
from engine_app._version import __version__
from engine_app.cdf_demo import DEMO_CONSUMER
from engine_app.cli_commands import (
    cmd_artifacts_list,
    cmd_artifacts_show,
    cmd_audit,
    cmd_diagnostics,
    cmd_plan,
    cmd_profile,
)
from engine_app.cli_delta import add_delta_commands, cmd_scan, cmd_write
from engine_app.cli_incremental import cmd_incremental
from engine_app.cli_output import print_run
from engine_app.config import load_engine_config, load_pipeline_spec
from engine_app.demo import DEFAULT_SCALE, demo_spec, run_pipeline
from engine_app.errors import EngineError

__all__ = ["build_parser", "main"]

DEFAULT_WAREHOUSE = Path("warehouse")


def _add_warehouse(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--warehouse",
        type=Path,
        default=DEFAULT_WAREHOUSE,
        metavar="DIR",
        help="the warehouse directory (default: ./warehouse)",
    )


def _add_config(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config", type=Path, metavar="FILE", help="an EngineConfig as TOML (.toml) or JSON (any other name)"
    )


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser of every subcommand.

    Returns:
        The parser.
    """
    parser = argparse.ArgumentParser(
        prog="engine-app",
        description="Plan, run and record DataFusion queries over Delta Lake tables as contract artifacts.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser(
        "run",
        help="run a pipeline spec; with no spec, the embedded TPC-H demo",
        description="Run a pipeline spec (tables, views, queries). With no --spec, the embedded demo: TPC-H "
        "written as Delta tables into the warehouse, three views, and the 22 TPC-H queries planned, executed "
        "and their artifacts stored; then a summary table.",
    )
    run.add_argument("--spec", type=Path, metavar="FILE", help="a PipelineSpec as TOML or JSON")
    _add_warehouse(run)
    run.add_argument(
        "--scale",
        type=float,
        metavar="SF",
        help=f"the TPC-H scale factor (demo default {DEFAULT_SCALE}; overrides the spec's tpch_scale)",
    )
    _add_config(run)
    run.add_argument("--format", choices=("table", "json"), default="table", help="summary format")

    plan = commands.add_parser(
        "plan",
        help="plan your own SQL over parquet files or Delta tables and store the artifacts",
        description="Register each --table, plan every statement of the SQL (separated by ';'), store each "
        "plan's artifacts and print per statement its fingerprint, whether Substrait round-tripped, and any "
        "error. A statement that fails is reported and the others still run.",
    )
    plan.add_argument(
        "--table",
        action="append",
        default=[],
        required=True,
        metavar="NAME=PATH",
        help="a Delta table root or parquet file/directory to register under NAME (repeatable)",
    )
    source = plan.add_mutually_exclusive_group(required=True)
    source.add_argument("--sql", metavar="TEXT", help="the SQL text")
    source.add_argument("--sql-file", type=Path, metavar="FILE", help="a file of SQL statements")
    _add_warehouse(plan)
    _add_config(plan)
    plan.add_argument("--format", choices=("table", "json"), default="table", help="output format")

    artifacts = commands.add_parser(
        "artifacts", help="list or show stored plan artifacts", description="Inspect the plan artifact store."
    )
    artifact_commands = artifacts.add_subparsers(dest="artifacts_command", required=True, metavar="COMMAND")
    listing = artifact_commands.add_parser(
        "list", help="list stored plans", description="List the stored plans, oldest first."
    )
    _add_warehouse(listing)
    listing.add_argument("--format", choices=("table", "json"), default="table", help="output format")
    show = artifact_commands.add_parser(
        "show",
        help="print one stored plan",
        description="Print the PlanArtifacts stored under a fingerprint (json) or its raw payload (msgpack).",
    )
    show.add_argument("fingerprint", metavar="FINGERPRINT", help="sha256:... (a unique prefix is enough)")
    _add_warehouse(show)
    show.add_argument("--format", choices=("json", "msgpack"), default="json", help="output format")

    audit = commands.add_parser(
        "audit",
        help="re-plan every stored plan in a fresh process and compare fingerprints",
        description="The determinism audit: re-plan every stored plan in a fresh (spawned) process and compare "
        "every fingerprint; mismatches are reported field by field. Exit 0 only when all match.",
    )
    _add_warehouse(audit)
    audit.add_argument("--format", choices=("table", "json"), default="table", help="output format")

    profile = commands.add_parser(
        "profile",
        help="print the runtime profile and planning environment hash",
        description="Print the RuntimeProfileSnapshot of a session built from the config: versions, pinned "
        "values, settings and the planning environment hash that every plan records.",
    )
    _add_config(profile)
    profile.add_argument("--format", choices=("text", "json"), default="text", help="output format")

    add_delta_commands(commands, _add_warehouse)

    incremental = commands.add_parser(
        "incremental",
        help="apply the change data feed of the warehouse's tables for a consumer",
        description="For each Delta table in the warehouse with a change data feed, apply the changes since "
        "the consumer's cursor to its change log (exactly once: the changes and the source version they reach "
        "commit together), then advance the cursor. The demo keeps such a table at cdf_demo/nation.",
    )
    _add_warehouse(incremental)
    incremental.add_argument(
        "--consumer", default=DEMO_CONSUMER, metavar="NAME", help=f"the consumer (default: {DEMO_CONSUMER})"
    )
    incremental.add_argument("--format", choices=("table", "json"), default="table", help="output format")

    diagnostics = commands.add_parser(
        "diagnostics", help="print persisted diagnostics events", description="Print the warehouse's events."
    )
    _add_warehouse(diagnostics)
    diagnostics.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    return parser


def _progress(console: Console) -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )


def _resolve_spec_paths(spec: PipelineSpec, base: Path) -> PipelineSpec:
    tables = tuple(
        msgspec.structs.replace(t, path=str((base / t.path).resolve())) if not Path(t.path).is_absolute() else t
        for t in spec.tables
    )
    return msgspec.structs.replace(spec, tables=tables)


def cmd_run(args: argparse.Namespace, out: Console, err: Console) -> int:
    """Run a spec or the embedded demo and print the summary."""
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
    with _progress(err) as progress:
        engine_path = "$" if args.config is not None else "$.engine"
        report = run_pipeline(spec, args.warehouse, progress=progress, engine_path=engine_path)
    print_run(report, args.format, out)
    return 0 if report.ok else 1


def _print_contract_error(exc: ContractError, err: Console) -> None:
    err.print(f"[bold red]error:[/] {len(exc.issues)} problem(s) in the input", highlight=False)
    for issue in exc.issues:
        err.print(f"  {issue.path}: {issue.message.strip()}", markup=False, highlight=False)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line.

    Args:
        argv: The arguments (default: ``sys.argv[1:]``).

    Returns:
        The exit code: 0 on success, 1 when work failed (a statement, an audit
        mismatch), 2 for a usage or input error.
    """
    args = build_parser().parse_args(argv)
    out = Console(soft_wrap=True)
    err = Console(stderr=True, soft_wrap=True)
    handlers = {
        "run": cmd_run,
        "plan": cmd_plan,
        "audit": cmd_audit,
        "diagnostics": cmd_diagnostics,
        "profile": cmd_profile,
        "incremental": cmd_incremental,
        "write": cmd_write,
        "scan": cmd_scan,
    }
    try:
        if args.command == "artifacts":
            handler = cmd_artifacts_list if args.artifacts_command == "list" else cmd_artifacts_show
        else:
            handler = handlers[args.command]
        return handler(args, out, err)
    except ContractError as exc:
        _print_contract_error(exc, err)
        return 2
    except EngineError as exc:
        err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
