"""Why a target is missed: the cause found by profiling, and what would fix it.

Each entry matches figure keys (``fnmatch`` patterns); ``REPORT.md`` prints the entry
under its section when a matching figure misses its target (and never otherwise), so
the explanation stays next to the number it explains. The causes were established with
the suite's own ``floor``/``depth_scan``/``encode`` candidates and profiles
(``--profile``, cProfile shares in ``report.json``).
"""

from __future__ import annotations

import fnmatch

__all__ = ["FINDINGS", "explain"]

FINDINGS: dict[str, str] = {
    "wrapper.*.small_policy": (
        "A small policy decodes in about 2 us and encodes in about 0.4 us, so one Python call frame is already "
        "close to 10% of it: `floor_ratio` in report.json (a function that only forwards to bare msgspec) lands "
        "at about the same ratio. The codec's own work on this path is a type check, one dict lookup and one size "
        "comparison (see the CHANGELOG: it was an lru_cache call plus a spec object, 1.40-1.51x before)."
    ),
    "wrapper.*.decode.*plan*": (
        "The decode runs the nesting-limit scan first (`limits.check_*_depth`, `depth_scan` in report.json): "
        "every Compat Struct admits unbounded nesting (msgspec skips unknown fields recursively), so every "
        "persisted artifact is scanned. The cheap upper bound (count of bracket or container-header bytes) fails "
        "on plan text full of `[` and on binary payloads, whose random bytes look like MessagePack container "
        "headers; the exact scan then walks every item in Python. That is the whole gap to bare msgspec (up to "
        "~7x for a plan with binary payloads). Fix belongs in limits.py: a cheaper exact scan, or a bound that "
        "skips the str/bin/ext payload regions."
    ),
    "peers.decode.medium_plan.pydantic": (
        "Bounded by msgspec itself: the `ceiling` row (bare msgspec against pydantic on the same data) is below "
        "the target on this machine and data, and the codec adds the depth scan on top (see section 1)."
    ),
    "peers.encode.medium_plan.pydantic": (
        "Bounded by msgspec itself: compare the `ceiling` row (bare msgspec with order='deterministic')."
    ),
    "msgpack.size.*": (
        "Base64 is 4/3 of the bytes, so MessagePack can only reach 0.75x where the binary payload dominates; with "
        "4-64 KiB of payload, the ~21 KB of plan text (the same size in both formats) keeps the ratio higher."
    ),
    "fingerprint.*": (
        "The fingerprint has to encode the canonical form first (`order='sorted'`: Struct fields sorted as well), "
        "and for a text-heavy plan encoding costs more than hashing (`encode` in report.json). Where a binary "
        "payload dominates, the encode is a copy and the ratio approaches 1."
    ),
    "store.append": (
        "The store does work the bare write does not: it encodes every payload, builds and encodes the audit bundle "
        "of every artifact (five fingerprints, one of them over the whole artifact's canonical form) and copies "
        "every payload into Arrow (`where_the_time_goes` in report.json). The bare write is handed the finished "
        "Arrow table. Remedies, in order of gain: encode payloads with `encode_msgpack_into` into one buffer and "
        "build the binary column with `pyarrow.BinaryArray.from_buffers` (no per-row bytes, no copy), compute the "
        "audit bundle where the plan is captured instead of on append, and `gc=False` on the immutable contract "
        "Structs (the cyclic GC otherwise rescans every live artifact while the batch is built)."
    ),
    "memory.list.store": (
        "`PlanArtifactStore.list()` returns every row decoded, so it holds every payload (as Arrow, as Python bytes "
        "from `to_pylist`, and decoded) at once. Listing that grows with the columns listed needs a summary "
        "listing that reads only the queryable columns (the `queryable columns only` figure shows what it costs) "
        "and a batch-wise iterator for full decodes."
    ),
    "scaling.*.exponent.*": (
        "Time per artifact grows faster than linearly with the size: see the per-size figures for the step where "
        "it bends."
    ),
}


def explain(key: str) -> str | None:
    """The finding for a missed figure, if one is recorded."""
    for pattern, text in FINDINGS.items():
        if fnmatch.fnmatchcase(key, pattern):
            return text
    return None
