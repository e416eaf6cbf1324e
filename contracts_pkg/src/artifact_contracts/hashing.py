"""Canonical fingerprints: the one hash function of the project.

``fingerprint(value)`` is ``"sha256:"`` followed by the lowercase hex SHA-256 digest of
the value's *canonical MessagePack form* (:func:`canonical_bytes`). Any MessagePack
library in any language can recompute it by writing the value with these rules; they
cover every type ``fingerprint()`` accepts, and ``tests/contracts/test_hashing.py``
holds an independent implementation of them that the package is checked against.

First the value is made canonical, at every depth: ``-0.0`` is ``0.0``; subclasses of
``str``, ``int`` and ``float`` are the plain type; a ``Decimal`` is normalized (``1.50`` is
``1.5``, ``-0`` is ``0``); an aware ``time`` is in UTC. Struct values built on the bases
already are (their hook runs at construction and decode); a plain ``msgspec.Struct`` is
taken as it is. Then:

1. Maps are written with their keys sorted by their encoded bytes (UTF-8 for strings,
   compared byte-wise, unsigned), at every depth. A Struct is a map of its encoded field
   names, sorted the same way, so the order of fields in the Python source changes no
   fingerprint. A tagged Struct's tag is one more key (``"type"`` or its ``tag_field``).
2. Defaults: a Struct field whose value equals its default, and is of the default's type,
   is left out. (The bases put the default object itself back in place of an equal
   value, so equality is what counts; a plain ``msgspec.Struct`` leaves a field out only
   when it holds the default object itself, msgspec's own rule.) A Struct declared with
   ``omit_defaults=False`` (:class:`~artifact_contracts.ValidationIssue`) writes every
   field. ``array_like`` Structs are arrays in field order, trailing defaults included.
3. Integers take their smallest MessagePack encoding (positive fixint, uint8..uint64,
   negative fixint, int8..int64), signed forms only for negative values. ``bool`` is
   ``true``/``false``, never an integer; an ``IntEnum`` member is its integer.
4. Floats are always float64 (``0xcb``), big-endian IEEE 754; ``-0.0`` is written as
   ``0.0``; NaN is ``0x7ff8000000000000``.
5. Strings are ``str`` (fixstr, str8, str16, str32: the shortest), UTF-8. ``bytes``,
   ``bytearray`` and ``memoryview`` are ``bin`` (bin8, bin16, bin32: the shortest).
6. :class:`~artifact_contracts.SubstraitBytes` is ext type 10 and
   :class:`~artifact_contracts.DataFusionProtoBytes` ext type 11, written with fixext
   when the length allows (1, 2, 4, 8, 16 bytes), else ext8/16/32.
7. Lists and tuples are arrays (fixarray, array16, array32); sets and frozensets are
   arrays of their items sorted by value (numbers numerically, strings by code point).
8. An aware ``datetime`` is the timestamp extension (type -1) of its instant: timestamp32
   (``d6 ff`` + uint32 seconds) when it has no fraction of a second and its seconds since
   1970-01-01T00:00:00Z are in ``[0, 2**32)``; timestamp64 (``d7 ff`` + uint64 of
   ``nanoseconds << 34 | seconds``) when its seconds are in ``[0, 2**34)``; else
   timestamp96 (``c7 0c ff`` + uint32 nanoseconds + int64 seconds).
9. A naive ``datetime`` is the string ``YYYY-MM-DDTHH:MM:SS``, followed by ``.ffffff``
   (six digits) when it has microseconds; a ``date`` is ``YYYY-MM-DD``; a ``time`` is
   ``HH:MM:SS[.ffffff]``, followed by ``Z`` when aware (it is in UTC).
10. A ``timedelta`` is the ISO 8601 duration string of its absolute value, ``-`` first
    when negative: ``P`` + ``<days>D`` when it has days, + ``T<seconds>S`` when it has
    seconds or microseconds (microseconds as a fraction of six digits with trailing zeros
    removed: ``PT2.5S``); ``P0D`` when zero. Examples: ``P1DT2.000003S``, ``-PT86399S``.
11. A ``Decimal`` is the string ``str(value)`` of its normalized form; a ``UUID`` its
    lowercase hyphenated string; an ``Enum`` member its value, written by these rules.
12. ``None`` is ``nil``.

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
    """Return the canonical MessagePack form of ``value`` that :func:`fingerprint` hashes.

    Examples:
        >>> canonical_bytes([-0.0]) == canonical_bytes([0.0])
        True
    """
    return dumps_canonical(value)


def fingerprint(value: Any) -> str:
    """Return ``"sha256:<64 hex>"`` over the canonical MessagePack form of ``value``.

    Examples:
        >>> fingerprint({"b": 1, "a": 2}) == fingerprint({"a": 2, "b": 1})
        True
    """
    return PREFIX + hashlib.sha256(dumps_canonical(value)).hexdigest()
