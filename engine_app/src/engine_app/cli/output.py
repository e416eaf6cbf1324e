"""How the command line prints its results: tables for people, JSON for programs.

Both adapt to where stdout goes. A table is a boxed Rich table on a terminal wide enough
for it, and plain columns otherwise (piped, or too wide: the terminal wraps them), so no
value is ever cut. JSON is indented on a terminal and compact when piped, with named
fields throughout (:func:`named` expands the positional telemetry Structs); MessagePack
is refused on a terminal (:func:`refuse_binary`).
"""

from __future__ import annotations

import datetime
import sys
from collections.abc import Sequence
from typing import Any, Union

import msgspec
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from artifact_contracts import dumps_json, to_builtins
from artifact_contracts.models import DeterminismAuditResult, DiagnosticsEvent, PlanDiffReport, RunRecord
from engine_app.delta import DEFAULT_CONSUMER, ConsumerReport
from engine_app.errors import EngineError
from engine_app.pipeline import Outcome, RunReport
from engine_app.stores import format_event

__all__ = [
    "Cell",
    "PlanOutcome",
    "change_lines",
    "is_terminal",
    "named",
    "print_audit",
    "print_diff",
    "print_events",
    "print_json",
    "print_plan_outcomes",
    "print_run",
    "print_runs",
    "print_stored",
    "print_table",
    "refuse_binary",
    "short",
    "timestamp",
    "write_out",
]

PlanOutcome = dict[str, Any]
"""One ``engine-app plan`` result: statement index, name, SQL, fingerprint, round trip, error."""

Cell = Union[str, Text]
"""A table cell: literal text, or a styled :class:`rich.text.Text` (``ok`` in green)."""

_OK, _NO = Text("ok", style="green"), Text("no", style="red")
_PIECE = 8192


def short(fingerprint: str | None) -> str:
    """Abbreviate a fingerprint for a table cell (``sha256:`` and 12 hex digits).

    Args:
        fingerprint: ``sha256:<64 hex>`` or None.

    Returns:
        The abbreviation, or ``-``.
    """
    return fingerprint[:19] if fingerprint else "-"


def timestamp(value: datetime.datetime | str) -> str:
    """A UTC timestamp for a table cell, to the second (``2026-01-02 03:04:05``)."""
    text = value.isoformat() if isinstance(value, datetime.datetime) else value
    return text[:19].replace("T", " ")


def is_terminal(console: Console) -> bool:
    """Whether the console writes to a terminal (its file's ``isatty``, not ``FORCE_COLOR``)."""
    isatty = getattr(console.file, "isatty", None)
    return bool(isatty is not None and isatty())


def named(value: Any) -> Any:
    """Return ``value`` as :func:`~artifact_contracts.to_builtins` does, with every field named.

    ``array_like`` Structs (the telemetry) encode positionally; here they become objects
    keyed by field name, so JSON output reads without the schema. Everything else is
    exactly what ``to_builtins`` gives (defaults omitted, tags, RFC 3339 times, base64).

    Args:
        value: A Struct, a container of them, or builtins.

    Returns:
        JSON-compatible builtins.
    """
    if isinstance(value, msgspec.Struct):
        encoded = to_builtins(value)
        config = value.__struct_config__
        names = dict(zip(value.__struct_encode_fields__, value.__struct_fields__))
        if config.array_like:
            fields = {name: named(getattr(value, attr)) for name, attr in names.items()}
            return {config.tag_field: config.tag, **fields} if config.tag_field else fields
        return {key: named(getattr(value, names[key])) if key in names else item for key, item in encoded.items()}
    if isinstance(value, (list, tuple)):
        return [named(item) for item in value]
    if isinstance(value, dict):
        return {to_builtins(key): named(item) for key, item in value.items()}
    return to_builtins(value)


def write_out(out: Console, data: str | bytes) -> None:
    """Write text (or bytes: a binary payload) to stdout, a piece at a time.

    One large write that the reader cuts short (``| head``) loses the rest silently:
    CPython's buffered writer returns the partial count without an error. Written in
    pieces, the next piece raises ``BrokenPipeError``, which the command line turns into
    exit code 141.

    Args:
        out: The stdout console.
        data: What to write.
    """
    target: Any = sys.stdout.buffer if isinstance(data, bytes) else out.file
    for start in range(0, len(data), _PIECE):
        target.write(data[start : start + _PIECE])
    target.flush()


def print_json(value: Any, out: Console) -> None:
    """Print one JSON document on stdout: indented on a terminal, compact when piped.

    Args:
        value: Builtins or Structs; encoded by the contracts' codec (keys sorted), so the
            compact form of a Struct is its canonical JSON.
        out: The stdout console.
    """
    data = dumps_json(value)
    if is_terminal(out):
        data = msgspec.json.format(data, indent=2)
    write_out(out, data.decode("utf-8") + "\n")


def refuse_binary(fmt: str, out: Console) -> None:
    """Refuse ``--format msgpack`` when stdout is a terminal (checked before any work).

    Raises:
        EngineError: It is.
    """
    if fmt == "msgpack" and is_terminal(out):
        raise EngineError("--format msgpack writes binary: redirect stdout to a file or a pipe")


def _box_width(headers: Sequence[str], rows: Sequence[Sequence[Cell]], wrap: Sequence[str]) -> int:
    """The narrowest a boxed table can be with every cell whole.

    The columns that may wrap take their longest word, the others their longest cell,
    plus a border and a space on each side of every cell. (Rich's own measurement counts
    words for every column, which would let it cut a cell that must not wrap.)
    """
    total = 1
    for index, header in enumerate(headers):
        cells = [header, *(_plain(row[index]) for row in rows)]
        pieces = [word for cell in cells for word in cell.split()] if header in wrap else cells
        total += max(cell_len(piece) for piece in pieces) + 3
    return total


def _plain(cell: Cell) -> str:
    text = cell.plain if isinstance(cell, Text) else cell
    return " ".join(text.splitlines())


def print_table(
    out: Console,
    title: str | None,
    headers: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    *,
    right: Sequence[str] = (),
    wrap: Sequence[str] = (),
    sections: Sequence[int] = (),
) -> None:
    """Print a table: boxed when it fits the terminal, else plain columns, never cut.

    Args:
        out: The stdout console.
        title: A line above the table.
        headers: The column names.
        rows: The cells, one sequence per row.
        right: The columns to right-align (numbers).
        wrap: The columns of long text (SQL, errors) that may wrap inside the box.
        sections: Indexes of the rows that start a new section (a rule above them).
    """
    if is_terminal(out):
        table = Table(title=None if title is None else Text(title, style="italic"))
        for header in headers:
            table.add_column(
                header, justify="right" if header in right else "left", no_wrap=header not in wrap, overflow="fold"
            )
        for index, row in enumerate(rows):
            if index in sections:
                table.add_section()
            table.add_row(*(cell if isinstance(cell, Text) else Text(cell) for cell in row))
        # Measured without the console's width, which would clamp the measurement to it.
        if _box_width(headers, rows, wrap) <= out.width:
            out.print(table)
            return
    lines = [[str(h) for h in headers], *([_plain(cell) for cell in row] for row in rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(headers))]
    text = [title] if title else []
    for line in lines:
        cells = [c.rjust(w) if h in right else c.ljust(w) for c, w, h in zip(line, widths, headers)]
        text.append("  ".join(cells).rstrip())
    write_out(out, "\n".join(text) + "\n")


def _say(console: Console, text: str) -> None:
    console.print(text, markup=False, highlight=False, emoji=False)


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


def print_run(report: RunReport, fmt: str, out: Console, err: Console) -> None:
    """Print a pipeline run's summary; what failed goes to stderr.

    Args:
        report: The run.
        fmt: ``table`` or ``json``.
        out: The stdout console.
        err: The stderr console.
    """
    failed = [o for o in report.outcomes if o.error]
    for o in failed:
        _say(err, f"{o.kind} {o.name} failed: {o.error}")
    if fmt == "json":
        print_json([_outcome_json(o) for o in report.outcomes], out)
        return
    kinds = [o.kind for o in report.outcomes]
    print_table(
        out,
        f"engine-app run: {report.warehouse}",
        ("name", "fingerprint", "rows", "substrait", "plan ms", "run ms"),
        [
            (
                f"{o.name} (view)" if o.kind == "view" else o.name,
                short(o.plan_fingerprint),
                "-" if o.rows is None else str(o.rows),
                _OK if o.substrait_roundtrip else _NO,
                f"{o.plan_seconds * 1000:.0f}",
                f"{o.run_seconds * 1000:.0f}",
            )
            for o in report.outcomes
        ],
        right=("rows", "plan ms", "run ms"),
        sections=[i for i in range(1, len(kinds)) if kinds[i] != kinds[i - 1]],
    )
    total = sum(o.plan_seconds + o.run_seconds for o in report.outcomes)
    _say(
        out,
        f"{len(report.outcomes) - len(failed)}/{len(report.outcomes)} ok in {total:.2f} s; "
        f"stored {report.stored_plans} new plan(s) and {report.stored_views} new view(s); "
        f"planning env {short(report.planning_env_hash)}",
    )
    for line in change_lines(report.changes):
        _say(out, line)


def print_plan_outcomes(outcomes: Sequence[PlanOutcome], stored: int, fmt: str, out: Console) -> None:
    """Print the results of ``engine-app plan``.

    Args:
        outcomes: One entry per statement.
        stored: How many plans were new to the store.
        fmt: ``table`` or ``json``.
        out: The stdout console.
    """
    if fmt == "json":
        print_json(list(outcomes), out)
        return
    print_table(
        out,
        "engine-app plan",
        ("#", "name", "fingerprint", "substrait", "error"),
        [
            (
                str(o["statement"]),
                str(o["name"]),
                short(o["plan_fingerprint"]),
                _OK if o["substrait_roundtrip"] else _NO,
                o["error"] or "",
            )
            for o in outcomes
        ],
        right=("#",),
        wrap=("error",),
    )
    planned = sum(o["error"] is None for o in outcomes)
    _say(out, f"{planned}/{len(outcomes)} planned; stored {stored} new plan(s)")


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
    print_table(
        out,
        f"{len(rows)} stored plan(s)",
        ("fingerprint", "view", "created at (UTC)", "sql"),
        [
            (
                short(str(r["plan_fingerprint"])),
                str(r["view_name"] or ""),
                timestamp(r["created_at"]),
                " ".join(str(r["sql"]).split()),
            )
            for r in rows
        ],
        wrap=("sql",),
    )


def print_audit(results: Sequence[DeterminismAuditResult], fmt: str, out: Console) -> None:
    """Print the determinism audit's results, mismatches field by field.

    Args:
        results: One result per stored plan.
        fmt: ``table`` or ``json``.
        out: The stdout console.
    """
    if fmt == "json":
        print_json([named(r) for r in results], out)
        return
    rows: list[tuple[Cell, ...]] = []
    for r in results:
        if r.matches:
            rows.append((short(r.plan_fingerprint), Text("match", style="green"), "", "", ""))
        elif not r.mismatches:
            rows.append((short(r.plan_fingerprint), Text("error", style="red"), r.error or "", "", ""))
        for m in r.mismatches:
            rows.append(
                (short(r.plan_fingerprint), Text("mismatch", style="red"), m.field, short(m.expected), short(m.actual))
            )
    headers = ("fingerprint", "result", "field", "stored", "re-planned")
    print_table(out, "determinism audit", headers, rows, wrap=("field",))
    matched = sum(r.matches for r in results)
    _say(out, f"{matched}/{len(results)} plan(s) reproduced every fingerprint")


def print_events(events: Sequence[DiagnosticsEvent], console: Console) -> None:
    """Print diagnostics events, one block each.

    Args:
        events: The events.
        console: Where to print (stderr for warnings alongside results).
    """
    for event in events:
        _say(console, format_event(event))


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
        _say(out, text)

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
    print_table(
        out,
        f"{len(rows)} run(s)",
        ("run id", "command", "started (UTC)", "statements", "failed", "planning env"),
        [
            (
                str(r["run_id"]),
                str(r["command"]),
                timestamp(str(r["started_at"])),
                str(r["statements"]),
                str(r["failed"]),
                short(str(r["planning_env_hash"])),
            )
            for r in rows
        ],
        right=("statements", "failed"),
    )
