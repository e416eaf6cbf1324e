"""``engine-app plan``: plan your own SQL over parquet files or Delta tables and store it."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from artifact_contracts.models import EngineConfig
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
from engine_app.cli.output import PlanOutcome, print_plan_outcomes
from engine_app.config import load_engine_config
from engine_app.errors import EngineError
from engine_app.history import RunRecorder
from engine_app.pipeline import Outcome, fan_out
from engine_app.planning import named_statements
from engine_app.session import EngineSession, parse_table_arg
from engine_app.stores import DiagnosticsLog, PlanArtifactStore, RunRecordStore, make_event

__all__ = ["register"]


def register(commands: Any) -> None:
    """Add the ``plan`` subcommand.

    Args:
        commands: The subparsers action of the main parser.
    """
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
    add_warehouse(plan)
    add_config(plan)
    add_format(plan, ("table", "json"))
    add_executor(plan)
    plan.set_defaults(handler=cmd_plan)


def _read_sql(args: argparse.Namespace) -> str:
    if args.sql is not None:
        return str(args.sql)
    try:
        return str(args.sql_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise EngineError(f"cannot read --sql-file {args.sql_file}: {exc}") from exc


def cmd_plan(args: argparse.Namespace, terminal: Terminal) -> int:
    """Plan every statement over the given tables, store the artifacts, print a row each."""
    check_executor(args)
    config = load_engine_config(args.config) if args.config is not None else EngineConfig()
    session = EngineSession(config)
    specs = [parse_table_arg(argument) for argument in args.table]
    source = args.sql_file.name if args.sql_file is not None else "sql"
    statements = named_statements(_read_sql(args), source)
    if not statements:
        raise EngineError("the SQL holds no statement")
    for spec in specs:
        session.register(spec)
    recorder = RunRecorder("plan")
    work = [(statement.name, "query", statement.sql) for statement in statements]
    with executor_of(args) as executor, progress_bar(terminal.err) as progress:
        task = progress.add_task("planning", total=len(work))
        captured = fan_out(
            session, PlanArtifactStore(args.warehouse), work, run=False, executor=executor,
            advance=lambda count: progress.advance(task, count),
        )  # fmt: skip
    RunRecordStore(args.warehouse).append(recorder.record(session, [o.statement() for o in captured.outcomes]))
    DiagnosticsLog(args.warehouse).append(
        [
            make_event("error", "PLAN_FAILED", outcome.error, subject=f"statement {index}")
            for index, outcome in enumerate(captured.outcomes, start=1)
            if outcome.error is not None
        ]
    )
    outcomes = [_row(index, s.sql, o) for index, (s, o) in enumerate(zip(statements, captured.outcomes), start=1)]
    print_plan_outcomes(outcomes, args.format, terminal.out)
    return 0 if all(o.error is None for o in captured.outcomes) else 1


def _row(index: int, sql: str, outcome: Outcome) -> PlanOutcome:
    return {
        "statement": index,
        "name": outcome.name,
        "sql": sql,
        "plan_fingerprint": outcome.plan_fingerprint,
        "substrait_roundtrip": outcome.substrait_roundtrip,
        "stored": outcome.error is None,
        "error": outcome.error,
    }
