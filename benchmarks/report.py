"""Figures, and the two report files: ``report.json`` (for programs) and ``REPORT.md``."""

from __future__ import annotations

import dataclasses
import datetime
import json
import os
import platform
import sys
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

from benchmarks.findings import explain

__all__ = ["Figure", "Report", "Section", "machine_info"]

Goal = Literal["<=", ">="]
LIBRARIES = ("artifact-contracts", "engine-app", "msgspec", "pydantic", "pydantic-core", "orjson",
             "datafusion", "deltalake", "pyarrow")  # fmt: skip


@dataclasses.dataclass
class Figure:
    """One measured number, with the target it is held against (if any).

    Attributes:
        key: A stable identifier, e.g. ``wrapper.json.decode.medium_plan``.
        label: What was measured, for the table.
        value: The number.
        unit: ``x`` for ratios, ``us``, ``ms``, ``MiB``...
        target: The aim, or None for a figure that is only reported.
        goal: Whether ``value`` should be at most (``<=``) or at least (``>=``) ``target``.
        detail: Supporting numbers (per-candidate medians, sizes, spreads).
    """

    key: str
    label: str
    value: float
    unit: str = "x"
    target: float | None = None
    goal: Goal = "<="
    detail: dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def met(self) -> bool | None:
        """Whether the target is met (None without a target)."""
        if self.target is None:
            return None
        return self.value <= self.target if self.goal == "<=" else self.value >= self.target

    def as_json(self) -> dict[str, Any]:
        """The figure as a JSON object."""
        return {
            "key": self.key,
            "label": self.label,
            "value": self.value,
            "unit": self.unit,
            "target": self.target,
            "goal": self.goal if self.target is not None else None,
            "met": self.met,
            "detail": self.detail,
        }


@dataclasses.dataclass
class Section:
    """A numbered part of the suite (the issue's items 1-9)."""

    key: str
    title: str
    figures: list[Figure] = dataclasses.field(default_factory=list)
    notes: list[str] = dataclasses.field(default_factory=list)
    skipped: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The section as a JSON object."""
        return {
            "key": self.key,
            "title": self.title,
            "skipped": self.skipped,
            "notes": self.notes,
            "figures": [f.as_json() for f in self.figures],
        }


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_info() -> dict[str, Any]:
    """CPU, cores, OS, Python and library versions."""
    import artifact_contracts

    versions = {name: _version(name) for name in LIBRARIES}
    versions["artifact-contracts"] = artifact_contracts.__version__  # the source tree's, not an install's
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "machine": platform.machine(),
        "os": f"{platform.system()} {platform.release()}",
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "libraries": versions,
    }


@dataclasses.dataclass
class Report:
    """Everything one run measured."""

    mode: str
    methodology: dict[str, Any]
    sections: list[Section] = dataclasses.field(default_factory=list)
    machine: dict[str, Any] = dataclasses.field(default_factory=machine_info)
    started: str = dataclasses.field(
        default_factory=lambda: datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    )
    seconds: float = 0.0

    def as_json(self) -> dict[str, Any]:
        """The whole report as a JSON object (the ``report.json`` document)."""
        figures = [f for s in self.sections for f in s.figures if f.target is not None]
        return {
            "schema_version": 1,
            "mode": self.mode,
            "started": self.started,
            "seconds": round(self.seconds, 1),
            "machine": self.machine,
            "methodology": self.methodology,
            "summary": {
                "targets": len(figures),
                "met": sum(1 for f in figures if f.met),
                "missed": [f.key for f in figures if f.met is False],
            },
            "sections": [s.as_json() for s in self.sections],
        }

    def write(self, directory: Path) -> tuple[Path, Path]:
        """Write ``report.json`` and ``REPORT.md`` into ``directory``."""
        directory.mkdir(parents=True, exist_ok=True)
        data = self.as_json()
        json_path = directory / "report.json"
        json_path.write_text(json.dumps(data, indent=2, sort_keys=False) + "\n")
        md_path = directory / "REPORT.md"
        md_path.write_text(render_markdown(data))
        return json_path, md_path


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return ""
    if unit == "x":
        return f"{value:.2f}x"
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"
    return f"{text} {unit}" if unit else text


def render_markdown(data: dict[str, Any]) -> str:
    """Render a ``report.json`` document as the ``REPORT.md`` table."""
    machine = data["machine"]
    libs = ", ".join(f"{k} {v}" for k, v in machine["libraries"].items() if v)
    summary = data["summary"]
    method = data["methodology"]
    lines = [
        "# Benchmark report",
        "",
        f"Generated by `python3 -m hatch run bench:run` ({data['mode']} mode) on {data['started']} "
        f"in {data['seconds']:.0f} s. Do not edit: re-run the suite.",
        "",
        f"- **Machine**: {machine['cpu']}, {machine['cores']} cores, {machine['os']} ({machine['machine']})",
        f"- **Python**: {machine['python']}",
        f"- **Libraries**: {libs}",
        f"- **Targets**: {summary['met']} of {summary['targets']} met"
        + (f"; missed: {', '.join('`' + k + '`' for k in summary['missed'])}" if summary["missed"] else ""),
        "",
        "## Method",
        "",
    ]
    lines += [f"- {text}" for text in method.get("notes", [])]
    for section in data["sections"]:
        lines += ["", f"## {section['title']}", ""]
        if section["skipped"]:
            lines += [f"Skipped: {section['skipped']}", ""]
        for note in section["notes"]:
            lines += [note, ""]
        if not section["figures"]:
            continue
        lines += ["| figure | value | target | met |", "| --- | ---: | ---: | :---: |"]
        causes: dict[str, list[str]] = {}
        for fig in section["figures"]:
            target = f"{fig['goal']} {_fmt(fig['target'], fig['unit'])}" if fig["target"] is not None else ""
            met = {True: "yes", False: "**no**", None: ""}[fig["met"]]
            lines.append(f"| {fig['label']} | {_fmt(fig['value'], fig['unit'])} | {target} | {met} |")
            cause = explain(fig["key"]) if fig["met"] is False else None
            if cause is not None:
                causes.setdefault(cause, []).append(fig["label"])
        for fig in section["figures"]:
            shares = fig["detail"].get("where_the_time_goes")
            if shares:
                parts = ", ".join(f"{name} {share:.0%}" for name, share in sorted(shares.items(), key=lambda i: -i[1]))
                lines += [
                    "",
                    f"*Where the time goes* ({fig['label']}; one cProfile run, CPU time, approximate: "
                    f"GC pauses land on whichever function allocates): {parts}.",
                ]
        for cause, labels in causes.items():
            lines += ["", f"**Why it misses** ({'; '.join(labels)}): {cause}"]
    lines.append("")
    return "\n".join(lines)


def print_summary(data: dict[str, Any], stream: Any = sys.stdout) -> None:
    """Print one line per figure (the console view of a run)."""
    for section in data["sections"]:
        print(f"== {section['title']}" + (f" (skipped: {section['skipped']})" if section["skipped"] else ""),
              file=stream)  # fmt: skip
        for fig in section["figures"]:
            mark = {True: "ok  ", False: "MISS", None: "    "}[fig["met"]]
            target = f" (target {fig['goal']} {_fmt(fig['target'], fig['unit'])})" if fig["target"] is not None else ""
            print(f"  {mark} {fig['label']}: {_fmt(fig['value'], fig['unit'])}{target}", file=stream)
