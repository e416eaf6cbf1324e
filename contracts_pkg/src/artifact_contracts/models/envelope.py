"""The envelope: any artifact, with the contract release that wrote it.

Every artifact kind is a Struct tagged on ``kind``, so a consumer decodes an
``ArtifactEnvelope`` without knowing the kind in advance and dispatches on the type.
"""

from typing import Annotated, Union

import msgspec

from artifact_contracts.base import StructBaseCompat
from artifact_contracts.models.audit import DeterminismAuditBundle, DeterminismAuditResult
from artifact_contracts.models.diagnostics import DiagnosticsEvent
from artifact_contracts.models.incremental import CdfCursor, IncrementalRun
from artifact_contracts.models.plan import PlanArtifacts
from artifact_contracts.models.runtime import RuntimeProfileSnapshot
from artifact_contracts.models.scans import DeltaScanArtifact
from artifact_contracts.models.types import Fingerprint, SemVer
from artifact_contracts.models.view import ViewArtifact
from artifact_contracts.models.writes import DeltaWriteArtifact

__all__ = ["Artifact", "ArtifactEnvelope"]

Artifact = Union[
    PlanArtifacts,
    ViewArtifact,
    RuntimeProfileSnapshot,
    DeterminismAuditBundle,
    DeterminismAuditResult,
    DiagnosticsEvent,
    CdfCursor,
    IncrementalRun,
    DeltaWriteArtifact,
    DeltaScanArtifact,
]
"""Every artifact kind, a union tagged on ``kind``."""


class ArtifactEnvelope(StructBaseCompat):
    """An artifact of any kind, stamped with the contract version and hash that wrote it."""

    contract_version: Annotated[
        SemVer, msgspec.Meta(description="The artifact-contracts version that wrote the envelope.")
    ]
    contract_hash: Annotated[
        Fingerprint, msgspec.Meta(description="`contract_hash()` of that release: the exact schema it used.")
    ]
    artifact: Annotated[Artifact, msgspec.Meta(description="The artifact, tagged by its `kind`.")]
