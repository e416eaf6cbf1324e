"""``engine-app incremental``: run a CDF consumer over the warehouse's change data feeds."""

from __future__ import annotations

import argparse
from typing import Any

from rich.console import Console
from rich.table import Table

from artifact_contracts import to_builtins
from engine_app.cli._common import Terminal, add_format, add_warehouse
from engine_app.cli.output import print_json
from engine_app.delta import DEFAULT_CONSUMER, ConsumerReport, run_consumer
from engine_app.errors import EngineError

__all__ = ["print_incremental", "register"]


def register(commands: Any) -> None:
    """Add the ``incremental`` subcommand.

    Args:
        commands: The subparsers action of the main parser.
    """
    incremental = commands.add_parser(
        "incremental",
        help="apply the change data feed of the warehouse's tables for a consumer",
        description="For each Delta table in the warehouse with a change data feed, apply the changes since "
        "the consumer's cursor to its change log (exactly once: the changes and the source version they reach "
        "commit together), then advance the cursor. The demo keeps such a table at cdf_demo/nation.",
    )
    add_warehouse(incremental)
    incremental.add_argument(
        "--consumer", default=DEFAULT_CONSUMER, metavar="NAME", help=f"the consumer (default: {DEFAULT_CONSUMER})"
    )
    add_format(incremental, ("table", "json"))
    incremental.set_defaults(handler=cmd_incremental)


def print_incremental(reports: list[ConsumerReport], consumer: str, fmt: str, out: Console) -> None:
    """Print what a consumer run applied, per table.

    Args:
        reports: One per CDF table.
        consumer: The consumer's name.
        fmt: ``table`` or ``json``.
        out: The stdout console.
    """
    if fmt == "json":
        print_json(
            [
                {
                    "table_uri": r.table_uri,
                    "consumer": consumer,
                    "runs": to_builtins(r.runs),
                    "cursor": None if r.cursor is None else to_builtins(r.cursor),
                }
                for r in reports
            ],
            out,
        )
        return
    table = Table(title=f"engine-app incremental: consumer {consumer!r}")
    for name, justify in (
        ("table", "left"),
        ("versions", "left"),
        ("inserts", "right"),
        ("updates", "right"),
        ("deletes", "right"),
        ("cursor", "right"),
        ("rows applied", "right"),
    ):
        table.add_column(name, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    for r in reports:
        cursor = "-" if r.cursor is None else str(r.cursor.last_processed_version)
        applied = "-" if r.cursor is None else str(r.cursor.rows_applied)
        if not r.runs:
            table.add_row(r.table_uri, "up to date", "0", "0", "0", cursor, applied)
            continue
        table.add_row(
            r.table_uri,
            f"{r.runs[0].from_version}-{r.runs[-1].to_version}",
            *(str(sum(getattr(run, kind) for run in r.runs)) for kind in ("inserts", "updates", "deletes")),
            cursor,
            applied,
        )
    out.print(table)
    if not reports:
        out.print("no table with a change data feed in the warehouse", highlight=False)


def cmd_incremental(args: argparse.Namespace, terminal: Terminal) -> int:
    """Run the consumer over every CDF table of the warehouse and print what it applied."""
    if not args.warehouse.exists():
        raise EngineError(f"no warehouse at {args.warehouse}")
    with terminal.err.status(f"applying change feeds for consumer {args.consumer!r}"):
        reports = run_consumer(args.warehouse, args.consumer)
    print_incremental(reports, args.consumer, args.format, terminal.out)
    return 0
