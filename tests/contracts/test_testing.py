"""``artifact_contracts.testing.strategy_for``: valid values, and the awkward ones too."""

from __future__ import annotations

import math
import re
from typing import Annotated, Any

import msgspec
import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from msgspec import Meta

from artifact_contracts import convert, to_builtins
from artifact_contracts.testing import INT_MAX, INT_MIN, strategy_for
from tests.contracts.sample_types import Record, Settings, Tree

SEARCH = settings(database=None, max_examples=1000, phases=[Phase.generate], suppress_health_check=list(HealthCheck))

CONSTRAINED = [
    (Annotated[int, Meta(ge=3, le=7)], lambda v: 3 <= v <= 7),
    (Annotated[int, Meta(gt=-10, lt=100, multiple_of=7)], lambda v: -10 < v < 100 and v % 7 == 0),
    (Annotated[float, Meta(gt=0.0, le=1.0)], lambda v: 0.0 < v <= 1.0),
    (Annotated[str, Meta(min_length=2, max_length=5)], lambda v: 2 <= len(v) <= 5),
    (Annotated[str, Meta(pattern=r"^sha256:[0-9a-f]{64}$")], lambda v: re.fullmatch(r"sha256:[0-9a-f]{64}", v)),
    (Annotated[str, Meta(pattern=r"[a-c]+z")], lambda v: re.search(r"[a-c]+z", v)),
    (Annotated[str, Meta(pattern=r"^[^x]{2}(?i:Q)$")], lambda v: re.search(r"^[^x]{2}(?i:Q)$", v)),
    (Annotated[str, Meta(pattern=r"^(?!.*\n)[a-z.]+$")], lambda v: re.fullmatch(r"[a-z.]+", v)),
    (Annotated[list[int], Meta(min_length=2, max_length=3)], lambda v: 2 <= len(v) <= 3),
    (Annotated[bytes, Meta(min_length=1, max_length=4)], lambda v: 1 <= len(v) <= 4),
    (Annotated[dict[str, int], Meta(max_length=1)], lambda v: len(v) <= 1),
]


@pytest.mark.parametrize(("tp", "holds"), CONSTRAINED, ids=[str(i) for i in range(len(CONSTRAINED))])
def test_meta_constraints_are_honoured(tp: Any, holds: Any) -> None:
    @given(strategy_for(tp))
    def check(value: Any) -> None:
        assert holds(value)
        assert convert(to_builtins(value), tp) == value

    check()


def _negative_zero(value: float) -> bool:
    return value == 0.0 and math.copysign(1.0, value) < 0


@pytest.mark.parametrize(
    ("tp", "condition"),
    [
        (float, _negative_zero),
        (int, lambda v: v == INT_MAX),
        (int, lambda v: v == INT_MIN),
        (list[str], lambda v: v == []),
        (dict[str, int], lambda v: any(not k.isascii() for k in v)),
        (Tree, lambda v: any(c.children for c in v.children)),
        (Record, lambda v: any(e.__struct_config__.tag == "scan" for e in v.events)),
        (Record, lambda v: isinstance(v.extra, dict) and v.extra),
        (Settings, lambda v: v.unset is msgspec.UNSET),
        (Settings, lambda v: v.unset == 0),
    ],
    ids=[
        "-0.0",
        "int-max",
        "int-min",
        "empty-list",
        "unicode-key",
        "recursion",
        "tagged-union",
        "any",
        "unset-absent",
        "unset-set",
    ],
)
def test_generates_the_values_that_break_naive_code(tp: Any, condition: Any) -> None:
    assert condition(find(strategy_for(tp), condition, settings=SEARCH))


def test_aware_datetimes_use_many_offsets() -> None:
    found = find(strategy_for(Record), lambda v: v.at.utcoffset() is not None, settings=SEARCH)
    assert found.at.tzinfo is not None


@pytest.mark.parametrize("tp", [msgspec.Raw, list[msgspec.Raw]])
def test_raw_has_no_strategy(tp: Any) -> None:
    with pytest.raises(TypeError, match=r"msgspec\.Raw"):
        strategy_for(tp)


def test_negative_size_is_refused() -> None:
    with pytest.raises(ValueError, match="max_collection_size"):
        strategy_for(int, max_collection_size=-1)
