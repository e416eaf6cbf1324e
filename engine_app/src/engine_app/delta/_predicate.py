"""Translate a DataFusion filter expression into a pyarrow dataset expression.

The scan planner hands the SQL predicate to DataFusion, which pushes it into the pyarrow
dataset scan itself. To count what that pushdown prunes *before* reading (fragments from
the Delta log's stats, row groups from parquet footers), the planner needs the same
predicate as a ``pyarrow.compute.Expression``: this module builds one from DataFusion's
optimized expression tree (literals already folded, e.g. ``DATE '1995-01-01'``).

The translation is conservative. An ``AND`` keeps the conjuncts it can translate (a
weaker filter prunes less, never wrongly; under a ``NOT`` that would make it stronger, so
there every conjunct must translate); any other node it cannot translate (``LIKE``,
a function call, a cast of a column) makes its subtree untranslatable, and ``None`` means
"prune nothing".
"""

from __future__ import annotations

import functools
import operator
from typing import Any

import pyarrow.compute as pc
from datafusion import Expr

__all__ = ["to_pyarrow"]

_COMPARE = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _value(expr: Expr) -> Any:
    if expr.variant_name() != "Literal":
        raise _Untranslatable
    return expr.python_value()


class _Untranslatable(Exception):
    """A node with no pyarrow equivalent."""


def _translate(expr: Expr, positive: bool = True) -> pc.Expression:
    """Translate ``expr``; under a NOT (``positive`` False) nothing may be dropped."""
    kind = expr.variant_name()
    node = expr.to_variant()
    if kind == "Column":
        return pc.field(node.name())
    if kind == "Literal":
        return pc.scalar(expr.python_value())
    if kind == "Alias":
        return _translate(node.expr())
    if kind == "BinaryExpr":
        op = node.op()
        if op == "AND":
            return _and(node.left(), node.right(), positive)
        if op == "OR":
            return _translate(node.left(), positive) | _translate(node.right(), positive)
        if op in _COMPARE:
            return _COMPARE[op](_translate(node.left()), _translate(node.right()))
    if kind == "Not":
        return ~_translate(node.expr(), not positive)
    if kind == "IsNull":
        return _translate(node.expr()).is_null()
    if kind == "IsNotNull":
        return _translate(node.expr()).is_valid()
    if kind == "InList":
        # A chain of equalities, not ``isin``: isin yields false for a null input where SQL
        # yields null, which a NOT would turn into true.
        inner = _translate(node.expr())
        values = [_value(item) for item in node.list()]
        if not values:
            raise _Untranslatable
        found = functools.reduce(operator.or_, [inner == pc.scalar(v) for v in values])
        return ~found if node.negated() else found
    if kind == "Between":
        inner = _translate(node.expr())
        inside = (inner >= _translate(node.low())) & (inner <= _translate(node.high()))
        return ~inside if node.negated() else inside
    raise _Untranslatable


def _and(left: Expr, right: Expr, positive: bool) -> pc.Expression:
    if not positive:  # dropping a conjunct under NOT would make the filter stronger
        return _translate(left, positive) & _translate(right, positive)
    parts = []
    for side in (left, right):
        try:
            parts.append(_translate(side, positive))
        except _Untranslatable:
            continue
    if not parts:
        raise _Untranslatable
    return parts[0] if len(parts) == 1 else parts[0] & parts[1]


def to_pyarrow(expr: Expr) -> pc.Expression | None:
    """Translate a DataFusion expression, or return None when nothing of it translates.

    Args:
        expr: A boolean DataFusion expression over plain columns.

    Returns:
        An equivalent or weaker pyarrow expression, or None.
    """
    try:
        return _translate(expr)
    except _Untranslatable:
        return None
