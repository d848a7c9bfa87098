"""What one caller may be served: the nodes that exist for its role, and the columns it is shown (grounding.roles).

A role that may not read everything gets the same AccessDeniedError for a node above its level and for a name that
names nothing, with suggestions drawn from what it may read only: errors never tell it which marts exist. The most
privileged level (restricted) sees every node, and an unknown name is then an UnknownNodeError as anywhere else.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import TYPE_CHECKING

from dbt_grounding.errors import AccessDeniedError, UnknownNodeError
from dbt_grounding.grounding.spec import ACCESS_LEVELS, grounding_models, grounding_spec

if TYPE_CHECKING:
    from dbt_grounding.artifacts import Manifest, Node, Source
    from dbt_grounding.grounding.roles import Role


class Access:
    """One role's view of one manifest. With `marts_only` (the agent server) only grounding marts exist for it: a
    staging model full of raw text is not one call away; a model is opted in by giving it a meta.grounding block."""

    def __init__(self, manifest: Manifest, role: Role, *, marts_only: bool = False) -> None:
        self.manifest = manifest
        self.role = role
        self.marts_only = marts_only
        self.sees_everything = role.access == ACCESS_LEVELS[-1] and not marts_only
        self._marts = {node.unique_id for node in grounding_models(manifest)} if marts_only else None
        # the manifest and the role do not change: each node's answer is worked out once (a serving process asks per
        # request)
        self._readable: dict[str, bool] = {}
        self._withheld: dict[str, dict[str, str]] = {}

    def may_read(self, node: Node | Source) -> bool:
        if node.unique_id not in self._readable:
            self._readable[node.unique_id] = (self._marts is None or node.unique_id in self._marts) and (
                self.role.access == ACCESS_LEVELS[-1] or self.role.may_read(grounding_spec(self.manifest, node).access))
        return self._readable[node.unique_id]

    def find(self, name: str) -> Node | Source:
        """The node `name` names, if the role may read it.

        Raises:
            AccessDeniedError: the role may not read it (or, with marts_only, it is no grounding mart), or (for a
                role that does not see everything) nothing has that name; the two are worded alike.
            UnknownNodeError: nothing has that name, for a role that sees everything.
        """
        if self.sees_everything:
            return self.manifest.find(name)
        try:
            node = self.manifest.find(name)
        except UnknownNodeError:
            node = None
        if node is not None and self.may_read(node):
            return node
        readable = sorted(self.readable_names())
        suggestions = difflib.get_close_matches(name, readable, n=3)
        raise AccessDeniedError(
            f"Role {self.role.name!r} may read no node named {name!r}.",
            hint=(f"did you mean {', '.join(suggestions)}? " if suggestions else "")
            + f"`dbt-grounding models --role {self.role.name}` lists what it may read; a role with more access is "
              "chosen with --role or DBT_GROUNDING_ROLE (grounding_roles.yml).",
            name=name, role=self.role.name, suggestions=suggestions,
        )

    def readable(self, nodes: Iterable[Node | Source]) -> list[Node | Source]:
        return [node for node in nodes if self.may_read(node)]

    def readable_names(self) -> set[str]:
        """The grounding marts the role may read (what it is pointed to when a name is denied)."""
        return {node.name for node in self.readable(grounding_models(self.manifest))}

    def withheld(self, node: Node | Source) -> dict[str, str]:
        """The node's columns the role is not shown (name -> why): above its level, or personal data of a kind it
        may not see."""
        if node.unique_id not in self._withheld:
            self._withheld[node.unique_id] = self.role.withheld(
                {name: column.merged_meta for name, column in node.columns.items()})
        return dict(self._withheld[node.unique_id])

    def withheld_note(self, node: Node | Source) -> str | None:
        """The sentence a document carries about the columns left out for the role, or None when none are."""
        withheld = self.withheld(node)
        if not withheld:
            return None
        listed = ", ".join(f"{name} ({why})" for name, why in sorted(withheld.items()))
        return (f"Withheld for role {self.role.name}: {listed}. These columns are left out of the record, not "
                "empty: do not guess their values.")
