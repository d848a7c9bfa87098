"""`dbt-grounding feedback --request-id ID --rating up|down [--comment TEXT]`: a thumbs up or down on a served request
(or on a document, by the sha256 of its text), written beside the request events (README "Telemetry")."""

from __future__ import annotations

import argparse

from dbt_grounding.cli.options import CommandOutput, add_project_options


def register(subparsers) -> None:
    parser = subparsers.add_parser("feedback", help="record a thumbs up or down on a served request or document")
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--request-id", default=None, help="the request id (32 hex digits) of the answer")
    which.add_argument("--document-hash", default=None, help="the sha256 hex digest of the document text served")
    parser.add_argument("--rating", choices=("up", "down"), required=True)
    parser.add_argument("--comment", default=None, help="what was right or wrong (e-mails and phones are removed)")
    add_project_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> CommandOutput:
    from dbt_grounding.artifacts import locate_target_path
    from dbt_grounding.telemetry import Telemetry

    # the telemetry directory only: feedback needs no artifacts
    telemetry = Telemetry.resolve(args.telemetry, locate_target_path(args.project_dir, args.target_path).path,
                                  project_dir=args.project_dir, profiles_dir=args.profiles_dir, target=args.target)
    feedback_id = telemetry.record_feedback(rating=args.rating, request_id=args.request_id,
                                            document_hash=args.document_hash, comment=args.comment)
    telemetry.flush()
    return CommandOutput(f"feedback recorded: {feedback_id}")
