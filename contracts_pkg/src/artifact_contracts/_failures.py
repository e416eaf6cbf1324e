"""How the decoders fail: every exception mapped onto the ContractError tree (private).

:func:`fail` turns whatever a decode raised into a
:class:`~artifact_contracts.ContractError` whose issues have ``$``-rooted paths (read as
errors.py describes, from a second decode one level down when the text has a location);
:func:`admit` checks a payload that is not plain ``bytes`` before it is decoded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec

from artifact_contracts.errors import (
    ContractDecodeError,
    ContractError,
    ContractValidationError,
    ValidationIssue,
    located_issue,
    unlocated_issue,
)
from artifact_contracts.limits import check_size, get_decode_limits

__all__ = ["UnknownExtCode", "admit", "fail", "rooted"]


class UnknownExtCode(Exception):
    """Raised by the ext hook for a code no payload type has."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def admit(data: object, allow_str: bool) -> Any:
    """Check a payload that is not plain ``bytes``: type, size; return what to decode.

    Raises:
        ContractDecodeError: Not bytes-like (or ``str`` where allowed), a released
            memoryview, or larger than ``max_bytes``.
    """
    if not (isinstance(data, (bytes, bytearray, memoryview)) or (allow_str and isinstance(data, str))):
        raise ContractDecodeError(
            (ValidationIssue(path="$", message=f"expected a bytes-like payload, got {type(data).__name__}",
                             kind="malformed"),)
        )  # fmt: skip
    if isinstance(data, memoryview):
        try:
            contiguous = data.c_contiguous
        except ValueError:  # released
            raise ContractDecodeError(
                (ValidationIssue(path="$", message="the memoryview is released", kind="malformed"),)
            ) from None
        if not contiguous:
            data = data.tobytes()
    check_size(data, get_decode_limits())
    return data


_INVALID_UTF8 = "Invalid UTF-8 encoded string"


def _other_issue(exc: BaseException) -> ValidationIssue:
    """The issue of an exception that is not msgspec's own."""
    if isinstance(exc, UnicodeError):
        # The words msgspec 0.23 uses for its own DecodeError (0.22 let UnicodeDecodeError
        # through): one message for one input, whichever msgspec decodes it.
        return ValidationIssue(path="$", message=_INVALID_UTF8, kind="invalid_utf8")
    if isinstance(exc, RecursionError):
        return ValidationIssue(path="$", message="nesting too deep to decode", kind="too_deep")
    if isinstance(exc, UnknownExtCode):
        return ValidationIssue(path="$", message=f"unknown MessagePack ext code {exc.code}", kind="unknown_ext_code")
    if isinstance(exc, MemoryError):
        return ValidationIssue(path="$", message="payload too large to decode", kind="too_large")
    return ValidationIssue(path="$", message=f"cannot decode: {type(exc).__name__}: {exc}", kind="malformed")


def rooted(error: ContractError, root: str) -> ContractError:
    """The same error with every path under ``root`` instead of ``$`` (a batch's item)."""
    if root == "$":
        return error
    issues = tuple(msgspec.structs.replace(i, path=root + i.path[1:]) for i in error.issues)
    return type(error)(issues)


def fail(exc: BaseException, redo: Callable[[], None], root: str = "$") -> ContractError:
    """Map any exception raised while decoding onto the ContractError hierarchy.

    ``redo`` decodes the input again wrapped one level down (``$[0]``); it runs only when
    the error text has a location, to read the true one (see errors.py).
    """
    if isinstance(exc, ContractError):
        return rooted(exc, root)
    if not isinstance(exc, msgspec.MsgspecError):
        return ContractDecodeError((_rooted_issue(_other_issue(exc), root),))
    if " - at `" not in str(exc):  # no location anywhere in the text: at the root
        issue = unlocated_issue(exc, root, at_root=True)
    else:
        try:
            redo()
        except msgspec.MsgspecError as again:
            wrapped = str(again)
        except Exception:  # the wrapped input failed otherwise: no location to trust
            wrapped = ""
        else:
            wrapped = ""
        issue = located_issue(exc, wrapped, "$[0]", root)
    error = ContractValidationError if isinstance(exc, msgspec.ValidationError) else ContractDecodeError
    return error((issue,))


def _rooted_issue(issue: ValidationIssue, root: str) -> ValidationIssue:
    return issue if root == "$" else msgspec.structs.replace(issue, path=root + issue.path[1:])
