"""Items 1-4: wrapper overhead, peers, MessagePack against JSON, fingerprints.

Bare msgspec is built here on purpose (``benchmarks/`` is exempt from the one-codec
rule): the same settings and hooks as :mod:`artifact_contracts.codec`, so the ratio is
the cost of the wrapper alone.
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

import msgspec

from artifact_contracts import (
    canonical_bytes,
    codec as _codec,
    dumps_json,
    dumps_msgpack,
    fingerprint,
    loads_json,
    loads_msgpack,
)
from artifact_contracts._depth import admits_unbounded_nesting, check_json_depth, check_msgpack_depth
from artifact_contracts.limits import get_decode_limits
from artifact_contracts.models import DeltaWritePolicy, PlanArtifacts
from benchmarks.context import Context
from benchmarks.fixtures import KIB, binary_plan, medium_plan, small_policy
from benchmarks.harness import Candidate, compare
from benchmarks.peers import OrjsonCodec, PydanticPlanArtifacts, PydanticWritePolicy, check_equivalence
from benchmarks.report import Figure, Section

__all__ = [
    "bare_codec",
    "fingerprints",
    "msgpack_vs_json",
    "peers",
    "registered_overhead",
    "values",
    "wrapper_overhead",
]

# The codec's own hooks, so bare msgspec does exactly the same work minus the wrapper.
_SETTINGS: dict[str, Any] = {"order": "deterministic", "decimal_format": "string", "uuid_format": "canonical"}


def bare_codec() -> dict[str, Any]:
    """Bare msgspec encoders with the codec's settings, and decoder factories."""
    return {
        "json_enc": msgspec.json.Encoder(enc_hook=_codec._json_enc_hook, **_SETTINGS),
        "msgpack_enc": msgspec.msgpack.Encoder(enc_hook=_codec._msgpack_enc_hook, **_SETTINGS),
        "json_dec": lambda t: msgspec.json.Decoder(t, strict=True, dec_hook=_codec._json_dec_hook),
        "msgpack_dec": lambda t: msgspec.msgpack.Decoder(
            t, strict=True, dec_hook=_codec._msgpack_dec_hook, ext_hook=_codec._ext_hook
        ),
    }


def _size_label(size: int) -> str:
    return f"{size // KIB} KiB" if size < 1024 * KIB else f"{size // (1024 * KIB)} MiB"


def values(ctx: Context) -> list[tuple[str, str, Any, type]]:
    """``(key, label, value, type)`` for the small, medium and one binary-heavy value."""
    size = ctx.binary_sizes[min(1, len(ctx.binary_sizes) - 1)]
    return [
        ("small_policy", "small policy", small_policy(), DeltaWritePolicy),
        ("medium_plan", "medium plan", medium_plan(), PlanArtifacts),
        (f"binary_plan_{size // KIB}k", f"plan + {_size_label(size)} Substrait", binary_plan(size), PlanArtifacts),
    ]


def _seconds(comparison: Any) -> dict[str, float]:
    return {name: round(s * 1e6, 3) for name, s in comparison.seconds.items()}


def _floor(fn: Any) -> Any:
    """A pure-Python function that only forwards to ``fn``: the least any wrapper costs."""

    def forward(data: Any, target_type: Any = None, *, strict: bool = True) -> Any:
        return fn(data)

    return forward


def wrapper_overhead(ctx: Context) -> Section:
    """Item 1: ``dumps_*``/``loads_*`` against bare msgspec with the same settings."""
    section = Section("wrapper", "1. Wrapper overhead: the codec against bare msgspec (same settings, same values)")
    section.notes.append(
        "Ratio = median over rounds of (codec time / bare msgspec time), measured in the same round. The detail "
        "also times `floor` (a Python function that only forwards to bare msgspec: what any Python-level wrapper "
        "costs, so `floor_ratio` is the best a wrapper can reach) and, for decoding, `depth_scan` (the nesting-limit "
        "scan `limits.check_*_depth`, timed for reference: the codec runs it before decoding a target whose "
        "decoded value may nest without bound, not for Compat Structs, whose skipped unknown fields are held to "
        "the recursion guard; see limits.py). Times are medians in microseconds per call."
    )
    bare = bare_codec()
    scans = {"json": check_json_depth, "msgpack": check_msgpack_depth}
    for fmt, dumps, loads in (("json", dumps_json, loads_json), ("msgpack", dumps_msgpack, loads_msgpack)):
        for key, label, value, typ in values(ctx):
            data = dumps(value)
            enc = bare[f"{fmt}_enc"]
            dec = bare[f"{fmt}_dec"](typ)
            if enc.encode(value) != data or dec.decode(data) != value:
                raise AssertionError(f"bare msgspec disagrees with the codec on {key} ({fmt})")
            ns = {
                "dumps": dumps, "loads": loads, "enc": enc, "dec": dec, "value": value, "data": data, "T": typ,
                "floor_enc": _floor(enc.encode), "floor_dec": _floor(dec.decode), "scan": scans[fmt],
                "limit": get_decode_limits().max_depth,
            }  # fmt: skip
            for op, ours, theirs, floor in (
                ("encode", "dumps(value)", "enc.encode(value)", "floor_enc(value)"),
                ("decode", "loads(data, T)", "dec.decode(data)", "floor_dec(data, T)"),
            ):
                candidates = [
                    Candidate("codec", ours, ns),
                    Candidate("bare", theirs, ns),
                    Candidate("floor", floor, ns),
                ]
                if op == "decode":
                    candidates.append(Candidate("depth_scan", "scan(data, limit)", ns))
                result = compare(candidates, ctx.timing)
                detail = {
                    "us": _seconds(result),
                    "bytes": len(data),
                    "floor_ratio": round(result.ratio("floor", "bare"), 3),
                    "spread": round(result.spread("bare"), 3),
                }
                if op == "decode":
                    detail["depth_scan_runs"] = admits_unbounded_nesting(typ)
                section.figures.append(
                    Figure(
                        key=f"wrapper.{fmt}.{op}.{key}",
                        label=f"{fmt} {op}, {label} ({len(data):,} B)",
                        value=round(result.ratio("codec", "bare"), 3),
                        target=1.10,
                        detail=detail,
                    )
                )
    section.figures.extend(registered_overhead(ctx))
    return section


_BATCH = 100  # payloads per batch call


def registered_overhead(ctx: Context) -> list[Figure]:
    """Per call and batched decode against bare msgspec, geometric mean over every registered type.

    Each type's minimal instance (tests/contracts/instances.py, the goldens' values): small
    payloads, where the wrapper's fixed cost shows most.
    """
    from tests.contracts.instances import representative

    from artifact_contracts import CONTRACT_TYPES, loads_json_batch, loads_msgpack_batch

    bare = bare_codec()
    figures = []
    for fmt, dumps, loads, batch in (
        ("json", dumps_json, loads_json, loads_json_batch),
        ("msgpack", dumps_msgpack, loads_msgpack, loads_msgpack_batch),
    ):
        per_call, batched, floors, slowest = [], [], [], []
        for typ in CONTRACT_TYPES:
            data = dumps(representative(typ)["minimal"])
            dec = bare[f"{fmt}_dec"](typ).decode
            ns = {"loads": loads, "batch": batch, "dec": dec, "data": data, "many": [data] * _BATCH, "T": typ,
                  "floor": _floor(dec)}  # fmt: skip
            one = compare(
                [Candidate("codec", "loads(data, T)", ns), Candidate("bare", "dec(data)", ns),
                 Candidate("floor", "floor(data, T)", ns)],
                ctx.timing,
            )  # fmt: skip
            many = compare(
                [Candidate("codec", "batch(many, T)", ns), Candidate("bare", "list(map(dec, many))", ns)], ctx.timing
            )
            per_call.append(one.ratio("codec", "bare"))
            floors.append(one.ratio("floor", "bare"))
            batched.append(many.ratio("codec", "bare"))
            slowest.append((round(per_call[-1], 3), typ.__name__, round(one.seconds["bare"] * 1e9)))
        detail = {"types": len(CONTRACT_TYPES), "slowest_per_call": sorted(slowest)[-5:], "batch_size": _BATCH}
        figures.append(
            Figure(
                key=f"wrapper.{fmt}.decode.registered",
                label=f"{fmt} decode per call, every registered type (geometric mean, minimal instances)",
                value=round(_geomean(per_call), 3),
                target=1.25,
                detail={**detail, "max": round(max(per_call), 3), "floor_geomean": round(_geomean(floors), 3)},
            )
        )
        figures.append(
            Figure(
                key=f"wrapper.{fmt}.decode_batch.registered",
                label=f"{fmt} decode batched ({_BATCH} per call), every registered type (geometric mean)",
                value=round(_geomean(batched), 3),
                target=1.05,
                detail={**detail, "max": round(max(batched), 3)},
            )
        )
    return figures


def _geomean(values: list[float]) -> float:
    return math.exp(sum(math.log(v) for v in values) / len(values))


def peers(ctx: Context) -> Section:
    """Item 2: the codec against pydantic v2 and orjson + dataclasses on equivalent models."""
    section = Section("peers", "2. Against peers: pydantic v2 and orjson + dataclasses (JSON, same contracts)")
    section.notes.append(
        "Speed-up = median over rounds of (peer time / codec time); higher is better. `ceiling` rows divide by "
        "bare msgspec instead (what msgspec itself allows). Equivalence is checked first on every run: each peer "
        "decodes the codec's JSON, and its own JSON decodes through the codec into an equal value. pydantic uses "
        "`strict=True` and `model_dump_json()` (it also writes default-valued fields, which the contracts omit)."
    )
    bare = bare_codec()
    plan_size = ctx.binary_sizes[-1]
    cases = [
        ("medium_plan", "medium plan (non-binary)", medium_plan(), PlanArtifacts, PydanticPlanArtifacts,
         OrjsonCodec.loads_plan, (5.0, 4.8)),
        ("small_policy", "small policy", small_policy(), DeltaWritePolicy, PydanticWritePolicy,
         OrjsonCodec.loads_policy, (None, None)),
        (f"binary_plan_{plan_size // KIB}k", f"plan + {_size_label(plan_size)} Substrait (binary-heavy)",
         binary_plan(plan_size), PlanArtifacts, PydanticPlanArtifacts, OrjsonCodec.loads_plan, (None, None)),
    ]  # fmt: skip
    for key, label, value, typ, model, orjson_loads, (enc_target, dec_target) in cases:
        sizes = check_equivalence(value)
        data = dumps_json(value)
        ns = {
            "dumps_json": dumps_json, "loads_json": loads_json, "value": value, "data": data, "T": typ,
            "enc": bare["json_enc"], "dec": bare["json_dec"](typ), "model": model.model_validate_json(data),
            "Model": model, "twin": OrjsonCodec.to_dataclass(value), "odumps": OrjsonCodec.dumps,
            "oloads": orjson_loads,
        }  # fmt: skip
        for op, target, candidates in (
            (
                "encode",
                enc_target,
                [
                    ("codec", "dumps_json(value)"),
                    ("msgspec", "enc.encode(value)"),
                    ("pydantic", "model.model_dump_json()"),
                    ("orjson", "odumps(twin)"),
                ],
            ),
            (
                "decode",
                dec_target,
                [
                    ("codec", "loads_json(data, T)"),
                    ("msgspec", "dec.decode(data)"),
                    ("pydantic", "Model.model_validate_json(data)"),
                    ("orjson", "oloads(data)"),
                ],
            ),
        ):
            result = compare([Candidate(name, stmt, ns) for name, stmt in candidates], ctx.timing)
            detail = {"us": _seconds(result), "json_bytes": sizes}
            for peer in ("pydantic", "orjson"):
                section.figures.append(
                    Figure(
                        key=f"peers.{op}.{key}.{peer}",
                        label=f"{op} {label}: codec vs {peer}",
                        value=round(result.ratio(peer, "codec"), 2),
                        target=target if peer == "pydantic" else None,
                        goal=">=",
                        detail=detail,
                    )
                )
            section.figures.append(
                Figure(
                    key=f"peers.{op}.{key}.ceiling",
                    label=f"{op} {label}: ceiling (bare msgspec vs pydantic)",
                    value=round(result.ratio("pydantic", "msgspec"), 2),
                    detail=detail,
                )
            )
    return section


def msgpack_vs_json(ctx: Context) -> Section:
    """Item 3: MessagePack with ext codes against JSON with base64, binary-heavy artifacts."""
    section = Section("msgpack", "3. MessagePack (ext codes) against JSON (base64) for binary-heavy artifacts")
    section.notes.append(
        "Each artifact is the medium plan plus Substrait bytes of the given size and DataFusion proto bytes of "
        "half that. Ratios are MessagePack / JSON (lower is better for MessagePack)."
    )
    for size in ctx.binary_sizes:
        value = binary_plan(size)
        as_json, as_msgpack = dumps_json(value), dumps_msgpack(value)
        label = _size_label(size)
        section.figures.append(
            Figure(
                key=f"msgpack.size.{size // KIB}k",
                label=f"size, {label} Substrait ({len(as_msgpack):,} B vs {len(as_json):,} B)",
                value=round(len(as_msgpack) / len(as_json), 3),
                target=0.76,
                detail={"msgpack_bytes": len(as_msgpack), "json_bytes": len(as_json)},
            )
        )
        ns = {
            "dumps_json": dumps_json,
            "dumps_msgpack": dumps_msgpack,
            "loads_json": loads_json,
            "loads_msgpack": loads_msgpack,
            "value": value,
            "j": as_json,
            "m": as_msgpack,
            "T": PlanArtifacts,
        }
        for op, m_stmt, j_stmt in (
            ("encode", "dumps_msgpack(value)", "dumps_json(value)"),
            ("decode", "loads_msgpack(m, T)", "loads_json(j, T)"),
        ):
            result = compare([Candidate("msgpack", m_stmt, ns), Candidate("json", j_stmt, ns)], ctx.timing)
            section.figures.append(
                Figure(
                    key=f"msgpack.{op}.{size // KIB}k",
                    label=f"{op} time, {label} Substrait",
                    value=round(result.ratio("msgpack", "json"), 3),
                    detail={"us": _seconds(result)},
                )
            )
    return section


def fingerprints(ctx: Context) -> Section:
    """Item 4: ``fingerprint`` against SHA-256 over the already-encoded canonical bytes."""
    section = Section("fingerprint", "4. fingerprint() against hashlib.sha256 over the already-encoded bytes")
    section.notes.append(
        "The limit is `hashlib.sha256(canonical_bytes(value)).hexdigest()` with the bytes encoded beforehand; "
        "`fingerprint(value)` has to encode them too. `encode` in the detail is `canonical_bytes(value)` alone."
    )
    cases = [(key, label, value) for key, label, value, _ in values(ctx)]
    cases += [
        (f"binary_plan_{s // KIB}k", f"plan + {_size_label(s)} Substrait", binary_plan(s))
        for s in ctx.binary_sizes
        if f"binary_plan_{s // KIB}k" not in {c[0] for c in cases}
    ]
    for key, label, value in cases:
        encoded = canonical_bytes(value)
        if fingerprint(value) != "sha256:" + hashlib.sha256(encoded).hexdigest():
            raise AssertionError("fingerprint is not sha256 over canonical_bytes")
        ns = {
            "fingerprint": fingerprint,
            "sha256": hashlib.sha256,
            "value": value,
            "encoded": encoded,
            "canonical_bytes": canonical_bytes,
        }
        result = compare(
            [
                Candidate("fingerprint", "fingerprint(value)", ns),
                Candidate("sha256", "sha256(encoded).hexdigest()", ns),
                Candidate("encode", "canonical_bytes(value)", ns),
            ],
            ctx.timing,
        )
        section.figures.append(
            Figure(
                key=f"fingerprint.{key}",
                label=f"{label} ({len(encoded):,} B canonical)",
                value=round(result.ratio("fingerprint", "sha256"), 3),
                target=1.5,
                detail={"us": _seconds(result), "bytes": len(encoded)},
            )
        )
    return section
