"""How the command line prints its results: rich tables for people, JSON for programs."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

from artifact_contracts import to_builtins
from artifact_contracts.models import DeterminismAuditResult, DiagnosticsEvent, PlanDiffReport, RunRecord
from engine_app.delta import DEFAULT_CONSUMER, ConsumerReport
from engine_app.pipeline import Outcome, RunReport
from engine_app.stores import format_event

__all__ = [
    "PlanOutcome",
    "change_lines",
    "print_audit",
    "print_diff",
    "print_events",
    "print_json",
    "print_plan_outcomes",
    "print_run",
    "print_runs",
    "print_stored",
    "short",
]

PlanOutcome = dict[str, Any]
"""One ``engine-app plan`` result: statement index, SQL, fingerprint, round trip, error."""


def short(fingerprint: str | None) -> str:
    """Abbreviate a fingerprint for a table cell (``sha256:`` and 12 hex digits).

    Args:
        fingerprint: ``sha256:<64 hex>`` or None.

    Returns:
        The abbreviation, or ``-``.
    """
    return fingerprint[:19] if fingerprint else "-"


def print_json(value: Any, out: Console) -> None:
    """Print JSON on stdout, unstyled, one document.

    Args:
        value: JSON-compatible builtins.
        out: The stdout console.
    """
    out.file.write(json.dumps(value, indent=2, sort_keys=True) + "\n")
    out.file.flush()


def _outcome_json(outcome: Outcome) -> dict[str, Any]:
    return {
        "name": outcome.name,
        "kind": outcome.kind,
        "plan_fingerprint": outcome.plan_fingerprint,
        "rows": outcome.rows,
        "substrait_roundtrip": outcome.substrait_roundtrip,
        "plan_ms": round(outcome.plan_seconds * 1000, 1),
        "run_ms": round(outcome.run_seconds * 1000, 1),
        "error": outcome.error,
    }


def print_run(report: RunReport, fmt: str, out: Console) -> None:
    """Print a pipeline run's summary.

    Args:
        report: The run.
        fmt: ``table`` or ``json``.
        out: The stdout console.
    """
    if fmt == "json":
        print_json([_outcome_json(o) for o in report.outcomes], out)
        return
    table = Table(title=f"engine-app run: {report.warehouse}")
    table.add_column("name", no_wrap=True)
    table.add_column("fingerprint", no_wrap=True, min_width=19)
    table.add_column("rows", justify="right")
    table.add_column("substrait", justify="center", min_width=9)
    table.add_column("plan ms", justify="right")
    table.add_column("run ms", justify="right")
    previous_kind = None
    for o in report.outcomes:
        if previous_kind is not None and o.kind != previous_kind:
            table.add_section()
        previous_kind = o.kind
        table.add_row(
            f"{o.name} [dim](view)[/]" if o.kind == "view" else o.name,
            short(o.plan_fingerprint),
            "-" if o.rows is None else str(o.rows),
            "[green]ok[/]" if o.substrait_roundtrip else "[red]no[/]",
            f"{o.plan_seconds * 1000:.0f}",
            f"{o.run_seconds * 1000:.0f}",
        )
    out.print(table)
    failed = [o for o in report.outcomes if o.error]
    for o in failed:
        out.print(f"[red]{o.kind} {o.name} failed:[/] {o.error}", highlight=False)
    total = sum(o.plan_seconds + o.run_seconds for o in report.outcomes)
    out.print(
        f"{len(report.outcomes) - len(failed)}/{len(report.outcomes)} ok in {total:.2f} s; "
        f"stored {report.stored_plans} new plan(s) and {report.stored_views} new view(s); "
        f"planning env {short(report.planning_env_hash)}",
        highlight=False,
    )
    for line in change_lines(report.changes):
        out.print(line, highlight=False)


def print_plan_outcomes(outcomes: Sequence[PlanOutcome], fmt: str, out: Console) -> None:
    """Print the results of ``engine-app plan``.

    Args:
        outcomes: One entry per statement.
        fmt: ``table`` or ``json``.
        out: The stdout console.
    """
    if fmt == "json":
        print_json(list(outcomes), out)
        return
    table = Table(title="engine-app plan")
    table.add_column("#", justify="right", min_width=2)
    table.add_column("name", no_wrap=True)
    table.add_column("fingerprint", no_wrap=True, min_width=19)
    table.add_column("substrait", justify="center", min_width=9)
    table.add_column("stored", min_width=6)
    table.add_column("error", ratio=1, min_width=10)
    for o in outcomes:
        table.add_row(
            str(o["statement"]),
            str(o["name"]),
            short(o["plan_fingerprint"]),
            "[green]ok[/]" if o["substrait_roundtrip"] else "[red]no[/]",
            "yes" if o["stored"] else "no",
            o["error"] or "",
        )
    out.print(table)


def print_stored(listing: Sequence[dict[str, Any]], fmt: str, out: Console) -> None:
    """Print the stored plans.

    Args:
        listing: The plan store's listing columns, a dict per plan.
        fmt: ``table`` or ``json``.
        out: The stdout console.
    """
    rows = [
        {
            "plan_fingerprint": p["plan_fingerprint"],
            "view_name": p["view_name"],
            "contract_version": p["contract_version"],
            "contract_hash": p["contract_hash"],
            "created_at": p["created_at"].isoformat(),
            "sql": p["sql"],
            "substrait_roundtrip": bool(p["substrait_roundtrip"]),
        }
        for p in listing
    ]
    if fmt == "json":
        print_json(rows, out)
        return
    table = Table(title=f"{len(rows)} stored plan(s)")
    table.add_column("fingerprint", no_wrap=True, min_width=19)
    table.add_column("view", no_wrap=True, min_width=4)
    table.add_column("created at (UTC)", no_wrap=True, min_width=19)
    table.add_column("sql", no_wrap=True, overflow="ellipsis", min_width=10, ratio=1)
    for r in rows:
        sql = " ".join(str(r["sql"]).split())
        created = str(r["created_at"])[:19].replace("T", " ")
        table.add_row(short(str(r["plan_fingerprint"])), str(r["view_name"] or ""), created, sql)
    out.print(table)


def print_audit(results: Sequence[DeterminismAuditResult], fmt: str, out: Console) -> None:
    """Print the determinism audit's results, mismatches field by field.

    Args:
        results: One result per stored plan.
        fmt: ``table`` or ``json``.
        out: The stdout console.
    """
    if fmt == "json":
        print_json([to_builtins(r) for r in results], out)
        return
    table = Table(title="determinism audit")
    table.add_column("fingerprint", no_wrap=True, min_width=19)
    table.add_column("result", no_wrap=True)
    table.add_column("field")
    table.add_column("stored", no_wrap=True)
    table.add_column("re-planned", no_wrap=True)
    for r in results:
        if r.matches:
            table.add_row(short(r.plan_fingerprint), "[green]match[/]", "", "", "")
        elif not r.mismatches:
            table.add_row(short(r.plan_fingerprint), "[red]error[/]", r.error or "", "", "")
        for m in r.mismatches:
            table.add_row(short(r.plan_fingerprint), "[red]mismatch[/]", m.field, short(m.expected), short(m.actual))
    out.print(table)
    matched = sum(r.matches for r in results)
    out.print(f"{matched}/{len(results)} plan(s) reproduced every fingerprint", highlight=False)


def print_events(events: Sequence[DiagnosticsEvent], console: Console) -> None:
    """Print diagnostics events, one block each.

    Args:
        events: The events.
        console: Where to print (stderr for warnings alongside results).
    """
    for event in events:
        console.print(format_event(event), markup=False, highlight=False)


def change_lines(reports: list[ConsumerReport], consumer: str = DEFAULT_CONSUMER) -> list[str]:
    """Describe consumer runs in one line per table (for the run summary)."""
    lines = []
    for report in reports:
        at = "-" if report.cursor is None else report.cursor.last_processed_version
        if not report.runs:
            lines.append(f"change feed {report.table_uri}: consumer {consumer!r} up to date at version {at}")
            continue
        first, last = report.runs[0].from_version, report.runs[-1].to_version
        counts = (sum(getattr(r, kind) for r in report.runs) for kind in ("inserts", "updates", "deletes"))
        inserts, updates, deletes = counts
        lines.append(
            f"change feed {report.table_uri}: consumer {consumer!r} applied versions {first}-{last} "
            f"({inserts} insert(s), {updates} update(s), {deletes} delete(s)); cursor at {at}"
        )
    return lines


def print_diff(report: PlanDiffReport, out: Console) -> None:
    """Print a plan diff for people: a line per name, then each change with its unified diff.

    Args:
        report: The diff.
        out: The stdout console.
    """

    def write(text: str) -> None:
        out.print(text, markup=False, highlight=False)

    write(f"left:  {report.left}\nright: {report.right}")
    for entry in report.entries:
        components = f" ({', '.join(c.component for c in entry.changes)})" if entry.changes else ""
        write(f"{entry.status:>9}  {entry.name}{components}")
    for label, values in (("setting", report.settings), ("library", report.libraries)):
        for value in values:
            write(f"{label} {value.name}: {value.left} -> {value.right}")
    for table in report.tables:
        write(f"data change: table {table.name} version {table.left} -> {table.right}")
    for entry in report.entries:
        for change in entry.changes:
            write(f"\n== {entry.name}: {change.component} {change.left} -> {change.right}")
            if change.diff:
                write(change.diff)
    counts = {s: sum(e.status == s for e in report.entries) for s in ("changed", "added", "removed", "unchanged")}
    write("\n" + ", ".join(f"{n} {s}" for s, n in counts.items()))


def print_runs(records: Sequence[RunRecord], fmt: str, out: Console) -> None:
    """Print the recorded runs, oldest first.

    Args:
        records: The run records.
        fmt: ``table`` or ``json``.
        out: The stdout console.
    """
    rows = [
        {
            "run_id": r.run_id,
            "command": r.command,
            "started_at": r.started_at.isoformat(),
            "ended_at": r.ended_at.isoformat(),
            "statements": len(r.statements),
            "failed": sum(s.status == "failed" for s in r.statements),
            "planning_env_hash": r.planning_env_hash,
        }
        for r in records
    ]
    if fmt == "json":
        print_json(rows, out)
        return
    table = Table(title=f"{len(rows)} run(s)")
    for name in ("run id", "command", "started (UTC)", "statements", "failed", "planning env"):
        table.add_column(name, no_wrap=True)
    for r in rows:
        table.add_row(
            str(r["run_id"]),
            str(r["command"]),
            str(r["started_at"])[:19].replace("T", " "),
            str(r["statements"]),
            str(r["failed"]),
            short(str(r["planning_env_hash"])),
        )
    out.print(table)
