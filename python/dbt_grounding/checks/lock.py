"""grounding.lock.json: the agents' interface of a project, committed, and every change to it classified.

The lock holds, for every grounding mart and every model, seed, snapshot and source upstream of it, the columns with
normalized types, the accepted values of categorical columns (from `accepted_values` tests) and the contract; per
mart its key and the exposures depending on it. It is deterministic (sorted keys and lists, no clock values, no
absolute paths), so a pull request shows an interface change as a diff of the lock.

`compare_lock` classifies every difference between a lock and the current manifest with the rule codes of
`checks.findings`: breaking DG001-DG006, additive DG101-DG103, each naming the mart columns and exposures it reaches
through column lineage.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

import msgspec

from dbt_grounding.checks.findings import Finding
from dbt_grounding.errors import ConfigurationError
from dbt_grounding.grounding.lineage_memory import paths_through
from dbt_grounding.warehouse.adapters import normalize_type

if TYPE_CHECKING:
    from dbt_grounding.artifacts import Manifest, Node, Source
    from dbt_grounding.project import GroundingProject

LOCK_VERSION = 1
LOCK_FILE = "grounding.lock.json"
LOCKED_TYPES = ("model", "seed", "snapshot", "source")
RELOCK = "re-create it with `dbt-grounding lock`"


# ---------------------------------------------------------------------------------------------------- building


class _Contract(msgspec.Struct, frozen=True):
    enforced: bool = False
    checksum: str | None = None


class _ContractNode(msgspec.Struct, frozen=True):
    contract: _Contract | None = None


class _Contracts(msgspec.Struct, frozen=True):
    nodes: dict[str, _ContractNode] = {}


def build_lock(project: GroundingProject) -> dict:
    """The lock of the project's current manifest.

    Returns:
        A JSON-ready dict: `lock_version`, `dbt_version`, `manifest_schema_version`, `project_name`, `adapter`,
        `marts` (unique_id -> key, exposures) and `nodes` (unique_id -> name, resource_type, columns, accepted_values,
        contract) for the marts and everything upstream of them.
    """
    manifest = project.manifest
    checksums = _contract_checksums(project.artifacts.target_path / "manifest.json")
    marts, locked = {}, set()
    for mart in project.grounding_models():
        spec = project.spec(mart.unique_id)
        marts[mart.unique_id] = {
            "name": mart.name,
            "key": list(spec.key),
            "exposures": _exposures_of(manifest, mart.unique_id),
        }
        if len(spec.candidate_keys) > 1:  # alternative keys (e.g. customer_id or email): agents may use any
            marts[mart.unique_id]["candidate_keys"] = [list(k) for k in spec.candidate_keys]
        locked.add(mart.unique_id)
        locked.update(project.upstream(mart.unique_id))
    nodes = {}
    for unique_id in sorted(locked):
        resource = manifest.nodes.get(unique_id) or manifest.sources.get(unique_id)
        if resource is not None and resource.resource_type in LOCKED_TYPES:
            nodes[unique_id] = _lock_node(manifest, project, resource, checksums.get(unique_id))
    metadata = manifest.metadata
    return {
        "lock_version": LOCK_VERSION,
        "dbt_version": metadata.dbt_version,
        "manifest_schema_version": _schema_version(metadata.dbt_schema_version),
        "project_name": metadata.project_name,
        "adapter": project.adapter,
        "marts": marts,
        "nodes": nodes,
    }


def _lock_node(manifest: Manifest, project: GroundingProject, resource: Node | Source, checksum: str | None) -> dict:
    """The node's documented columns, each with its declared data_type (the contract's, where there is one), else
    the type its build produced (catalog.json from after the build, or the relation as first seen after it:
    `grounding.expected_schema`), None when neither is known. Declared first: a lock written before the first look
    at a build and one written after it must not differ where the yml already says the type."""
    expected = project.expected_schemas.of(resource)
    columns = {}
    for name, column in resource.columns.items():
        data_type = column.data_type or expected.type_of(name)
        columns[name] = normalize_type(project.adapter, data_type) if data_type else None
    entry: dict[str, Any] = {
        "name": f"{resource.source_name}.{resource.name}" if resource.resource_type == "source" else resource.name,
        "resource_type": resource.resource_type,
        "columns": columns,
        "accepted_values": _accepted_values(manifest, resource.unique_id),
    }
    if resource.resource_type != "source":
        enforced = resource.contract_enforced
        if enforced and checksum is None:  # dbt < 1.5 style manifests: our own checksum of the declared types
            checksum = "sha256:" + hashlib.sha256(json.dumps(sorted(
                (name, column.data_type or "") for name, column in resource.columns.items())).encode()).hexdigest()
        entry["contract"] = {"enforced": enforced, "checksum": checksum if enforced else None}
    return entry


def _contract_checksums(manifest_path: Path) -> dict[str, str]:
    """node.contract.checksum (dbt computes it for enforced contracts): the typed Node does not read it."""
    try:
        contracts = msgspec.json.decode(manifest_path.read_bytes(), type=_Contracts)
    except (OSError, msgspec.DecodeError, msgspec.ValidationError):
        return {}
    return {uid: node.contract.checksum for uid, node in contracts.nodes.items()
            if node.contract is not None and node.contract.checksum}


def _accepted_values(manifest: Manifest, unique_id: str) -> dict[str, list[str]]:
    values: dict[str, set[str]] = {}
    for test in manifest.tests_on(unique_id):
        metadata = test.test_metadata
        if metadata is None or metadata.name != "accepted_values":
            continue
        kwargs = metadata.kwargs
        arguments = kwargs.get("arguments") if isinstance(kwargs.get("arguments"), dict) else {}
        listed = kwargs.get("values", arguments.get("values"))
        column = test.column_name or kwargs.get("column_name") or arguments.get("column_name")
        if column and isinstance(listed, list):
            values.setdefault(column, set()).update(str(v) for v in listed)
    return {column: sorted(listed) for column, listed in sorted(values.items())}


def _exposures_of(manifest: Manifest, unique_id: str) -> list[str]:
    return sorted(uid for uid, exposure in manifest.exposures.items() if unique_id in exposure.depends_on.nodes)


def _schema_version(url: str) -> str:
    match = re.search(r"/(v\d+)\.json$", url)
    return match.group(1) if match else url


# ---------------------------------------------------------------------------------------------------- the file


def lock_text(lock: dict) -> str:
    """The lock as written: sorted keys, 2-space indent, trailing newline."""
    return json.dumps(lock, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def write_lock(lock: dict, path: str | Path) -> Path:
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


def read_lock(path: str | Path) -> dict:
    """Read and check a lock file: every field the comparison reads has the type the lock writes.

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
        lock = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise ConfigurationError(f"{path.name} is not valid JSON ({error})", hint=f"{RELOCK} (a merge conflict?)",
                                 path=str(path), problem="not_json") from None
    problem = _shape_problem(lock)
    if problem:
        raise ConfigurationError(f"{path.name} is not a grounding lock: {problem}", hint=RELOCK,
                                 path=str(path), problem="malformed")
    if lock["lock_version"] != LOCK_VERSION:
        raise ConfigurationError(
            f"{path.name} has lock version {lock['lock_version']}; this dbt-grounding reads version {LOCK_VERSION}",
            hint=f"{RELOCK}, or use the dbt-grounding version that wrote it", path=str(path),
            problem="unsupported_version", version=lock["lock_version"])
    return lock


def _shape_problem(lock: Any) -> str | None:
    """The first field (named as a path) whose value is not of the type `build_lock` writes, or None."""
    if not isinstance(lock, dict):
        return f"the top level is {_kind(lock)}, not an object"
    if type(lock.get("lock_version")) is not int:
        return f"lock_version is {_kind(lock.get('lock_version'))}, not a whole number"
    for part in ("marts", "nodes"):
        if not isinstance(lock.get(part), dict):
            return f"{part} is {_kind(lock.get(part))}, not an object"
    for uid, mart in lock["marts"].items():
        problem = _fields_problem(mart, f"marts[{uid!r}]", required={"key": _names},
                                  optional={"name": _text, "exposures": _names, "candidate_keys": _name_lists})
        if problem:
            return problem
    for uid, node in lock["nodes"].items():
        problem = _fields_problem(node, f"nodes[{uid!r}]", required={"columns": _column_types},
                                  optional={"name": _text, "resource_type": _text, "accepted_values": _value_lists,
                                            "contract": _contract})
        if problem:
            return problem
    return None


def _fields_problem(entry: Any, where: str, *, required: dict, optional: dict) -> str | None:
    if not isinstance(entry, dict):
        return f"{where} is {_kind(entry)}, not an object"
    for name, check in [*required.items(), *optional.items()]:
        if name in entry:
            problem = check(entry[name], f"{where}.{name}")
            if problem:
                return problem
        elif name in required:
            return f"{where} has no {name}"
    return None


def _text(value: Any, where: str) -> str | None:
    return None if isinstance(value, str) else f"{where} is {_kind(value)}, not text"


def _names(value: Any, where: str) -> str | None:
    if not isinstance(value, list):
        return f"{where} is {_kind(value)}, not a list of names"
    bad = next((i for i, item in enumerate(value) if not isinstance(item, str)), None)
    return None if bad is None else f"{where}[{bad}] is {_kind(value[bad])}, not text"


def _name_lists(value: Any, where: str) -> str | None:
    if not isinstance(value, list):
        return f"{where} is {_kind(value)}, not a list of keys"
    return next((p for p in (_names(key, f"{where}[{i}]") for i, key in enumerate(value)) if p), None)


def _column_types(value: Any, where: str) -> str | None:
    if not isinstance(value, dict):
        return f"{where} is {_kind(value)}, not an object of column types"
    bad = next((name for name, type_ in value.items() if type_ is not None and not isinstance(type_, str)), None)
    return None if bad is None else f"{where}[{bad!r}] is {_kind(value[bad])}, not a type name or null"


def _value_lists(value: Any, where: str) -> str | None:
    if not isinstance(value, dict):
        return f"{where} is {_kind(value)}, not an object of value lists"
    return next((p for p in (_names(listed, f"{where}[{c!r}]") for c, listed in value.items()) if p), None)


def _contract(value: Any, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        return f"{where} is {_kind(value)}, not an object"
    if not isinstance(value.get("enforced", False), bool):
        return f"{where}.enforced is {_kind(value['enforced'])}, not true or false"
    return None


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


# ---------------------------------------------------------------------------------------------------- comparing


def compare_lock(lock: dict, project: GroundingProject) -> list[Finding]:
    """Every difference between the lock and the project's current manifest, classified and explained.

    Returns:
        Findings sorted by code, node and column; empty when the interface is unchanged. Each names in `affected`
        the grounding mart columns ('fct_x.col', or 'fct_x' for a whole-mart change) and exposure unique_ids it
        reaches through column lineage.
    """
    return _Comparison(lock, project).run()


class _Comparison:
    def __init__(self, lock: dict, project: GroundingProject) -> None:
        self.lock = lock
        self.project = project
        self.adapter = project.adapter
        self.current = build_lock(project)
        self._paths: dict[str, dict[str, list[list[tuple[str, str]]]]] = {}
        self.findings: list[Finding] = []

    def run(self) -> list[Finding]:
        old_marts, new_marts = self.lock["marts"], self.current["marts"]
        for uid in sorted(old_marts.keys() - new_marts.keys()):
            self._mart_removed(uid, old_marts[uid])
        for uid in sorted(new_marts.keys() - old_marts.keys()):
            self._add("DG103", uid, None, f"grounding mart {new_marts[uid]['name']} was added")
        for uid in sorted(old_marts.keys() & new_marts.keys()):
            self._compare_key(uid, old_marts[uid], new_marts[uid])
        old_nodes, new_nodes = self.lock["nodes"], self.current["nodes"]
        for uid in sorted(old_nodes):
            if uid in old_marts and uid not in new_marts:
                continue  # DG001 says it
            self._compare_node(uid, old_nodes[uid], new_nodes.get(uid) or self._unlocked(uid))
        return sorted(set(self.findings), key=Finding.sort_key)

    # -------------------------------------------------------------- kinds of change

    def _mart_removed(self, uid: str, old: dict) -> None:
        name = old.get("name", uid)
        still = uid in self.project.manifest.nodes
        why = "is no longer a grounding mart (its meta.grounding block is gone)" if still else "was removed"
        affected = [name, *old.get("exposures", []), *_exposures_of(self.project.manifest, uid)]
        self._finding("DG001", uid, None, f"grounding mart {name} {why}: agents that read it break",
                      sorted(set(affected)))

    def _compare_key(self, uid: str, old: dict, new: dict) -> None:
        """A key agents could look rows up by that is no key any more breaks them; a new alternative does not."""
        def keys(mart: dict) -> list[list[str]]:
            return mart.get("candidate_keys") or [mart["key"]]

        now = [sorted(c.casefold() for c in k) for k in keys(new)]
        for key in keys(old):
            if sorted(c.casefold() for c in key) not in now:
                self._add("DG004", uid, None,
                          f"key of {new['name']} changed from [{', '.join(key)}] to [{', '.join(new['key'])}]: "
                          "agents' lookups by the old key break",
                          extra=[f"{new['name']}.{k}" for k in key + new["key"]])

    def _compare_node(self, uid: str, old: dict, new: dict | None) -> None:
        name = old.get("name", uid)
        if new is None:
            for column in sorted(old["columns"]):
                self._add("DG002", uid, column, f"{name}.{column} was removed with its node {name}")
            return
        old_columns = {c.casefold(): (c, t) for c, t in old["columns"].items()}
        new_columns = {c.casefold(): (c, t) for c, t in new["columns"].items()}
        added = sorted(new_columns.keys() - old_columns.keys())
        for folded in sorted(old_columns.keys() - new_columns.keys()):
            column, type_ = old_columns[folded]
            renamed = [new_columns[a][0] for a in added if self._same_type(new_columns[a][1], type_)]
            guess = f" (renamed to {' or '.join(renamed)}?)" if renamed and len(renamed) <= 3 else ""
            self._add("DG002", uid, column, f"column {name}.{column} was removed{guess}: agents that read it break")
        for folded in added:
            column, type_ = new_columns[folded]
            self._add("DG101", uid, column, f"column {name}.{column} ({type_ or 'untyped'}) was added")
        for folded in sorted(old_columns.keys() & new_columns.keys()):
            (column, old_type), (_, new_type) = old_columns[folded], new_columns[folded]
            if old_type and new_type and not self._same_type(old_type, new_type):
                self._add("DG003", uid, column,
                          f"type of {name}.{column} changed from {old_type} to {new_type}: agents parsing its "
                          "values may break")
        self._compare_values(uid, name, old, new, old_columns.keys() & new_columns.keys())
        old_contract, new_contract = old.get("contract") or {}, new.get("contract") or {}
        if old_contract.get("enforced") and not new_contract.get("enforced"):
            self._add("DG006", uid, None, f"the contract of {name} is no longer enforced: a schema change would "
                                          "reach the agents instead of failing the build")

    def _compare_values(self, uid: str, name: str, old: dict, new: dict, kept: Iterable[str]) -> None:
        old_values = {c.casefold(): (c, v) for c, v in old.get("accepted_values", {}).items()}
        new_values = {c.casefold(): (c, v) for c, v in new.get("accepted_values", {}).items()}
        for folded in sorted(set(kept) & (old_values.keys() | new_values.keys())):
            column, before = old_values.get(folded, (None, []))
            column = column or new_values[folded][0]
            after = new_values.get(folded, (column, None))[1]
            if after is None:
                self._add("DG005", uid, column,
                          f"the accepted_values test of {name}.{column} was removed: its values "
                          f"({_quoted(before)}) are no longer guaranteed, prompts listing them may break")
                continue
            removed, gained = sorted(set(before) - set(after)), sorted(set(after) - set(before))
            for value in removed:
                instead = f" (renamed to {_quoted(gained)}?)" if gained else ""
                self._add("DG005", uid, column, f"accepted value {value!r} of {name}.{column} was removed{instead}: "
                                                "prompts listing it break")
            for value in gained:
                self._add("DG102", uid, column, f"accepted value {value!r} of {name}.{column} was added: agents "
                                                "and prompts that list the values do not know it")

    # -------------------------------------------------------------- helpers

    def _unlocked(self, uid: str) -> dict | None:
        """A locked node no longer upstream of any mart but still in the manifest: compare it all the same."""
        manifest = self.project.manifest
        resource = manifest.nodes.get(uid) or manifest.sources.get(uid)
        if resource is None or resource.resource_type not in LOCKED_TYPES:
            return None
        return _lock_node(manifest, self.project, resource, None)

    def _same_type(self, left: str | None, right: str | None) -> bool:
        if left is None or right is None:
            return left is right
        return normalize_type(self.adapter, left) == normalize_type(self.adapter, right)

    def _add(self, code: str, uid: str, column: str | None, message: str, *, extra: Iterable[str] = ()) -> None:
        self._finding(code, uid, column, message, self._affected(uid, column, extra))

    def _finding(self, code: str, uid: str, column: str | None, message: str, affected: Iterable[str]) -> None:
        self.findings.append(Finding(code=code, node=uid, message=message, column=column,
                                     affected=tuple(sorted(set(affected)))))

    def _affected(self, uid: str, column: str | None, extra: Iterable[str]) -> list[str]:
        """Mart columns (or whole marts) reached from the change, then the exposures depending on those marts."""
        marts = self.current["marts"]
        reached: set[str] = set(extra)
        hit_marts: set[str] = set()
        if column is None:
            for mart_uid in marts:
                if mart_uid == uid or uid in self.project.upstream(mart_uid):
                    reached.add(marts[mart_uid]["name"])
                    hit_marts.add(mart_uid)
        else:
            if uid in marts:
                reached.add(f"{marts[uid]['name']}.{column}")
                hit_marts.add(uid)
            for mart_uid in marts:
                for mart_column in paths_through(self.paths(mart_uid), uid, column):
                    reached.add(f"{marts[mart_uid]['name']}.{mart_column}")
                    hit_marts.add(mart_uid)
        hit_marts.update(m for m in marts if any(r.split(".")[0] == marts[m]["name"] for r in reached))
        exposures = {e for m in hit_marts for e in marts[m]["exposures"]}
        exposures |= {e for m in hit_marts if m in self.lock["marts"] for e in self.lock["marts"][m].get("exposures", [])}
        return sorted(reached | exposures)

    def paths(self, mart_uid: str) -> dict[str, list[list[tuple[str, str]]]]:
        if mart_uid not in self._paths:
            try:
                self._paths[mart_uid] = self.project.traced_paths(mart_uid)
            except Exception:  # noqa: BLE001 - lineage is an explanation: without it the change is still reported
                self._paths[mart_uid] = {}
        return self._paths[mart_uid]


def _quoted(values: Iterable[str]) -> str:
    return ", ".join(repr(v) for v in values)
