"""``engine-app plan``: plan your own SQL over parquet files or Delta tables and store it."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from artifact_contracts.models import EngineConfig, PlanArtifacts, StatementRun
from artifact_contracts.models.types import Name
from engine_app.cli._common import (
    InputError,
    Terminal,
    add_config,
    add_format,
    add_warehouse,
    addressable,
    input_errors,
    option_value,
    progress_bar,
    read_input,
    writable_warehouse,
)
from engine_app.cli.output import PlanOutcome, print_plan_outcomes
from engine_app.errors import EngineError, PlanningError
from engine_app.history import RunRecorder
from engine_app.pipeline import COMMIT_EVERY
from engine_app.planning import NamedStatement, capture_id, named_statements, plan_sql
from engine_app.session import EngineSession, parse_table_arg
from engine_app.stores import CommitBatches, DiagnosticsLog, PlanArtifactStore, RunRecordStore, make_event

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
    plan.set_defaults(handler=cmd_plan)


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
    writable_warehouse(args.warehouse)
    source = args.sql_file.name if args.sql_file is not None else "sql"
    statements = named_statements(_read_sql(args), source)
    if not statements:
        raise InputError(f"{'--sql' if args.sql is not None else '--sql-file ' + str(args.sql_file)}: no statement")
    session = _session(args)
    recorder = RunRecorder("plan")
    environment, store = session.environment(), PlanArtifactStore(args.warehouse)
    plans: CommitBatches[PlanArtifacts] = CommitBatches(lambda batch: store.append(batch, environment), COMMIT_EVERY)
    outcomes: list[PlanOutcome] = []
    with progress_bar(terminal) as progress:
        task = progress.add_task("planning", total=len(statements))
        for index, statement in enumerate(statements, start=1):
            outcome, run = _plan_one(session, index, statement, plans)
            outcomes.append(outcome)
            recorder.add(run)
            progress.advance(task)
    stored = plans.flush()
    RunRecordStore(args.warehouse).append(recorder.record(session))
    DiagnosticsLog(args.warehouse).append(
        [
            make_event("error", "PLAN_FAILED", str(o["error"]), subject=f"statement {o['statement']}")
            for o in outcomes
            if o["error"] is not None
        ]
    )
    print_plan_outcomes(outcomes, stored, args.format, terminal.out)
    return 0 if all(o["error"] is None for o in outcomes) else 1


def _plan_one(
    session: EngineSession, index: int, statement: NamedStatement, plans: CommitBatches[PlanArtifacts]
) -> tuple[PlanOutcome, StatementRun]:
    outcome: PlanOutcome = {
        "statement": index,
        "name": statement.name,
        "sql": statement.sql,
        "plan_fingerprint": None,
        "substrait_roundtrip": False,
        "error": None,
    }
    started = time.perf_counter()
    try:
        artifacts = plan_sql(session, statement.sql)
    except PlanningError as exc:
        outcome["error"] = str(exc)
        elapsed = (time.perf_counter() - started) * 1000.0
        return outcome, StatementRun(name=statement.name, planning_ms=elapsed, status="failed", error=str(exc))
    elapsed = (time.perf_counter() - started) * 1000.0
    plans.add(artifacts)
    outcome["plan_fingerprint"] = artifacts.plan_fingerprint
    outcome["substrait_roundtrip"] = artifacts.substrait_validation.roundtrip_ok
    run = StatementRun(
        name=statement.name,
        plan_fingerprint=artifacts.plan_fingerprint,
        capture_id=capture_id(artifacts),
        planning_ms=elapsed,
    )
    return outcome, run
