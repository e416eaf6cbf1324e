"""Fuzzing machinery for the public decoders: inputs, mutators and the one property.

The property (:func:`check`): whatever the input, a public decoder returns a value of the
target type or raises a :class:`~artifact_contracts.ContractError` whose every issue
carries a ``$``-rooted path; a value it returns encodes, and decodes back equal. Anything
else escaping is a crash.

Inputs come three ways: random bytes and token soups (:func:`noise`), valid payloads
mutated at the byte level (bit flips, truncations, insertions, splices, huge declared
lengths, deep nesting) and valid payloads mutated in structure (swapped types,
duplicated or dropped keys, unknown fields, deep nesting, out-of-range numbers, unknown
ext codes), re-emitted by a writer that can say what the codec never would
(:func:`mutated`). The tests in ``test_fuzz.py`` and ``tools/reliability_report.py`` share
all of it.
"""

from __future__ import annotations

import contextlib
import io
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from artifact_contracts import (
    ContractDecodeError,
    ContractError,
    ContractValidationError,
    ValidationIssue,
    convert,
    dumps_json,
    dumps_msgpack,
    loads_json,
    loads_json_batch,
    loads_msgpack,
    loads_msgpack_batch,
    loads_toml,
    to_builtins,
)
from artifact_contracts.cli import main
from artifact_contracts.registry import CONTRACT_TYPES

__all__ = [
    "BAD_PATH",
    "DECODERS",
    "FORMATS",
    "Decoder",
    "Pairs",
    "check",
    "emit",
    "builtins_of",
    "mutated",
    "mutated_builtins",
    "noise",
    "tree_of",
]

FORMATS = ("json", "msgpack")
BAD_PATH = "issue without a $-rooted path"


@dataclass(frozen=True)
class Decoder:
    """One public decode path: how to feed it and in which wire format."""

    name: str
    fmt: str
    decode: Callable[[Any, Any], Any]


def _batch_of(batch: Callable[..., list[Any]]) -> Callable[[Any, Any], Any]:
    """A batch decoder fed the input between two copies of itself: the first failure counts."""

    def decode(data: Any, target: Any) -> Any:
        return batch([data, data], target)[0]

    return decode


def _cli(fmt: str) -> Callable[[Any, Any], Any]:
    """The ``artifact-contracts decode`` command, in process, as a decoder.

    Exit 0: the value it printed; exit 1: its ``--errors json`` report as a ContractError;
    exit 2 (a usage error: too large, unknown type): a ContractDecodeError at ``$`` if its
    message is one line. Anything else (a traceback, another exit code) escapes.
    """

    def decode(data: Any, target: Any) -> Any:
        name = getattr(target, "__name__", None)
        if name is None or target not in CONTRACT_TYPES:
            raise ContractDecodeError((ValidationIssue(path="$", message="the CLI decodes registered types only"),))
        with tempfile.NamedTemporaryFile(suffix=".payload") as handle:
            handle.write(data)
            handle.flush()
            out, err = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = main(["decode", "--type", name, "--format", fmt, "--errors", "json", handle.name])
        if code == 0:
            return loads_json(out.getvalue(), target)
        if code == 1:
            report = loads_json(out.getvalue(), dict[str, Any])
            issues = tuple(convert(i, ValidationIssue) for i in report["issues"])
            raise (ContractValidationError if report["error"] == "ContractValidationError" else ContractDecodeError)(
                issues
            )
        if code == 2 and len(err.getvalue().splitlines()) == 1:
            raise ContractDecodeError((ValidationIssue(path="$", message=err.getvalue().strip()),))
        raise AssertionError(f"artifact-contracts decode exited {code}: {err.getvalue()[:300]!r}")

    return decode


DECODERS = (
    Decoder("convert", "builtins", lambda data, t: convert(data, t)),
    Decoder("loads_json", "json", lambda data, t: loads_json(data, t)),
    Decoder("loads_json(str)", "json", lambda data, t: loads_json(data.decode("utf-8", "surrogateescape"), t)),
    Decoder("loads_msgpack", "msgpack", lambda data, t: loads_msgpack(data, t)),
    Decoder("loads_msgpack(memoryview)", "msgpack", lambda data, t: loads_msgpack(memoryview(bytearray(data)), t)),
    Decoder("loads_toml", "toml", lambda data, t: loads_toml(data, t)),
    Decoder("loads_json_batch", "json", _batch_of(loads_json_batch)),
    Decoder("loads_msgpack_batch", "msgpack", _batch_of(loads_msgpack_batch)),
    Decoder("cli decode (json)", "json", _cli("json")),
    Decoder("cli decode (msgpack)", "msgpack", _cli("msgpack")),
    Decoder("cli decode (toml)", "toml", _cli("toml")),
)


def check(decode: Callable[[Any, Any], Any], payload: Any, target: Any, fmt: str) -> bool:
    """Run one input through a decoder; ``True`` if accepted, ``False`` if refused properly.

    Raises:
        AssertionError: A refusal without issues or with an issue lacking a ``$`` path, or
            an accepted value that does not survive a round trip.
        Exception: Whatever else the decoder let escape (the crash the fuzzers look for).
    """
    try:
        value = decode(payload, target)
    except ContractError as exc:
        refusal = exc
    else:
        refusal = None
    if refusal is not None:
        assert refusal.issues, f"{type(refusal).__name__} without issues"
        for issue in refusal.issues:
            assert issue.path.startswith("$"), f"{BAD_PATH}: {issue!r}"
        return False
    if fmt == "json":
        again = loads_json(dumps_json(value), target)
    elif fmt == "msgpack":
        again = loads_msgpack(dumps_msgpack(value), target)
    else:  # builtins and TOML: through builtins, as convert sees them
        again = convert(to_builtins(value), target)
    assert again == value, f"round trip changed {value!r} into {again!r}"
    return True


# ---------------------------------------------------------------- the structural writer


class Pairs(list[tuple[Any, Any]]):
    """A map as its key/value pairs, so that a key may appear twice."""


class RawBytes(bytes):
    """Pre-encoded bytes that :func:`emit` splices in as they are."""


def tree_of(payload: bytes, fmt: str) -> Any:
    """Decode a valid payload into a mutable tree: maps become :class:`Pairs`."""
    value = loads_json(payload) if fmt == "json" else loads_msgpack(payload)

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            return Pairs((k, walk(v)) for k, v in node.items())
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(value)


def builtins_of(node: Any) -> Any:
    """A tree as builtins for :func:`convert` (duplicated keys: the last one wins)."""
    if isinstance(node, Pairs):
        return {_hashable(k): builtins_of(v) for k, v in node}
    if isinstance(node, list):
        return [builtins_of(v) for v in node]
    if isinstance(node, RawBytes):
        return bytes(node)
    return node


def _hashable(key: Any) -> Any:
    return tuple(key) if isinstance(key, list) else key


def emit(node: Any, fmt: str) -> bytes:
    """Write a tree in ``fmt``, duplicated keys and all."""
    if isinstance(node, RawBytes):
        return bytes(node)
    if fmt == "json":
        if isinstance(node, Pairs):
            return b"{" + b",".join(emit(k, fmt) + b":" + emit(v, fmt) for k, v in node) + b"}"
        if isinstance(node, list):
            return b"[" + b",".join(emit(v, fmt) for v in node) + b"]"
        return dumps_json(node)
    if isinstance(node, Pairs):
        return _msgpack_header(len(node), 0x80, 0xDE) + b"".join(emit(k, fmt) + emit(v, fmt) for k, v in node)
    if isinstance(node, list):
        return _msgpack_header(len(node), 0x90, 0xDC) + b"".join(emit(v, fmt) for v in node)
    return dumps_msgpack(node)


def _msgpack_header(count: int, fix: int, wide: int) -> bytes:
    if count < 16:
        return bytes([fix | count])
    if count < 1 << 16:
        return bytes([wide]) + count.to_bytes(2, "big")
    return bytes([wide + 1]) + count.to_bytes(4, "big")


def _nest(depth: int, fmt: str, inner: bytes) -> RawBytes:
    if fmt == "json":
        return RawBytes(b"[" * depth + inner + b"]" * depth)
    return RawBytes(b"\x91" * depth + inner)


def _replacements(fmt: str) -> st.SearchStrategy[Any]:
    """Values of every kind to swap in where another kind belongs."""
    scalars: list[Any] = [None, True, False, 0, -1, 1.5, -0.0, "", "x", "sha256:" + "0" * 64, [], Pairs()]
    if fmt == "json":
        extra = [
            RawBytes(b"1e999"),
            RawBytes(b"-1e999"),
            RawBytes(b"123456789012345678901234567890"),
            RawBytes(b'"\\ud800"'),
            RawBytes(b'"2024-02-30T25:61:61Z"'),
            RawBytes(b'"AAA="'),
        ]
    else:
        extra = [
            b"",
            b"\x00\xff",
            2**64 - 1,
            -(2**63),
            RawBytes(b"\xd4\x63\x00"),  # ext code 99: not registered
            RawBytes(b"\xd6\xff\x00\x00\x00\x00"),  # ext -1: a timestamp
            RawBytes(b"\xa2\xff\xfe"),  # invalid UTF-8 str
            RawBytes(b"\xc7\x00\x0a"),  # empty Substrait ext
            RawBytes(b"\xcb\x7f\xf8\x00\x00\x00\x00\x00\x00"),  # NaN
        ]
    return st.sampled_from(scalars + extra) | st.text(max_size=20) | st.integers(-(2**63), 2**63 - 1)


def _paths(node: Any, here: tuple[int, ...] = ()) -> list[tuple[int, ...]]:
    """Every node of a tree, as index paths (a map's pairs count as (key, value) slots)."""
    found = [here]
    if isinstance(node, Pairs):
        for i, (_, value) in enumerate(node):
            found += _paths(value, (*here, i))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _paths(value, (*here, i))
    return found


def _get(node: Any, path: tuple[int, ...]) -> Any:
    for i in path:
        node = node[i][1] if isinstance(node, Pairs) else node[i]
    return node


def _set(root: Any, path: tuple[int, ...], value: Any) -> Any:
    if not path:
        return value
    parent = _get(root, path[:-1])
    i = path[-1]
    if isinstance(parent, Pairs):
        parent[i] = (parent[i][0], value)
    else:
        parent[i] = value
    return root


@st.composite
def _structural(draw: st.DrawFn, payload: bytes, fmt: str) -> bytes:
    root = tree_of(payload, fmt)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(root)))
        node = _get(root, path)
        op = draw(st.sampled_from(["swap", "duplicate_key", "drop", "unknown_field", "deep", "wrap", "long"]))
        if op == "swap":
            root = _set(root, path, draw(_replacements(fmt)))
        elif op == "duplicate_key" and isinstance(node, Pairs) and node:
            key, _ = node[draw(st.integers(0, len(node) - 1))]
            node.insert(draw(st.integers(0, len(node))), (key, draw(_replacements(fmt))))
        elif op == "drop" and isinstance(node, (Pairs, list)) and node:
            del node[draw(st.integers(0, len(node) - 1))]
        elif op == "unknown_field" and isinstance(node, Pairs):
            depth = draw(st.sampled_from([1, 10, 255, 256, 257, 2_000]))
            node.append(("zz_" + draw(st.text(max_size=5)), _nest(depth, fmt, emit(None, fmt))))
        elif op == "deep":
            root = _set(root, path, _nest(draw(st.sampled_from([257, 1_000, 50_000])), fmt, emit(0, fmt)))
        elif op == "wrap":
            root = _set(root, path, [node])
        elif op == "long":
            root = _set(root, path, "é" * draw(st.sampled_from([255, 256, 70_000])))
    return emit(root, fmt)


# ------------------------------------------------------------------ byte-level mutators

_HUGE_LENGTHS = {
    "json": [b'"', b"[" * 300, b"{" * 300, b"1e99999999", b"-", b'"\\u', b"\xff", b"\x00"],
    "msgpack": [
        b"\xdb\xff\xff\xff\xff",  # str32 of 4 GiB
        b"\xc6\xff\xff\xff\xff",  # bin32
        b"\xc9\xff\xff\xff\xff\x0a",  # ext32
        b"\xdd\xff\xff\xff\xff",  # array32 of 4 G items
        b"\xdf\xff\xff\xff\xff",  # map32
        b"\xdc\xff\xff",
        b"\xde\xff\xff",
        b"\x91" * 300,
        b"\xc1",  # never valid
    ],
}


@st.composite
def _bytewise(draw: st.DrawFn, payload: bytes, fmt: str) -> bytes:
    data = bytearray(payload)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "truncate", "insert", "delete", "splice", "huge", "set"]))
        pos = draw(st.integers(0, len(data)))
        if op == "flip" and data:
            i = min(pos, len(data) - 1)
            data[i] ^= 1 << draw(st.integers(0, 7))
        elif op == "truncate":
            del data[pos:]
        elif op == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=8))
        elif op == "delete":
            del data[pos : pos + draw(st.integers(1, 16))]
        elif op == "splice" and data:
            start = draw(st.integers(0, len(data) - 1))
            data[pos:pos] = data[start : start + draw(st.integers(1, 64))]
        elif op == "huge":
            data[pos : pos + draw(st.integers(0, 9))] = draw(st.sampled_from(_HUGE_LENGTHS[fmt]))
        elif op == "set" and data:
            data[min(pos, len(data) - 1)] = draw(st.integers(0, 255))
    return bytes(data)


def mutated(payload: bytes, fmt: str) -> st.SearchStrategy[bytes]:
    """Byte-level or structural mutations of a valid ``payload`` in ``fmt``."""
    return st.one_of(_bytewise(payload, fmt), _structural(payload, fmt))


def mutated_builtins(value: Any) -> st.SearchStrategy[Any]:
    """Structural mutations of a value's builtins, for :func:`convert`."""
    payload = dumps_json(to_builtins(value))
    return _structural(payload, "json").map(lambda data: builtins_of(tree_of_lenient(data)))


def tree_of_lenient(data: bytes) -> Any:
    """A mutated JSON document as builtins, or the text itself when it no longer parses."""
    try:
        return loads_json(data)
    except ContractError:
        return data.decode("utf-8", "replace")


_JSON_TOKENS = [b"{", b"}", b"[", b"]", b",", b":", b'"', b'"a"', b"1", b"-0.5e3", b"true", b"null", b"\\", b" "]
_MSGPACK_TOKENS = [
    b"\x80", b"\x81", b"\x90", b"\x91", b"\xa1a", b"\xa4kind", b"\xc0", b"\xc3", b"\x01", b"\xff",
    b"\xcb\x00\x00\x00\x00\x00\x00\x00\x00", b"\xd4\x0a\x00", b"\xc4\x01\x00", b"\xdc\x00\x02", b"\xde\x00\x01",
]  # fmt: skip


_TOML_TOKENS = [
    b"a", b"target_partitions", b" = ", b"=", b"\n", b"[", b"]", b"[[", b"]]", b"{", b"}", b",", b".", b'"',
    b"'", b'"x"', b"1", b"-0", b"0x1f", b"1e400", b"inf", b"nan", b"true", b"1979-05-27T07:32:00Z", b"#", b"\\",
]  # fmt: skip


def noise(fmt: str) -> st.SearchStrategy[bytes]:
    """Random bytes, and soups of the format's own tokens (closer to parsing deeper)."""
    tokens = {"json": _JSON_TOKENS, "msgpack": _MSGPACK_TOKENS, "toml": _TOML_TOKENS}[fmt]
    return st.binary(max_size=512) | st.lists(st.sampled_from(tokens), max_size=64).map(b"".join)
