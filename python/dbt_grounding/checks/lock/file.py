"""grounding.lock.json on disk: written deterministically, read into `Lock` with errors that name the wrong field."""

from __future__ import annotations

import json
import re
import types
import typing
from pathlib import Path
from typing import Any

import msgspec

from dbt_grounding.checks.lock.model import LOCK_FILE, LOCK_VERSION, Lock
from dbt_grounding.errors import ConfigurationError

RELOCK = "re-create it with `dbt-grounding lock`"
# msgspec names the type it expected; the message says it in words (a field's own wording where it has one)
_EXPECTED = {"object": "an object", "array": "a list", "str": "text", "int": "a whole number",
             "bool": "true or false", "str | null": "text or null", "object | null": "an object or null"}
_EXPECTED_IN = {"columns": "a type name or null", "key": "a column name", "exposures": "a unique_id"}
_PATH_STEP = re.compile(r"\.(\w+)|\[(\.\.\.|\d+)\]")


def lock_text(lock: Lock) -> str:
    """The lock as written: sorted keys, 2-space indent, trailing newline."""
    return json.dumps(msgspec.to_builtins(lock), sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def write_lock(lock: Lock, path: str | Path) -> Path:
    """Write the lock to `path` (a file, or a folder to hold grounding.lock.json), creating missing folders.

    Raises:
        ConfigurationError: the file cannot be written (permissions, a file where a folder should be).
    """
    path = Path(path)
    if path.is_dir():
        path = path / LOCK_FILE
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(lock_text(lock), encoding="utf-8")
    except OSError as error:
        raise ConfigurationError(f"cannot write the grounding lock {path}: {error.strerror or error}",
                                 hint="pass --lock a file path in a writable folder", path=str(path),
                                 problem="unwritable") from None
    return path


def read_lock(path: str | Path) -> Lock:
    """Read and check a lock file.

    Raises:
        ConfigurationError: missing, not UTF-8 JSON, not a lock (the message names the field that is wrong), or of a
            lock version this dbt-grounding does not read.
    """
    path = Path(path)
    if path.is_dir():
        path = path / LOCK_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigurationError(f"cannot read the grounding lock {path.name}: {error.strerror or error}",
                                 hint="create it with `dbt-grounding lock` and commit it", path=str(path),
                                 problem="missing") from None
    except UnicodeDecodeError as error:
        raise ConfigurationError(f"{path.name} is not UTF-8 text ({error.reason} at byte {error.start})",
                                 hint=RELOCK, path=str(path), problem="not_json") from None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise ConfigurationError(f"{path.name} is not valid JSON ({error})", hint=f"{RELOCK} (a merge conflict?)",
                                 path=str(path), problem="not_json") from None
    return parse_lock(data, path)


def parse_lock(data: Any, path: Path = Path(LOCK_FILE)) -> Lock:
    """A lock from its JSON value. The version is checked first: a lock of another version may have another shape.

    Raises:
        ConfigurationError: not a lock (naming the field that is wrong), or of another lock version.
    """
    version = data.get("lock_version") if isinstance(data, dict) else None
    if type(version) is int and version != LOCK_VERSION:
        raise ConfigurationError(
            f"{path.name} has lock version {version}; this dbt-grounding reads version {LOCK_VERSION}",
            hint=f"{RELOCK}, or use the dbt-grounding version that wrote it", path=str(path),
            problem="unsupported_version", version=version)
    try:
        return msgspec.convert(data, Lock, strict=True)
    except msgspec.ValidationError as error:
        raise ConfigurationError(f"{path.name} is not a grounding lock: {_problem(data, str(error))}", hint=RELOCK,
                                 path=str(path), problem="malformed") from None


def _problem(data: Any, message: str) -> str:
    """msgspec's message with the field it names written out: `$.nodes[...].columns[...]` becomes
    `nodes['model.x'].columns['id']` (msgspec elides dict keys; the first entry that does not convert is the one)."""
    message, _, at = message.partition(" - at `")
    where, value, container = _locate(data, Lock, at.rstrip("`").removeprefix("$"))
    missing = re.fullmatch(r"Object missing required field `(\w+)`", message)
    if missing:
        return f"{where or 'the top level'} has no {missing.group(1)}"
    expected = re.fullmatch(r"Expected `([^`]+)`, got `[^`]+`", message)
    if expected is None:
        return f"{where or 'the top level'}: {message}"
    wanted = _EXPECTED_IN.get(container or "") or _EXPECTED.get(expected.group(1), expected.group(1))
    return f"{where or 'the top level'} is {_kind(value)}, not {wanted}"


def _locate(data: Any, shape: Any, path: str) -> tuple[str, Any, str | None]:
    """The readable path of msgspec's `path` in `data`, the value there, and the field holding it when it is an
    entry of a list or object (the field's wording of what an entry must be)."""
    where, value, field_name, container = "", data, None, None
    for field, index in _PATH_STEP.findall(path):
        shape = _without_optional(shape)
        if field:
            shape, value = typing.get_type_hints(shape)[field], value[field]
            where, field_name, container = f"{where}.{field}" if where else field, field, None
        elif index == "...":
            item_shape = typing.get_args(shape)[1]
            key = next((k for k, v in value.items() if not _converts(v, item_shape)), None)
            if key is None:  # not reached while msgspec reports the first entry that fails: say no more than it
                return f"{where}[...]", value, field_name
            shape, value, where, container = item_shape, value[key], f"{where}[{key!r}]", field_name
        else:
            shape, value, where = typing.get_args(shape)[0], value[int(index)], f"{where}[{index}]"
            container = field_name
    return where, value, container


def _without_optional(shape: Any) -> Any:
    """`X | None` (or `| UNSET`) as X: the path steps into X."""
    if typing.get_origin(shape) not in (typing.Union, types.UnionType):
        return shape
    arms = [arm for arm in typing.get_args(shape) if arm not in (type(None), msgspec.UnsetType)]
    return arms[0] if len(arms) == 1 else shape


def _converts(value: Any, shape: Any) -> bool:
    try:
        msgspec.convert(value, shape, strict=True)
    except msgspec.ValidationError:
        return False
    return True


def _kind(value: Any) -> str:
    """A JSON value as a message describes it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"a number ({_clipped(value)})"
    if isinstance(value, str):
        return f"text ({_clipped(value)})"
    return "a list" if isinstance(value, list) else "an object"


def _clipped(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
