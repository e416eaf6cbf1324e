"""Walk two exported schema documents and list every change under a catalog rule.

The walker reads the shape :mod:`artifact_contracts.registry` exports (msgspec's
``schema_components`` plus ``x-`` keys for what JSON Schema cannot say: the Struct base,
``array_like`` field names, tags, ext codes) and follows msgspec's decoding semantics
rather than JSON Schema set inclusion: Compat types skip unknown fields and fill
defaults, Strict types reject unknown fields, ``array_like`` types are positional.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from artifact_contracts.base import StructBaseCompat
from artifact_contracts.evolution._rules import RULES, Base, Bump, Surface

__all__ = ["Change", "diff_documents"]

Schema = Mapping[str, Any]

_DOC_KEYS = frozenset({"title", "description", "examples", "$comment", "deprecated"})
_LOWER = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")
_UPPER = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")
_EXT = "x-msgpack-ext-code"


class Change(StructBaseCompat, frozen=True):
    """One classified difference between an earlier and a later schema document."""

    rule: str
    """The catalog rule id."""
    type: str
    """The contract type (``$defs`` name) the change is in; ``""`` for document-wide ones."""
    path: str
    """Where: ``Type``, ``Type.field``, ``Type.field[]`` (items), ``Type.field{}`` (values)."""
    bump: Bump
    """The version bump this change requires: ``major``, ``minor`` or ``patch``."""
    surfaces: tuple[Surface, ...]
    """What it breaks: ``json``, ``msgpack``, ``python``."""
    message: str
    """What changed, for people."""


class _Differ:
    def __init__(self, old: Schema, new: Schema) -> None:
        self.old_defs: Mapping[str, Schema] = old.get("$defs", {})
        self.new_defs: Mapping[str, Schema] = new.get("$defs", {})
        self.changes: list[Change] = []
        self.bases = {**_bases(self.old_defs), **_bases(self.new_defs)}

    def add(self, rule_id: str, type_name: str, path: str, base: Base, message: str) -> None:
        rule = RULES[rule_id]
        self.changes.append(
            Change(
                rule=rule_id,
                type=type_name,
                path=path,
                bump=rule.bump_for(base),
                surfaces=rule.surfaces,
                message=message,
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

    def definition(self, name: str, old: Schema, new: Schema) -> None:
        base = self.bases.get(name, "compat")
        old_kind, new_kind = _def_kind(old), _def_kind(new)
        if _struct_base(old) == "compat" and _struct_base(new) == "strict":
            self.add("UNKNOWN_FIELDS_FORBIDDEN", name, name, "compat", f"{name} now rejects unknown fields")
        elif _struct_base(old) == "strict" and _struct_base(new) == "compat":
            self.add("UNKNOWN_FIELDS_ALLOWED", name, name, "strict", f"{name} now skips unknown fields")
        if _doc(old) != _doc(new):
            self.add("DOC_CHANGED", name, name, base, f"the description of {name} changed")
        if old_kind != new_kind:
            if {old_kind, new_kind} == {"object", "array"}:
                self.add("LAYOUT_CHANGED", name, name, base, f"{name}: {old_kind} -> {new_kind} encoding")
            else:
                self.add("FIELD_TYPE_CHANGED", name, name, base, f"{name}: {old_kind} -> {new_kind}")
            return
        if old_kind == "object":
            self.struct_object(name, base, old, new)
        elif old_kind == "array":
            self.struct_array(name, base, old, new)
        else:
            self.schema(name, name, base, _strip_doc(old), _strip_doc(new), in_def=True)

    def tag(self, name: str, base: Base, old: Schema, new: Schema) -> None:
        old_tag, new_tag = _tag(old), _tag(new)
        if old_tag != new_tag:
            self.add("TAG_CHANGED", name, name, base, f"{name}: tag {_fmt_tag(old_tag)} -> {_fmt_tag(new_tag)}")

    def struct_object(self, name: str, base: Base, old: Schema, new: Schema) -> None:
        self.tag(name, base, old, new)
        skip = {t[0] for t in (_tag(old), _tag(new)) if t is not None}
        old_props = {k: v for k, v in old.get("properties", {}).items() if k not in skip}
        new_props = {k: v for k, v in new.get("properties", {}).items() if k not in skip}
        old_req, new_req = set(old.get("required", ())), set(new.get("required", ()))
        old_py, new_py = old.get("x-python-names"), new.get("x-python-names")
        removed = [k for k in old_props if k not in new_props]
        added = [k for k in new_props if k not in old_props]
        renamed: dict[str, str] = {}
        if old_py is not None and new_py is not None:
            by_py = {new_py.get(k, k): k for k in added}
            for key in removed:
                match = by_py.get(old_py.get(key, key))
                if match is not None:
                    renamed[key] = match
                    self.add(
                        "FIELD_WIRE_NAME_CHANGED",
                        name,
                        f"{name}.{old_py.get(key, key)}",
                        base,
                        f"encoded name {key!r} -> {match!r}",
                    )
        for key in removed:
            if key in renamed:
                continue
            twin = next(
                (
                    a
                    for a in added
                    if a not in renamed.values()
                    and _type_only(new_props[a]) == _type_only(old_props[key])
                    and (a in new_req) == (key in old_req)
                ),
                None,
            )
            if twin is not None:
                renamed[key] = twin
                self.add("FIELD_RENAMED", name, f"{name}.{key}", base, f"field {key!r} renamed to {twin!r}")
            else:
                self.add("FIELD_REMOVED", name, f"{name}.{key}", base, f"field {key!r} was removed")
        for key in added:
            if key in renamed.values():
                continue
            rule = "FIELD_ADDED_REQUIRED" if key in new_req else "FIELD_ADDED_OPTIONAL"
            self.add(rule, name, f"{name}.{key}", base, f"field {key!r} was added")
        if old_py is not None and new_py is not None:
            for key in old_props.keys() & new_props.keys():
                if old_py.get(key, key) != new_py.get(key, key):
                    self.add(
                        "ATTRIBUTE_RENAMED",
                        name,
                        f"{name}.{key}",
                        base,
                        f"attribute {old_py.get(key, key)!r} -> {new_py.get(key, key)!r}",
                    )
        pairs = [(k, k) for k in old_props if k in new_props] + list(renamed.items())
        for old_key, new_key in pairs:
            self.field(
                name,
                f"{name}.{new_key}",
                base,
                old_props[old_key],
                new_props[new_key],
                old_key in old_req,
                new_key in new_req,
            )

    def struct_array(self, name: str, base: Base, old: Schema, new: Schema) -> None:
        self.tag(name, base, old, new)
        old_items, new_items = list(old.get("prefixItems", ())), list(new.get("prefixItems", ()))
        old_names = list(old.get("x-fields") or [f"[{i}]" for i in range(len(old_items))])
        new_names = list(new.get("x-fields") or [f"[{i}]" for i in range(len(new_items))])
        old_min, new_min = int(old.get("minItems", 0)), int(new.get("minItems", 0))
        # The tag, when present, is the first position and not a field.
        offset_old = 1 if _tag(old) is not None and len(old_items) > len(old_names) else 0
        offset_new = 1 if _tag(new) is not None and len(new_items) > len(new_names) else 0
        renamed: dict[str, str] = {}
        for i, (o, n) in enumerate(zip(old_names, new_names, strict=False)):
            if o != n and o not in new_names and n not in old_names:
                renamed[o] = n
                self.add("ATTRIBUTE_RENAMED", name, f"{name}.{n}", base, f"position {i}: {o!r} -> {n!r}")
        mapped = [renamed.get(o, o) for o in old_names]
        common_old = [n for n in mapped if n in new_names]
        common_new = [n for n in new_names if n in mapped]
        if common_old != common_new:
            self.add("ARRAY_LIKE_REORDERED", name, name, base, f"order {common_old} -> {common_new}")
        for o in old_names:
            if renamed.get(o, o) not in new_names:
                self.add("FIELD_REMOVED", name, f"{name}.{o}", base, f"positional field {o!r} was removed")
        last_common = max((new_names.index(n) for n in common_new), default=-1)
        for i, n in enumerate(new_names):
            if n in mapped:
                continue
            required = i + offset_new < new_min
            if required:
                self.add("FIELD_ADDED_REQUIRED", name, f"{name}.{n}", base, f"positional field {n!r} was added")
            elif i > last_common:
                self.add("ARRAY_LIKE_FIELD_APPENDED", name, f"{name}.{n}", base, f"{n!r} appended at {i}")
            else:
                self.add("ARRAY_LIKE_FIELD_INSERTED", name, f"{name}.{n}", base, f"{n!r} inserted at {i}")
        for i, o in enumerate(old_names):
            n = renamed.get(o, o)
            if n not in new_names:
                continue
            j = new_names.index(n)
            if i + offset_old >= len(old_items) or j + offset_new >= len(new_items):
                continue
            self.field(
                name,
                f"{name}.{n}",
                base,
                old_items[i + offset_old],
                new_items[j + offset_new],
                i + offset_old < old_min,
                j + offset_new < new_min,
            )

    def field(self, name: str, path: str, base: Base, old: Schema, new: Schema, old_req: bool, new_req: bool) -> None:
        if old_req and not new_req:
            self.add("FIELD_BECAME_OPTIONAL", name, path, base, "the field now has a default")
        elif new_req and not old_req:
            self.add("FIELD_BECAME_REQUIRED", name, path, base, "the field lost its default")
        elif not old_req and not new_req and old.get("default") != new.get("default"):
            self.add(
                "DEFAULT_CHANGED",
                name,
                path,
                base,
                f"default {old.get('default', '<none>')!r} -> {new.get('default', '<none>')!r}",
            )
        if _doc(old) != _doc(new):
            self.add("DOC_CHANGED", name, path, base, "the field's description changed")
        self.schema(name, path, base, _type_only(old), _type_only(new))

    def schema(self, name: str, path: str, base: Base, old: Schema, new: Schema, in_def: bool = False) -> None:
        old_b, new_b = _branches(old), _branches(new)
        only_old = [k for k in old_b if k not in new_b]
        only_new = [k for k in new_b if k not in old_b]
        if len(old_b) == 1 and len(new_b) == 1 and only_old:
            (o,), (n,) = only_old, only_new
            if (o, n) == ("integer", "number"):
                self.add("FIELD_TYPE_WIDENED", name, path, base, "integer -> number")
            elif (o, n) == ("number", "integer"):
                self.add("FIELD_TYPE_NARROWED", name, path, base, "number -> integer")
            else:
                self.add("FIELD_TYPE_CHANGED", name, path, base, f"{o} -> {n}")
            return
        for kind in only_new:
            self.add("FIELD_TYPE_WIDENED", name, path, base, f"now also accepts {kind}")
        for kind in only_old:
            self.add("FIELD_TYPE_NARROWED", name, path, base, f"no longer accepts {kind}")
        for kind in old_b.keys() & new_b.keys():
            self.same_kind(name, path, base, kind, old_b[kind], new_b[kind], in_def)

    def same_kind(self, name: str, path: str, base: Base, kind: str, old: Schema, new: Schema, in_def: bool) -> None:
        if kind.startswith("$ref:") or kind == "any":
            return
        if kind == "enum":
            prefix = "ENUM" if in_def else "LITERAL"
            old_v, new_v = _enum_values(old), _enum_values(new)
            for value in [v for v in new_v if v not in old_v]:
                self.add(f"{prefix}_VALUE_ADDED", name, path, base, f"value {value!r} was added")
            for value in [v for v in old_v if v not in new_v]:
                self.add(f"{prefix}_VALUE_REMOVED", name, path, base, f"value {value!r} was removed")
            return
        self.constraints(name, path, base, old, new)
        if old.get(_EXT) != new.get(_EXT):
            self.add(
                "EXT_CODE_CHANGED",
                name,
                path,
                base,
                f"ext code {old.get(_EXT, 'bin')} -> {new.get(_EXT, 'bin')}",
            )
        for key in ("format", "contentEncoding", "contentMediaType"):
            if old.get(key) != new.get(key) and not (key == "contentMediaType" and _EXT in new):
                self.add("FIELD_TYPE_CHANGED", name, path, base, f"{key} {old.get(key)!r} -> {new.get(key)!r}")
        if kind == "array":
            if "items" in old and "items" in new and isinstance(old["items"], Mapping):
                self.schema(name, f"{path}[]", base, _type_only(old["items"]), _type_only(new["items"]))
            old_p, new_p = old.get("prefixItems", ()), new.get("prefixItems", ())
            if len(old_p) != len(new_p):
                self.add("FIELD_TYPE_CHANGED", name, path, base, f"tuple of {len(old_p)} -> {len(new_p)}")
            else:
                for i, (o, n) in enumerate(zip(old_p, new_p, strict=False)):
                    self.schema(name, f"{path}[{i}]", base, _type_only(o), _type_only(n))
        elif kind == "object":
            for key, suffix in (("additionalProperties", "{}"), ("propertyNames", "{key}")):
                o, n = old.get(key), new.get(key)
                if isinstance(o, Mapping) and isinstance(n, Mapping):
                    self.schema(name, f"{path}{suffix}", base, _type_only(o), _type_only(n))

    def constraints(self, name: str, path: str, base: Base, old: Schema, new: Schema) -> None:
        def tightened(detail: str) -> None:
            self.add("CONSTRAINT_TIGHTENED", name, path, base, detail)

        def loosened(detail: str) -> None:
            self.add("CONSTRAINT_LOOSENED", name, path, base, detail)

        for keys, lower in ((_LOWER, True), (_UPPER, False)):
            for key in keys:
                o, n = old.get(key), new.get(key)
                if o == n:
                    continue
                detail = f"{key} {o} -> {n}"
                if o is None:
                    tightened(detail)
                elif n is None:
                    loosened(detail)
                else:
                    (tightened if (n > o) == lower else loosened)(detail)
        for key in ("pattern", "multipleOf", "uniqueItems"):
            o, n = old.get(key), new.get(key)
            if o == n:
                continue
            detail = f"{key} {o!r} -> {n!r}"
            if o is None:
                tightened(detail)
            elif n is None or (key == "multipleOf" and o % n == 0):
                loosened(detail)
            elif key == "multipleOf" and n % o == 0:
                tightened(detail)
            else:
                self.add("CONSTRAINT_CHANGED", name, path, base, detail)

    def ext_codes(self) -> None:
        old_codes, new_codes = _ext_codes(self.old_defs), _ext_codes(self.new_defs)
        for code in sorted(old_codes.keys() - new_codes.keys()):
            self.add("EXT_CODE_REMOVED", "", f"ext:{code}", "compat", f"ext code {code} is no longer used")
        for code in sorted(new_codes.keys() - old_codes.keys()):
            self.add("EXT_CODE_ADDED", "", f"ext:{code}", "compat", f"ext code {code} ({new_codes[code]})")
        for code in sorted(old_codes.keys() & new_codes.keys()):
            if old_codes[code] != new_codes[code]:
                self.add(
                    "EXT_CODE_REUSED",
                    "",
                    f"ext:{code}",
                    "compat",
                    f"ext code {code}: {old_codes[code]} -> {new_codes[code]}",
                )


def diff_documents(old: Schema, new: Schema) -> list[Change]:
    """List the classified changes from the ``old`` schema document to the ``new`` one.

    Args:
        old: An exported JSON Schema document (``{"$defs": {...}, ...}``) of a release.
        new: The document to check against it, normally today's export.

    Returns:
        The changes, sorted by type, path and rule.
    """
    return _Differ(old, new).run()


def _def_kind(schema: Schema) -> str:
    if schema.get("type") == "object" or "properties" in schema:
        return "object"
    if schema.get("type") == "array" and ("prefixItems" in schema or schema.get("x-array-like")):
        return "array"
    return "other"


def _struct_base(schema: Schema) -> Base | None:
    declared = schema.get("x-contract-base")
    if declared in ("compat", "strict"):
        return declared  # type: ignore[no-any-return]
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
    bases: dict[str, Base] = {}
    for name, schema in defs.items():
        own = _struct_base(schema)
        if own is not None:
            bases[name] = own
    for wanted in ("compat", "strict"):
        seen: set[str] = set()
        stack = [n for n, b in bases.items() if b == wanted]
        while stack:
            current = stack.pop()
            if current in seen or current not in defs:
                continue
            seen.add(current)
            for ref in _refs(defs[current]):
                if ref not in bases:
                    bases[ref] = wanted
                stack.append(ref)
    return bases


def _tag(schema: Schema) -> tuple[str, Any] | None:
    if "x-tag-field" in schema:
        return (schema["x-tag-field"], schema.get("x-tag"))
    return None


def _fmt_tag(tag: tuple[str, Any] | None) -> str:
    return "none" if tag is None else f"{tag[0]}={tag[1]!r}"


def _doc(schema: Schema) -> dict[str, Any]:
    return {k: v for k, v in schema.items() if k in _DOC_KEYS}


def _strip_doc(schema: Schema) -> dict[str, Any]:
    return {k: v for k, v in schema.items() if k not in _DOC_KEYS}


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
    if "enum" in schema:
        return "enum"
    if "const" in schema:
        return "enum"
    kind = schema.get("type")
    return str(kind) if kind is not None else "any"


def _enum_values(schema: Schema) -> list[Any]:
    return list(schema["enum"]) if "enum" in schema else [schema.get("const")]


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
