"""`dbt-grounding verify ANSWER_FILE --mart M --key col=value`: check an LLM's answer against the context document
it was given (or saved documents, --document FILE): every number, date, status word and name it states.
Exit 0 when every claim is supported, 1 when one is not."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from dbt_grounding.cli.context_command import parse_key
from dbt_grounding.cli.options import CommandOutput, add_project_options, add_role_option, open_project, path_arg
from dbt_grounding.errors import ConfigurationError, ExitCode


def register(subparsers) -> None:
    parser = subparsers.add_parser("verify", help="check an LLM's answer against the documents it was given")
    parser.add_argument("answer_file", type=path_arg, help="the answer's text ('-': standard input)")
    parser.add_argument("--mart", help="the mart whose document the LLM was given (with --key)")
    parser.add_argument("--key", action="append", default=[], metavar="COLUMN=VALUE",
                        help="the document's key; repeat for composite keys")
    parser.add_argument("--document", action="append", type=path_arg, default=[], metavar="FILE",
                        help="a document the LLM was given, as saved (compact, Markdown or JSON); repeatable")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    add_role_option(parser)
    add_project_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> CommandOutput:
    if bool(args.mart) != bool(args.key) or not (args.mart or args.document):
        raise ConfigurationError("say which documents the answer is checked against",
                                 hint="give --mart MART --key COLUMN=VALUE, or --document FILE (or both)")
    answer = _read(args.answer_file)
    documents: list[object] = [_read(path) for path in args.document]
    with open_project(args) as project:
        if args.mart:
            documents.append(project.context(args.mart, parse_key(args.key), on_stale="annotate",
                                              on_failed_tests="annotate", on_unknown_build="annotate"))
        verification = project.verify(answer, documents)
        warnings = tuple(project.warnings)
    code = ExitCode.OK if verification.ok else ExitCode.FINDINGS
    if args.format == "json":
        return CommandOutput(json.dumps(verification.to_dict(), indent=2, ensure_ascii=False), code, warnings)
    lines = [f"{'supported  ' if c.supported else 'UNSUPPORTED'} {c.kind:<6} {c.text!r} (chars {c.start}-{c.end}): "
             f"{c.reason}" for c in verification.claims]
    lines.append(f"{len(verification.unsupported)} of {len(verification.claims)} claims unsupported")
    return CommandOutput("\n".join(lines), code, warnings)


def _read(path: Path) -> str:
    try:
        return sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigurationError(f"cannot read {path}: {error}", hint="give a readable UTF-8 text file",
                                 path=str(path)) from None
