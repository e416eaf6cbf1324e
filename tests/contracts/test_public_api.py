from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest

import artifact_contracts

# Every public module, subpackages included (``evolution``, ``models.types``...).
MODULES = sorted(
    info.name.removeprefix("artifact_contracts.")
    for info in pkgutil.walk_packages(artifact_contracts.__path__, "artifact_contracts.")
    if not any(part.startswith("_") for part in info.name.split("."))
)


def test_all_is_sorted_and_unique() -> None:
    assert list(artifact_contracts.__all__) == sorted(set(artifact_contracts.__all__))


def test_all_matches_public_names() -> None:
    public = {
        name
        for name, value in vars(artifact_contracts).items()
        if not name.startswith("_") and not inspect.ismodule(value)
    }
    assert public | {"__version__"} == set(artifact_contracts.__all__)


@pytest.mark.parametrize(
    "name",
    [
        "StructBaseStrict", "StructBaseCompat", "dumps_json", "dumps_msgpack", "loads_json",
        "loads_msgpack", "convert", "to_builtins", "encode_json_into", "encode_msgpack_into",
        "SUBSTRAIT_EXT_CODE", "DF_PROTO_EXT_CODE", "SubstraitBytes", "DataFusionProtoBytes",
        "ContractError", "ContractDecodeError", "ContractValidationError", "ValidationIssue",
        "fingerprint", "__version__", "CONTRACT_TYPES", "contract_hash", "contract_type", "json_schema", "openapi",
        "loads_toml", "loads_json_batch", "loads_msgpack_batch",
    ],
)  # fmt: skip
def test_relied_on_names_are_exported(name: str) -> None:
    assert name in artifact_contracts.__all__


@pytest.mark.parametrize("module", MODULES)
def test_every_public_module_has_sorted_all(module: str) -> None:
    mod = importlib.import_module(f"artifact_contracts.{module}")
    assert list(mod.__all__) == sorted(mod.__all__)
    for name in mod.__all__:
        assert hasattr(mod, name), f"{module}.__all__ names missing {name}"


def test_version_matches_metadata() -> None:
    from importlib.metadata import version

    assert artifact_contracts.__version__ == version("artifact-contracts")


def test_py_typed_is_shipped() -> None:
    assert (Path(artifact_contracts.__file__).parent / "py.typed").exists()


@pytest.mark.parametrize("module", MODULES)
def test_doctests(module: str) -> None:
    import doctest

    mod = importlib.import_module(f"artifact_contracts.{module}")
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
