"""``python -m benchmarks``: run the suite and write ``report.json`` and ``REPORT.md``.

The full run writes into ``benchmarks/`` (the committed report); ``--quick`` (what the
test suite runs) only checks that every benchmark runs, with tiny sizes, and writes into
a temporary directory unless ``--out`` says otherwise.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from benchmarks.context import Context
from benchmarks.report import Report, Section, print_summary, render_markdown

__all__ = ["SECTIONS", "main"]

HERE = Path(__file__).resolve().parent

# (key, "module:function", title used when the section cannot run)
SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("wrapper", "benchmarks.suite_codec:wrapper_overhead", "1. Wrapper overhead"),
    ("peers", "benchmarks.suite_codec:peers", "2. Against peers"),
    ("msgpack", "benchmarks.suite_codec:msgpack_vs_json", "3. MessagePack against JSON"),
    ("fingerprint", "benchmarks.suite_codec:fingerprints", "4. fingerprint()"),
    ("store", "benchmarks.suite_store:store_append", "5. Artifact store"),
    ("planning", "benchmarks.suite_planning:plan_capture", "6. Plan capture"),
    ("scaling_payload", "benchmarks.suite_scaling:payload_scaling", "7a. Scaling: payload size"),
    ("scaling_store", "benchmarks.suite_store:store_scaling", "7b. Scaling: store size"),
    ("memory_decode", "benchmarks.suite_scaling:decode_memory", "8a. Memory: decoding"),
    ("memory_store", "benchmarks.suite_store:listing_memory", "8b. Memory: listing the store"),
    ("tpch", "benchmarks.suite_planning:tpch_workload", "9. Plan capture on TPC-H"),
    ("plan_capture", "benchmarks.suite_store:plan_capture", "10. Capture: plan of many statements"),
    ("scaleout", "benchmarks.suite_scaleout:ray_throughput", "11. Scale-out on Ray"),
)

METHOD_NOTES = [
    "Times are CPU seconds of the benchmark process (`time.process_time`: all threads, user + system), not "
    "wall time: the reference machine has 2 cores shared with other developers' jobs, and wall-clock samples "
    "swung 3-30x with their load, while a descheduled process accrues no CPU time. For the Delta writes, CPU "
    "time sums every writer thread, so it is the work done rather than the latency.",
    "Every timing is a comparison in one process: the candidates run interleaved, round-robin with the "
    "starting candidate rotated each round; each sample repeats the call enough times to last ~10 ms, 25 rounds "
    "(GC paused during a sample, as `timeit` does).",
    "A ratio is the **median of the per-round ratios** (paired within a round, so drift of this shared machine "
    "cancels out); `report.json` also keeps every candidate's median time per call.",
    "Values are the project's own contracts at realistic sizes (see `benchmarks/fixtures.py`): a small "
    "DeltaWritePolicy, a medium PlanArtifacts (TPC-H Q5: EXPLAIN VERBOSE rows, information_schema columns, "
    "planning settings; no binary payload) and that plan with Substrait payloads of 4 KiB to 16 MiB.",
    "Memory figures come from fresh subprocesses: growth of the peak resident set size (`VmHWM` in "
    "`/proc/self/status`) over its value after the imports.",
    "Targets are aims, not assertions: a miss is reported as a miss.",
]


def _resolve(target: str) -> Callable[[Context], Section | list[Section]]:
    module, _, name = target.partition(":")
    fn: Callable[[Context], Section | list[Section]] = getattr(importlib.import_module(module), name)
    return fn


@contextlib.contextmanager
def _progress(total: int, enabled: bool) -> Iterator[Callable[[str], None]]:
    if not enabled:
        yield lambda _: None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(), transient=True, console=_stderr_console(),
    ) as progress:  # fmt: skip
        task = progress.add_task("benchmarks", total=total)

        def advance(title: str) -> None:
            progress.update(task, advance=1, description=title)

        yield advance


def _stderr_console() -> object:
    from rich.console import Console

    return Console(stderr=True)


def run(ctx: Context, keys: list[str], progress: bool = True) -> Report:
    """Run the chosen sections; a section that cannot run is reported as skipped."""
    report = Report(mode="quick" if ctx.quick else "full", methodology={"notes": METHOD_NOTES})
    start = time.perf_counter()
    chosen = [s for s in SECTIONS if s[0] in keys]
    with _progress(len(chosen), progress) as advance:
        for key, target, title in chosen:
            try:
                fn = _resolve(target)
            except ImportError as exc:  # the engine is not installed (contracts-only environment)
                report.sections.append(Section(key, title, skipped=f"needs the engine ({exc})"))
                advance(title)
                continue
            result = fn(ctx)
            report.sections.extend(result if isinstance(result, list) else [result])
            advance(title)
    report.seconds = time.perf_counter() - start
    return report


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Benchmark the codec, fingerprints and the artifact store against peers and limits.",
    )
    parser.add_argument("--quick", action="store_true", help="tiny sizes, few rounds: only check that it runs")
    parser.add_argument(
        "--out", type=Path, default=None,
        help="where to write report.json and REPORT.md (default: benchmarks/, or a temp dir with --quick)",
    )  # fmt: skip
    parser.add_argument(
        "--only", action="append", choices=[s[0] for s in SECTIONS], metavar="SECTION",
        help=f"run only this section (repeatable): {', '.join(s[0] for s in SECTIONS)}",
    )  # fmt: skip
    parser.add_argument("--format", choices=["text", "json"], default="text", help="what to print on stdout")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    parser.add_argument(
        "--render", action="store_true",
        help="measure nothing: rewrite REPORT.md from the report.json in --out (after editing findings or layout)",
    )  # fmt: skip
    parser.add_argument(
        "--profile", type=Path, default=None, metavar="HTML",
        help="profile the run with pyinstrument and write the HTML report there",
    )  # fmt: skip
    return parser


def _render(json_path: Path) -> int:
    try:
        data = json.loads(json_path.read_text())
    except (OSError, ValueError) as exc:
        print(f"error: cannot read {json_path}: {exc}", file=sys.stderr)
        return 2
    md_path = json_path.with_name("REPORT.md")
    md_path.write_text(render_markdown(data))
    print(f"wrote {md_path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m benchmarks``."""
    args = _parser().parse_args(argv)
    if args.render:
        return _render((args.out or HERE) / "report.json")
    keys = args.only or [s[0] for s in SECTIONS]
    with tempfile.TemporaryDirectory(prefix="bench-") as scratch:
        ctx = (Context.quick_mode if args.quick else Context.full)(Path(scratch))
        out = args.out or (Path(scratch) / "report" if args.quick else HERE)
        if args.quick and args.out is None:
            out = Path(tempfile.mkdtemp(prefix="bench-report-"))
        profiler = None
        if args.profile is not None:
            from pyinstrument import Profiler

            profiler = Profiler()
            profiler.start()
        report = run(ctx, keys, progress=not args.no_progress and sys.stderr.isatty())
        if profiler is not None:
            profiler.stop()
            args.profile.write_text(profiler.output_html())
        json_path, md_path = report.write(out)
    data = report.as_json()
    if args.format == "json":
        json.dump(data, sys.stdout, indent=2)
        print()
    else:
        print_summary(data)
        print(f"wrote {json_path} and {md_path}")
    return 0
