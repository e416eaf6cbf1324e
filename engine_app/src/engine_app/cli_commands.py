"""The ``plan``, ``artifacts``, ``audit`` and ``diagnostics`` subcommands."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence

from rich.console import Console

from artifact_contracts import dumps_json
from artifact_contracts.models import DiagnosticsEvent, EngineConfig, PlanArtifacts
from engine_app.audit import audit_warehouse
from engine_app.cli_output import PlanOutcome, print_audit, print_events, print_plan_outcomes, print_stored
from engine_app.config import load_engine_config
from engine_app.diagnostics import DiagnosticsLog, make_event
from engine_app.engine import EngineSession
from engine_app.errors import EngineError
from engine_app.planning import PlanningError, plan_sql, split_statements
from engine_app.store import PlanArtifactStore, StoredPlan
from engine_app.tables import parse_table_arg

__all__ = [
    "cmd_artifacts_list",
    "cmd_artifacts_show",
    "cmd_audit",
    "cmd_diagnostics",
    "cmd_plan",
    "cmd_profile",
]

_PREFIX = re.compile(r"^(sha256:)?[0-9a-f]{4,64}$")


def _read_sql(args: argparse.Namespace) -> str:
    if args.sql is not None:
        return str(args.sql)
    try:
        return str(args.sql_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise EngineError(f"cannot read --sql-file {args.sql_file}: {exc}") from exc


def cmd_plan(args: argparse.Namespace, out: Console, err: Console) -> int:
    """Plan every statement over the given tables, store the artifacts, print a row each."""
    config = load_engine_config(args.config) if args.config is not None else EngineConfig()
    session = EngineSession(config)
    specs = [parse_table_arg(argument) for argument in args.table]
    statements = split_statements(_read_sql(args))
    if not statements:
        raise EngineError("the SQL holds no statement")
    for spec in specs:
        session.register(spec)
    outcomes: list[PlanOutcome] = []
    planned: list[PlanArtifacts] = []
    for index, statement in enumerate(statements, start=1):
        outcome: PlanOutcome = {
            "statement": index,
            "sql": statement,
            "plan_fingerprint": None,
            "substrait_roundtrip": False,
            "stored": False,
            "error": None,
        }
        try:
            artifacts = plan_sql(session, statement)
        except PlanningError as exc:
            outcome["error"] = str(exc)
        else:
            planned.append(artifacts)
            outcome["plan_fingerprint"] = artifacts.plan_fingerprint
            outcome["substrait_roundtrip"] = artifacts.substrait_validation.roundtrip_ok
            outcome["stored"] = True
        outcomes.append(outcome)
    PlanArtifactStore(args.warehouse).append(planned, session.environment())
    DiagnosticsLog(args.warehouse).append(
        [
            make_event("error", "PLAN_FAILED", str(o["error"]), subject=f"statement {o['statement']}")
            for o in outcomes
            if o["error"] is not None
        ]
    )
    print_plan_outcomes(outcomes, args.format, out)
    return 0 if all(o["error"] is None for o in outcomes) else 1


def _report_events(args: argparse.Namespace, events: Sequence[DiagnosticsEvent], err: Console) -> None:
    if events:
        print_events(events, err)
        DiagnosticsLog(args.warehouse).append(events)


def cmd_artifacts_list(args: argparse.Namespace, out: Console, err: Console) -> int:
    """List the stored plans; rows that do not decode are reported on stderr."""
    listed = PlanArtifactStore(args.warehouse).list()
    _report_events(args, listed.events, err)
    print_stored(listed.items, args.format, out)
    return 0 if not listed.events else 1


def _find(args: argparse.Namespace, err: Console) -> StoredPlan:
    wanted = str(args.fingerprint).strip().lower()
    if not _PREFIX.match(wanted):
        raise EngineError(f"not a fingerprint or a prefix of one: {args.fingerprint!r}")
    store = PlanArtifactStore(args.warehouse)
    full = wanted if wanted.startswith("sha256:") else "sha256:" + wanted
    found = store.get(full) if len(full) == 71 else store.list()
    _report_events(args, found.events, err)
    matches = [p for p in found.items if p.row.plan_fingerprint.startswith(full)]
    if not matches:
        raise EngineError(f"no stored plan matches {args.fingerprint!r} in {store.path}")
    if len(matches) > 1:
        raise EngineError(f"{args.fingerprint!r} matches {len(matches)} plans; give more digits")
    return matches[0]


def cmd_artifacts_show(args: argparse.Namespace, out: Console, err: Console) -> int:
    """Print one stored plan as canonical JSON, or its raw MessagePack payload."""
    stored = _find(args, err)
    if args.format == "msgpack":
        sys.stdout.buffer.write(stored.row.payload)
        sys.stdout.buffer.flush()
    else:
        out.file.write(dumps_json(stored.artifacts).decode("utf-8") + "\n")
        out.file.flush()
    return 0


def cmd_audit(args: argparse.Namespace, out: Console, err: Console) -> int:
    """Run the determinism audit; exit 0 only when every fingerprint matched."""
    if not PlanArtifactStore(args.warehouse).table.exists():
        raise EngineError(f"no plan artifacts in {args.warehouse}; run `engine-app run` or `engine-app plan` first")
    with err.status("re-planning every stored plan in a fresh process"):
        report = audit_warehouse(args.warehouse)
    _report_events(args, report.events, err)
    print_audit(report.results, args.format, out)
    return 0 if report.ok else 1


def cmd_diagnostics(args: argparse.Namespace, out: Console, err: Console) -> int:
    """Print the persisted diagnostics events, oldest first."""
    events = DiagnosticsLog(args.warehouse).read()
    if args.format == "json":
        out.file.write("[" + ",".join(dumps_json(e).decode("utf-8") for e in events) + "]\n")
        out.file.flush()
    else:
        print_events(events, out)
    return 0


def cmd_profile(args: argparse.Namespace, out: Console, err: Console) -> int:
    """Print the runtime profile a session built from the config plans in."""
    config = load_engine_config(args.config) if args.config is not None else EngineConfig()
    profile = EngineSession(config).profile
    if args.format == "json":
        out.file.write(dumps_json(profile).decode("utf-8") + "\n")
        out.file.flush()
        return 0
    libraries = ", ".join(f"{lib.name} {lib.version}" for lib in profile.libraries)
    out.print(
        f"engine-app {profile.engine_version}, artifact-contracts {profile.contract_version}, "
        f"Python {profile.python_version}\nlibraries: {libraries}\n"
        f"target partitions {profile.target_partitions}, batch size {profile.batch_size}, "
        f"{len(profile.settings)} settings, {profile.cpu_count} CPU(s)\n"
        f"planning environment hash: {profile.planning_env_hash}",
        highlight=False,
        markup=False,
    )
    return 0
