#!/usr/bin/env python3
"""Generate a synthetic dbt-duckdb project of N models for the benchmarks (deterministic: fixed seed).

The shape is the one the reference measurements use: 10 layers (staging over sources at the bottom, 8 intermediate
layers, a few deep marts at the top), 10-30 documented columns per model, each with a data_type, ~3.5 data tests per
model, each mart with `config.meta.grounding` and an enforced contract, one exposure over the marts (`--plain`: no
`meta.grounding` anywhere, as in a project that never heard of dbt-grounding). The SQL is real
(import CTEs, joins, aggregates, CASE, arithmetic, `select *`), so compiled SQL exercises column lineage through
every hop, and it runs: `dbt build` passes on the empty source tables.

    .venv/bin/python benchmarks/synthetic_project.py --models 500 --out /tmp/synth500

By default it then runs `dbt parse --no-partial-parse` (timed) and `dbt compile`, so DIR/target/manifest.json holds
compiled SQL: `dbt parse` alone leaves compiled_code out of the manifest, `dbt compile` puts it in. The generator
first creates the source tables, empty but with the declared columns, in the project's DuckDB file
(DIR/warehouse.duckdb, or $DBT_SYNTHETIC_DUCKDB_PATH) with the duckdb Python package, so `dbt build` and
`dbt docs generate` work too (on DuckDB `dbt compile` itself does not need them). No seeds: the manifest holds only
models, sources, data tests and the exposure. The project carries its own profiles.yml.

Every mart is 10 layers above the sources; they are numbered by upstream size, so `mart_deep_001` always has the
largest lineage. The layout and figures are printed as Markdown; DIR/synthetic_project.json records them for the
other benchmarks. The run fails if dbt warns about the generated project (deprecations included).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bench_common import dbt_executable

LAYERS = 10  # 0 staging, 1-8 intermediate, 9 marts
SEED = 20260630
DEEP_MART = "mart_deep_001"
DUCKDB_PATH_ENV = "DBT_SYNTHETIC_DUCKDB_PATH"
MARKER = "synthetic_project.json"
RAW_SCHEMA = "raw"
TIERS = ["high", "medium", "low"]

# Output types and the column name prefix each gets (a column's name says its type, as in jaffle-shop banners).
PREFIX = {"double": "amount", "bigint": "count", "varchar": "label", "boolean": "is_flag", "date": "date"}
STAGING_TYPES = (["double"] * 35 + ["varchar"] * 30 + ["bigint"] * 15 + ["boolean"] * 10 + ["date"] * 10)


@dataclass
class Column:
    name: str
    data_type: str
    description: str
    sql: str = ""  # the expression producing it, in the model's CTE that defines it
    meta: dict = field(default_factory=dict)


@dataclass
class Model:
    name: str
    layer: int
    folder: str  # relative to models/
    parents: list[str] = field(default_factory=list)
    columns: list[Column] = field(default_factory=list)
    sql: str = ""
    description: str = ""
    tests: dict[str, list] = field(default_factory=dict)  # column name -> data tests
    source: tuple[str, str] | None = None  # (source name, table name) for staging models
    raw_columns: list[tuple[str, str]] = field(default_factory=list)  # staging: the source table's columns


# ---------------------------------------------------------------------------------------------------------- plan


def layer_sizes(models: int) -> list[int]:
    """Models per layer: a few marts on top, a fifth of the rest in staging, the remainder spread over 8 layers."""
    marts = min(5, max(2, models // 100))
    rest = models - marts
    staging = max(1, round(rest * 0.2))
    intermediate = rest - staging
    base, extra = divmod(intermediate, LAYERS - 2)
    return [staging] + [base + (1 if i < extra else 0) for i in range(LAYERS - 2)] + [marts]


def plan(models: int, seed: int) -> tuple[list[Model], dict[str, list[str]]]:
    """All models in layer order, and the sources (source name -> table names)."""
    rng = random.Random(seed)
    sizes = layer_sizes(models)
    layers: list[list[Model]] = []
    sources: dict[str, list[str]] = {}

    staging = []
    for index in range(1, sizes[0] + 1):
        source_name = f"src_{(index - 1) // 10 + 1:02d}"
        table = f"table_{index:04d}"
        sources.setdefault(source_name, []).append(table)
        model = staging_model(rng, source_name, table)
        staging.append(model)
    layers.append(staging)

    number = sizes[0]
    for layer in range(1, LAYERS):
        current = []
        below = layers[layer - 1][:]
        rng.shuffle(below)
        for position in range(sizes[layer]):
            number += 1
            if layer == LAYERS - 1:
                name = f"mart_candidate_{position + 1:03d}"  # renamed by upstream size below
                folder = "marts"
                extras = 3 if position == 0 else 2
                pool = [m for lower in layers[max(1, layer - 3):layer] for m in lower]
            else:
                name = f"int_l{layer}_{number:04d}"
                folder = f"intermediate/layer_{layer}"
                extras = rng.choices([0, 1, 2], weights=[30, 45, 25])[0]
                pool = [m for lower in layers[max(0, layer - 3):layer] for m in lower]
            # the primary parent is in the layer just below (round-robin, so most models there get a child): the
            # longest path from every model down to a source is `layer` hops, so each mart's lineage spans 10 layers
            primary = below[position % len(below)]
            parents = [primary]
            for candidate in rng.sample(pool, min(len(pool), extras + 2)):
                if len(parents) > extras:
                    break
                if candidate not in parents:
                    parents.append(candidate)
            model = derived_model(rng, name, layer, folder, parents)
            current.append(model)
        layers.append(current)
    models_in_order = [m for layer in layers for m in layer]
    # all marts are 10 layers deep; number them by upstream size, so mart_deep_001 has the largest lineage
    marts = layers[-1]
    ranked = sorted(marts, key=lambda m: (-len(upstream(models_in_order, m.name)), m.name))
    for position, mart in enumerate(ranked, start=1):
        mart.name = f"mart_deep_{position:03d}"
    marts.sort(key=lambda m: m.name)
    return [m for layer in layers for m in layer], sources


def staging_model(rng: random.Random, source_name: str, table: str) -> Model:
    model = Model(
        name=f"stg_{source_name.replace('_', '')}__{table}", layer=0, folder=f"staging/{source_name}",
        source=(source_name, table),
        description=f"One row per record of {source_name}.{table}: typed, renamed and cleaned, nothing filtered.",
    )
    model.raw_columns = [("id", "bigint"), ("event_ts", "timestamp"), ("loaded_at", "timestamp")]
    model.columns = [
        Column("entity_id", "bigint", f"The entity's key (id in {table}).", "id"),
        Column("event_date", "date", f"The day the record's event happened (event_ts in {table}, truncated).",
               "cast(event_ts as date)"),
    ]
    for position in range(2, rng.randint(10, 30)):
        data_type = rng.choice(STAGING_TYPES)
        raw = f"attr_{position:02d}"
        name = f"{PREFIX[data_type]}_{position:02d}"
        if data_type == "double":
            model.raw_columns.append((raw, "double"))
            sql, text = f"round({raw}, 2)", "rounded to cents"
        elif data_type == "varchar":
            model.raw_columns.append((raw, "varchar"))
            sql, text = f"lower(trim({raw}))", "trimmed and lower-cased"
        elif data_type == "bigint":
            model.raw_columns.append((raw, "bigint"))
            sql, text = f"coalesce({raw}, 0)", "missing as 0"
        elif data_type == "boolean":
            model.raw_columns.append((raw, "varchar"))
            sql, text = f"upper(trim({raw})) in ('Y', 'YES', 'TRUE')", "true when Y, YES or TRUE"
        else:
            model.raw_columns.append((raw, "varchar"))
            sql, text = f"try_cast({raw} as date)", "parsed as a date, null when unparseable"
        model.columns.append(Column(name, data_type, f"{raw} of {source_name}.{table}, {text}.", sql))
    model.tests = {"entity_id": ["unique", "not_null"], "event_date": ["not_null"]}
    if rng.random() < 0.5:
        model.tests.setdefault(rng.choice(model.columns[2:]).name, []).append("not_null")
    model.sql = staging_sql(model)
    return model


def derived_model(rng: random.Random, name: str, layer: int, folder: str, parents: list[Model]) -> Model:
    """An intermediate model or mart: import CTEs, a join, an aggregate per entity_id, derived columns on top."""
    is_mart = layer == LAYERS - 1
    model = Model(name=name, layer=layer, folder=folder, parents=[p.name for p in parents])
    width = rng.randint(20, 30) if is_mart else rng.randint(10, 30)
    derived = rng.randint(1, 3)
    candidates = [(p, c) for p in parents for c in p.columns if c.name != "entity_id"]
    # every parent contributes at least one column, so each join is traced by column lineage
    picks = [(p, rng.choice([c for c in p.columns if c.name != "entity_id"])) for p in parents]
    while len(picks) < width - 2 - derived:
        picks.append(rng.choice(candidates))

    joined = [f"{parents[0].name}.entity_id", f"{parents[0].name}.event_date"]
    aggregated = ["entity_id", "max(event_date) as event_date"]
    model.columns = [
        Column("entity_id", "bigint", f"The entity's key (from {parents[0].name})."),
        Column("event_date", "date", f"Latest event day of the entity in {parents[0].name}."),
    ]
    for offset, (parent, column) in enumerate(picks):
        position = offset + 2
        alias = f"in_{position:02d}"
        expression, input_text = f"{parent.name}.{column.name}", f"{parent.name}.{column.name}"
        others = [(p, c) for p, c in candidates if c.data_type == column.data_type and c is not column]
        if others and rng.random() < 0.3:
            other_parent, other = rng.choice(others)
            second = f"{other_parent.name}.{other.name}"
            expression = {
                "double": f"coalesce({expression}, 0) + coalesce({second}, 0)",
                "bigint": f"greatest({expression}, {second})",
                "varchar": f"coalesce({expression}, {second})",
                "boolean": f"({expression} or {second})",
                "date": f"least({expression}, {second})",
            }[column.data_type]
            input_text = f"{input_text} combined with {second}"
        joined.append(f"{expression} as {alias}")
        aggregate, data_type, text = aggregate_for(rng, column.data_type, alias)
        out_name = f"{PREFIX[data_type]}_{position:02d}"
        aggregated.append(f"{aggregate} as {out_name}")
        model.columns.append(Column(out_name, data_type, f"{text} of {input_text}, per entity."))

    first_derived = len(model.columns)
    doubles = [c.name for c in model.columns if c.data_type == "double"]
    dates = [c.name for c in model.columns if c.data_type == "date" and c.name != "event_date"]
    finals = []
    for position in range(first_derived, first_derived + derived):
        kind = rng.choice(["tier", "ratio", "days"])
        if kind == "ratio" and len(doubles) >= 2:
            a, b = rng.sample(doubles, 2)
            column = Column(f"ratio_{position:02d}", "double", f"{a} divided by {b}; null when {b} is 0.",
                            f"{a} / nullif({b}, 0)")
        elif kind == "days" and dates:
            d = rng.choice(dates)
            column = Column(f"days_since_{position:02d}", "bigint", f"Days from {d} to event_date.",
                            f"date_diff('day', {d}, event_date)")
        elif doubles:
            a = rng.choice(doubles)
            column = Column(
                f"tier_{position:02d}", "varchar", f"'high' when {a} >= 1000, 'medium' when >= 100, else 'low'.",
                f"case\n                when {a} >= 1000 then 'high'\n                when {a} >= 100 then 'medium'\n"
                f"                else 'low'\n            end",
            )
        else:
            column = Column(f"record_count_{position:02d}", "bigint", "Always 1: one row per entity.", "1::bigint")
        finals.append(column)
        model.columns.append(column)

    model.tests = {"entity_id": ["unique", "not_null", {
        "relationships": {"arguments": {"to": f"ref('{parents[0].name}')", "field": "entity_id"}}
    }]}
    if rng.random() < 0.5:
        tiers = [c.name for c in finals if c.name.startswith("tier_")]
        if tiers:
            model.tests[tiers[0]] = [{"accepted_values": {"arguments": {"values": TIERS}}}]
        else:
            model.tests["event_date"] = ["not_null"]
    if is_mart:
        labels = [c for c in model.columns if c.data_type == "varchar" and c.name.startswith("label_")]
        if labels:
            labels[0].meta = {"pii": "email"}
        model.description = (
            f"One row per entity with the figures an agent may state, from {len(parents)} models of the layers "
            f"below; the deepest lineage in the project (10 layers down to the sources)."
        )
    else:
        model.description = f"One row per entity of {parents[0].name}, joined to {len(parents) - 1} other model(s)."
    model.sql = derived_sql(model, parents, joined, aggregated, finals)
    return model


def aggregate_for(rng: random.Random, data_type: str, alias: str) -> tuple[str, str, str]:
    """(aggregate expression, output type, description) for one joined input column."""
    choice = rng.random()
    if data_type == "double":
        if choice < 0.2:
            return f"count({alias})", "bigint", "Count of non-null values"
        if choice < 0.35:
            return f"sum(case when {alias} > 0 then {alias} else 0 end)", "double", "Sum of the positive values"
        function = rng.choice(["sum", "avg", "max", "min"])
        return f"{function}({alias})", "double", function.capitalize()
    if data_type == "bigint":
        if choice < 0.3:
            return f"count(distinct {alias})", "bigint", "Distinct count"
        function = rng.choice(["max", "min"])
        return f"{function}({alias})", "bigint", function.capitalize()
    if data_type == "varchar":
        if choice < 0.3:
            return f"count(distinct {alias})", "bigint", "Distinct count"
        function = rng.choice(["max", "min"])
        return f"{function}({alias})", "varchar", f"{function.capitalize()} (alphabetical)"
    if data_type == "boolean":
        function = rng.choice(["bool_or", "bool_and"])
        return f"{function}({alias})", "boolean", "Any" if function == "bool_or" else "All"
    function = rng.choice(["max", "min"])
    return f"{function}({alias})", "date", "Latest" if function == "max" else "Earliest"


# ----------------------------------------------------------------------------------------------------------- SQL


def staging_sql(model: Model) -> str:
    source_name, table = model.source
    lines = ",\n".join(f"        {c.sql} as {c.name}" for c in model.columns)
    return (
        f"with\n\nsource as (\n\n    select * from {{{{ source('{source_name}', '{table}') }}}}\n\n),\n\n"
        f"renamed as (\n\n    select\n{lines}\n\n    from source\n\n)\n\nselect * from renamed\n"
    )


def derived_sql(model: Model, parents: list[Model], joined: list[str], aggregated: list[str],
                finals: list[Column]) -> str:
    imports = "".join(f"{p.name} as (\n\n    select * from {{{{ ref('{p.name}') }}}}\n\n),\n\n" for p in parents)
    primary = parents[0].name
    joins = "".join(
        f"\n    {'left join' if i % 2 else 'inner join'} {p.name}\n        on {primary}.entity_id = {p.name}.entity_id"
        for i, p in enumerate(parents[1:], start=1)
    )
    joined_lines = ",\n".join(f"        {line}" for line in joined)
    aggregated_lines = ",\n".join(f"        {line}" for line in aggregated)
    final_lines = "".join(f",\n        {c.sql} as {c.name}" for c in finals)
    return (
        f"with\n\n{imports}"
        f"joined as (\n\n    select\n{joined_lines}\n\n    from {primary}{joins}\n\n),\n\n"
        f"aggregated as (\n\n    select\n{aggregated_lines}\n\n    from joined\n    group by entity_id\n\n),\n\n"
        f"final as (\n\n    select\n        *{final_lines}\n\n    from aggregated\n\n)\n\nselect * from final\n"
    )


# --------------------------------------------------------------------------------------------------------- files


def column_yaml(model: Model, column: Column) -> dict:
    entry: dict = {"name": column.name, "data_type": column.data_type, "description": column.description}
    if column.meta:
        entry["config"] = {"meta": column.meta}
    if column.name in model.tests:
        entry["data_tests"] = model.tests[column.name]
    return entry


def model_yaml(model: Model, plain: bool = False) -> dict:
    entry: dict = {"name": model.name, "description": model.description}
    if model.layer == LAYERS - 1 and plain:
        entry["config"] = {"contract": {"enforced": True}}
    elif model.layer == LAYERS - 1:
        entry["config"] = {
            "contract": {"enforced": True},
            "meta": {"grounding": {
                "entity": "entity",
                "key": ["entity_id"],
                "as_of_column": "event_date",
                "freshness": {"warn_after": {"count": 24, "period": "hour"},
                              "error_after": {"count": 48, "period": "hour"}},
                "access": "internal",
                "summary": f"Figures per entity from {len(model.parents)} upstream models, as of event_date.",
            }},
        }
    entry["columns"] = [column_yaml(model, c) for c in model.columns]
    if model.layer == LAYERS - 1:
        entry["columns"][0]["constraints"] = [{"type": "not_null"}, {"type": "primary_key"}]
    return entry


def sources_yaml(source_name: str, tables: list[str], staging: dict[str, Model]) -> dict:
    return {"version": 2, "sources": [{
        "name": source_name,
        "description": f"Synthetic source system {source_name}, loaded by an EL tool into the {RAW_SCHEMA} schema.",
        "schema": RAW_SCHEMA,
        "config": {
            "loaded_at_field": "loaded_at",
            "freshness": {"warn_after": {"count": 24, "period": "hour"},
                          "error_after": {"count": 48, "period": "hour"}},
        },
        "tables": [{
            "name": table,
            "description": f"One row per record of {table} as exported.",
            "columns": [
                {"name": name, "data_type": data_type, "description": f"{name} as exported."}
                for name, data_type in staging[table].raw_columns
            ],
        } for table in tables],
    }]}


def exposure_yaml(marts: list[Model], plain: bool = False) -> dict:
    exposure = {
        "name": "synthetic_agent",
        "label": "Synthetic AI agent",
        "type": "application",
        "maturity": "medium",
        "description": "The agent that reads the deep marts through dbt-grounding context documents.",
        "owner": {"name": "Data Platform", "email": "data-platform@example.com"},
        "depends_on": [f"ref('{m.name}')" for m in marts],
        "config": {"meta": {"grounding": {"agent": "synthetic_agent",
                                          "interface": "dbt-grounding context documents"}}},
    }
    if plain:
        del exposure["config"]
    return {"version": 2, "exposures": [exposure]}


def dump(path: Path, data: dict, header: str = "") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(header + yaml.safe_dump(data, sort_keys=False, width=120, allow_unicode=True))


def write_project(out: Path, models: list[Model], sources: dict[str, list[str]], duckdb_path: Path,
                  plain: bool = False) -> None:
    (out / "dbt_project.yml").write_text(
        "name: synthetic\nversion: \"1.0.0\"\nconfig-version: 2\nprofile: synthetic\n\n"
        "model-paths: [\"models\"]\nclean-targets: [\"target\"]\n\n"
        "flags:\n  send_anonymous_usage_stats: false\n\n"
        "models:\n  synthetic:\n    staging:\n      +materialized: view\n"
        "    intermediate:\n      +materialized: view\n    marts:\n      +materialized: table\n"
    )
    (out / "profiles.yml").write_text(
        f"# The project's own DuckDB file; ${DUCKDB_PATH_ENV} moves it.\n"
        f"synthetic:\n  target: duckdb\n  outputs:\n    duckdb:\n      type: duckdb\n"
        f"      path: \"{{{{ env_var('{DUCKDB_PATH_ENV}', '{duckdb_path}') }}}}\"\n"
        f"      schema: main\n      threads: 4\n"
    )
    staging = {m.source[1]: m for m in models if m.source}
    for source_name, tables in sources.items():
        dump(out / "models" / "staging" / source_name / f"_{source_name}__sources.yml",
             sources_yaml(source_name, tables, staging))
    folders: dict[str, list[Model]] = {}
    for model in models:
        folders.setdefault(model.folder, []).append(model)
        path = out / "models" / model.folder / f"{model.name}.sql"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(model.sql)
    for folder, members in folders.items():
        leaf = folder.rsplit("/", 1)[-1]
        dump(out / "models" / folder / f"_{leaf}__models.yml",
             {"version": 2, "models": [model_yaml(m, plain) for m in members]})
    marts = [m for m in models if m.layer == LAYERS - 1]
    dump(out / "models" / "marts" / "_marts__exposures.yml", exposure_yaml(marts, plain))


def create_source_tables(duckdb_path: Path, models: list[Model]) -> None:
    """Empty source tables with the declared columns, so `dbt build` can run the models on them."""
    import duckdb

    duckdb_path.unlink(missing_ok=True)
    with duckdb.connect(str(duckdb_path)) as connection:
        connection.execute(f"create schema {RAW_SCHEMA}")
        for model in models:
            if model.source:
                columns = ", ".join(f"{name} {data_type}" for name, data_type in model.raw_columns)
                connection.execute(f"create table {RAW_SCHEMA}.{model.source[1]} ({columns})")


def upstream(models: list[Model], name: str) -> set[str]:
    by_name = {m.name: m for m in models}
    seen, stack = {name}, [name]
    while stack:
        for parent in by_name[stack.pop()].parents:
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return seen


def run_dbt(out: Path, command: list[str], warnings: list[str]) -> float:
    """Run dbt in the project; return its wall time. Its warnings (deprecations included) go to `warnings`."""
    dbt = dbt_executable()
    env = dict(os.environ, DBT_SEND_ANONYMOUS_USAGE_STATS="False", DBT_USE_COLORS="False")
    started = time.perf_counter()
    result = subprocess.run(
        [dbt, *command, "--project-dir", str(out), "--profiles-dir", str(out)],
        env=env, capture_output=True, text=True, cwd=out,
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-6000:] + result.stderr[-3000:])
        raise SystemExit(f"failed: dbt {' '.join(command)}")
    warnings.extend(f"dbt {command[0]}: {line}" for line in result.stdout.splitlines() if "[WARNING]" in line)
    return elapsed


def prepare_out(out: Path) -> None:
    """Refuse to write into a non-empty folder this script did not make; clear one it did."""
    if out.exists() and any(out.iterdir()):
        if not (out / MARKER).exists():
            raise SystemExit(f"{out} is not empty and not a synthetic project ({MARKER} missing): choose another --out")
        for child in ("models", "target", "logs"):
            shutil.rmtree(out / child, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, required=True, help="number of models (at least 20)")
    parser.add_argument("--out", type=Path, required=True, help="project folder to create")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--dbt", choices=["none", "parse", "compile"], default="compile",
                        help="run dbt after generating: parse only, or parse then compile (default)")
    parser.add_argument("--plain", action="store_true",
                        help="a plain dbt project: no meta.grounding anywhere (contracts and the exposure stay)")
    args = parser.parse_args()
    if args.models < 20:
        parser.error("--models must be at least 20 (two per layer)")

    out = args.out.resolve()
    prepare_out(out)
    duckdb_path = Path(os.environ.get(DUCKDB_PATH_ENV, out / "warehouse.duckdb")).resolve()
    models, sources = plan(args.models, args.seed)
    write_project(out, models, sources, out / "warehouse.duckdb", args.plain)
    create_source_tables(duckdb_path, models)

    sizes = layer_sizes(args.models)
    columns = sum(len(m.columns) for m in models)
    tests = sum(len(t) for m in models for t in m.tests.values())
    deep = upstream(models, DEEP_MART)
    marts = [m.name for m in models if m.layer == LAYERS - 1]
    record = {
        "models": len(models), "seed": args.seed, "deep_mart": DEEP_MART, "marts": marts,
        "layer_sizes": sizes, "sources": sum(len(t) for t in sources.values()), "columns": columns,
        "data_tests": tests, "deep_mart_upstream_models": len(deep) - 1, "plain": args.plain,
    }

    timings, warnings = {}, []
    if args.dbt != "none":
        timings["dbt parse --no-partial-parse"] = run_dbt(out, ["parse", "--no-partial-parse"], warnings)
        if args.dbt == "compile":
            timings["dbt compile"] = run_dbt(out, ["compile"], warnings)
        record["manifest_bytes"] = (out / "target" / "manifest.json").stat().st_size
    (out / MARKER).write_text(json.dumps(record, indent=2) + "\n")

    print(f"    .venv/bin/python benchmarks/synthetic_project.py --models {args.models} --out {args.out}"
          + (f" --seed {args.seed}" if args.seed != SEED else "")
          + (f" --dbt {args.dbt}" if args.dbt != "compile" else "") + (" --plain" if args.plain else ""))
    print()
    print("| models | per layer (staging … marts) | sources | columns | data tests | deep mart (upstream models) |")
    print("|---|---|---|---|---|---|")
    print(f"| {len(models):,} | {' / '.join(map(str, sizes))} | {record['sources']:,} | {columns:,} "
          f"({columns / len(models):.1f} per model) | {tests:,} ({tests / len(models):.2f} per model) "
          f"| `{DEEP_MART}` ({len(deep) - 1:,}) |")
    if timings:
        print()
        print("| " + " | ".join(f"`{k}`" for k in timings) + " | manifest.json |")
        print("|" + "---|" * (len(timings) + 1))
        print("| " + " | ".join(f"{v:.1f} s" for v in timings.values())
              + f" | {record['manifest_bytes'] / 1e6:.1f} MB |")
    print()
    print(f"deep mart: {DEEP_MART}")
    if warnings:  # the benchmark shape is a project that parses cleanly
        sys.stderr.write("\n".join(warnings) + "\n")
        raise SystemExit(f"dbt warned about the generated project ({len(warnings)} warning(s)): fix the generator")


if __name__ == "__main__":
    main()
