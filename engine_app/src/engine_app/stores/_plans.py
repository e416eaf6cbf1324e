"""The plan and view artifact stores.

``datafusion_plan_artifacts_v<N>`` and ``datafusion_view_artifacts_v<N>`` (``N`` is
:data:`PLAN_ARTIFACT_SCHEMA_VERSION`; a new ``N`` is a new table, a hard cutover) hold
queryable columns (fingerprint, view name, SQL, whether Substrait round-tripped, contract
version and hash, creation time) and ``payload``, the artifact's ``dumps_msgpack``
encoding: Substrait and DataFusion proto bytes travel as MessagePack ext values 10 and
11, never as base64. The plan store also keeps each plan's planning environment and
audit bundle as MessagePack. Writing a plan whose fingerprint is already stored changes
nothing.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import msgspec
import pyarrow as pa
import pyarrow.compute as pc

import artifact_contracts
from artifact_contracts import convert, dumps_msgpack, loads_msgpack
from artifact_contracts.models import (
    PLAN_ARTIFACT_SCHEMA_VERSION,
    DeterminismAuditBundle,
    PlanArtifactRow,
    PlanArtifacts,
    PlanningEnvironment,
    ViewArtifact,
)
from artifact_contracts.registry import contract_hash
from engine_app.lake import Location, relative_uri
from engine_app.planning import audit_bundle, capture_id
from engine_app.stores._table import TIMESTAMP, Column, Decoded, Reads, Store, StoreSpec, field_column

__all__ = [
    "PLAN_LISTING_COLUMNS",
    "PLAN_SPEC",
    "PLAN_TABLE",
    "PlanArtifactStore",
    "StoredPlan",
    "VIEW_SPEC",
    "VIEW_TABLE",
    "ViewArtifactStore",
    "relative_to",
]

PLAN_TABLE = f"datafusion_plan_artifacts_v{PLAN_ARTIFACT_SCHEMA_VERSION}"
"""The plan artifact table's name under the warehouse directory."""
VIEW_TABLE = f"datafusion_view_artifacts_v{PLAN_ARTIFACT_SCHEMA_VERSION}"
"""The view artifact table's name under the warehouse directory."""

_CONTRACT = (
    Column(pa.field("contract_version", pa.string(), nullable=False), lambda _: artifact_contracts.__version__),
    Column(pa.field("contract_hash", pa.string(), nullable=False), lambda _: contract_hash()),
    Column(pa.field("created_at", TIMESTAMP, nullable=False), lambda row: row.written_at),
)

PLAN_SPEC = StoreSpec(
    table=PLAN_TABLE,
    record=PlanArtifacts,
    columns=(
        Column(pa.field("capture_id", pa.string(), nullable=False), lambda row: capture_id(row.record)),
        field_column(PlanArtifacts, "plan_fingerprint"),
        field_column(PlanArtifacts, "view_name"),
        Column(pa.field("sql", pa.string()), lambda row: row.record.sql),
        Column(pa.field("substrait_roundtrip", pa.bool_()), lambda row: row.record.substrait_validation.roundtrip_ok),
        *_CONTRACT,
        Column(pa.field("environment", pa.binary()), lambda row: row.extras.get("environment")),
        Column(
            pa.field("audit_bundle", pa.binary()),
            lambda row: dumps_msgpack(audit_bundle(row.record, contract_hash())),
        ),
    ),
    key=("capture_id",),
    order=("created_at", "plan_fingerprint", "capture_id"),
)
"""The plan store's declaration."""

VIEW_SPEC = StoreSpec(
    table=VIEW_TABLE,
    record=ViewArtifact,
    columns=(
        field_column(ViewArtifact, "name", "view_name"),
        field_column(ViewArtifact, "plan_fingerprint"),
        *_CONTRACT,
    ),
    key=("view_name", "plan_fingerprint"),
    order=("created_at", "view_name"),
)
"""The view store's declaration."""

PLAN_LISTING_COLUMNS = (
    "capture_id",
    "plan_fingerprint",
    "view_name",
    "sql",
    "substrait_roundtrip",
    "contract_version",
    "contract_hash",
    "created_at",
)
"""The columns a plan listing reads (never the payloads)."""


def relative_to(environment: PlanningEnvironment, warehouse: Path | str | Location) -> PlanningEnvironment:
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
        if Path(table.location).is_absolute() or "://" in table.location:
            table = msgspec.structs.replace(table, location=relative_uri(Location.of(table.location), warehouse))
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


def _decode_plan(raw: dict[str, Any]) -> StoredPlan:
    row = convert({name: raw[name] for name in PlanArtifactRow.__struct_fields__}, PlanArtifactRow)
    return StoredPlan(
        row=row,
        artifacts=loads_msgpack(row.payload, PlanArtifacts),
        environment=(loads_msgpack(row.environment, PlanningEnvironment) if row.environment is not None else None),
        bundle=(loads_msgpack(row.audit_bundle, DeterminismAuditBundle) if row.audit_bundle is not None else None),
    )


def _prefix_filter(prefix: str) -> pc.Expression:
    """Rows whose fingerprint starts with ``prefix``, as a range the file stats can prune by."""
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return (pc.field("plan_fingerprint") >= prefix) & (pc.field("plan_fingerprint") < upper)


class PlanArtifactStore:
    """The warehouse's plan artifacts.

    Args:
        warehouse: The warehouse (the table is created on first write).
    """

    def __init__(self, warehouse: Location | str | os.PathLike[str]) -> None:
        root = Location.of(warehouse)
        self.warehouse = root
        self.store = Store(root.join(PLAN_TABLE), PLAN_SPEC)

    @property
    def location(self) -> Location:
        """The Delta table's location."""
        return self.store.location

    @property
    def path(self) -> Path:
        """The Delta table's directory (a local warehouse only)."""
        return self.location.path

    def exists(self) -> bool:
        """Whether the table has been created."""
        return self.store.exists()

    def append(self, artifacts: Sequence[PlanArtifacts], environment: PlanningEnvironment | None = None) -> int:
        """Store plans whose fingerprint is not stored yet, in one commit.

        Args:
            artifacts: The plans.
            environment: The session they were planned in (for the audit).

        Returns:
            How many rows were written.
        """
        env_bytes = dumps_msgpack(relative_to(environment, self.warehouse)) if environment is not None else None
        return self.store.write(artifacts, extras={"environment": env_bytes})

    def listing(self) -> Reads:
        """The queryable columns of every stored plan, oldest first (no payload is read)."""
        return self.store.sorted(self.store.read(PLAN_LISTING_COLUMNS))

    def list(self) -> Decoded[StoredPlan]:
        """Read and decode every stored plan, oldest first.

        Returns:
            The plans that decode and a diagnostics event per row that does not.
        """
        return self.store.decode_with(self.store.sorted(self.store.read()), _decode_plan, _subject)

    def get(self, plan_fingerprint: str) -> Decoded[StoredPlan]:
        """Read the captures of a plan fingerprint, newest first (only the files that can hold it).

        Args:
            plan_fingerprint: ``sha256:...``.

        Returns:
            Every capture of the plan (one per physical plan and environment it was planned
            with), or the events explaining why rows do not decode.
        """
        reads = self.store.read(filter_expression=pc.field("plan_fingerprint") == plan_fingerprint)
        decoded = self.store.decode_with(reads, _decode_plan, _subject)
        decoded.items.sort(key=lambda p: p.row.created_at, reverse=True)
        return decoded

    def get_captures(self, capture_ids: Sequence[str]) -> Decoded[StoredPlan]:
        """Read captures by their ids (the run records name them).

        Args:
            capture_ids: ``capture_id`` values.

        Returns:
            The captures found, in no set order.
        """
        if not capture_ids:
            return Decoded([], [])
        reads = self.store.read(filter_expression=pc.field("capture_id").isin(sorted(set(capture_ids))))
        return self.store.decode_with(reads, _decode_plan, _subject)

    def matching(self, prefix: str) -> Reads:
        """The listing columns of the plans whose fingerprint starts with ``prefix``."""
        return self.store.read(PLAN_LISTING_COLUMNS, _prefix_filter(prefix))


class ViewArtifactStore:
    """The warehouse's view artifacts, one row per (view name, plan fingerprint).

    Args:
        warehouse: The warehouse.
    """

    def __init__(self, warehouse: Location | str | os.PathLike[str]) -> None:
        self.store = Store(Location.of(warehouse).join(VIEW_TABLE), VIEW_SPEC)

    @property
    def location(self) -> Location:
        """The Delta table's location."""
        return self.store.location

    def append(self, views: Sequence[ViewArtifact]) -> int:
        """Store view artifacts not stored yet, in one commit.

        Args:
            views: The views.

        Returns:
            How many rows were written.
        """
        return self.store.write(views)

    def list(self) -> Decoded[ViewArtifact]:
        """Read every stored view artifact, oldest first.

        Returns:
            The views that decode and a diagnostics event per row that does not.
        """
        return self.store.decode(self.store.sorted(self.store.read()), _subject)
