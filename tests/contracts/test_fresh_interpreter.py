"""Property 6: the same values give the same bytes and fingerprints in another process.

Values are drawn here, sent to a fresh interpreter as bytes, decoded there (rebuilding
sets and maps under another ``PYTHONHASHSEED``) and re-encoded; every byte and every
fingerprint must match what this process computed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings

import artifact_contracts
from artifact_contracts import dumps_json, dumps_msgpack, fingerprint
from artifact_contracts.registry import CONTRACT_TYPES
from artifact_contracts.testing import strategy_for
from tests.contracts.sample_types import SAMPLE_TYPES

ROOT = Path(__file__).resolve().parents[2]
PER_TYPE = 8


def draw(tp: type, count: int) -> list[Any]:
    """Draw ``count`` values of ``tp`` deterministically (derandomized, no database)."""
    found: list[Any] = []

    @settings(
        max_examples=count,
        derandomize=True,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy_for(tp))
    def collect(value: Any) -> None:
        found.append(value)

    collect()
    return found


def _child_env(seed: str) -> dict[str, str]:
    env = dict(os.environ)
    package_root = str(Path(artifact_contracts.__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join([package_root, str(ROOT), env.get("PYTHONPATH", "")])
    env["PYTHONHASHSEED"] = seed
    return env


@pytest.mark.slow
def test_bytes_and_fingerprints_do_not_depend_on_the_process() -> None:
    payloads, expected = [], []
    for tp in (*CONTRACT_TYPES, *SAMPLE_TYPES):
        for value in draw(tp, PER_TYPE):
            data_json, data_msgpack = dumps_json(value), dumps_msgpack(value)
            payloads.append({"type": f"{tp.__module__}:{tp.__qualname__}", "json": data_json.hex(),
                             "msgpack": data_msgpack.hex()})  # fmt: skip
            digest = fingerprint(value)
            expected.append({"json": data_json.hex(), "msgpack": data_msgpack.hex(),
                             "fingerprint_json": digest, "fingerprint_msgpack": digest})  # fmt: skip
    assert len(payloads) >= PER_TYPE * len(CONTRACT_TYPES)
    parent_seed = os.environ.get("PYTHONHASHSEED", "random")
    for seed in ("1", "4242"):
        assert seed != parent_seed
        result = subprocess.run(
            [sys.executable, "-m", "tests.contracts.fresh_interpreter"],
            input=json.dumps(payloads),
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=_child_env(seed),
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        actual = json.loads(result.stdout)
        mismatched = [(p["type"], e, a) for p, e, a in zip(payloads, expected, actual) if e != a]
        assert not mismatched, mismatched[:3]
        assert len(actual) == len(expected)
