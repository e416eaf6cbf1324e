"""``engine-app incremental``: run a CDF consumer over the warehouse's change data feeds."""

from __future__ import annotations

import argparse
from typing import Any

from rich.console import Console

from artifact_contracts.cli import CommandResult
from artifact_contracts.models.types import Name
from engine_app.cli._common import Terminal, add_format, add_warehouse, existing_warehouse, option_value, progress_bar
from engine_app.cli.output import named, print_json, print_table
from engine_app.delta import DEFAULT_CONSUMER, ConsumerReport, run_consumer

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
    incremental.set_defaults(
        handler=cmd_incremental,
        result=CommandResult(
            {0: "every change feed applied"},
            note="a list, per table: `table_uri`, `consumer`, `runs` (`IncrementalRun` each), `cursor` (`CdfCursor`)",
        ),
    )


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
                {"table_uri": r.table_uri, "consumer": consumer, "runs": named(r.runs), "cursor": named(r.cursor)}
                for r in reports
            ],
            out,
        )
        return
    rows = []
    for r in reports:
        cursor = "-" if r.cursor is None else str(r.cursor.last_processed_version)
        applied = "-" if r.cursor is None else str(r.cursor.rows_applied)
        versions = f"{r.runs[0].from_version}-{r.runs[-1].to_version}" if r.runs else "up to date"
        counts = [str(sum(getattr(run, kind) for run in r.runs)) for kind in ("inserts", "updates", "deletes")]
        rows.append((r.table_uri, versions, *counts, cursor, applied))
    headers = ("table", "versions", "inserts", "updates", "deletes", "cursor", "rows applied")
    print_table(out, f"engine-app incremental: consumer {consumer!r}", headers, rows, right=headers[2:])
    if not reports:
        out.print("no table with a change data feed in the warehouse", markup=False, highlight=False)


def cmd_incremental(args: argparse.Namespace, terminal: Terminal) -> int:
    """Run the consumer over every CDF table of the warehouse and print what it applied."""
    existing_warehouse(args.warehouse)
    option_value("--consumer", args.consumer, Name)
    with progress_bar(terminal) as progress:
        progress.add_task(f"applying change feeds for consumer {args.consumer!r}", total=None)  # a Name: no markup
        reports = run_consumer(args.warehouse, args.consumer)
    print_incremental(reports, args.consumer, args.format, terminal.out)
    return 0
