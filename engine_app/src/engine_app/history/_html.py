"""The diff as one self-contained HTML page: no script, no network asset, side-by-side plans."""

from __future__ import annotations

import difflib
import html

from artifact_contracts.models import PlanDiffEntry, PlanDiffReport
from engine_app.history._sets import TEXT_COMPONENTS, PlanSet

__all__ = ["render_html"]

_STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem; color: #1b1f24; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.15rem; margin-top: 2rem; } h3 { font-size: 1rem; }
table.summary { border-collapse: collapse; margin: 1rem 0; }
table.summary td, table.summary th { border: 1px solid #d0d7de; padding: .25rem .6rem; text-align: left; }
.status-unchanged { color: #57606a; } .status-changed { color: #9a6700; font-weight: 600; }
.status-added { color: #1a7f37; font-weight: 600; } .status-removed { color: #cf222e; font-weight: 600; }
code, table.diff { font: 12px/1.35 ui-monospace, SFMono-Regular, Menlo, monospace; }
table.diff { border-collapse: collapse; width: 100%; margin-bottom: 1rem; border: 1px solid #d0d7de; }
table.diff td { vertical-align: top; white-space: pre-wrap; word-break: break-word; padding: 0 .4rem; width: 48%; }
table.diff th { background: #f6f8fa; font-weight: 600; padding: .2rem .4rem; }
table.diff td.diff_header, table.diff td.diff_next {
  color: #57606a; text-align: right; width: 1%; white-space: nowrap;
}
table.diff td.diff_next a { color: #57606a; }
.diff_add { background: #dafbe1; } .diff_chg { background: #fff8c5; } .diff_sub { background: #ffebe9; }
"""


def _summary(report: PlanDiffReport) -> str:
    rows = "".join(
        f'<tr><td><a href="#{_anchor(e.name)}">{html.escape(e.name)}</a></td>'
        f'<td class="status-{e.status}">{e.status}</td>'
        f"<td>{html.escape(', '.join(c.component for c in e.changes))}</td></tr>"
        for e in report.entries
    )
    return f'<table class="summary"><tr><th>name</th><th>status</th><th>components changed</th></tr>{rows}</table>'


def _anchor(name: str) -> str:
    return "plan-" + "".join(ch if ch.isalnum() else "-" for ch in name)


def _values(title: str, changes: list[tuple[str, object, object]]) -> str:
    if not changes:
        return ""
    rows = "".join(
        f"<tr><td><code>{html.escape(name)}</code></td><td>{html.escape(str(left))}</td>"
        f"<td>{html.escape(str(right))}</td></tr>"
        for name, left, right in changes
    )
    return f'<h2>{title}</h2><table class="summary"><tr><th>name</th><th>left</th><th>right</th></tr>{rows}</table>'


def _changed(entry: PlanDiffEntry, left: PlanSet, right: PlanSet) -> str:
    parts = [f'<h2 id="{_anchor(entry.name)}">{html.escape(entry.name)}: {entry.status}</h2>']
    if entry.status != "changed":
        return "".join(parts)
    parts.append(f"<p>components changed: {html.escape(', '.join(c.component for c in entry.changes))}</p>")
    before, after = left.statements[entry.name], right.statements[entry.name]
    for change in entry.changes:
        key = TEXT_COMPONENTS.get(change.component)
        if key is None:
            parts.append(
                f"<p><code>{change.component}</code>: {html.escape(str(change.left))} &rarr; "
                f"{html.escape(str(change.right))}</p>"
            )
            continue
        table = difflib.HtmlDiff().make_table(
            before.texts[key].splitlines(), after.texts[key].splitlines(), "left", "right", context=True, numlines=2
        )
        parts.append(f"<h3>{change.component} plan</h3>{table}")
    return "".join(parts)


def render_html(report: PlanDiffReport, left: PlanSet, right: PlanSet) -> str:
    """Render a diff report as a standalone HTML page.

    Args:
        report: The diff of ``left`` and ``right``.
        left: The old side (its plan texts, for the side-by-side tables).
        right: The new side.

    Returns:
        The page: a summary per name, then each changed plan's component diffs side by side.
    """
    counts = {s: sum(e.status == s for e in report.entries) for s in ("changed", "added", "removed", "unchanged")}
    headline = ", ".join(f"{n} {s}" for s, n in counts.items())
    body = [
        f"<h1>Plan diff</h1><p>left: <code>{html.escape(report.left)}</code><br>"
        f"right: <code>{html.escape(report.right)}</code></p><p>{headline}</p>",
        _summary(report),
        _values("Settings that differ", [(c.name, c.left, c.right) for c in report.settings]),
        _values("Library versions that differ", [(c.name, c.left, c.right) for c in report.libraries]),
        _values("Data changes (table versions)", [(c.name, c.left, c.right) for c in report.tables]),
        *(_changed(e, left, right) for e in report.entries if e.status != "unchanged"),
    ]
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Plan diff: {html.escape(headline)}</title><style>{_STYLE}</style></head>"
        f"<body>{''.join(body)}</body></html>\n"
    )
