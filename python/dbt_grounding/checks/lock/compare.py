"""Every difference between a lock and the current manifest, classified with the rule codes of `checks.findings`
(breaking DG001-DG006, additive DG101-DG103), each naming the mart columns and exposures it reaches through column
lineage."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from dbt_grounding.checks.findings import Finding
from dbt_grounding.checks.lock.build import build_lock, exposures_of, lock_node
from dbt_grounding.checks.lock.model import Lock, LockedMart, LockedNode
from dbt_grounding.lineage.memory import paths_through
from dbt_grounding.warehouse.adapters import normalize_type

if TYPE_CHECKING:
    from dbt_grounding.project import GroundingProject


def compare_lock(lock: Lock, project: GroundingProject) -> list[Finding]:
    """Every difference between the lock and the project's current manifest, classified and explained.

    Returns:
        Findings sorted by code, node and column; empty when the interface is unchanged. Each names in `affected`
        the grounding mart columns ('fct_x.col', or 'fct_x' for a whole-mart change) and exposure unique_ids it
        reaches through column lineage.
    """
    return _Comparison(lock, project).run()


class _Comparison:
    def __init__(self, lock: Lock, project: GroundingProject) -> None:
        self.lock = lock
        self.project = project
        self.adapter = project.adapter
        self.current = build_lock(project)
        self._paths: dict[str, dict[str, list[list[tuple[str, str]]]]] = {}
        self.findings: list[Finding] = []

    def run(self) -> list[Finding]:
        old_marts, new_marts = self.lock.marts, self.current.marts
        for uid in sorted(old_marts.keys() - new_marts.keys()):
            self._mart_removed(uid, old_marts[uid])
        for uid in sorted(new_marts.keys() - old_marts.keys()):
            self._add("DG103", uid, None, f"grounding mart {new_marts[uid].name} was added")
        for uid in sorted(old_marts.keys() & new_marts.keys()):
            self._compare_key(uid, old_marts[uid], new_marts[uid])
        old_nodes, new_nodes = self.lock.nodes, self.current.nodes
        for uid in sorted(old_nodes):
            if uid in old_marts and uid not in new_marts:
                continue  # DG001 says it
            # a locked node no longer upstream of any mart but still in the manifest: compared all the same
            self._compare_node(uid, old_nodes[uid], new_nodes.get(uid) or lock_node(self.project, uid))
        return sorted(set(self.findings), key=Finding.sort_key)

    # -------------------------------------------------------------- kinds of change

    def _mart_removed(self, uid: str, old: LockedMart) -> None:
        name = old.name or uid
        still = uid in self.project.manifest.nodes
        why = "is no longer a grounding mart (its meta.grounding block is gone)" if still else "was removed"
        affected = [name, *old.exposures, *exposures_of(self.project.manifest, uid)]
        self._finding("DG001", uid, None, f"grounding mart {name} {why}: agents that read it break",
                      sorted(set(affected)))

    def _compare_key(self, uid: str, old: LockedMart, new: LockedMart) -> None:
        """A key agents could look rows up by that is no key any more breaks them; a new alternative does not."""
        now = [sorted(c.casefold() for c in k) for k in new.keys()]
        for key in old.keys():
            if sorted(c.casefold() for c in key) not in now:
                self._add("DG004", uid, None,
                          f"key of {new.name} changed from [{', '.join(key)}] to [{', '.join(new.key)}]: "
                          "agents' lookups by the old key break",
                          extra=[f"{new.name}.{k}" for k in key + new.key])

    def _compare_node(self, uid: str, old: LockedNode, new: LockedNode | None) -> None:
        name = old.name or uid
        if new is None:
            for column in sorted(old.columns):
                self._add("DG002", uid, column, f"{name}.{column} was removed with its node {name}")
            return
        old_columns = {c.casefold(): (c, t) for c, t in old.columns.items()}
        new_columns = {c.casefold(): (c, t) for c, t in new.columns.items()}
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
        if old.enforced and not new.enforced:
            self._add("DG006", uid, None, f"the contract of {name} is no longer enforced: a schema change would "
                                          "reach the agents instead of failing the build")

    def _compare_values(self, uid: str, name: str, old: LockedNode, new: LockedNode, kept: Iterable[str]) -> None:
        old_values = {c.casefold(): (c, v) for c, v in old.accepted_values.items()}
        new_values = {c.casefold(): (c, v) for c, v in new.accepted_values.items()}
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
        marts = self.current.marts
        reached: set[str] = set(extra)
        hit_marts: set[str] = set()
        if column is None:
            for mart_uid in marts:
                if mart_uid == uid or uid in self.project.upstream(mart_uid):
                    reached.add(marts[mart_uid].name or mart_uid)
                    hit_marts.add(mart_uid)
        else:
            if uid in marts:
                reached.add(f"{marts[uid].name}.{column}")
                hit_marts.add(uid)
            for mart_uid in marts:
                for mart_column in paths_through(self.paths(mart_uid), uid, column):
                    reached.add(f"{marts[mart_uid].name}.{mart_column}")
                    hit_marts.add(mart_uid)
        hit_marts.update(m for m in marts if any(r.split(".")[0] == marts[m].name for r in reached))
        exposures = {e for m in hit_marts for e in marts[m].exposures}
        exposures |= {e for m in hit_marts if m in self.lock.marts for e in self.lock.marts[m].exposures}
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
