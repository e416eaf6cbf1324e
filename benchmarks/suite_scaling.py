"""Items 7 (payload sizes) and 8 (decode memory): the curve as artifacts grow."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

from artifact_contracts import dumps_json, dumps_msgpack, encode_msgpack_into, fingerprint, loads_msgpack
from artifact_contracts.models import PlanArtifacts
from benchmarks.context import Context
from benchmarks.fixtures import KIB, MIB, binary_plan
from benchmarks.harness import Candidate, Settings, compare
from benchmarks.report import Figure, Section

__all__ = ["decode_memory", "payload_scaling", "probe", "slope"]

ROOT = Path(__file__).resolve().parent.parent


def _label(size: int) -> str:
    return f"{size // KIB} KiB" if size < MIB else f"{size // MIB} MiB"


def slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of ``log(time)`` against ``log(size)``: 1 is linear, 0 flat."""
    xs = [math.log(x) for x, _ in points]
    ys = [math.log(y) for _, y in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / den if den else 0.0


def payload_scaling(ctx: Context) -> Section:
    """Item 7 (payloads): time per artifact from 1 KiB to 16 MiB of Substrait bytes."""
    section = Section("scaling_payload", "7a. Scaling: time per artifact as the Substrait payload grows")
    section.notes.append(
        "Encode, decode (MessagePack, into PlanArtifacts) and fingerprint of the medium plan carrying Substrait "
        "bytes of each size (plus proto bytes of half that). The exponent is the log-log slope of time against "
        "payload size over the sizes from 256 KiB up, where the payload dominates: 1.0 is linear, 0 flat; the "
        "target is linear or better (<= 1.10, allowing for noise). `encode_into` is `encode_msgpack_into` into one "
        "reused bytearray (the hot-path API): no fresh output buffer per call."
    )
    curves: dict[str, list[tuple[float, float]]] = {"encode": [], "encode_into": [], "decode": [], "fingerprint": []}
    for size in ctx.scaling_sizes:
        value = binary_plan(size)
        data = dumps_msgpack(value)
        ns = {"dumps_msgpack": dumps_msgpack, "loads_msgpack": loads_msgpack, "fingerprint": fingerprint,
              "encode_msgpack_into": encode_msgpack_into, "buf": bytearray(), "value": value, "data": data,
              "T": PlanArtifacts}  # fmt: skip
        settings = ctx.timing if size <= MIB else Settings(rounds=max(3, ctx.timing.rounds // 3), sample_seconds=0.05)
        result = compare(
            [
                Candidate("encode", "dumps_msgpack(value)", ns),
                Candidate("encode_into", "encode_msgpack_into(value, buf)", ns),
                Candidate("decode", "loads_msgpack(data, T)", ns),
                Candidate("fingerprint", "fingerprint(value)", ns),
            ],
            settings,
        )
        for op in curves:
            curves[op].append((size, result.seconds[op]))
        ms = {op: result.seconds[op] * 1e3 for op in curves}
        section.figures.append(
            Figure(
                key=f"scaling.payload.{size // KIB}k",
                label=f"{_label(size)} Substrait ({len(data):,} B): encode {ms['encode']:.3g} (into a reused buffer "
                f"{ms['encode_into']:.3g}) + decode {ms['decode']:.3g} + fingerprint {ms['fingerprint']:.3g} ms",
                value=round(ms["encode"] + ms["decode"] + ms["fingerprint"], 4),
                unit="ms",
                detail={
                    "ms": {op: round(s * 1e3, 4) for op, s in result.seconds.items()},
                    "bytes": len(data),
                    "us_per_mib": {op: round(s * 1e6 / (len(data) / MIB), 1) for op, s in result.seconds.items()},
                },
            )
        )
    for op, points in curves.items():
        tail = [p for p in points if p[0] >= 256 * KIB] or points
        if len(tail) < 2:
            tail = points
        section.figures.append(
            Figure(
                key=f"scaling.payload.exponent.{op}",
                label=f"{op}: growth exponent ({_label(int(tail[0][0]))} to {_label(int(tail[-1][0]))})",
                value=round(slope(tail), 3),
                unit="",
                target=1.10,
            )
        )
    return section


def probe(args: list[str], timeout: float = 600) -> dict[str, int]:
    """Run :mod:`benchmarks.rss_probe` in a fresh interpreter and return its JSON."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.rss_probe", *args],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=timeout, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"rss probe {args} failed: {done.stderr.strip()[-2000:]}")
    result: dict[str, int] = json.loads(done.stdout)
    return result


def decode_memory(ctx: Context) -> Section:
    """Item 8 (decode): peak RSS above the interpreter's baseline when decoding a large artifact."""
    size = ctx.memory_size
    section = Section("memory_decode", f"8a. Memory: decoding a plan artifact with {_label(size)} of Substrait bytes")
    section.notes.append(
        "Each probe runs in a fresh interpreter: baseline = peak RSS (`VmHWM`) after the imports, peak = `VmHWM` "
        "after reading the encoded artifact from disk and decoding it into PlanArtifacts. The ratio is "
        "(peak - baseline) / encoded size, so the input buffer itself counts as 1x of it."
    )
    value = binary_plan(size)
    for fmt, dumps, target in (("msgpack", dumps_msgpack, 3.0), ("json", dumps_json, None)):
        path = ctx.scratch / f"artifact-{size}.{fmt}"
        path.write_bytes(dumps(value))
        result = probe([f"decode-{fmt}", str(path)])
        grown = (result["peak_kib"] - result["baseline_kib"]) * 1024
        section.figures.append(
            Figure(
                key=f"memory.decode.{fmt}",
                label=f"{fmt}: peak RSS above baseline / encoded size ({result['input_bytes'] / MIB:.1f} MiB)",
                value=round(grown / result["input_bytes"], 2),
                target=target,
                detail={**result, "grown_mib": round(grown / MIB, 1)},
            )
        )
        path.unlink()
    return section
