"""The validated Delta write pipeline: policy in, commit(s) and a write artifact out.

:func:`write_table` writes Arrow data to a Delta table under a :class:`DeltaWritePolicy`
and a :class:`DeltaSchemaPolicy`:

1. **Validate** (nothing committed yet): the policy against the data and the table
   (:func:`check_policy`), then the data against the schema
   policy (:func:`conform_data`). A refusal raises
   :class:`PolicyError` / :class:`SchemaPolicyError` and the table keeps its version.
2. **Record the policy** as table properties
   (:func:`engine_properties`): a new table is created empty, with the data's schema, its
   partitioning and every property (Delta's and the engine's) in one ``CREATE TABLE``
   commit; racing creators lose that commit to the first one and go on to the data. An
   existing table gets one metadata commit when its properties differ from the policy.
3. **Write** into the (now existing) table with deltalake: partitioning, target file size, schema mode, and
   ``WriterProperties`` that always name the codec (a bare ``WriterProperties`` writes
   uncompressed parquet). Conflicting commits are retried up to ``max_attempts`` times
   from a fresh snapshot; then :class:`CommitConflictError` is raised, never swallowed.
4. **Z-order** with ``optimize.z_order`` when ``zorder_by`` is set.
5. **Record the write**: every commit above carries ``engine.policyFingerprint`` and
   ``engine.writeId`` in its custom metadata; the returned :class:`DeltaWriteArtifact`
   (versions, files added, rows, :class:`WriteTelemetry`) is appended to
   ``<warehouse>/delta_write_artifacts_v1`` when a warehouse is given. A crash between the
   data commit and that append loses nothing: ``engine_app.stores.repair`` rebuilds the
   artifact from the log.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa
from deltalake import CommitProperties, DeltaTable, WriterProperties, write_deltalake
from deltalake.exceptions import CommitFailedError, DeltaError

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
from engine_app.errors import DeltaIOError, error_text
from engine_app.lake import add_actions, commits_with, is_delta_table, relative_uri, retry_commit
from engine_app.stores import WriteArtifactStore

__all__ = ["files_added", "write_table", "writer_properties"]

Step = Literal["properties", "data", "artifact"]
"""The crash points of a write: after the properties (or create) commit, after the data
commit, and just before the artifact is appended."""

_step_hook: Callable[[Step], None] | None = None
"""Called at each :data:`Step` (tests set it to kill the process there); None in use."""


def _step(step: Step) -> None:
    if _step_hook is not None:
        _step_hook(step)


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


def _create(
    path: Path,
    schema: pa.Schema,
    partition_by: list[str],
    properties: dict[str, str],
    description: str | None,
    metadata: dict[str, str],
) -> bool:
    """Create the table empty with its schema, partitioning and every property, in one commit.

    Returns:
        True when this call created it; False when a racing writer created it first.
    """
    try:
        DeltaTable.create(
            str(path),
            schema,
            mode="error",
            partition_by=partition_by or None,
            description=description,
            configuration=properties,
            # No rebase: a creator that loses version 0 must not commit a second CREATE TABLE
            # on top of the winner's (delta-rs would, as version 1).
            commit_properties=CommitProperties(custom_metadata=metadata, max_commit_retries=0),
            raise_if_key_not_exists=False,
        )
    except (CommitFailedError, DeltaError) as exc:
        if not is_delta_table(path):
            raise DeltaIOError(f"cannot create the table {path}: {error_text(exc)}") from exc
        return False
    return True


def files_added(path: Path, versions: list[int]) -> dict[str, int]:
    """The files the commits at ``versions`` added and left in place, with their sizes, in commit order.

    Args:
        path: The table root.
        versions: The commits' versions, ascending.

    Returns:
        Table-relative file path to size in bytes.
    """
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
    wanted = {**delta_properties(write_policy), **engine_properties(write_policy, schema_policy)}
    version_before = existing.version() if existing is not None else None
    path.mkdir(parents=True, exist_ok=True)
    created = existing is None and _create(
        path, rows.schema, list(write_policy.partition_by), wanted, description, metadata
    )
    if not created:  # an existing table, or one a racing writer created (with equal properties: no commit)
        _sync_properties(path, wanted, description, metadata, max_attempts)
    _step("properties")
    props = writer_properties(write_policy)

    def attempt(number: int) -> None:
        table = DeltaTable(str(path))
        if before_commit is not None:
            before_commit(number)
        write_deltalake(
            table,
            rows,
            mode=write_policy.mode,
            schema_mode=None if schema_policy.schema_mode == "strict" else schema_policy.schema_mode,
            target_file_size=write_policy.target_file_size,
            writer_properties=props,
            commit_properties=CommitProperties(custom_metadata=metadata),
        )

    _, attempts = retry_commit(attempt, max_attempts=max_attempts, what=f"write to {path}")
    _step("data")
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
    files = files_added(path, versions)
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
    _step("artifact")
    if warehouse is not None:
        WriteArtifactStore(warehouse).append(artifact, write_id=write_id)
    return artifact
