"""Fuzz every public decoder with every registered type: only ContractErrors escape.

Runs under the Hypothesis profile in force (tests/conftest.py): ``ci`` is short and
derandomized; ``HYPOTHESIS_PROFILE=fuzz`` runs the long campaign, e.g.::

    HYPOTHESIS_PROFILE=fuzz python3 -m pytest -q tests/contracts/test_fuzz.py

``tools/reliability_report.py`` runs the same machinery with an explicit budget per
decoder and writes docs/RELIABILITY.md.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from artifact_contracts import dumps_json, dumps_msgpack, loads_json, loads_msgpack, to_builtins
from artifact_contracts.registry import CONTRACT_TYPES
from artifact_contracts.testing import strategy_for
from tests.contracts.fuzzing import DECODERS, Decoder, check, emit, mutated, mutated_builtins, noise, tree_of

TARGETS: tuple[Any, ...] = (*CONTRACT_TYPES, Any)
DECODER_IDS = [d.name for d in DECODERS]
WIRE_DECODERS = [d for d in DECODERS if d.fmt != "builtins"]
MUTABLE_DECODERS = [d for d in DECODERS if d.fmt in ("json", "msgpack")]  # we can write valid payloads
CONVERT = next(d for d in DECODERS if d.fmt == "builtins")

# Generating a valid contract value costs more than decoding it; the health check would
# otherwise flag the big ones (PlanArtifacts) as slow to generate.
relaxed = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.mark.parametrize("decoder", WIRE_DECODERS, ids=lambda d: d.name)
@relaxed
@given(target=st.sampled_from(TARGETS), data=st.data())
def test_noise(decoder: Decoder, target: Any, data: st.DataObject) -> None:
    check(decoder.decode, data.draw(noise(decoder.fmt)), target, decoder.fmt)


@pytest.mark.parametrize("decoder", MUTABLE_DECODERS, ids=lambda d: d.name)
@relaxed
@given(target=st.sampled_from(CONTRACT_TYPES), data=st.data())
def test_mutated_payloads(decoder: Decoder, target: Any, data: st.DataObject) -> None:
    value = data.draw(strategy_for(target), label="valid value")
    payload = dumps_json(value) if decoder.fmt == "json" else dumps_msgpack(value)
    check(decoder.decode, data.draw(mutated(payload, decoder.fmt), label="mutated"), target, decoder.fmt)


@relaxed
@given(target=st.sampled_from(CONTRACT_TYPES), data=st.data())
def test_mutated_builtins_through_convert(target: Any, data: st.DataObject) -> None:
    value = data.draw(strategy_for(target), label="valid value")
    check(CONVERT.decode, data.draw(mutated_builtins(value), label="mutated"), target, "builtins")


@pytest.mark.parametrize("decoder", [*MUTABLE_DECODERS, CONVERT], ids=lambda d: d.name)
@relaxed
@given(target=st.sampled_from(CONTRACT_TYPES), data=st.data())
def test_valid_payloads_are_accepted(decoder: Decoder, target: Any, data: st.DataObject) -> None:
    # The other half of the property: the fuzzers would pass vacuously if nothing decoded.
    value = data.draw(strategy_for(target), label="valid value")
    if decoder.fmt == "builtins":
        payload: Any = to_builtins(value)
    else:
        payload = dumps_json(value) if decoder.fmt == "json" else dumps_msgpack(value)
    assert check(decoder.decode, payload, target, decoder.fmt) is True


@pytest.mark.parametrize("fmt", ["json", "msgpack"])
def test_the_structural_writer_reproduces_the_codec(fmt: str) -> None:
    value = {"b": [1, {"c": None}], "a": "x", "d": b"\x00" if fmt == "msgpack" else "AA=="}
    payload = dumps_json(value) if fmt == "json" else dumps_msgpack(value)
    assert emit(tree_of(payload, fmt), fmt) == payload


@pytest.mark.parametrize("fmt", ["json", "msgpack"])
def test_the_structural_writer_can_duplicate_keys(fmt: str) -> None:
    tree = tree_of(dumps_json({"a": 1}) if fmt == "json" else dumps_msgpack({"a": 1}), fmt)
    tree.append(("a", 2))
    payload = emit(tree, fmt)
    assert payload.count(b"a") == 2
    assert (loads_json(payload) if fmt == "json" else loads_msgpack(payload)) == {"a": 2}  # the last one wins


@pytest.mark.parametrize("decoder", DECODERS, ids=lambda d: d.name)
def test_a_crash_is_not_swallowed(decoder: Decoder) -> None:
    def crashing(data: Any, target: Any) -> Any:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        check(crashing, b"", Any, decoder.fmt)


@pytest.mark.parametrize(
    ("target", "payload"),
    [
        # Found by fuzz/atheris_codecs.py: an error inside a map key that is an array was
        # reported at "key[0]", a path without "$".
        (Any, b"\x81\x91\xd4\xff\x00\x01"),
        (dict[tuple[int, ...], int], b"\x81\x92\x01\xa1x\x01"),
    ],
)
def test_regressions(target: Any, payload: bytes) -> None:
    for decoder in WIRE_DECODERS:
        if decoder.fmt == "msgpack":
            assert check(decoder.decode, payload, target, decoder.fmt) is False
