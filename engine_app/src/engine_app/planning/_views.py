"""The view registry: register views with a session and record them as ViewArtifacts.

Registering a view plans its SQL once, which both validates it and yields the
:class:`PlanArtifacts` (``view_name`` set) whose fingerprint the :class:`ViewArtifact`
carries. Dependencies are the base tables the plan reads (from its Substrait named
tables) and the registered views its SQL refers to.
"""

from __future__ import annotations

import dataclasses
import re

from artifact_contracts.models import PlanArtifacts, ViewArtifact
from engine_app.planning._capture import plan_sql
from engine_app.session import EngineSession

__all__ = ["RegisteredView", "ViewRegistry"]

_ALIAS = re.compile(r"SubqueryAlias: ([^\s]+)")


@dataclasses.dataclass(frozen=True)
class RegisteredView:
    """A registered view's artifact and the plan artifacts of its SQL."""

    view: ViewArtifact
    plan: PlanArtifacts


class ViewRegistry:
    """Registers views with one session and keeps their artifacts, in order.

    Args:
        session: The session to register the views with.
    """

    def __init__(self, session: EngineSession) -> None:
        self.session = session
        self._registered: dict[str, RegisteredView] = {}

    def register(self, name: str, sql: str) -> RegisteredView:
        """Plan a view's SQL, register the view and record its artifact.

        Args:
            name: The view's name.
            sql: Its defining query.

        Returns:
            The view artifact and its plan artifacts.

        Raises:
            PlanningError: The SQL does not plan.
            EngineError: The name is already registered.
        """
        known_views = {view.name for view in self.session.views}
        plan = plan_sql(self.session, sql, view_name=name)
        self.session.register_view(name, plan.sql)
        aliases = {match.group(1).split(".")[-1] for match in _ALIAS.finditer(plan.texts.logical)}
        # The snapshot lists exactly the base tables the plan reads.
        tables = {table.table_name for table in plan.information_schema.tables}
        view = ViewArtifact(
            name=name,
            sql=plan.sql,
            output_schema=plan.output_schema,
            dependencies=tuple(sorted(tables | (aliases & known_views))),
            plan_fingerprint=plan.plan_fingerprint,
        )
        registered = RegisteredView(view=view, plan=plan)
        self._registered[name] = registered
        return registered

    @property
    def registered(self) -> tuple[RegisteredView, ...]:
        """The views registered through this registry, in order."""
        return tuple(self._registered.values())
