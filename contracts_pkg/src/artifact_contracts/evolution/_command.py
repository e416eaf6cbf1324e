"""``artifact-contracts compat``: print the compatibility report and gate on it.

Exit status: 0 when the version bump covers every change, 1 when it does not (against a
schema file of unknown version: when any change is major), 2 for a usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from artifact_contracts._version import __version__
from artifact_contracts.codec import to_builtins
from artifact_contracts.evolution._gate import CompatReport, check, load_document, release_versions
from artifact_contracts.evolution._rules import RULES
from artifact_contracts.evolution._versions import parse_version
from artifact_contracts.registry import json_schema

__all__ = ["add_compat_arguments", "render_rules", "run_compat"]


def add_compat_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``compat`` subcommand's options to ``parser``."""
    parser.add_argument(
        "--against",
        default="all",
        metavar="VERSION|PATH|all",
        help="a release version under --releases-dir, a schema file, or 'all' (default): the latest "
        "earlier release and every earlier release of the same major (0.x: same minor)",
    )
    parser.add_argument(
        "--current",
        type=Path,
        metavar="PATH",
        help="the schema document to check (default: today's, exported from the installed package)",
    )
    parser.add_argument(
        "--version",
        dest="release_version",
        metavar="VERSION",
        help="the version to check as (default: the package version, or the document's "
        "x-contract-version with --current)",
    )
    parser.add_argument(
        "--releases-dir",
        type=Path,
        metavar="DIR",
        help="where release snapshots live (default: the nearest schemas/releases above the working directory)",
    )
    parser.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    parser.add_argument("--rules", action="store_true", help="print the rule catalog instead of comparing anything")


def _find_releases_dir() -> Path | None:
    for folder in (Path.cwd(), *Path.cwd().parents):
        candidate = folder / "schemas" / "releases"
        if candidate.is_dir():
            return candidate
    return None


def _same_line(a: str, b: str) -> bool:
    va, vb = parse_version(a), parse_version(b)
    return va[:2] == vb[:2] if va[0] == 0 else va[0] == vb[0]


def _current(args: argparse.Namespace) -> tuple[dict[str, Any], str]:
    """Today's document and the version to check it as."""
    if args.current is not None:
        current = load_document(args.current)
        version = args.release_version or str(current.get("x-contract-version", ""))
    else:
        current = json_schema()
        version = args.release_version or __version__
    parse_version(version)
    return current, version


def _targets(against: str, version: str, releases_dir: Path) -> list[str]:
    """The releases to compare with, newest first."""
    known = release_versions(releases_dir)
    if against in known:
        return [against]
    if against != "all":
        raise ValueError(f"no release {against} under {releases_dir} (known: {', '.join(known) or 'none'})")
    earlier = [v for v in known if parse_version(v) <= parse_version(version)]
    targets = [v for v in earlier if _same_line(v, version)]
    if earlier and earlier[-1] not in targets:
        targets.append(earlier[-1])
    return sorted(targets, key=parse_version, reverse=True)


def _reports(args: argparse.Namespace) -> tuple[list[CompatReport], str]:
    current, version = _current(args)
    against = str(args.against)
    if against != "all" and (Path(against).is_file() or against.endswith(".json")):
        report = check(load_document(against), current, against=against, against_version=None, current_version=version)
        return [report], version
    releases_dir = args.releases_dir or _find_releases_dir()
    if releases_dir is None or not releases_dir.is_dir():
        raise ValueError("no schemas/releases directory found; pass --releases-dir")
    reports = [
        check(
            load_document(releases_dir / v / "json-schema.json"),
            current,
            against=v,
            against_version=v,
            current_version=version,
        )
        for v in _targets(against, version, releases_dir)
    ]
    return reports, version


def _as_json(reports: list[CompatReport], version: str) -> dict[str, Any]:
    if len(reports) == 1:
        return dict(to_builtins(reports[0]), comparisons=[to_builtins(reports[0])])
    head: dict[str, Any] = (
        to_builtins(reports[0]) if reports else {"current_version": version, "required_bump": "none", "changes": []}
    )
    head["ok"] = all(r.ok for r in reports)
    head["comparisons"] = [to_builtins(r) for r in reports]
    return head


def _breaks(backward: tuple[str, ...], forward: tuple[str, ...]) -> str:
    """``backward: json, msgpack; forward: python`` (``nothing`` for no break)."""
    parts = [
        f"{label}: {', '.join(surfaces)}"
        for label, surfaces in (("backward", backward), ("forward", forward))
        if surfaces
    ]
    return "; ".join(parts) or "nothing"


def _verdict(report: CompatReport) -> str:
    if report.actual_bump is None:
        bumped = "unknown version: only a major change fails"
    else:
        bumped = f"{report.against_version} -> {report.current_version} allows {report.actual_bump}"
    return f"requires {report.required_bump}; {bumped}: {'OK' if report.ok else 'FAIL'}"


def _as_text(reports: list[CompatReport], version: str) -> str:
    if not reports:
        return f"artifact-contracts {version}: no earlier release to compare against"
    lines = []
    for report in reports:
        lines.append(f"artifact-contracts {version} against {report.against}: {_verdict(report)}")
        for c in report.changes:
            lines.append(
                f"  {c.bump:<5}  {c.rule:<26} {c.path:<40} {c.message}  [breaks {_breaks(c.backward, c.forward)}]"
            )
    return "\n".join(lines)


def _as_markdown(reports: list[CompatReport], version: str) -> str:
    if not reports:
        return f"No earlier release of artifact-contracts to compare {version} against."
    out = []
    for report in reports:
        verdict = _verdict(report)
        out += [
            f"### Contract changes since {report.against}",
            "",
            verdict[0].upper() + verdict[1:] + ".",
            "",
        ]
        if report.changes:
            out += ["| Bump | Rule | Path | Change | Breaks |", "| --- | --- | --- | --- | --- |"]
            out += [
                f"| {c.bump} | `{c.rule}` | `{c.path}` | {c.message} | {_breaks(c.backward, c.forward)} |"
                for c in report.changes
            ]
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def render_rules(fmt: str) -> str:
    """Render the rule catalog as a Markdown table (``fmt="markdown"``/``"text"``) or JSON."""
    if fmt == "json":
        return json.dumps([to_builtins(r) for r in RULES.values()], indent=2)
    lines = [
        "| Rule | Compat type | Strict type | Breaks on Compat | Breaks on Strict | Why | Example |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in RULES.values():
        on_compat = _breaks(r.compat_breaks.backward, r.compat_breaks.forward)
        on_strict = _breaks(r.strict_breaks.backward, r.strict_breaks.forward)
        lines.append(f"| `{r.id}` | {r.compat} | {r.strict} | {on_compat} | {on_strict} | {r.summary} | {r.example} |")
    return "\n".join(lines) + "\n"


def run_compat(args: argparse.Namespace) -> int:
    """Run the ``compat`` subcommand; return the exit status."""
    if args.rules:
        sys.stdout.write(render_rules(args.format))
        return 0
    try:
        reports, version = _reports(args)
    except ValueError as exc:
        print(f"artifact-contracts compat: error: {exc}", file=sys.stderr)
        return 2
    if args.format == "json":
        sys.stdout.write(json.dumps(_as_json(reports, version), indent=2) + "\n")
    elif args.format == "markdown":
        sys.stdout.write(_as_markdown(reports, version))
    else:
        sys.stdout.write(_as_text(reports, version) + "\n")
    return 0 if all(r.ok for r in reports) else 1
