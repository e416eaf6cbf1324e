"""Smoke test run *inside* a clean venv holding only the built artifact-contracts wheel.

Checks the installed version, that the wheel carries its schema exports and that they
match the code, and that a golden payload of every registered contract type decodes (JSON
and MessagePack). Exit status 1 on any failure. It imports nothing from the repository.
"""

from __future__ import annotations

import argparse
import json
import sys
from importlib import metadata, resources
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--version", required=True, help="the version the wheel must carry")
    parser.add_argument("--goldens", type=Path, required=True, help="golden payloads to decode")
    args = parser.parse_args()

    import artifact_contracts
    from artifact_contracts.registry import CONTRACT_TYPES, json_schema

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from release_goldens import decode_all

    problems: list[str] = []
    if artifact_contracts.__version__ != args.version or metadata.version("artifact-contracts") != args.version:
        problems.append(f"version {artifact_contracts.__version__} != {args.version}")
    if "site-packages" not in str(Path(artifact_contracts.__file__)):
        problems.append(f"imported from {artifact_contracts.__file__}, not the installed wheel")
    if not (resources.files("artifact_contracts") / "py.typed").is_file():
        problems.append("py.typed missing from the wheel")
    shipped = resources.files("artifact_contracts") / "schemas" / "json-schema.json"
    if not shipped.is_file():
        problems.append("the wheel carries no schemas/json-schema.json")
    elif json.loads(shipped.read_text())["$defs"] != json_schema()["$defs"]:
        problems.append("the shipped schema export is stale")
    decoded, failures = decode_all(args.goldens, {t.__name__: t for t in CONTRACT_TYPES})
    problems += failures
    missing = sorted({t.__name__ for t in CONTRACT_TYPES} - decoded)
    if missing:
        problems.append(f"no golden payload decoded for: {', '.join(missing)}")
    for problem in problems:
        print(f"smoke: {problem}", file=sys.stderr)
    print(f"smoke: artifact-contracts {args.version}: {len(decoded)} types decoded, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
