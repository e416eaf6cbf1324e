"""Plan a SQL statement or a registered view into :class:`PlanArtifacts`.

What the plan fingerprint covers: the canonical Substrait bytes, the logical and the
optimized logical plan texts, the information-schema hash (the columns and types of the
tables the plan reads, and the session settings) and the rulepack hash (DataFusion
version, rule list, optimizer settings). The physical plan is recorded but kept out of
the fingerprint: it names data files (parquet paths, Delta's random file names) and
follows file statistics. Its text, and the ``EXPLAIN`` rows, have every registered
table location replaced by ``<table:NAME>``, so that the artifact bytes do not depend on
where the warehouse lives either (the DataFusion proto bytes of parquet tables do embed
absolute paths; they are recorded as DataFusion writes them).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from datafusion import SQLOptions

from artifact_contracts import DataFusionProtoBytes, SubstraitBytes, fingerprint
from artifact_contracts.models import (
    COMPONENTS,
    ArrowField,
    ArrowSchemaSnapshot,
    DeterminismAuditBundle,
    ExplainRow,
    InformationSchemaSnapshot,
    PlanArtifacts,
    PlanTexts,
    SubstraitValidation,
)
from artifact_contracts.registry import contract_hash
from engine_app.errors import PlanningError, error_text
from engine_app.planning._infoschema import snapshot_information_schema
from engine_app.planning._substrait import named_tables, to_canonical_bytes, validate_roundtrip
from engine_app.session import library_versions

if TYPE_CHECKING:
    import pyarrow as pa
    from datafusion import DataFrame

    from engine_app.session import EngineSession

__all__ = [
    "audit_bundle",
    "capture_id",
    "normalize_physical",
    "plan_components",
    "plan_dataframe",
    "plan_sql",
    "query_options",
    "schema_snapshot",
]

_TABLE_SCAN = re.compile(r"TableScan: ([^\s]+)")
# A listing table's file groups: ``file_groups={N groups: [[a.parquet:0..9, b.parquet], [c.parquet]]}``.
_FILE_LIST = re.compile(r"(\d+ groups?): \[\[.*?\]\](?=\})")


def query_options() -> SQLOptions:
    """Return SQL options that allow queries only.

    ``SessionContext.sql`` runs DDL and DML eagerly, so planning a user's statement
    could otherwise create tables as a side effect.
    """
    return SQLOptions().with_allow_ddl(False).with_allow_dml(False).with_allow_statements(False)


def schema_snapshot(schema: pa.Schema) -> ArrowSchemaSnapshot:
    """Record an Arrow schema field by field.

    Args:
        schema: The schema.

    Returns:
        The snapshot.
    """
    return ArrowSchemaSnapshot(
        fields=tuple(
            ArrowField(name=field.name, data_type=str(field.type), nullable=field.nullable) for field in schema
        )
    )


def _normalizer(session: EngineSession) -> Callable[[str], str]:
    """Return a function that replaces every registered table location by ``<table:NAME>``."""
    roots: list[tuple[str, str]] = []
    for table in session.tables:
        location = table.location.rstrip("/")
        # DataFusion prints object-store paths without the leading "/".
        roots.append((location, f"<table:{table.name}>"))
        roots.append((location.lstrip("/"), f"<table:{table.name}>"))
    roots.sort(key=lambda item: len(item[0]), reverse=True)

    def normalize(text: str) -> str:
        for root, placeholder in roots:
            text = text.replace(root, placeholder)
        return text

    return normalize


def _proto_reason(session: EngineSession, tables: tuple[str, ...], exc: Exception) -> str:
    delta = sorted(t.name for t in session.tables if t.format == "delta" and t.name in tables)
    detail = f"DataFusion: {error_text(exc)}"
    if delta:
        return (
            f"Delta tables ({', '.join(delta)}) are read through deltalake's FFI table provider, "
            f"which DataFusion's protobuf codec cannot serialize ({detail})"
        )
    return detail


# A session's catalog is fixed once a name is registered (names cannot be registered
# twice, settings are fixed at construction), so its snapshot per table set is kept for
# the session's life instead of three information_schema queries per plan (a sixth of a
# capture).
_CATALOGS: WeakKeyDictionary[EngineSession, dict[tuple[str, ...], tuple[InformationSchemaSnapshot, str]]] = (
    WeakKeyDictionary()
)


def _catalog_snapshot(session: EngineSession, tables: tuple[str, ...]) -> tuple[InformationSchemaSnapshot, str]:
    known = _CATALOGS.setdefault(session, {})
    if tables not in known:
        info = snapshot_information_schema(session.ctx, tables)
        known[tables] = (info, fingerprint(info))
    return known[tables]


def plan_sql(session: EngineSession, sql: str, *, view_name: str | None = None) -> PlanArtifacts:
    """Plan one statement and record everything about the plan.

    Args:
        session: The engine session with the statement's tables registered.
        sql: One query (DDL and DML are refused).
        view_name: The view this statement defines, if any.

    Returns:
        The artifacts.

    Raises:
        PlanningError: The statement does not parse or plan.
    """
    statement = sql.strip().rstrip(";").strip()
    try:
        df = session.ctx.sql_with_options(statement, query_options())
    except Exception as exc:  # DataFusion raises ValueError/Exception for SQL errors
        raise PlanningError(error_text(exc)) from exc
    return plan_dataframe(session, df, statement, view_name=view_name)


def plan_dataframe(
    session: EngineSession, df: DataFrame, statement: str, *, view_name: str | None = None
) -> PlanArtifacts:
    """Record the artifacts of an already-planned DataFrame.

    Args:
        session: The session ``df`` belongs to.
        df: The planned statement.
        statement: Its SQL text.
        view_name: The view it defines, if any.

    Returns:
        The artifacts.

    Raises:
        PlanningError: DataFusion cannot build the logical or physical plan.
    """
    ctx = session.ctx
    normalize = _normalizer(session)
    try:
        logical = df.logical_plan()
        optimized = df.optimized_logical_plan()
        physical = df.execution_plan()
    except Exception as exc:  # planning errors surface here for some statements
        raise PlanningError(error_text(exc)) from exc
    texts = PlanTexts(
        logical=logical.display_indent(),
        optimized_logical=optimized.display_indent(),
        physical=normalize(physical.display_indent()),
    )
    substrait: SubstraitBytes | None = None
    try:
        data, document = to_canonical_bytes(optimized, ctx)
    except Exception as exc:  # the producer refuses some plan shapes
        validation = SubstraitValidation(roundtrip_ok=False, error=error_text(exc))
        tables = tuple(sorted({m.group(1).split(".")[-1] for m in _TABLE_SCAN.finditer(texts.optimized_logical)}))
    else:
        substrait = SubstraitBytes(data)
        validation = validate_roundtrip(
            data, ctx, df, len(document.get("extensions", ())), optimized=texts.optimized_logical
        )
        tables = named_tables(document)
    proto: DataFusionProtoBytes | None = None
    proto_reason: str | None = None
    try:
        proto = DataFusionProtoBytes(optimized.to_bytes())
    except Exception as exc:  # providers without a codec (Delta FFI, in-memory) refuse
        proto_reason = _proto_reason(session, tables, exc)
    info, info_hash = _catalog_snapshot(session, tables)
    identity: dict[str, Any] = {
        "substrait": substrait,
        "logical": texts.logical,
        "optimized_logical": texts.optimized_logical,
        "information_schema_hash": info_hash,
        "rulepack_hash": session.rulepack_hash,
    }
    return PlanArtifacts(
        sql=statement,
        view_name=view_name,
        plan_fingerprint=fingerprint(identity),
        # What `EXPLAIN` prints, taken from the plans built above instead of planning the
        # statement a second time (a third of the capture's cost).
        explain=(
            ExplainRow(plan_type="logical_plan", plan=texts.optimized_logical),
            ExplainRow(plan_type="physical_plan", plan=texts.physical),
        ),
        output_schema=schema_snapshot(df.schema()),
        information_schema=info,
        information_schema_hash=info_hash,
        substrait=substrait,
        substrait_validation=validation,
        datafusion_proto=proto,
        datafusion_proto_absent_reason=proto_reason,
        rulepack_hash=session.rulepack_hash,
        planning_env_hash=session.profile.planning_env_hash,
        texts=texts,
        datafusion_version=next(lib.version for lib in library_versions() if lib.name == "datafusion"),
    )


def normalize_physical(text: str) -> str:
    """The physical plan without data file names: operators, partitioning and expressions stay.

    ``file_groups={2 groups: [[<table:t>/part-1.parquet:0..99], ...]}`` becomes
    ``file_groups={2 groups}``, so new data files (a table updated) are not a plan change.

    Args:
        text: A physical plan as :func:`plan_sql` records it.

    Returns:
        The text with every file group listing reduced to its group count.
    """
    return _FILE_LIST.sub(r"\1", text)


def plan_components(artifacts: PlanArtifacts) -> dict[str, str | None]:
    """Fingerprint each component of a plan that can change on its own.

    Args:
        artifacts: The plan's artifacts.

    Returns:
        Component to fingerprint (None for an absent Substrait plan), in report order. The
        plan's shape is Substrait, the logical, optimized and (normalized) physical texts
        and the catalog of the tables it reads; ``rulepack`` and ``environment`` are what it
        was planned with (versions and settings).
    """
    found: dict[str, str | None] = {
        "substrait": fingerprint(artifacts.substrait) if artifacts.substrait is not None else None,
        "logical": fingerprint(artifacts.texts.logical),
        "optimized": fingerprint(artifacts.texts.optimized_logical),
        "physical": fingerprint(normalize_physical(artifacts.texts.physical)),
        # The catalog alone: the settings the snapshot also holds are the environment's.
        "information_schema": fingerprint(
            {"tables": artifacts.information_schema.tables, "columns": artifacts.information_schema.columns}
        ),
        "rulepack": artifacts.rulepack_hash,
        "environment": artifacts.planning_env_hash,
    }
    return {component: found[component] for component in COMPONENTS}


def capture_id(artifacts: PlanArtifacts) -> str:
    """The plan store's key of a capture: plan fingerprint, normalized physical plan, environment.

    Two captures with one plan fingerprint but another physical plan (a physical-only
    setting) or another planning environment (a library version) are two rows.
    """
    components = plan_components(artifacts)
    return fingerprint(
        {
            "plan_fingerprint": artifacts.plan_fingerprint,
            "physical": components["physical"],
            "environment": components["environment"],
        }
    )


def audit_bundle(artifacts: PlanArtifacts, schema_contract_hash: str | None = None) -> DeterminismAuditBundle:
    """Collect every fingerprint of a plan, for the determinism audit to reproduce.

    Args:
        artifacts: The plan's artifacts.
        schema_contract_hash: ``contract_hash()`` of the writing release; the installed
            one when omitted.

    Returns:
        The bundle.
    """
    return DeterminismAuditBundle(
        plan_fingerprint=artifacts.plan_fingerprint,
        planning_env_hash=artifacts.planning_env_hash,
        schema_contract_hash=schema_contract_hash or contract_hash(),
        information_schema_hash=artifacts.information_schema_hash,
        rulepack_hash=artifacts.rulepack_hash,
        substrait_hash=fingerprint(artifacts.substrait) if artifacts.substrait is not None else None,
        logical_plan_hash=fingerprint(artifacts.texts.logical),
        optimized_plan_hash=fingerprint(artifacts.texts.optimized_logical),
        physical_plan_hash=fingerprint(artifacts.texts.physical),
        datafusion_proto_hash=(
            fingerprint(artifacts.datafusion_proto) if artifacts.datafusion_proto is not None else None
        ),
        artifact_hash=fingerprint(artifacts),
    )
