"""Plan capture: SQL or a view in, :class:`~artifact_contracts.models.PlanArtifacts` out.

- :func:`plan_sql` / :func:`plan_dataframe`: explain rows, the information-schema
  snapshot and hash, canonical Substrait and its round-trip verdict, DataFusion proto
  where the table kind allows, the plan texts (table locations normalized) and the plan
  fingerprint; :func:`audit_bundle` collects every fingerprint for the audit.
- :func:`canonical_substrait`, :func:`to_canonical_bytes`, :func:`validate_roundtrip`,
  :func:`named_tables`: Substrait bytes that do not depend on HashMap order.
- :func:`snapshot_information_schema`: the catalog part a plan depends on.
- :class:`ViewRegistry`: views registered with a session and recorded as ``ViewArtifact``.
- :func:`plan_components`, :func:`capture_id`, :func:`normalize_physical`: a plan's parts
  that can change on their own (what ``diff`` compares) and the plan store's key.
- :func:`named_statements`, :func:`split_statements`, :func:`query_options`: named
  statements from SQL text (``-- name:`` comments), queries only.
"""

from __future__ import annotations

from engine_app.planning._capture import (
    audit_bundle,
    capture_id,
    normalize_physical,
    plan_components,
    plan_dataframe,
    plan_sql,
    query_options,
    schema_snapshot,
)
from engine_app.planning._infoschema import snapshot_information_schema
from engine_app.planning._statements import NamedStatement, named_statements, split_statements
from engine_app.planning._substrait import canonical_substrait, named_tables, to_canonical_bytes, validate_roundtrip
from engine_app.planning._views import RegisteredView, ViewRegistry

__all__ = [
    "NamedStatement",
    "RegisteredView",
    "ViewRegistry",
    "audit_bundle",
    "canonical_substrait",
    "capture_id",
    "named_statements",
    "named_tables",
    "normalize_physical",
    "plan_components",
    "plan_dataframe",
    "plan_sql",
    "query_options",
    "schema_snapshot",
    "snapshot_information_schema",
    "split_statements",
    "to_canonical_bytes",
    "validate_roundtrip",
]
