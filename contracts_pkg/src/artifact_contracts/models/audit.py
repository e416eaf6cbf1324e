"""Determinism audits: the fingerprints of a plan, and the result of re-planning it."""

from typing import Annotated, Optional

import msgspec

from artifact_contracts.base import StructBaseCompat
from artifact_contracts.models._types import Fingerprint, Text

__all__ = ["DeterminismAuditBundle", "DeterminismAuditResult", "FingerprintMismatch"]


class DeterminismAuditBundle(StructBaseCompat, tag="determinism_audit", tag_field="kind"):
    """Every fingerprint of one plan; re-planning must reproduce each of them."""

    plan_fingerprint: Fingerprint
    planning_env_hash: Fingerprint
    schema_contract_hash: Annotated[
        Fingerprint, msgspec.Meta(description="`contract_hash()` of the contracts release that wrote it.")
    ]
    information_schema_hash: Fingerprint
    rulepack_hash: Fingerprint
    substrait_hash: Optional[Fingerprint] = None
    logical_plan_hash: Fingerprint
    optimized_plan_hash: Fingerprint
    physical_plan_hash: Fingerprint
    datafusion_proto_hash: Optional[Fingerprint] = None
    artifact_hash: Annotated[Fingerprint, msgspec.Meta(description="Fingerprint of the whole PlanArtifacts.")]


class FingerprintMismatch(StructBaseCompat):
    """One field of a bundle that re-planning did not reproduce."""

    field: Annotated[str, msgspec.Meta(min_length=1)]
    expected: Optional[Fingerprint] = None
    actual: Optional[Fingerprint] = None


class DeterminismAuditResult(StructBaseCompat, tag="determinism_audit_result", tag_field="kind"):
    """The outcome of auditing one stored plan in a fresh process."""

    plan_fingerprint: Fingerprint
    matches: bool
    mismatches: tuple[FingerprintMismatch, ...] = ()
    error: Optional[Text] = None
