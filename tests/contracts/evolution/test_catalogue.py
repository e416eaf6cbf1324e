"""The gate against the mutation catalogue: every verdict asserted, reasoned and measured.

For each mutation of :mod:`tests.contracts.evolution.catalogue` three things must agree:
the bump written in the catalogue (reasoned from msgspec's decoding rules), the bump the
gate derives from the two exported schema documents, and the bump measured by decoding
payloads across the two versions (:mod:`tests.contracts.evolution.differential`). The gate's
per-surface, per-direction breaks must equal the measured ones exactly.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import pytest

from artifact_contracts.evolution import Change, compare, required_bump
from artifact_contracts.evolution._rules import Breaks
from artifact_contracts.registry import json_schema, schema_document
from tests.contracts.evolution.catalogue import CATALOGUE, Mutation
from tests.contracts.evolution.differential import Measured, base_of, measure

IDS = [m.id for m in CATALOGUE]


@functools.cache
def _gate(m: Mutation) -> list[Change]:
    return compare(schema_document((m.old,)), schema_document((m.new,)))


@functools.cache
def _measured(m: Mutation) -> Measured:
    return measure(m.old, m.new, old_values=m.old_values, new_values=m.new_values, raw=m.raw)


def _gate_breaks(changes: list[Change]) -> Breaks:
    return functools.reduce(lambda a, c: a | Breaks(backward=c.backward, forward=c.forward), changes, Breaks())


@pytest.mark.parametrize("m", CATALOGUE, ids=IDS)
def test_the_gate_requires_the_reasoned_bump(m: Mutation) -> None:
    changes = _gate(m)
    assert required_bump(changes) == m.bump, [(c.rule, c.path, c.bump, c.message) for c in changes]


@pytest.mark.parametrize("m", CATALOGUE, ids=IDS)
def test_decoding_across_the_versions_measures_the_reasoned_bump(m: Mutation) -> None:
    measured = _measured(m)
    assert measured.bump(base_of(m.old)) == m.bump, measured.evidence


@pytest.mark.parametrize("m", CATALOGUE, ids=IDS)
def test_the_gate_names_what_breaks_per_surface_and_direction(m: Mutation) -> None:
    changes, measured = _gate(m), _measured(m)
    assert _gate_breaks(changes) == measured.breaks, (
        [(c.rule, c.backward, c.forward) for c in changes],
        measured.evidence,
    )


def _keywords(node: Any) -> Iterator[str]:
    """Every schema keyword used in ``node`` (property and definition names skipped)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("properties", "$defs", "mapping", "x-python"):
                for child in value.values():
                    yield from _keywords(child)
            else:
                yield key
                yield from _keywords(value)
    elif isinstance(node, list):
        for child in node:
            yield from _keywords(child)


def _changed_keywords(old: Any, new: Any) -> set[str]:
    """The keywords whose value differs between two schema nodes, at any depth."""
    if isinstance(old, dict) and isinstance(new, dict):
        found: set[str] = set()
        for key in old.keys() | new.keys():
            o, n = old.get(key), new.get(key)
            if o == n:
                continue
            if key not in ("properties", "$defs", "mapping"):
                found.add(key)
            if o is None or n is None:  # added or dropped: every keyword inside it changed
                found |= set(_keywords(n if o is None else o))
            found |= _changed_keywords(o, n)
        return found
    if isinstance(old, list) and isinstance(new, list):
        longer = old if len(old) > len(new) else new
        found = set().union(*(_changed_keywords(o, n) for o, n in zip(old, new)))
        return found | set(_keywords(longer[min(len(old), len(new)) :]))
    return set()


# A union's discriminator.propertyName is its members' tag field (x-tag-field), which
# tagged-tag-field-changed mutates; the measurement decodes members alone, not through
# a holder whose nested kinds change their tag key.
_DERIVED = {"propertyName"}


class TestTheCatalogueCoversTheExport:
    def test_at_least_eighty_mutations_on_every_base(self) -> None:
        assert len(CATALOGUE) >= 80
        assert len(set(IDS)) == len(IDS)
        assert {m.kind for m in CATALOGUE} == {"strict", "compat", "array_like", "tagged"}

    def test_every_bump_class_is_represented(self) -> None:
        assert {m.bump for m in CATALOGUE} == {"none", "patch", "minor", "major"}

    def test_every_keyword_the_export_emits_is_mutated(self) -> None:
        emitted = set(_keywords({"$defs": json_schema()["$defs"]}))
        mutated: set[str] = set()
        for m in CATALOGUE:
            old, new = schema_document((m.old,)), schema_document((m.new,))
            mutated |= _changed_keywords({"$defs": old["$defs"]}, {"$defs": new["$defs"]})
        assert emitted - mutated - _DERIVED == set()

    def test_every_python_surface_entry_is_mutated(self) -> None:
        mutated: set[str] = set()
        for m in CATALOGUE:
            old, new = schema_document((m.old,))["x-python"], schema_document((m.new,))["x-python"]
            mutated |= _changed_keywords(old.get("P", {}), new.get("P", {}))
            for wire in old.get("P", {}).keys() & new.get("P", {}).keys():
                mutated |= _changed_keywords(old["P"][wire], new["P"][wire])
        assert {"attribute", "type", "default"} <= mutated
