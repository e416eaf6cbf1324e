"""Run in a fresh interpreter: measure the peak RSS of one operation above a baseline.

``python -m benchmarks.rss_probe decode-msgpack FILE`` (or ``decode-json``),
``python -m benchmarks.rss_probe list-store WAREHOUSE`` (``list-store-columns``: the bare
pyarrow read; ``list-store-listing``: ``PlanArtifactStore.listing()``) and
``python -m benchmarks.rss_probe plan-statements DIR`` (``engine-app plan`` of
``DIR/statements.sql`` over the TPC-H tables under ``DIR/tpch``, into ``DIR/wh``). Prints one JSON object:
``baseline_kib`` is the peak resident set size after every import (before the input is
read), ``peak_kib`` the peak after the operation, in KiB. The peak is Linux's ``VmHWM``
from ``/proc/self/status``: it counts everything the process touched, native
allocations included (which ``tracemalloc`` would miss), and it starts afresh at
``exec`` (``getrusage``'s ``ru_maxrss`` does not: a child started by a large parent
reports the parent's peak). It only ever grows, so a probe does one thing.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
from pathlib import Path
from typing import Any

__all__ = ["main"]


def _maxrss_kib() -> int:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # not Linux: the best there is


def _decode(path: Path, fmt: str) -> dict[str, Any]:
    from artifact_contracts import loads_json, loads_msgpack
    from artifact_contracts.models import PlanArtifacts

    loads = loads_msgpack if fmt == "msgpack" else loads_json
    baseline = _maxrss_kib()
    data = path.read_bytes()
    value = loads(data, PlanArtifacts)
    peak = _maxrss_kib()
    payload = len(value.substrait or b"") + len(value.datafusion_proto or b"")
    return {"baseline_kib": baseline, "peak_kib": peak, "input_bytes": len(data), "payload_bytes": payload}


def _list_store(warehouse: Path, mode: str) -> dict[str, Any]:
    from benchmarks.store_api import list_columns, list_decoded, list_store

    baseline = _maxrss_kib()
    rows = {"columns": list_columns, "listing": list_store}.get(mode, list_decoded)(warehouse)
    peak = _maxrss_kib()
    return {"baseline_kib": baseline, "peak_kib": peak, "rows": rows}


def _plan_statements(root: Path) -> dict[str, Any]:
    import contextlib
    import io
    import time

    from engine_app.cli import main

    tables = [f"--table={p.name}={p}" for p in sorted((root / "tpch").iterdir()) if p.is_dir()]
    argv = ["plan", *tables, "--sql-file", str(root / "statements.sql"), "--warehouse", str(root / "wh")]
    baseline = _maxrss_kib()
    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        code = main([*argv, "--format", "json"])
    seconds = time.perf_counter() - started
    peak = _maxrss_kib()
    return {"baseline_kib": baseline, "peak_kib": peak, "exit_code": code, "seconds": seconds}


def main(argv: list[str] | None = None) -> int:
    """Run one probe and print its JSON result."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.rss_probe", description=__doc__.splitlines()[0])
    parser.add_argument(
        "probe",
        choices=[
            "decode-msgpack",
            "decode-json",
            "list-store",
            "list-store-columns",
            "list-store-listing",
            "plan-statements",
        ],
    )
    parser.add_argument("path", type=Path)
    args = parser.parse_args(argv)
    if args.probe.startswith("decode-"):
        result = _decode(args.path, args.probe.removeprefix("decode-"))
    elif args.probe == "plan-statements":
        result = _plan_statements(args.path)
    else:
        result = _list_store(args.path, args.probe.removeprefix("list-store").lstrip("-") or "decoded")
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
