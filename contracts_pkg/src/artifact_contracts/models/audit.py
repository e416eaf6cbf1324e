"""Determinism audits: the fingerprints of a plan, and the result of re-planning it."""

from typing import Annotated, Optional

import msgspec

from artifact_contracts.base import StructBaseCompat
from artifact_contracts.models.types import Fingerprint, Text

__all__ = ["DeterminismAuditBundle", "DeterminismAuditResult", "FingerprintMismatch"]


class DeterminismAuditBundle(StructBaseCompat, tag="determinism_audit", tag_field="kind"):
    """Every fingerprint of one plan; re-planning must reproduce each of them."""

    plan_fingerprint: Annotated[Fingerprint, msgspec.Meta(description="The plan's `plan_fingerprint`.")]
    planning_env_hash: Annotated[Fingerprint, msgspec.Meta(description="Fingerprint of the planning environment.")]
    schema_contract_hash: Annotated[
        Fingerprint, msgspec.Meta(description="`contract_hash()` of the contracts release that wrote it.")
    ]
    information_schema_hash: Annotated[
        Fingerprint, msgspec.Meta(description="Fingerprint of the information-schema snapshot.")
    ]
    rulepack_hash: Annotated[
        Fingerprint, msgspec.Meta(description="Fingerprint of the DataFusion version and optimizer settings.")
    ]
    substrait_hash: Annotated[
        Optional[Fingerprint], msgspec.Meta(description="Fingerprint of the Substrait bytes; None without them.")
    ] = None
    logical_plan_hash: Annotated[Fingerprint, msgspec.Meta(description="Fingerprint of the logical plan text.")]
    optimized_plan_hash: Annotated[
        Fingerprint, msgspec.Meta(description="Fingerprint of the optimized logical plan text.")
    ]
    physical_plan_hash: Annotated[
        Fingerprint, msgspec.Meta(description="Fingerprint of the (path-normalized) physical plan text.")
    ]
    datafusion_proto_hash: Annotated[
        Optional[Fingerprint],
        msgspec.Meta(description="Fingerprint of the DataFusion proto bytes; None without them."),
    ] = None
    artifact_hash: Annotated[Fingerprint, msgspec.Meta(description="Fingerprint of the whole PlanArtifacts.")]


class FingerprintMismatch(StructBaseCompat):
    """One field of a bundle that re-planning did not reproduce."""

    field: Annotated[str, msgspec.Meta(min_length=1, description="The bundle field that differed.")]
    expected: Annotated[Optional[Fingerprint], msgspec.Meta(description="The stored value; None if it was absent.")] = (
        None
    )
    actual: Annotated[
        Optional[Fingerprint], msgspec.Meta(description="The re-planned value; None if it was absent.")
    ] = None


class DeterminismAuditResult(StructBaseCompat, tag="determinism_audit_result", tag_field="kind"):
    """The outcome of auditing one stored plan in a fresh process."""

    plan_fingerprint: Annotated[Fingerprint, msgspec.Meta(description="The audited plan's fingerprint.")]
    matches: Annotated[bool, msgspec.Meta(description="Re-planning reproduced every fingerprint.")]
    mismatches: Annotated[
        tuple[FingerprintMismatch, ...], msgspec.Meta(description="The fingerprints that differed.")
    ] = ()
    error: Annotated[
        Optional[Text], msgspec.Meta(description="Why the audit could not re-plan, when it could not.")
    ] = None
