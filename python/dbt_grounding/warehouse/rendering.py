"""Render the Jinja in profiles.yml and dbt_project.yml values the way dbt does, for what a profile can use.

dbt renders each string value of the selected target natively: `{{ env_var('PORT') | as_number }}` becomes the
number 5432, `{{ 4 }}` the integer 4, while plain text stays text. Supported here: `env_var(name[, default])`,
`var(name, default)` (a profile never sees --vars here, so only the default can apply), and dbt's filters
`as_text`, `as_bool`, `as_number`, `as_native`. Anything else is a ConfigurationError naming the value.

Why not dbt's own renderer: a process importing `dbt.config.renderer` takes 0.97 s and 84 MB RSS (median of 5),
one importing all of dbt_grounding.warehouse (jinja2, yaml and duckdb included) 0.13 s and 41 MB, and a CLI or
server that only wants a file path should not pay dbt's start-up. The parity test in
tests/warehouse/test_warehouse_profile.py renders the same values with dbt's renderer and compares.
"""

from __future__ import annotations

import ast
import datetime
import re
from collections.abc import Iterator, Mapping
from functools import lru_cache
from itertools import chain, islice
from typing import Any

from dbt_grounding.errors import ConfigurationError

__all__ = ["render_data", "render_value"]

_RENDER_HINT = (
    "profiles.yml may use env_var('NAME'), env_var('NAME', 'default'), var('name', 'default') and the filters "
    "as_text, as_bool, as_number, as_native; check the value with `dbt debug`."
)


class _TextMarker(str):
    """`| as_text`: keep as a string."""


class _NativeMarker(str):
    """`| as_native`: evaluate as a Python literal."""


class _BoolMarker(_NativeMarker):
    """`| as_bool`: must evaluate to a bool."""


class _NumberMarker(_NativeMarker):
    """`| as_number`: must evaluate to a number."""


# A value that is exactly one env_var call with literal arguments, the usual profile value (`path: "{{
# env_var('DUCKDB_PATH', 'x.duckdb') }}"`): rendered without jinja2, whose import is ~0.05 s of a cold one-shot
# command (issue 16). Jinja renders it to the variable's text (or the default) with no marker, so it stays text; the
# parity test (tests/warehouse/test_warehouse_profile.py) compares both ways with dbt's renderer.
_LITERAL = r"""(?:'([^'\\]*)'|"([^"\\]*)")"""
_PLAIN_ENV_VAR = re.compile(r"\{\{\s*env_var\(\s*" + _LITERAL + r"(?:\s*,\s*" + _LITERAL + r")?\s*\)\s*\}\}")


@lru_cache(maxsize=1)
def _environment() -> Any:
    import jinja2
    from jinja2.nativetypes import NativeCodeGenerator
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    class _ProfileEnvironment(ImmutableSandboxedEnvironment):
        # Native code generation keeps `{{ 4 }}` an int; `_native_concat` decides what a value becomes.
        code_generator_class = NativeCodeGenerator

    environment = _ProfileEnvironment(undefined=jinja2.StrictUndefined)
    environment.filters.update(
        as_text=_TextMarker, as_bool=_BoolMarker, as_number=_NumberMarker, as_native=_NativeMarker
    )
    return environment


def render_value(value: Any, *, environ: Mapping[str, str], source: str) -> Any:
    """Render one value as dbt renders a profile value.

    Args:
        value: a YAML scalar; non-strings pass through (dates become ISO strings, as in dbt).
        environ: the environment `env_var` reads.
        source: what the value is, for error messages (`profiles.yml: dbt_grounding.outputs.duckdb.path`).

    Returns:
        The rendered value: a string, or a bool/number/literal where dbt's native rendering gives one.
    """
    if isinstance(value, datetime.date):
        return value.isoformat()
    if not isinstance(value, str):
        return value
    if "{{" not in value and "{%" not in value and "{#" not in value:
        return value
    plain = _PLAIN_ENV_VAR.fullmatch(value)
    if plain is not None:
        name = plain.group(1) if plain.group(1) is not None else plain.group(2)
        default = plain.group(3) if plain.group(3) is not None else plain.group(4)
        return _env_var(environ, source)(name, default)
    from jinja2 import TemplateError

    try:
        template = _environment().from_string(value)
        context = template.new_context({"env_var": _env_var(environ, source), "var": _var(source)})
        return _native_concat(template.root_render_func(context), source)
    except TemplateError as exc:
        raise ConfigurationError(
            f"Cannot render {source}: {exc.message or type(exc).__name__}.", hint=_RENDER_HINT, source=source
        ) from exc


def render_data(data: Any, *, environ: Mapping[str, str], source: str) -> Any:
    """Render every value in nested mappings and lists (keys are not rendered, as in dbt).

    Args:
        data: parsed YAML.
        environ: the environment `env_var` reads.
        source: dotted location of `data`, for error messages.

    Returns:
        A rendered copy of `data`.
    """
    if isinstance(data, Mapping):
        return {key: render_data(item, environ=environ, source=f"{source}.{key}") for key, item in data.items()}
    if isinstance(data, list):
        return [render_data(item, environ=environ, source=f"{source}[{i}]") for i, item in enumerate(data)]
    return render_value(data, environ=environ, source=source)


def _env_var(environ: Mapping[str, str], source: str):
    def env_var(name: str, default: Any = None) -> Any:
        if name in environ:
            return environ[name]
        if default is not None:
            return default
        raise ConfigurationError(
            f"{source} uses env_var({name!r}), which is not set.",
            hint=f"Set {name} in the environment (as for dbt), or give env_var a default: env_var({name!r}, '...').",
            env_var=name,
            source=source,
        )

    return env_var


def _var(source: str):
    def var(name: str, default: Any = None) -> Any:
        if default is not None:
            return default
        raise ConfigurationError(
            f"{source} uses var({name!r}) without a default; only dbt's --vars could supply it.",
            hint=f"Give it a default, var({name!r}, '...'), or use env_var instead.",
            var=name,
            source=source,
        )

    return var


def _native_concat(nodes: Iterator[Any], source: str) -> Any:
    """dbt's `quoted_native_concat`: one marked node becomes a literal, anything else stays as rendered."""
    head = list(islice(nodes, 2))
    if not head:
        return ""
    if len(head) > 1:
        return "".join(str(node) for node in chain(head, nodes))
    raw = head[0]
    if isinstance(raw, _TextMarker):
        return str(raw)
    if not isinstance(raw, _NativeMarker):
        return raw
    try:
        result = ast.literal_eval(raw)
    except (ValueError, SyntaxError, MemoryError):
        result = str(raw)
    wrong_bool = isinstance(raw, _BoolMarker) and not isinstance(result, bool)
    wrong_number = isinstance(raw, _NumberMarker) and (
        not isinstance(result, (int, float)) or isinstance(result, bool)
    )
    if wrong_bool or wrong_number:
        wanted = "bool" if wrong_bool else "number"
        raise ConfigurationError(
            f"{source} renders to {str(raw)!r}, which is not a {wanted}.", hint=_RENDER_HINT, source=source
        )
    return result
