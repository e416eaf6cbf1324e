"""``engine-app artifacts list|show``: read the plan artifact store."""

from __future__ import annotations

import argparse
import datetime
import difflib
import re
from typing import Any

import pyarrow.compute as pc

from artifact_contracts.cli import CommandResult
from artifact_contracts.models import PlanArtifacts
from artifact_contracts.models.types import UtcDateTime
from engine_app.cli._common import InputError, Terminal, add_format, add_warehouse, existing_warehouse, option_value
from engine_app.cli.output import print_events, print_json, print_stored, refuse_binary, write_out
from engine_app.stores import PLAN_LISTING_COLUMNS, PlanArtifactStore, Reads, StoredPlan

__all__ = ["MIN_PREFIX", "register"]

MIN_PREFIX = 4
"""The fewest hex digits of a fingerprint that ``artifacts show`` takes as a prefix."""
_HEX = re.compile(r"^[0-9a-f]*$")


def _positive(text: str) -> int:
    value = int(text) if text.isdigit() else 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a count of 1 or more, got {text!r}")
    return value


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
    listing.add_argument("--view", metavar="NAME", help="only the plans of this view")
    listing.add_argument(
        "--since", metavar="TIME", help="only plans stored at or after TIME (RFC 3339, or a date: 2026-01-31)"
    )
    listing.add_argument("--limit", type=_positive, metavar="N", help="only the N newest (still oldest first)")
    add_format(listing, ("table", "json"))
    listing.set_defaults(
        handler=cmd_list,
        result=CommandResult(
            {0: "listed", 1: "a data file or row is unreadable (the others are listed)"},
            note="a list, per plan: the queryable columns of its `PlanArtifactRow` (`plan_fingerprint`, "
            "`view_name`, `contract_version`, `contract_hash`, `created_at`, `sql`, `substrait_roundtrip`)",
        ),
    )
    show = artifact_commands.add_parser(
        "show",
        help="print one stored plan",
        description="Print the PlanArtifacts stored under a fingerprint (json) or its raw payload (msgpack, "
        "to a file or a pipe only).",
    )
    show.add_argument(
        "fingerprint", metavar="FINGERPRINT", help=f"sha256:... (a unique prefix of {MIN_PREFIX}+ hex digits is enough)"
    )
    add_warehouse(show)
    add_format(show, ("json", "msgpack"))
    show.set_defaults(
        handler=cmd_show,
        result=CommandResult(
            {0: "found", 1: "the store is damaged"},
            emits=PlanArtifacts,
            note="its canonical JSON; `--format msgpack` writes the stored payload bytes instead",
        ),
    )


def _since(text: str) -> datetime.datetime:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        text += "T00:00:00Z"
    return option_value("--since", text, UtcDateTime)  # type: ignore[no-any-return]


def _filter(args: argparse.Namespace) -> Any:
    parts = []
    if args.view is not None:
        parts.append(pc.field("view_name") == args.view)
    if args.since is not None:
        parts.append(pc.field("created_at") >= _since(args.since))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else parts[0] & parts[1]


def _unknown_view(store: PlanArtifactStore, view: str) -> InputError:
    names = sorted({name for name in store.store.read(["view_name"]).table.column("view_name").to_pylist() if name})
    close = difflib.get_close_matches(view, names, n=1)
    hint = f"did you mean {close[0]!r}?" if close else f"stored views: {', '.join(names) or 'none'}"
    return InputError(f"--view {view!r}: no stored plan of that view; {hint}")


def cmd_list(args: argparse.Namespace, terminal: Terminal) -> int:
    """List the stored plans from the queryable columns (no payload is read or decoded).

    Unreadable data files are reported on stderr (and not written anywhere: listing is
    read-only).
    """
    store = PlanArtifactStore(existing_warehouse(args.warehouse))
    listed = store.store.sorted(store.store.read(PLAN_LISTING_COLUMNS, _filter(args)))
    if args.view is not None and listed.table.num_rows == 0 and args.since is None:
        raise _unknown_view(store, args.view)
    if args.limit is not None and listed.table.num_rows > args.limit:
        listed = Reads(listed.table.slice(listed.table.num_rows - args.limit), listed.events)
    print_events(listed.events, terminal.err)
    print_stored(listed.table.to_pylist(), args.format, terminal.out)
    return 0 if not listed.events else 1


def _full_fingerprint(text: str) -> str:
    """``sha256:`` and the hex digits given, checked against the prefix rule."""
    wanted = text.strip().lower()
    digits = wanted.removeprefix("sha256:")
    if not _HEX.match(digits) or len(digits) > 64:
        raise InputError(f"FINGERPRINT {text!r}: expected sha256: and up to 64 hex digits, or a prefix of them")
    if len(digits) < MIN_PREFIX:
        raise InputError(f"FINGERPRINT {text!r}: a prefix needs at least {MIN_PREFIX} hex digits")
    return "sha256:" + digits


def _find(args: argparse.Namespace, terminal: Terminal) -> StoredPlan:
    full = _full_fingerprint(str(args.fingerprint))
    store = PlanArtifactStore(existing_warehouse(args.warehouse))
    if len(full) < 71:  # a prefix: find the one fingerprint it names from the key column
        prefixed = store.matching(full)
        print_events(prefixed.events, terminal.err)
        fingerprints = sorted(set(prefixed.table.column("plan_fingerprint").to_pylist()))
        if len(fingerprints) > 1:
            shown = ", ".join(fingerprints[:5]) + (", ..." if len(fingerprints) > 5 else "")
            raise InputError(f"{args.fingerprint!r} matches {len(fingerprints)} plans: {shown}; give more digits")
        full = fingerprints[0] if fingerprints else full
    found = store.get(full)
    print_events(found.events, terminal.err)
    if not found.items:
        raise InputError(
            f"no stored plan matches {args.fingerprint!r} in {store.warehouse.uri} "
            "(`engine-app artifacts list` lists them)"
        )
    return found.items[0]


def cmd_show(args: argparse.Namespace, terminal: Terminal) -> int:
    """Print one stored plan as canonical JSON, or its raw MessagePack payload."""
    refuse_binary(args.format, terminal.out)
    stored = _find(args, terminal)
    if args.format == "msgpack":
        write_out(terminal.out, stored.row.payload)
    else:
        print_json(stored.artifacts, terminal.out)
    return 0
