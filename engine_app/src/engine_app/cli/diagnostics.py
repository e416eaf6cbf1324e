"""``engine-app diagnostics``: the warehouse's persisted diagnostics events."""

from __future__ import annotations

import argparse
from typing import Any

from artifact_contracts import dumps_json
from engine_app.cli._common import Terminal, add_format, add_warehouse
from engine_app.cli.output import print_events
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
    diagnostics.set_defaults(handler=cmd_diagnostics)


def cmd_diagnostics(args: argparse.Namespace, terminal: Terminal) -> int:
    """Print the persisted diagnostics events, oldest first."""
    events = DiagnosticsLog(args.warehouse).read()
    out = terminal.out
    if args.format == "json":
        out.file.write("[" + ",".join(dumps_json(e).decode("utf-8") for e in events) + "]\n")
        out.file.flush()
    else:
        print_events(events, out)
    return 0
