"""The protocol gate: refuse a Delta table whose protocol is outside a ``DeltaProtocolGate``."""

from __future__ import annotations

from deltalake import DeltaTable

from artifact_contracts import ValidationIssue
from artifact_contracts.models import DeltaProtocolGate
from engine_app.errors import ProtocolGateError

__all__ = ["check_protocol"]


def check_protocol(table: DeltaTable, gate: DeltaProtocolGate) -> None:
    """Refuse a table whose protocol the gate does not allow. Reads only the Delta log.

    Args:
        table: The table, at the version to be read.
        gate: The versions and features allowed.

    Raises:
        ProtocolGateError: With one issue per violation.
    """
    protocol = table.protocol()
    issues = []
    if protocol.min_reader_version > gate.max_reader_version:
        issues.append(
            ValidationIssue(
                path="$.protocol.min_reader_version",
                kind="constraint",
                message=f"reader version {protocol.min_reader_version} is above the gate's {gate.max_reader_version}",
            )
        )
    if protocol.min_writer_version > gate.max_writer_version:
        issues.append(
            ValidationIssue(
                path="$.protocol.min_writer_version",
                kind="constraint",
                message=f"writer version {protocol.min_writer_version} is above the gate's {gate.max_writer_version}",
            )
        )
    for kind, features, allowed in (
        ("reader", protocol.reader_features or (), gate.allowed_reader_features),
        ("writer", protocol.writer_features or (), gate.allowed_writer_features),
    ):
        for i, feature in enumerate(features):
            if feature not in allowed:
                issues.append(
                    ValidationIssue(
                        path=f"$.protocol.{kind}_features[{i}]",
                        kind="constraint",
                        message=f"{kind} feature {feature!r} is not allowed by the gate",
                    )
                )
    if issues:
        raise ProtocolGateError(
            "the protocol gate refuses this table: " + "; ".join(i.message for i in issues), tuple(issues)
        )
