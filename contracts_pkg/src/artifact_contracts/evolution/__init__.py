"""The contract compatibility gate: classify schema changes, derive the semver bump they need.

What lives where:

- ``_diff``: walks two exported schema documents and lists every :class:`Change`;
- ``_rules``: the catalog of rules (:data:`RULES`, documented in ``COMPATIBILITY.md``),
  each with the bump it requires per base and the surfaces it breaks (JSON wire,
  MessagePack wire, Python API);
- ``_versions``: semantic versions and the bump between two of them;
- ``_gate``: :func:`compare`, :func:`check` and the :class:`CompatReport`;
- ``_command``: the ``artifact-contracts compat`` subcommand (:func:`add_compat_arguments`,
  :func:`run_compat`), which :mod:`artifact_contracts.cli` registers.

The modules import one way, ``_rules`` <- ``_diff`` <- ``_gate`` <- ``_command``.
Before 1.0.0 the usual semver shift applies: ``0.y -> 0.(y+1)`` counts as a major bump
and ``0.y.z -> 0.y.(z+1)`` as a minor one.

Examples:
    >>> old = {"$defs": {"P": {"type": "object", "properties": {"a": {"type": "integer"}},
    ...                         "required": ["a"], "x-contract-base": "compat"}}}
    >>> new = {"$defs": {"P": {"type": "object", "properties": {"a": {"type": "integer"},
    ...                         "b": {"type": "string", "default": ""}},
    ...                         "required": ["a"], "x-contract-base": "compat"}}}
    >>> [(c.rule, c.path, c.bump) for c in compare(old, new)]
    [('FIELD_ADDED_OPTIONAL', 'P.b', 'minor')]
    >>> check(old, new, against="0.1.0", against_version="0.1.0", current_version="0.1.1").ok
    True
"""

from artifact_contracts.evolution._command import add_compat_arguments, run_compat
from artifact_contracts.evolution._diff import Change
from artifact_contracts.evolution._gate import (
    CompatReport,
    check,
    compare,
    load_document,
    release_versions,
    required_bump,
)
from artifact_contracts.evolution._rules import RULES, Rule
from artifact_contracts.evolution._versions import effective_bump, parse_version, version_bump

__all__ = [
    "Change",
    "CompatReport",
    "RULES",
    "Rule",
    "add_compat_arguments",
    "check",
    "compare",
    "effective_bump",
    "load_document",
    "parse_version",
    "release_versions",
    "required_bump",
    "run_compat",
    "version_bump",
]
