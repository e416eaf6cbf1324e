"""An engine session: a configured SessionContext plus what was registered in it.

The session remembers each registered table and view, so that it can record a
:class:`PlanningEnvironment` beside every plan (the audit rebuilds an equal session
from it in a fresh process) and can map table locations out of physical plan texts.
"""

from __future__ import annotations

import functools
from pathlib import Path

from datafusion import SessionContext

from artifact_contracts.models import (
    EngineConfig,
    PlanningEnvironment,
    RuntimeProfileSnapshot,
    TableSource,
    TableSpec,
    ViewSource,
)
from engine_app.errors import EngineError, error_text
from engine_app.session._context import build_session, read_settings, rulepack_hash, runtime_profile
from engine_app.session._tables import register_table

__all__ = ["EngineSession"]


class EngineSession:
    """A DataFusion session built from an :class:`EngineConfig`, with its registrations.

    Args:
        config: The engine configuration.
    """

    def __init__(self, config: EngineConfig | None = None) -> None:
        self.config = config if config is not None else EngineConfig()
        self.ctx: SessionContext = build_session(self.config)
        self._tables: dict[str, TableSource] = {}
        self._views: dict[str, ViewSource] = {}

    @classmethod
    def from_environment(cls, environment: PlanningEnvironment, base: Path | None = None) -> EngineSession:
        """Rebuild the session a plan was built in, registrations included.

        Args:
            environment: A recorded planning environment.
            base: The directory relative table locations are relative to (the warehouse).

        Returns:
            A fresh session with the same config, tables and views.
        """
        config = EngineConfig(
            target_partitions=environment.target_partitions,
            batch_size=environment.batch_size,
            settings=dict(environment.settings),
        )
        session = cls(config)
        for table in environment.tables:
            location = Path(table.location)
            if not location.is_absolute() and base is not None:
                location = base / location
            session.register(TableSpec(name=table.name, path=str(location), format=table.format))
        for view in environment.views:
            session.register_view(view.name, view.sql)
        return session

    def register(self, spec: TableSpec) -> None:
        """Register a Delta table or parquet data.

        Args:
            spec: Name, path and format.

        Raises:
            EngineError: The name is taken or the table cannot be opened.
        """
        if spec.name in self._tables or spec.name in self._views:
            raise EngineError(f"{spec.name!r} is already registered")
        location = str(Path(spec.path).expanduser().resolve())
        register_table(self.ctx, TableSpec(name=spec.name, path=location, format=spec.format))
        self._tables[spec.name] = TableSource(name=spec.name, format=spec.format, location=location)

    def register_view(self, name: str, sql: str) -> None:
        """Register a view over what is registered so far.

        Args:
            name: The view's name.
            sql: Its defining query.

        Raises:
            EngineError: The name is taken or the SQL does not plan.
        """
        if name in self._tables or name in self._views:
            raise EngineError(f"{name!r} is already registered")
        try:
            self.ctx.register_view(name, self.ctx.sql(sql))
        except Exception as exc:  # DataFusion raises bare Exception subclasses
            raise EngineError(f"view {name!r} does not plan: {error_text(exc)}") from exc
        self._views[name] = ViewSource(name=name, sql=sql)

    @property
    def tables(self) -> tuple[TableSource, ...]:
        """The registered tables, in registration order."""
        return tuple(self._tables.values())

    @property
    def views(self) -> tuple[ViewSource, ...]:
        """The registered views, in registration order."""
        return tuple(self._views.values())

    def environment(self) -> PlanningEnvironment:
        """Describe this session so that a fresh process can rebuild it.

        Returns:
            The config values and every registration.
        """
        return PlanningEnvironment(
            target_partitions=self.config.target_partitions,
            batch_size=self.config.batch_size,
            settings=dict(self.config.settings),
            tables=self.tables,
            views=self.views,
        )

    @functools.cached_property
    def profile(self) -> RuntimeProfileSnapshot:
        """The runtime profile (versions, settings, planning environment hash)."""
        return runtime_profile(self.ctx, self.config)

    @functools.cached_property
    def rulepack_hash(self) -> str:
        """The fingerprint of the optimizer's version, rules and settings."""
        return rulepack_hash(read_settings(self.ctx))
