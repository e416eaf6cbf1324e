"""Walk two exported schema documents and list every change under a catalog rule.

The walker reads the shape :mod:`artifact_contracts.registry` exports (msgspec's
``schema_components`` plus ``x-`` keys for what JSON Schema cannot say: the Struct base,
``array_like`` field names, tags, ext codes, and the ``x-python`` surface beside
``$defs``) and follows msgspec's decoding semantics rather than JSON Schema set
inclusion: Compat types skip unknown fields and fill defaults, Strict types reject
unknown fields, ``array_like`` types are positional and write every position, an
integer bound ``gt=n`` is ``ge=n+1``.

Every keyword the export emits is compared: types and unions, ``enum``/``const``, the
numeric bounds, lengths, ``pattern``, ``multipleOf``, ``uniqueItems``, ``format``,
``contentEncoding`` and the ext code, ``items``/``prefixItems``, dict values
(``additionalProperties``) and keys (``propertyNames``), ``required`` and ``default``,
the cross-field rules a type declares (``allOf``, ``not``, ``if``/``then``/``else``), the
tags, and the words (``title``, ``description``, ``examples``).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Final, NamedTuple

from artifact_contracts.base import StructBaseCompat
from artifact_contracts.evolution._rules import RULES, Base, Bump, Surface
from artifact_contracts.registry import BASE64, RFC3339_AWARE

__all__ = ["Change", "diff_documents"]

Schema = Mapping[str, Any]
PyFields = Mapping[str, Mapping[str, str]]

_DOC_KEYS: Final = frozenset({"title", "description", "examples", "$comment", "deprecated"})
_CROSS_FIELD_KEYS: Final = ("allOf", "not", "if", "then", "else", "dependentRequired", "dependentSchemas")
_LENGTHS: Final = (("minLength", "maxLength"), ("minItems", "maxItems"), ("minProperties", "maxProperties"))
_EXT: Final = "x-msgpack-ext-code"
_DECLARED_BASES: Final[dict[str, Base]] = {"compat": "compat", "strict": "strict"}
# The bases turn an int held by a float field into a float, defaults included: 1 is 1.0 there.
_NUMBERS: Final = {"int": "number", "float": "number"}
_VERDICT_RULES: Final = {1: "CONSTRAINT_TIGHTENED", -1: "CONSTRAINT_LOOSENED", 0: "CONSTRAINT_CHANGED"}
_BASE64_RULES: Final = {1: "BASE64_SPELLING_TIGHTENED", -1: "BASE64_SPELLING_LOOSENED", 0: "BASE64_SPELLING_CHANGED"}
# The patterns the export adds to say what msgspec's decoder of the type enforces anyway.
_STATED_PATTERNS: Final = {"bytes": BASE64, "date-time": RFC3339_AWARE}
# String spellings whose MessagePack form is not a str: a str reader rejects them there.
_NOT_STR_IN_MSGPACK: Final = frozenset({"date-time", "bytes", "ext"})
# On one Python type, these string kinds differ only in ``Meta(tz=...)``: ``str`` is a
# datetime or time that may carry a timezone or not, the others require one or forbid it.
_TZ_REQUIRED: Final = ("date-time", "time")
_TZ_FORBIDDEN: Final = "partial-time"
# Rules that say a field's type changed: after them, a different Python type says nothing new.
_TYPE_RULES: Final = frozenset(
    {
        "FIELD_TYPE_CHANGED",
        "FIELD_TYPE_WIDENED",
        "FIELD_TYPE_NARROWED",
        "PYTHON_TYPE_CHANGED",
        "STRING_TYPE_RELAXED",
        "STRING_TYPE_RELAXED_FROM_EXT",
        "STRING_TYPE_NARROWED",
        "STRING_TYPE_NARROWED_TO_EXT",
        "LITERAL_VALUE_ADDED",
        "LITERAL_VALUE_REMOVED",
        "EXT_CODE_CHANGED",
    }
)


class Change(StructBaseCompat, frozen=True):
    """One classified difference between an earlier and a later schema document."""

    rule: str
    """The catalog rule id."""
    type: str
    """The contract type (``$defs`` name) the change is in; ``""`` for document-wide ones."""
    path: str
    """Where: ``Type``, ``Type.field``, ``Type.field[]`` (items), ``Type.field{}`` (values),
    ``Type.field{key}`` (dict keys)."""
    bump: Bump
    """The version bump this change requires: ``major``, ``minor`` or ``patch``."""
    surfaces: tuple[Surface, ...]
    """What it breaks in either direction: ``json``, ``msgpack``, ``python``."""
    message: str
    """What changed, for people."""
    backward: tuple[Surface, ...] = ()
    """What breaks for new readers of old payloads, inputs and calls."""
    forward: tuple[Surface, ...] = ()
    """What breaks for old readers of new payloads and calls."""


class _Field(NamedTuple):
    """One side of a field comparison."""

    schema: Schema
    required: bool
    python: Mapping[str, str] | None


class _Differ:
    def __init__(self, old: Schema, new: Schema) -> None:
        self.old_defs: Mapping[str, Schema] = old.get("$defs", {})
        self.new_defs: Mapping[str, Schema] = new.get("$defs", {})
        self.old_py: Mapping[str, PyFields] | None = old.get("x-python")
        self.new_py: Mapping[str, PyFields] | None = new.get("x-python")
        self.changes: list[Change] = []
        # The promise of the released type decides: its base wins over the new one.
        self.bases = {**_bases(self.new_defs), **_bases(self.old_defs)}

    def add(self, rule_id: str, type_name: str, path: str, base: Base, message: str) -> None:
        rule = RULES[rule_id]
        breaks = rule.breaks_for(base)
        self.changes.append(
            Change(
                rule=rule_id,
                type=type_name,
                path=path,
                bump=rule.bump_for(base),
                surfaces=breaks.surfaces(),
                message=message,
                backward=breaks.backward,
                forward=breaks.forward,
            )
        )

    def run(self) -> list[Change]:
        for name in sorted(self.old_defs.keys() - self.new_defs.keys()):
            self.add("TYPE_REMOVED", name, name, "compat", f"type {name} was removed")
        for name in sorted(self.new_defs.keys() - self.old_defs.keys()):
            self.add("TYPE_ADDED", name, name, "compat", f"type {name} was added")
        for name in sorted(self.old_defs.keys() & self.new_defs.keys()):
            self.definition(name, self.old_defs[name], self.new_defs[name])
        self.ext_codes()
        return sorted(self.changes, key=lambda c: (c.type, c.path, c.rule, c.message))

    # --- definitions --------------------------------------------------------------------

    def definition(self, name: str, old: Schema, new: Schema) -> None:
        base = self.bases.get(name, "compat")
        self.base_change(name, old, new)
        if _doc(old) != _doc(new):
            self.add("DOC_CHANGED", name, name, base, f"the description of {name} changed")
        old_kind, new_kind = _def_kind(old), _def_kind(new)
        if old_kind != new_kind:
            if {old_kind, new_kind} == {"object", "array"}:
                self.add("LAYOUT_CHANGED", name, name, base, f"{name}: {old_kind} -> {new_kind} encoding")
            else:
                self.add("FIELD_TYPE_CHANGED", name, name, base, f"{name}: {old_kind} -> {new_kind}")
            return
        if old_kind == "other":
            self.schema(name, name, base, _strip_doc(old), _strip_doc(new), same_python=None, in_def=True)
            return
        self.tag(name, base, old, new)
        self.cross_field(name, base, old, new)
        if old_kind == "object":
            self.struct_object(name, base, old, new)
        else:
            self.struct_array(name, base, old, new)

    def base_change(self, name: str, old: Schema, new: Schema) -> None:
        old_base, new_base = _struct_base(old), _struct_base(new)
        if old_base == "compat" and new_base == "strict":
            self.add("UNKNOWN_FIELDS_FORBIDDEN", name, name, "compat", f"{name} now rejects unknown fields")
        elif old_base == "strict" and new_base == "compat":
            self.add("UNKNOWN_FIELDS_ALLOWED", name, name, "strict", f"{name} now skips unknown fields")

    def tag(self, name: str, base: Base, old: Schema, new: Schema) -> None:
        old_tag, new_tag = _tag(old), _tag(new)
        if old_tag != new_tag:
            self.add("TAG_CHANGED", name, name, base, f"{name}: tag {_fmt_tag(old_tag)} -> {_fmt_tag(new_tag)}")

    def cross_field(self, name: str, base: Base, old: Schema, new: Schema) -> None:
        old_rules, new_rules = _cross_field_rules(old), _cross_field_rules(new)
        for rule in sorted(new_rules - old_rules):
            self.add("CROSS_FIELD_RULE_ADDED", name, name, base, f"new cross-field rule {rule}")
        for rule in sorted(old_rules - new_rules):
            self.add("CROSS_FIELD_RULE_REMOVED", name, name, base, f"cross-field rule {rule} was dropped")

    def python_fields(self, name: str) -> tuple[PyFields | None, PyFields | None]:
        """The Python surface of ``name`` on both sides; ``None`` where a document has none."""
        old = None if self.old_py is None else self.old_py.get(name)
        new = None if self.new_py is None else self.new_py.get(name)
        return old, new

    # --- object Structs -----------------------------------------------------------------

    def struct_object(self, name: str, base: Base, old: Schema, new: Schema) -> None:
        skip = {t[0] for t in (_tag(old), _tag(new)) if t is not None}
        old_props = {k: v for k, v in old.get("properties", {}).items() if k not in skip}
        new_props = {k: v for k, v in new.get("properties", {}).items() if k not in skip}
        old_req, new_req = set(old.get("required", ())), set(new.get("required", ()))
        old_py, new_py = self.python_fields(name)
        pairs = {k: k for k in old_props if k in new_props}
        pairs.update(self.wire_renames(name, base, old_props, new_props, old_py, new_py))
        removed = [k for k in old_props if k not in pairs]
        added = [k for k in new_props if k not in pairs.values()]
        for old_key, new_key in self.renames(name, base, removed, added, (old_props, new_props), (old_req, new_req)):
            removed.remove(old_key)
            added.remove(new_key)
        for key in removed:
            rule = "FIELD_REMOVED_REQUIRED" if key in old_req else "FIELD_REMOVED"
            self.add(rule, name, f"{name}.{key}", base, f"field {key!r} was removed")
        for key in added:
            rule = "FIELD_ADDED_REQUIRED" if key in new_req else "FIELD_ADDED_OPTIONAL"
            self.add(rule, name, f"{name}.{key}", base, f"field {key!r} was added")
        self.attribute_renames(name, base, pairs, old_py, new_py)
        for old_key, new_key in pairs.items():
            self.field(
                name,
                f"{name}.{new_key}",
                base,
                _Field(old_props[old_key], old_key in old_req, _entry(old_py, old_key)),
                _Field(new_props[new_key], new_key in new_req, _entry(new_py, new_key)),
                array_like=False,
            )

    def wire_renames(
        self,
        name: str,
        base: Base,
        old_props: Mapping[str, Schema],
        new_props: Mapping[str, Schema],
        old_py: PyFields | None,
        new_py: PyFields | None,
    ) -> dict[str, str]:
        """Pair fields whose attribute kept its name while the encoded name changed."""
        if old_py is None or new_py is None:
            return {}
        new_by_attribute = {_attribute(new_py, k): k for k in new_props if k not in old_props}
        pairs: dict[str, str] = {}
        for key in (k for k in old_props if k not in new_props):
            match = new_by_attribute.get(_attribute(old_py, key))
            if match is not None:
                pairs[key] = match
                self.add(
                    "FIELD_WIRE_NAME_CHANGED",
                    name,
                    f"{name}.{_attribute(old_py, key)}",
                    base,
                    f"encoded name {key!r} -> {match!r}",
                )
        return pairs

    def attribute_renames(
        self, name: str, base: Base, pairs: Mapping[str, str], old_py: PyFields | None, new_py: PyFields | None
    ) -> None:
        """Fields whose encoded name stayed while the attribute was renamed (``field(name=...)``)."""
        if old_py is None or new_py is None:
            return
        for old_key, new_key in pairs.items():
            before, after = _attribute(old_py, old_key), _attribute(new_py, new_key)
            if old_key == new_key and before != after:
                self.add("ATTRIBUTE_RENAMED", name, f"{name}.{new_key}", base, f"attribute {before!r} -> {after!r}")

    def renames(
        self,
        name: str,
        base: Base,
        removed: list[str],
        added: list[str],
        props: tuple[Mapping[str, Schema], Mapping[str, Schema]],
        required: tuple[set[str], set[str]],
    ) -> list[tuple[str, str]]:
        """Pair a removed and an added field of the same type and requiredness: a rename."""
        found: list[tuple[str, str]] = []
        for key in removed:
            twin = next(
                (
                    a
                    for a in added
                    if a not in (n for _, n in found)
                    and _type_only(props[1][a]) == _type_only(props[0][key])
                    and (a in required[1]) == (key in required[0])
                ),
                None,
            )
            if twin is not None:
                found.append((key, twin))
                rule = "FIELD_RENAMED_REQUIRED" if key in required[0] else "FIELD_RENAMED"
                self.add(rule, name, f"{name}.{key}", base, f"field {key!r} renamed to {twin!r}")
        return found

    # --- array_like Structs -------------------------------------------------------------

    def struct_array(self, name: str, base: Base, old: Schema, new: Schema) -> None:
        old_py, new_py = self.python_fields(name)
        old_items, new_items = _positions(old, old_py), _positions(new, new_py)
        old_names, new_names = list(old_items), list(new_items)
        renamed = self.position_renames(name, base, old_names, new_names, (old_py, new_py))
        mapped = [renamed.get(o, o) for o in old_names]
        common_old = [n for n in mapped if n in new_names]
        common_new = [n for n in new_names if n in mapped]
        if common_old != common_new:
            self.add("ARRAY_LIKE_REORDERED", name, name, base, f"order {common_old} -> {common_new}")
        for o in old_names:
            if renamed.get(o, o) not in new_names:
                rule = "FIELD_REMOVED_REQUIRED" if old_items[o].required else "FIELD_REMOVED"
                self.add(rule, name, f"{name}.{o}", base, f"positional field {o!r} was removed")
        self.positions_added(name, base, mapped, new_items)
        for o in old_names:
            n = renamed.get(o, o)
            if n in new_items:
                self.field(name, f"{name}.{n}", base, old_items[o], new_items[n], array_like=True)

    def position_renames(
        self,
        name: str,
        base: Base,
        old_names: list[str],
        new_names: list[str],
        python: tuple[PyFields | None, PyFields | None],
    ) -> dict[str, str]:
        """Positions whose field name changed, when neither name is found elsewhere."""
        renamed: dict[str, str] = {}
        for i, (o, n) in enumerate(zip(old_names, new_names)):
            if o != n and o not in new_names and n not in old_names:
                renamed[o] = n
                self.add("ATTRIBUTE_RENAMED", name, f"{name}.{n}", base, f"position {i}: {o!r} -> {n!r}")
            elif o == n and python[0] is not None and python[1] is not None:
                before, after = _attribute(python[0], o), _attribute(python[1], n)
                if before != after:
                    self.add("ATTRIBUTE_RENAMED", name, f"{name}.{n}", base, f"position {i}: {before!r} -> {after!r}")
        return renamed

    def positions_added(self, name: str, base: Base, mapped: list[str], new_items: Mapping[str, _Field]) -> None:
        new_names = list(new_items)
        last_common = max((new_names.index(n) for n in mapped if n in new_items), default=-1)
        for i, n in enumerate(new_names):
            if n in mapped:
                continue
            if new_items[n].required:
                self.add("FIELD_ADDED_REQUIRED", name, f"{name}.{n}", base, f"positional field {n!r} was added")
            elif i > last_common:
                self.add("ARRAY_LIKE_FIELD_APPENDED", name, f"{name}.{n}", base, f"{n!r} appended at {i}")
            else:
                self.add("ARRAY_LIKE_FIELD_INSERTED", name, f"{name}.{n}", base, f"{n!r} inserted at {i}")

    # --- fields -------------------------------------------------------------------------

    def field(self, name: str, path: str, base: Base, old: _Field, new: _Field, *, array_like: bool) -> None:
        self.requiredness(name, path, base, old, new, array_like=array_like)
        if _doc(old.schema) != _doc(new.schema):
            self.add("DOC_CHANGED", name, path, base, "the field's description changed")
        old_type = None if old.python is None else old.python.get("type")
        new_type = None if new.python is None else new.python.get("type")
        # Unknown (a document without x-python) is neither the same nor another type.
        same_python = None if old_type is None or new_type is None else old_type == new_type
        before = len(self.changes)
        self.schema(name, path, base, _type_only(old.schema), _type_only(new.schema), same_python=same_python)
        typed = any(c.rule in _TYPE_RULES for c in self.changes[before:])
        if same_python is False and not typed:
            rule = _python_only_rule(str(old_type), str(new_type))
            self.add(rule, name, path, base, f"Python type {old_type} -> {new_type}")

    def requiredness(self, name: str, path: str, base: Base, old: _Field, new: _Field, *, array_like: bool) -> None:
        if old.required and not new.required:
            rule = "ARRAY_LIKE_FIELD_BECAME_OPTIONAL" if array_like else "FIELD_BECAME_OPTIONAL"
            self.add(rule, name, path, base, "the field now has a default")
        elif new.required and not old.required:
            self.add("FIELD_BECAME_REQUIRED", name, path, base, "the field lost its default")
        elif not old.required and not new.required:
            self.default(name, path, base, old, new, array_like=array_like)

    def default(self, name: str, path: str, base: Base, old: _Field, new: _Field, *, array_like: bool) -> None:
        o, n = old.schema.get("default", _MISSING), new.schema.get("default", _MISSING)
        old_type = None if old.python is None else old.python.get("default")
        new_type = None if new.python is None else new.python.get("default")
        detail = f"default {_fmt_default(o, old_type)} -> {_fmt_default(n, new_type)}"
        if _meaning(o) != _meaning(n):
            self.add("ARRAY_LIKE_DEFAULT_CHANGED" if array_like else "DEFAULT_CHANGED", name, path, base, detail)
        elif (
            old_type is not None
            and new_type is not None
            and _NUMBERS.get(old_type, old_type) != _NUMBERS.get(new_type, new_type)
        ):
            self.add("DEFAULT_TYPE_CHANGED", name, path, base, detail)

    # --- schemas ------------------------------------------------------------------------

    def schema(
        self,
        name: str,
        path: str,
        base: Base,
        old: Schema,
        new: Schema,
        *,
        same_python: bool | None,
        in_def: bool = False,
    ) -> None:
        old_b, new_b = _branches(old), _branches(new)
        only_old = {k: v for k, v in old_b.items() if k not in new_b}
        only_new = {k: v for k, v in new_b.items() if k not in old_b}
        self.union(name, path, base, only_old, only_new)
        for kind in old_b.keys() & new_b.keys():
            self.same_kind(name, path, base, kind, old_b[kind], new_b[kind], same_python, in_def)

    def union(
        self, name: str, path: str, base: Base, only_old: Mapping[str, Schema], only_new: Mapping[str, Schema]
    ) -> None:
        """Classify the union branches only one side has: widened, narrowed or changed."""
        if len(only_old) == 1 and len(only_new) == 1:
            ((ok, o),), ((nk, n),) = only_old.items(), only_new.items()
            if not _covers(n, o) and not _covers(o, n):
                self.add("FIELD_TYPE_CHANGED", name, path, base, f"{ok} -> {nk}")
                return
        for ok, o in only_old.items():
            cover = next((nk for nk, n in only_new.items() if _covers(n, o)), None)
            if cover is not None:
                self.add("FIELD_TYPE_WIDENED", name, path, base, f"{ok} -> {cover}")
            else:
                self.add("FIELD_TYPE_NARROWED", name, path, base, f"no longer accepts {ok}")
        for nk, n in only_new.items():
            if not any(_covers(n, o) or _covers(o, n) for o in only_old.values()):
                self.add("FIELD_TYPE_WIDENED", name, path, base, f"now also accepts {nk}")

    def same_kind(
        self,
        name: str,
        path: str,
        base: Base,
        kind: str,
        old: Schema,
        new: Schema,
        same_python: bool | None,
        in_def: bool,
    ) -> None:
        if kind.startswith("$ref:"):
            return
        if kind == "enum":
            self.enum(name, path, base, old, new, in_def)
            return
        if kind == "string" and not self.string_kind(name, path, base, old, new, same_python):
            return
        self.constraints(name, path, base, old, new)
        if kind == "array":
            self.array_items(name, path, base, old, new, same_python)
        elif kind == "object":
            self.dict_parts(name, path, base, old, new, same_python)

    def enum(self, name: str, path: str, base: Base, old: Schema, new: Schema, in_def: bool) -> None:
        prefix = "ENUM" if in_def else "LITERAL"
        old_v, new_v = _enum_values(old), _enum_values(new)
        for value in [v for v in new_v if _meaning(v) not in {_meaning(x) for x in old_v}]:
            self.add(f"{prefix}_VALUE_ADDED", name, path, base, f"value {value!r} was added")
        for value in [v for v in old_v if _meaning(v) not in {_meaning(x) for x in new_v}]:
            self.add(f"{prefix}_VALUE_REMOVED", name, path, base, f"value {value!r} was removed")

    def string_kind(self, name: str, path: str, base: Base, old: Schema, new: Schema, same_python: bool | None) -> bool:
        """Compare what a string stands for (a ``format``, base64, an ext payload).

        Returns:
            Whether the two are the same kind of string, so their constraints compare.
        """
        o, n = _string_kind(old), _string_kind(new)
        if o == n:
            if o == "ext" and old.get(_EXT) != new.get(_EXT):
                self.add("EXT_CODE_CHANGED", name, path, base, f"ext code {old.get(_EXT)} -> {new.get(_EXT)}")
            return True
        tz = _tz_change(o, n) if same_python else None
        if tz is not None:
            self.add(tz, name, path, base, f"format {o} -> {n} (a timezone constraint)")
        elif n == "str":
            rule = "STRING_TYPE_RELAXED_FROM_EXT" if o in _NOT_STR_IN_MSGPACK else "STRING_TYPE_RELAXED"
            self.add(rule, name, path, base, f"{o} -> str")
        elif o == "str":
            rule = "STRING_TYPE_NARROWED_TO_EXT" if n in _NOT_STR_IN_MSGPACK else "STRING_TYPE_NARROWED"
            self.add(rule, name, path, base, f"str -> {n}")
        elif {o, n} <= {"bytes", "ext"}:
            self.add("EXT_CODE_CHANGED", name, path, base, f"ext code {old.get(_EXT, 'bin')} -> {new.get(_EXT, 'bin')}")
        else:
            self.add("FIELD_TYPE_CHANGED", name, path, base, f"{o} -> {n}")
        return tz is not None

    def array_items(self, name: str, path: str, base: Base, old: Schema, new: Schema, same_python: bool | None) -> None:
        old_p, new_p = old.get("prefixItems", ()), new.get("prefixItems", ())
        if len(old_p) != len(new_p):
            self.add("FIELD_TYPE_CHANGED", name, path, base, f"tuple of {len(old_p)} -> {len(new_p)}")
            return
        for i, (o, n) in enumerate(zip(old_p, new_p)):
            self.schema(name, f"{path}[{i}]", base, _type_only(o), _type_only(n), same_python=same_python)
        o_items, n_items = old.get("items", {}), new.get("items", {})
        if isinstance(o_items, Mapping) and isinstance(n_items, Mapping):
            self.schema(name, f"{path}[]", base, _type_only(o_items), _type_only(n_items), same_python=same_python)

    def dict_parts(self, name: str, path: str, base: Base, old: Schema, new: Schema, same_python: bool | None) -> None:
        for key, suffix in (("additionalProperties", "{}"), ("propertyNames", "{key}")):
            o, n = old.get(key, {}), new.get(key, {})
            if isinstance(o, Mapping) and isinstance(n, Mapping):
                if key == "propertyNames":
                    # Keys are strings: msgspec leaves `type` out of the key schema.
                    o, n = {"type": "string", **o}, {"type": "string", **n}
                self.schema(name, f"{path}{suffix}", base, _type_only(o), _type_only(n), same_python=same_python)

    # --- constraints --------------------------------------------------------------------

    def constraints(self, name: str, path: str, base: Base, old: Schema, new: Schema) -> None:
        integer = old.get("type") == "integer"
        for side, sign in (("minimum", 1), ("maximum", -1)):
            o, n = _bound(old, side, integer), _bound(new, side, integer)
            detail = f"{side} {_fmt_bound(o, sign)} -> {_fmt_bound(n, sign)}"
            self.compare(name, path, base, detail, _tighter(o, n, sign))
        for low, high in _LENGTHS:
            for key, sign in ((low, 1), (high, -1)):
                o, n = old.get(key), new.get(key)
                if o != n:
                    verdict = 1 if o is None else -1 if n is None else (1 if (n - o) * sign > 0 else -1)
                    self.compare(name, path, base, f"{key} {o} -> {n}", verdict)
        for key in ("uniqueItems", "multipleOf"):
            o, n = old.get(key), new.get(key)
            if o != n:
                self.compare(name, path, base, f"{key} {o!r} -> {n!r}", _keyword_verdict(key, o, n))
        self.pattern(name, path, base, old, new)

    def pattern(self, name: str, path: str, base: Base, old: Schema, new: Schema) -> None:
        o, n = old.get("pattern"), new.get("pattern")
        if o == n:
            return
        detail, kind = f"pattern {o!r} -> {n!r}", _string_kind(new)
        verdict = _keyword_verdict("pattern", o, n)
        if {o, n} == {None, _STATED_PATTERNS.get(kind)} and kind == _string_kind(old):
            self.add("PATTERN_STATED", name, path, base, detail)
        elif kind in ("bytes", "ext") and _string_kind(old) in ("bytes", "ext"):
            self.add(_BASE64_RULES[verdict], name, path, base, detail)
        else:
            self.compare(name, path, base, detail, verdict)

    def compare(self, name: str, path: str, base: Base, detail: str, verdict: int | None) -> None:
        """Record ``verdict``: 1 tightened, -1 loosened, 0 changed both ways, None the same."""
        if verdict is not None:
            self.add(_VERDICT_RULES[verdict], name, path, base, detail)

    def ext_codes(self) -> None:
        old_codes, new_codes = _ext_codes(self.old_defs), _ext_codes(self.new_defs)
        for code in sorted(old_codes.keys() - new_codes.keys()):
            self.add("EXT_CODE_REMOVED", "", f"ext:{code}", "compat", f"ext code {code} is no longer used")
        for code in sorted(new_codes.keys() - old_codes.keys()):
            self.add("EXT_CODE_ADDED", "", f"ext:{code}", "compat", f"ext code {code} ({new_codes[code]})")
        for code in sorted(old_codes.keys() & new_codes.keys()):
            if old_codes[code] != new_codes[code]:
                message = f"ext code {code}: {old_codes[code]} -> {new_codes[code]}"
                self.add("EXT_CODE_REUSED", "", f"ext:{code}", "compat", message)


def diff_documents(old: Schema, new: Schema) -> list[Change]:
    """List the classified changes from the ``old`` schema document to the ``new`` one.

    Args:
        old: An exported JSON Schema document (``{"$defs": {...}, ...}``) of a release.
        new: The document to check against it, normally today's export.

    Returns:
        The changes, sorted by type, path and rule.
    """
    return _Differ(old, new).run()


# --- helpers: definitions -------------------------------------------------------------------


def _def_kind(schema: Schema) -> str:
    if schema.get("type") == "object" or "properties" in schema:
        return "object"
    if schema.get("type") == "array" and ("prefixItems" in schema or schema.get("x-array-like")):
        return "array"
    return "other"


def _struct_base(schema: Schema) -> Base | None:
    declared = _DECLARED_BASES.get(str(schema.get("x-contract-base")))
    if declared is not None:
        return declared
    kind = _def_kind(schema)
    if kind == "object":
        return "strict" if schema.get("additionalProperties") is False else "compat"
    if kind == "array":
        return "strict" if "maxItems" in schema else "compat"
    return None


def _refs(schema: Any) -> Iterator[str]:
    if isinstance(schema, Mapping):
        ref = schema.get("$ref")
        if isinstance(ref, str):
            yield ref.rsplit("/", 1)[-1]
        for value in schema.values():
            yield from _refs(value)
    elif isinstance(schema, list):
        for value in schema:
            yield from _refs(value)


def _bases(defs: Mapping[str, Schema]) -> dict[str, Base]:
    """Give every definition a base: its own for Structs, else that of its users.

    A non-Struct definition (an Enum) reached from any Compat Struct is held to the Compat
    promise; one reached only from Strict Structs to the Strict one.
    """
    bases: dict[str, Base] = {name: own for name, schema in defs.items() if (own := _struct_base(schema))}
    for wanted in ("compat", "strict"):
        seen: set[str] = set()
        stack = [n for n, b in bases.items() if b == wanted]
        while stack:
            current = stack.pop()
            if current in seen or current not in defs:
                continue
            seen.add(current)
            for ref in _refs(defs[current]):
                bases.setdefault(ref, wanted)
                stack.append(ref)
    return bases


def _tag(schema: Schema) -> tuple[str, Any] | None:
    if "x-tag-field" in schema:
        return (schema["x-tag-field"], schema.get("x-tag"))
    return None


def _fmt_tag(tag: tuple[str, Any] | None) -> str:
    return "none" if tag is None else f"{tag[0]}={tag[1]!r}"


def _cross_field_rules(schema: Schema) -> set[str]:
    """The cross-field rules of a definition, each as canonical text; an ``allOf`` per conjunct."""
    rules: set[str] = set()
    for key in _CROSS_FIELD_KEYS:
        if key not in schema:
            continue
        parts = schema[key] if key == "allOf" else [{key: schema[key]}]
        for part in parts:
            rules.add(json.dumps(_strip_docs_deep(part), sort_keys=True, separators=(",", ":")))
    return rules


def _positions(schema: Schema, python: PyFields | None) -> dict[str, _Field]:
    """The fields of an ``array_like`` definition, by name in wire order (the tag skipped)."""
    items = list(schema.get("prefixItems", ()))
    names = list(schema.get("x-fields") or [f"[{i}]" for i in range(len(items))])
    # The tag, when present, is the first position and not a field.
    offset = 1 if _tag(schema) is not None and len(items) > len(names) else 0
    minimum = int(schema.get("minItems", 0))
    return {
        n: _Field(items[i + offset], i + offset < minimum, _entry(python, n))
        for i, n in enumerate(names)
        if i + offset < len(items)
    }


def _entry(python: PyFields | None, key: str) -> Mapping[str, str] | None:
    return None if python is None else python.get(key)


def _attribute(python: PyFields, key: str) -> str:
    entry = python.get(key)
    return key if entry is None else entry.get("attribute", key)


# --- helpers: schemas -----------------------------------------------------------------------


def _doc(schema: Schema) -> dict[str, Any]:
    return {k: v for k, v in schema.items() if k in _DOC_KEYS}


def _strip_doc(schema: Schema) -> dict[str, Any]:
    return {k: v for k, v in schema.items() if k not in _DOC_KEYS}


def _strip_docs_deep(node: Any) -> Any:
    if isinstance(node, Mapping):
        return {k: _strip_docs_deep(v) for k, v in node.items() if k not in _DOC_KEYS}
    if isinstance(node, list):
        return [_strip_docs_deep(v) for v in node]
    return node


def _type_only(schema: Schema) -> dict[str, Any]:
    return {k: v for k, v in schema.items() if k not in _DOC_KEYS and k != "default"}


def _branches(schema: Schema) -> dict[str, Schema]:
    """Split a schema into its union branches, keyed by kind (``$ref:Name``, ``integer``...)."""
    found: dict[str, Schema] = {}
    for branch in _flatten(schema):
        kind = _kind(branch)
        key, i = kind, 1
        while key in found:
            i += 1
            key = f"{kind}#{i}"
        found[key] = branch
    return found


def _flatten(schema: Schema) -> Sequence[Schema]:
    if "anyOf" in schema or "oneOf" in schema:
        # Keywords beside anyOf constrain every branch.
        shared = {k: v for k, v in schema.items() if k not in ("anyOf", "oneOf", "discriminator")}
        out: list[Schema] = []
        for branch in schema.get("anyOf", schema.get("oneOf", ())):
            out.extend(_flatten({**shared, **branch}))
        return out
    if isinstance(schema.get("type"), list):
        rest = {k: v for k, v in schema.items() if k != "type"}
        return [{**rest, "type": t} for t in schema["type"]]
    return [schema]


def _kind(schema: Schema) -> str:
    if "$ref" in schema:
        return "$ref:" + str(schema["$ref"]).rsplit("/", 1)[-1]
    if "enum" in schema or "const" in schema:
        return "enum"
    kind = schema.get("type")
    return str(kind) if kind is not None else "any"


def _enum_values(schema: Schema) -> list[Any]:
    return list(schema["enum"]) if "enum" in schema else [schema.get("const")]


def _string_kind(schema: Schema) -> str:
    """What a string schema stands for: ``ext``, ``bytes``, a ``format`` name, or ``str``."""
    if _EXT in schema:
        return "ext"
    if schema.get("contentEncoding") == "base64":
        return "bytes"
    return str(schema.get("format", "str"))


def _tz_change(old: str, new: str) -> str | None:
    """The constraint rule for a change between ``tz`` variants of one Python type, if it is one."""
    constrained = (*_TZ_REQUIRED, _TZ_FORBIDDEN)
    if old == "str" and new in constrained:
        return "CONSTRAINT_TIGHTENED"
    if new == "str" and old in constrained:
        return "CONSTRAINT_LOOSENED"
    if {old, new} == {"time", _TZ_FORBIDDEN}:  # aware-only <-> naive-only
        return "CONSTRAINT_CHANGED"
    return None


def _python_only_rule(old: str, new: str) -> str:
    """The rule for a Python type change the schema does not show.

    A datetime that may be naive has no ``format``, so it looks like ``str``; MessagePack
    still tells them apart (an aware datetime is a timestamp ext there).
    """
    if old.replace("datetime", "str") == new:
        return "STRING_TYPE_RELAXED_FROM_EXT"
    if new.replace("datetime", "str") == old:
        return "STRING_TYPE_NARROWED_TO_EXT"
    return "PYTHON_TYPE_CHANGED"


def _covers(wide: Schema, narrow: Schema) -> bool:
    """Whether every value of the branch ``narrow`` is a value of the branch ``wide``."""
    wide_kind, narrow_kind = _kind(wide), _kind(narrow)
    if (narrow_kind, wide_kind) == ("integer", "number"):
        # An unconstrained float holds every integer; a constrained one, those it bounds alike.
        return not _constraints_only(wide) or _constraints_only(wide) == _constraints_only(narrow)
    if narrow_kind != "enum" or wide_kind not in _SCALAR_CHECKS:
        return False
    return all(_SCALAR_CHECKS[wide_kind](v) and _satisfies(wide, v) for v in _enum_values(narrow))


_SCALAR_CHECKS: Final = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
}


def _constraints_only(schema: Schema) -> dict[str, Any]:
    return {k: v for k, v in schema.items() if k != "type"}


def _satisfies(schema: Schema, value: Any) -> bool:
    """Whether a scalar ``value`` meets the constraints of ``schema`` (as msgspec checks them)."""
    if isinstance(value, str):
        n = len(value)
        pattern = schema.get("pattern")
        return (
            schema.get("minLength", 0) <= n <= schema.get("maxLength", n)
            and (pattern is None or re.search(pattern, value) is not None)
            and "format" not in schema
        )
    if isinstance(value, bool):
        return True
    low, high = _bound(schema, "minimum", False), _bound(schema, "maximum", False)
    above = low is None or value > low[0] or (value == low[0] and not low[1])
    below = high is None or value < high[0] or (value == high[0] and not high[1])
    return above and below


# --- helpers: constraints -------------------------------------------------------------------


def _bound(schema: Schema, side: str, integer: bool) -> tuple[float, bool] | None:
    """The lower (``minimum``) or upper (``maximum``) bound as ``(value, exclusive)``.

    On integers every bound is made inclusive: ``gt=0`` is ``ge=1``, ``le=9.5`` is ``le=9``.
    """
    lower = side == "minimum"
    inclusive = schema.get(side)
    exclusive = schema.get("exclusiveMinimum" if lower else "exclusiveMaximum")
    candidates: list[tuple[float, bool]] = []
    if inclusive is not None:
        candidates.append(
            (math.ceil(inclusive) if integer and lower else math.floor(inclusive) if integer else inclusive, False)
        )
    if exclusive is not None:
        if integer:
            candidates.append((math.floor(exclusive) + 1 if lower else math.ceil(exclusive) - 1, False))
        else:
            candidates.append((exclusive, True))
    if not candidates:
        return None
    # The tightest of the two keywords binds; on a tie the exclusive one.
    return max(candidates, key=lambda c: (c[0] if lower else -c[0], c[1]))


def _tighter(old: tuple[float, bool] | None, new: tuple[float, bool] | None, sign: int) -> int | None:
    """1 if the bound ``new`` is tighter than ``old``, -1 if looser, None if the same.

    ``sign`` is 1 for a lower bound (higher is tighter) and -1 for an upper bound.
    """
    if old == new:
        return None
    if old is None:
        return 1
    if new is None:
        return -1
    if old[0] != new[0]:
        return 1 if (new[0] - old[0]) * sign > 0 else -1
    return 1 if new[1] else -1  # same value: exclusive is the tighter


def _fmt_bound(bound: tuple[float, bool] | None, sign: int) -> str:
    if bound is None:
        return "none"
    operator = (">" if sign > 0 else "<") + ("" if bound[1] else "=")
    return f"{operator}{bound[0]}"


def _keyword_verdict(key: str, old: Any, new: Any) -> int:
    if old is None or (key == "uniqueItems" and new is True):
        return 1
    if new is None or (key == "uniqueItems" and old is True):
        return -1
    if key == "multipleOf":
        if old % new == 0:
            return -1
        if new % old == 0:
            return 1
    return 0


def _ext_codes(defs: Mapping[str, Schema]) -> dict[int, str]:
    codes: dict[int, str] = {}

    def walk(node: Any) -> None:
        if isinstance(node, Mapping):
            if _EXT in node:
                codes[int(node[_EXT])] = str(node.get("contentMediaType", ""))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(defs)
    return codes


# --- helpers: values ------------------------------------------------------------------------

_MISSING: Final = object()


def _meaning(value: Any) -> Any:
    """What a JSON value means: ``1`` and ``1.0`` are the same number, ``true`` is not ``1``."""
    if isinstance(value, bool) or value is None or value is _MISSING:
        return (type(value).__name__, value)
    if isinstance(value, (int, float)):
        return ("number", value)
    if isinstance(value, list):
        return ("list", tuple(_meaning(v) for v in value))
    if isinstance(value, Mapping):
        return ("map", tuple(sorted((k, _meaning(v)) for k, v in value.items())))
    return ("str", value)


def _fmt_default(value: Any, python_type: str | None) -> str:
    shown = "<none>" if value is _MISSING else repr(value)
    return shown if python_type is None else f"{shown} ({python_type})"
