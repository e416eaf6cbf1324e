"""Size and nesting limits applied by the public decoders before any real work.

A service that decodes untrusted payloads needs both: the size limit is checked before
a byte is parsed, and the depth limit before the decoder sees a payload that could nest
without bound.

How the depth limit is applied, per target type, is described in the private
:mod:`artifact_contracts._depth`, which does the scanning; SECURITY.md says it for users.
"""

from __future__ import annotations

from collections.abc import Callable

from artifact_contracts.errors import ContractDecodeError, ValidationIssue

__all__ = ["DecodeLimits", "check_size", "get_decode_limits", "payload_size", "set_decode_limits"]


class DecodeLimits:
    """The limits the public decoders enforce (immutable).

    Keep ``max_depth`` well below :func:`sys.getrecursionlimit`: msgspec recurses once
    per level, so the depth limit is what keeps a hostile payload off the C stack.

    Args:
        max_bytes: Largest accepted payload, in bytes (UTF-8 bytes for a ``str``).
        max_depth: Deepest accepted nesting of arrays and maps (TOML tables included).
        scan_skipped: Also hold the unknown fields a Compat target skips to
            ``max_depth`` (scans every such payload; see SECURITY.md).
        max_toml_bytes: Largest accepted TOML document. TOML is for configuration
            written by people, and its parser needs up to ~650 bytes of memory per byte
            of a hostile document (SECURITY.md), so it gets a lower limit of its own.
    """

    __slots__ = ("max_bytes", "max_depth", "max_toml_bytes", "scan_skipped")
    max_bytes: int
    max_depth: int
    max_toml_bytes: int
    scan_skipped: bool

    def __init__(
        self,
        *,
        max_bytes: int = 256 * 1024 * 1024,
        max_depth: int = 256,
        scan_skipped: bool = False,
        max_toml_bytes: int = 1024 * 1024,
    ) -> None:
        if max_bytes < 1 or max_depth < 1 or max_toml_bytes < 1:
            raise ValueError("limits must be positive")
        # The codec picks its decoders for the limits in force: they never change in place.
        for name, value in (("max_bytes", max_bytes), ("max_depth", max_depth), ("scan_skipped", scan_skipped),
                            ("max_toml_bytes", max_toml_bytes)):  # fmt: skip
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("DecodeLimits is immutable: set_decode_limits(DecodeLimits(...)) replaces it")

    def __repr__(self) -> str:
        return (
            f"DecodeLimits(max_bytes={self.max_bytes}, max_depth={self.max_depth}, "
            f"scan_skipped={self.scan_skipped}, max_toml_bytes={self.max_toml_bytes})"
        )


_limits = DecodeLimits()


def get_decode_limits() -> DecodeLimits:
    """Return the limits in force for this process."""
    return _limits


# Called after every change of the limits: the codec keeps decoders chosen for them.
_listeners: list[Callable[[], None]] = []


def set_decode_limits(limits: DecodeLimits) -> DecodeLimits:
    """Replace the process-wide limits; returns the previous ones.

    Raises:
        TypeError: ``limits`` is not a :class:`DecodeLimits`.
    """
    global _limits
    if not isinstance(limits, DecodeLimits):
        raise TypeError(f"expected DecodeLimits, got {type(limits).__name__}")
    previous, _limits = _limits, limits
    for listener in _listeners:
        listener()
    return previous


def payload_size(data: bytes | bytearray | memoryview | str) -> int:
    """The size of a payload in bytes: ``nbytes`` for a memoryview, UTF-8 bytes for a str."""
    if isinstance(data, memoryview):
        return data.nbytes  # len() counts items, which may be wider than a byte
    if isinstance(data, str) and not data.isascii():
        return len(data.encode("utf-8", "surrogatepass"))
    return len(data)


def check_size(data: bytes | bytearray | memoryview | str, limits: DecodeLimits) -> None:
    """Refuse a payload larger than ``limits.max_bytes``."""
    # A str of more characters than the limit is too large whatever its encoding: refuse
    # it before paying for an encoded copy.
    size = len(data) if isinstance(data, str) and len(data) > limits.max_bytes else payload_size(data)
    if size > limits.max_bytes:
        raise ContractDecodeError(
            (
                ValidationIssue(
                    message=f"payload of {size} bytes exceeds the limit of {limits.max_bytes}",
                    kind="too_large",
                ),
            )
        )
