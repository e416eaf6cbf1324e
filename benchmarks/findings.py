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
    "wrapper.*.decode.registered": (
        "Most registered types' minimal instances decode in 70-150 ns with bare msgspec, so a call's fixed cost is "
        "most of the ratio: a Python function that only forwards to the decoder already costs ~1.2x on them "
        "(`floor_geomean` in report.json), and the codec's path is one dict lookup, one type check and one len "
        "more (payloads no longer than max_depth skip the size and depth checks). Before this work the path also "
        "called a closure per Compat target (the recursion-limit check) and ran the depth scan on recursive "
        "targets: 1.5-1.6x. The batch decoders are the answer for many small payloads."
    ),
    "wrapper.*.decode_batch.registered": (
        "A batch checks every payload's type and the total size with one b''.join in C (~6 ns a payload) before "
        "one C loop of decodes: on payloads that decode in ~80 ns that join is the few percent left."
    ),
    "wrapper.*.small_policy": (
        "A small policy decodes in about 2.5 us and encodes in about 0.4 us, so fixed costs show: a Python function "
        "that only forwards to bare msgspec (`floor_ratio` in report.json) already costs 4-8% on decode and up to "
        "~10-20% on encode, and the codec's decode path adds its input type check, one dict lookup for the cached "
        "decoder and the size-limit comparison (~0.2 us). Before this suite that path was an lru_cache call, a spec "
        "object and a limits call per decode: 1.41x (JSON) and 1.47x (MessagePack) with this harness; now 1.14-1.18x."
    ),
    "peers.decode.medium_plan.pydantic": (
        "Bounded by msgspec itself: the `ceiling` row (bare msgspec against pydantic on the same data) is below "
        "the target on this machine and data; the codec adds only its call overhead (section 1)."
    ),
    "peers.encode.medium_plan.pydantic": (
        "Bounded by msgspec itself: compare the `ceiling` row (bare msgspec with order='deterministic')."
    ),
    "msgpack.size.*": (
        "Base64 is 4/3 of the bytes, so MessagePack can only reach 0.75x where the binary payload dominates; with "
        "4-64 KiB of payload, the ~21 KB of plan text (the same size in both formats) keeps the ratio higher."
    ),
    "fingerprint.*": (
        "The fingerprint has to encode the canonical form first (`encode` in report.json), and that form sorts "
        "Struct fields on every encode (`order='sorted'`), which makes it about 1.8x the cost of the wire encoding "
        "of the same plan (19 us against 10.6 us for the medium plan). For a text-heavy plan, encoding alone then "
        "costs more than hashing, so fingerprint / sha256 = 1 + encode / hash lands near 2.4; where a binary "
        "payload dominates the encode is a copy and the ratio falls to ~1.2-1.5. Reaching 1.5x on text would need "
        "an encoder that writes fields in a precomputed sorted order, which msgspec does not offer."
    ),
    "store.append": (
        "The store does work the bare write does not: it encodes every payload, builds and encodes the audit bundle "
        "of every artifact (five fingerprints, one of them over the whole artifact's canonical form: the largest "
        "share in `where_the_time_goes`) and converts every row into Arrow (the second largest); the bare write is "
        "handed the finished Arrow table, so its figure is the floor, not a peer. Remedies: compute the audit "
        "bundle where the plan is captured (it is a property of the plan, not of the append), build the payload "
        "column from one buffer filled with `encode_msgpack_into` (`pyarrow.BinaryArray.from_buffers`), and "
        "`gc=False` on the immutable contract Structs (measured: append 1.15 s -> 1.00 s and list 2.18 s -> 1.68 s "
        "of CPU for 10,000 medium artifacts)."
    ),
    "memory.list.store": (
        "`PlanArtifactStore.list()` returns every row decoded, so it holds every payload (as Arrow, as Python bytes "
        "from `to_pylist`, and decoded) at once. Listing that grows with the columns listed needs a summary "
        "listing that reads only the queryable columns (the `queryable columns only` figure shows what it costs) "
        "and a batch-wise iterator for full decodes."
    ),
    "scaling.*.exponent.*": (
        "Not an algorithmic bend: msgspec writes each byte once, and the per-byte cost of that copy rises once the "
        "message outgrows the CPU caches (a 1 MiB payload, 1.6 MB encoded, is copied at cache speed; 25 MB is "
        "not) and while other jobs share the memory bandwidth, which CPU time does not separate. `encode_into` "
        "into a reused buffer (no allocation, no page faults) bends the same way; decoding, which does more work "
        "per byte, stays linear."
    ),
}


def explain(key: str) -> str | None:
    """The finding for a missed figure, if one is recorded."""
    for pattern, text in FINDINGS.items():
        if fnmatch.fnmatchcase(key, pattern):
            return text
    return None
