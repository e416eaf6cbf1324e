"""The only encoders and decoders in the project.

One JSON and one MessagePack encoder, built once with ``order="deterministic"``,
``decimal_format="string"`` and ``uuid_format="canonical"``; decoders built on first use
and cached per target type. A third encoder (MessagePack, ``order="sorted"``) writes the
canonical form that :func:`artifact_contracts.fingerprint` hashes. Nothing else in the
repository constructs a msgspec encoder or decoder.

Every public decode function raises only :class:`~artifact_contracts.ContractError`
subclasses, whatever the input.

Examples:
    >>> dumps_json({"b": 1, "a": [True, None]})
    b'{"a":[true,null],"b":1}'
    >>> from artifact_contracts import SubstraitBytes
    >>> loads_msgpack(dumps_msgpack(SubstraitBytes(b"plan")))
    SubstraitBytes(<4 bytes: 706c616e>)
"""

from __future__ import annotations

import base64
import contextlib
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar, overload

import msgspec

from artifact_contracts import limits as _limits
from artifact_contracts._canonical import canonical_value
from artifact_contracts._depth import (
    RECURSION_LIMIT_GUARDS_C,
    SAFE_RECURSION_LIMIT,
    check_json_depth,
    check_msgpack_depth,
    nesting_kind,
    plain_input,
)
from artifact_contracts._failures import UnknownExtCode, admit, fail, rooted
from artifact_contracts._toml import check_toml_depth
from artifact_contracts.errors import ContractDecodeError, ContractError, ContractValidationError, ValidationIssue
from artifact_contracts.ext import EXT_TYPES, ExtPayload
from artifact_contracts.limits import DecodeLimits, check_size, get_decode_limits

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = [
    "convert",
    "dumps_json",
    "dumps_msgpack",
    "encode_json_into",
    "encode_msgpack_into",
    "loads_json",
    "loads_json_batch",
    "loads_msgpack",
    "loads_msgpack_batch",
    "loads_toml",
    "to_builtins",
]

T = TypeVar("T")

Buffer = bytes | bytearray | memoryview


def _json_enc_hook(obj: object) -> object:
    if isinstance(obj, ExtPayload):
        return obj.data  # msgspec writes bytes as standard base64
    raise NotImplementedError(f"Encoding objects of type {type(obj).__name__} is unsupported")


def _msgpack_enc_hook(obj: object) -> object:
    if isinstance(obj, ExtPayload):
        return msgspec.msgpack.Ext(int(obj.ext_code), obj.data)
    raise NotImplementedError(f"Encoding objects of type {type(obj).__name__} is unsupported")


def _b64decode(text: str) -> bytes:
    # msgspec's base64 decoder (C, ~6x the speed of the base64 module's strict one, and no
    # ASCII copy of the text first) refuses what ``b64decode(validate=True)`` refuses, but
    # for the unused bits of the last quantum, which the check below covers.
    try:
        raw: bytes = msgspec.convert(text, bytes)
    except msgspec.ValidationError:
        raise ValueError("Invalid base64 encoded string") from None
    # Only the canonical spelling is accepted, so decode-then-encode is the identity. A text
    # that decodes can differ from it only in its length (padding) or in its last quantum
    # (the unused bits before the padding): comparing those two spares re-encoding it all.
    quanta = (len(raw) + 2) // 3
    if len(text) != 4 * quanta or (quanta and base64.b64encode(raw[3 * quanta - 3 :]).decode("ascii") != text[-4:]):
        raise ValueError("Invalid base64 encoded string: not in canonical form")
    return raw


def _json_dec_hook(type_: type, obj: object) -> object:
    if isinstance(type_, type) and issubclass(type_, ExtPayload):
        if isinstance(obj, str):
            return type_(_b64decode(obj))
        raise TypeError(f"Expected `str` (base64), got `{type(obj).__name__}`")
    raise TypeError(f"Decoding into {type_!r} is unsupported")


def _msgpack_dec_hook(type_: type, obj: object) -> object:
    if isinstance(type_, type) and issubclass(type_, ExtPayload):
        if type(obj) is type_:  # from ext_hook, when the field's type is a union
            return obj
        if isinstance(obj, ExtPayload):
            raise TypeError(f"Expected ext code {int(type_.ext_code)}, got ext code {int(obj.ext_code)}")
        raise TypeError(f"Expected `ext` {int(type_.ext_code)}, got `{type(obj).__name__}`")
    raise TypeError(f"Decoding into {type_!r} is unsupported")


def _convert_dec_hook(type_: type, obj: object) -> object:
    if isinstance(type_, type) and issubclass(type_, ExtPayload):
        if isinstance(obj, (bytes, bytearray, memoryview)):
            return type_(obj)
        if isinstance(obj, str):
            return type_(_b64decode(obj))
        raise TypeError(f"Expected `bytes` or base64 `str`, got `{type(obj).__name__}`")
    raise TypeError(f"Converting into {type_!r} is unsupported")


def _ext_hook(code: int, data: memoryview) -> object:
    cls = EXT_TYPES.get(code)
    if cls is None:
        raise UnknownExtCode(code)
    return cls(data)


_JSON_ENCODER = msgspec.json.Encoder(
    enc_hook=_json_enc_hook, order="deterministic", decimal_format="string", uuid_format="canonical"
)
_MSGPACK_ENCODER = msgspec.msgpack.Encoder(
    enc_hook=_msgpack_enc_hook, order="deterministic", decimal_format="string", uuid_format="canonical"
)
# The fingerprint form: like the MessagePack wire, but Struct fields sorted as well.
_CANONICAL_ENCODER = msgspec.msgpack.Encoder(
    enc_hook=_msgpack_enc_hook, order="sorted", decimal_format="string", uuid_format="canonical"
)

Decode = Callable[[Any], Any]


class _Wire:
    """One wire format: how to build its decoders, scan its depth and wrap a payload.

    ``wrap`` puts a payload one level down (a one-item array), so that the error of
    decoding it into ``tuple[target]`` always carries a location (see errors.py).
    """

    __slots__ = ("build", "name", "scan", "wrap")

    def __init__(
        self, name: str, build: Callable[[Any, bool], Any], scan: Callable[[Any, int], None], wrap: Callable[[Any], Any]
    ) -> None:
        self.name, self.build, self.scan, self.wrap = name, build, scan, wrap


def _json_decoder(target_type: Any, strict: bool) -> Any:
    return msgspec.json.Decoder(target_type, strict=strict, dec_hook=_json_dec_hook)


def _msgpack_decoder(target_type: Any, strict: bool) -> Any:
    return msgspec.msgpack.Decoder(target_type, strict=strict, dec_hook=_msgpack_dec_hook, ext_hook=_ext_hook)


def _wrap_json(data: Any) -> Any:
    return "[" + data + "]" if isinstance(data, str) else b"[" + bytes(data) + b"]"


_JSON = _Wire("json", _json_decoder, check_json_depth, _wrap_json)
_MSGPACK = _Wire("msgpack", _msgpack_decoder, check_msgpack_depth, lambda data: b"\x91" + bytes(data))

# Decoders cached per target type, one table per format and strictness. A plain dict
# lookup is the cheapest cache there is, and the cached value is the decoder's bound
# ``decode`` itself, so a call does little more than bare msgspec does. Every level of
# nesting takes a byte at least, so a ``bytes`` payload no longer than ``max_depth``
# (``_small``) can be neither too deep nor too large: it goes straight to the decoder.
# Anything else takes the slow path (``_prepare``): size, then the depth scan its target
# needs.
_MAX_CACHED = 1024
_JSON_STRICT: dict[Any, Decode] = {}
_JSON_LAX: dict[Any, Decode] = {}
_MSGPACK_STRICT: dict[Any, Decode] = {}
_MSGPACK_LAX: dict[Any, Decode] = {}
_TABLES = {(_JSON, True): _JSON_STRICT, (_JSON, False): _JSON_LAX, (_MSGPACK, True): _MSGPACK_STRICT,
           (_MSGPACK, False): _MSGPACK_LAX}  # fmt: skip
_KINDS: dict[Any, str] = {}  # nesting_kind per target type
_small = min(get_decode_limits().max_bytes, get_decode_limits().max_depth)


def _limits_changed() -> None:
    global _small
    _small = min(get_decode_limits().max_bytes, get_decode_limits().max_depth)


_limits._listeners.append(_limits_changed)


def _scan_skipped() -> bool:
    """Whether the unknown fields Compat targets skip must be depth-scanned right now."""
    limits = _limits._limits
    return limits.scan_skipped or (RECURSION_LIMIT_GUARDS_C and _recursion_limit() > SAFE_RECURSION_LIMIT)


def _kind(target_type: Any) -> str:
    kind = _cached(_KINDS, target_type)
    if kind is None:
        kind = _remember(_KINDS, target_type, nesting_kind(target_type))
    return kind  # type: ignore[no-any-return]


def _cached(table: dict[Any, Any], key: Any) -> Any:
    """``table[key]``, or None when absent or when the key cannot be hashed or compared."""
    try:
        return table.get(key)
    except Exception:  # unhashable, or a hostile __hash__/__eq__
        return None


def _remember(table: dict[Any, Any], key: Any, value: Any) -> Any:
    """Store ``value`` under ``key`` when the key can be hashed (the table stays bounded); return it."""
    if len(table) >= _MAX_CACHED:
        table.clear()
    with contextlib.suppress(Exception):  # unhashable: computed again next time
        table[key] = value
    return value


def _prepare(wire: _Wire, data: Any, target_type: Any, allow_str: bool) -> Any:
    """The slow path of a payload: not plain ``bytes``, or longer than ``max_depth``.

    Checks the type and size, then scans the depth where the target needs it (see the
    _depth module); returns the payload to decode.
    """
    data = admit(data, allow_str)
    kind = _kind(target_type)
    if kind == "kept" or (kind == "skipped" and _scan_skipped()):
        wire.scan(data, _limits._limits.max_depth)
    return data


_recursion_limit = sys.getrecursionlimit


def _invalid_target(target_type: Any, exc: Exception) -> ContractValidationError:
    return ContractValidationError(
        (ValidationIssue(path="$", message=f"cannot decode into {target_type!r}: {exc}", kind="invalid_value"),)
    )


def _decoder(wire: _Wire, target_type: Any, strict: Any) -> Decode:
    """The decode function of a target type: from the cache, or built and cached when hashable."""
    cache = _TABLES[wire, bool(strict)]
    found = _cached(cache, target_type)
    if found is not None:
        return found  # type: ignore[no-any-return]
    try:
        decode: Decode = wire.build(target_type, bool(strict)).decode
    except Exception as exc:  # a type msgspec cannot decode into, an unresolvable forward reference
        raise _invalid_target(target_type, exc) from exc
    return _remember(cache, target_type, decode)  # type: ignore[no-any-return]


def _redo(wire: _Wire, data: Any, target_type: Any, strict: bool) -> Callable[[], None]:
    def redo() -> None:
        wire.build(tuple[target_type], bool(strict)).decode(wire.wrap(data))

    return redo


def _loads(wire: _Wire, data: Any, target_type: Any, strict: bool, allow_str: bool) -> Any:
    """Decode one payload the slow way: every check, and the error's path when it fails."""
    decode = _decoder(wire, target_type, strict)
    data = _prepare(wire, data, target_type, allow_str)
    try:
        return decode(data)
    except Exception as exc:
        raise fail(exc, _redo(wire, data, target_type, strict)) from exc


@overload
def loads_json(data: Buffer | str, target_type: type[T], *, strict: bool = ...) -> T: ...
@overload
def loads_json(data: Buffer | str, target_type: Any = ..., *, strict: bool = ...) -> Any: ...
def loads_json(data: Buffer | str, target_type: Any = Any, *, strict: bool = True) -> Any:
    """Decode JSON into ``target_type``, validating it.

    Args:
        data: The JSON document (bytes-like or ``str``).
        target_type: The type to decode into; ``Any`` gives plain builtins.
        strict: When ``False``, msgspec's lax coercions apply (``"1"`` into ``int``...).

    Returns:
        The decoded value.

    Raises:
        ContractDecodeError: The bytes are not valid JSON, or exceed a limit.
        ContractValidationError: The JSON does not match ``target_type``.
    """
    # The fast path: only ``bytes`` has a len() in bytes (see _small).
    if type(data) is bytes and len(data) <= _small:
        try:
            return (_JSON_STRICT if strict else _JSON_LAX)[target_type](data)
        except Exception:  # noqa: S110 - not cached yet, or the payload fails: the slow path says why
            pass
    return _loads(_JSON, data, target_type, strict, allow_str=True)


@overload
def loads_msgpack(data: Buffer, target_type: type[T], *, strict: bool = ...) -> T: ...
@overload
def loads_msgpack(data: Buffer, target_type: Any = ..., *, strict: bool = ...) -> Any: ...
def loads_msgpack(data: Buffer, target_type: Any = Any, *, strict: bool = True) -> Any:
    """Decode MessagePack into ``target_type``, validating it.

    Ext values with a registered code decode into their payload types
    (:class:`SubstraitBytes`, :class:`DataFusionProtoBytes`) even when ``target_type`` is
    ``Any``.

    Args:
        data: The MessagePack message.
        target_type: The type to decode into; ``Any`` gives plain builtins.
        strict: When ``False``, msgspec's lax coercions apply.

    Returns:
        The decoded value.

    Raises:
        ContractDecodeError: The bytes are malformed, use an unknown ext code, or
            exceed a limit.
        ContractValidationError: The message does not match ``target_type``.
    """
    if type(data) is bytes and len(data) <= _small:
        try:
            return (_MSGPACK_STRICT if strict else _MSGPACK_LAX)[target_type](data)
        except Exception:  # noqa: S110 - not cached yet, or the payload fails: the slow path says why
            pass
    return _loads(_MSGPACK, data, target_type, strict, allow_str=False)


def _loads_batch(
    wire: _Wire, table: dict[Any, Decode], payloads: Iterable[Any], target_type: Any, strict: bool, allow_str: bool
) -> list[Any]:
    items = payloads if type(payloads) is list else _listed(payloads)
    try:  # the lookups inline: at small payloads, each call saved is a percent
        decode = table[target_type]
        kind = _KINDS[target_type]
    except Exception:
        decode = _decoder(wire, target_type, strict)
        kind = _kind(target_type)
    if kind == "bounded" or (kind == "skipped" and not _scan_skipped()):
        # One join in C checks the whole batch at once: it refuses anything that is not
        # bytes-like (a str, a released memoryview) and counts every byte, far cheaper
        # than the checks of a single call, item by item.
        try:
            if len(b"".join(items)) <= _limits._limits.max_bytes:
                return list(map(decode, items))
        except Exception:  # noqa: S110 - not all bytes-like, or one fails: the slow path says which
            pass
    return _loads_each(wire, decode, items, target_type, strict, allow_str)


def _listed(payloads: Iterable[Any]) -> list[Any]:
    try:
        return list(payloads)
    except TypeError:  # not iterable
        raise ContractDecodeError(
            (ValidationIssue(path="$", message=f"expected payloads, got {type(payloads).__name__}", kind="malformed"),)
        ) from None


def _loads_each(
    wire: _Wire, decode: Decode, items: Sequence[Any], target_type: Any, strict: bool, allow_str: bool
) -> list[Any]:
    """Decode payload by payload, each through the checks of a single call."""
    out = []
    for index, item in enumerate(items):
        data = _prepare_item(wire, item, index, target_type, allow_str)
        try:
            out.append(decode(data))
        except Exception as exc:
            raise fail(exc, _redo(wire, data, target_type, strict), f"$[{index}]") from exc
    return out


def _prepare_item(wire: _Wire, item: Any, index: int, target_type: Any, allow_str: bool) -> Any:
    try:
        return _prepare(wire, item, target_type, allow_str)
    except ContractError as exc:
        raise rooted(exc, f"$[{index}]") from exc


def loads_json_batch(payloads: Iterable[Buffer | str], target_type: Any = Any, *, strict: bool = True) -> list[Any]:
    """Decode many JSON documents into one ``target_type`` in one call, as :func:`loads_json` does.

    The limits apply to each payload. A failure reports the first payload that fails, its
    index first in every path: ``$[3].policy`` is the fourth payload's ``policy``.

    Args:
        payloads: The documents (bytes-like or ``str``), any iterable.
        target_type: The type each decodes into.
        strict: When ``False``, msgspec's lax coercions apply.

    Returns:
        The decoded values, in order.

    Raises:
        ContractDecodeError: A payload is not valid JSON, or exceeds a limit.
        ContractValidationError: A payload does not match ``target_type``.

    Examples:
        >>> loads_json_batch([b"1", b"2"], int)
        [1, 2]
    """
    return _loads_batch(_JSON, _JSON_STRICT if strict else _JSON_LAX, payloads, target_type, strict, True)


def loads_msgpack_batch(payloads: Iterable[Buffer], target_type: Any = Any, *, strict: bool = True) -> list[Any]:
    r"""Decode many MessagePack messages into one ``target_type`` in one call.

    What :func:`loads_msgpack` does for each payload, for a fraction of the per-call cost:
    the decoder is looked up once and the payloads are checked and decoded in C loops.
    The stores decode their payload columns with it.
    A failure reports the first payload that fails, its index first in every path
    (``$[3].rows``).

    Args:
        payloads: The messages, any iterable of bytes-like objects.
        target_type: The type each decodes into.
        strict: When ``False``, msgspec's lax coercions apply.

    Returns:
        The decoded values, in order.

    Raises:
        ContractDecodeError: A payload is malformed, uses an unknown ext code, or
            exceeds a limit.
        ContractValidationError: A payload does not match ``target_type``.

    Examples:
        >>> loads_msgpack_batch([b"\x01", b"\xa1x"], int | str)
        [1, 'x']
    """
    return _loads_batch(_MSGPACK, _MSGPACK_STRICT if strict else _MSGPACK_LAX, payloads, target_type, strict, False)


@overload
def convert(obj: Any, target_type: type[T], *, strict: bool = ...) -> T: ...
@overload
def convert(obj: Any, target_type: Any, *, strict: bool = ...) -> Any: ...
def convert(obj: Any, target_type: Any, *, strict: bool = True) -> Any:
    """Validate builtin data (as from :func:`to_builtins`, TOML or YAML) into ``target_type``.

    Payload types accept raw bytes or standard base64 text. Subclasses of ``str``,
    ``int`` and ``float`` in the data (what YAML loaders and enums give) become the plain
    type first, so what comes out encodes as the equal plain value does. ``max_depth``
    applies to the data.

    Raises:
        ContractValidationError: The data does not match ``target_type``.
        ContractDecodeError: The data nests deeper than the limit.
    """
    limit = _limits._limits.max_depth
    try:
        data = plain_input(obj, limit)
        return msgspec.convert(data, target_type, strict=strict, dec_hook=_convert_dec_hook)
    except Exception as exc:
        if isinstance(exc, (TypeError, NameError)) and not isinstance(exc, msgspec.MsgspecError):
            raise _invalid_target(target_type, exc) from exc
        raise fail(exc, lambda: _redo_convert(data, target_type, strict)) from exc


def _redo_convert(data: Any, target_type: Any, strict: bool) -> None:
    msgspec.convert([data], tuple[target_type], strict=strict, dec_hook=_convert_dec_hook)


@overload
def loads_toml(data: Buffer | str, target_type: type[T], *, strict: bool = ...) -> T: ...
@overload
def loads_toml(data: Buffer | str, target_type: Any = ..., *, strict: bool = ...) -> Any: ...
def loads_toml(data: Buffer | str, target_type: Any = Any, *, strict: bool = True) -> Any:
    """Decode a TOML document into ``target_type``, validating it as :func:`convert` does.

    For inputs written by people, such as :class:`~artifact_contracts.models.EngineConfig`
    and :class:`~artifact_contracts.models.PipelineSpec`. TOML has no null: leave an
    optional key out to get its default. Binary payloads are standard base64 strings.
    The limits apply: ``max_toml_bytes`` (1 MiB by default) to the document,
    ``max_depth`` to its tables, keys and arrays, checked by a linear scan before the
    parser runs (see SECURITY.md).

    Args:
        data: The TOML document (UTF-8 bytes-like or ``str``).
        target_type: The type to decode into; ``Any`` gives plain builtins.
        strict: When ``False``, msgspec's lax coercions apply.

    Returns:
        The decoded value.

    Raises:
        ContractDecodeError: The document is not valid TOML or UTF-8, or exceeds a limit.
        ContractValidationError: The document does not match ``target_type``.

    Examples:
        >>> loads_toml('target_partitions = 8', dict[str, int])
        {'target_partitions': 8}
    """
    data = admit(data, allow_str=True)
    limits = get_decode_limits()
    check_size(data, DecodeLimits(max_bytes=limits.max_toml_bytes))
    try:
        text = data if isinstance(data, str) else bytes(data).decode("utf-8")
        check_toml_depth(text, _limits._limits.max_depth)
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ContractDecodeError(
            (ValidationIssue(path="$", message=f"invalid TOML: {exc}", kind="malformed"),)
        ) from exc
    except Exception as exc:  # invalid UTF-8, nesting too deep for the parser
        raise fail(exc, lambda: None) from exc
    return convert(document, target_type, strict=strict)


def dumps_json(value: Any) -> bytes:
    """Encode ``value`` as canonical JSON: sorted map keys, base64 for payload types."""
    return _JSON_ENCODER.encode(value)


def dumps_msgpack(value: Any) -> bytes:
    """Encode ``value`` as canonical MessagePack: sorted map keys, ext values for payload types."""
    return _MSGPACK_ENCODER.encode(value)


def dumps_canonical(value: Any) -> bytes:
    """Encode ``value`` in the fingerprint form (MessagePack, Struct fields sorted too).

    The value is made canonical first (``-0.0`` as ``0.0``... see hashing.py): a Struct on
    the bases already is, so only plain containers are walked.
    """
    return _CANONICAL_ENCODER.encode(canonical_value(value))


def to_builtins(value: Any) -> Any:
    """Return ``value`` as JSON-compatible builtins, exactly as :func:`dumps_json` would write it."""
    return msgspec.to_builtins(value, enc_hook=_json_enc_hook, order="deterministic")


def _encode_into(encoder: Any, value: Any, buf: bytearray, offset: int) -> None:
    if not isinstance(buf, bytearray):
        raise TypeError(f"buf must be a bytearray, not {type(buf).__name__}")
    if offset < -1:
        raise ValueError(f"offset must be -1 (append) or >= 0, not {offset}")
    if offset > len(buf):
        # msgspec would grow the buffer and leave the gap uninitialized.
        buf.extend(bytes(offset - len(buf)))
    encoder.encode_into(value, buf, offset)


def encode_json_into(value: Any, buf: bytearray, offset: int = 0) -> None:
    """Encode ``value`` as :func:`dumps_json` does, into ``buf`` at ``offset``.

    The buffer is truncated after the message; ``offset=-1`` appends. A gap between the
    end of ``buf`` and ``offset`` is zero-filled.
    """
    _encode_into(_JSON_ENCODER, value, buf, offset)


def encode_msgpack_into(value: Any, buf: bytearray, offset: int = 0) -> None:
    """Encode ``value`` as :func:`dumps_msgpack` does, into ``buf`` at ``offset``.

    The buffer is truncated after the message; ``offset=-1`` appends. A gap between the
    end of ``buf`` and ``offset`` is zero-filled.
    """
    _encode_into(_MSGPACK_ENCODER, value, buf, offset)
