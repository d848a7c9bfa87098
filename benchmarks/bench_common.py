"""What the build benchmarks share (build_marts.py, build_engines.py): raw data generated at scale, loaded into
DuckDB the way an EL tool would, and the dbt command line they run. Not a test; nothing here asserts a time."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
RAW_TABLES = [
    "crm_customers", "billing_subscriptions", "billing_orders", "billing_payments",
    "product_logins", "support_tickets", "ml_churn_scores",
]
AS_OF_DATE = "2026-06-30"
BUILD_VARS = f"{{dbt_grounding_as_of_date: '{AS_OF_DATE}'}}"  # `dbt build --vars`: the sample data's as-of date


def generate(customers: int, out_dir: Path) -> None:
    """N customers of raw data as Parquet in out_dir (scripts/generate_raw_data.py); reused when already there."""
    if all((out_dir / f"{table}.parquet").exists() for table in RAW_TABLES):
        print(f"reusing raw data in {out_dir}", file=sys.stderr)
        return
    out_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts" / "generate_raw_data.py"),
         "--customers", str(customers), "--format", "parquet", "--out", str(out_dir)],
        check=True,
    )


def load_raw_duckdb(duckdb_path: Path, raw_dir: Path) -> int:
    """Load the Parquet files into main_raw, text columns as text and the loader timestamp typed, like the seeds.
    Returns the number of rows loaded."""
    import duckdb

    rows = 0
    with duckdb.connect(str(duckdb_path)) as connection:
        connection.execute("create schema if not exists main_raw")
        for table in RAW_TABLES:
            path = str(raw_dir / f"{table}.parquet")
            connection.execute(
                f"create or replace table main_raw.{table} as "
                f"select * replace (cast(_loaded_at as timestamp) as _loaded_at) from read_parquet(?)",
                [path],
            )
            rows += connection.execute(f"select count(*) from main_raw.{table}").fetchone()[0]
    return rows


def dbt_executable() -> str:
    """The dbt installed beside the running Python (the project's venv)."""
    return str(Path(sys.executable).with_name("dbt"))


def dbt_args(work_dir: Path, threads: int | None = None) -> list[str]:
    """The options every benchmark dbt command takes: this project, its profiles.yml, target and logs in work_dir."""
    args = ["--project-dir", str(REPO_ROOT), "--profiles-dir", str(REPO_ROOT),
            "--target-path", str(work_dir / "target"), "--log-path", str(work_dir / "logs")]
    return [*args, "--threads", str(threads)] if threads else args


def dbt_env(**settings: str) -> dict[str, str]:
    """This process's environment without usage stats, plus the profile settings given (DBT_GROUNDING_*)."""
    return dict(os.environ, DBT_SEND_ANONYMOUS_USAGE_STATS="False", **settings)
