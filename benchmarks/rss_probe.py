"""Run in a fresh interpreter: measure the peak RSS of one operation above a baseline.

``python -m benchmarks.rss_probe decode-msgpack FILE`` (or ``decode-json``) and
``python -m benchmarks.rss_probe list-store WAREHOUSE``. Prints one JSON object:
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
    from benchmarks.store_api import list_columns, list_decoded

    baseline = _maxrss_kib()
    rows = list_columns(warehouse) if mode == "columns" else list_decoded(warehouse)
    peak = _maxrss_kib()
    return {"baseline_kib": baseline, "peak_kib": peak, "rows": rows}


def main(argv: list[str] | None = None) -> int:
    """Run one probe and print its JSON result."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.rss_probe", description=__doc__.splitlines()[0])
    parser.add_argument("probe", choices=["decode-msgpack", "decode-json", "list-store", "list-store-columns"])
    parser.add_argument("path", type=Path)
    args = parser.parse_args(argv)
    if args.probe.startswith("decode-"):
        result = _decode(args.path, args.probe.removeprefix("decode-"))
    else:
        result = _list_store(args.path, "columns" if args.probe.endswith("columns") else "decoded")
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
