"""``engine-app diagnostics``: the warehouse's persisted diagnostics events."""

from __future__ import annotations

import argparse
from typing import Any

from artifact_contracts.cli import CommandResult
from artifact_contracts.models import DiagnosticsEvent
from engine_app.cli._common import Terminal, add_format, add_warehouse, existing_warehouse
from engine_app.cli.output import print_events, print_json
from engine_app.stores import DiagnosticsLog

__all__ = ["register"]


def register(commands: Any) -> None:
    """Add the ``diagnostics`` subcommand.

    Args:
        commands: The subparsers action of the main parser.
    """
    diagnostics = commands.add_parser(
        "diagnostics", help="print persisted diagnostics events", description="Print the warehouse's events."
    )
    add_warehouse(diagnostics)
    add_format(diagnostics, ("text", "json"))
    diagnostics.set_defaults(
        handler=cmd_diagnostics, result=CommandResult({0: "printed"}, emits=DiagnosticsEvent, each=True)
    )


def cmd_diagnostics(args: argparse.Namespace, terminal: Terminal) -> int:
    """Print the persisted diagnostics events, oldest first."""
    events = DiagnosticsLog(existing_warehouse(args.warehouse)).read()
    if args.format == "json":
        print_json(events, terminal.out)
    elif events:
        print_events(events, terminal.out)
    else:
        terminal.err.print(f"no diagnostics events in {args.warehouse}", markup=False, highlight=False)
    return 0
