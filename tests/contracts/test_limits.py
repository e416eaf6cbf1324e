"""The decode limits: which targets need the depth scan, the scans' exactness, the size
limit, and that hostile declared lengths and deep nesting are refused cheaply."""

from __future__ import annotations

import dataclasses
import enum
import subprocess
import sys
import textwrap
import tracemalloc
from array import array
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Literal, NamedTuple, Optional, TypedDict, Union

import msgspec
import pytest
from hypothesis import given, strategies as st

from artifact_contracts import (
    ContractDecodeError,
    ContractError,
    DecodeLimits,
    StructBaseCompat,
    StructBaseStrict,
    SubstraitBytes,
    dumps_json,
    dumps_msgpack,
    get_decode_limits,
    loads_json,
    loads_msgpack,
    set_decode_limits,
)
from artifact_contracts._depth import (
    _LEAF_TYPES,
    _MAPPING_TYPES,
    _OPEN_TYPES,
    _TRANSIENT_TYPES,
    RECURSION_LIMIT_GUARDS_C,
    SAFE_RECURSION_LIMIT,
    admits_unbounded_nesting,
    check_json_depth,
    check_msgpack_depth,
    nesting_kind,
)
from artifact_contracts.limits import payload_size
from artifact_contracts.registry import CONTRACT_TYPES

SRC = Path(__file__).resolve().parents[2] / "contracts_pkg" / "src"


class Color(enum.Enum):
    RED = 1


class Point(NamedTuple):
    x: int
    y: int


class Movie(TypedDict):
    title: str


@dataclasses.dataclass
class Pair:
    a: int


class Leafy(StructBaseStrict):
    name: str
    tags: dict[str, str] = {}
    points: list[Point] = []
    kind: Literal["a", "b"] = "a"


class WithAny(StructBaseStrict):
    data: Any


class Tree(StructBaseStrict):
    children: list[Tree] = []


class Loose(StructBaseCompat):
    name: str


class LooseArray(msgspec.Struct, array_like=True):
    a: int


class StrictArray(msgspec.Struct, array_like=True, forbid_unknown_fields=True):
    a: int


class WithPayload(StructBaseStrict):
    plan: Optional[SubstraitBytes] = None


@pytest.fixture
def limits() -> Iterator[None]:
    previous = get_decode_limits()
    yield
    set_decode_limits(previous)


class TestAdmitsUnboundedNesting:
    @pytest.mark.parametrize(
        "target",
        [
            int,
            str,
            bytes,
            list[int],
            dict[str, str],
            tuple[int, str],
            tuple[int, ...],
            frozenset[str],
            Optional[list[float]],
            Annotated[list[int], msgspec.Meta(max_length=3)],
            Literal["x", "y"],
            Color,
            Point,
            Leafy,
            StrictArray,
            list[Leafy],
        ],
    )
    def test_bounded(self, target: Any) -> None:
        assert admits_unbounded_nesting(target) is False

    @pytest.mark.parametrize(
        ("target", "kind"),
        [
            (Any, "kept"),
            (list[Any], "kept"),
            (dict[str, Any], "kept"),
            (msgspec.Raw, "kept"),
            (WithAny, "kept"),
            (Tree, "kept"),  # recursive
            (Loose, "skipped"),  # skips unknown fields, recursively
            (LooseArray, "skipped"),  # skips extra trailing items
            (Movie, "kept"),  # TypedDict: unknown keys ignored
            (Pair, "kept"),  # dataclass: unknown keys ignored
            (SubstraitBytes, "skipped"),  # custom: builds any value, the hook rejects it
            (WithPayload, "skipped"),
            (Union[int, Loose], "skipped"),
            (Union[Loose, list[Any]], "kept"),
            (object, "skipped"),  # a custom type: the codec's hook rejects every value
        ],
    )
    def test_unbounded(self, target: Any, kind: str) -> None:
        assert admits_unbounded_nesting(target) is True
        assert nesting_kind(target) == kind

    def test_every_inspect_node_kind_is_classified(self) -> None:
        # A node kind added by a later msgspec falls back to "unbounded"; this test makes
        # the upgrade decide explicitly.
        kinds = {
            obj
            for obj in vars(msgspec.inspect).values()
            if isinstance(obj, type) and issubclass(obj, msgspec.inspect.Type)
        }
        structural = {
            msgspec.inspect.Type,
            msgspec.inspect.CollectionType,
            msgspec.inspect.StructType,
            msgspec.inspect.NamedTupleType,
            msgspec.inspect.Metadata,
            msgspec.inspect.UnionType,
            msgspec.inspect.TupleType,
            *(k for k in kinds if issubclass(k, msgspec.inspect.CollectionType)),
        }
        classified = set(_LEAF_TYPES) | set(_OPEN_TYPES) | set(_TRANSIENT_TYPES) | set(_MAPPING_TYPES)
        assert kinds - structural - classified == set()

    @pytest.mark.parametrize("target", CONTRACT_TYPES, ids=lambda t: t.__name__)
    def test_registered_types(self, target: type) -> None:
        # Persisted (Compat) contracts skip unknown fields; no contract keeps unbounded values.
        if not target.__struct_config__.forbid_unknown_fields:
            assert nesting_kind(target) == "skipped"
        else:
            assert nesting_kind(target) in {"bounded", "skipped"}


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


_TRICKY_TEXT = st.text(alphabet='ab[]{}"\\/é\n', max_size=8)
_NESTED = st.recursive(
    st.none() | st.integers(-(2**63), 2**63 - 1) | st.floats(allow_nan=False) | _TRICKY_TEXT | st.binary(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TRICKY_TEXT, inner, max_size=4),
    max_leaves=40,
)


class TestDepthScans:
    @given(value=_NESTED)
    def test_json_scan_is_exact(self, value: Any) -> None:
        data = dumps_json(value)
        depth = _depth(value)
        check_json_depth(data, max(depth, 1))
        if depth > 1:
            with pytest.raises(ContractDecodeError, match="nesting deeper"):
                check_json_depth(data, depth - 1)

    @given(value=_NESTED)
    def test_msgpack_scan_is_exact(self, value: Any) -> None:
        data = dumps_msgpack(value)
        depth = _depth(value)
        check_msgpack_depth(data, max(depth, 1))
        if depth > 1:
            with pytest.raises(ContractDecodeError, match="nesting deeper"):
                check_msgpack_depth(data, depth - 1)

    @pytest.mark.parametrize(
        ("doc", "depth"),
        [
            (b'[["]]]]]]"], {"k\\"[[[": [[]]}]', 4),  # brackets and escaped quotes in strings
            (b'["\\\\", [[["\\\\\\"]"]]]]', 4),  # escaped backslash before a closing quote
            (b"[" * 40 + b'"' + b"]" * 40, 40),  # unterminated string: the prefix still counts
            (b'[{"a":[{"b":[1,2,{"c":{}}]}]}]', 7),
        ],
    )
    def test_json_scan_edge_cases(self, doc: bytes, depth: int) -> None:
        check_json_depth(doc, depth)
        with pytest.raises(ContractDecodeError):
            check_json_depth(doc, depth - 1)

    def test_json_scan_with_many_strings_holding_brackets(self) -> None:
        # Enough quoted brackets to take the chunked path (more than one chunk of quotes).
        doc = b"[" + b",".join([b'"[[["'] * 400_000) + b"]"
        check_json_depth(doc, 1)
        deep = b"[" * 30 + doc + b"]" * 30
        with pytest.raises(ContractDecodeError, match="limit of 30"):
            check_json_depth(deep, 30)

    @pytest.mark.parametrize("fmt", ["json", "msgpack"])
    @pytest.mark.parametrize("target", [Any, Loose, list[Any]])
    def test_limit_is_exact_through_the_public_decoders(self, limits: None, fmt: str, target: Any) -> None:
        set_decode_limits(DecodeLimits(max_depth=5, scan_skipped=target is Loose))

        def payload(depth: int) -> Any:
            nested: Any = "x"
            for _ in range(depth - 1):
                nested = [nested]
            if target is Loose:
                return {"name": "n", "unknown": nested}  # depth counts the object itself
            return [nested]

        loads = loads_json if fmt == "json" else loads_msgpack
        dumps = dumps_json if fmt == "json" else dumps_msgpack
        loads(dumps(payload(5)), target)
        with pytest.raises(ContractDecodeError, match="nesting deeper than the limit of 5") as info:
            loads(dumps(payload(6)), target)
        assert [(i.path, i.kind) for i in info.value.issues] == [("$", "too_deep")]

    @pytest.mark.parametrize("fmt", ["json", "msgpack"])
    def test_skipped_values_are_not_scanned_by_default(self, limits: None, fmt: str) -> None:
        # Skipped unknown fields never reach the caller: held only to the recursion guard.
        set_decode_limits(DecodeLimits(max_depth=5))
        loads = loads_json if fmt == "json" else loads_msgpack
        dumps = dumps_json if fmt == "json" else dumps_msgpack
        nested: Any = "x"
        for _ in range(50):
            nested = [nested]
        assert loads(dumps({"name": "n", "unknown": nested}), Loose) == Loose(name="n")
        deep = b'{"name":"n","x":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
        if fmt == "msgpack":
            deep = b"\x82\xa4name\xa1n\xa1x" + b"\x91" * 100_000 + b"\xc0"
        with pytest.raises(ContractDecodeError) as info:
            loads(deep, Loose)
        assert info.value.issues[0].kind == "too_deep"

    def test_a_raised_recursion_limit_turns_the_scan_on(self, limits: None) -> None:
        set_decode_limits(DecodeLimits(max_depth=5))
        payload = dumps_json({"name": "n", "unknown": [[[[[["x"]]]]]]})
        saved = sys.getrecursionlimit()
        sys.setrecursionlimit(SAFE_RECURSION_LIMIT + 1)
        try:
            if RECURSION_LIMIT_GUARDS_C:
                with pytest.raises(ContractDecodeError, match="limit of 5"):
                    loads_json(payload, Loose)
            else:  # 3.12+ guards the C stack apart from the recursion limit: no scan needed
                assert loads_json(payload, Loose) == Loose(name="n")
        finally:
            sys.setrecursionlimit(saved)
        assert loads_json(payload, Loose) == Loose(name="n")


class TestSize:
    @pytest.mark.parametrize(
        ("data", "size"),
        [
            (b"abc", 3),
            (bytearray(b"abcd"), 4),
            (memoryview(array("q", [1, 2])), 16),  # len() would say 2
            ("abc", 3),
            ("éé", 4),
        ],
    )
    def test_payload_size(self, data: Any, size: int) -> None:
        assert payload_size(data) == size

    @pytest.mark.parametrize("loads", [loads_json, loads_msgpack])
    def test_refused_over_the_limit(self, limits: None, loads: Any) -> None:
        set_decode_limits(DecodeLimits(max_bytes=15))
        with pytest.raises(ContractDecodeError, match="payload of 16 bytes exceeds the limit of 15") as info:
            loads(memoryview(array("q", [1, 2])))
        assert info.value.issues[0].kind == "too_large"

    def test_str_counts_utf8_bytes(self, limits: None) -> None:
        set_decode_limits(DecodeLimits(max_bytes=5))
        assert loads_json('"é"') == "é"  # 4 bytes
        with pytest.raises(ContractDecodeError, match="payload of 6 bytes"):
            loads_json('"éé"')

    @pytest.mark.parametrize("kwargs", [{"max_bytes": 0}, {"max_depth": 0}])
    def test_limits_must_be_positive(self, kwargs: dict[str, int]) -> None:
        with pytest.raises(ValueError, match="positive"):
            DecodeLimits(**kwargs)


# MessagePack headers that declare about 4 GiB (or 4 G items) with a few bytes behind them.
HUGE_HEADERS = {
    "str32": b"\xdb\xff\xff\xff\xff",
    "bin32": b"\xc6\xff\xff\xff\xff",
    "ext32": b"\xc9\xff\xff\xff\xff\x0a",
    "array32": b"\xdd\xff\xff\xff\xff",
    "map32": b"\xdf\xff\xff\xff\xff",
    "array16": b"\xdc\xff\xff",
    "map16": b"\xde\xff\xff",
}


def _in_positions(header: bytes) -> dict[str, bytes]:
    """The header at the top level, as a field of an object, and deep inside arrays."""
    key = dumps_msgpack("name")
    return {
        "top": header + b"\x00" * 16,
        "field": b"\x81" + key + header + b"\x00" * 16,
        "nested": b"\x91" * 100 + header + b"\x00" * 16,
    }


class TestHugeDeclaredLengths:
    @pytest.mark.parametrize("header", HUGE_HEADERS.values(), ids=HUGE_HEADERS.keys())
    @pytest.mark.parametrize("target", [Any, Loose, Leafy, *CONTRACT_TYPES[:3]], ids=repr)
    def test_refused_without_allocating(self, header: bytes, target: Any) -> None:
        with pytest.raises(ContractError):
            loads_msgpack(b"\xc1", target)  # build and cache the decoder outside the measurement
        for position, payload in _in_positions(header).items():
            tracemalloc.start()
            try:
                with pytest.raises(ContractError) as info:
                    loads_msgpack(payload, target)
            finally:
                _, peak = tracemalloc.get_traced_memory()
                tracemalloc.stop()
            assert info.value.issues[0].path.startswith("$"), position
            assert peak < 1 << 20, f"{position}: peak {peak} bytes"

    @pytest.mark.parametrize("header", HUGE_HEADERS.values(), ids=HUGE_HEADERS.keys())
    def test_the_scan_skips_by_declared_length_without_copying(self, header: bytes) -> None:
        tracemalloc.start()
        try:
            check_msgpack_depth(b"\x91" * 300 + header + b"\x00" * 16, 1000)
        finally:
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        assert peak < 1 << 16


_SEGFAULT_PROBE = textwrap.dedent(
    """
    import sys
    from artifact_contracts import ContractDecodeError, StructBaseCompat, loads_json, loads_msgpack

    class Loose(StructBaseCompat):
        name: str

    sys.setrecursionlimit(10**6)
    n = 400_000
    docs = [
        (loads_json, b'{"name":"n","x":' + b"[" * n + b"]" * n + b"}"),
        (loads_msgpack, b"\\x82\\xa4name\\xa1n\\xa1x" + b"\\x91" * n + b"\\xc0"),
    ]
    for loads, doc in docs:
        try:
            loads(doc, Loose)
        except ContractDecodeError as exc:
            print(exc.issues[0].kind)
    """
)


@pytest.mark.slow
def test_deep_unknown_field_with_a_raised_recursion_limit_does_not_crash() -> None:
    # Before Compat Structs got the depth scan, this crashed CPython 3.11 with SIGSEGV:
    # msgspec skips unknown fields recursively, guarded only by the recursion limit.
    proc = subprocess.run(
        [sys.executable, "-c", _SEGFAULT_PROBE],
        env={"PYTHONPATH": str(SRC)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["too_deep", "too_deep"]
