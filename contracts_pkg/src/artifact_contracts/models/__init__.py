"""The canonical contract Structs, one module per domain.

- :mod:`~artifact_contracts.models.types`: the constrained scalars the models share
  (``Name``, ``Fingerprint``, ``Count``...), public for consumers' own fields
- :mod:`~artifact_contracts.models.plan`: plan artifacts and the artifact store row
- :mod:`~artifact_contracts.models.view`: views and Arrow schema snapshots
- :mod:`~artifact_contracts.models.runtime`: runtime profiles
- :mod:`~artifact_contracts.models.delta`: Delta write/schema/scan policies, protocol gate
- :mod:`~artifact_contracts.models.writes`: the record of a Delta write
- :mod:`~artifact_contracts.models.scans`: the record of a Delta scan
- :mod:`~artifact_contracts.models.telemetry`: scan and write telemetry (array-like)
- :mod:`~artifact_contracts.models.diagnostics`: diagnostics events
- :mod:`~artifact_contracts.models.incremental`: change-data-feed cursors and runs
- :mod:`~artifact_contracts.models.audit`: determinism audit bundles and results
- :mod:`~artifact_contracts.models.history`: run records, plan baselines and plan diffs
- :mod:`~artifact_contracts.models.config`: engine configuration and pipeline specs
- :mod:`~artifact_contracts.models.envelope`: the tagged envelope over every artifact kind
"""

from artifact_contracts.models.audit import (
    DeterminismAuditBundle,
    DeterminismAuditResult,
    FingerprintMismatch,
)
from artifact_contracts.models.config import EngineConfig, PipelineSpec, QuerySpec, TableSpec, ViewSpec
from artifact_contracts.models.delta import (
    DeltaProtocolGate,
    DeltaProtocolGateSnapshot,
    DeltaScanConfig,
    DeltaScanConfigSnapshot,
    DeltaSchemaPolicy,
    DeltaSchemaPolicySnapshot,
    DeltaWritePolicy,
    DeltaWritePolicySnapshot,
)
from artifact_contracts.models.diagnostics import DiagnosticsEvent, Severity
from artifact_contracts.models.envelope import Artifact, ArtifactEnvelope
from artifact_contracts.models.history import (
    COMPONENTS,
    BaselineEntry,
    ComponentChange,
    PlanBaseline,
    PlanComponents,
    PlanDiffEntry,
    PlanDiffReport,
    RunRecord,
    SettingChange,
    StatementRun,
    TableVersion,
    TableVersionChange,
)
from artifact_contracts.models.incremental import CdfCursor, IncrementalRun
from artifact_contracts.models.plan import (
    PLAN_ARTIFACT_SCHEMA_VERSION,
    ExplainRow,
    InformationSchemaColumn,
    InformationSchemaSnapshot,
    InformationSchemaTable,
    PlanArtifactRow,
    PlanArtifacts,
    PlanningEnvironment,
    PlanTexts,
    SessionSetting,
    SubstraitValidation,
    TableSource,
    ViewSource,
)
from artifact_contracts.models.runtime import LibraryVersion, RuntimeProfileSnapshot
from artifact_contracts.models.scans import DeltaScanArtifact
from artifact_contracts.models.telemetry import ScanTelemetry, WriteTelemetry
from artifact_contracts.models.view import ArrowField, ArrowSchemaSnapshot, ViewArtifact, ViewArtifactRow
from artifact_contracts.models.writes import DeltaWriteArtifact

__all__ = [
    "ArrowField",
    "ArrowSchemaSnapshot",
    "Artifact",
    "ArtifactEnvelope",
    "BaselineEntry",
    "COMPONENTS",
    "CdfCursor",
    "ComponentChange",
    "DeltaProtocolGate",
    "DeltaProtocolGateSnapshot",
    "DeltaScanArtifact",
    "DeltaScanConfig",
    "DeltaScanConfigSnapshot",
    "DeltaSchemaPolicy",
    "DeltaSchemaPolicySnapshot",
    "DeltaWriteArtifact",
    "DeltaWritePolicy",
    "DeltaWritePolicySnapshot",
    "DeterminismAuditBundle",
    "DeterminismAuditResult",
    "DiagnosticsEvent",
    "EngineConfig",
    "ExplainRow",
    "FingerprintMismatch",
    "IncrementalRun",
    "InformationSchemaColumn",
    "InformationSchemaSnapshot",
    "InformationSchemaTable",
    "LibraryVersion",
    "PLAN_ARTIFACT_SCHEMA_VERSION",
    "PipelineSpec",
    "PlanArtifactRow",
    "PlanArtifacts",
    "PlanBaseline",
    "PlanComponents",
    "PlanDiffEntry",
    "PlanDiffReport",
    "PlanTexts",
    "PlanningEnvironment",
    "QuerySpec",
    "RunRecord",
    "RuntimeProfileSnapshot",
    "ScanTelemetry",
    "SessionSetting",
    "SettingChange",
    "Severity",
    "StatementRun",
    "SubstraitValidation",
    "TableSource",
    "TableSpec",
    "TableVersion",
    "TableVersionChange",
    "ViewArtifact",
    "ViewArtifactRow",
    "ViewSource",
    "ViewSpec",
    "WriteTelemetry",
]
