"""Coverage-guided fuzzing of the two public decoders with atheris (libFuzzer).

Not part of CI. Run, for as long as you like (libFuzzer flags pass through)::

    python3 -m hatch run fuzz:codecs -atheris_runs=1000000
    python3 fuzz/atheris_codecs.py -max_total_time=600 fuzz/corpus

The first input byte picks the format and the target type (every registered contract
type, and ``Any``); the rest is the payload. Only ``ContractError`` with ``$``-rooted
issue paths may come out; anything else is reported by libFuzzer as a crash, with the
input saved to ``crash-*`` for replay (``python3 fuzz/atheris_codecs.py crash-...``).
"""

from __future__ import annotations

import sys
from typing import Any

import atheris

with atheris.instrument_imports(include=["artifact_contracts"]):
    from artifact_contracts import ContractError, loads_json, loads_msgpack
    from artifact_contracts.registry import CONTRACT_TYPES

TARGETS: tuple[Any, ...] = (*CONTRACT_TYPES, Any)


def one_input(data: bytes) -> None:
    """Decode one input; raise (a crash for libFuzzer) unless it is refused properly."""
    if not data:
        return
    selector, payload = data[0], data[1:]
    target = TARGETS[(selector >> 1) % len(TARGETS)]
    loads = loads_msgpack if selector & 1 else loads_json
    try:
        loads(payload, target)
    except ContractError as exc:
        if not exc.issues or not all(issue.path.startswith("$") for issue in exc.issues):
            raise AssertionError(f"a refusal without a proper path: {exc.issues!r}") from exc


def main() -> None:
    """Hand the harness to libFuzzer with the command line's flags."""
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
