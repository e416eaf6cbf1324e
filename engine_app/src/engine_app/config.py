"""Read an engine configuration or a pipeline spec from a TOML or JSON file.

Both are Strict contracts: the file is decoded through the contracts codec, so a typo
or a wrong value is a :class:`~artifact_contracts.ContractError` whose issues carry the
path of the bad field (``$.engine.target_partitions``). A file that is not valid TOML
or JSON is a :class:`~artifact_contracts.ContractDecodeError` as well, so callers handle
one exception family for every bad input.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from artifact_contracts import ContractDecodeError, ValidationIssue, loads_json, loads_toml
from artifact_contracts.models import EngineConfig, PipelineSpec

__all__ = ["load_engine_config", "load_input", "load_pipeline_spec"]

T = TypeVar("T")


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        issue = ValidationIssue(message=f"cannot read {path}: {exc.strerror or exc}", kind="malformed")
        raise ContractDecodeError((issue,)) from exc


def load_input(path: str | Path, target_type: type[T]) -> T:
    """Decode a TOML (``.toml``) or JSON (anything else) file into a Strict contract.

    Args:
        path: The file.
        target_type: The contract type to decode into.

    Returns:
        The validated value.

    Raises:
        ContractDecodeError: The file cannot be read or is not well-formed.
        ContractValidationError: The document does not match ``target_type``; its
            issues name the offending field.
    """
    path = Path(path)
    data = _read_bytes(path)
    if path.suffix.lower() == ".toml":
        return loads_toml(data, target_type)
    return loads_json(data, target_type)


def load_engine_config(path: str | Path) -> EngineConfig:
    """Read an :class:`~artifact_contracts.models.EngineConfig` from TOML or JSON.

    Args:
        path: The file.

    Returns:
        The validated configuration.
    """
    return load_input(path, EngineConfig)


def load_pipeline_spec(path: str | Path) -> PipelineSpec:
    """Read a :class:`~artifact_contracts.models.PipelineSpec` from TOML or JSON.

    Args:
        path: The file.

    Returns:
        The validated spec.
    """
    return load_input(path, PipelineSpec)
