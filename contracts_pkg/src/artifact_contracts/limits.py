"""Size and nesting limits applied by the public decoders before any real work.

A service that decodes untrusted payloads needs both: the size limit is checked before
a byte is parsed, and the depth limit before a payload that could nest without bound is
handed to the decoder. Contract Structs have a bounded depth by construction (the type
stops the decoder long before the input does), so the depth scan runs only for targets
that admit arbitrary nesting, such as ``Any``.
"""

from __future__ import annotations

import re
from typing import Final

from artifact_contracts.errors import ContractDecodeError, ValidationIssue

__all__ = ["DecodeLimits", "get_decode_limits", "set_decode_limits"]


class DecodeLimits:
    """The limits the public decoders enforce.

    Args:
        max_bytes: Largest accepted payload, in bytes.
        max_depth: Deepest accepted nesting of arrays and maps.
    """

    __slots__ = ("max_bytes", "max_depth")

    def __init__(self, *, max_bytes: int = 256 * 1024 * 1024, max_depth: int = 256) -> None:
        if max_bytes < 1 or max_depth < 1:
            raise ValueError("limits must be positive")
        self.max_bytes = max_bytes
        self.max_depth = max_depth

    def __repr__(self) -> str:
        return f"DecodeLimits(max_bytes={self.max_bytes}, max_depth={self.max_depth})"


_limits = DecodeLimits()


def get_decode_limits() -> DecodeLimits:
    """Return the limits in force for this process."""
    return _limits


def set_decode_limits(limits: DecodeLimits) -> DecodeLimits:
    """Replace the process-wide limits; returns the previous ones."""
    global _limits
    previous, _limits = _limits, limits
    return previous


def check_size(data: object, limits: DecodeLimits) -> None:
    """Refuse a payload larger than ``limits.max_bytes``."""
    size = len(data)  # type: ignore[arg-type]
    if size > limits.max_bytes:
        raise ContractDecodeError(
            (
                ValidationIssue(
                    message=f"payload of {size} bytes exceeds the limit of {limits.max_bytes}",
                    kind="too_large",
                ),
            )
        )


def _too_deep(limit: int) -> ContractDecodeError:
    return ContractDecodeError((ValidationIssue(message=f"nesting deeper than the limit of {limit}", kind="too_deep"),))


_JSON_STRING: Final = re.compile(rb'"(?:[^"\\]|\\.)*"', re.S)
_JSON_BRACKETS: Final = bytes(range(256)).translate(None, b"[]{}")


def check_json_depth(data: bytes | bytearray | memoryview | str, limit: int) -> None:
    """Refuse JSON whose arrays and objects nest deeper than ``limit``."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else bytes(data)
    if raw.count(b"[") + raw.count(b"{") <= limit:  # cheap upper bound on the depth
        return
    depth = 0
    for char in _JSON_STRING.sub(b"", raw).translate(None, _JSON_BRACKETS):
        depth += 1 if char in (0x5B, 0x7B) else -1
        if depth > limit:
            raise _too_deep(limit)


# Every byte but the container headers (fixmap, fixarray, array16/32, map16/32).
_MSGPACK_NOT_CONTAINERS: Final = bytes(range(256)).translate(None, bytes([*range(0x80, 0xA0), 0xDC, 0xDD, 0xDE, 0xDF]))
_FIXED_SIZES: Final = {0xC0: 0, 0xC2: 0, 0xC3: 0, 0xCA: 4, 0xCB: 8, 0xCC: 1, 0xCD: 2, 0xCE: 4,
                       0xCF: 8, 0xD0: 1, 0xD1: 2, 0xD2: 4, 0xD3: 8, 0xD4: 2, 0xD5: 3, 0xD6: 5,
                       0xD7: 9, 0xD8: 17}  # fmt: skip
_LENGTH_PREFIXED: Final = {0xC4: 1, 0xC5: 2, 0xC6: 4, 0xD9: 1, 0xDA: 2, 0xDB: 4}
_EXT_PREFIXED: Final = {0xC7: 1, 0xC8: 2, 0xC9: 4}


def check_msgpack_depth(data: bytes | bytearray | memoryview, limit: int) -> None:
    """Refuse MessagePack whose arrays and maps nest deeper than ``limit``.

    Walks the container headers only, skipping scalars and payloads by their declared
    lengths, so the cost grows with the number of items, not with the bytes. Malformed
    input stops the walk; the decoder reports it properly afterwards.
    """
    raw = bytes(data)
    if len(raw.translate(None, _MSGPACK_NOT_CONTAINERS)) <= limit:  # cheap upper bound
        return
    pending = [1]  # items still to read at each open level
    pos, end = 0, len(raw)
    while pending and pos < end:
        pending[-1] -= 1
        head = raw[pos]
        pos += 1
        items = 0
        if head <= 0x7F or head >= 0xE0:
            pass
        elif head <= 0x8F:
            items = 2 * (head & 0x0F)
        elif head <= 0x9F:
            items = head & 0x0F
        elif head <= 0xBF:
            pos += head & 0x1F
        elif head in _FIXED_SIZES:
            pos += _FIXED_SIZES[head]
        elif head in _LENGTH_PREFIXED:
            width = _LENGTH_PREFIXED[head]
            pos += width + int.from_bytes(raw[pos : pos + width], "big")
        elif head in _EXT_PREFIXED:
            width = _EXT_PREFIXED[head]
            pos += width + 1 + int.from_bytes(raw[pos : pos + width], "big")
        elif head in (0xDC, 0xDE):
            items = int.from_bytes(raw[pos : pos + 2], "big") * (2 if head == 0xDE else 1)
            pos += 2
        elif head in (0xDD, 0xDF):
            items = int.from_bytes(raw[pos : pos + 4], "big") * (2 if head == 0xDF else 1)
            pos += 4
        else:
            return  # 0xC1 is never valid: let the decoder say so
        if items:
            pending.append(items)
            if len(pending) - 1 > limit:
                raise _too_deep(limit)
        while pending and pending[-1] == 0:
            pending.pop()
