"""The y_ and n_ parsing cases of nst/JSONTestSuite (MIT; see corpora/JSONTestSuite/)."""

from __future__ import annotations

from pathlib import Path

import pytest

from artifact_contracts import ContractDecodeError, loads_json, loads_msgpack

CASES = Path(__file__).parent / "corpora" / "JSONTestSuite" / "test_parsing"
ACCEPT = sorted(p.name for p in CASES.glob("y_*.json"))
REJECT = sorted(p.name for p in CASES.glob("n_*.json"))


def test_corpus_is_present() -> None:
    assert len(ACCEPT) >= 90 and len(REJECT) >= 180
    assert (CASES.parent / "LICENSE").exists() and (CASES.parent / "SOURCE.txt").exists()


@pytest.mark.parametrize("name", ACCEPT)
def test_accepts(name: str) -> None:
    loads_json((CASES / name).read_bytes())


@pytest.mark.parametrize("name", REJECT)
def test_rejects_with_decode_error(name: str) -> None:
    with pytest.raises(ContractDecodeError) as info:
        loads_json((CASES / name).read_bytes())
    assert info.value.issues and info.value.issues[0].path.startswith("$")


@pytest.mark.parametrize("name", REJECT + ACCEPT)
def test_never_escapes_as_msgpack(name: str) -> None:
    try:
        loads_msgpack((CASES / name).read_bytes())
    except ContractDecodeError:
        pass
