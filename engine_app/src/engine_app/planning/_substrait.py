"""Canonical Substrait bytes and their round-trip validation.

DataFusion's Substrait producer emits the plan's ``extensions`` list in HashMap order,
so two serializations of one plan differ in bytes, even inside one process. The
function anchors inside the plan are stable, so sorting the declarations (through the
plan's JSON form, which the protobuf library parses back losslessly) gives bytes that
are identical across calls and processes and still decode to the same plan.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from datafusion.substrait import Consumer, Plan, Producer, Serde

from artifact_contracts.models import SubstraitValidation
from engine_app.errors import error_text

if TYPE_CHECKING:
    from datafusion import DataFrame, LogicalPlan, SessionContext

__all__ = [
    "canonical_substrait",
    "named_tables",
    "to_canonical_bytes",
    "validate_roundtrip",
]

# Declaration lists whose order carries no meaning (anchors are referenced by value).
_UNORDERED_KEYS = ("extensions", "extensionUris", "extensionUrns")


def _sort_key(entry: object) -> str:
    return json.dumps(entry, sort_keys=True, separators=(",", ":"))


def canonical_substrait(plan: Plan) -> tuple[bytes, dict[str, Any]]:
    """Return the canonical bytes of a Substrait plan and its canonical JSON document.

    Args:
        plan: A plan from DataFusion's producer.

    Returns:
        The protobuf bytes with every unordered declaration list sorted, and the
        decoded JSON document those bytes came from.
    """
    document: dict[str, Any] = json.loads(plan.to_json())
    for key in _UNORDERED_KEYS:
        if key in document:
            document[key] = sorted(document[key], key=_sort_key)
    canonical = Plan.from_json(json.dumps(document, sort_keys=True))
    return canonical.encode(), document


def to_canonical_bytes(logical_plan: LogicalPlan, ctx: SessionContext) -> tuple[bytes, dict[str, Any]]:
    """Serialize a logical plan to canonical Substrait bytes.

    Args:
        logical_plan: The (optimized) plan to serialize.
        ctx: The session whose catalog the plan was built against.

    Returns:
        The canonical bytes and the canonical JSON document.
    """
    return canonical_substrait(Producer.to_substrait_plan(logical_plan, ctx))


def named_tables(document: dict[str, Any]) -> tuple[str, ...]:
    """Return the sorted, distinct table names a Substrait plan reads.

    Views are inlined by the time a plan reaches Substrait, so these are base tables,
    including those read only inside subqueries.

    Args:
        document: The plan's JSON document (from :func:`canonical_substrait`).

    Returns:
        The last part of each ``namedTable`` reference, sorted.
    """
    found: set[str] = set()
    stack: list[object] = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            named = node.get("namedTable")
            if isinstance(named, dict) and named.get("names"):
                found.add(str(named["names"][-1]))
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return tuple(sorted(found))


def validate_roundtrip(
    data: bytes, ctx: SessionContext, expected: DataFrame, extension_count: int, *, optimized: str | None = None
) -> SubstraitValidation:
    """Decode canonical bytes back into a DataFusion plan and compare it to the original.

    Args:
        data: Canonical Substrait bytes.
        ctx: A session with the plan's tables registered under the same names.
        expected: The DataFrame the bytes were produced from.
        extension_count: How many function extensions the plan declares.
        optimized: ``expected``'s optimized plan text, when the caller has it already
            (optimizing again costs a tenth of a capture).

    Returns:
        ``roundtrip_ok`` when the bytes decode into a plan with the original's output
        schema (names, types, nullability); ``plan_matches`` when the decoded plan,
        optimized again, also prints exactly as the original (the consumer often names
        intermediate expressions differently, so this one is informational).
    """
    try:
        decoded = ctx.create_dataframe_from_logical_plan(
            Consumer.from_substrait_plan(ctx, Serde.deserialize_bytes(data))
        )
        reoptimized = decoded.optimized_logical_plan()
        decoded_schema = decoded.schema()
    except Exception as exc:  # the consumer raises bare Exceptions for any failure
        return SubstraitValidation(roundtrip_ok=False, error=error_text(exc), extension_count=extension_count)
    if not decoded_schema.equals(expected.schema()):
        return SubstraitValidation(
            roundtrip_ok=False,
            plan_matches=False,
            error=f"output schema changed: {decoded_schema} != {expected.schema()}",
            extension_count=extension_count,
        )
    if optimized is None:
        optimized = expected.optimized_logical_plan().display_indent()
    matches = reoptimized.display_indent() == optimized
    return SubstraitValidation(roundtrip_ok=True, plan_matches=matches, extension_count=extension_count)
