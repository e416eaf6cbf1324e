"""The record of one scan of a Delta table."""

from typing import Annotated, Optional

import msgspec

from artifact_contracts.base import StructBaseCompat
from artifact_contracts.models.delta import DeltaProtocolGateSnapshot, DeltaScanConfigSnapshot
from artifact_contracts.models.telemetry import ScanTelemetry
from artifact_contracts.models.types import Fingerprint, Text, UtcDateTime, Version

__all__ = ["DeltaScanArtifact"]


class DeltaScanArtifact(StructBaseCompat, tag="delta_scan", tag_field="kind"):
    """What one scan read: its configuration, the protocol gate it passed, and its telemetry."""

    table_uri: Annotated[Text, msgspec.Meta(min_length=1, description="Warehouse-relative table path.")]
    table_version: Annotated[Version, msgspec.Meta(description="The table version the scan read.")]
    scan_config: Annotated[
        DeltaScanConfigSnapshot, msgspec.Meta(description="Columns, predicate and version the scan asked for.")
    ]
    protocol_gate: Annotated[DeltaProtocolGateSnapshot, msgspec.Meta(description="The gate the table passed.")]
    config_fingerprint: Annotated[
        Fingerprint, msgspec.Meta(description="Fingerprint of the scan configuration and the gate, together.")
    ]
    telemetry: Annotated[ScanTelemetry, msgspec.Meta(description="What the scan measured.")]
    scanned_at: Annotated[Optional[UtcDateTime], msgspec.Meta(description="When the scan ran.")] = None
