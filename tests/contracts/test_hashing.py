from __future__ import annotations

import datetime
import hashlib
import struct
import subprocess
import sys
from typing import Any, Optional

import pytest

from artifact_contracts import (
    DataFusionProtoBytes,
    StructBaseCompat,
    SubstraitBytes,
    canonical_bytes,
    dumps_msgpack,
    fingerprint,
    loads_json,
)


class Forward(StructBaseCompat, tag="thing", tag_field="kind"):
    b: int
    a: str
    payload: Optional[SubstraitBytes] = None
    ratio: float = 0.5


class Reversed(StructBaseCompat, tag="thing", tag_field="kind"):
    ratio: float = 0.5
    payload: Optional[SubstraitBytes] = None
    a: str
    b: int


def reference_canonical(value: Any) -> bytes:
    """An independent implementation of the documented fingerprint form (hashing.py)."""
    if value is None:
        return b"\xc0"
    if value is True:
        return b"\xc3"
    if value is False:
        return b"\xc2"
    if isinstance(value, int):
        if 0 <= value <= 0x7F:
            return bytes([value])
        if -32 <= value < 0:
            return struct.pack(">b", value)
        if value >= 0:
            for code, fmt, limit in ((0xCC, ">B", 2**8), (0xCD, ">H", 2**16), (0xCE, ">I", 2**32), (0xCF, ">Q", 2**64)):
                if value < limit:
                    return bytes([code]) + struct.pack(fmt, value)
        for code, fmt, limit in ((0xD0, ">b", 2**7), (0xD1, ">h", 2**15), (0xD2, ">i", 2**31), (0xD3, ">q", 2**63)):
            if -limit <= value:
                return bytes([code]) + struct.pack(fmt, value)
    if isinstance(value, float):
        return b"\xcb" + struct.pack(">d", value)
    if isinstance(value, str):
        raw = value.encode()
        n = len(raw)
        head = (
            bytes([0xA0 | n])
            if n < 32
            else (b"\xd9" + struct.pack(">B", n) if n < 256 else b"\xda" + struct.pack(">H", n))
        )
        return head + raw
    if isinstance(value, bytes):
        n = len(value)
        return (b"\xc4" + struct.pack(">B", n) if n < 256 else b"\xc5" + struct.pack(">H", n)) + value
    if isinstance(value, (SubstraitBytes, DataFusionProtoBytes)):
        n, code = len(value.data), int(value.ext_code)
        fixed = {1: 0xD4, 2: 0xD5, 4: 0xD6, 8: 0xD7, 16: 0xD8}
        head = bytes([fixed[n], code]) if n in fixed else b"\xc7" + bytes([n, code])
        return head + value.data
    if isinstance(value, (list, tuple)):
        return bytes([0x90 | len(value)]) + b"".join(reference_canonical(v) for v in value)
    if isinstance(value, dict):
        items = sorted(value.items(), key=lambda kv: kv[0].encode())
        return bytes([0x80 | len(items)]) + b"".join(reference_canonical(k) + reference_canonical(v) for k, v in items)
    raise TypeError(type(value))


def as_map(value: Forward) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": "thing", "b": value.b, "a": value.a}
    if value.payload is not None:
        out["payload"] = value.payload
    if value.ratio != 0.5:
        out["ratio"] = value.ratio
    return out


VALUES = [
    Forward(b=1, a="x"),
    Forward(b=-33, a="é" * 40, payload=SubstraitBytes(b"\x00" * 4), ratio=-0.0),
    Forward(b=2**40, a="", payload=SubstraitBytes(b"abc"), ratio=1e16),
]


@pytest.mark.parametrize("value", VALUES)
def test_documented_form_matches_an_independent_encoder(value: Forward) -> None:
    assert canonical_bytes(value) == reference_canonical(as_map(value))
    assert fingerprint(value) == "sha256:" + hashlib.sha256(reference_canonical(as_map(value))).hexdigest()


@pytest.mark.parametrize("value", [{"b": 1, "a": {"y": [1, 2], "x": None}}, [1.5, "a", b"x"], 2**63, -(2**63)])
def test_builtins_match_independent_encoder(value: Any) -> None:
    assert canonical_bytes(value) == reference_canonical(value)


def test_field_order_in_source_changes_no_fingerprint() -> None:
    forward = Forward(b=1, a="x", payload=SubstraitBytes(b"p"))
    backward = Reversed(b=1, a="x", payload=SubstraitBytes(b"p"))
    assert dumps_msgpack(forward) != dumps_msgpack(backward)
    assert fingerprint(forward) == fingerprint(backward)


def test_defaults_spelled_out_change_nothing() -> None:
    decoded = loads_json(b'{"kind":"thing","b":1,"a":"x","ratio":0.5}', Forward)
    assert fingerprint(decoded) == fingerprint(Forward(b=1, a="x"))


def test_format() -> None:
    fp = fingerprint({"a": 1})
    assert fp.startswith("sha256:") and len(fp) == 71 and fp == fp.lower()


def test_same_in_a_fresh_process_with_another_hash_seed() -> None:
    code = (
        "import datetime\n"
        "from artifact_contracts import fingerprint, SubstraitBytes\n"
        "v = {'set': sorted({'x', 'y', 'z'}), 'd': {str(i): i for i in range(50)}, 'p': SubstraitBytes(b'q'),\n"
        "     't': datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)}\n"
        "print(fingerprint(v))\n"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True,
            env={"PYTHONHASHSEED": seed, "PATH": "", "PYTHONPATH": ":".join(sys.path)},
        ).stdout.strip()
        for seed in ("1", "2", "random")
    }  # fmt: skip
    value = {
        "set": ["x", "y", "z"],
        "d": {str(i): i for i in range(50)},
        "p": SubstraitBytes(b"q"),
        "t": datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc),
    }
    assert outputs == {fingerprint(value)}
