"""What the benchmarks share: raw data generated at scale, loaded into DuckDB the way an EL tool would, the dbt
command line they run, and a child's wall time and peak memory. Not a test; nothing here asserts a time.

The helpers the test suite has too (the dbt executable, a free port, the PostgreSQL and Spark engines) are the test
suite's own (python/tests/dbt_runner.py, engines.py), imported from there: one copy for both."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "python" / "tests"))

from dbt_runner import AS_OF_DATE, dbt_executable  # noqa: E402  (after the path above)
from oracle import TABLE_ORDER  # noqa: E402

RAW_TABLES = list(TABLE_ORDER)  # the seven raw tables (docs/raw_data_spec.md), in the generator's order
BUILD_VARS = f"{{dbt_grounding_as_of_date: '{AS_OF_DATE}'}}"  # `dbt build --vars`: the sample data's as-of date


def generate(customers: int, out_dir: Path, distinct_names: bool = False) -> None:
    """N customers of raw data as Parquet in out_dir (scripts/generate_raw_data.py); reused when already there.
    `distinct_names`: the customer id in every company name (--distinct-names)."""
    if all((out_dir / f"{table}.parquet").exists() for table in RAW_TABLES):
        print(f"reusing raw data in {out_dir}", file=sys.stderr)
        return
    out_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts" / "generate_raw_data.py"),
         "--customers", str(customers), "--format", "parquet", "--out", str(out_dir),
         *(["--distinct-names"] if distinct_names else [])],
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


@dataclass(frozen=True)
class TimedRun:
    seconds: float  # wall time around the child
    peak_rss_mib: float  # the child's own peak RSS
    stdout: str
    cpu_seconds: float = 0.0  # the child's user + system CPU time: moves much less than wall time with the load


def time_child(command: list[str], env: dict[str, str], cwd: Path) -> TimedRun:
    """Run a child to its end; its wall time and peak RSS (`/usr/bin/time -v`: the child's own, where getrusage of
    children would give the maximum over every child so far). A failure aborts with the tail of its output."""
    started = time.perf_counter()
    result = subprocess.run(["/usr/bin/time", "-v", *command], env=env, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-4000:] + result.stderr[-4000:])
        raise SystemExit(f"failed: {' '.join(command[:4])} ...")
    peak_kib = next(int(line.split(":")[1]) for line in result.stderr.splitlines()
                    if "Maximum resident set size" in line)
    cpu = sum(float(line.split(":")[1]) for line in result.stderr.splitlines()
              if line.strip().startswith(("User time (seconds)", "System time (seconds)")))
    return TimedRun(elapsed, peak_kib / 1024, result.stdout, cpu)


def dbt_args(work_dir: Path, threads: int | None = None) -> list[str]:
    """The options every benchmark dbt command takes: this project, its profiles.yml, target and logs in work_dir."""
    args = ["--project-dir", str(REPO_ROOT), "--profiles-dir", str(REPO_ROOT),
            "--target-path", str(work_dir / "target"), "--log-path", str(work_dir / "logs")]
    return [*args, "--threads", str(threads)] if threads else args


def dbt_env(**settings: str) -> dict[str, str]:
    """This process's environment without usage stats, plus the profile settings given (DBT_GROUNDING_*)."""
    return dict(os.environ, DBT_SEND_ANONYMOUS_USAGE_STATS="False", **settings)


def ensure_demo_build(build_dir: Path) -> None:
    """The demo seeded and built in build_dir (target/ and warehouse.duckdb), unless a build is already there."""
    if (build_dir / "target" / "run_results.json").exists() and (build_dir / "warehouse.duckdb").exists():
        return
    build_dir.mkdir(parents=True, exist_ok=True)
    env = dbt_env(DBT_GROUNDING_DUCKDB_PATH=str(build_dir / "warehouse.duckdb"))
    for command in (["seed", "--full-refresh", "--vars", "{dbt_grounding_load_raw_data: true}"],
                    ["build", "--vars", BUILD_VARS]):
        subprocess.run([dbt_executable(), *command, *dbt_args(build_dir)], env=env, check=True, cwd=REPO_ROOT,
                       stdout=subprocess.DEVNULL)


def running_children_cpu() -> float:
    """User + system CPU seconds of this process's children that are still running (servers a benchmark talks to;
    getrusage counts children only once they have ended). Linux (/proc)."""
    total, tick = 0.0, os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == os.getpid():
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def running_children_switches() -> int:
    """Context switches (voluntary and not, every thread) of this process's children that are still running: each
    hand-off between threads, or wait for I/O, is one. Unlike CPU time it hardly moves with the machine's load.
    Linux (/proc)."""
    total = 0
    for status in Path("/proc").glob("[0-9]*/task/[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
        except OSError:
            continue
        if int(fields["PPid"]) == os.getpid():
            total += int(fields["voluntary_ctxt_switches"]) + int(fields["nonvoluntary_ctxt_switches"])
    return total


# -- figures for `make bench` (benchmarks/bench_all.py): every benchmark can print its figures as rows of one table

def load_average() -> float:
    """The 1-minute load average, printed beside every figure: on a shared machine figures move with it."""
    return os.getloadavg()[0]


def cli_env(**settings: str) -> dict[str, str]:
    """The environment for the installed `dbt-grounding` with this checkout's code (PYTHONPATH), as users run it."""
    path = os.pathsep.join(filter(None, [str(REPO_ROOT / "python"), os.environ.get("PYTHONPATH")]))
    return dbt_env(PYTHONPATH=path, **settings)


def compile_checkout(root: Path = REPO_ROOT) -> None:
    """Write the bytecode of a checkout's package (`root`/python), as installing a package does: a CLI run from the
    checkout with PYTHONDONTWRITEBYTECODE=1 set (as here) would otherwise compile every module it imports from
    source in each process, ~0.1-0.17 s of a cold command that no installed copy pays."""
    import compileall

    compileall.compile_dir(root / "python" / "dbt_grounding", quiet=1)


def cli_executable() -> str:
    """The console script installed beside this Python."""
    return str(Path(sys.executable).with_name("dbt-grounding"))


def publish(build_dir: Path) -> None:
    """`dbt-grounding publish` on a build folder (target/ + warehouse.duckdb; the installed CLI), so that
    `GroundingProject.open(...)` with its defaults reads the published build, as a long-lived process does."""
    result = subprocess.run(
        [cli_executable(), "publish", "--project-dir", str(REPO_ROOT), "--target-path", str(build_dir / "target")],
        env=cli_env(DBT_GROUNDING_DUCKDB_PATH=str(build_dir / "warehouse.duckdb")), capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"dbt-grounding publish failed: {result.stderr[-2000:]}")


@dataclass(frozen=True)
class Row:
    """One line of the `make bench` table: a measure, our figure, the peer's (or ""), their ratio, the load."""

    measure: str
    ours: str
    peer: str = ""
    ratio: str = ""
    load: str = ""


def emit_rows(rows: list[Row]) -> None:
    """Print the rows as the JSON list bench_all.py reads (`--json`): the only thing such a run prints on stdout."""
    import json

    print(json.dumps([row.__dict__ for row in rows], indent=1))


def progress(message: str) -> None:
    """A progress line on stderr (stdout is kept for figures)."""
    print(message, file=sys.stderr, flush=True)


BENCH_DIR = Path("/tmp/dbt-grounding-bench")  # where `--quick` runs make their projects, reused between runs
MART = "fct_customer_health_summary"


def synthetic(models: int) -> Path:
    """The `models`-model synthetic project under BENCH_DIR, parsed and compiled (benchmarks/synthetic_project.py);
    made when missing, reused otherwise (the generator is deterministic)."""
    project = BENCH_DIR / f"synth{models}"
    record = project / "synthetic_project.json"
    if record.exists() and (project / "target" / "partial_parse.msgpack").exists():
        return project
    progress(f"generating, parsing and compiling a {models:,}-model synthetic project in {project} "
             "(once; reused by later runs) ...")
    subprocess.run([sys.executable, str(REPO_ROOT / "benchmarks" / "synthetic_project.py"), "--models", str(models),
                    "--out", str(project)], check=True, stdout=sys.stderr, env=dbt_env())
    return project


def build_demo(build_dir: Path, env: dict[str, str]) -> None:
    """dbt seed (raw data and lookups) and dbt build of the demo, everything written under build_dir."""
    dbt = dbt_executable()
    for command in (["seed", "--full-refresh", "--vars", "{dbt_grounding_load_raw_data: true}"],
                    ["build", "--vars", BUILD_VARS]):
        subprocess.run([dbt, command[0], *dbt_args(build_dir), *command[1:]], env=env, check=True,
                       stdout=subprocess.DEVNULL)


def demo_env(build_dir: Path) -> dict[str, str]:
    """dbt's and the CLI's environment for the demo built in build_dir (its DuckDB file there)."""
    return cli_env(DBT_GROUNDING_DUCKDB_PATH=str(build_dir / "dbt_grounding.duckdb"))


def quick_demo() -> tuple[Path, dict[str, str]]:
    """The demo built under BENCH_DIR/demo (seeded and built once, reused by later runs), and its environment."""
    build_dir = BENCH_DIR / "demo"
    env = demo_env(build_dir)
    if not ((build_dir / "target" / "run_results.json").exists() and (build_dir / "dbt_grounding.duckdb").exists()):
        progress(f"building the demo in {build_dir} (dbt seed + dbt build, once; reused by later runs) ...")
        build_dir.mkdir(parents=True, exist_ok=True)
        build_demo(build_dir, env)
    return build_dir, env
