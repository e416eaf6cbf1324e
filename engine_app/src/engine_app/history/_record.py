"""Recording a run: what every ``run`` and ``plan`` planned, statement by statement."""

from __future__ import annotations

import dataclasses
import datetime
import uuid
from collections.abc import Sequence
from typing import Literal

from deltalake import DeltaTable

import artifact_contracts
from artifact_contracts import fingerprint
from artifact_contracts.models import PipelineSpec, RunRecord, StatementRun, TableVersion
from engine_app.lake import Location, utc_now
from engine_app.session import EngineSession

__all__ = ["RunRecorder"]


def _version(location: str) -> int | None:
    try:
        return int(DeltaTable(Location.of(location).uri).version())
    except Exception:
        return None


@dataclasses.dataclass
class RunRecorder:
    """Collects one run's statements and builds its :class:`RunRecord`.

    Attributes:
        command: ``run`` or ``plan``.
        spec: The pipeline spec (``run``), for its fingerprint.
        run_id: The run's id (a fresh one by default).
    """

    command: Literal["run", "plan"]
    spec: PipelineSpec | None = None
    run_id: str = dataclasses.field(default_factory=lambda: uuid.uuid4().hex)
    started_at: datetime.datetime = dataclasses.field(default_factory=utc_now)
    statements: list[StatementRun] = dataclasses.field(default_factory=list)

    def add(self, statement: StatementRun) -> None:
        """Record one statement's outcome."""
        self.statements.append(statement)

    def record(self, session: EngineSession, statements: Sequence[StatementRun] | None = None) -> RunRecord:
        """Build the run's record, ended now.

        Args:
            session: The session the run planned in (its config, profile and tables).
            statements: The statements, when not collected with :meth:`add`.

        Returns:
            The record.
        """
        tables = tuple(
            TableVersion(name=t.name, format=t.format, version=_version(t.location) if t.format == "delta" else None)
            for t in session.tables
        )
        return RunRecord(
            run_id=self.run_id,
            command=self.command,
            started_at=self.started_at,
            ended_at=utc_now(),
            spec_fingerprint=fingerprint(self.spec) if self.spec is not None else None,
            config_fingerprint=fingerprint(session.config),
            planning_env_hash=session.profile.planning_env_hash,
            contract_version=artifact_contracts.__version__,
            profile=session.profile,
            tables=tables,
            statements=tuple(statements if statements is not None else self.statements),
        )
