"""The `dbt-grounding` command line. The only module that prints or exits."""

from __future__ import annotations

import argparse
import sys

from dbt_grounding import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dbt-grounding",
        description="Build lineage-aware, schema-checked context documents for AI agents from dbt artifacts.",
    )
    parser.add_argument("--version", action="version", version=f"dbt-grounding {__version__}")
    return parser


def main(argv: list[str] | None = None) -> int:
    build_parser().parse_args(argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
