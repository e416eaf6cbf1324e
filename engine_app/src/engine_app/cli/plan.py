"""``engine-app plan``: plan your own SQL over parquet files or Delta tables and store it."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from artifact_contracts.cli import CommandResult
from artifact_contracts.models import EngineConfig
from artifact_contracts.models.types import Name
from engine_app.cli._common import (
    InputError,
    Terminal,
    add_config,
    add_executor,
    add_format,
    add_warehouse,
    addressable,
    check_executor,
    executor_of,
    input_errors,
    option_value,
    progress_bar,
    read_input,
    writable_warehouse,
)
from engine_app.cli.output import PlanOutcome, print_plan_outcomes
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
    plan.set_defaults(
        handler=cmd_plan,
        result=CommandResult(
            {0: "every statement planned", 1: "a statement failed (the others are still planned and stored)"},
            note="a list, per statement: `statement` (its index), `name`, `sql`, `plan_fingerprint`, "
            "`substrait_roundtrip`, `error`",
        ),
    )


def _read_sql(args: argparse.Namespace) -> str:
    if args.sql is not None:
        return str(args.sql)
    try:
        return str(args.sql_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise InputError(f"--sql-file {args.sql_file}: {reason}") from exc


def _session(args: argparse.Namespace) -> EngineSession:
    """The session, every --table registered (each refusal names its --table)."""
    config = read_input("--config", args.config, EngineConfig) if args.config is not None else EngineConfig()
    with input_errors("--config", args.config):
        session = EngineSession(config)
    for argument in args.table:
        try:
            spec = parse_table_arg(argument)
            option_value("--table", spec.name, Name)
            addressable("--table", spec.path)
            session.register(spec)
        except EngineError as exc:
            message = str(exc)
            raise InputError(message if message.startswith("--table") else f"--table {argument}: {message}") from exc
    return session


def cmd_plan(args: argparse.Namespace, terminal: Terminal) -> int:
    """Plan every statement over the given tables, store the artifacts, print a row each."""
    check_executor(args)
    writable_warehouse(args.warehouse)
    source = args.sql_file.name if args.sql_file is not None else "sql"
    statements = named_statements(_read_sql(args), source)
    if not statements:
        raise InputError(f"{'--sql' if args.sql is not None else '--sql-file ' + str(args.sql_file)}: no statement")
    session = _session(args)
    recorder = RunRecorder("plan")
    work = [(statement.name, "query", statement.sql) for statement in statements]
    with executor_of(args) as executor, progress_bar(terminal) as progress:
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
    print_plan_outcomes(outcomes, captured.stored, args.format, terminal.out)
    return 0 if all(o.error is None for o in captured.outcomes) else 1


def _row(index: int, sql: str, outcome: Outcome) -> PlanOutcome:
    return {
        "statement": index,
        "name": outcome.name,
        "sql": sql,
        "plan_fingerprint": outcome.plan_fingerprint,
        "substrait_roundtrip": outcome.substrait_roundtrip,
        "error": outcome.error,
    }
