"""The record of one write to a Delta table."""

from typing import Annotated, Optional

import msgspec

from artifact_contracts.base import StructBaseCompat
from artifact_contracts.models.delta import DeltaSchemaPolicySnapshot, DeltaWritePolicySnapshot
from artifact_contracts.models.telemetry import WriteTelemetry
from artifact_contracts.models.types import Count, Fingerprint, Text, Version

__all__ = ["DeltaWriteArtifact"]


class DeltaWriteArtifact(StructBaseCompat, tag="delta_write", tag_field="kind"):
    """What a write did, and the policies it ran under (their snapshots and fingerprint).

    The commit's custom metadata carries ``policy_fingerprint`` too, so the Delta log
    alone ties a commit to its policy.
    """

    table_uri: Annotated[Text, msgspec.Meta(min_length=1, description="Warehouse-relative table path.")]
    write_policy: Annotated[DeltaWritePolicySnapshot, msgspec.Meta(description="The write policy in force.")]
    schema_policy: Annotated[DeltaSchemaPolicySnapshot, msgspec.Meta(description="The schema policy in force.")]
    policy_fingerprint: Annotated[
        Fingerprint, msgspec.Meta(description="Fingerprint of the write and schema policies together.")
    ]
    version_before: Annotated[Optional[Version], msgspec.Meta(description="None when the write created it.")] = None
    version_after: Annotated[Version, msgspec.Meta(description="The table version the write committed.")]
    files_added: Annotated[
        tuple[Text, ...], msgspec.Meta(description="Table-relative paths of the added data files, sorted.")
    ] = ()
    rows: Annotated[Count, msgspec.Meta(description="Rows written.")]
    telemetry: Annotated[WriteTelemetry, msgspec.Meta(description="What the write measured.")]
