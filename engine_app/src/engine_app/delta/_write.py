"""The validated Delta write pipeline: policy in, commit(s) and a write artifact out.

:func:`write_table` writes Arrow data to a Delta table under a :class:`DeltaWritePolicy`
and a :class:`DeltaSchemaPolicy`:

1. **Validate** (nothing committed yet): the policy against the data and the table
   (:func:`check_policy`), then the data against the schema
   policy (:func:`conform_data`). A refusal raises
   :class:`PolicyError` / :class:`SchemaPolicyError` and the table keeps its version.
2. **Record the policy** as table properties
   (:func:`engine_properties`): Delta's own keys at creation, the rest with
   one metadata commit when they differ from what the table holds.
3. **Write** with deltalake: partitioning, target file size, schema mode, and
   ``WriterProperties`` that always name the codec (a bare ``WriterProperties`` writes
   uncompressed parquet). Conflicting commits are retried up to ``max_attempts`` times
   from a fresh snapshot; then :class:`CommitConflictError` is raised, never swallowed.
4. **Z-order** with ``optimize.z_order`` when ``zorder_by`` is set.
5. **Record the write**: every commit above carries ``engine.policyFingerprint`` and
   ``engine.writeId`` in its custom metadata; the returned :class:`DeltaWriteArtifact`
   (versions, files added, rows, :class:`WriteTelemetry`) is appended to
   ``<warehouse>/_delta_write_artifacts_v1`` when a warehouse is given.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
from deltalake import CommitProperties, DeltaTable, WriterProperties, write_deltalake

from artifact_contracts.models import DeltaSchemaPolicy, DeltaWriteArtifact, DeltaWritePolicy, WriteTelemetry
from engine_app.delta._properties import (
    FINGERPRINT_KEY,
    WRITE_ID_KEY,
    delta_properties,
    engine_properties,
    policy_fingerprint,
    snapshots,
)
from engine_app.delta._validation import check_policy, conform_data
from engine_app.lake import add_actions, commits_with, is_delta_table, relative_uri, retry_commit
from engine_app.stores import WriteArtifactStore

__all__ = ["write_table", "writer_properties"]


def writer_properties(policy: DeltaWritePolicy) -> WriterProperties:
    """Build parquet writer properties that always name the codec explicitly."""
    return WriterProperties(
        compression=policy.compression.upper(),  # type: ignore[arg-type]
        compression_level=policy.compression_level,
        max_row_group_size=policy.max_rows_per_group,
    )


def _sync_properties(
    path: Path, wanted: dict[str, str], description: str | None, metadata: dict[str, str], max_attempts: int
) -> None:
    def attempt(_: int) -> None:
        table = DeltaTable(str(path))
        current = table.metadata()
        changed = {k: v for k, v in wanted.items() if current.configuration.get(k) != v}
        commit = CommitProperties(custom_metadata=metadata)
        if changed:
            table.alter.set_table_properties(changed, raise_if_not_exists=False, commit_properties=commit)
        if description is not None and current.description != description:
            DeltaTable(str(path)).alter.set_table_description(description, commit_properties=commit)

    retry_commit(attempt, max_attempts=max_attempts, what=f"set the policy properties of {path}")


def _files_added(path: Path, versions: list[int]) -> dict[str, int]:
    """The files our commits added and left in place, with their sizes, in commit order."""
    files: dict[str, int] = {}
    for version in versions:
        after = add_actions(DeltaTable(str(path), version=version))
        now = dict(zip(after.column("path").to_pylist(), after.column("size_bytes").to_pylist()))
        before = (
            set()
            if version == 0
            else set(add_actions(DeltaTable(str(path), version=version - 1)).column("path").to_pylist())
        )
        for name in list(files):
            if name not in now:
                del files[name]
        for name, size in now.items():
            if name not in before:
                files[str(name)] = int(size)
    return files


def write_table(
    path: Path | str,
    data: Any,
    write_policy: DeltaWritePolicy,
    schema_policy: DeltaSchemaPolicy | None = None,
    *,
    warehouse: Path | str | None = None,
    description: str | None = None,
    max_attempts: int = 5,
    before_commit: Callable[[int], None] | None = None,
) -> DeltaWriteArtifact:
    """Write ``data`` to the Delta table at ``path`` under the policies (module docstring).

    Args:
        path: The table root (created if absent).
        data: A pyarrow Table or anything exporting an Arrow stream.
        write_policy: Layout, stats, compression and mode.
        schema_policy: What the data may do to the schema; the default is strict.
        warehouse: When given, the table's URI is recorded relative to it and the
            artifact is appended to its write-artifact store.
        description: The table description (set by a metadata commit when it differs).
        max_attempts: The bound on commit attempts for each commit of the write.
        before_commit: Called with the attempt number after the snapshot is loaded and
            before the write commits (instrumentation; tests race a writer here).

    Returns:
        The write artifact.

    Raises:
        PolicyError: The policy cannot apply (nothing committed).
        SchemaPolicyError: The data does not fit (nothing committed).
        CommitConflictError: Conflicting commits outlasted ``max_attempts``.
    """
    started = time.perf_counter()
    path = Path(path)
    schema_policy = schema_policy if schema_policy is not None else DeltaSchemaPolicy()
    rows = data if isinstance(data, pa.Table) else pa.table(data)
    existing = DeltaTable(str(path)) if is_delta_table(path) else None
    check_policy(write_policy, schema_policy, rows.schema, existing)
    rows = conform_data(rows, schema_policy, existing)

    fp = policy_fingerprint(write_policy, schema_policy)
    write_id = uuid.uuid4().hex
    metadata = {FINGERPRINT_KEY: fp, WRITE_ID_KEY: write_id}
    native = delta_properties(write_policy)
    wanted = {**native, **engine_properties(write_policy, schema_policy)}
    version_before = existing.version() if existing is not None else None
    if existing is not None:
        _sync_properties(path, wanted, description, metadata, max_attempts)
    props = writer_properties(write_policy)
    path.mkdir(parents=True, exist_ok=True)

    def attempt(number: int) -> None:
        table = DeltaTable(str(path)) if is_delta_table(path) else None
        if before_commit is not None:
            before_commit(number)
        write_deltalake(
            table if table is not None else str(path),
            rows,
            partition_by=list(write_policy.partition_by) or None,
            mode=write_policy.mode,
            configuration=native if table is None else None,
            schema_mode=None if schema_policy.schema_mode == "strict" else schema_policy.schema_mode,
            target_file_size=write_policy.target_file_size,
            writer_properties=props,
            description=description if table is None else None,
            commit_properties=CommitProperties(custom_metadata=metadata),
        )

    _, attempts = retry_commit(attempt, max_attempts=max_attempts, what=f"write to {path}")
    if existing is None:
        _sync_properties(path, wanted, description, metadata, max_attempts)
    if write_policy.zorder_by:
        retry_commit(
            lambda _: DeltaTable(str(path)).optimize.z_order(
                list(write_policy.zorder_by),
                target_size=write_policy.target_file_size,
                writer_properties=props,
                commit_properties=CommitProperties(custom_metadata=metadata),
            ),
            max_attempts=max_attempts,
            what=f"z-order {path}",
        )

    commits = commits_with(path, WRITE_ID_KEY, write_id, after=version_before)
    versions = [int(c["version"]) for c in commits]
    retries = sum(
        int(c.get("operationMetrics", {}).get("num_retries", 0)) for c in commits if c["operation"] == "WRITE"
    )
    files = _files_added(path, versions)
    write_snapshot, schema_snapshot = snapshots(write_policy, schema_policy)
    artifact = DeltaWriteArtifact(
        table_uri=relative_uri(path, warehouse),
        write_policy=write_snapshot,
        schema_policy=schema_snapshot,
        policy_fingerprint=fp,
        version_before=version_before,
        version_after=max(versions),
        files_added=tuple(files),
        rows=rows.num_rows,
        telemetry=WriteTelemetry(
            files_added=len(files),
            rows_written=rows.num_rows,
            bytes_written=sum(files.values()),
            commit_attempts=attempts + retries,
            duration_ms=(time.perf_counter() - started) * 1000.0,
            files_removed=sum(int(c.get("operationMetrics", {}).get("num_removed_files", 0)) for c in commits),
        ),
    )
    if warehouse is not None:
        WriteArtifactStore(warehouse).append(artifact, write_id=write_id)
    return artifact
