"""The depth scans behind :class:`~artifact_contracts.DecodeLimits` ``max_depth`` (private).

What the depth limit covers depends on the target type (:func:`nesting_kind`):

- ``"kept"``: the decoded value itself may nest as deep as the input (``Any``,
  ``msgspec.Raw``, recursive types, ``TypedDict`` and dataclass targets). Every payload
  is scanned first and refused when it nests deeper than ``max_depth``.
- ``"skipped"``: the value is bounded by its type, but a Struct that tolerates unknown
  fields (every :class:`~artifact_contracts.StructBaseCompat`) skips them, and msgspec
  skips recursively; a binary payload field likewise builds whatever value stands in its
  place before the codec's hook rejects anything but base64 text or an ext value. Those
  values never reach the caller, and msgspec's recursion is guarded by the interpreter's
  recursion limit (a ``RecursionError``, reported as a ``too_deep``
  :class:`~artifact_contracts.ContractDecodeError`). So these payloads are scanned only
  when that guard cannot be trusted to protect the C stack (a program raised
  :func:`sys.setrecursionlimit` above :data:`SAFE_RECURSION_LIMIT`; CPython 3.11 then
  crashed on a deep unknown field) or when ``DecodeLimits(scan_skipped=True)`` asks for
  unknown fields to be held to ``max_depth`` too. Scanning every persisted artifact cost
  35-55% of a plan decode and ~9x on a binary-heavy MessagePack one
  (benchmarks/REPORT.md), for values that are thrown away.
- ``"bounded"``: strict Structs of bounded fields, scalars and containers of those: the
  type stops the decoder at a fixed depth; no scan.

The scans cost far less than a decode: the JSON scan runs in C-level byte operations
(``bytes.translate``/``replace``), the MessagePack scan reads container headers and
skips payloads by their declared lengths. A declared length never makes either scan, or
the decoder, allocate: msgspec checks every declared length against the bytes actually
present before it allocates.
"""

from __future__ import annotations

import sys
from array import array
from itertools import accumulate
from typing import Any, Final, Literal

import msgspec

from artifact_contracts._canonical import PLAIN_TYPES, plain_scalar
from artifact_contracts.errors import ContractDecodeError, ValidationIssue

__all__ = [
    "SAFE_RECURSION_LIMIT",
    "admits_unbounded_nesting",
    "check_json_depth",
    "check_msgpack_depth",
    "nesting_kind",
    "plain_input",
    "too_deep",
]

_LEAF_TYPES: Final = (
    msgspec.inspect.NoneType,
    msgspec.inspect.BoolType,
    msgspec.inspect.IntType,
    msgspec.inspect.FloatType,
    msgspec.inspect.StrType,
    msgspec.inspect.BytesType,
    msgspec.inspect.ByteArrayType,
    msgspec.inspect.MemoryViewType,
    msgspec.inspect.DateTimeType,
    msgspec.inspect.TimeType,
    msgspec.inspect.DateType,
    msgspec.inspect.TimeDeltaType,
    msgspec.inspect.UUIDType,
    msgspec.inspect.DecimalType,
    msgspec.inspect.ExtType,
    msgspec.inspect.LiteralType,
    msgspec.inspect.EnumType,
)
# Types whose decoder accepts (or skips) a value of any shape.
_OPEN_TYPES: Final = (
    msgspec.inspect.AnyType,
    msgspec.inspect.RawType,
    msgspec.inspect.TypedDictType,
    msgspec.inspect.DataclassType,
)

# Types whose decoder builds any value in their place but hands it to the codec's
# ``dec_hook``, which keeps only a base64 string or an ext value (the binary payload
# types) and rejects the rest: a deep value there is transient, as a skipped field is.
_TRANSIENT_TYPES: Final = (msgspec.inspect.CustomType,)

# FrozenDictType is new in msgspec 0.22 (frozendict, Python 3.15+).
_MAPPING_TYPES: Final = tuple(
    getattr(msgspec.inspect, name) for name in ("DictType", "FrozenDictType") if hasattr(msgspec.inspect, name)
)


NestingKind = Literal["bounded", "skipped", "kept"]
_KINDS: Final[tuple[NestingKind, ...]] = ("bounded", "skipped", "kept")

# Above this recursion limit msgspec's recursion guard may no longer keep a deep
# skipped value off the end of the C stack (CPython 3.11 crashed at 10**6).
SAFE_RECURSION_LIMIT: Final = 3000


def nesting_kind(target_type: Any) -> NestingKind:
    """How deep decoding into ``target_type`` may recurse, by what the decoder does there.

    ``"bounded"`` when the type stops the decoder at a fixed depth: every node is a
    scalar, a container of such nodes, or a non-recursive Struct that forbids unknown
    fields. ``"skipped"`` when only the unknown fields (or extra array items) a Struct
    tolerates can nest without bound. ``"kept"`` when the decoded value itself can.
    Anything msgspec cannot describe, or that this function does not know, is ``"kept"``.
    """
    try:
        info = msgspec.inspect.type_info(target_type)
    except Exception:  # a type msgspec cannot describe: scan to be safe
        return "kept"
    on_path: set[int] = set()  # Structs being walked: meeting one again is recursion
    done: dict[int, int] = {}  # Structs already classified (shared, not recursive)

    def walk(node: msgspec.inspect.Type) -> int:
        if isinstance(node, _LEAF_TYPES):
            return 0
        if isinstance(node, _OPEN_TYPES):
            return 2
        if isinstance(node, _TRANSIENT_TYPES):
            return 1
        if isinstance(node, (msgspec.inspect.StructType, msgspec.inspect.NamedTupleType)):
            key = id(node)
            if key in on_path:
                return 2  # a recursive type
            if key not in done:
                on_path.add(key)
                # A Struct that tolerates unknown fields (or extra array items) skips
                # them, and msgspec skips recursively.
                skips = isinstance(node, msgspec.inspect.StructType) and not node.forbid_unknown_fields
                done[key] = max([1 if skips else 0, *(walk(f.type) for f in node.fields)])
                on_path.discard(key)
            return done[key]
        if isinstance(node, msgspec.inspect.Metadata):
            return walk(node.type)
        if isinstance(node, msgspec.inspect.UnionType):
            return max(walk(t) for t in node.types)
        if isinstance(node, msgspec.inspect.TupleType):
            return max([0, *(walk(t) for t in node.item_types)])
        if isinstance(node, msgspec.inspect.CollectionType):  # list, set, frozenset, tuple[T, ...]
            return walk(node.item_type)
        if isinstance(node, _MAPPING_TYPES):
            return max(walk(node.key_type), walk(node.value_type))
        return 2  # a node kind added by a later msgspec: assume the worst

    return _KINDS[walk(info)]


def admits_unbounded_nesting(target_type: Any) -> bool:
    """Whether decoding into ``target_type`` may recurse as deep as the input nests."""
    return nesting_kind(target_type) != "bounded"


# From Python 3.12 on, C code such as msgspec's decoder has a recursion guard of its own
# that sys.setrecursionlimit does not raise; before, the two were one limit.
RECURSION_LIMIT_GUARDS_C: Final = sys.version_info < (3, 12)


def too_deep(limit: int) -> ContractDecodeError:
    """The error of a payload nesting deeper than ``limit``."""
    return ContractDecodeError((ValidationIssue(message=f"nesting deeper than the limit of {limit}", kind="too_deep"),))


# Keep quotes and brackets only, with "{" and "}" spelled "[" and "]".
_JSON_DELETE: Final = bytes(range(256)).translate(None, b'"[]{}')
_JSON_BRACKETS: Final = bytes.maketrans(b"{}", b"[]")
_JSON_STEPS: Final = bytes.maketrans(b"[]", b"\x01\xff")  # +1 and -1 as signed bytes
_JSON_CHUNK: Final = 1 << 20
_JSON_PEEL_PASSES: Final = 16


def _drop_string_contents(seq: bytes) -> bytes:
    """Remove the brackets that sit inside strings from a quotes-and-brackets sequence."""
    kept: list[bytes] = []
    inside = False
    for start in range(0, len(seq), _JSON_CHUNK):  # chunked: one list item per quote
        parts = seq[start : start + _JSON_CHUNK].split(b'"')
        kept.extend(parts[1 if inside else 0 :: 2])
        inside ^= (len(parts) - 1) % 2 == 1
    return b"".join(kept)


def check_json_depth(data: bytes | bytearray | memoryview | str, limit: int) -> None:
    """Refuse JSON whose arrays and objects nest deeper than ``limit``.

    Exact for every document and for the valid prefix of a malformed one (the decoder
    stops at the first invalid byte); past that prefix it may overcount, which turns a
    malformed payload into a too-deep one, never the other way round.
    """
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else bytes(data)
    if raw.count(b"[") + raw.count(b"{") <= limit:  # cheap upper bound on the depth
        return
    if b'\\"' in raw:  # without a backslash before a quote, no quote is escaped
        # Escaped backslashes, then escaped quotes: in a valid prefix both occur only
        # inside strings, and neither opens or closes one.
        raw = raw.replace(b"\\\\", b"").replace(b'\\"', b"")
    # Adjacent quotes toggle the in-string state twice, so dropping them changes nothing;
    # that removes every string without a bracket in it at C speed.
    seq = raw.translate(_JSON_BRACKETS, _JSON_DELETE).replace(b'""', b"")
    if b'"' in seq:
        seq = _drop_string_contents(seq)
    # Each pass drops the innermost containers and lowers the depth by one (by at most
    # one where the input is malformed), so ``passes + depth(rest)`` never undercounts.
    passes = 0
    while seq and passes < _JSON_PEEL_PASSES:
        peeled = seq.replace(b"[]", b"")
        if len(peeled) == len(seq):
            break
        seq, passes = peeled, passes + 1
    depth = passes
    if seq and passes + len(seq) > limit:  # len(seq) bounds the depth of the rest
        depth += max(accumulate(array("b", seq.translate(_JSON_STEPS)), initial=0))
    if depth > limit:
        raise too_deep(limit)


# Per header byte: the bytes to skip after it (scalars, fixstr), or a negative code.
_FIXMAP, _FIXARRAY, _SIZED, _ARRAY16, _ARRAY32, _MAP16, _MAP32, _INVALID = range(-1, -9, -1)
_MSGPACK_ACTION: Final = [0] * 256
for _head in range(0x80, 0x90):
    _MSGPACK_ACTION[_head] = _FIXMAP
for _head in range(0x90, 0xA0):
    _MSGPACK_ACTION[_head] = _FIXARRAY
for _head in range(0xA0, 0xC0):
    _MSGPACK_ACTION[_head] = _head & 0x1F  # fixstr
for _head, _size in {0xCA: 4, 0xCB: 8, 0xCC: 1, 0xCD: 2, 0xCE: 4, 0xCF: 8, 0xD0: 1, 0xD1: 2, 0xD2: 4,
                     0xD3: 8, 0xD4: 2, 0xD5: 3, 0xD6: 5, 0xD7: 9, 0xD8: 17}.items():  # fmt: skip
    _MSGPACK_ACTION[_head] = _size
for _head in (0xC4, 0xC5, 0xC6, 0xC7, 0xC8, 0xC9, 0xD9, 0xDA, 0xDB):
    _MSGPACK_ACTION[_head] = _SIZED
_MSGPACK_ACTION[0xDC], _MSGPACK_ACTION[0xDD] = _ARRAY16, _ARRAY32
_MSGPACK_ACTION[0xDE], _MSGPACK_ACTION[0xDF] = _MAP16, _MAP32
_MSGPACK_ACTION[0xC1] = _INVALID
# str/bin/ext header -> (width of the length field, bytes between it and the payload).
_SIZED_HEADERS: Final = {0xC4: (1, 0), 0xC5: (2, 0), 0xC6: (4, 0), 0xD9: (1, 0), 0xDA: (2, 0), 0xDB: (4, 0),
                         0xC7: (1, 1), 0xC8: (2, 1), 0xC9: (4, 1)}  # fmt: skip
# Every byte but the container headers (fixmap, fixarray, array16/32, map16/32).
_MSGPACK_NOT_CONTAINERS: Final = bytes(range(256)).translate(None, bytes([*range(0x80, 0xA0), 0xDC, 0xDD, 0xDE, 0xDF]))


def check_msgpack_depth(data: bytes | bytearray | memoryview, limit: int) -> None:
    """Refuse MessagePack whose arrays and maps nest deeper than ``limit``.

    Walks the container headers only, skipping scalars and payloads by their declared
    lengths, so the cost grows with the number of items, not with the bytes. Malformed
    input stops the walk; the decoder reports it properly afterwards.
    """
    raw = bytes(data)
    if len(raw.translate(None, _MSGPACK_NOT_CONTAINERS)) <= limit:  # cheap upper bound
        return
    action = _MSGPACK_ACTION
    outer: list[int] = []  # items still to read at each enclosing level
    remaining = 1  # items still to read at the current level
    pos, end = 0, len(raw)
    while pos < end:
        head = raw[pos]
        code = action[head]
        # Scalars and sized payloads first: they are most of the items.
        if code >= 0:
            pos += 1 + code
        elif code == _SIZED:
            width, gap = _SIZED_HEADERS[head]
            pos += 1 + width + gap + int.from_bytes(raw[pos + 1 : pos + 1 + width], "big")
        elif code == _INVALID:
            return  # 0xC1 is never valid: let the decoder say so
        else:  # a container: one level deeper, even when empty
            if len(outer) >= limit:
                raise too_deep(limit)
            pos += 1
            if code == _FIXMAP:
                items = 2 * (head & 0x0F)
            elif code == _FIXARRAY:
                items = head & 0x0F
            else:
                width = 2 if code in (_ARRAY16, _MAP16) else 4
                items = int.from_bytes(raw[pos : pos + width], "big") * (2 if code in (_MAP16, _MAP32) else 1)
                pos += width
            if items:
                outer.append(remaining - 1)
                remaining = items
                continue
        remaining -= 1
        while remaining == 0:
            if not outer:
                return
            remaining = outer.pop()


def plain_input(value: Any, limit: int) -> Any:
    """``value`` with subclasses of ``str``, ``int`` and ``float`` made plain, to ``limit`` deep.

    Returns ``value`` itself when nothing changes. A value that contains itself is too
    deep. Each container is visited once (a
    container shared at two depths counts at the first one met; msgspec's own recursion
    guard still holds anything deeper), and one stack frame serves a level, so any depth
    up to the limit is walked far from the interpreter's recursion limit.

    Raises:
        ContractDecodeError: The data nests deeper than ``limit`` (kind ``too_deep``).
    """
    memo: dict[int, Any] = {}

    def walk(node: Any, depth: int) -> Any:
        kind = type(node)
        if kind in PLAIN_TYPES:
            return node
        if kind not in _CONTAINERS:
            return plain_scalar(node)
        if depth >= limit:
            raise too_deep(limit)
        key = id(node)
        if key in memo:
            if memo[key] is _ON_PATH:  # a value that contains itself nests without end
                raise too_deep(limit)
            return memo[key]
        memo[key] = _ON_PATH
        changed = False
        if kind is dict:
            pairs = []
            for k, v in node.items():
                pair = (walk(k, depth + 1), walk(v, depth + 1))
                changed = changed or pair[0] is not k or pair[1] is not v
                pairs.append(pair)
            memo[key] = dict(pairs) if changed else node
        else:
            items = []
            for item in node:
                out = walk(item, depth + 1)
                changed = changed or out is not item
                items.append(out)
            memo[key] = kind(items) if changed else node
        return memo[key]

    return walk(value, 0)


_CONTAINERS: Final = frozenset({list, tuple, dict, set, frozenset})
_ON_PATH: Final = object()
