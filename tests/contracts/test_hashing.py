from __future__ import annotations

import datetime
import decimal
import enum
import hashlib
import struct
import subprocess
import sys
import uuid
from typing import Any, Optional

import msgspec
import pytest
from hypothesis import given, strategies as st

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


def _sized(n: int, fix: tuple[int, int] | None, codes: tuple[int, ...]) -> bytes:
    """The header of a str/bin/array/map of ``n`` items: fix form, then 8/16/32-bit lengths."""
    if fix is not None and n < fix[1]:
        return bytes([fix[0] | n])
    widths = [(c, w) for c, w in zip(codes, (1, 2, 4) if len(codes) == 3 else (2, 4))]
    for code, width in widths:
        if n < 1 << (8 * width):
            return bytes([code]) + n.to_bytes(width, "big")
    raise ValueError(n)


def _int(value: int) -> bytes:
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
    raise ValueError(value)


def _str(text: str) -> bytes:
    raw = text.encode()
    return _sized(len(raw), (0xA0, 32), (0xD9, 0xDA, 0xDB)) + raw


def _timestamp(moment: datetime.datetime) -> bytes:
    delta = moment - datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
    seconds = delta.days * 86400 + delta.seconds
    nanos = delta.microseconds * 1000
    if nanos == 0 and 0 <= seconds < 2**32:
        return b"\xd6\xff" + struct.pack(">I", seconds)
    if 0 <= seconds < 2**34:
        return b"\xd7\xff" + struct.pack(">Q", nanos << 34 | seconds)
    return b"\xc7\x0c\xff" + struct.pack(">Iq", nanos, seconds)


def _clock(value: datetime.time | datetime.datetime) -> str:
    text = f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
    return text + (f".{value.microsecond:06d}" if value.microsecond else "")


def _duration(value: datetime.timedelta) -> str:
    sign, span = ("-", -value) if value < datetime.timedelta(0) else ("", value)
    text = "P" + (f"{span.days}D" if span.days else "")
    if span.seconds or span.microseconds:
        fraction = f".{span.microseconds:06d}".rstrip("0") if span.microseconds else ""
        text += f"T{span.seconds}{fraction}S"
    return sign + (text if text != "P" else "P0D")


def _decimal(value: decimal.Decimal) -> str:
    if value.is_zero():
        return "0"
    exact = decimal.Context(prec=len(value.as_tuple().digits), Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN)
    return str(value.normalize(exact))


def _float(value: float) -> bytes:
    if value != value:
        return b"\xcb\x7f\xf8" + bytes(6)
    return b"\xcb" + struct.pack(">d", value + 0.0)  # + 0.0 turns -0.0 into 0.0


def _time_text(value: datetime.time) -> str:
    if value.tzinfo is None:
        return _clock(value)
    offset = value.utcoffset() or datetime.timedelta(0)
    moment = datetime.datetime.combine(datetime.date(2000, 1, 2), value.replace(tzinfo=None)) - offset
    return _clock(moment) + "Z"


def _scalar_text(value: Any) -> str | None:
    """The string a scalar of a string-spelled type is written as (rules 9-11), else None."""
    if isinstance(value, datetime.datetime) and value.tzinfo is None:
        return value.date().isoformat() + "T" + _clock(value)
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, datetime.time):
        return _time_text(value)
    if isinstance(value, datetime.timedelta):
        return _duration(value)
    if isinstance(value, decimal.Decimal):
        return _decimal(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    return None


def _ext(value: SubstraitBytes | DataFusionProtoBytes) -> bytes:
    n, code = len(value.data), int(value.ext_code)
    fixed = {1: 0xD4, 2: 0xD5, 4: 0xD6, 8: 0xD7, 16: 0xD8}
    if n in fixed:
        return bytes([fixed[n], code]) + value.data
    return _sized(n, None, (0xC7, 0xC8, 0xC9)) + bytes([code]) + value.data


def _struct_map(value: msgspec.Struct) -> Any:
    """A Struct as the map (or array) rules 1 and 2 make of it."""
    config = value.__struct_config__
    fields = msgspec.structs.fields(value)
    if config.array_like:
        items = [getattr(value, f.name) for f in fields]
        return [config.tag, *items] if config.tag is not None else items
    out: dict[str, Any] = {} if config.tag is None else {config.tag_field: config.tag}
    for f in fields:
        current = getattr(value, f.name)
        default = f.default if f.default is not msgspec.NODEFAULT else (
            f.default_factory() if f.default_factory is not msgspec.NODEFAULT else msgspec.NODEFAULT)
        omitted = config.omit_defaults and default is not msgspec.NODEFAULT
        if omitted and type(current) is type(default) and current == default:
            continue
        if current is msgspec.UNSET:
            continue
        out[f.encode_name] = current
    return out


def reference_canonical(value: Any) -> bytes:
    """An independent implementation of the documented fingerprint form (hashing.py)."""
    if value is None:
        return b"\xc0"
    if value is True or value is False:
        return b"\xc3" if value else b"\xc2"
    if isinstance(value, enum.Enum):
        return reference_canonical(value.value)
    if isinstance(value, int):
        return _int(int(value))
    if isinstance(value, float):
        return _float(float(value))
    if isinstance(value, str):
        return _str(str(value))
    if isinstance(value, (bytes, bytearray, memoryview)):
        raw = bytes(value)
        return _sized(len(raw), None, (0xC4, 0xC5, 0xC6)) + raw
    if isinstance(value, (SubstraitBytes, DataFusionProtoBytes)):
        return _ext(value)
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return _timestamp(value)
    text = _scalar_text(value)
    if text is not None:
        return _str(text)
    if isinstance(value, msgspec.Struct):
        return reference_canonical(_struct_map(value))
    if isinstance(value, (set, frozenset)):
        value = sorted(value)
    if isinstance(value, (list, tuple)):
        return _sized(len(value), (0x90, 16), (0xDC, 0xDD)) + b"".join(reference_canonical(v) for v in value)
    if isinstance(value, dict):
        ordered = sorted(value.items(), key=lambda kv: kv[0].encode() if isinstance(kv[0], str) else kv[0])
        body = b"".join(reference_canonical(k) + reference_canonical(v) for k, v in ordered)
        return _sized(len(ordered), (0x80, 16), (0xDE, 0xDF)) + body
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


class Color(enum.Enum):
    RED = "red"


class Level(enum.IntEnum):
    HIGH = 2


UTC = datetime.timezone.utc
PLUS2 = datetime.timezone(datetime.timedelta(hours=2))

EVERY_KIND = [
    -0.0, 0.0, float("nan"), 1e300, -(2**63), 2**64 - 1, 300, -200, 70000, True, None,
    "x" * 31, "x" * 32, "é" * 200, "y" * 70000, b"", b"z" * 300, bytearray(b"ab"), memoryview(b"cd"),
    [0] * 15, [0] * 16, [1] * 70000, {str(i): i for i in range(16)}, {"b": 1, "a": 2, "é": 3, "ab": 4},
    {3, 1, 2}, frozenset({"b", "a"}), (1, "t"),
    datetime.datetime(2020, 1, 1, tzinfo=UTC), datetime.datetime(2020, 1, 1, 0, 0, 0, 1, tzinfo=UTC),
    datetime.datetime(2500, 1, 1, tzinfo=PLUS2), datetime.datetime(1960, 1, 1, tzinfo=UTC),
    datetime.datetime(1, 1, 2, tzinfo=UTC), datetime.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    datetime.datetime(2020, 1, 1), datetime.datetime(2020, 1, 1, 0, 0, 0, 500000), datetime.date(2020, 1, 2),
    datetime.time(1, 2, 3), datetime.time(1, 2, 3, 4), datetime.time(1, 2, 3, tzinfo=UTC),
    datetime.time(3, 0, tzinfo=PLUS2), datetime.timedelta(0), datetime.timedelta(days=1, seconds=2, microseconds=3),
    datetime.timedelta(days=-1, seconds=1), datetime.timedelta(seconds=2, microseconds=500000),
    decimal.Decimal("1.50"), decimal.Decimal("-0.00"), decimal.Decimal("1E+3"), decimal.Decimal("123.4500"),
    uuid.UUID(int=1), Color.RED, Level.HIGH, SubstraitBytes(b"x" * 300), DataFusionProtoBytes(b"1234"),
]  # fmt: skip


@pytest.mark.parametrize("value", EVERY_KIND, ids=lambda v: type(v).__name__)
def test_every_accepted_type_matches_the_independent_encoder(value: Any) -> None:
    assert canonical_bytes(value) == reference_canonical(value)
    assert canonical_bytes([value, {"k": value}]) == reference_canonical([value, {"k": value}])


def test_negative_zero_fingerprints_as_zero() -> None:
    # The spec decides: -0.0 == 0.0, so they are one value with one fingerprint, at any depth.
    assert fingerprint([-0.0]) == fingerprint([0.0])
    assert fingerprint({"a": (-0.0, {"b": -0.0})}) == fingerprint({"a": (0.0, {"b": 0.0})})
    assert fingerprint(-0.0) == fingerprint(0.0)


def test_equal_decimals_and_times_fingerprint_alike() -> None:
    assert fingerprint(decimal.Decimal("1.50")) == fingerprint(decimal.Decimal("1.5"))
    assert fingerprint(datetime.time(3, tzinfo=PLUS2)) == fingerprint(datetime.time(1, tzinfo=UTC))
    assert fingerprint(datetime.datetime(2020, 1, 1, 2, tzinfo=PLUS2)) == fingerprint(
        datetime.datetime(2020, 1, 1, tzinfo=UTC)
    )


_LEAVES = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**63), 2**64 - 1), st.floats(), st.text(max_size=40),
    st.binary(max_size=40), st.decimals(allow_nan=False, places=None).filter(lambda d: d.is_finite()),
    st.datetimes(timezones=st.sampled_from([None, UTC, PLUS2]), min_value=datetime.datetime(1, 1, 2),
                 max_value=datetime.datetime(9999, 12, 30)),
    st.dates(), st.times(), st.timedeltas(), st.uuids(), st.sampled_from([Color.RED, Level.HIGH]),
    st.binary(max_size=20).map(SubstraitBytes),
)  # fmt: skip
_PLAIN_VALUES = st.recursive(
    _LEAVES,
    lambda children: st.lists(children, max_size=4)
    | st.lists(children, max_size=4).map(tuple)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


@given(_PLAIN_VALUES)
def test_plain_values_match_the_independent_encoder(value: Any) -> None:
    assert canonical_bytes(value) == reference_canonical(value)


def _registered() -> list[tuple[str, Any]]:
    from artifact_contracts import CONTRACT_TYPES
    from tests.contracts.instances import representative

    return [(f"{t.__name__}/{name}", value) for t in CONTRACT_TYPES for name, value in representative(t).items()]


@pytest.mark.parametrize(("name", "value"), _registered(), ids=[n for n, _ in _registered()])
def test_every_registered_type_matches_the_independent_encoder(name: str, value: Any) -> None:
    # Tags, array_like positions, defaults left out, ext payloads, timestamps: all by the spec.
    assert canonical_bytes(value) == reference_canonical(value), name
