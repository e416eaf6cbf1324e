"""Canonical fingerprints: the one hash function of the project.

``fingerprint(value)`` is ``"sha256:"`` followed by the lowercase hex SHA-256 digest of
the value's *canonical MessagePack form*. Any MessagePack library in any language can
recompute it by encoding the value's builtin form with these rules:

1. Maps are written with their keys sorted by their UTF-8 bytes (byte-wise, unsigned),
   at every depth. A Struct is a map of its encoded field names, sorted the same way,
   so the order of fields in the Python source changes no fingerprint. A tagged
   Struct's tag is one more key (``"type"`` or its ``tag_field``).
2. Fields equal to their default are left out (``omit_defaults``); ``array_like``
   Structs are arrays in field order, trailing defaults included.
3. Integers take their smallest MessagePack encoding (positive fixint, uint8..uint64,
   negative fixint, int8..int64), signed forms only for negative values.
4. Floats are always float64 (``0xcb``); the contracts write ``-0.0`` as ``0.0``.
5. Strings are ``str`` (fixstr/str8/16/32, shortest), bytes are ``bin`` (shortest).
6. :class:`~artifact_contracts.SubstraitBytes` is ext type 10 and
   :class:`~artifact_contracts.DataFusionProtoBytes` ext type 11, written with fixext
   when the length allows (1, 2, 4, 8, 16 bytes), else ext8/16/32.
7. Sets are arrays of their sorted items; tuples and lists are arrays.
8. Aware datetimes are the timestamp extension (type -1, UTC); decimals and UUIDs are
   their canonical strings (``str(Decimal)``, lowercase hyphenated UUID).
9. ``None``, ``True`` and ``False`` are ``nil``, ``true`` and ``false``.

The wire formats keep Struct fields in definition order; only the fingerprint form
sorts them, so a fingerprint is a property of the value, not of the class layout.
"""

from __future__ import annotations

import hashlib
from typing import Any

from artifact_contracts.codec import dumps_canonical

__all__ = ["canonical_bytes", "fingerprint"]

PREFIX = "sha256:"


def canonical_bytes(value: Any) -> bytes:
    """Return the canonical MessagePack form of ``value`` that :func:`fingerprint` hashes."""
    return dumps_canonical(value)


def fingerprint(value: Any) -> str:
    """Return ``"sha256:<64 hex>"`` over the canonical MessagePack form of ``value``.

    Examples:
        >>> fingerprint({"b": 1, "a": 2}) == fingerprint({"a": 2, "b": 1})
        True
    """
    return PREFIX + hashlib.sha256(dumps_canonical(value)).hexdigest()
