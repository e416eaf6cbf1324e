"""``engine-app artifacts list|show``: read the plan artifact store."""

from __future__ import annotations

import argparse
import re
import sys
from typing import Any

from artifact_contracts import dumps_json
from engine_app.cli._common import Terminal, add_format, add_warehouse
from engine_app.cli.output import print_events, print_stored
from engine_app.errors import EngineError
from engine_app.stores import PlanArtifactStore, StoredPlan

__all__ = ["register"]

_PREFIX = re.compile(r"^(sha256:)?[0-9a-f]{4,64}$")


def register(commands: Any) -> None:
    """Add the ``artifacts`` subcommand group (``list``, ``show``).

    Args:
        commands: The subparsers action of the main parser.
    """
    artifacts = commands.add_parser(
        "artifacts", help="list or show stored plan artifacts", description="Inspect the plan artifact store."
    )
    artifact_commands = artifacts.add_subparsers(dest="artifacts_command", required=True, metavar="COMMAND")
    listing = artifact_commands.add_parser(
        "list", help="list stored plans", description="List the stored plans, oldest first."
    )
    add_warehouse(listing)
    add_format(listing, ("table", "json"))
    listing.set_defaults(handler=cmd_list)
    show = artifact_commands.add_parser(
        "show",
        help="print one stored plan",
        description="Print the PlanArtifacts stored under a fingerprint (json) or its raw payload (msgpack).",
    )
    show.add_argument("fingerprint", metavar="FINGERPRINT", help="sha256:... (a unique prefix is enough)")
    add_warehouse(show)
    add_format(show, ("json", "msgpack"))
    show.set_defaults(handler=cmd_show)


def cmd_list(args: argparse.Namespace, terminal: Terminal) -> int:
    """List the stored plans from the queryable columns (no payload is read or decoded).

    Unreadable data files are reported on stderr (and not written anywhere: listing is
    read-only).
    """
    listed = PlanArtifactStore(args.warehouse).listing()
    print_events(listed.events, terminal.err)
    print_stored(listed.table.to_pylist(), args.format, terminal.out)
    return 0 if not listed.events else 1


def _find(args: argparse.Namespace, terminal: Terminal) -> StoredPlan:
    wanted = str(args.fingerprint).strip().lower()
    if not _PREFIX.match(wanted):
        raise EngineError(f"not a fingerprint or a prefix of one: {args.fingerprint!r}")
    store = PlanArtifactStore(args.warehouse)
    full = wanted if wanted.startswith("sha256:") else "sha256:" + wanted
    if len(full) < 71:  # a prefix: find the one fingerprint it names from the key column
        prefixed = store.matching(full)
        print_events(prefixed.events, terminal.err)
        fingerprints = sorted(set(prefixed.table.column("plan_fingerprint").to_pylist()))
        if len(fingerprints) > 1:
            raise EngineError(f"{args.fingerprint!r} matches {len(fingerprints)} plans; give more digits")
        full = fingerprints[0] if fingerprints else full
    found = store.get(full)
    print_events(found.events, terminal.err)
    if not found.items:
        raise EngineError(f"no stored plan matches {args.fingerprint!r} in {store.location.uri}")
    return found.items[0]


def cmd_show(args: argparse.Namespace, terminal: Terminal) -> int:
    """Print one stored plan as canonical JSON, or its raw MessagePack payload."""
    stored = _find(args, terminal)
    if args.format == "msgpack":
        sys.stdout.buffer.write(stored.row.payload)
        sys.stdout.buffer.flush()
    else:
        terminal.out.file.write(dumps_json(stored.artifacts).decode("utf-8") + "\n")
        terminal.out.file.flush()
    return 0
