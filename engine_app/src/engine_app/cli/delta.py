"""The ``engine-app write`` and ``engine-app scan`` subcommands (the Delta I/O front door).

``write`` appends or overwrites a Delta table with parquet data under a write policy and a
schema policy read strictly from TOML or JSON files; ``scan`` reads a table through the
protocol gate and the scan planner. Both print the artifact they recorded. Every input
(the table path, the data, the policies, the time travel) is checked before anything is
written.
"""

from __future__ import annotations

import argparse
import datetime
import re
from pathlib import Path
from typing import Any

import msgspec
import pyarrow.parquet as pq
from deltalake.exceptions import DeltaError
from rich.console import Console
from rich.markup import escape

from artifact_contracts import ContractError, convert
from artifact_contracts.cli import CommandResult
from artifact_contracts.models import (
    DeltaProtocolGate,
    DeltaScanArtifact,
    DeltaScanConfig,
    DeltaSchemaPolicy,
    DeltaWriteArtifact,
    DeltaWritePolicy,
)
from engine_app.cli._common import (
    InputError,
    Terminal,
    add_format,
    add_warehouse,
    addressable,
    progress_bar,
    read_input,
    writable_directory,
    writable_warehouse,
)
from engine_app.cli._explain import describe
from engine_app.cli.output import named, print_json
from engine_app.delta import scan_table, write_table
from engine_app.errors import error_text
from engine_app.lake import Location

__all__ = ["register"]

# The scan config's fields, as the options that set them.
_SCAN_OPTIONS = {"columns": "--columns", "predicate": "--where", "version": "--version", "timestamp": "--timestamp"}


def _version(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"expected a table version (0 or more), got {text!r}")
    return int(text)


def register(commands: Any) -> None:
    """Add the ``write`` and ``scan`` subcommands.

    Args:
        commands: The subparsers action of the main parser.
    """
    write = commands.add_parser(
        "write",
        help="write parquet data to a Delta table under a write policy and a schema policy",
        description="Validate the data against the policies (nothing is committed when they refuse it), write "
        "it, record the policy as table properties and in every commit's metadata, and store the write artifact "
        "in the warehouse.",
    )
    write.add_argument("--table", type=Path, required=True, metavar="PATH", help="the Delta table root")
    write.add_argument("--data", type=Path, required=True, metavar="FILE", help="a parquet file or directory")
    write.add_argument("--write-policy", type=Path, metavar="FILE", help="a DeltaWritePolicy as TOML or JSON")
    write.add_argument("--schema-policy", type=Path, metavar="FILE", help="a DeltaSchemaPolicy as TOML or JSON")
    add_warehouse(write)
    add_format(write, ("table", "json"))
    write.set_defaults(
        handler=cmd_write,
        result=CommandResult(
            {0: "written", 1: "concurrent commits outlasted the retries"},
            emits=DeltaWriteArtifact,
            note="its `WriteTelemetry` by field name (an object; the contract encodes it as an array)",
        ),
    )

    scan = commands.add_parser(
        "scan",
        help="scan a Delta table through the protocol gate and report its telemetry",
        description="Check the table's protocol against the gate before any data is read, push the predicate "
        "into the scan, and print the scan's telemetry (fragments, row groups, rows, estimate, pruning).",
    )
    scan.add_argument("--table", type=Path, required=True, metavar="PATH", help="the Delta table root")
    scan.add_argument("--columns", metavar="A,B", help="the columns to read (default: all)")
    scan.add_argument("--where", metavar="SQL", help="a boolean SQL predicate")
    travel = scan.add_mutually_exclusive_group()
    travel.add_argument("--version", type=_version, metavar="N", help="read this table version")
    travel.add_argument("--timestamp", metavar="ISO", help="read the version current at this time (RFC 3339)")
    scan.add_argument("--gate", type=Path, metavar="FILE", help="a DeltaProtocolGate as TOML or JSON")
    add_warehouse(scan)
    add_format(scan, ("table", "json"))
    scan.set_defaults(
        handler=cmd_scan,
        result=CommandResult(
            {0: "scanned"},
            emits=DeltaScanArtifact,
            note="its `ScanTelemetry` by field name (an object; the contract encodes it as an array)",
        ),
    )


def _read_parquet(path: Path) -> Any:
    if not path.exists():
        raise InputError(f"--data {path}: no such file or directory")
    try:
        return pq.read_table(path)
    except (OSError, ValueError) as exc:  # pyarrow reports missing and malformed files as these
        raise InputError(f"--data {path}: not readable as parquet: {error_text(exc)}") from exc


def _write_target(table: Path) -> None:
    if Location.of(table).is_local:
        writable_directory("--table", table, "a Delta table directory")


def cmd_write(args: argparse.Namespace, terminal: Terminal) -> int:
    """Write parquet data under the policies and print the write artifact."""
    _write_target(args.table)
    writable_warehouse(args.warehouse)
    write_policy = read_input("--write-policy", args.write_policy, DeltaWritePolicy) if args.write_policy else None
    schema_policy = read_input("--schema-policy", args.schema_policy, DeltaSchemaPolicy) if args.schema_policy else None
    data = _read_parquet(args.data)
    with progress_bar(terminal) as progress:
        progress.add_task(escape(f"writing {data.num_rows} rows to {args.table}"), total=None)
        artifact = write_table(
            args.table,
            data,
            write_policy or DeltaWritePolicy(),
            schema_policy or DeltaSchemaPolicy(),
            warehouse=args.warehouse,
        )
    _print_artifact(artifact, args.format, terminal.out)
    return 0


def _scan_config(args: argparse.Namespace) -> DeltaScanConfig:
    fields: dict[str, Any] = {"predicate": args.where, "version": args.version, "timestamp": args.timestamp}
    if args.columns is not None:
        fields["columns"] = [name.strip() for name in args.columns.split(",")]
    try:
        return convert({k: v for k, v in fields.items() if v is not None}, DeltaScanConfig)
    except ContractError as exc:
        issue = exc.issues[0]
        field = re.match(r"^\$\.(\w+)(.*)$", issue.path)
        if field is None or field.group(1) not in _SCAN_OPTIONS:
            raise InputError(describe(exc.issues)) from exc
        rooted = msgspec.structs.replace(issue, path="$" + field.group(2))
        option = _SCAN_OPTIONS[field.group(1)]
        given = {"columns": args.columns, "predicate": args.where, "version": args.version, "timestamp": args.timestamp}
        raise InputError(f"{option} {given[field.group(1)]!r}: {describe([rooted])}") from exc


def _check_time_travel(table: Path, config: DeltaScanConfig) -> None:
    """Refuse a version the table does not have, or a time before it existed (deltalake reads version 0)."""
    addressable("--table", table)
    location = Location.of(table)
    if not location.is_delta_table():
        raise InputError(f"--table {table}: no Delta table there (no _delta_log/)")
    if config.version is None and config.timestamp is None:
        return
    try:
        history = sorted((int(h["version"]), int(h["timestamp"])) for h in location.open().history())
    except DeltaError as exc:
        raise InputError(f"--table {table}: its Delta log cannot be read: {error_text(exc)}") from exc
    (first, created), latest = history[0], history[-1][0]
    if config.version is not None and not first <= config.version <= latest:
        raise InputError(f"--version {config.version}: {table} has versions {first} to {latest}")
    first_commit = datetime.datetime.fromtimestamp(created / 1000, datetime.timezone.utc)
    if config.timestamp is not None and config.timestamp < first_commit:
        raise InputError(
            f"--timestamp {config.timestamp.isoformat()}: before {table} existed "
            f"(version {first} was committed at {first_commit.isoformat()})"
        )


def cmd_scan(args: argparse.Namespace, terminal: Terminal) -> int:
    """Scan a table through the gate and print the scan artifact."""
    config = _scan_config(args)
    gate = read_input("--gate", args.gate, DeltaProtocolGate) if args.gate else DeltaProtocolGate()
    writable_warehouse(args.warehouse)
    _check_time_travel(args.table, config)
    with progress_bar(terminal) as progress:
        progress.add_task(escape(f"scanning {args.table}"), total=None)
        result = scan_table(args.table, config, gate, warehouse=args.warehouse)
    _print_artifact(result.artifact, args.format, terminal.out)
    return 0


def _print_artifact(artifact: DeltaWriteArtifact | DeltaScanArtifact, fmt: str, out: Console) -> None:
    if fmt == "json":
        print_json(named(artifact), out)
        return
    if isinstance(artifact, DeltaWriteArtifact):
        t = artifact.telemetry
        out.print(
            f"wrote {artifact.rows} rows to {artifact.table_uri}: version {artifact.version_before} -> "
            f"{artifact.version_after}, {t.files_added} file(s), {t.bytes_written} bytes, "
            f"{t.commit_attempts} commit attempt(s); policy {artifact.policy_fingerprint[:19]}",
            highlight=False,
            markup=False,
        )
        return
    s = artifact.telemetry
    out.print(
        f"scanned {artifact.table_uri} at version {artifact.table_version}: {s.count_rows} rows "
        f"(estimated {s.estimated_rows} from the log); {s.fragment_count} of {s.files_total} file(s) scanned, "
        f"{s.files_pruned} pruned; {s.row_group_count} row group(s), {s.row_groups_pruned} pruned",
        highlight=False,
        markup=False,
    )
