"""`dbt-grounding publish`: audit the last build with the CI gate, then copy its grounding marts into the serving
store agents read (DuckDB projects; see dbt_grounding.publish). Exit 1 when the gate refuses the build: nothing is
published and agents keep the last published build."""

from __future__ import annotations

import argparse
import json

from dbt_grounding.cli.lock_command import add_lock_option, lock_path
from dbt_grounding.cli.options import CommandOutput, add_project_options, open_project


def register(subparsers) -> None:
    parser = subparsers.add_parser("publish", help="audit the last build with the gate, then publish its grounding "
                                                   "marts to the serving store agents read (DuckDB)")
    add_lock_option(parser)
    parser.add_argument("--format", choices=("text", "json"), default="text")
    add_project_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> CommandOutput:
    import msgspec

    from dbt_grounding.project import utc_now
    from dbt_grounding.publish import publish_project

    with open_project(args) as project:
        publication = publish_project(project, lock_path=lock_path(args), clock=utc_now)
        warnings = tuple(project.warnings)
    build = publication.build
    if args.format == "json":
        return CommandOutput(json.dumps({"copied": publication.copied, "pruned": publication.pruned,
                                         "published": msgspec.to_builtins(build)}, indent=2, sort_keys=True),
                             warnings=warnings)
    verb = "published" if publication.copied else "already published"
    lines = [f"{verb} {build.snapshot}: the build {build.invocation_id} of {build.built_at}, "
             f"gate: {build.verdict.errors} errors, {build.verdict.warnings} warnings"
             + (f" ({', '.join(build.verdict.warning_rules)})" if build.verdict.warning_rules else "")]
    lines += [f"  {mart.schema}.{mart.identifier}: {mart.rows} rows, {len(mart.columns)} columns"
              for mart in build.marts]
    if publication.pruned:
        lines.append(f"removed older builds: {', '.join(publication.pruned)}")
    return CommandOutput("\n".join(lines), warnings=warnings)
