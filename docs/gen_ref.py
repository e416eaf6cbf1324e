"""Generate the reference pages of the documentation site from the code.

mkdocs-gen-files runs this script at every build (``mkdocs.yml``), so the pages exist only
in the built site and cannot go stale: a change to a contract type, a store declaration or
a CLI option changes the page with no hand edit. The page builders are plain functions of
the code (no mkdocs import), so ``tests/docs`` calls them directly too.

Pages (under ``reference/``):

- ``api.md``: one mkdocstrings entry per name of ``artifact_contracts.__all__``;
- ``contracts.md``: every type of :data:`artifact_contracts.registry.CONTRACT_TYPES` as a
  table of its fields, read with ``msgspec.inspect``;
- ``stores.md``: every table of :data:`engine_app.stores.STORE_SPECS` with its Arrow columns;
- ``cli-engine-app.md`` and ``cli-artifact-contracts.md``: every subcommand of both
  argument parsers, its usage, options and help, and the exit codes and JSON output type
  it declares (its :class:`~artifact_contracts.cli.CommandResult`).
"""

from __future__ import annotations

import argparse
import html
import inspect
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import msgspec
from msgspec import inspect as mi

import artifact_contracts
from artifact_contracts import ExtPayload, StructBaseCompat, StructBaseStrict, registry
from artifact_contracts.cli import CommandResult, build_parser as contracts_parser, main as contracts_main
from engine_app.cli._main import build_parser as engine_parser, main as engine_main
from engine_app.stores import STORE_SPECS

__all__ = [
    "PAGES",
    "api_page",
    "cli_commands",
    "cli_page",
    "command_result",
    "contract_types_page",
    "stores_page",
    "write_pages",
]

# Usage lines are wrapped at a fixed width: argparse would follow the terminal's, and the
# page must not depend on where it was built.
_USAGE_WIDTH = 88


def _code(text: str) -> str:
    return f"<code>{html.escape(text)}</code>"


def _table(headers: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> str:
    # HTML, not a Markdown table: type expressions carry "|", which Markdown tables split on.
    head = "".join(f"<th>{h}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>\n" for row in rows)
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}</tbody>\n</table>\n"


def _prose(text: str) -> str:
    """Escape text for an HTML cell, keeping its `code` spans (Markdown is not parsed in HTML)."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))


def _summary(obj: object) -> str:
    doc = inspect.getdoc(obj) or ""
    return doc.split("\n\n", 1)[0].replace("\n", " ")


# --- contract types ---------------------------------------------------------------------


class _Rendered:
    """A field type rendered for the table: its expression, constraints and ext codes."""

    def __init__(self) -> None:
        self.constraints: list[str] = []
        self.ext_codes: list[str] = []
        self.description = ""


def _bounds(t: Any, prefix: str, out: _Rendered) -> None:
    for attr, label in (("min_length", "len ≥"), ("max_length", "len ≤"), ("ge", "≥"), ("gt", ">")):
        value = getattr(t, attr, None)
        if value is not None:
            out.constraints.append(f"{prefix}{label} {value}")
    for attr, label in (("le", "≤"), ("lt", "<"), ("multiple_of", "multiple of")):
        value = getattr(t, attr, None)
        if value is not None:
            out.constraints.append(f"{prefix}{label} {value}")
    pattern = getattr(t, "pattern", None)
    if pattern is not None:
        out.constraints.append(f"{prefix}matches {pattern}")
    if isinstance(t, mi.DateTimeType) and t.tz is not None:
        out.constraints.append(f"{prefix}{'timezone-aware' if t.tz else 'naive'}")


def _render_type(t: Any, out: _Rendered, prefix: str = "") -> str:
    if isinstance(t, mi.Metadata):
        description = (t.extra_json_schema or {}).get("description")
        if description and not prefix and not out.description:
            out.description = str(description)
        return _render_type(t.type, out, prefix)
    _bounds(t, prefix, out)
    if isinstance(t, mi.UnionType):
        return " | ".join(_render_type(member, out, prefix) for member in t.types)
    if isinstance(t, mi.LiteralType):
        return "Literal[" + ", ".join(repr(v) for v in t.values) + "]"
    if isinstance(t, mi.StructType):
        return t.cls.__name__
    if isinstance(t, (mi.VarTupleType, mi.ListType, mi.SetType, mi.FrozenSetType)):
        name = {mi.VarTupleType: "tuple", mi.ListType: "list", mi.SetType: "set", mi.FrozenSetType: "frozenset"}
        item = _render_type(t.item_type, out, f"{prefix}item ")
        return f"{name[type(t)]}[{item}, ...]" if isinstance(t, mi.VarTupleType) else f"{name[type(t)]}[{item}]"
    if isinstance(t, mi.TupleType):
        return "tuple[" + ", ".join(_render_type(i, out, f"{prefix}item ") for i in t.item_types) + "]"
    if isinstance(t, mi.DictType):
        key = _render_type(t.key_type, out, f"{prefix}key ")
        return f"dict[{key}, {_render_type(t.value_type, out, f'{prefix}value ')}]"
    if isinstance(t, mi.CustomType) and issubclass(t.cls, ExtPayload):
        out.ext_codes.append(f"{int(t.cls.ext_code)} ({t.cls.__name__})")
        return t.cls.__name__
    if isinstance(t, (mi.CustomType, mi.EnumType)):
        return t.cls.__name__
    if isinstance(t, mi.NoneType):
        return "None"
    if isinstance(t, mi.AnyType):
        return "Any"
    # The scalar types: StrType -> "str", DateTimeType -> "datetime", ...
    return type(t).__name__.removesuffix("Type").lower()


def _default(field: mi.Field) -> str:
    if field.default is not msgspec.NODEFAULT:
        return _code(repr(field.default))
    if field.default_factory is not msgspec.NODEFAULT:
        return _code(repr(field.default_factory()))
    return "required"


def _base(cls: type[msgspec.Struct]) -> str:
    if issubclass(cls, StructBaseStrict):
        return "strict (unknown fields are an error)"
    if issubclass(cls, StructBaseCompat):
        return "compat (unknown fields are skipped)"
    return "msgspec.Struct"


def _struct_section(cls: type[msgspec.Struct]) -> str:
    info = mi.type_info(cls)
    assert isinstance(info, mi.StructType)  # CONTRACT_TYPES holds Structs only
    facts = [f"Base: {_base(cls)}."]
    if info.array_like:
        facts.append("Encoded as an array, in field order (append-only evolution).")
    if info.tag_field is not None:
        facts.append(f"Tagged: {_code(info.tag_field)} = {_code(repr(info.tag))}.")
    rows = []
    for field in info.fields:
        rendered = _Rendered()
        expression = _render_type(field.type, rendered)
        name = field.name if field.encode_name == field.name else f"{field.name} (encoded {field.encode_name})"
        rows.append(
            (
                _code(name),
                _code(expression),
                "<br>".join(html.escape(c) for c in rendered.constraints),
                _default(field),
                _prose(rendered.description),
                ", ".join(rendered.ext_codes),
            )
        )
    table = _table(("field", "type", "constraints", "default", "description", "ext codes"), rows)
    module = cls.__module__
    return (
        f"## {cls.__name__} {{ #{cls.__name__} }}\n\n"
        f"`{module}.{cls.__qualname__}`: {html.escape(_summary(cls))}\n\n"
        f"{' '.join(facts)}\n\n{table}\n"
    )


def contract_types_page() -> str:
    """Return the page listing every registered contract type and its fields.

    Returns:
        Markdown, one section per type of ``CONTRACT_TYPES``, in registry order.
    """
    index = ", ".join(f"[{cls.__name__}](#{cls.__name__})" for cls in registry.CONTRACT_TYPES)
    sections = "".join(_struct_section(cls) for cls in registry.CONTRACT_TYPES)
    return (
        "# Contract types\n\n"
        "Generated from `artifact_contracts.registry.CONTRACT_TYPES` with `msgspec.inspect` at build "
        f"time (artifact-contracts {artifact_contracts.__version__}, contract hash "
        f"`{registry.contract_hash()}`). Field descriptions are the `Meta(description=...)` that "
        "also flow into the exported JSON Schema. The *ext codes* column names the MessagePack ext "
        "code a binary field travels under.\n\n"
        f"{len(registry.CONTRACT_TYPES)} types: {index}.\n\n{sections}"
    )


# --- stores -----------------------------------------------------------------------------


def stores_page() -> str:
    """Return the page listing every store table, its key and its Arrow columns.

    Returns:
        Markdown, one section per declaration of ``STORE_SPECS``.
    """
    sections = []
    for spec in STORE_SPECS:
        rows = [(_code(f.name), _code(str(f.type)), "yes" if f.nullable else "no") for f in spec.schema]
        key = ", ".join(f"`{k}`" for k in spec.key) or "none (append-only)"
        sections.append(
            f"## {spec.table}\n\n"
            f"Rows: [`{spec.record.__name__}`](contracts.md#{spec.record.__name__}); key: {key}.\n\n"
            + _table(("column", "Arrow type", "nullable"), rows)
        )
    return (
        "# Store tables\n\n"
        "Generated from `engine_app.stores.STORE_SPECS`. Each store is one Delta table under the "
        "warehouse, created empty with this schema before its first row; every file of it has "
        "exactly these plain Arrow types. `payload` holds `dumps_msgpack` of the row's contract "
        "type; decode it with `artifact_contracts.loads_msgpack`.\n\n" + "\n".join(sections)
    )


# --- command lines ----------------------------------------------------------------------


def cli_commands(parser: argparse.ArgumentParser) -> Iterator[tuple[str, str, argparse.ArgumentParser]]:
    """Walk a parser's subcommands, depth first.

    Args:
        parser: The root parser.

    Yields:
        ``(prog, help, parser)`` for every subcommand, nested groups included.
    """
    for action in parser._actions:  # argparse has no public API to list subparsers.
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help or "" for choice in action._choices_actions}
            for name, sub in action.choices.items():
                yield sub.prog, helps.get(name, ""), sub
                yield from cli_commands(sub)


def _is_group(parser: argparse.ArgumentParser) -> bool:
    return any(isinstance(action, argparse._SubParsersAction) for action in parser._actions)


# A contract type named in a declaration's note: `PlanArtifacts`, `CdfCursor`.
_TYPE_NAME = re.compile(r"`((?:[A-Z][a-z0-9]+){2,})`")


def command_result(prog: str, parser: argparse.ArgumentParser) -> CommandResult | None:
    """Return what a subcommand declares, checked against the registry.

    Args:
        prog: The subcommand, for the error message.
        parser: Its parser.

    Returns:
        The declaration, or None for a group of subcommands (its subcommands declare).

    Raises:
        ValueError: A subcommand declares nothing or no exit code 0, or names a type
            that is not a registered contract type (its link would lead nowhere).
    """
    if _is_group(parser):
        return None
    result = parser.get_default("result")
    if not isinstance(result, CommandResult):
        raise ValueError(f"{prog} declares no CommandResult: set_defaults(result=CommandResult(...))")
    if 0 not in result.exits:
        raise ValueError(f"{prog} declares no exit code 0")
    if result.emits is not None and result.emits not in registry.CONTRACT_TYPES:
        raise ValueError(f"{prog} emits {result.emits.__name__}, which is not a registered contract type")
    registered = {cls.__name__ for cls in registry.CONTRACT_TYPES}
    unknown = [name for name in _TYPE_NAME.findall(result.note) if name not in registered]
    if unknown:
        raise ValueError(f"{prog}'s note names {', '.join(unknown)}: not registered contract types")
    return result


def _type_link(name: str) -> str:
    return f"[`{name}`](contracts.md#{name})"


def _result_section(result: CommandResult) -> str:
    # Markdown, not HTML like the help texts: the type links must be resolved and checked by the build.
    exits = "".join(f"- `{code}`: {meaning}\n" for code, meaning in sorted(result.exits.items()))
    output = []
    if result.emits is not None:
        link = _type_link(result.emits.__name__)
        output.append(f"a list of {link}" if result.each else link)
    if result.note:
        output.append(_TYPE_NAME.sub(lambda match: _type_link(match.group(1)), result.note))
    return (
        f"Exit codes (besides those every command shares, above):\n\n{exits}\n"
        f"JSON output: {'; '.join(output) or 'none'}.\n"
    )


def _usage(parser: argparse.ArgumentParser) -> str:
    formatter = argparse.HelpFormatter(parser.prog, width=_USAGE_WIDTH)
    formatter.add_usage(parser.usage, parser._actions, parser._mutually_exclusive_groups)
    return formatter.format_help().strip()


def _options(parser: argparse.ArgumentParser) -> str:
    formatter = argparse.HelpFormatter(parser.prog)
    rows = []
    for action in parser._actions:
        if isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):
            continue
        flags = ", ".join(action.option_strings) or str(action.metavar or action.dest)
        if action.choices is not None:
            value = " | ".join(str(c) for c in action.choices)
        elif action.nargs == 0:
            value = ""
        else:
            value = str(action.metavar or action.dest.upper())
        shown_default = action.default not in (None, False, [], argparse.SUPPRESS) and action.nargs != 0
        rows.append(
            (
                _code(flags),
                _code(value) if value else "",
                "yes" if action.required or not action.option_strings else "",
                _code(str(action.default)) if shown_default else "",
                # _expand_help fills %(default)s and friends, as --help would.
                html.escape(formatter._expand_help(action)) if action.help else "",
            )
        )
    return _table(("option", "value", "required", "default", "help"), rows) if rows else ""


def _returns(main: Callable[..., int]) -> str:
    doc = inspect.getdoc(main) or ""
    _, _, returns = doc.partition("Returns:")
    return " ".join(returns.split())


def cli_page(parser: argparse.ArgumentParser, main: Callable[..., int]) -> str:
    """Return the reference page of one command line.

    Args:
        parser: The command's root parser.
        main: Its entry point, whose docstring states the exit codes.

    Returns:
        Markdown: the root usage and exit codes, then one section per subcommand.

    Raises:
        ValueError: A subcommand's declaration is missing or names an unregistered type
            (:func:`command_result`); the strict build fails with it.
    """
    sections = []
    for prog, help_text, sub in cli_commands(parser):
        parts = [f"## {prog}\n"]
        # Help texts are plain text: HTML paragraphs keep Markdown from reading "AWS_*" as emphasis.
        if help_text:
            parts.append(f"<p>{html.escape(help_text[0].upper() + help_text[1:])}.</p>\n")
        if sub.description:
            parts.append(f"<p>{html.escape(sub.description)}</p>\n")
        parts.append(f"```text\n{_usage(sub)}\n```\n")
        parts.append(_options(sub))
        result = command_result(prog, sub)
        if result is not None:
            parts.append(_result_section(result))
        sections.append("\n".join(parts))
    return (
        f"# {parser.prog}\n\n"
        "<p>Generated from the argument parser and what each subcommand declares (its exit codes and "
        f"the contract type of its JSON output). {html.escape(parser.description or '')}</p>\n\n"
        f"```text\n{_usage(parser)}\n```\n\n"
        f"<p>Exit codes: {html.escape(_returns(main))}</p>\n\n" + "\n".join(sections)
    )


# --- API ----------------------------------------------------------------------------------


def api_page() -> str:
    """Return the API page: one mkdocstrings entry per public name of ``artifact_contracts``.

    Returns:
        Markdown with ``:::`` directives, which mkdocstrings renders from the docstrings.
    """
    names = [name for name in artifact_contracts.__all__ if name != "__version__"]
    entries = "\n".join(f"::: artifact_contracts.{name}\n" for name in names)
    return (
        "# Python API\n\n"
        "Every name of `artifact_contracts.__all__` (the public API that semantic versioning "
        f"covers), version {artifact_contracts.__version__}. Rendered from the docstrings.\n\n{entries}"
    )


PAGES: dict[str, Callable[[], str]] = {
    "reference/api.md": api_page,
    "reference/contracts.md": contract_types_page,
    "reference/stores.md": stores_page,
    "reference/cli-engine-app.md": lambda: cli_page(engine_parser(), engine_main),
    "reference/cli-artifact-contracts.md": lambda: cli_page(contracts_parser(), contracts_main),
}
"""Every generated page, by its path under ``docs/``."""


def write_pages() -> None:
    """Write every page of :data:`PAGES` into the build through mkdocs-gen-files."""
    import mkdocs_gen_files  # only the build needs it; the tests import this module

    for path, build in PAGES.items():
        with mkdocs_gen_files.open(path, "w") as page:
            page.write(build())


if __name__ in {"__main__", "<run_path>"}:
    write_pages()
