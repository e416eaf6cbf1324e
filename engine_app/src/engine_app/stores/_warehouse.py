"""The warehouse: one location (a directory or a URI with storage options) that owns every store."""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Mapping

from engine_app.lake import Location
from engine_app.stores._cdf import CursorStore, RunStore
from engine_app.stores._diagnostics import DiagnosticsLog
from engine_app.stores._plans import PlanArtifactStore, ViewArtifactStore
from engine_app.stores._runs import RunRecordStore
from engine_app.stores._scans import ScanArtifactStore
from engine_app.stores._writes import WriteArtifactStore

__all__ = ["Warehouse"]


@dataclasses.dataclass(frozen=True)
class Warehouse:
    """A warehouse: where every store of the engine lives, local or on object storage.

    Attributes:
        location: The warehouse root (``/data/wh`` or ``s3://bucket/wh`` + storage options).
    """

    location: Location

    @classmethod
    def of(
        cls, where: Warehouse | Location | str | os.PathLike[str], storage_options: Mapping[str, str] | None = None
    ) -> Warehouse:
        """Return the warehouse at a path, URI or location (a warehouse is returned as is)."""
        if isinstance(where, Warehouse):
            return where
        return cls(Location.of(where, storage_options))

    @property
    def uri(self) -> str:
        """The warehouse root's URI (an absolute path for a local warehouse)."""
        return self.location.uri

    def table(self, name: str) -> Location:
        """The location of a table (or directory) under the warehouse."""
        return self.location.join(name)

    def exists(self) -> bool:
        """Whether the warehouse root exists."""
        return self.location.exists()

    @functools.cached_property
    def plans(self) -> PlanArtifactStore:
        """The plan artifacts."""
        return PlanArtifactStore(self.location)

    @functools.cached_property
    def views(self) -> ViewArtifactStore:
        """The view artifacts."""
        return ViewArtifactStore(self.location)

    @functools.cached_property
    def run_records(self) -> RunRecordStore:
        """The run records of ``run`` and ``plan``."""
        return RunRecordStore(self.location)

    @functools.cached_property
    def diagnostics(self) -> DiagnosticsLog:
        """The diagnostics events."""
        return DiagnosticsLog(self.location)

    @functools.cached_property
    def writes(self) -> WriteArtifactStore:
        """The write artifacts."""
        return WriteArtifactStore(self.location)

    @functools.cached_property
    def scans(self) -> ScanArtifactStore:
        """The scan artifacts."""
        return ScanArtifactStore(self.location)

    @functools.cached_property
    def cursors(self) -> CursorStore:
        """The CDF cursors."""
        return CursorStore(self.location)

    @functools.cached_property
    def runs(self) -> RunStore:
        """The incremental runs."""
        return RunStore(self.location)
