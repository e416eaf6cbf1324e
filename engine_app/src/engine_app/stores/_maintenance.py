"""Store maintenance with the Delta log as the source of truth: check, repair, optimize, vacuum.

Every commit the write pipeline makes carries its write's ``engine.writeId`` (and policy
fingerprint) in its custom metadata, and the write-artifact store is keyed by that id. So
the log alone tells, for every table of a warehouse:

- which writes **committed data** (a ``WRITE`` commit carries the id) but have no artifact:
  the process died after the data commit, before the append. :func:`repair` rebuilds each
  artifact from the log (versions, files added, rows from ``operationMetrics``, the policy
  from the table properties at the write's first commit) and appends it under its write id,
  so running it twice records nothing twice;
- which writes committed **properties only** (``CREATE TABLE`` / ``SET TBLPROPERTIES`` with
  no ``WRITE`` after): the process died between the two; :func:`check` reports them.

:func:`check` also verifies that every data file of every store table has the store's
declared schema (read from the parquet footer: no view types, the declared types) and
that every payload decodes (file by file, in batches). It reads only, it never writes to
the warehouse.

:func:`optimize` compacts every store table (and Z-orders the plan store by
``plan_fingerprint`` so lookups prune); :func:`vacuum` deletes unreferenced files under
Delta's retention rules and refuses a retention below a table's
``delta.deletedFileRetentionDuration`` (168 hours by default) unless forced.

The user tables are found under the warehouse (its Delta tables one or two levels deep,
the store tables and the incremental change logs aside), plus any table given explicitly
and any absolute table URI the write artifacts already name.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import pyarrow as pa
import pyarrow.fs as pafs
from deltalake import CommitProperties
from deltalake.exceptions import DeltaError

from artifact_contracts.models import DeltaWriteArtifact, DiagnosticsEvent, WriteTelemetry
from engine_app.errors import DeltaIOError, EngineError, error_text
from engine_app.lake import Location, dataset, relative_uri
from engine_app.stores._events import make_event
from engine_app.stores._plans import PLAN_TABLE
from engine_app.stores._registry import STORE_SPECS, STORE_TABLES
from engine_app.stores._table import PAYLOAD, Reads, Store
from engine_app.stores._warehouse import Warehouse
from engine_app.stores._writes import WRITE_ARTIFACTS_TABLE as WRITES_TABLE

__all__ = [
    "DEFAULT_RETENTION_HOURS",
    "LoggedWrite",
    "MaintenanceResult",
    "RepairReport",
    "UnsafeRetentionError",
    "check",
    "logged_writes",
    "optimize",
    "rebuild_artifact",
    "repair",
    "retention_floor_hours",
    "user_tables",
    "vacuum",
]

WRITE_ID_KEY = "engine.writeId"
FINGERPRINT_KEY = "engine.policyFingerprint"
DATA_OPERATION = "WRITE"
"""The operation of a write's data commit (its other commits set properties or Z-order)."""
DEFAULT_RETENTION_HOURS = 168
"""Delta's default ``delta.deletedFileRetentionDuration``: 7 days."""
_SKIPPED_DIRS = frozenset({"_incremental", "_delta_log"})
_MAINTENANCE = "engine.maintenance"
_DECODE_BATCH = 1024


class UnsafeRetentionError(EngineError):
    """A vacuum retention below a table's ``delta.deletedFileRetentionDuration``.

    Attributes:
        requested: The retention asked for, in hours.
        floor: The smallest retention the tables allow, in hours.
        table: The table whose retention is the floor.
    """

    def __init__(self, requested: float, floor: float, table: str) -> None:
        super().__init__(
            f"a retention of {requested:g} h is under the {floor:g} h that {table} keeps deleted files "
            f"(delta.deletedFileRetentionDuration); pass --retention-hours {floor:g} or more, or --force"
        )
        self.requested, self.floor, self.table = requested, floor, table


@dataclasses.dataclass(frozen=True)
class LoggedWrite:
    """One write as the log records it: every commit of a table carrying its write id.

    Attributes:
        table: The table's location.
        write_id: The ``engine.writeId``.
        commits: The commit infos, oldest first, each with its ``version``, ``adds``
            (path to size) and ``removes`` (paths) from the commit's actions.
    """

    table: Location
    write_id: str
    commits: tuple[dict[str, Any], ...]

    @property
    def versions(self) -> list[int]:
        """The versions of the write's commits, ascending."""
        return [int(c["version"]) for c in self.commits]

    @property
    def data_committed(self) -> bool:
        """Whether the data commit landed (else only properties did)."""
        return any(c.get("operation") == DATA_OPERATION for c in self.commits)


@dataclasses.dataclass(frozen=True)
class RepairReport:
    """What :func:`repair` did.

    Attributes:
        rebuilt: The artifacts rebuilt from the log and recorded now.
        events: One event per rebuilt artifact (``WRITE_ARTIFACT_REBUILT``) and per problem
            repair cannot fix (``ORPHANED_PROPERTIES_COMMIT``).
    """

    rebuilt: list[DeltaWriteArtifact]
    events: list[DiagnosticsEvent]


@dataclasses.dataclass(frozen=True)
class MaintenanceResult:
    """What :func:`optimize` or :func:`vacuum` did to one store table.

    Attributes:
        table: The store table's name.
        operation: ``compact``, ``z_order`` or ``vacuum``.
        metrics: deltalake's metrics (optimize) or ``{"files": [...]}`` (vacuum).
    """

    table: str
    operation: str
    metrics: dict[str, Any]


def _log_versions(table: Location) -> list[int]:
    filesystem, root = table.filesystem()
    infos = filesystem.get_file_info(pafs.FileSelector(f"{root}/_delta_log", allow_not_found=True))
    names = (info.base_name for info in infos if info.type == pafs.FileType.File)
    return sorted(int(name[:-5]) for name in names if re.fullmatch(r"\d{20}\.json", name))


def _commit_of(text: str, version: int) -> dict[str, Any] | None:
    info: dict[str, Any] | None = None
    adds: dict[str, int] = {}
    removes: list[str] = []
    for line in text.splitlines():
        action = json.loads(line) if line.strip() else {}
        if "commitInfo" in action:
            info = action["commitInfo"]
        elif "add" in action:
            adds[str(action["add"]["path"])] = int(action["add"].get("size", 0))
        elif "remove" in action:
            removes.append(str(action["remove"]["path"]))
    if info is None or WRITE_ID_KEY not in info:
        return None
    return {**info, "version": version, "adds": adds, "removes": removes}


def logged_writes(table: Location) -> dict[str, LoggedWrite]:
    """Read a table's log once and group the commits that carry a write id.

    Commit files that log clean-up removed (behind a checkpoint) are skipped.

    Args:
        table: The table.

    Returns:
        Write id to the write's commits.
    """
    grouped: dict[str, list[dict[str, Any]]] = {}
    for version in _log_versions(table):
        try:
            commit = _commit_of(table.read_text(f"_delta_log/{version:020d}.json"), version)
        except FileNotFoundError:
            continue
        if commit is not None:
            grouped.setdefault(str(commit[WRITE_ID_KEY]), []).append(commit)
    return {wid: LoggedWrite(table, wid, tuple(commits)) for wid, commits in grouped.items()}


def _child_dirs(location: Location) -> list[str]:
    filesystem, root = location.filesystem()
    infos = filesystem.get_file_info(pafs.FileSelector(root, allow_not_found=True))
    return sorted(i.base_name for i in infos if i.type == pafs.FileType.Directory and i.base_name not in _SKIPPED_DIRS)


def user_tables(warehouse: Warehouse, tables: Iterable[Location | str | os.PathLike[str]] = ()) -> list[Location]:
    """The user tables of a warehouse: its Delta tables one or two levels deep, and ``tables``.

    The store tables and the incremental change logs (``_incremental``) are skipped;
    absolute table URIs the write artifacts name are included.

    Args:
        warehouse: The warehouse.
        tables: More tables (written with this warehouse but living elsewhere).

    Returns:
        The tables' locations, each once.
    """
    found: dict[str, Location] = {}
    for name in _child_dirs(warehouse.location) if warehouse.exists() else []:
        if name in STORE_TABLES:
            continue
        child = warehouse.table(name)
        candidates = [child] if child.is_delta_table() else [child.join(sub) for sub in _child_dirs(child)]
        found.update((c.uri, c) for c in candidates if c.is_delta_table())
    named = {uri for uri in _recorded_uris(warehouse) if "://" in uri or uri.startswith("/")}
    for extra in [*(Location.of(uri, warehouse.location.storage_options) for uri in named), *map(Location.of, tables)]:
        if extra.is_delta_table():
            found.setdefault(extra.uri, extra)
    return list(found.values())


def _recorded_uris(warehouse: Warehouse) -> set[str]:
    reads = warehouse.writes.store.read(["table_uri"])
    return set(reads.table.column("table_uri").to_pylist())


def _unrecorded(
    warehouse: Warehouse, tables: Iterable[Location | str | os.PathLike[str]]
) -> tuple[list[LoggedWrite], list[DiagnosticsEvent]]:
    """The logged writes without an artifact, and an event per table whose log cannot be read.

    Raises:
        DeltaIOError: The write-artifact store itself cannot be read.
    """
    try:
        recorded = warehouse.writes.write_ids()
    except DeltaError as exc:
        raise DeltaIOError(f"cannot read the write artifacts of {warehouse.uri}: {error_text(exc)}") from exc
    writes: list[LoggedWrite] = []
    events: list[DiagnosticsEvent] = []
    for table in user_tables(warehouse, tables):
        try:
            logged = logged_writes(table)
        except (ValueError, OSError, DeltaError) as exc:  # a garbage or unreadable commit file
            events.append(_log_event(table, warehouse, exc))
            continue
        writes.extend(write for write_id, write in logged.items() if write_id not in recorded)
    return writes, events


def _log_event(table: Location, warehouse: Warehouse, exc: Exception) -> DiagnosticsEvent:
    uri = relative_uri(table, warehouse.location)
    return make_event(
        "error",
        "TABLE_LOG_UNREADABLE",
        f"the Delta log of {uri} cannot be read, its writes were not checked: {error_text(exc)}",
        subject=uri,
        context={"table": uri},
    )


def _files_added(write: LoggedWrite) -> dict[str, int]:
    files: dict[str, int] = {}
    for commit in write.commits:
        for path in commit["removes"]:
            files.pop(path, None)
        files.update(commit["adds"])
    return files


def _metric(commits: Iterable[dict[str, Any]], name: str) -> int:
    return sum(int(c.get("operationMetrics", {}).get(name, 0) or 0) for c in commits)


def rebuild_artifact(write: LoggedWrite, warehouse: Warehouse) -> DeltaWriteArtifact:
    """Rebuild a write's artifact from its commits (the write must have committed data).

    Args:
        write: The write, as :func:`logged_writes` found it.
        warehouse: The warehouse its table URI is recorded relative to.

    Returns:
        The artifact (``duration_ms`` is 0: the log does not record the write's wall time).
    """
    from engine_app.delta._properties import policies_from_table  # engine_app.delta imports the stores

    data = [c for c in write.commits if c.get("operation") == DATA_OPERATION]
    mode = str(data[-1].get("operationParameters", {}).get("mode", "append")).lower()
    first = write.commits[0]
    write_policy, schema_policy, _ = policies_from_table(
        write.table.open(version=int(first["version"])), mode="overwrite" if mode == "overwrite" else "append"
    )
    files = _files_added(write)
    rows = _metric(data, "num_added_rows")
    return DeltaWriteArtifact(
        table_uri=relative_uri(write.table, warehouse.location),
        write_policy=write_policy,
        schema_policy=schema_policy,
        policy_fingerprint=str(first[FINGERPRINT_KEY]),
        version_before=None if first.get("operation") == "CREATE TABLE" else int(first["version"]) - 1,
        version_after=max(write.versions),
        files_added=tuple(files),
        rows=rows,
        telemetry=WriteTelemetry(
            files_added=len(files),
            rows_written=rows,
            bytes_written=sum(files.values()),
            commit_attempts=len(data) + _metric(data, "num_retries"),
            files_removed=_metric(write.commits, "num_removed_files"),
        ),
    )


def _orphan_event(write: LoggedWrite, warehouse: Warehouse) -> DiagnosticsEvent:
    uri = relative_uri(write.table, warehouse.location)
    operations = ", ".join(f"{c['operation']} v{c['version']}" for c in write.commits)
    return make_event(
        "warning",
        "ORPHANED_PROPERTIES_COMMIT",
        f"write {write.write_id} of {uri} committed its properties ({operations}) but no data: "
        "the writer stopped between the two; the table is consistent, no rows are missing",
        subject=uri,
        context={"table": uri, "write_id": write.write_id, "versions": ",".join(map(str, write.versions))},
    )


def _missing_event(write: LoggedWrite, warehouse: Warehouse) -> DiagnosticsEvent:
    uri = relative_uri(write.table, warehouse.location)
    return make_event(
        "error",
        "WRITE_ARTIFACT_MISSING",
        f"write {write.write_id} of {uri} committed data at version(s) {write.versions} but its write "
        "artifact is missing; `engine-app store repair` rebuilds it from the log",
        subject=uri,
        context={"table": uri, "write_id": write.write_id, "versions": ",".join(map(str, write.versions))},
    )


def repair(
    warehouse: Warehouse | Location | str | os.PathLike[str], tables: Iterable[Location | str | os.PathLike[str]] = ()
) -> RepairReport:
    """Rebuild from the log every write artifact the warehouse is missing, and record it.

    Idempotent: the store is keyed by write id, and a second run finds nothing missing.

    Args:
        warehouse: The warehouse.
        tables: More tables written with this warehouse that live outside it.

    Returns:
        The rebuilt artifacts, and events for them, for orphaned properties commits and
        for tables whose log cannot be read.

    Raises:
        EngineError: There is no warehouse there.
        DeltaIOError: The write-artifact store cannot be read.
    """
    warehouse = _existing(warehouse)
    rebuilt: list[DeltaWriteArtifact] = []
    unrecorded, events = _unrecorded(warehouse, tables)
    for write in unrecorded:
        if not write.data_committed:
            events.append(_orphan_event(write, warehouse))
            continue
        artifact = rebuild_artifact(write, warehouse)
        if warehouse.writes.append(artifact, write_id=write.write_id):
            rebuilt.append(artifact)
            events.append(
                make_event(
                    "info",
                    "WRITE_ARTIFACT_REBUILT",
                    f"rebuilt the artifact of write {write.write_id} of {artifact.table_uri} from the log: "
                    f"version {artifact.version_before} -> {artifact.version_after}, {artifact.rows} rows, "
                    f"{len(artifact.files_added)} file(s)",
                    subject=artifact.table_uri,
                    context={"table": artifact.table_uri, "write_id": write.write_id},
                )
            )
    return RepairReport(rebuilt, events)


def _field_problems(found: pa.Schema, declared: pa.Schema) -> list[str]:
    problems = [f"{f.name}: missing" for f in declared if f.name not in found.names]
    problems += [f"{f.name}: not declared" for f in found if f.name not in declared.names]
    for field in declared:
        if field.name in found.names and found.field(field.name).type != field.type:
            problems.append(f"{field.name}: {found.field(field.name).type} (declared {field.type})")
    return problems


def _schema_event(store: Store[Any], path: str, problems: list[str]) -> DiagnosticsEvent:
    return make_event(
        "error",
        "STORE_FILE_SCHEMA_MISMATCH",
        f"a data file of {store.name} does not have the declared schema: {'; '.join(problems)}",
        subject=path,
        context={"table": store.name, "file": path},
    )


def _file_events(store: Store[Any], fragment: Any) -> list[DiagnosticsEvent]:
    """Check one data file's parquet schema, then decode its payloads batch by batch."""
    path = str(fragment.path)
    problems = _field_problems(fragment.physical_schema, store.spec.schema)
    events = [_schema_event(store, path, problems)] if problems else []
    columns = [*store.spec.key, PAYLOAD]
    offset = 0
    for batch in fragment.to_batches(columns=columns, batch_size=_DECODE_BATCH):
        rows = Reads(pa.Table.from_batches([batch]), [])
        events.extend(store.decode(rows, _row_subject(path, offset)).events)
        offset += batch.num_rows
    return events


def _row_subject(path: str, offset: int) -> Callable[[int, dict[str, Any]], str]:
    return lambda index, _: f"{path} row {offset + index}"


def _store_events(warehouse: Warehouse) -> list[DiagnosticsEvent]:
    events: list[DiagnosticsEvent] = []
    for store in _existing_stores(warehouse):
        try:
            fragments = list(dataset(store.location.open(), store.location).get_fragments())
        except (DeltaError, OSError, ValueError) as exc:  # a garbage commit file, a missing checkpoint
            events.append(_log_event(store.location, warehouse, exc))
            continue
        for fragment in fragments:
            try:
                events.extend(_file_events(store, fragment))
            except (OSError, pa.ArrowException) as exc:
                events.append(
                    make_event(
                        "error",
                        "DATA_FILE_UNREADABLE",
                        f"a data file of {store.name} cannot be read: {exc}",
                        subject=str(fragment.path),
                        context={"table": store.name, "file": str(fragment.path)},
                    )
                )
    return events


def check(
    warehouse: Warehouse | Location | str | os.PathLike[str], tables: Iterable[Location | str | os.PathLike[str]] = ()
) -> list[DiagnosticsEvent]:
    """Verify the stores and the write log of a warehouse (reads only, writes nothing).

    Args:
        warehouse: The warehouse.
        tables: More tables written with this warehouse that live outside it.

    Returns:
        One event per problem, empty when clean: ``STORE_FILE_SCHEMA_MISMATCH`` (error) per
        store file off its declared schema, ``DATA_FILE_UNREADABLE`` / ``ROW_DECODE_FAILED``
        (error) per damaged file or undecodable payload, ``WRITE_ARTIFACT_MISSING`` (error)
        per write whose data committed without its artifact, ``ORPHANED_PROPERTIES_COMMIT``
        (warning) per write that committed properties but no data, ``TABLE_LOG_UNREADABLE``
        (error) per table whose log cannot be read.

    Raises:
        EngineError: There is no warehouse there.
    """
    warehouse = _existing(warehouse)
    events = _store_events(warehouse)
    unreadable = {"DATA_FILE_UNREADABLE", "TABLE_LOG_UNREADABLE"}
    if any(e.code in unreadable and e.context.get("table") == WRITES_TABLE for e in events):
        return events  # the write artifacts cannot be read: comparing them with the log would mislead
    unrecorded, log_events = _unrecorded(warehouse, tables)
    events.extend(log_events)
    for write in unrecorded:
        events.append(_missing_event(write, warehouse) if write.data_committed else _orphan_event(write, warehouse))
    return events


def _existing(where: Warehouse | Location | str | os.PathLike[str]) -> Warehouse:
    warehouse = Warehouse.of(where)
    if not warehouse.exists():
        raise EngineError(f"no warehouse at {warehouse.uri}")
    if warehouse.location.is_local and not warehouse.location.path.is_dir():
        raise EngineError(f"the warehouse {warehouse.uri} is not a directory")
    return warehouse


def _existing_stores(warehouse: Warehouse) -> list[Store[Any]]:
    stores: list[Store[Any]] = [Store(warehouse.table(spec.table), spec) for spec in STORE_SPECS]
    return [store for store in stores if store.exists()]


def optimize(warehouse: Warehouse | Location | str | os.PathLike[str]) -> list[MaintenanceResult]:
    """Compact every store table; Z-order the plan store by ``plan_fingerprint``.

    Args:
        warehouse: The warehouse.

    Returns:
        One result per operation, with deltalake's metrics.

    Raises:
        EngineError: There is no warehouse there.
    """
    results = []
    for store in _existing_stores(_existing(warehouse)):
        commit = CommitProperties(custom_metadata={"engine.store": store.name, _MAINTENANCE: "optimize"})
        if store.name == PLAN_TABLE:
            metrics = store.location.open().optimize.z_order(["plan_fingerprint"], commit_properties=commit)
            results.append(MaintenanceResult(store.name, "z_order", dict(metrics)))
        else:
            metrics = store.location.open().optimize.compact(commit_properties=commit)
            results.append(MaintenanceResult(store.name, "compact", dict(metrics)))
    return results


_INTERVAL = re.compile(r"^\s*(?:interval\s+)?(\d+(?:\.\d+)?)\s*([a-z]+?)s?\s*$", re.IGNORECASE)
_HOURS_PER = {
    "nanosecond": 1 / 3.6e12,
    "microsecond": 1 / 3.6e9,
    "millisecond": 1 / 3.6e6,
    "second": 1 / 3600,
    "minute": 1 / 60,
    "hour": 1.0,
    "day": 24.0,
    "week": 168.0,
}


def _hours(interval: str | None) -> float:
    """Parse a Delta interval (``interval 7 days``) into hours (the default when absent)."""
    if not interval:
        return float(DEFAULT_RETENTION_HOURS)
    match = _INTERVAL.match(interval)
    if match is None or match.group(2).lower() not in _HOURS_PER:
        raise EngineError(f"cannot read the retention interval {interval!r}")
    return float(match.group(1)) * _HOURS_PER[match.group(2).lower()]


def retention_floor_hours(store: Store[Any]) -> float:
    """The table's ``delta.deletedFileRetentionDuration`` in hours (168 when unset)."""
    configuration = store.location.open().metadata().configuration
    return _hours(configuration.get("delta.deletedFileRetentionDuration"))


def vacuum(
    warehouse: Warehouse | Location | str | os.PathLike[str],
    retention_hours: int = DEFAULT_RETENTION_HOURS,
    *,
    dry_run: bool = False,
    force: bool = False,
) -> list[MaintenanceResult]:
    """Delete the store tables' files that no version within the retention references.

    Args:
        warehouse: The warehouse.
        retention_hours: Keep files removed less than this long ago.
        dry_run: List what would be deleted, delete nothing.
        force: Allow a retention below a table's ``delta.deletedFileRetentionDuration``.

    Returns:
        One result per store table, ``metrics["files"]`` the files deleted (or that would be).

    Raises:
        EngineError: There is no warehouse there.
        UnsafeRetentionError: The retention is below a table's and ``force`` is not set
            (checked for every table before any is vacuumed).
    """
    stores = _existing_stores(_existing(warehouse))
    _refuse_unsafe(stores, retention_hours, force)
    results = []
    for store in stores:
        files = store.location.open().vacuum(
            retention_hours=retention_hours,
            dry_run=dry_run,
            enforce_retention_duration=not force,
            commit_properties=CommitProperties(custom_metadata={"engine.store": store.name, _MAINTENANCE: "vacuum"}),
        )
        results.append(MaintenanceResult(store.name, "vacuum", {"files": sorted(files), "dry_run": dry_run}))
    return results


def _refuse_unsafe(stores: Sequence[Store[Any]], retention_hours: int, force: bool) -> None:
    if force:
        return
    for store in stores:
        floor = retention_floor_hours(store)
        if retention_hours < floor:
            raise UnsafeRetentionError(retention_hours, floor, store.name)
