"""The exported schema documents as files: rendered, shipped in the wheel, checked for staleness.

Two files, rendered from :func:`~artifact_contracts.registry.json_schema` and
:func:`~artifact_contracts.registry.openapi` as indented JSON with sorted keys and a
trailing newline, so that the same code always gives the same bytes:

- ``json-schema.json``: the JSON Schema 2020-12 document;
- ``openapi.json``: the OpenAPI 3.1 document.

They live in two places. ``artifact_contracts/schemas/`` is package data: every wheel
carries the documents of its own release (:func:`packaged_export` reads them). The
repository's top-level ``schemas/`` holds the committed copy that reviewers diff.
``artifact-contracts schema export`` writes both, ``artifact-contracts schema check``
fails when either differs from what the code renders.
"""

from __future__ import annotations

import difflib
import importlib.resources
from pathlib import Path
from typing import Final

import msgspec

from artifact_contracts.codec import dumps_json
from artifact_contracts.registry import json_schema, openapi

__all__ = [
    "EXPORT_NAMES",
    "diff_exports",
    "package_schema_dir",
    "packaged_export",
    "render_exports",
    "source_checkout_root",
    "write_exports",
]

EXPORT_NAMES: Final = ("json-schema.json", "openapi.json")
"""The file names of the exported documents, in every schema directory."""

_PACKAGE_DIR: Final = Path(__file__).resolve().parent


def _pretty(document: object) -> bytes:
    # dumps_json sorts every map; format only re-indents, it never reorders.
    return msgspec.json.format(dumps_json(document), indent=2) + b"\n"


def render_exports() -> dict[str, bytes]:
    r"""Render the exported documents from the code.

    Returns:
        File name to file contents, for each of :data:`EXPORT_NAMES`.

    Examples:
        >>> files = render_exports()
        >>> sorted(files) == sorted(EXPORT_NAMES)
        True
        >>> files["openapi.json"].startswith(b"{") and files["openapi.json"].endswith(b"}\n")
        True
    """
    return {"json-schema.json": _pretty(json_schema()), "openapi.json": _pretty(openapi())}


def package_schema_dir() -> Path:
    """Return the ``schemas/`` directory inside the installed package."""
    return _PACKAGE_DIR / "schemas"


def packaged_export(name: str) -> bytes:
    """Read one exported document shipped inside the package.

    Args:
        name: One of :data:`EXPORT_NAMES`.

    Returns:
        The file's bytes, as the release was built with them.

    Raises:
        ValueError: ``name`` is not an exported document.
        FileNotFoundError: The package was built without its exports.
    """
    if name not in EXPORT_NAMES:
        raise ValueError(f"not an exported document: {name!r} (expected one of {', '.join(EXPORT_NAMES)})")
    return importlib.resources.files("artifact_contracts").joinpath("schemas").joinpath(name).read_bytes()


def source_checkout_root() -> Path | None:
    """Return the repository root when the package is imported from its source tree.

    The package is in a checkout when it sits at ``<root>/contracts_pkg/src/artifact_contracts``
    (an editable install or ``PYTHONPATH``); an installed wheel has no checkout.
    """
    root = _PACKAGE_DIR.parents[2]
    if (
        root / "contracts_pkg" / "src" / "artifact_contracts" == _PACKAGE_DIR
        and (root / "contracts_pkg" / "pyproject.toml").is_file()
    ):
        return root
    return None


def write_exports(directory: Path) -> list[Path]:
    """Write the rendered documents into ``directory`` (created if missing).

    A file that already holds the right bytes is left untouched.

    Returns:
        The paths whose contents changed.
    """
    directory.mkdir(parents=True, exist_ok=True)
    changed = []
    for name, content in render_exports().items():
        path = directory / name
        if not path.is_file() or path.read_bytes() != content:
            path.write_bytes(content)
            changed.append(path)
    return changed


def diff_exports(directory: Path) -> list[str]:
    """Compare the documents in ``directory`` with what the code renders.

    Returns:
        Unified diff lines (``---``/``+++`` headers name the stale file); empty when
        every file is up to date.
    """
    lines: list[str] = []
    for name, expected in render_exports().items():
        path = directory / name
        actual = path.read_bytes() if path.is_file() else b""
        if actual == expected:
            continue
        lines.extend(
            difflib.unified_diff(
                actual.decode("utf-8", errors="replace").splitlines(keepends=True),
                expected.decode("utf-8").splitlines(keepends=True),
                fromfile=f"{path} (committed)" if path.is_file() else f"{path} (missing)",
                tofile=f"{path} (rendered from code)",
            )
        )
    return lines
