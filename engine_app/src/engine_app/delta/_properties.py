"""Write and schema policies as Delta table properties, and back.

Two families of properties record a policy on the table it governs:

- **Delta's own** (``delta.*``), which every Delta reader and writer honours:

  ====================================  ==============================================
  policy                                table property
  ====================================  ==============================================
  ``stats_policy="off"``                ``delta.dataSkippingNumIndexedCols = 0``
  ``stats_policy="explicit"``           ``delta.dataSkippingStatsColumns = a,b``
  ``stats_policy="auto"``               ``delta.dataSkippingNumIndexedCols = 32``
  ``target_file_size=N``                ``delta.targetFileSize = N``
  ``change_data_feed``                  ``delta.enableChangeDataFeed = true|false``
  ``partition_by``                      the table's partition columns (metadata)
  ====================================  ==============================================

- **The engine's** (``engine.writePolicy.<field>``, ``engine.schemaPolicy.<field>``, in
  camelCase, each value the field's JSON), one per policy field, plus
  ``engine.policyFingerprint``. They are the exact record: :func:`policies_from_table`
  rebuilds the policy snapshots from them (the write ``mode`` comes from the commit).

A new table gets both families at creation (``DeltaTable.create(configuration=...,
raise_if_key_not_exists=False)`` accepts the ``engine.*`` keys), in the one ``CREATE TABLE``
commit; a later policy change sets them with ``alter.set_table_properties`` (a metadata
commit). :data:`FINGERPRINT_KEY` and :data:`WRITE_ID_KEY` are also the custom-metadata
keys of every commit the write pipeline makes, so the Delta log alone ties each commit to
its policy.
"""

from __future__ import annotations

from typing import Any, Literal

from deltalake import DeltaTable

from artifact_contracts import convert, dumps_json, fingerprint, loads_json, to_builtins
from artifact_contracts.models import (
    DeltaSchemaPolicy,
    DeltaSchemaPolicySnapshot,
    DeltaWritePolicy,
    DeltaWritePolicySnapshot,
)

__all__ = [
    "AUTO_INDEXED_COLUMNS",
    "FINGERPRINT_KEY",
    "WRITE_ID_KEY",
    "delta_properties",
    "engine_properties",
    "policies_from_table",
    "policy_fingerprint",
    "snapshots",
]

FINGERPRINT_KEY = "engine.policyFingerprint"
"""Table property and commit custom-metadata key holding the policy fingerprint."""
WRITE_ID_KEY = "engine.writeId"
"""Commit custom-metadata key naming the write (pipeline call) a commit belongs to."""
AUTO_INDEXED_COLUMNS = "32"
"""Delta's default number of leading columns with stats, written for ``auto``."""

_WRITE_PREFIX = "engine.writePolicy."
_SCHEMA_PREFIX = "engine.schemaPolicy."
# Fields recorded elsewhere: partition_by is table metadata, mode belongs to each commit.
_NOT_PROPERTIES = frozenset({"partition_by", "mode"})


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def snapshots(
    write_policy: DeltaWritePolicy, schema_policy: DeltaSchemaPolicy
) -> tuple[DeltaWritePolicySnapshot, DeltaSchemaPolicySnapshot]:
    """Return the persisted (Compat) twins of the two input policies."""
    return (
        convert(to_builtins(write_policy), DeltaWritePolicySnapshot),
        convert(to_builtins(schema_policy), DeltaSchemaPolicySnapshot),
    )


def policy_fingerprint(
    write_policy: DeltaWritePolicy | DeltaWritePolicySnapshot,
    schema_policy: DeltaSchemaPolicy | DeltaSchemaPolicySnapshot,
) -> str:
    """Fingerprint the pair of policies; an input and its snapshot give the same one."""
    return fingerprint({"schema_policy": to_builtins(schema_policy), "write_policy": to_builtins(write_policy)})


def delta_properties(write_policy: DeltaWritePolicy) -> dict[str, str]:
    """Map a write policy onto Delta's own table properties (see the module table).

    Args:
        write_policy: The policy.

    Returns:
        Property name to value.
    """
    props: dict[str, str] = {"delta.enableChangeDataFeed": "true" if write_policy.change_data_feed else "false"}
    if write_policy.stats_policy == "off":
        props["delta.dataSkippingNumIndexedCols"] = "0"
    elif write_policy.stats_policy == "explicit":
        props["delta.dataSkippingStatsColumns"] = ",".join(write_policy.stats_columns)
    else:
        props["delta.dataSkippingNumIndexedCols"] = AUTO_INDEXED_COLUMNS
    if write_policy.target_file_size is not None:
        props["delta.targetFileSize"] = str(write_policy.target_file_size)
    return props


def _field_properties(prefix: str, policy: Any) -> dict[str, str]:
    plain = to_builtins(policy)
    props = {}
    for name in type(policy).__struct_fields__:
        if name in _NOT_PROPERTIES:
            continue
        # to_builtins omits defaults; write them too, so a later policy can reset a field.
        value = plain.get(name, to_builtins(getattr(policy, name)))
        props[prefix + _camel(name)] = dumps_json(value).decode()
    return props


def engine_properties(write_policy: DeltaWritePolicy, schema_policy: DeltaSchemaPolicy) -> dict[str, str]:
    """Map both policies onto the engine's table properties, one per field, plus the fingerprint.

    Args:
        write_policy: The write policy.
        schema_policy: The schema policy.

    Returns:
        Property name to value (JSON text).
    """
    props = _field_properties(_WRITE_PREFIX, write_policy)
    props.update(_field_properties(_SCHEMA_PREFIX, schema_policy))
    props[FINGERPRINT_KEY] = policy_fingerprint(write_policy, schema_policy)
    return props


def _fields_from(prefix: str, configuration: dict[str, str], policy_type: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for name in policy_type.__struct_fields__:
        raw = configuration.get(prefix + _camel(name))
        if raw is not None:
            fields[name] = loads_json(raw)
    return fields


def policies_from_table(
    table: DeltaTable, mode: Literal["append", "overwrite"] = "append"
) -> tuple[DeltaWritePolicySnapshot, DeltaSchemaPolicySnapshot, str | None]:
    """Rebuild the policy snapshots recorded on a table.

    Args:
        table: The table (at the version of interest).
        mode: The write mode, which is a property of a commit, not of the table.

    Returns:
        The write policy and schema policy snapshots, and the recorded fingerprint.

    Raises:
        ContractError: A recorded property does not decode into its policy field.
    """
    metadata = table.metadata()
    configuration = dict(metadata.configuration)
    write_fields = _fields_from(_WRITE_PREFIX, configuration, DeltaWritePolicy)
    write_fields["partition_by"] = list(metadata.partition_columns)
    write_fields["mode"] = mode
    write = convert(write_fields, DeltaWritePolicySnapshot)
    schema = convert(_fields_from(_SCHEMA_PREFIX, configuration, DeltaSchemaPolicy), DeltaSchemaPolicySnapshot)
    return write, schema, configuration.get(FINGERPRINT_KEY)
