"""`dbt-grounding ask "QUESTION"`: the grounding mart, columns and keys a question is about, with the documents, or a
typed "no grounding" saying why and what to tell the user (exit 1, as for a refused document)."""

from __future__ import annotations

import argparse
import json

from dbt_grounding.cli.options import CommandOutput, add_project_options, add_role_option, open_project
from dbt_grounding.errors import ExitCode


def register(subparsers) -> None:
    parser = subparsers.add_parser("ask", help="find the mart, columns and customer a question is about, or say why not")
    parser.add_argument("question", help="the question, in plain words (contact details in it are never echoed)")
    add_role_option(parser)
    add_project_options(parser)
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--semantic", action="store_true",
                        help="fuse a static embedding model's ranking with BM25's (needs the `semantic` extra)")
    parser.set_defaults(run=run, telemetry_tool="ask")


def run(args: argparse.Namespace) -> CommandOutput:
    with open_project(args) as project:
        result = project.ask(args.question, semantic=args.semantic)
    code = ExitCode.OK if result.grounded else ExitCode.FINDINGS
    if args.format == "json":
        return CommandOutput(json.dumps(result.as_dict(), indent=2, sort_keys=True), code)
    return CommandOutput(render_text(result), code)


def render_text(result) -> str:
    lines = [f"status: {result.status}" + (f" ({result.reason})" if result.reason else "")]
    if result.mart:
        lines.append(f"mart: {result.mart} (confidence {result.confidence.mart:.2f})")
        lines.append("columns: " + ", ".join(f"{c.name} ({c.score:.2f})" for c in result.columns)
                     + f" (confidence {result.confidence.columns:.2f})")
    if result.keys:
        lines.append("keys: " + "; ".join(", ".join(f"{k}={v}" for k, v in key.items()) for key in result.keys)
                     + f" ({result.entity_match}, confidence {result.confidence.entity:.2f})")
    for candidate in result.candidates:
        lines.append(f"candidate: {candidate.name} (" + ", ".join(f"{k}={v}" for k, v in candidate.key.items()) + ")")
    if result.explanation:
        lines.append(f"why: {result.explanation}")
    if result.say:
        lines.append(f"say: {result.say}")
    if not result.grounded and result.available:
        lines += ["available instead:"] + [f"  - {line}" for line in result.available]
    for document in result.documents:
        lines += ["", document.text.rstrip()]
    return "\n".join(lines)
