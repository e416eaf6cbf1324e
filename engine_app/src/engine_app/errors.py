"""The engine's own error type and the one way it turns foreign errors into text."""

from __future__ import annotations

import re

__all__ = ["EngineError", "error_text"]

# DataFusion errors name the Rust source file they come from, an absolute path in the
# build machine's cargo registry; a recorded reason must not depend on that machine.
_SOURCE_PATH = re.compile(r"(?:/[^\s/]+)+\.rs:\d+")


class EngineError(Exception):
    """A failure the user can act on (bad table path, unknown fingerprint, ...).

    The command line prints its message without a traceback and exits non-zero.
    """


def error_text(exc: BaseException) -> str:
    """Return an exception's message on one line, without machine-specific source paths.

    DataFusion chains causes over several lines (``... caused by ...``); they are
    joined with ``: `` so that a table cell or a JSON field holds the whole story.

    Args:
        exc: Any exception.

    Returns:
        The message, or the exception's type name when it has none.
    """
    lines = [line.strip() for line in str(exc).splitlines()]
    text = ": ".join(line for line in lines if line and line != "caused by")
    return _SOURCE_PATH.sub("<source>", text) or type(exc).__name__
