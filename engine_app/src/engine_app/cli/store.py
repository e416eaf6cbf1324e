"""``engine-app store list|check|repair|optimize|vacuum``: read and maintain the warehouse's stores.

- ``list TABLE`` reads any store (``engine_app.stores.STORE_SPECS``): its queryable
  columns as a table, or with ``--format json`` every record decoded (named fields).

- ``check`` verifies every store file against its declared schema, decodes every payload
  and compares the Delta log of the warehouse's tables with the write artifacts; it writes
  nothing. Exit 0 when clean (warnings, such as an orphaned properties commit, are listed
  and fail only with ``--strict``), 1 when it found errors.
- ``repair`` rebuilds the write artifacts lost to a crash from the log, and prints them.
- ``optimize`` compacts every store table (the plan store is Z-ordered by fingerprint).
- ``vacuum`` deletes files no version within the retention references; a retention under
  a table's ``delta.deletedFileRetentionDuration`` (168 h by default) is refused (exit 2)
  unless ``--force``; ``--dry-run`` lists what would go.
"""

from __future__ import annotations

import argparse
import datetime
import difflib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
from rich.console import Console

from artifact_contracts.cli import CommandResult
from artifact_contracts.models import DiagnosticsEvent
from engine_app.cli._common import InputError, Terminal, add_format, add_warehouse, existing_warehouse, progress_bar
from engine_app.cli.output import named, print_events, print_json, print_table, timestamp
from engine_app.stores import (
    DEFAULT_RETENTION_HOURS,
    STORE_SPECS,
    MaintenanceResult,
    Store,
    StoreSpec,
    check,
    optimize,
    repair,
    vacuum,
)

_SPECS: dict[str, StoreSpec[Any]] = {spec.table: spec for spec in STORE_SPECS}

__all__ = ["register"]

# What `optimize` and `vacuum` print with --format json.
_MAINTENANCE = "a list, per table: `table`, `operation`, `metrics`"


def _common(parser: argparse.ArgumentParser) -> None:
    add_warehouse(parser)
    add_format(parser, ("text", "json"))


def _tables(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--table",
        dest="tables",
        action="append",
        type=Path,
        default=[],
        metavar="PATH",
        help="a table written with this warehouse that lives outside it (repeatable)",
    )


def register(commands: Any) -> None:
    """Add the ``store`` subcommand group (``list``, ``check``, ``repair``, ``optimize``, ``vacuum``).

    Args:
        commands: The subparsers action of the main parser.
    """
    store = commands.add_parser(
        "store",
        help="list, check, repair, optimize or vacuum the stores",
        description="Read and maintain the warehouse's stores.",
    )
    sub = store.add_subparsers(dest="store_command", required=True, metavar="COMMAND")
    listing = sub.add_parser(
        "list",
        help="list the rows of any store (read-only)",
        description="List a store's rows in its order: the queryable columns as a table, or every record "
        f"decoded with --format json. The stores: {', '.join(_SPECS)}.",
    )
    listing.add_argument("table", type=_store_name, choices=list(_SPECS), metavar="TABLE", help="a store table")
    add_warehouse(listing)
    listing.add_argument("--limit", type=_positive, metavar="N", help="only the last N rows")
    add_format(listing, ("table", "json"))
    listing.set_defaults(
        handler=cmd_list,
        result=CommandResult(
            {0: "listed", 1: "a row is unreadable (the others are listed)"},
            note="a list of the table's records, decoded: the *Rows* type of the table in [Store tables](stores.md)",
        ),
    )
    checking = sub.add_parser(
        "check",
        help="verify store files, payloads and the write log (read-only)",
        description="Check every store file's schema, decode every payload, and find writes whose artifact is "
        "missing or whose properties committed without data. Writes nothing. Exit 1 when errors were found.",
    )
    _common(checking)
    _tables(checking)
    checking.add_argument("--strict", action="store_true", help="warnings fail the check too")
    checking.set_defaults(
        handler=cmd_check,
        result=CommandResult(
            {0: "no errors (and no warnings, with `--strict`)", 1: "errors (or warnings, with `--strict`)"},
            note="`clean` (no event at all), `ok` (the exit code's verdict), `events` (`DiagnosticsEvent` each)",
        ),
    )
    repairing = sub.add_parser(
        "repair",
        help="rebuild missing write artifacts from the Delta log",
        description="Rebuild every write artifact lost to a crash from the commits carrying its write id.",
    )
    _common(repairing)
    _tables(repairing)
    repairing.set_defaults(
        handler=cmd_repair,
        result=CommandResult(
            {0: "repaired, or nothing to repair"},
            note="`rebuilt` (`DeltaWriteArtifact` each), `events` (`DiagnosticsEvent` each)",
        ),
    )
    optimizing = sub.add_parser(
        "optimize", help="compact every store table", description="Compact every store table (Z-order the plans)."
    )
    _common(optimizing)
    optimizing.set_defaults(handler=cmd_optimize, result=CommandResult({0: "compacted"}, note=_MAINTENANCE))
    vacuuming = sub.add_parser(
        "vacuum",
        help="delete unreferenced store files under Delta's retention",
        description="Delete the store files no table version within the retention references.",
    )
    _common(vacuuming)
    vacuuming.add_argument(
        "--retention-hours",
        type=int,
        default=DEFAULT_RETENTION_HOURS,
        metavar="H",
        help=f"keep files removed less than H hours ago (default {DEFAULT_RETENTION_HOURS})",
    )
    vacuuming.add_argument("--dry-run", action="store_true", help="list what would be deleted, delete nothing")
    vacuuming.add_argument("--force", action="store_true", help="allow a retention under the tables' own")
    vacuuming.set_defaults(
        handler=cmd_vacuum,
        result=CommandResult(
            {0: "vacuumed", 2: "a retention under the tables' own, without `--force`"},
            note=_MAINTENANCE + " (`files`: the files deleted, or that would be)",
        ),
    )


def _store_name(name: str) -> str:
    if name in _SPECS:
        return name
    close = difflib.get_close_matches(name, list(_SPECS), n=1, cutoff=0.4)
    hint = f"did you mean {close[0]}?" if close else f"one of: {', '.join(_SPECS)}"
    raise argparse.ArgumentTypeError(f"unknown store {name!r}; {hint}")


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a count of 1 or more, got {text!r}")
    return int(text)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return timestamp(value)
    return " ".join(str(value).split())


def cmd_list(args: argparse.Namespace, terminal: Terminal) -> int:
    """List one store's rows: queryable columns for people, decoded records for programs."""
    spec = _SPECS[args.table]
    store = Store(existing_warehouse(args.warehouse).join(spec.table), spec)
    if args.format == "json":
        decoded = store.records()
        records = decoded.items[-args.limit :] if args.limit else decoded.items
        print_events(decoded.events, terminal.err)
        print_json([named(record) for record in records], terminal.out)
        return 0 if not decoded.events else 1
    columns = [c.name for c in spec.columns if not pa.types.is_binary(c.field.type)]
    reads = store.sorted(store.read(columns))
    rows = reads.table.to_pylist()[-args.limit :] if args.limit else reads.table.to_pylist()
    print_events(reads.events, terminal.err)
    numbers = [c.name for c in spec.columns if pa.types.is_integer(c.field.type)]
    title = f"{spec.table}: {len(rows)} row(s)"
    cells = [[_cell(row[c]) for c in columns] for row in rows]
    print_table(terminal.out, title, columns, cells, right=numbers, wrap=("sql",))
    return 0 if not reads.events else 1


def _events_json(events: list[DiagnosticsEvent]) -> list[Any]:
    return [named(event) for event in events]


def _maintain(terminal: Terminal, what: str, work: Callable[[], Any]) -> Any:
    """Run one maintenance step under a progress display (it reports only when done)."""
    with progress_bar(terminal) as progress:
        progress.add_task(what, total=None)
        return work()


def cmd_check(args: argparse.Namespace, terminal: Terminal) -> int:
    """Check the warehouse; exit 1 when errors (or, with ``--strict``, warnings) were found."""
    warehouse = existing_warehouse(args.warehouse)
    events = _maintain(terminal, "checking every store", lambda: check(warehouse, args.tables))
    failing = {"error", "warning"} if args.strict else {"error"}
    failed = any(event.severity in failing for event in events)
    if args.format == "json":
        print_json({"clean": not events, "ok": not failed, "events": _events_json(events)}, terminal.out)
    else:
        print_events(events, terminal.out)
        verdict = "clean" if not events else f"{len(events)} problem(s)"
        terminal.out.print(f"store check of {args.warehouse}: {verdict}", markup=False, highlight=False)
    return 1 if failed else 0


def cmd_repair(args: argparse.Namespace, terminal: Terminal) -> int:
    """Rebuild the missing write artifacts and print them."""
    warehouse = existing_warehouse(args.warehouse)
    report = _maintain(terminal, "rebuilding lost write artifacts", lambda: repair(warehouse, args.tables))
    if args.format == "json":
        rebuilt = [named(artifact) for artifact in report.rebuilt]
        print_json({"rebuilt": rebuilt, "events": _events_json(report.events)}, terminal.out)
        return 0
    print_events(report.events, terminal.out)
    terminal.out.print(
        f"store repair of {args.warehouse}: rebuilt {len(report.rebuilt)} write artifact(s)",
        markup=False,
        highlight=False,
    )
    return 0


def _print_results(results: list[MaintenanceResult], fmt: str, out: Console, describe: Any) -> None:
    if fmt == "json":
        print_json([{"table": r.table, "operation": r.operation, "metrics": r.metrics} for r in results], out)
        return
    for result in results:
        out.print(describe(result), markup=False, highlight=False)


def cmd_optimize(args: argparse.Namespace, terminal: Terminal) -> int:
    """Compact every store table and print what each optimize did."""

    def describe(result: MaintenanceResult) -> str:
        added, removed = result.metrics.get("numFilesAdded", 0), result.metrics.get("numFilesRemoved", 0)
        return f"{result.table}: {result.operation}, {removed} file(s) rewritten into {added}"

    warehouse = existing_warehouse(args.warehouse)
    _print_results(
        _maintain(terminal, "compacting every store", lambda: optimize(warehouse)), args.format, terminal.out, describe
    )
    return 0


def cmd_vacuum(args: argparse.Namespace, terminal: Terminal) -> int:
    """Vacuum every store table (refusing an unsafe retention unless forced)."""
    if args.retention_hours < 0:
        raise InputError(f"--retention-hours {args.retention_hours}: expected 0 or more")
    warehouse = existing_warehouse(args.warehouse)
    results = _maintain(
        terminal,
        "vacuuming every store",
        lambda: vacuum(warehouse, args.retention_hours, dry_run=args.dry_run, force=args.force),
    )
    verb = "would delete" if args.dry_run else "deleted"

    def describe(result: MaintenanceResult) -> str:
        files = result.metrics["files"]
        return "\n".join([f"{result.table}: {verb} {len(files)} file(s)", *(f"  {name}" for name in files)])

    _print_results(results, args.format, terminal.out, describe)
    return 0
