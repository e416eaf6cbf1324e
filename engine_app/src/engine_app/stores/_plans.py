"""The artifact stores: plan and view artifacts as Delta tables under the warehouse.

``datafusion_plan_artifacts_v<N>`` and ``datafusion_view_artifacts_v<N>`` (``N`` is
:data:`PLAN_ARTIFACT_SCHEMA_VERSION`; a new ``N`` is a new table, a hard cutover) hold
queryable columns (fingerprint, view name, contract version and hash, creation time)
and ``payload``, the artifact's ``dumps_msgpack`` encoding: Substrait and DataFusion
proto bytes travel as MessagePack ext values 10 and 11, never as base64. Every read
decodes at the boundary into the Compat Structs; a row that does not decode becomes a
diagnostics event naming it and the other rows are still returned. Writing a plan
whose fingerprint is already stored changes nothing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import msgspec
import pyarrow as pa
import pyarrow.compute as pc

import artifact_contracts
from artifact_contracts import dumps_msgpack, loads_msgpack
from artifact_contracts.models import (
    PLAN_ARTIFACT_SCHEMA_VERSION,
    DeterminismAuditBundle,
    PlanArtifactRow,
    PlanArtifacts,
    PlanningEnvironment,
    ViewArtifact,
    ViewArtifactRow,
)
from artifact_contracts.registry import contract_hash
from engine_app.lake import relative_uri, utc_now
from engine_app.planning import audit_bundle
from engine_app.stores._table import DecodedRows, DeltaRowTable

__all__ = [
    "PLAN_TABLE",
    "PlanArtifactStore",
    "StoredPlan",
    "VIEW_TABLE",
    "ViewArtifactStore",
    "relative_to",
]

PLAN_TABLE = f"datafusion_plan_artifacts_v{PLAN_ARTIFACT_SCHEMA_VERSION}"
"""The plan artifact table's name under the warehouse directory."""
VIEW_TABLE = f"datafusion_view_artifacts_v{PLAN_ARTIFACT_SCHEMA_VERSION}"
"""The view artifact table's name under the warehouse directory."""

_TIMESTAMP = pa.timestamp("us", tz="UTC")

_PLAN_SCHEMA = pa.schema(
    [
        pa.field("plan_fingerprint", pa.string(), nullable=False),
        pa.field("view_name", pa.string()),
        pa.field("contract_version", pa.string(), nullable=False),
        pa.field("contract_hash", pa.string(), nullable=False),
        pa.field("created_at", _TIMESTAMP, nullable=False),
        pa.field("payload", pa.binary(), nullable=False),
        pa.field("environment", pa.binary()),
        pa.field("audit_bundle", pa.binary()),
    ]
)

_VIEW_SCHEMA = pa.schema(
    [
        pa.field("view_name", pa.string(), nullable=False),
        pa.field("plan_fingerprint", pa.string(), nullable=False),
        pa.field("contract_version", pa.string(), nullable=False),
        pa.field("contract_hash", pa.string(), nullable=False),
        pa.field("created_at", _TIMESTAMP, nullable=False),
        pa.field("payload", pa.binary(), nullable=False),
    ]
)


def relative_to(environment: PlanningEnvironment, warehouse: Path) -> PlanningEnvironment:
    """Record the locations of tables inside the warehouse relative to it.

    A copied or moved warehouse then still holds everything its audit needs.

    Args:
        environment: A session's environment (absolute locations).
        warehouse: The warehouse directory.

    Returns:
        The environment with those locations relative (POSIX separators).
    """
    tables = []
    for table in environment.tables:
        location = Path(table.location)
        if location.is_absolute():
            table = msgspec.structs.replace(table, location=relative_uri(location, warehouse))
        tables.append(table)
    return msgspec.structs.replace(environment, tables=tuple(tables))


def _subject(index: int, raw: dict[str, Any]) -> str:
    name = raw.get("plan_fingerprint") or raw.get("view_name") or "?"
    return f"row {index} ({name})"


@dataclasses.dataclass(frozen=True)
class StoredPlan:
    """A decoded row of the plan store."""

    row: PlanArtifactRow
    artifacts: PlanArtifacts
    environment: PlanningEnvironment | None
    bundle: DeterminismAuditBundle | None


def _decode_plan(row: PlanArtifactRow) -> StoredPlan:
    return StoredPlan(
        row=row,
        artifacts=loads_msgpack(row.payload, PlanArtifacts),
        environment=(loads_msgpack(row.environment, PlanningEnvironment) if row.environment is not None else None),
        bundle=(loads_msgpack(row.audit_bundle, DeterminismAuditBundle) if row.audit_bundle is not None else None),
    )


class PlanArtifactStore:
    """The warehouse's plan artifacts.

    Args:
        warehouse: The warehouse directory (the table is created on first write).
    """

    def __init__(self, warehouse: Path) -> None:
        self.table = DeltaRowTable(Path(warehouse) / PLAN_TABLE, PlanArtifactRow, _PLAN_SCHEMA, ("plan_fingerprint",))

    @property
    def path(self) -> Path:
        """The Delta table's root."""
        return self.table.path

    def append(self, artifacts: Sequence[PlanArtifacts], environment: PlanningEnvironment | None = None) -> int:
        """Store plans whose fingerprint is not stored yet, in one commit.

        Args:
            artifacts: The plans.
            environment: The session they were planned in (for the audit).

        Returns:
            How many rows were written.
        """
        created_at = utc_now()
        schema_hash = contract_hash()
        env_bytes = dumps_msgpack(relative_to(environment, self.path.parent)) if environment is not None else None
        rows = [
            PlanArtifactRow(
                plan_fingerprint=a.plan_fingerprint,
                view_name=a.view_name,
                contract_version=artifact_contracts.__version__,
                contract_hash=schema_hash,
                created_at=created_at,
                payload=dumps_msgpack(a),
                environment=env_bytes,
                audit_bundle=dumps_msgpack(audit_bundle(a, schema_hash)),
            )
            for a in artifacts
        ]
        return self.table.insert_absent(rows)

    def list(self) -> DecodedRows[StoredPlan]:
        """Read every stored plan, oldest first.

        Returns:
            The plans that decode and a diagnostics event per row that does not.
        """
        reads = self.table.read()
        table = reads.table.sort_by([("created_at", "ascending"), ("plan_fingerprint", "ascending")])
        return self.table.decode(table, _decode_plan, subject=_subject, prior=reads.events)

    def get(self, plan_fingerprint: str) -> DecodedRows[StoredPlan]:
        """Read the plan stored under a fingerprint.

        Args:
            plan_fingerprint: ``sha256:...``.

        Returns:
            At most one plan, or the event explaining why its row does not decode.
        """
        reads = self.table.read(pc.field("plan_fingerprint") == plan_fingerprint)
        return self.table.decode(reads.table, _decode_plan, subject=_subject, prior=reads.events)


class ViewArtifactStore:
    """The warehouse's view artifacts, one row per (view name, plan fingerprint).

    Args:
        warehouse: The warehouse directory.
    """

    def __init__(self, warehouse: Path) -> None:
        self.table = DeltaRowTable(
            Path(warehouse) / VIEW_TABLE, ViewArtifactRow, _VIEW_SCHEMA, ("view_name", "plan_fingerprint")
        )

    @property
    def path(self) -> Path:
        """The Delta table's root."""
        return self.table.path

    def append(self, views: Sequence[ViewArtifact]) -> int:
        """Store view artifacts not stored yet, in one commit.

        Args:
            views: The views.

        Returns:
            How many rows were written.
        """
        created_at = utc_now()
        schema_hash = contract_hash()
        rows = [
            ViewArtifactRow(
                view_name=v.name,
                plan_fingerprint=v.plan_fingerprint,
                contract_version=artifact_contracts.__version__,
                contract_hash=schema_hash,
                created_at=created_at,
                payload=dumps_msgpack(v),
            )
            for v in views
        ]
        return self.table.insert_absent(rows)

    def list(self) -> DecodedRows[ViewArtifact]:
        """Read every stored view artifact, oldest first.

        Returns:
            The views that decode and a diagnostics event per row that does not.
        """
        reads = self.table.read()
        table = reads.table.sort_by([("created_at", "ascending"), ("view_name", "ascending")])
        return self.table.decode(
            table, lambda row: loads_msgpack(row.payload, ViewArtifact), subject=_subject, prior=reads.events
        )
