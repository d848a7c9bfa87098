"""Which models `dbt-grounding check` checks when none are named (`--select` names them).

A project that declares grounding marts (`config.meta.grounding`) has its gate checked on them. A plain dbt project
declares nothing, and checking every model with a key (2,429 of a 5,000-model project) reported each upstream test
once per model reading it. The gate checks what the project serves instead, in dbt's own words, the first that
names any model:

1. the models an exposure depends on: what the project says something outside dbt reads;
2. the marts layer: models with `marts` among their folders (dbt's structure guide; `models/marts/...`);
3. a flat project with neither: every model with a key dbt knows (what `context` can serve), as before.

Everything upstream of the chosen models (builds, tests, sources) is checked through them, as for grounding marts.
"""

from __future__ import annotations

from dataclasses import dataclass

from dbt_grounding.artifacts import Manifest, Node
from dbt_grounding.grounding.spec import grounding_spec, is_grounding_mart

MARTS_FOLDER = "marts"


@dataclass(frozen=True)
class GateScope:
    nodes: list[Node]  # sorted by name
    rule: str  # how they were chosen, said in the report


def gate_scope(manifest: Manifest) -> GateScope:
    """The models the gate checks when none are named (the module's docstring says which and why)."""
    models = sorted((n for n in manifest.nodes.values() if n.resource_type == "model"), key=lambda n: n.name)
    declared = [n for n in models if is_grounding_mart(n)]
    if declared:
        return GateScope(declared, "the grounding marts (models with meta.grounding)")
    exposed = {uid for exposure in manifest.exposures.values() for uid in exposure.depends_on.nodes}
    chosen = [n for n in models if n.unique_id in exposed]
    if chosen:
        return GateScope(chosen, "no meta.grounding: the models exposures depend on")
    chosen = [n for n in models if MARTS_FOLDER in n.fqn[1:-1]]
    if chosen:
        return GateScope(chosen, f"no meta.grounding nor exposures: the models in the {MARTS_FOLDER} layer")
    return GateScope([n for n in models if grounding_spec(manifest, n).key],
                     "no meta.grounding, exposures or marts layer: every model with a key")
