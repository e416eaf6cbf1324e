"""The record of one write to a Delta table."""

from typing import Annotated, Optional

import msgspec

from artifact_contracts.base import StructBaseCompat
from artifact_contracts.models._types import Count, Fingerprint, Text, Version
from artifact_contracts.models.delta import DeltaSchemaPolicySnapshot, DeltaWritePolicySnapshot
from artifact_contracts.models.telemetry import WriteTelemetry

__all__ = ["DeltaWriteArtifact"]


class DeltaWriteArtifact(StructBaseCompat, tag="delta_write", tag_field="kind"):
    """What a write did, and the policies it ran under (their snapshots and fingerprint).

    The commit's custom metadata carries ``policy_fingerprint`` too, so the Delta log
    alone ties a commit to its policy.
    """

    table_uri: Annotated[Text, msgspec.Meta(min_length=1, description="Warehouse-relative table path.")]
    write_policy: DeltaWritePolicySnapshot
    schema_policy: DeltaSchemaPolicySnapshot
    policy_fingerprint: Fingerprint
    version_before: Annotated[Optional[Version], msgspec.Meta(description="None when the write created it.")] = None
    version_after: Version
    files_added: tuple[Text, ...] = ()
    rows: Count
    telemetry: WriteTelemetry
