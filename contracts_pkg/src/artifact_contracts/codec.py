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
import sys
from typing import Any, TypeVar, overload

import msgspec

from artifact_contracts import limits as _limits
from artifact_contracts.errors import (
    ContractDecodeError,
    ContractError,
    ContractValidationError,
    ValidationIssue,
    issue_from_msgspec,
)
from artifact_contracts.ext import EXT_TYPES, ExtPayload
from artifact_contracts.limits import (
    check_json_depth,
    check_msgpack_depth,
    check_size,
    get_decode_limits,
    nesting_kind,
    scan_skipped_values,
)

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
    "loads_msgpack",
    "loads_toml",
    "to_builtins",
]

T = TypeVar("T")

Buffer = bytes | bytearray | memoryview


class _UnknownExtCode(Exception):
    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


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
        raise _UnknownExtCode(code)
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


# Decoders cached per target type, one table per format and strictness. A plain dict
# lookup is the cheapest cache there is, and the cached value is the decoder's bound
# ``decode`` itself (or, for targets that can nest without bound, a closure that scans the
# depth first), so a call does little more than bare msgspec does.
_MAX_CACHED = 1024
_JSON_STRICT: dict[Any, Any] = {}
_JSON_LAX: dict[Any, Any] = {}
_MSGPACK_STRICT: dict[Any, Any] = {}
_MSGPACK_LAX: dict[Any, Any] = {}


def _with_depth_check(decode: Any, check_depth: Any, target_type: Any) -> Any:
    """Wrap ``decode`` with the depth scan its target needs (see the limits module)."""
    kind = nesting_kind(target_type)
    if kind == "bounded":
        return decode

    if kind == "kept":

        def decode_checked(data: Any) -> Any:
            check_depth(data, get_decode_limits().max_depth)
            return decode(data)

        return decode_checked

    def decode_skipping(data: Any) -> Any:
        limits = get_decode_limits()
        if scan_skipped_values(limits):
            check_depth(data, limits.max_depth)
        return decode(data)

    return decode_skipping


def _build_json(target_type: Any, strict: bool) -> Any:
    decode = msgspec.json.Decoder(target_type, strict=strict, dec_hook=_json_dec_hook).decode
    return _with_depth_check(decode, check_json_depth, target_type)


def _build_msgpack(target_type: Any, strict: bool) -> Any:
    decoder = msgspec.msgpack.Decoder(target_type, strict=strict, dec_hook=_msgpack_dec_hook, ext_hook=_ext_hook)
    return _with_depth_check(decoder.decode, check_msgpack_depth, target_type)


def _invalid_target(target_type: Any, exc: Exception) -> ContractValidationError:
    return ContractValidationError(
        (ValidationIssue(message=f"cannot decode into {target_type!r}: {exc}", kind="invalid_value"),)
    )


def _new_decoder(cache: dict[Any, Any], build: Any, target_type: Any, strict: bool) -> Any:
    """Build the decode function of a target type, and cache it when the type is hashable."""
    try:
        decode = build(target_type, strict)
    except TypeError as exc:  # a type msgspec cannot decode into
        raise _invalid_target(target_type, exc) from exc
    try:
        if len(cache) >= _MAX_CACHED:
            cache.clear()
        cache[target_type] = decode
    except TypeError:  # unhashable: decode without caching
        pass
    return decode


def _translate(exc: BaseException) -> ContractError:
    """Map any exception raised while decoding onto the ContractError hierarchy."""
    if isinstance(exc, ContractError):
        return exc
    if isinstance(exc, msgspec.ValidationError):
        return ContractValidationError((issue_from_msgspec(exc),))
    if isinstance(exc, msgspec.DecodeError):
        return ContractDecodeError((issue_from_msgspec(exc),))
    if isinstance(exc, UnicodeError):
        issue = ValidationIssue(message=f"invalid UTF-8: {getattr(exc, 'reason', exc)}", kind="invalid_utf8")
    elif isinstance(exc, RecursionError):
        issue = ValidationIssue(message="nesting too deep to decode", kind="too_deep")
    elif isinstance(exc, _UnknownExtCode):
        issue = ValidationIssue(message=f"unknown MessagePack ext code {exc.code}", kind="unknown_ext_code")
    elif isinstance(exc, MemoryError):
        issue = ValidationIssue(message="payload too large to decode", kind="too_large")
    else:
        issue = ValidationIssue(message=f"cannot decode: {type(exc).__name__}: {exc}", kind="malformed")
    return ContractDecodeError((issue,))


def _check_input(data: object, allow_str: bool) -> None:
    if isinstance(data, (bytes, bytearray, memoryview)) or (allow_str and isinstance(data, str)):
        return
    raise ContractDecodeError(
        (ValidationIssue(message=f"expected a bytes-like payload, got {type(data).__name__}", kind="malformed"),)
    )


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
    if type(data) is not bytes:
        _check_input(data, allow_str=True)
    cache = _JSON_STRICT if strict else _JSON_LAX
    try:
        decode = cache[target_type]
    except (KeyError, TypeError):
        decode = _new_decoder(cache, _build_json, target_type, bool(strict))
    # The module attribute: a call costs more than the check. Only ``bytes`` has a len()
    # in bytes; a str or a memoryview of wider items is measured properly.
    if type(data) is not bytes or len(data) > _limits._limits.max_bytes:
        check_size(data, get_decode_limits())
    try:
        return decode(data)
    except Exception as exc:
        raise _translate(exc) from exc


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
    if type(data) is not bytes:
        _check_input(data, allow_str=False)
    cache = _MSGPACK_STRICT if strict else _MSGPACK_LAX
    try:
        decode = cache[target_type]
    except (KeyError, TypeError):
        decode = _new_decoder(cache, _build_msgpack, target_type, bool(strict))
    # The module attribute: a call costs more than the check. Only ``bytes`` has a len()
    # in bytes; a str or a memoryview of wider items is measured properly.
    if type(data) is not bytes or len(data) > _limits._limits.max_bytes:
        check_size(data, get_decode_limits())
    try:
        return decode(data)
    except Exception as exc:
        raise _translate(exc) from exc


@overload
def convert(obj: Any, target_type: type[T], *, strict: bool = ...) -> T: ...
@overload
def convert(obj: Any, target_type: Any, *, strict: bool = ...) -> Any: ...
def convert(obj: Any, target_type: Any, *, strict: bool = True) -> Any:
    """Validate builtin data (as from :func:`to_builtins`, TOML or YAML) into ``target_type``.

    Payload types accept raw bytes or standard base64 text.

    Raises:
        ContractValidationError: The data does not match ``target_type``.
        ContractDecodeError: The data nests too deeply to convert.
    """
    try:
        return msgspec.convert(obj, target_type, strict=strict, dec_hook=_convert_dec_hook)
    except Exception as exc:
        if isinstance(exc, TypeError) and not isinstance(exc, msgspec.MsgspecError):
            raise _invalid_target(target_type, exc) from exc
        raise _translate(exc) from exc


@overload
def loads_toml(data: Buffer | str, target_type: type[T], *, strict: bool = ...) -> T: ...
@overload
def loads_toml(data: Buffer | str, target_type: Any = ..., *, strict: bool = ...) -> Any: ...
def loads_toml(data: Buffer | str, target_type: Any = Any, *, strict: bool = True) -> Any:
    """Decode a TOML document into ``target_type``, validating it as :func:`convert` does.

    For inputs written by people, such as :class:`~artifact_contracts.models.EngineConfig`
    and :class:`~artifact_contracts.models.PipelineSpec`. TOML has no null: leave an
    optional key out to get its default. Binary payloads are standard base64 strings.

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
    _check_input(data, allow_str=True)
    check_size(data, get_decode_limits())
    try:
        text = data if isinstance(data, str) else bytes(data).decode("utf-8")
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ContractDecodeError((ValidationIssue(message=f"invalid TOML: {exc}", kind="malformed"),)) from exc
    except Exception as exc:  # invalid UTF-8, nesting too deep for the parser
        raise _translate(exc) from exc
    return convert(document, target_type, strict=strict)


def dumps_json(value: Any) -> bytes:
    """Encode ``value`` as canonical JSON: sorted map keys, base64 for payload types."""
    return _JSON_ENCODER.encode(value)


def dumps_msgpack(value: Any) -> bytes:
    """Encode ``value`` as canonical MessagePack: sorted map keys, ext values for payload types."""
    return _MSGPACK_ENCODER.encode(value)


def dumps_canonical(value: Any) -> bytes:
    """Encode ``value`` in the fingerprint form (MessagePack, Struct fields sorted too)."""
    return _CANONICAL_ENCODER.encode(value)


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
