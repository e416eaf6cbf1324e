"""Goldens of every registered contract type: wire bytes, JSON Schema, error shapes.

For each type in ``CONTRACT_TYPES`` (under ``goldens/<Type>/``) and each test-only sample
type (under ``goldens/samples/<Type>/``): the exact JSON and MessagePack bytes and the
fingerprint of its minimal and full instances, the normalized issues of its catalogue
of bad inputs and, for registered types, its exported JSON Schema with every component
it references. Run ``pytest tests/contracts --update-goldens`` to accept a change.
"""

from __future__ import annotations

from typing import Any

import pytest

from artifact_contracts import dumps_json, loads_json
from artifact_contracts.registry import CONTRACT_TYPES, json_schema
from tests.contracts.error_catalog import catalogue, outcome, render_catalogue
from tests.contracts.instances import representative
from tests.contracts.sample_types import SAMPLE_TYPES
from tests.golden import GOLDEN_SUFFIX, Golden

GOLDEN_TYPES = {t.__name__: t for t in CONTRACT_TYPES} | {f"samples/{t.__name__}": t for t in SAMPLE_TYPES}
INSTANCES = [(name, instance) for name, tp in GOLDEN_TYPES.items() for instance in representative(tp)]


def _schema_closure(name: str) -> dict[str, Any]:
    """The component of ``name`` and every component it references, transitively."""
    defs = json_schema()["$defs"]
    wanted, pending = set(), [name]
    while pending:
        current = pending.pop()
        if current in wanted:
            continue
        wanted.add(current)
        text = dumps_json(defs[current]).decode("utf-8")
        pending.extend(ref.split('"', 1)[0] for ref in text.split('"$ref":"#/$defs/')[1:])
    return {"$ref": f"#/$defs/{name}", "$defs": {n: defs[n] for n in sorted(wanted)}}


@pytest.mark.parametrize(("name", "instance"), INSTANCES, ids=[f"{n}/{i}" for n, i in INSTANCES])
def test_instance_wire_form(golden: Golden, name: str, instance: str) -> None:
    tp = GOLDEN_TYPES[name]
    value = representative(tp)[instance]
    assert loads_json(dumps_json(value), tp) == value
    golden.check_value(f"{name}/{instance}", value)


@pytest.mark.parametrize("tp", CONTRACT_TYPES, ids=[t.__name__ for t in CONTRACT_TYPES])
def test_json_schema(golden: Golden, tp: type) -> None:
    golden.check_document(f"{tp.__name__}/schema", _schema_closure(tp.__name__))


@pytest.mark.parametrize("name", list(GOLDEN_TYPES))
def test_error_shapes(golden: Golden, name: str) -> None:
    tp = GOLDEN_TYPES[name]
    instances = representative(tp)
    cases = catalogue(tp, instances["minimal"], instances["full"])
    results = {case.name: outcome(tp, case)[0] for case in cases}
    # The catalogue must cover the failures every type can have, whatever its shape.
    assert results["malformed JSON (truncated)"] == "ContractDecodeError"
    assert results["malformed MessagePack (0xc1 is never valid)"] == "ContractDecodeError"
    assert results["wrong type at the root"] == "ContractValidationError"
    strict = tp.__struct_config__.forbid_unknown_fields
    assert results["unknown field"] == ("ContractValidationError" if strict else "accepted")
    golden.check(f"{name}/errors", render_catalogue(tp, cases))


@pytest.mark.parametrize("tp", CONTRACT_TYPES, ids=[t.__name__ for t in CONTRACT_TYPES])
def test_every_registered_type_has_committed_goldens(golden: Golden, tp: type) -> None:
    # A newly registered type fails here until its goldens are generated and committed.
    expected = {"minimal", "full", "schema", "errors"}
    present = {p.name.removesuffix(GOLDEN_SUFFIX) for p in (golden.root / tp.__name__).glob(f"*{GOLDEN_SUFFIX}")}
    assert expected <= present, f"{tp.__name__} lacks goldens {sorted(expected - present)}"
