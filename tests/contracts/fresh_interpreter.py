"""Re-encode values in a fresh interpreter: the child side of property 6.

Run as ``python -m tests.contracts.fresh_interpreter``. Reads a JSON list of
``{"type": "module:QualName", "json": hex, "msgpack": hex}`` on stdin, decodes each
payload into its type (so sets, dicts and Structs are rebuilt under this process's
``PYTHONHASHSEED``), and writes, for each, the hex of both re-encodings and the
fingerprints of both decoded values as a JSON list on stdout.
"""

from __future__ import annotations

import importlib
import json
import sys
from typing import Any

from artifact_contracts import dumps_json, dumps_msgpack, fingerprint, loads_json, loads_msgpack


def _resolve(name: str) -> Any:
    module, _, qualname = name.partition(":")
    target: Any = importlib.import_module(module)
    for part in qualname.split("."):
        target = getattr(target, part)
    return target


def reencode(payload: dict[str, str]) -> dict[str, str]:
    """Decode one payload both ways and report what the values encode to."""
    tp = _resolve(payload["type"])
    from_json = loads_json(bytes.fromhex(payload["json"]), tp)
    from_msgpack = loads_msgpack(bytes.fromhex(payload["msgpack"]), tp)
    return {
        "json": dumps_json(from_msgpack).hex(),
        "msgpack": dumps_msgpack(from_json).hex(),
        "fingerprint_json": fingerprint(from_json),
        "fingerprint_msgpack": fingerprint(from_msgpack),
    }


def main() -> int:
    """Process stdin to stdout; see the module docstring."""
    payloads = json.load(sys.stdin)
    json.dump([reencode(p) for p in payloads], sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
