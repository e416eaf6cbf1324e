"""Read the golden payloads of a release and decode them with whatever package is installed.

Goldens are the harness's ``.golden`` files (``tests/golden.py``): a value's exact JSON
bytes (``== json ==``, one line) and MessagePack bytes (``== msgpack ==``, offset-prefixed
hex). Value goldens live at ``.../<Type>/<instance>.golden``; the folder names the contract
type. This module is stdlib-only plus the installed ``artifact_contracts``,
so it runs in a clean venv holding an old release (the forward check) as well as in the
repository (the backward check).
"""

from __future__ import annotations

import sys
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path
from typing import Any


def parse_golden(text: str) -> tuple[bytes | None, bytes | None]:
    """Return the exact JSON and MessagePack bytes a value golden records (None if absent)."""
    json_bytes: bytes | None = None
    msgpack_hex: list[str] = []
    lines = text.splitlines()
    section = None
    in_hex = False
    for i, line in enumerate(lines):
        if line.startswith("== ") and line.endswith(" =="):
            section = line[3:-3]
            in_hex = False
            if section == "json" and i + 1 < len(lines):
                json_bytes = lines[i + 1].encode("utf-8")
            continue
        if section == "msgpack":
            if line == "-- hex --":
                in_hex = True
            elif line.startswith("-- "):
                in_hex = False
            elif in_hex and line != "(empty)":
                msgpack_hex.extend(line.split()[1:])
    return json_bytes, (bytes.fromhex("".join(msgpack_hex)) if msgpack_hex else None)


def iter_value_goldens(
    root: Path, type_names: Collection[str]
) -> Iterator[tuple[str, Path, bytes | None, bytes | None]]:
    """Yield ``(type name, path, json bytes, msgpack bytes)`` for every value golden under ``root``.

    A golden's type is the innermost folder on its path named like one of ``type_names``.
    """
    for path in sorted(root.rglob("*.golden")):
        folders = path.relative_to(root).parts[:-1]
        name = next((part for part in reversed(folders) if part in type_names), None)
        if name is None:
            continue
        json_bytes, msgpack_bytes = parse_golden(path.read_text(encoding="utf-8"))
        if json_bytes is None and msgpack_bytes is None:
            continue
        yield name, path, json_bytes, msgpack_bytes


def decode_all(root: Path, types: Mapping[str, Any], must_decode: set[str] | None = None) -> tuple[set[str], list[str]]:
    """Decode every value golden whose type is in ``types``, in JSON and in MessagePack.

    Args:
        root: A goldens directory.
        types: Type name -> the installed package's class.
        must_decode: The type names whose failures count; ``None`` means all of ``types``.

    Returns:
        The names of the types with at least one golden decoded both ways, and a list of
        failures (``path: error``) of the types that must decode.
    """
    from artifact_contracts import ContractError, loads_json, loads_msgpack

    decoded: set[str] = set()
    failures: list[str] = []
    for name, path, json_bytes, msgpack_bytes in iter_value_goldens(root, types):
        cls = types[name]
        ok = True
        for label, data, loads in (("json", json_bytes, loads_json), ("msgpack", msgpack_bytes, loads_msgpack)):
            if data is None:
                continue
            try:
                loads(data, cls)
            except ContractError as exc:
                ok = False
                if must_decode is None or name in must_decode:
                    failures.append(f"{path.relative_to(root)} ({label}): {exc}")
        if ok:
            decoded.add(name)
    return decoded, failures


def main() -> int:
    """``python release_goldens.py GOLDENS [TYPE...]``: decode, failing on the listed types."""
    from artifact_contracts.registry import CONTRACT_TYPES

    root = Path(sys.argv[1])
    must = set(sys.argv[2:]) or None
    types = {t.__name__: t for t in CONTRACT_TYPES}
    decoded, failures = decode_all(root, types, must)
    for failure in failures:
        print(f"golden: {failure}", file=sys.stderr)
    print(f"goldens under {root}: {len(decoded)} types decoded, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
