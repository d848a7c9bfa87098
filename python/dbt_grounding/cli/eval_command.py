"""`dbt-grounding eval GOLDEN`: run a golden dataset through `ask` and the key path, report the figures and the
production threshold audit (exit 1 when a check fails or a metric regressed against --baseline);
`dbt-grounding eval init MART --sample N`: write a starter golden set from a mart's rows, marked for review."""

from __future__ import annotations

import argparse
import importlib
import math
import sys
from pathlib import Path

from dbt_grounding.cli.options import (
    CommandOutput, add_project_options, add_role_option, non_negative_int, open_project, path_arg, positive_int,
)
from dbt_grounding.errors import ConfigurationError, ExitCode


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "eval", help="score a golden dataset (no LLM) and audit production thresholds; `eval init MART` starts one",
        description="dbt-grounding eval GOLDEN [options]  |  dbt-grounding eval init MART --sample N")
    parser.add_argument("what", nargs="+", metavar="GOLDEN | init MART",
                        help="the golden dataset (YAML), or `init` and the mart to write a starter set from")
    add_role_option(parser)
    add_project_options(parser)
    parser.add_argument("--format", choices=("text", "markdown", "json", "junit"), default="text")
    parser.add_argument("--output", type=path_arg, default=None, help="write the report (or starter set) here")
    parser.add_argument("--baseline", type=path_arg, default=None,
                        help="an earlier `--format json` result: fail on a metric worse beyond its tolerance")
    parser.add_argument("--answers", type=path_arg, default=None,
                        help="an LLM's answer per case (YAML: case id: text), checked by the answer verifier")
    parser.add_argument("--judge", default=None, metavar="MODULE:FUNCTION",
                        help="an LLM-as-judge callable (case, outputs) -> score in [0, 1]; off by default")
    parser.add_argument("--price-input", type=non_negative_number, default=0.003, help="USD per 1,000 input tokens (0.003)")
    parser.add_argument("--price-output", type=non_negative_number, default=0.015, help="USD per 1,000 output tokens (0.015)")
    parser.add_argument("--answer-tokens", type=non_negative_int, default=150, help="assumed answer length (150)")
    parser.add_argument("--overhead-tokens", type=non_negative_int, default=0,
                        help="system prompt and tool definitions sent with every query (0)")
    parser.add_argument("--queries-per-minute", type=non_negative_number, default=10.0, help="load for the annualized cost (10)")
    parser.add_argument("--monitoring", type=path_arg, default=None,
                        help="a telemetry folder or settings file that counts as monitoring configured")
    progress = parser.add_mutually_exclusive_group()
    progress.add_argument("--progress", dest="progress", action="store_true", default=None,
                          help="show a progress bar on stderr (default: when stderr is a terminal)")
    progress.add_argument("--no-progress", dest="progress", action="store_false")
    parser.add_argument("--sample", type=positive_int, default=50, help="eval init: rows to write cases for (50)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> CommandOutput:
    if args.what[0] == "init":
        if len(args.what) != 2:
            raise ConfigurationError("`eval init` takes one mart: dbt-grounding eval init MART --sample N",
                                     hint="e.g. dbt-grounding eval init customers --sample 50")
        return _init(args, args.what[1])
    if len(args.what) != 1:
        raise ConfigurationError(f"`eval` takes one golden dataset, got {len(args.what)} arguments",
                                 hint="dbt-grounding eval GOLDEN.yml [--role ROLE] (a file named init: ./init)")
    return _eval(args, Path(args.what[0]))


def _eval(args: argparse.Namespace, golden_path: Path) -> CommandOutput:
    from dbt_grounding.artifacts import locate_target_path
    from dbt_grounding.evaluation import EvalOptions, Pricing, evaluate, load_golden
    from dbt_grounding.evaluation.answers import load_answers
    from dbt_grounding.evaluation.baseline import load_baseline, regressions
    from dbt_grounding.evaluation.render import render
    from dbt_grounding.project import GroundingProject

    golden = load_golden(golden_path)
    baseline = load_baseline(args.baseline) if args.baseline else None
    answers = load_answers(args.answers) if args.answers else None
    judge = _judge(args.judge) if args.judge else None
    show = args.progress if args.progress is not None else sys.stderr.isatty()

    def opener(role, clock):
        return GroundingProject.open(args.project_dir, target_path=args.target_path, profiles_dir=args.profiles_dir,
                                     target=args.target, role=role, clock=clock,
                                     warehouse_options={"hold_ms": 1000},
                                     telemetry="off")  # an eval's requests are not the agents' traffic

    options = EvalOptions(role=args.role, judge=judge, answers=answers, progress=_progress_bar if show else None)
    pricing = Pricing(args.price_input, args.price_output, args.answer_tokens, args.overhead_tokens,
                      args.queries_per_minute)
    target_path = locate_target_path(args.project_dir, args.target_path).path
    try:
        report = evaluate(golden, opener, target_path=target_path, options=options,
                          pricing=pricing, monitoring=args.monitoring)
    finally:
        if show:
            sys.stderr.write("\n")
    if baseline is not None:
        report.regressions = regressions(report.metrics, baseline)
    text = render(report, args.format)
    code = ExitCode.OK if report.passed else ExitCode.FINDINGS
    if args.output:
        _write(args.output, text)
        return CommandOutput(f"wrote {args.output} ({'pass' if report.passed else 'fail'})", code)
    return CommandOutput(text, code)


def _init(args: argparse.Namespace, mart: str) -> CommandOutput:
    from dbt_grounding.evaluation.starter import starter_golden

    with open_project(args) as project:
        text, count = starter_golden(project, mart, sample=args.sample)
    if args.output:
        _write(args.output, text)
        return CommandOutput(f"wrote {count} cases to {args.output}: review them (review: true) before relying on them")
    return CommandOutput(text)


def _write(path: Path, text: str) -> None:
    from dbt_grounding.artifacts.state import atomic_write

    try:
        atomic_write(path, (text if text.endswith("\n") else text + "\n").encode("utf-8"))
    except OSError as error:
        raise ConfigurationError(f"cannot write {path}: {error.strerror or error}",
                                 hint="choose a writable --output path", path=str(path)) from None


def _judge(spec: str):
    module_name, _, function = spec.partition(":")
    try:
        judge = getattr(importlib.import_module(module_name), function) if function else None
    except Exception as error:  # noqa: BLE001 - importing a user's module may raise anything: say which judge
        raise ConfigurationError(f"cannot load the judge {spec}: {error}",
                                 hint="--judge module:function, importable from PYTHONPATH", judge=spec) from None
    if not callable(judge):
        raise ConfigurationError(f"the judge {spec} is not a callable", hint="--judge module:function", judge=spec)
    return judge


def non_negative_number(text: str) -> float:
    """argparse type: a finite number of 0 or more (a usage error, exit 2, otherwise)."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not math.isfinite(value) or value < 0 or not text.strip().isascii():
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of 0 or more, e.g. 0.003")
    return value


def _progress_bar(done: int, total: int) -> None:
    width = 30
    filled = width * done // total
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} cases")
    sys.stderr.flush()
