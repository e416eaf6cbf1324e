"""The engine's exception tree, and the one way it turns foreign errors into text.

Every error the engine raises on purpose is an :class:`EngineError`; the command line
prints its message on one line (no traceback) and exits 2, or 1 for the two that are a
failure of the work rather than of its input (:class:`CommitConflictError`,
:class:`StoreError`)::

    EngineError                  a failure the user can act on (bad path, unknown fingerprint)
    ├── PlanningError            a statement does not parse or plan
    └── DeltaIOError             a Delta read or write refused or not completed (.issues)
        ├── PolicyError          the write policy cannot apply (before any commit)
        ├── SchemaPolicyError    the data does not fit the schema policy (before any commit)
        ├── CommitConflictError  concurrent commits outlasted the retry bound
        ├── ProtocolGateError    the table's protocol is outside the gate (before any data)
        └── StoreError           a store's Delta log cannot be read (a damaged commit file)

Bad *input documents* (a spec, a config, a policy file) are not engine errors: they raise
:class:`artifact_contracts.ContractError` subclasses, whose issues carry ``$``-rooted paths.
"""

from __future__ import annotations

import re

from artifact_contracts import ValidationIssue

__all__ = [
    "CommitConflictError",
    "DeltaIOError",
    "EngineError",
    "PlanningError",
    "PolicyError",
    "ProtocolGateError",
    "SchemaPolicyError",
    "StoreError",
    "error_text",
]

# DataFusion errors name the Rust source file they come from, an absolute path in the
# build machine's cargo registry; a recorded reason must not depend on that machine.
_SOURCE_PATH = re.compile(r"(?:/[^\s/]+)+\.rs:\d+")
# With RUST_BACKTRACE set, deltalake appends a backtrace to the message: "  3: <frame>" lines,
# each maybe followed by an "at <file>:<line>" line. It is no part of what went wrong.
_BACKTRACE_LINE = re.compile(r"^(?:\d+: |at \S+:\d+(?::\d+)?$|stack backtrace:$)", re.IGNORECASE)


class EngineError(Exception):
    """A failure the user can act on (bad table path, unknown fingerprint, ...).

    The command line prints its message without a traceback and exits non-zero.
    """


class PlanningError(EngineError):
    """A statement does not parse or plan."""


class DeltaIOError(EngineError):
    """A Delta read or write the engine refused or could not complete.

    Args:
        message: What went wrong, for a person.
        issues: The individual problems, with a path into the offending input.
    """

    def __init__(self, message: str, issues: tuple[ValidationIssue, ...] = ()) -> None:
        super().__init__(message)
        self.issues = issues


class PolicyError(DeltaIOError):
    """The write policy cannot apply to this data or table (checked before any commit)."""


class SchemaPolicyError(DeltaIOError):
    """The data does not fit the schema policy or the table's schema (before any commit)."""


class CommitConflictError(DeltaIOError):
    """Conflicting commits kept winning until the retry bound ran out."""


class ProtocolGateError(DeltaIOError):
    """The table's protocol versions or features are outside the gate (before any data is read)."""


class StoreError(DeltaIOError):
    """A store's table cannot be opened: its Delta log is damaged or unreadable."""


def error_text(exc: BaseException) -> str:
    """Return an exception's message on one line, without machine-specific source paths.

    DataFusion chains causes over several lines (``... caused by ...``); they are
    joined with ``: `` so that a table cell or a JSON field holds the whole story. A Rust
    backtrace (deltalake appends one when ``RUST_BACKTRACE`` is set) is dropped.

    Args:
        exc: Any exception.

    Returns:
        The message, or the exception's type name when it has none.
    """
    lines = [line.strip() for line in str(exc).splitlines()]
    kept = (line for line in lines if line and line != "caused by" and not _BACKTRACE_LINE.match(line))
    text = ": ".join(kept)
    return _SOURCE_PATH.sub("<source>", text) or type(exc).__name__
