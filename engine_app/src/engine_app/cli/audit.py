"""``engine-app audit``: re-plan every stored plan in a fresh process and compare."""

from __future__ import annotations

import argparse
from typing import Any

from artifact_contracts.cli import CommandResult
from artifact_contracts.models import DeterminismAuditResult
from engine_app.audit import audit_warehouse
from engine_app.cli._common import (
    InputError,
    Terminal,
    add_executor,
    add_format,
    add_warehouse,
    check_executor,
    executor_of,
    existing_warehouse,
    progress_bar,
    report_events,
)
from engine_app.cli.output import print_audit
from engine_app.stores import PlanArtifactStore

__all__ = ["register"]


def register(commands: Any) -> None:
    """Add the ``audit`` subcommand.

    Args:
        commands: The subparsers action of the main parser.
    """
    audit = commands.add_parser(
        "audit",
        help="re-plan every stored plan in a fresh process and compare fingerprints",
        description="The determinism audit: re-plan every stored plan in a fresh (spawned) process and compare "
        "every fingerprint; mismatches are reported field by field. Exit 0 only when all match.",
    )
    add_warehouse(audit)
    add_format(audit, ("table", "json"))
    add_executor(audit)
    audit.set_defaults(
        handler=cmd_audit,
        result=CommandResult(
            {0: "every stored plan reproduced every fingerprint", 1: "a mismatch, or a plan that did not re-plan"},
            emits=DeterminismAuditResult,
            each=True,
        ),
    )


def cmd_audit(args: argparse.Namespace, terminal: Terminal) -> int:
    """Run the determinism audit; exit 0 only when every fingerprint matched."""
    check_executor(args)
    if not PlanArtifactStore(existing_warehouse(args.warehouse)).exists():
        raise InputError(
            f"--warehouse {args.warehouse}: no plan artifacts there; `engine-app run` or `engine-app plan` stores some"
        )
    with executor_of(args) as executor, progress_bar(terminal) as progress:
        task = progress.add_task("re-planning every stored plan in a fresh process", total=None)
        report = audit_warehouse(args.warehouse, executor=executor, advance=lambda count: progress.advance(task, count))
    report_events(args.warehouse, report.events, terminal.err)
    print_audit(report.results, args.format, terminal.out)
    return 0 if report.ok else 1
