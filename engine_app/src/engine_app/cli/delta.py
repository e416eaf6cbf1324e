"""The ``engine-app write`` and ``engine-app scan`` subcommands (the Delta I/O front door).

``write`` appends or overwrites a Delta table with parquet data under a write policy and a
schema policy read strictly from TOML or JSON files; ``scan`` reads a table through the
protocol gate and the scan planner. Both print the artifact they recorded.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from rich.console import Console

from artifact_contracts import convert, to_builtins
from artifact_contracts.models import (
    DeltaProtocolGate,
    DeltaScanArtifact,
    DeltaScanConfig,
    DeltaSchemaPolicy,
    DeltaWriteArtifact,
    DeltaWritePolicy,
)
from engine_app.cli._common import Terminal, add_format, add_warehouse
from engine_app.cli.output import print_json
from engine_app.config import load_input
from engine_app.delta import scan_table, write_table
from engine_app.errors import EngineError

__all__ = ["register"]


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
    write.set_defaults(handler=cmd_write)

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
    travel.add_argument("--version", type=int, metavar="N", help="read this table version")
    travel.add_argument("--timestamp", metavar="ISO", help="read the version current at this time (RFC 3339)")
    scan.add_argument("--gate", type=Path, metavar="FILE", help="a DeltaProtocolGate as TOML or JSON")
    add_warehouse(scan)
    add_format(scan, ("table", "json"))
    scan.set_defaults(handler=cmd_scan)


def _read_parquet(path: Path) -> Any:
    try:
        return pq.read_table(path)
    except (OSError, ValueError) as exc:  # pyarrow reports missing and malformed files as these
        raise EngineError(f"cannot read parquet data at {path}: {exc}") from exc


def cmd_write(args: argparse.Namespace, terminal: Terminal) -> int:
    """Write parquet data under the policies and print the write artifact."""
    write_policy = load_input(args.write_policy, DeltaWritePolicy) if args.write_policy else DeltaWritePolicy()
    schema_policy = load_input(args.schema_policy, DeltaSchemaPolicy) if args.schema_policy else DeltaSchemaPolicy()
    data = _read_parquet(args.data)
    with terminal.err.status(f"writing {data.num_rows} rows to {args.table}"):
        artifact = write_table(args.table, data, write_policy, schema_policy, warehouse=args.warehouse)
    _print_artifact(artifact, args.format, terminal.out)
    return 0


def cmd_scan(args: argparse.Namespace, terminal: Terminal) -> int:
    """Scan a table through the gate and print the scan artifact."""
    fields: dict[str, Any] = {"predicate": args.where, "version": args.version, "timestamp": args.timestamp}
    if args.columns is not None:
        fields["columns"] = [name.strip() for name in args.columns.split(",")]
    config = convert({k: v for k, v in fields.items() if v is not None}, DeltaScanConfig)
    gate = load_input(args.gate, DeltaProtocolGate) if args.gate else DeltaProtocolGate()
    result = scan_table(args.table, config, gate, warehouse=args.warehouse)
    _print_artifact(result.artifact, args.format, terminal.out)
    return 0


def _print_artifact(artifact: DeltaWriteArtifact | DeltaScanArtifact, fmt: str, out: Console) -> None:
    if fmt == "json":
        print_json(to_builtins(artifact), out)
        return
    if isinstance(artifact, DeltaWriteArtifact):
        t = artifact.telemetry
        out.print(
            f"wrote {artifact.rows} rows to {artifact.table_uri}: version {artifact.version_before} -> "
            f"{artifact.version_after}, {t.files_added} file(s), {t.bytes_written} bytes, "
            f"{t.commit_attempts} commit attempt(s); policy {artifact.policy_fingerprint[:19]}",
            highlight=False,
        )
        return
    s = artifact.telemetry
    out.print(
        f"scanned {artifact.table_uri} at version {artifact.table_version}: {s.count_rows} rows "
        f"(estimated {s.estimated_rows} from the log); {s.fragment_count} of {s.files_total} file(s) scanned, "
        f"{s.files_pruned} pruned; {s.row_group_count} row group(s), {s.row_groups_pruned} pruned",
        highlight=False,
    )
